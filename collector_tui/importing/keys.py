"""Keys seen in an import file, to find duplicates without holding them all in memory."""

from __future__ import annotations

import sqlite3
from collections.abc import Hashable
from contextlib import ExitStack

from collector_tui.services.files.scratch import scratch_dir

SCRATCH_PREFIX = "collector-import-"


class KeyIndex:
    """Keys seen in the file, kept in a temporary SQLite file so memory stays flat at any size."""

    def __enter__(self) -> KeyIndex:
        self._scratch = ExitStack()
        self._conn = sqlite3.connect(self._scratch.enter_context(scratch_dir(SCRATCH_PREFIX)) / "keys.db")
        self._conn.execute("PRAGMA journal_mode=OFF")
        self._conn.execute("PRAGMA synchronous=OFF")
        self._conn.execute("CREATE TABLE seen (key TEXT NOT NULL, line INTEGER NOT NULL)")
        self._pending: list[tuple[str, int]] = []
        return self

    def add(self, key: tuple[str, ...], line: int) -> None:
        self._pending.append(("\x1f".join(key), line))
        if len(self._pending) >= 10_000:
            self._flush()

    def _flush(self) -> None:
        self._conn.executemany("INSERT INTO seen VALUES (?, ?)", self._pending)
        self._pending.clear()

    def duplicates(self) -> dict[Hashable, list[int]]:
        self._flush()
        rows = self._conn.execute(
            "SELECT key, group_concat(line) FROM seen GROUP BY key HAVING count(*) > 1"
        ).fetchall()
        return {tuple(key.split("\x1f")): sorted(int(n) for n in lines.split(",")) for key, lines in rows}

    def __exit__(self, *_exc: object) -> None:
        self._conn.close()
        self._scratch.close()
