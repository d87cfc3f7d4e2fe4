"""Opening a database for use: the app refuses one that is not at the migrations' head."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from collector_tui.db import migrate
from collector_tui.db.engine import (
    BULK_CACHE_KIB,
    CACHE_KIB,
    DatabaseFileError,
    SqliteFile,
    create_db_engine,
    inspect_sqlite_file,
    read_session,
    sqlite_path,
    write_session,
)
from collector_tui.services.errors import DatabaseNotReadyError
from collector_tui.services.failures import describe


@dataclass(frozen=True)
class Database:
    """An opened database: build sessions from it, one per unit of work."""

    engine: Engine
    url: str

    @contextmanager
    def reading(self) -> Iterator[Session]:
        with read_session(self.engine) as session:
            yield session

    @contextmanager
    def writing(self) -> Iterator[Session]:
        """One write transaction (``BEGIN IMMEDIATE`` on SQLite), committed on success."""
        with write_session(self.engine) as session:
            yield session

    def close(self) -> None:
        self.engine.dispose()


def display_url(url: str) -> str:
    """The URL as safe to print: SQLite as its path, others without the password."""
    path = sqlite_path(url)
    if path is not None:
        return str(path)
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def open_database(url: str, *, require_head: bool = True, bulk: bool = False) -> Database:
    """Open ``url``; unless told otherwise, insist the schema is at head.

    A missing SQLite file is not created here: a typo in ``--db`` must not
    quietly make an empty database. Nothing about the path changes until it is
    known to be this program's database (see :func:`db.engine.inspect_sqlite_file`).
    ``bulk`` (imports, the nightly run) gives each connection a larger page cache.
    """
    path = sqlite_path(url)
    fix = f"collector --db {display_url(url)} db upgrade"
    if require_head and path is not None:
        kind = _file_kind(path)
        if kind is SqliteFile.MISSING:
            raise DatabaseNotReadyError(
                f"no database at {path}. Create it with: {fix} (or try `collector demo`)"
            )
        if kind is SqliteFile.EMPTY:  # only `db upgrade` fills an empty file
            raise DatabaseNotReadyError(
                f"the database at {display_url(url)} is empty; this version needs revision "
                f"{migrate.HEAD_REVISION}. Run: {fix}"
            )
    engine = build_engine(url, create_file=not require_head, cache_kib=BULK_CACHE_KIB if bulk else CACHE_KIB)
    if require_head:
        try:
            state = migrate.schema_state(engine)
            migrate.refuse_foreign_or_newer(state, display_url(url))
        except migrate.SchemaRefusedError as exc:
            engine.dispose()
            raise DatabaseNotReadyError(str(exc)) from None
        except DBAPIError as exc:
            engine.dispose()
            where = display_url(url)
            raise DatabaseNotReadyError(f"cannot read the database at {where}: {describe(exc)}") from None
        if not state.at_head:
            engine.dispose()
            where = "is empty" if state.empty else f"is at revision {state.current}"
            raise DatabaseNotReadyError(
                f"the database at {display_url(url)} {where}; this version needs "
                f"revision {state.head}. Run: {fix}"
            )
    database = Database(engine=engine, url=url)
    from collector_tui.services.law.office_policy import install_office_policies

    # Every caller of services/law/policy.py's current_*() works under this office's policies from now on.
    install_office_policies(database if require_head else None)
    return database


def _file_kind(path: Path) -> SqliteFile:
    try:
        return inspect_sqlite_file(path)
    except DatabaseFileError as exc:
        raise DatabaseNotReadyError(str(exc)) from None


def build_engine(url: str, **options: Any) -> Engine:
    """:func:`db.engine.create_db_engine`, with its refusals (a directory, another program's file,
    an unknown URL scheme, a missing driver) as one-line service errors."""
    from sqlalchemy.exc import ArgumentError

    try:
        return create_db_engine(url, **options)
    except DatabaseFileError as exc:
        raise DatabaseNotReadyError(str(exc)) from None
    except (ArgumentError, ModuleNotFoundError) as exc:
        raise DatabaseNotReadyError(f"cannot use the database URL: {describe(exc)}") from None
