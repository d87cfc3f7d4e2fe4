"""How the CLI speaks: one friendly line on stderr for errors, with an exit code."""

from __future__ import annotations

from typing import NoReturn

import typer
from rich.console import Console

EXIT_OK = 0
EXIT_USAGE = 1

_stderr = Console(stderr=True, highlight=False, soft_wrap=True)


def fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    _stderr.print(f"[bold red]error:[/] {message}", markup=True, emoji=False)
    raise typer.Exit(code)


def say(message: str) -> None:
    typer.echo(message)
