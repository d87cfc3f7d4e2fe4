"""Schema upkeep for the `collector db` commands: create, upgrade, report, check."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.engine import Engine

from collector_tui.db import migrate
from collector_tui.db.engine import DatabaseFileError, SqliteFile, inspect_sqlite_file, sqlite_path
from collector_tui.services.database import build_engine, display_url
from collector_tui.services.errors import AccessDeniedError, DatabaseNotReadyError
from collector_tui.services.team.identity import os_login
from collector_tui.vocabulary import Role

FIX = "run `collector db upgrade`"


@dataclass(frozen=True)
class SchemaReport:
    exists: bool
    state: migrate.SchemaState | None  # None when the file does not exist


@contextmanager
def _engine(url: str, *, create_file: bool = True) -> Iterator[Engine]:
    engine = build_engine(url, create_file=create_file)
    try:
        yield engine
    except migrate.SchemaRefusedError as exc:
        raise DatabaseNotReadyError(str(exc)) from None
    finally:
        engine.dispose()


def _empty(url: str) -> bool:
    path = sqlite_path(url)
    if path is None:
        return False
    try:
        return inspect_sqlite_file(path) is SqliteFile.EMPTY
    except DatabaseFileError as exc:
        raise DatabaseNotReadyError(str(exc)) from None


def _missing(url: str) -> bool:
    path = sqlite_path(url)
    return path is not None and not path.exists()


def upgrade(url: str, *, login: str | None = None) -> tuple[migrate.SchemaState, migrate.SchemaState]:
    """Create the database if needed and migrate it to head; returns (before, after).

    Migrating a database that has users is for its admins and operators (``login``, else the
    operating-system login); a new or empty one, for whoever may create the file.
    """
    with _engine(url) as engine:
        before = migrate.schema_state(engine)
        migrate.refuse_foreign_or_newer(before, display_url(url))
        if before.current is not None:
            _require_migrator(engine, login or os_login())
        return before, migrate.upgrade(engine)


MIGRATORS = (Role.ADMIN, Role.OPERATOR)


def _require_migrator(engine: Engine, login: str) -> None:
    # Raw SQL: the collector table is read as every revision since the first has it.
    with engine.connect() as conn:
        users = conn.exec_driver_sql("SELECT count(*) FROM collector").scalar_one()
        if not users:
            return
        row = conn.execute(
            text("SELECT role, active FROM collector WHERE login = :login"), {"login": login}
        ).first()
    if row is None or not row.active or row.role not in MIGRATORS:
        who = "no active user" if row is None or not row.active else f"a {row.role}"
        raise AccessDeniedError(
            f"only an administrator or an operator may upgrade this database (login '{login}' is {who})"
        )


def report(url: str) -> SchemaReport:
    """Where the schema stands, without creating or changing anything."""
    if _missing(url):
        return SchemaReport(exists=False, state=None)
    if _empty(url):
        return SchemaReport(exists=True, state=migrate.SchemaState(current=None, head=migrate.HEAD_REVISION))
    with _engine(url, create_file=False) as engine:
        state = migrate.schema_state(engine)
        migrate.refuse_foreign_or_newer(state, display_url(url))
        return SchemaReport(exists=True, state=state)


def check(url: str) -> migrate.SchemaState:
    """Raise unless the database is at head and its tables match the code."""
    if _missing(url):
        raise DatabaseNotReadyError(f"no database at {sqlite_path(url)}; {FIX}")
    if _empty(url):
        raise DatabaseNotReadyError(f"the database at {display_url(url)} is empty; {FIX}")
    with _engine(url, create_file=False) as engine:
        state = migrate.schema_state(engine)
        migrate.refuse_foreign_or_newer(state, display_url(url))
        if not state.at_head:
            raise DatabaseNotReadyError(f"revision {state.current or 'none'} is not head {state.head}; {FIX}")
        try:
            migrate.check(engine)
        except migrate.SchemaDriftError as exc:
            raise DatabaseNotReadyError(f"the schema differs from the tables in code: {exc}") from None
    return state
