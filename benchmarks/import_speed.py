"""Nightly import speed (issue 3): placements per second, memory, the no-op re-run, and collector waits.

For each size (COLLECTOR_BENCH_IMPORT_SIZES, default 100000; add 1000000 for the full run):
- write the demo office's placements.csv, then time `collector import placements` in a
  subprocess (rows/s end to end, and its peak RSS);
- copy every row the import wrote into a fresh database with bare sqlite3 executemany:
  the physical ceiling for the same rows in the same tables, reported as a ratio;
- import the same file again (the no-op path) and compare with the first import;
- import once more into a fresh database while a "collector" thread writes a note every
  50 ms through the services; report its worst and p99 wait (target < 200 ms).
"""

from __future__ import annotations

import csv
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.results import record
from collector_tui.db import migrate
from collector_tui.db.engine import create_db_engine
from collector_tui.demo.files import write_demo_files
from collector_tui.demo.generator import DemoOffice
from collector_tui.services.database import open_database
from collector_tui.services.team.identity import os_login

SIZES = tuple(int(n) for n in os.environ.get("COLLECTOR_BENCH_IMPORT_SIZES", "100000").split(","))
GOAL_ROWS_PER_SECOND = 50_000


def _fresh_db(path: Path, *, operator: bool = True) -> str:
    """An empty database at head; with ``operator``, this login is its nightly operator (imports
    refuse a login that is no user of the database)."""
    url = f"sqlite:///{path}"
    engine = create_db_engine(url)
    migrate.upgrade(engine)
    if operator:
        with engine.begin() as conn:
            conn.exec_driver_sql(
                "INSERT INTO collector (login, display_name, role, active, created_at) "
                "VALUES (?, 'Nightly run', 'operator', 1, CURRENT_TIMESTAMP)",
                (os_login(),),
            )
    engine.dispose()
    return url


def _peak_mb(pid: int) -> float:
    """VmHWM of ``pid`` and of each of its children (MB); 0 once they are gone."""
    peak = 0.0
    for proc in [pid, *_children(pid)]:
        try:
            status = Path(f"/proc/{proc}/status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                peak = max(peak, int(line.split()[1]) / 1024)
    return peak


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _import(db: Path, placements: Path) -> tuple[float, float]:
    """Seconds and peak RSS (MB) of one `collector import placements` process.

    The peak is each process's own high-water mark (VmHWM of the importer and
    of its parsing worker, sampled while they run). ``wait4``'s ru_maxrss is
    not used: it counts the pages a forked child shared with this benchmark
    process before exec, so a large benchmark process inflated it (575 MB
    reported for a 1M import whose importer never passed 170 MB).
    """
    started = time.perf_counter()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "collector_tui",
            "--db",
            str(db),
            "import",
            "placements",
            str(placements),
            "--quiet",
        ]
    )
    peak = 0.0
    while process.poll() is None:
        peak = max(peak, _peak_mb(process.pid))
        time.sleep(0.5)
    seconds = time.perf_counter() - started
    return seconds, peak


def _raw_ceiling(source: Path, folder: Path) -> tuple[float, int]:
    """Time bare executemany of every row the import wrote into an empty copy of the schema."""
    target = folder / "ceiling.db"
    _fresh_db(target, operator=False)  # the copy brings the import's own users
    src = sqlite3.connect(source)
    dst = sqlite3.connect(target)
    dst.execute("PRAGMA journal_mode=WAL")
    dst.execute("PRAGMA synchronous=NORMAL")
    tables = [
        name
        for (name,) in src.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
        )
        if name != "alembic_version"
    ]
    data = {table: src.execute(f'SELECT * FROM "{table}"').fetchall() for table in tables}
    rows = sum(len(v) for v in data.values())
    started = time.perf_counter()
    order = ["facility", "collector", "guarantor", "patient", "phone", "import_batch", "account"]
    for table in order + [t for t in tables if t not in order]:
        if not data[table]:
            continue
        marks = ",".join("?" * len(data[table][0]))
        for start in range(0, len(data[table]), 1000):
            with dst:
                dst.executemany(f'INSERT INTO "{table}" VALUES ({marks})', data[table][start : start + 1000])
    seconds = time.perf_counter() - started
    src.close()
    dst.close()
    return seconds, rows


def _writes_during_import(db_path: Path, placements: Path, facility: str, account: str) -> dict[str, float]:
    """A collector's note every 50 ms while the import runs: how long did each wait?"""
    from collector_tui.domain.contact_log import ActivityRecord
    from collector_tui.services.audit import SYSTEM
    from collector_tui.services.desk.activities import apply_activities

    db = open_database(f"sqlite:///{db_path}")
    waits: list[float] = []
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "collector_tui",
            "--db",
            str(db_path),
            "import",
            "placements",
            str(placements),
            "--quiet",
        ]
    )
    n = 0
    while proc.poll() is None:
        n += 1
        note = ActivityRecord(
            f"BENCH-{n}",
            facility,
            account,
            datetime.now(UTC),
            "note",
            "none",
            None,
            None,
            "NOTE",
            False,
            False,
            "benchmark note",
            None,
        )
        started = time.perf_counter()
        with db.writing() as session:
            apply_activities(session, [note], actor=SYSTEM, now=datetime.now(UTC))
        waits.append((time.perf_counter() - started) * 1000)
        time.sleep(0.05)
    db.close()
    waits.sort()
    if not waits:
        return {"writes": 0}
    return {
        "writes": len(waits),
        "worst_ms": round(waits[-1], 1),
        "p99_ms": round(waits[int(len(waits) * 0.99) - 1 if len(waits) > 1 else 0], 1),
        "median_ms": round(waits[len(waits) // 2], 1),
    }


def main() -> None:
    runs = []
    for size in SIZES:
        with tempfile.TemporaryDirectory(prefix="collector-bench-") as name:
            folder = Path(name)
            files = write_demo_files(
                folder / "files", DemoOffice(accounts=size, seed=42, as_of=datetime.now(UTC).date())
            )
            db = folder / "office.db"
            _fresh_db(db)
            first, peak = _import(db, files.placements)
            ceiling, rows = _raw_ceiling(db, folder)
            again, _ = _import(db, files.placements)  # already imported: a no-op
            busy = folder / "busy.db"
            _fresh_db(busy)
            with files.placements.open(encoding="utf-8") as handle:
                header, first_row = handle.readline(), handle.readline()
            seed = folder / "seed.csv"  # one account for the collector's notes
            seed.write_text(header + first_row, encoding="utf-8")
            _import(busy, seed)
            key = next(csv.DictReader([header, first_row]))
            latency = _writes_during_import(
                busy, files.placements, key["facility_code"], key["account_number"]
            )
            run = {
                "rows": size,
                "import_seconds": round(first, 2),
                "rows_per_second": round(size / first),
                "goal_rows_per_second": GOAL_ROWS_PER_SECOND,
                "peak_rss_mb": round(peak, 1),
                "rows_written": rows,
                "raw_executemany_seconds": round(ceiling, 2),
                "import_vs_raw_ratio": round(first / ceiling, 1),
                "reimport_seconds": round(again, 2),
                "reimport_fraction_of_first": round(again / first, 3),
                "collector_writes_during_import": latency,
            }
            print(run)
            runs.append(run)
    record("import_speed", {"runs": runs})
