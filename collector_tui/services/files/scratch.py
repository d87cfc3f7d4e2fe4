"""Scratch folders (the demo's generated files, an import's key index) that a killed run does
not leave behind for long: each is named after the process that made it, and the next run
removes those of this user whose process is gone."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def sweep_stale(folder: Path, prefix: str) -> list[Path]:
    """Remove ``prefix<pid>-*`` folders in ``folder`` that this user made and whose process is
    gone; returns what was removed."""
    pattern = re.compile(rf"^{re.escape(prefix)}(\d+)-")
    removed: list[Path] = []
    try:
        entries = list(folder.iterdir())
    except OSError:
        return removed
    for entry in entries:
        match = pattern.match(entry.name)
        if match is None or int(match.group(1)) == os.getpid() or _alive(int(match.group(1))):
            continue
        with suppress(OSError):
            info = entry.lstat()
            if info.st_uid == os.getuid() and entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
                removed.append(entry)
    return removed


@contextmanager
def scratch_dir(prefix: str, folder: Path | None = None) -> Iterator[Path]:
    """A private temporary folder (0700) for this process, removed at the end; stale ones that
    killed runs left in the same place are removed first."""
    where = folder if folder is not None else Path(tempfile.gettempdir())
    sweep_stale(where, prefix)
    with tempfile.TemporaryDirectory(prefix=f"{prefix}{os.getpid()}-", dir=where) as name:
        yield Path(name)
