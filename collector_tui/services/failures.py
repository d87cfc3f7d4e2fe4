"""The one way an unexpected failure reaches a person: one line that names the kind of failure,
never a traceback, never a value.

A database error can quote the row it was writing (guarantors' names, birth dates, SSN digits),
and under cron or systemd whatever a command prints goes to mail or the journal. So a failure is
described from its type and from messages known to hold no data (SQLite's and PostgreSQL's own
first line, which name tables and constraints only; our own errors, which carry ids only). The
full detail (the exception chain and where it was raised, still without values) goes to the
operator's log file when one is configured (``COLLECTOR_LOG`` or ``[log] file``), created 0600.
"""

from __future__ import annotations

import errno
import os
import sqlite3
import stat
import traceback
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from collector_tui.db.engine import SQLITE_MAGIC, DatabaseFileError
from collector_tui.db.migrate import SchemaDriftError, SchemaRefusedError
from collector_tui.services.errors import ServiceError

# SQLite's messages name what failed, never a value; matched on the DBAPI error's first line.
_BUSY = "the database is busy: another program held its write lock beyond the 5 s wait; try again"
_READ_ONLY = "the database is read-only for this login (check the file's owner and mode)"
_SCHEMA = "the database's tables do not match this version (run `collector db check`)"
_SQLITE_MEANINGS = (
    ("database is locked", _BUSY),
    ("database table is locked", _BUSY),
    ("unable to open database file", "the database file cannot be opened (check the path and its folder)"),
    ("readonly database", _READ_ONLY),
    ("file is not a database", "the file is not a SQLite database"),
    (
        "database disk image is malformed",
        "the database file is damaged; restore it from a backup",
    ),
    ("disk i/o error", "a disk I/O error stopped the database; check the disk and try again"),
    ("database or disk is full", "the disk is full; free space and try again"),
    ("no such table", _SCHEMA),
    ("no such column", _SCHEMA),
    ("has no column named", _SCHEMA),
)
_SAFE_OWN = (ServiceError, DatabaseFileError, SchemaRefusedError)


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else ""


def _dbapi(exc: BaseException) -> BaseException | None:
    """The driver's own exception (sqlite3's or psycopg's) behind a SQLAlchemy error."""
    for item in _chain(exc):
        orig = getattr(item, "orig", None)
        if isinstance(orig, BaseException):
            return orig
        if isinstance(item, sqlite3.Error) or type(item).__module__.startswith("psycopg"):
            return item
    return None


def describe(exc: BaseException) -> str:
    """One line for the person at the terminal: what kind of failure, with no patient data."""
    if isinstance(exc, _SAFE_OWN):
        return str(exc)
    if isinstance(exc, SchemaDriftError):
        return "the database's tables differ from this version's (run `collector db check`)"
    from sqlalchemy import exc as sa_exc

    if isinstance(exc, sa_exc.NoSuchModuleError):
        return f"unknown database URL scheme ({_first_line(exc).rsplit(':', 1)[-1].strip()})"
    if isinstance(exc, sa_exc.ArgumentError):
        return "not a valid database URL"
    driver = _dbapi(exc)
    if driver is not None:
        line = _first_line(driver).lower()
        for needle, meaning in _SQLITE_MEANINGS:
            if needle in line:
                return meaning
        if isinstance(exc, sa_exc.IntegrityError):
            return f"the database refused a change ({type(driver).__name__})"
        return f"database error ({type(driver).__name__})"
    if isinstance(exc, sa_exc.SQLAlchemyError):
        return f"database error ({type(exc).__name__})"
    if isinstance(exc, ModuleNotFoundError):
        return f"a required module is not installed ({exc.name})"
    if isinstance(exc, OSError):
        return _describe_os_error(exc)
    if isinstance(exc, MemoryError):
        return "out of memory"
    return f"internal error ({type(exc).__name__}); nothing more is shown, to keep patients' data private"


def _describe_os_error(exc: OSError) -> str:
    if exc.errno == errno.ENAMETOOLONG:
        return "a file path is too long for this system"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return f"permission denied ({exc.strerror})"
    if exc.errno == errno.EISDIR:
        return "a directory was given where a file was expected"
    if exc.errno == errno.ENOENT:
        return "no such file or directory"
    if exc.errno == errno.ENOSPC:
        return "the disk is full; free space and try again"
    return f"operating-system error ({exc.strerror or type(exc).__name__})"


def detail(exc: BaseException) -> str:
    """The exception chain and where each was raised, for the log: types, frames and only the
    messages :func:`describe` trusts."""
    lines: list[str] = []
    for item in _chain(exc):
        lines.append(f"{type(item).__module__}.{type(item).__qualname__}: {_log_message(item)}")
        for frame in traceback.extract_tb(item.__traceback__):
            lines.append(f"  at {frame.filename}:{frame.lineno} in {frame.name}: {frame.line or ''}".rstrip())
    return "\n".join(lines)


def _log_message(exc: BaseException) -> str:
    if isinstance(exc, _SAFE_OWN):
        return str(exc)
    if isinstance(exc, sqlite3.Error):
        return _first_line(exc)  # SQLite names tables and constraints, never values
    return "(message withheld: it may quote data)"


def log_failure(exc: BaseException, where: str, log_path: Path | None) -> None:
    """Append the failure's :func:`detail` to the configured log file (0600, never a symlink)."""
    if log_path is None:
        return
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    record = f"{stamp} {where} pid={os.getpid()}\n{detail(exc)}\n"
    try:
        fd = os.open(log_path, os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_NOFOLLOW, 0o600)
    except OSError:
        return  # a log that cannot be written must not hide the failure itself
    try:
        info = os.fstat(fd)
        # Only ever a text log: never a device, and never a database named by mistake.
        if not stat.S_ISREG(info.st_mode) or os.pread(fd, len(SQLITE_MAGIC), 0) == SQLITE_MAGIC:
            return
        os.fchmod(fd, 0o600)
        os.write(fd, record.encode("utf-8", "replace"))
    finally:
        os.close(fd)


def record_failure(exc: BaseException, where: str) -> Path | None:
    """Log ``exc`` to the configured log file, if any; returns the log's path (None: no log)."""
    from collector_tui.config import ConfigError, log_path

    try:
        path = log_path()
    except ConfigError:
        return None  # a broken config file must not hide the failure being reported
    log_failure(exc, where, path)
    return path
