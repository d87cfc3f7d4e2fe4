"""Engines and sessions, built by a factory so tests and the CLI can point anywhere.

SQLite is tuned for one office machine with many readers and short writers:
WAL, foreign keys on, a 5 s busy timeout, and ``BEGIN IMMEDIATE`` for write
transactions (a deferred BEGIN that later writes fails instantly with
"database is locked" while an import holds the write lock; see
``shared/PERFORMANCE.md``).
"""

from __future__ import annotations

import os
import sqlite3
import stat
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.engine.url import URL
from sqlmodel import Session, create_engine

BUSY_TIMEOUT_MS = 5000
# Page cache per connection. A workstation session keeps a small one, so its memory stays the
# same whatever the size of the office; imports and the nightly run keep indexes warm.
CACHE_KIB = 16384
BULK_CACHE_KIB = 65536
_WRITE_OPTION = "collector_write"


def sqlite_path(url: str | URL) -> Path | None:
    """The database file of a SQLite URL, or None for other back ends and memory."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    database = parsed.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database)


def ensure_private_sqlite_file(path: Path) -> None:
    """Create the database file and its folder readable by the owner only (PHI)."""
    path = path.expanduser()
    if not path.parent.exists():
        path.parent.mkdir(parents=True, mode=0o700)
        path.parent.chmod(0o700)
    if not path.exists():
        fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
        os.close(fd)
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        path.chmod(0o600)


def _sqlite_setup(cache_kib: int) -> Any:
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event emit BEGIN itself (pysqlite's own
        # transaction handling would send a deferred BEGIN behind our back).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute(f"PRAGMA cache_size=-{cache_kib}")
        finally:
            cursor.close()

    return on_connect


def _begin_immediate(conn: Connection) -> None:
    """Take the write lock, polling every millisecond or two for up to the busy timeout.

    SQLite's own busy handler backs off to 100 ms sleeps, so a writer waiting
    behind an import that commits and begins again at once can miss every gap
    and wait for seconds. Polling briefly ourselves catches the gap the
    importer leaves after each commit (see ``importing.runner``).
    """
    cursor = conn.connection.dbapi_connection
    assert cursor is not None
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    cursor.execute("PRAGMA busy_timeout=1")
    try:
        while True:
            try:
                cursor.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc):
                    raise
                if time.monotonic() >= deadline:
                    raise
                time.sleep(0.001)
    finally:
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")


def _on_sqlite_begin(conn: Connection) -> None:
    if conn.get_execution_options().get(_WRITE_OPTION):
        _begin_immediate(conn)
    else:
        conn.exec_driver_sql("BEGIN")


def create_db_engine(url: str | URL, *, create_file: bool = True, cache_kib: int = CACHE_KIB) -> Engine:
    """Build an engine for ``url``; SQLite files are created private to the owner."""
    path = sqlite_path(url)
    if path is not None and create_file:
        ensure_private_sqlite_file(path)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(
            parsed,
            connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000},
        )
        event.listen(engine, "connect", _sqlite_setup(cache_kib))
        event.listen(engine, "begin", _on_sqlite_begin)
        return engine
    return create_engine(parsed, pool_pre_ping=True)


def writer(engine: Engine) -> Engine:
    """The same engine, but its transactions take the write lock up front."""
    return engine.execution_options(**{_WRITE_OPTION: True})


@contextmanager
def read_session(engine: Engine) -> Iterator[Session]:
    """A session for reads; its transaction is rolled back at the end."""
    with Session(engine, expire_on_commit=False) as session:
        yield session


@contextmanager
def write_session(engine: Engine) -> Iterator[Session]:
    """One write transaction: committed when the block ends, rolled back on error."""
    with Session(writer(engine), expire_on_commit=False) as session, session.begin():
        yield session
