"""The one boundary every command runs inside: no traceback, and no patient data, reaches a user.

A service's refusal becomes its message and exit code (so a command need not catch a
``ServiceError`` itself); anything unexpected becomes one line naming the kind of failure
(:func:`collector_tui.services.failures.describe`), exit 1, with the detail in the operator's log
file when one is configured. Click's own usage errors (an unknown option or command, a missing
argument, a bad value) become one line and exit 1, the usage code of every command: Click's 2 is
``collector import``'s "unreadable or malformed file". Exits (``--help`` and ``--version`` exit 0)
and aborts pass through untouched.

Typer runs the root group in Click's standalone mode (from ``run()`` and from
``typer.testing.CliRunner``): the root's own options are parsed in :meth:`GuardedGroup.parse_args`,
a subcommand's in :meth:`GuardedGroup.invoke`, so both catch the usage error before Typer prints it
and exits 2.
"""

from __future__ import annotations

from typing import Any, NoReturn

import typer

# Typer vendors Click (``typer._click``, a private module): its exceptions are not ``click``'s.
from typer._click.exceptions import ClickException, NoArgsIsHelpError, UsageError
from typer.core import TyperGroup

from collector_tui.cli.output import EXIT_USAGE, fail
from collector_tui.services.errors import ServiceError


def report_unexpected(exc: BaseException, where: str) -> NoReturn:
    """Log the failure's detail (if a log is configured) and fail with one line."""
    from collector_tui.services.failures import describe, record_failure

    path = record_failure(exc, where)
    hint = f"; details in {path}" if path is not None else ""
    fail(f"{describe(exc)}{hint}", EXIT_USAGE)


def _help_hint(ctx: Any) -> str:
    """``" (try 'collector import placements --help')"``, or ``""`` without a help option."""
    if ctx is None or ctx.command.get_help_option(ctx) is None:
        return ""
    names = ctx.help_option_names
    option = "--help" if "--help" in names else names[0]
    return f" (try '{ctx.command_path} {option}')"


def report_usage(exc: ClickException, parsing: Any = None) -> NoReturn:
    """Click's error as one line on stderr, with the ``--help`` to try (of the command it names,
    else of ``parsing``, the context being parsed); exit 1 for a usage error (``EXIT_USAGE``), else
    the exception's own code. A group given no command has printed its help already (Typer does
    as the error is made); the line says what is missing."""
    ctx = getattr(exc, "ctx", None) or parsing
    if isinstance(exc, NoArgsIsHelpError):
        if getattr(exc.ctx.command, "rich_markup_mode", None) is None:  # plain Click: not yet shown
            typer.echo(exc.format_message())
        fail(f"missing command{_help_hint(ctx)}", EXIT_USAGE)
    code = EXIT_USAGE if isinstance(exc, UsageError) else exc.exit_code
    message = " ".join(exc.format_message().split())  # "Choose from:" lists come one per line
    fail(f"{message.removesuffix('.')}{_help_hint(ctx)}", code)


class GuardedGroup(TyperGroup):
    """The root command group: every subcommand's failure passes through :meth:`invoke`, the
    root's own usage errors through :meth:`parse_args`."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:  # Typer's vendored click Context
        try:
            return super().parse_args(ctx, args)
        except ClickException as exc:  # `collector --bogus`
            report_usage(exc, ctx)

    def invoke(self, ctx: Any) -> Any:  # Typer's vendored click Context (private module)
        try:
            return super().invoke(ctx)
        except ClickException as exc:  # unknown option or command, missing argument, bad value
            report_usage(exc)
        except (typer.Exit, typer.Abort, typer.TyperException):  # exits (--help: 0), aborts
            raise
        except ServiceError as exc:
            fail(str(exc), exc.exit_code)
        except Exception as exc:  # the boundary: nothing unexpected prints a traceback
            report_unexpected(exc, f"collector {ctx.invoked_subcommand or ''}".strip())
