"""Whole runs: idempotence, dry runs, the lock, resuming after a crash, JSON, the sample files."""

from __future__ import annotations

import csv
import dataclasses
import shutil
import sqlite3
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session

from collector_tui.importing.kinds import ACTIVITIES, KINDS, PLACEMENTS, TRANSACTIONS, Applied
from collector_tui.importing.lock import import_lock
from collector_tui.importing.runner import (
    STATUS_ALREADY,
    STATUS_COMPLETED,
    STATUS_DRY_RUN,
    ImportOptions,
    run_import,
)
from collector_tui.services.audit import SYSTEM, Actor
from collector_tui.services.database import Database
from tests.conftest import NOW
from tests.importing.helpers import (
    SAMPLE,
    cli_import,
    counts,
    db_file,
    empty_counts,
    json_summary,
    placements,
    query,
    write_rows,
)
from tests.services.builders import placement_row

SUMMARY_KEYS = {"kind", "status", "rows_read", "inserted", "rejected", "batch_id"}


def _actions(db_url: str) -> dict[str, int]:
    return {
        str(action): int(n)
        for action, n in query(db_url, "SELECT action, count(*) FROM audit_event GROUP BY 1")
    }


# 12. The same file twice --------------------------------------------------------------------


def test_same_file_twice_is_a_no_op(db_url: str, tmp_path: Path) -> None:
    path = write_rows(tmp_path / "placements.csv", placements(5))
    first = cli_import(db_url, "placements", path, "--json")
    assert first.exit_code == 0, first.output
    done = json_summary(first)
    assert (done["status"], done["inserted"]) == ("completed", 5)
    before = counts(db_url)
    audit_before = query(db_url, "SELECT max(id) FROM audit_event")

    second = cli_import(db_url, "placements", path, "--json")

    assert second.exit_code == 0, second.output
    again = json_summary(second)
    assert again["status"] == "already_imported"
    assert again["batch_id"] == done["batch_id"]
    assert (again["rows_read"], again["inserted"], again["updated"], again["rejected"]) == (5, 0, 0, 0)
    assert again["unchanged"] == 5
    assert counts(db_url) == before
    assert query(db_url, "SELECT max(id) FROM audit_event") == audit_before
    assert query(db_url, "SELECT status FROM import_batch") == [("completed",)]


# 15. Dry run --------------------------------------------------------------------------------


def test_dry_run_validates_and_writes_nothing(db: Database, db_url: str, tmp_path: Path) -> None:
    rows = [*placements(3), placement_row(account_number="A-bad", guarantor_id="G-bad", zip="1234")]
    path = write_rows(tmp_path / "placements.csv", rows)

    summary = run_import(db, PLACEMENTS, path, actor=SYSTEM, now=NOW, options=ImportOptions(dry_run=True))

    assert summary.status == STATUS_DRY_RUN
    assert summary.exit_code == 3
    assert (summary.rows_read, summary.inserted, summary.rejected, summary.batch_id) == (4, 3, 1, None)
    assert summary.rejects_file is not None
    assert counts(db_url) == empty_counts()

    good = write_rows(tmp_path / "good.csv", placements(3))
    result = cli_import(db_url, "placements", good, "--dry-run", "--json")
    assert result.exit_code == 0, result.output
    data = json_summary(result)
    assert (data["status"], data["rows_read"], data["inserted"], data["rejected"]) == ("dry_run", 3, 3, 0)
    assert counts(db_url) == empty_counts()

    # A dry run leaves no trace, so the real import afterwards is not "already imported".
    result = cli_import(db_url, "placements", good, "--json")
    assert json_summary(result)["status"] == "completed"
    assert counts(db_url)["account"] == 3


def _dump(db_url: str) -> list[str]:
    """Every row of every table (and the schema), read with plain sqlite3."""
    conn = sqlite3.connect(db_file(db_url))
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


