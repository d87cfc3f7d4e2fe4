"""How the CLI speaks: one friendly line on stderr for errors, with an exit code.

Messages are printed as text, never as Rich markup: a path or a login may hold ``[`` and ``]``.
"""

from __future__ import annotations

from typing import NoReturn

import typer
from rich.console import Console
from rich.text import Text

EXIT_OK = 0
EXIT_USAGE = 1

_stderr = Console(stderr=True, highlight=False, soft_wrap=True, emoji=False)


def fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    _stderr.print(Text.assemble(("error:", "bold red"), " ", message))
    raise typer.Exit(code)


def say(message: str) -> None:
    typer.echo(message)
