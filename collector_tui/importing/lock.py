"""One import at a time per database.

SQLite: an OS lock on a file beside the database, released by the kernel if
the process dies (so a killed import never leaves a stale lock).
PostgreSQL: a session-level advisory lock, released when the connection closes.
"""

from __future__ import annotations

import fcntl
import os
import zlib
from collections.abc import Iterator
from contextlib import contextmanager, suppress

from sqlalchemy import text

from collector_tui.db.engine import sqlite_path
from collector_tui.services.database import Database
from collector_tui.services.errors import ServiceError


class ImportLockedError(ServiceError):
    """Another import holds this database (exit code 4)."""

    exit_code = 4


MESSAGE = "another import is running on this database; try again when it finishes"
_held: list[int] = []  # descriptors of locks this process holds


def forget_in_child() -> None:
    """In a forked worker: close inherited lock descriptors, so only the parent holds the lock."""
    for fd in _held:
        with suppress(OSError):
            os.close(fd)
    _held.clear()


@contextmanager
def import_lock(db: Database) -> Iterator[None]:
    path = sqlite_path(db.url)
    if path is None:
        with _advisory_lock(db):
            yield
        return
    lock_path = path.with_name(path.name + ".import-lock")
    fd = os.open(lock_path, os.O_CREAT | os.O_RDWR | os.O_NOFOLLOW, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ImportLockedError(MESSAGE) from None
        _held.append(fd)
        yield
    finally:
        if fd in _held:
            _held.remove(fd)
        os.close(fd)


@contextmanager
def _advisory_lock(db: Database) -> Iterator[None]:
    key = zlib.crc32(b"collector-tui import")
    with db.engine.connect() as conn:
        if not conn.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": key}).scalar():
            raise ImportLockedError(MESSAGE)
        try:
            yield
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
