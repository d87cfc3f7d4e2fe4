"""Generated 3,000-account files: ``--strict`` all-or-nothing, and a real ``kill -9`` mid-import."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from collector_tui.demo.generator import DemoOffice
from collector_tui.domain.placement import PLACEMENT_COLUMNS
from collector_tui.importing.kinds import PLACEMENTS
from collector_tui.importing.runner import STATUS_REJECTED_FILE, ImportOptions, run_import
from collector_tui.services.audit import SYSTEM
from collector_tui.services.database import Database
from tests.conftest import NOW, TODAY
from tests.importing.helpers import (
    ROOT,
    cli_import,
    counts,
    db_file,
    empty_counts,
    json_summary,
    placements,
    query,
    read_rejects,
    write_rows,
    write_table,
)
from tests.nightly import add_os_login

ACCOUNTS = 3000
KILL_TIMEOUT_S = 30.0


@pytest.fixture(scope="module")
def office_rows() -> list[dict[str, str]]:
    """The demo office's placement rows (seed 1, as of TODAY), generated once for the module."""
    return [account.placement for account in DemoOffice(accounts=ACCOUNTS, seed=1, as_of=TODAY)]


# 14. --strict -------------------------------------------------------------------------------


def test_strict_rejects_the_whole_file_for_one_bad_row(
    db: Database, db_url: str, tmp_path: Path, office_rows: list[dict[str, str]]
) -> None:
    rows = [dict(row) for row in office_rows]
    bad_index = 1500
    rows[bad_index]["total_balance"] = "12.345"  # three decimals: not money
    bad_line = bad_index + 2  # the header is line 1
    path = write_rows(tmp_path / "placements.csv", rows)

    summary = run_import(db, PLACEMENTS, path, actor=SYSTEM, now=NOW, options=ImportOptions(strict=True))

    assert summary.status == STATUS_REJECTED_FILE
    assert summary.exit_code == 3
    assert (summary.rows_read, summary.inserted, summary.rejected, summary.batch_id) == (ACCOUNTS, 0, 1, None)
    assert counts(db_url) == empty_counts()
    assert summary.rejects_file == str(tmp_path / "placements.csv.rejects.csv")
    rejects = read_rejects(Path(summary.rejects_file))
    assert [(r["line"], r["field"]) for r in rejects] == [(str(bad_line), "total_balance")]


def test_strict_counts_duplicates_as_bad_rows(db_url: str, tmp_path: Path) -> None:
    rows = placements(4)
    rows[3] = dict(rows[3], account_number=rows[0]["account_number"])
    path = write_rows(tmp_path / "placements.csv", rows)

    result = cli_import(db_url, "placements", path, "--strict", "--json")

    assert result.exit_code == 3, result.output
    data = json_summary(result)
    assert (data["status"], data["inserted"], data["rejected"]) == ("rejected_file", 0, 2)
    assert counts(db_url) == empty_counts()


def test_strict_rejects_a_trailer_in_the_middle(db_url: str, tmp_path: Path) -> None:
    rows = placements(3)
    records = [[row[name] for name in PLACEMENT_COLUMNS] for row in rows]
    records.insert(1, ["TRAILER", "1"])  # line 3; not the last record, so it is data
    path = write_table(tmp_path / "placements.csv", PLACEMENT_COLUMNS, records)

    result = cli_import(db_url, "placements", path, "--strict", "--json")

    assert result.exit_code == 3, result.output
    assert json_summary(result)["status"] == "rejected_file"
    assert counts(db_url)["account"] == 0


def test_strict_rejects_the_file_for_a_row_the_service_refuses(db_url: str, tmp_path: Path) -> None:
    rows = placements(3)
    rows.insert(
        1,
        dict.fromkeys(PLACEMENT_COLUMNS, "")
        | {
            "record_type": "recall",
            "facility_code": "MERCY",
            "account_number": "NO-SUCH",
        },
    )
    path = write_rows(tmp_path / "placements.csv", rows)

    result = cli_import(db_url, "placements", path, "--strict", "--batch-size", "1", "--json")

    assert result.exit_code == 3, result.output
    assert json_summary(result)["status"] == "rejected_file"
    assert counts(db_url)["account"] == 0


