"""``collector db``: create, upgrade and check the database schema (never silently)."""

from __future__ import annotations

import typer

from collector_tui.cli.options import database_setting
from collector_tui.cli.output import fail, say
from collector_tui.services.errors import ServiceError

app = typer.Typer(help="Create, upgrade and check the database schema.", no_args_is_help=True)


@app.command()
def upgrade(ctx: typer.Context) -> None:
    """Create the database if needed and migrate it to this version's schema."""
    from collector_tui.services.database import display_url
    from db import migrate
    from db.engine import create_db_engine

    try:
        setting = database_setting(ctx)
    except ServiceError as exc:
        fail(str(exc), exc.exit_code)
    engine = create_db_engine(setting.url)
    try:
        before = migrate.schema_state(engine)
        after = migrate.upgrade(engine)
    finally:
        engine.dispose()
    where = display_url(setting.url)
    if before.current == after.current:
        say(f"{where}: already at revision {after.current}")
    else:
        say(f"{where}: upgraded from {before.current or 'empty'} to {after.current}")


@app.command()
def current(ctx: typer.Context) -> None:
    """Print which database is used, where that came from, and its schema revision."""
    from collector_tui.services.database import display_url
    from db import migrate
    from db.engine import create_db_engine, sqlite_path

    try:
        setting = database_setting(ctx)
    except ServiceError as exc:
        fail(str(exc), exc.exit_code)
    path = sqlite_path(setting.url)
    say(f"database: {display_url(setting.url)} (from {setting.source})")
    if path is not None and not path.exists():
        say("revision: none (the file does not exist yet; run `collector db upgrade`)")
        return
    engine = create_db_engine(setting.url)
    try:
        state = migrate.schema_state(engine)
    finally:
        engine.dispose()
    status = "at head" if state.at_head else f"behind head {state.head}; run `collector db upgrade`"
    say(f"revision: {state.current or 'none'} ({status})")


@app.command()
def check(ctx: typer.Context) -> None:
    """Exit 0 when the database is at head and matches the tables in code; 1 otherwise."""
    from collector_tui.services.database import display_url
    from db import migrate
    from db.engine import create_db_engine, sqlite_path

    try:
        setting = database_setting(ctx)
    except ServiceError as exc:
        fail(str(exc), exc.exit_code)
    path = sqlite_path(setting.url)
    if path is not None and not path.exists():
        fail(f"no database at {path}; run `collector db upgrade`")
    engine = create_db_engine(setting.url)
    try:
        state = migrate.schema_state(engine)
        if not state.at_head:
            fail(f"revision {state.current or 'none'} is not head {state.head}; run `collector db upgrade`")
        try:
            migrate.check(engine)
        except migrate.SchemaDriftError as exc:
            fail(f"the schema differs from the tables in code: {exc}")
    finally:
        engine.dispose()
    say(f"{display_url(setting.url)}: at head {state.head}, no drift")