@pytest.mark.parametrize("batch", ["2", "1000"])
def test_dry_run_reports_what_the_import_would_do_and_changes_no_row(
    db_url: str, tmp_path: Path, batch: str
) -> None:
    first = cli_import(db_url, "placements", write_rows(tmp_path / "day1.csv", placements(3)), "--json")
    assert json_summary(first)["status"] == "completed"
    rows = placements(5)  # A-0001..A-0003 on file already, A-0004 and A-0005 new
    rows[0] = {**rows[0], "record_type": "update", "address1": "200 Oak St"}  # an update
    rows.append(placement_row(account_number="A-bad", guarantor_id="G-bad", zip="1234"))  # a reject
    path = write_rows(tmp_path / "day2.csv", rows)
    before = _dump(db_url)

    result = cli_import(db_url, "placements", path, "--dry-run", "--json", "--batch-size", batch)

    assert result.exit_code == 3, result.output
    data = json_summary(result)
    would = {key: data[key] for key in ("status", "inserted", "updated", "unchanged", "rejected", "batch_id")}
    assert would == {
        "status": "dry_run",
        "inserted": 2,
        "updated": 1,
        "unchanged": 2,
        "rejected": 1,
        "batch_id": None,
    }
    assert _dump(db_url) == before  # row for row, the batch and its audit events included

    text = cli_import(db_url, "placements", path, "--dry-run", "--batch-size", batch)
    assert text.exit_code == 3
    assert _dump(db_url) == before
    # The real import then does exactly what the dry run said.
    done = json_summary(cli_import(db_url, "placements", path, "--json", "--batch-size", batch))
    assert {key: done[key] for key in ("inserted", "updated", "unchanged", "rejected")} == {
        key: data[key] for key in ("inserted", "updated", "unchanged", "rejected")
    }


def test_a_dry_run_on_a_terminal_says_what_would_happen(db_url: str, tmp_path: Path) -> None:
    from collector_tui.cli.import_commands import describe
    from collector_tui.importing.runner import ImportSummary

    summary = ImportSummary(
        kind="placements", file="day2.csv", status=STATUS_DRY_RUN, rows_read=6, inserted=2, updated=1
    )
    summary.unchanged, summary.rejected, summary.total_cents = 2, 1, 12_345
    line = describe(summary)
    assert line.startswith("placements: day2.csv (dry run, nothing written): 6 rows read")
    for part in ("2 would be inserted", "1 would be updated", "2 would be unchanged", "1 would be rejected"):
        assert part in line


# 16. Resume after a crash -------------------------------------------------------------------


def _crashing_on_call(number: int) -> Any:
    """A placements ``apply`` that raises on its ``number``-th call (a crash mid-file)."""
    calls = 0

    def apply(
        session: Session, records: Sequence[Any], actor: Actor, now: datetime, batch_id: int
    ) -> Applied:
        nonlocal calls
        calls += 1
        if calls == number:
            raise RuntimeError("the power went out")
        return PLACEMENTS.apply(session, records, actor, now, batch_id)

    return apply


def test_resume_after_a_crash_applies_every_row_once(db: Database, db_url: str, tmp_path: Path) -> None:
    path = write_rows(tmp_path / "placements.csv", placements(50))
    crashing = dataclasses.replace(PLACEMENTS, apply=_crashing_on_call(3))
    options = ImportOptions(batch_size=10)

    with pytest.raises(RuntimeError, match="power"):
        run_import(db, crashing, path, actor=SYSTEM, now=NOW, options=options)

    assert query(db_url, "SELECT status, message, last_line_applied, rows_inserted FROM import_batch") == [
        ("incomplete", "stopped: RuntimeError", 21, 20)
    ]
    numbers = [f"A-{n:04d}" for n in range(1, 51)]
    assert query(db_url, "SELECT account_number FROM account ORDER BY 1") == [(n,) for n in numbers[:20]]
    assert counts(db_url)["guarantor"] == 20
    leftovers = [p.name for p in tmp_path.iterdir() if "rejects" in p.name or p.suffix == ".tmp"]
    assert leftovers == []  # the crashed run's reject file was discarded

    summary = run_import(db, PLACEMENTS, path, actor=SYSTEM, now=NOW, options=options)

    assert summary.status == STATUS_COMPLETED
    assert summary.exit_code == 0
    assert summary.resumed_from_line == 22
    assert (summary.rows_read, summary.inserted, summary.updated, summary.unchanged) == (50, 50, 0, 0)
    assert summary.rejected == 0
    assert query(db_url, "SELECT account_number FROM account ORDER BY 1") == [(n,) for n in numbers]
    assert query(db_url, "SELECT status, last_line_applied, rows_inserted FROM import_batch") == [
        ("completed", 51, 50)
    ]
    found = counts(db_url)
    assert (found["account"], found["guarantor"], found["import_batch"]) == (50, 50, 1)
    actions = _actions(db_url)
    assert actions["placement.insert"] == 50
    assert actions["import.placements.start"] == 1
    assert actions["import.placements.resume"] == 1
    assert actions["import.placements.finish"] == 1

    again = run_import(db, PLACEMENTS, path, actor=SYSTEM, now=NOW, options=options)
    assert again.status == STATUS_ALREADY
    assert counts(db_url) == found


