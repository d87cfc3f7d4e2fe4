"""Engines and sessions, built by a factory so tests and the CLI can point anywhere.

SQLite is tuned for one office machine with many readers and short writers:
WAL, foreign keys on, a 5 s busy timeout, and ``BEGIN IMMEDIATE`` for write
transactions (a deferred BEGIN that later writes fails instantly with
"database is locked" while an import holds the write lock; see
``docs/performance.md``).
"""

from __future__ import annotations

import os
import re
import sqlite3
import stat
import time
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
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
    """The database file of a SQLite URL (a ``file:`` URI too), or None for other back ends and
    memory. Every guard on files (what the file is, what must never be overwritten) starts here,
    so a ``file:`` URI must name its file like a plain path does."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    database = parsed.database
    if not database or database == ":memory:":
        return None
    if database.startswith("file:"):
        path, _, query = database[len("file:") :].partition("?")
        if path.startswith("//"):  # file://host/path: only the local host
            host, _, rest = path[2:].partition("/")
            if host not in ("", "localhost"):
                return None
            path = "/" + rest
        if not path or path == ":memory:" or "mode=memory" in query:
            return None
        from urllib.parse import unquote

        return Path(unquote(path))
    return Path(database)


# ``PRAGMA application_id`` of every database collector-tui makes ("CoTU"): a SQLite file is
# this program's only when its header says so (or, made before the mark, it carries our
# revision stamp), so a mistyped ``--db`` never turns another program's file into ours.
APPLICATION_ID = 0x436F5455
SQLITE_MAGIC = b"SQLite format 3\x00"
# A database made before the mark is ours when it has our core tables and a revision of ours.
OUR_TABLES = frozenset(
    {"alembic_version", "facility", "collector", "guarantor", "account", "activity", "audit_event"}
)
_OUR_REVISION = re.compile(r"[0-9]{4}")


class DatabaseFileError(Exception):
    """The path is not a database this program may open; ``str()`` is safe to show (no PHI)."""


class SqliteFile(StrEnum):
    """What a path holds, judged without changing it."""

    MISSING = "missing"
    EMPTY = "empty"  # a zero-byte file or a SQLite file with no tables: only `db upgrade` fills it
    OURS = "ours"  # marked with our application id, or stamped with our revision table
    LEGACY = "legacy"  # ours, made before databases were marked: marked at the next upgrade


def _short(path: Path) -> str:
    text = str(path)
    return text if len(text) <= 120 else f"{text[:40]}...{text[-60:]}"


def inspect_sqlite_file(path: Path) -> SqliteFile:
    """Classify ``path`` by reading it only (its header, then its table names, read-only).

    Raises :class:`DatabaseFileError` for a directory, an unreadable file, a file that is not
    SQLite, or another program's SQLite database.
    """
    where = _short(path)
    try:
        info = path.stat()
    except FileNotFoundError:
        return SqliteFile.MISSING
    except OSError as exc:
        raise DatabaseFileError(f"{where}: cannot be read ({exc.strerror})") from None
    if stat.S_ISDIR(info.st_mode):
        raise DatabaseFileError(f"{where} is a directory, not a database file")
    if not stat.S_ISREG(info.st_mode):
        raise DatabaseFileError(f"{where} is not a regular file")
    if info.st_size == 0:
        return SqliteFile.EMPTY
    try:
        with path.open("rb") as handle:
            header = handle.read(100)
    except OSError as exc:
        raise DatabaseFileError(f"{where}: cannot be read ({exc.strerror})") from None
    if len(header) < 100 or not header.startswith(SQLITE_MAGIC):
        raise DatabaseFileError(f"{where} is not a SQLite database (collector-tui will not touch it)")
    try:
        # The header on disk can lag behind the WAL; SQLite itself reads both. mode=ro never writes.
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
        try:
            application_id = conn.execute("PRAGMA application_id").fetchone()[0]
            tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            revision = None
            if "alembic_version" in tables:
                row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
                revision = None if row is None else str(row[0])
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        if "readonly" in str(exc):  # a WAL database whose -shm this login may not create
            raise DatabaseFileError(f"{where}: the database is read-only for this login") from None
        raise DatabaseFileError(f"{where}: cannot be read as a SQLite database ({exc})") from None
    if application_id == APPLICATION_ID:
        return SqliteFile.OURS
    if application_id != 0:
        raise DatabaseFileError(
            f"{where} belongs to another application (SQLite application id {application_id:#x}); "
            "collector-tui will not write into it"
        )
    if not tables:
        return SqliteFile.EMPTY
    if tables >= OUR_TABLES and revision is not None and _OUR_REVISION.fullmatch(revision):
        return SqliteFile.LEGACY
    raise DatabaseFileError(
        f"{where} holds {len(tables)} table(s) of another program and no collector-tui revision; "
        "collector-tui will not write into it"
    )


def ensure_private_sqlite_file(path: Path, *, create: bool = True) -> SqliteFile:
    """Check that ``path`` is ours (or, with ``create``, nothing yet) before anything touches it.

    With ``create`` a missing file is created readable by its owner only (PHI), and a missing
    folder 0700; an empty file is filled only then. A database of ours that others may read is
    tightened: the "other" bits are cleared, the group's are left to the office (a shared group
    is how several logins of one host share a SQLite database).
    """
    path = path.expanduser()
    kind = inspect_sqlite_file(path)
    if kind is SqliteFile.EMPTY and not create:
        raise DatabaseFileError(f"{_short(path)} is empty; create the database with `collector db upgrade`")
    if kind is SqliteFile.MISSING:
        if not create:
            return kind
        try:
            if not path.parent.exists():
                path.parent.mkdir(parents=True, mode=0o700)
                path.parent.chmod(0o700)
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY | os.O_NOFOLLOW, 0o600)
        except OSError as exc:
            raise DatabaseFileError(f"{_short(path)}: cannot be created ({exc.strerror})") from None
        os.close(fd)
        return SqliteFile.EMPTY
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o007:
        try:
            path.chmod(mode & 0o770)
        except OSError as exc:
            raise DatabaseFileError(f"{_short(path)}: cannot be made private ({exc.strerror})") from None
    return kind


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
    """Build an engine for ``url``; SQLite files are checked to be ours (or new) before any
    connection touches them, and created private to the owner.

    Errors never carry bound parameters (``hide_parameters``): a failed statement's message may
    reach a log, and its values are patients' data.
    """
    path = sqlite_path(url)
    if path is not None:
        ensure_private_sqlite_file(path, create=create_file)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(
            parsed,
            connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000},
            hide_parameters=True,  # an error never quotes a bound value (PHI)
        )
        event.listen(engine, "connect", _sqlite_setup(cache_kib))
        event.listen(engine, "begin", _on_sqlite_begin)
        return engine
    return create_engine(parsed, pool_pre_ping=True, hide_parameters=True)


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
