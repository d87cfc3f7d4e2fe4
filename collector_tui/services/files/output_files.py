"""Every file the program writes: a new private file renamed into place, never through a link,
never over the database or the file being read.

An operator's typo (``--rejects office.db``) or a symlink dropped into the inbox under the
default reject-file name must not destroy the live database or the input file. So a target is
refused when it is a directory, or when it is, resolves to, or is a hard link of a protected
file (the database, its WAL, shared-memory, journal and lock files; the input). The content is
written to a temporary file created 0600 in the target's folder and renamed over the target:
the rename replaces a symlink itself, not what it points at, and the file is owner-only whatever
existed there before.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from collector_tui.db.engine import sqlite_path
from collector_tui.services.errors import ServiceError

# Files SQLite and the import lock keep beside a database.
_COMPANIONS = ("-wal", "-shm", "-journal", ".import-lock")


class OutputFileError(ServiceError):
    """The file cannot be written where asked; nothing was written (exit code 1)."""


def database_files(database_url: str) -> list[Path]:
    """The database file and its companions (none for a server database)."""
    path = sqlite_path(database_url)
    if path is None:
        return []
    return [path, *(path.with_name(path.name + suffix) for suffix in _COMPANIONS)]


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.samefile(b)
    except OSError:
        return False


def check_target(target: Path, *, protected: Iterable[Path] = ()) -> None:
    """Refuse ``target`` if writing there could destroy something (see the module's docstring)."""
    try:
        resolved = target.resolve()
    except (OSError, RuntimeError) as exc:  # RuntimeError: a symlink loop
        raise OutputFileError(f"{target}: cannot be written ({exc})") from None
    if resolved.is_dir():
        raise OutputFileError(f"{target} is a directory; name a file")
    found = _existing_kind(target, resolved)
    if found is not None and not stat.S_ISREG(found):
        # A device, a fifo or a socket (even behind a link) is never replaced by a file of ours.
        raise OutputFileError(f"{target} is not a regular file; name a file")
    for guarded in protected:
        same_name = target.absolute() == guarded.absolute() or resolved == guarded.resolve()
        if same_name or _same_file(target, guarded):
            raise OutputFileError(f"{target} is {_role(guarded)}; refusing to write over it")
    if not target.parent.is_dir():
        raise OutputFileError(f"{target.parent}: no such folder")


def _existing_kind(target: Path, resolved: Path) -> int | None:
    """The file type (``st_mode``) of what ``target`` names, through a link; None when nothing
    is there (a missing file or a dangling link, which the rename simply replaces)."""
    try:
        here = target.lstat()
        return (resolved.stat() if stat.S_ISLNK(here.st_mode) else here).st_mode
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise OutputFileError(f"{target}: cannot be written ({exc.strerror})") from None


def _role(guarded: Path) -> str:
    name = guarded.name
    if any(name.endswith(suffix) for suffix in _COMPANIONS):
        return "one of the database's own files"
    if name.endswith((".db", ".sqlite", ".sqlite3")):
        return "the database"
    return "a file this command reads or keeps"


@contextmanager
def replacing(
    target: Path, *, protected: Iterable[Path] = (), newline: str | None = None
) -> Iterator[IO[str]]:
    """Write text to ``target`` in one piece: a private temporary file, renamed into place when
    the block ends (and removed if it fails)."""
    guarded = list(protected)
    check_target(target, protected=guarded)
    handle, temp = _private_temp(target, newline=newline)
    try:
        with handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        check_target(target, protected=guarded)  # the folder may have changed while we wrote
        temp.replace(target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def open_in_place(target: Path, *, protected: Iterable[Path] = (), newline: str | None = None) -> IO[str]:
    """A new private file at ``target``, renamed into place at once and then written as it grows.

    For files that must survive a kill halfway (the import's reject file): the target is replaced
    at once by a file of ours, so a later write can only ever reach that file.
    """
    check_target(target, protected=protected)
    handle, temp = _private_temp(target, newline=newline)
    try:
        temp.replace(target)
    except OSError as exc:
        handle.close()
        temp.unlink(missing_ok=True)
        raise OutputFileError(f"{target}: cannot be written ({exc.strerror})") from None
    return handle


def identity(handle: IO[str]) -> tuple[int, int]:
    """The file behind ``handle`` (device, inode), to recognise it later."""
    info = os.fstat(handle.fileno())
    return info.st_dev, info.st_ino


def remove_if_ours(target: Path, ours: tuple[int, int]) -> None:
    """Delete ``target`` if it is still the file we wrote (see :func:`identity`), not one put there
    since."""
    try:
        there = target.lstat()
    except OSError:
        return
    if stat.S_ISREG(there.st_mode) and (there.st_dev, there.st_ino) == ours:
        target.unlink(missing_ok=True)


def _private_temp(target: Path, *, newline: str | None = None) -> tuple[IO[str], Path]:
    try:
        fd, name = tempfile.mkstemp(prefix=f".{target.name[:100]}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise OutputFileError(f"{target}: cannot be written ({exc.strerror})") from None
    os.fchmod(fd, 0o600)  # mkstemp makes 0600 already; say so whatever the umask or platform
    return os.fdopen(fd, "w", encoding="utf-8", newline=newline), Path(name)
