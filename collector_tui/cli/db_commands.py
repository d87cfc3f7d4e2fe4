"""``collector db``: create, upgrade and check the database schema (never silently).

A refusal (no database, another program's file, drift, not at head) is a ``ServiceError``: the
boundary (``boundary.py``) prints its one line and exits with its code.
"""

from __future__ import annotations

import typer

from collector_tui.cli.options import database_setting
from collector_tui.cli.output import say

app = typer.Typer(help="Create, upgrade and check the database schema.", no_args_is_help=True)


@app.command()
def upgrade(ctx: typer.Context) -> None:
    """Create the database if needed and migrate it to this version's schema."""
    from collector_tui.services import schema
    from collector_tui.services.database import display_url

    setting = database_setting(ctx)
    before, after = schema.upgrade(setting.url)
    where = display_url(setting.url)
    if before.current == after.current:
        say(f"{where}: already at revision {after.current}")
    else:
        say(f"{where}: upgraded from {before.current or 'empty'} to {after.current}")


@app.command()
def current(ctx: typer.Context) -> None:
    """Print which database is used, where that came from, and its schema revision."""
    from collector_tui.services import schema
    from collector_tui.services.database import display_url

    setting = database_setting(ctx)
    found = schema.report(setting.url)
    say(f"database: {display_url(setting.url)} (from {setting.source})")
    if found.state is None:
        say(f"revision: none (the file does not exist yet; {schema.FIX})")
        return
    state = found.state
    status = "at head" if state.at_head else f"behind head {state.head}; {schema.FIX}"
    say(f"revision: {state.current or 'none'} ({status})")


@app.command()
def check(ctx: typer.Context) -> None:
    """Exit 0 when the database is at head and matches the tables in code; 1 otherwise."""
    from collector_tui.services import schema
    from collector_tui.services.database import display_url

    setting = database_setting(ctx)
    state = schema.check(setting.url)
    say(f"{display_url(setting.url)}: at head {state.head}, no drift")