# 17. kill -9 --------------------------------------------------------------------------------


def _progress(path: Path) -> tuple[int, str] | None:
    """(last_line_applied, status) of the import batch, read-only; None before it exists."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=1.0)
    except sqlite3.Error:
        return None
    try:
        row = conn.execute("SELECT last_line_applied, status FROM import_batch ORDER BY id DESC").fetchone()
    except sqlite3.Error:
        return None
    finally:
        conn.close()
    return None if row is None else (int(row[0]), str(row[1]))


def test_kill_nine_mid_import_then_resume(
    db_url: str, tmp_path: Path, office_rows: list[dict[str, str]]
) -> None:
    path = write_rows(tmp_path / "placements.csv", office_rows)
    database = db_file(db_url)
    add_os_login(db_url)  # imports are for operators
    command = [
        sys.executable, "-m", "collector_tui", "--db", str(database),
        "import", "placements", str(path), "--batch-size", "50", "--quiet",
    ]  # fmt: skip
    with (tmp_path / "stderr.txt").open("wb") as stderr:
        process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=stderr)
        try:
            deadline = time.monotonic() + KILL_TIMEOUT_S
            state = None
            while time.monotonic() < deadline and process.poll() is None:
                state = _progress(database)
                if state is not None and state[0] > 0:
                    break
                time.sleep(0.002)
            else:
                if process.poll() is None:
                    pytest.fail(f"no batch was committed within {KILL_TIMEOUT_S:.0f} s")
            if process.poll() is None:
                os.kill(process.pid, signal.SIGKILL)
            returncode = process.wait(timeout=KILL_TIMEOUT_S)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=KILL_TIMEOUT_S)
    if returncode == 0:
        pytest.skip("the import finished before it could be killed")
    assert returncode == -signal.SIGKILL, (tmp_path / "stderr.txt").read_text(errors="replace")
    # Its parsing worker notices the broken pipe and goes too: nothing lingers.
    deadline = time.monotonic() + 10
    while _processes_using(database) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _processes_using(database) == []

    state = _progress(database)
    assert state is not None
    last_line, status = state
    if status == "completed":
        pytest.skip("the import completed just before the kill landed")
    assert status == "running"  # a killed process never marks its batch
    assert 0 < last_line < ACCOUNTS + 1
    assert (last_line - 1) % 50 == 0  # whole batches only
    conn = sqlite3.connect(database)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        accounts = conn.execute("SELECT count(*) FROM account").fetchone()[0]
        batch_total = conn.execute("SELECT rows_inserted FROM import_batch").fetchone()[0]
    finally:
        conn.close()
    assert accounts == last_line - 1 == batch_total

    # The kernel released the lock with the process: the same file resumes where it stopped.
    result = cli_import(db_url, "placements", path, "--batch-size", "50", "--json")

    assert result.exit_code == 0, result.output
    data = json_summary(result)
    assert data["status"] == "completed"
    assert data["resumed_from_line"] == last_line + 1
    assert (data["rows_read"], data["inserted"], data["rejected"]) == (ACCOUNTS, ACCOUNTS, 0)
    assert query(db_url, "SELECT count(*), count(DISTINCT account_number) FROM account") == [
        (ACCOUNTS, ACCOUNTS)
    ]
    assert query(db_url, "SELECT status, last_line_applied FROM import_batch") == [
        ("completed", ACCOUNTS + 1)
    ]
    expected = {(row["facility_code"], row["account_number"]) for row in office_rows}
    stored = query(
        db_url, "SELECT f.code, a.account_number FROM account a JOIN facility f ON f.id = a.facility_id"
    )
    assert set(stored) == expected


def _processes_using(database: Path) -> list[int]:
    """Pids of live processes whose command line names ``database``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            state = next(
                (line for line in (entry / "status").read_text().splitlines() if line.startswith("State:")),
                "",
            )
        except OSError:
            continue
        if str(database) in cmdline and "zombie" not in state:
            found.append(int(entry.name))
    return found