def test_resume_keeps_rejects_from_before_the_crash(db: Database, db_url: str, tmp_path: Path) -> None:
    rows = placements(30)
    recall = dict.fromkeys(rows[0], "") | {
        "record_type": "recall",
        "facility_code": "MERCY",
        "account_number": "NO-SUCH",
    }
    rows[2] = recall  # line 4: the service rejects it (no such account) in the first batch
    path = write_rows(tmp_path / "placements.csv", rows)
    crashing = dataclasses.replace(PLACEMENTS, apply=_crashing_on_call(3))
    options = ImportOptions(batch_size=10)
    with pytest.raises(RuntimeError):
        run_import(db, crashing, path, actor=SYSTEM, now=NOW, options=options)

    summary = run_import(db, PLACEMENTS, path, actor=SYSTEM, now=NOW, options=options)

    assert (summary.status, summary.inserted, summary.rejected) == (STATUS_COMPLETED, 29, 1)
    assert summary.rejects_file is not None, "exit code 3 but no reject file"
    assert (tmp_path / "placements.csv.rejects.csv").read_text().count("\n") == 2


# 18. The lock -------------------------------------------------------------------------------


def test_a_held_lock_stops_the_import(db: Database, db_url: str, tmp_path: Path) -> None:
    path = write_rows(tmp_path / "placements.csv", placements(3))

    with import_lock(db):
        result = cli_import(db_url, "placements", path, "--json")

    assert result.exit_code == 4, result.output
    assert result.stdout == ""
    assert "another import is running on this database" in result.stderr
    assert counts(db_url) == empty_counts()
    assert not (tmp_path / "placements.csv.rejects.csv").exists()

    result = cli_import(db_url, "placements", path, "--json")  # released: it runs now
    assert result.exit_code == 0, result.output
    assert counts(db_url)["account"] == 3


# 20. JSON -----------------------------------------------------------------------------------


def test_json_summary_shape(db_url: str, tmp_path: Path) -> None:
    rows = [*placements(2), placement_row(account_number="A-bad", guarantor_id="G-bad", email="nope")]
    path = write_rows(tmp_path / "placements.csv", rows)

    result = cli_import(db_url, "placements", path, "--json")

    assert result.exit_code == 3, result.output
    assert len(result.stdout.strip().splitlines()) == 1
    data = json_summary(result)
    assert set(data) >= SUMMARY_KEYS
    assert data["kind"] == "placements"
    assert data["status"] == "completed"
    assert (data["rows_read"], data["inserted"], data["rejected"]) == (3, 2, 1)
    assert isinstance(data["batch_id"], int)
    assert query(db_url, "SELECT id FROM import_batch") == [(data["batch_id"],)]


# 21. The sample files -----------------------------------------------------------------------


def _records(path: Path) -> int:
    with path.open(encoding="utf-8", newline="") as handle:
        return sum(1 for _ in csv.reader(handle)) - 1


def _copy(name: str, folder: Path) -> Path:
    target = folder / name
    shutil.copyfile(SAMPLE / name, target)
    return target


def test_sample_files_import_and_reimport_as_no_ops(db: Database, db_url: str, tmp_path: Path) -> None:
    assert set(KINDS) == {"placements", "transactions", "activities"}
    data_rows = {name: _records(SAMPLE / f"{name}.csv") for name in KINDS}
    first = {
        kind.name: run_import(db, kind, _copy(f"{kind.name}.csv", tmp_path), actor=SYSTEM, now=NOW)
        for kind in (PLACEMENTS, TRANSACTIONS, ACTIVITIES)
    }
    for name, summary in first.items():
        assert summary.status == STATUS_COMPLETED, name
        assert (summary.rows_read, summary.inserted, summary.rejected) == (
            data_rows[name],
            data_rows[name],
            0,
        )
    found = counts(db_url)
    assert found["account"] == data_rows["placements"] == 25
    assert found["account_transaction"] == data_rows["transactions"]
    assert found["activity"] == data_rows["activities"]
    assert found["import_batch"] == 3

    again = run_import(db, ACTIVITIES, tmp_path / "activities.csv", actor=SYSTEM, now=NOW)
    assert again.status == STATUS_ALREADY
    assert again.batch_id == first["activities"].batch_id
    assert (again.inserted, again.unchanged) == (0, data_rows["activities"])
    assert counts(db_url) == found

    # The same rows in a different file (new bytes, new batch) are skipped by id.
    copy = tmp_path / "activities-resent.csv"
    copy.write_bytes((SAMPLE / "activities.csv").read_bytes() + b"\n")
    resent = run_import(db, ACTIVITIES, copy, actor=SYSTEM, now=NOW)
    assert resent.status == STATUS_COMPLETED
    assert (resent.inserted, resent.unchanged, resent.rejected) == (0, data_rows["activities"], 0)
    after = counts(db_url)
    assert after["activity"] == found["activity"]
    assert after["import_batch"] == found["import_batch"] + 1
