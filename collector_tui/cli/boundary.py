"""The one boundary every command runs inside: no traceback, and no patient data, reaches a user.

A service's refusal becomes its message and exit code; anything unexpected becomes one line
naming the kind of failure (:func:`collector_tui.services.failures.describe`), exit 1, with
the detail in the operator's log file when one is configured. Click's own exits, usage errors
and aborts pass through untouched.
"""

from __future__ import annotations

from typing import Any, NoReturn

import typer
from typer.core import TyperGroup

from collector_tui.cli.output import EXIT_USAGE, fail
from collector_tui.services.errors import ServiceError


def report_unexpected(exc: BaseException, where: str) -> NoReturn:
    """Log the failure's detail (if a log is configured) and fail with one line."""
    from collector_tui.services.failures import describe, record_failure

    path = record_failure(exc, where)
    hint = f"; details in {path}" if path is not None else ""
    fail(f"{describe(exc)}{hint}", EXIT_USAGE)


class GuardedGroup(TyperGroup):
    """The root command group: every subcommand's failure passes through :meth:`invoke`."""

    def invoke(self, ctx: Any) -> Any:  # Typer's vendored click Context (private module)
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort, typer.TyperException):  # exits, usage errors, aborts
            raise
        except ServiceError as exc:
            fail(str(exc), exc.exit_code)
        except Exception as exc:  # the boundary: nothing unexpected prints a traceback
            report_unexpected(exc, f"collector {ctx.invoked_subcommand or ''}".strip())
