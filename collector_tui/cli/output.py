"""How the CLI speaks: one friendly line on stderr for errors, with an exit code.

Messages are printed as text, never as Rich markup: a path or a login may hold ``[`` and ``]``.
JSON documents give every moment through :func:`utc_timestamp`, so all of them read alike.

Exit codes (every command; README "Exit codes"): 0 success, 1 usage or configuration error
(Click's own usage errors included, see ``boundary.py``), 2 an unreadable or malformed input
file, 3 completed with rejected rows, 4 the import lock is held.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import NoReturn, overload

import typer
from rich.console import Console
from rich.text import Text

EXIT_OK = 0
EXIT_USAGE = 1
EXIT_BAD_FILE = 2  # raised as a ServiceError whose exit_code is 2 (collector_tui/importing/source.py)
EXIT_REJECTED = 3  # an import that completed with rejected rows (ImportSummary.exit_code)
EXIT_LOCKED = 4  # another import holds the lock (collector_tui/importing/lock.py)

_stderr = Console(stderr=True, highlight=False, soft_wrap=True, emoji=False)


def fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    _stderr.print(Text.assemble(("error:", "bold red"), " ", message))
    raise typer.Exit(code)


def say(message: str) -> None:
    typer.echo(message)


@overload
def utc_timestamp(moment: datetime) -> str: ...
@overload
def utc_timestamp(moment: None) -> None: ...
@overload
def utc_timestamp(moment: datetime | None) -> str | None: ...
def utc_timestamp(moment: datetime | None) -> str | None:
    """A moment as every JSON document gives it: UTC, to the second, with a trailing ``Z``
    (``2026-11-27T15:00:00Z``); ``None`` stays ``None``. A naive moment is taken as UTC, the
    database's convention (``collector_tui/db/types.py``)."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
