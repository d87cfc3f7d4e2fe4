"""How long `collector demo --accounts N --build-only` takes, and how big the result is.

Target (issue 2): 100,000 accounts well under a minute on the 2-core dev machine.
"""

from __future__ import annotations

import os
import resource
import sqlite3
import tempfile
import time
from pathlib import Path

from benchmarks.results import record
from collector_tui.demo.build import build_demo_database

TABLES = ("account", "guarantor", "phone", "charge", "account_transaction", "activity", "audit_event")
SIZES = tuple(int(n) for n in os.environ.get("COLLECTOR_BENCH_DEMO_SIZES", "10000,100000").split(","))


def _rows(path: Path) -> dict[str, int]:
    with sqlite3.connect(path) as conn:
        return {
            table: conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
            for table in (
                "account",
                "guarantor",
                "phone",
                "charge",
                "account_transaction",
                "activity",
                "audit_event",
            )
        }


class _StageClock:
    """Wall seconds per build stage (time since the previous progress report goes to the reporting stage)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._last = time.perf_counter()

    def __call__(self, stage: str, _done: int, _total: int) -> None:
        now = time.perf_counter()
        self.seconds[stage] = self.seconds.get(stage, 0.0) + now - self._last
        self._last = now


def main() -> None:
    runs = []
    with tempfile.TemporaryDirectory() as folder:
        for accounts in SIZES:
            path = Path(folder) / f"demo-{accounts}.db"
            started = time.perf_counter()
            clock = _StageClock()
            build_demo_database(path, accounts=accounts, seed=42, progress=clock)
            seconds = time.perf_counter() - started
            rows = _rows(path)
            runs.append(
                {
                    "accounts": accounts,
                    "seconds": round(seconds, 2),
                    "accounts_per_second": round(accounts / seconds),
                    "stage_seconds": {stage: round(s, 2) for stage, s in clock.seconds.items()},
                    "rows_written": sum(rows.values()),
                    "rows": rows,
                    "database_mb": round(path.stat().st_size / 1e6, 1),
                    "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
                }
            )
            print(f"demo {accounts:>9,} accounts: {seconds:6.1f} s")
            for stage, stage_seconds in clock.seconds.items():
                print(f"    {stage:<36} {stage_seconds:6.1f} s")
    record("demo_build", {"runs": runs})
