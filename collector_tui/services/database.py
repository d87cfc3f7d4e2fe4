"""Opening a database for use: the app refuses one that is not at the migrations' head."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from collector_tui.services.errors import DatabaseNotReadyError
from db import migrate
from db.engine import BULK_CACHE_KIB, CACHE_KIB, create_db_engine, read_session, sqlite_path, write_session


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
    quietly make an empty database. ``bulk`` (imports, the nightly run) gives
    each connection a larger page cache.
    """
    path = sqlite_path(url)
    fix = f"collector --db {display_url(url)} db upgrade"
    if require_head and path is not None and not path.exists():
        raise DatabaseNotReadyError(f"no database at {path}. Create it with: {fix} (or try `collector demo`)")
    engine = create_db_engine(url, cache_kib=BULK_CACHE_KIB if bulk else CACHE_KIB)
    if require_head:
        try:
            state = migrate.schema_state(engine)
        except OperationalError as exc:
            engine.dispose()
            raise DatabaseNotReadyError(
                f"cannot read the database at {display_url(url)} ({exc.orig.__class__.__name__})"
            ) from None
        if not state.at_head:
            engine.dispose()
            where = "is empty" if state.empty else f"is at revision {state.current}"
            raise DatabaseNotReadyError(
                f"the database at {display_url(url)} {where}; this version needs "
                f"revision {state.head}. Run: {fix}"
            )
    return Database(engine=engine, url=url)
