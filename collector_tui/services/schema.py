"""Schema upkeep for the `collector db` commands: create, upgrade, report, check."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy.engine import Engine

from collector_tui.services.database import build_engine, display_url
from collector_tui.services.errors import DatabaseNotReadyError
from db import migrate
from db.engine import sqlite_path

FIX = "run `collector db upgrade`"


@dataclass(frozen=True)
class SchemaReport:
    exists: bool
    state: migrate.SchemaState | None  # None when the file does not exist


@contextmanager
def _engine(url: str) -> Iterator[Engine]:
    engine = build_engine(url)
    try:
        yield engine
    except migrate.SchemaRefusedError as exc:
        raise DatabaseNotReadyError(str(exc)) from None
    finally:
        engine.dispose()


def _missing(url: str) -> bool:
    path = sqlite_path(url)
    return path is not None and not path.exists()


def upgrade(url: str) -> tuple[migrate.SchemaState, migrate.SchemaState]:
    """Create the database if needed and migrate it to head; returns (before, after)."""
    with _engine(url) as engine:
        before = migrate.schema_state(engine)
        migrate.refuse_foreign_or_newer(before, display_url(url))
        return before, migrate.upgrade(engine)


def report(url: str) -> SchemaReport:
    """Where the schema stands, without creating anything."""
    if _missing(url):
        return SchemaReport(exists=False, state=None)
    with _engine(url) as engine:
        state = migrate.schema_state(engine)
        migrate.refuse_foreign_or_newer(state, display_url(url))
        return SchemaReport(exists=True, state=state)


def check(url: str) -> migrate.SchemaState:
    """Raise unless the database is at head and its tables match the code."""
    if _missing(url):
        raise DatabaseNotReadyError(f"no database at {sqlite_path(url)}; {FIX}")
    with _engine(url) as engine:
        state = migrate.schema_state(engine)
        migrate.refuse_foreign_or_newer(state, display_url(url))
        if not state.at_head:
            raise DatabaseNotReadyError(f"revision {state.current or 'none'} is not head {state.head}; {FIX}")
        try:
            migrate.check(engine)
        except migrate.SchemaDriftError as exc:
            raise DatabaseNotReadyError(f"the schema differs from the tables in code: {exc}") from None
    return state
