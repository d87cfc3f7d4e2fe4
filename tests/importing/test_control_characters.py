"""Control characters never land: every field the import reads is checked, in every kind of file.

NUL, the other C0 controls, DEL, the C1 controls and the Unicode bidirectional overrides are
refused everywhere; tab, line feed, carriage return and the Unicode line and paragraph separators
only where free text belongs (an activity's note). The reason names the field,
never its content.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from collector_tui.domain.contact_log import ACTIVITY_COLUMNS
from collector_tui.domain.money_events import TRANSACTION_COLUMNS
from collector_tui.importing.kinds import ACTIVITIES, PLACEMENTS, TRANSACTIONS
from collector_tui.importing.runner import (
    STATUS_COMPLETED,
    STATUS_REJECTED_FILE,
    ImportOptions,
    ImportSummary,
    run_import,
)
from collector_tui.services.audit import SYSTEM
from collector_tui.services.database import Database
from tests.conftest import NOW
from tests.importing.helpers import placements, query, read_rejects, write_rows, write_table
from tests.services.builders import placement_row

SECRET = "Zebulon"  # stands for a cell's content: no reject reason may repeat it
HARD = ["\x00", "\x01", "\x08", "\x0b", "\x0c", "\x1b", "\x1f", "\x7f", "\x80", "\x85", "\x9f"]
HARD += ["\u202a", "\u202e", "\u2066", "\u2069"]  # bidirectional overrides and isolates
BREAKS = ["\t", "\n", "\r", "\r\n", "\u2028", "\u2029"]


def _rejects(summary: ImportSummary) -> list[dict[str, str]]:
    assert summary.rejects_file is not None
    rows = read_rejects(Path(summary.rejects_file))
    assert all(SECRET not in row["reason"] for row in rows)
    return rows


def _placements(
    db: Database, tmp_path: Path, rows: list[dict[str, str]], *, strict: bool = False
) -> ImportSummary:
    path = write_rows(tmp_path / "placements.csv", rows)
    return run_import(db, PLACEMENTS, path, actor=SYSTEM, now=NOW, options=ImportOptions(strict=strict))


@pytest.mark.parametrize("char", HARD + BREAKS, ids=[f"U+{ord(c[0]):04X}-{len(c)}" for c in HARD + BREAKS])
@pytest.mark.parametrize(
    "column", ["guarantor_last_name", "account_number", "city", "phone1", "total_balance"]
)
def test_a_placement_field_with_a_control_character_is_rejected(
    db: Database, tmp_path: Path, char: str, column: str
) -> None:
    good, bad = placements(2)
    value = {"total_balance": "1,560.00", "phone1": "(614) 555-0142"}.get(column, SECRET)
    bad[column] = value[:3] + char + value[3:]

    summary = _placements(db, tmp_path, [good, bad])

    assert (summary.status, summary.inserted, summary.rejected) == (STATUS_COMPLETED, 1, 1)
    [reject] = [r for r in _rejects(summary) if r["field"] == column]
    assert reject["line"] == "3"
    assert "control character" in reject["reason"] or "line break or tab" in reject["reason"]


def test_the_reason_says_which_rule(db: Database, tmp_path: Path) -> None:
    rows = [
        placement_row(account_number="A-1", guarantor_id="G-1", address1=SECRET + "\x00"),
        placement_row(account_number="A-2", guarantor_id="G-2", address1=SECRET + "\nApt 2"),
    ]
    reasons = {r["line"]: (r["field"], r["reason"]) for r in _rejects(_placements(db, tmp_path, rows))}

    assert reasons["2"][0] == reasons["3"][0] == "address1"
    assert "control character" in reasons["2"][1]
    assert "line break or tab" in reasons["3"][1]


def test_strict_finds_control_characters_before_writing(db: Database, db_url: str, tmp_path: Path) -> None:
    good, bad = placements(2)
    bad["facility_name"] = "Mercy\x00"

    summary = _placements(db, tmp_path, [good, bad], strict=True)

    assert summary.status == STATUS_REJECTED_FILE
    assert query(db_url, "SELECT count(*) FROM account") == [(0,)]


def test_a_transaction_field_with_a_control_character_is_rejected(db: Database, tmp_path: Path) -> None:
    run_import(db, PLACEMENTS, write_rows(tmp_path / "placements.csv", placements(1)), actor=SYSTEM, now=NOW)
    base = {
        "facility_code": "MERCY",
        "account_number": "A-0001",
        "kind": "payment",
        "amount": "10.00",
        "posted_at": "2026-11-25T10:00:00Z",
    }
    rows = [
        {**base, "transaction_id": "T-1", "reference": "CHK\x001"},
        {**base, "transaction_id": "T-2", "reference": "CHK\t1"},
        {**base, "transaction_id": "T-3\x85"},
        {**base, "transaction_id": "T-4", "reference": "CHK 1"},
    ]
    path = write_rows(tmp_path / "transactions.csv", rows, columns=TRANSACTION_COLUMNS)

    summary = run_import(db, TRANSACTIONS, path, actor=SYSTEM, now=NOW)

    assert (summary.inserted, summary.rejected) == (1, 3)
    assert sorted((r["line"], r["field"]) for r in _rejects(summary)) == [
        ("2", "reference"),
        ("3", "reference"),
        ("4", "transaction_id"),
    ]


def test_only_an_activity_note_may_hold_line_breaks_and_tabs(
    db: Database, db_url: str, tmp_path: Path
) -> None:
    run_import(db, PLACEMENTS, write_rows(tmp_path / "placements.csv", placements(1)), actor=SYSTEM, now=NOW)
    base = {
        "facility_code": "MERCY",
        "account_number": "A-0001",
        "occurred_at": "2026-11-20T15:30:00Z",
        "channel": "note",
        "direction": "none",
        "result_code": "NOTE",
    }
    note = "called back\r\nsays:\tpaid at the window\nwill send receipt"
    rows = [
        {**base, "activity_id": "C-1", "note": note},
        {**base, "activity_id": "C-2", "note": "called\x00back"},
        {**base, "activity_id": "C-3", "note": "ok", "collector_login": "mlopez\n"},
        {**base, "activity_id": "C-4", "note": "ok", "result_code": "NOTE\t"},
        {**base, "activity_id": "C-5", "note": "bell\x07"},
    ]
    path = write_rows(tmp_path / "activities.csv", rows, columns=ACTIVITY_COLUMNS)

    summary = run_import(db, ACTIVITIES, path, actor=SYSTEM, now=NOW)

    assert (summary.inserted, summary.rejected) == (1, 4)
    # A record's line is the physical line it starts on: C-1's note spans lines 2-4, C-3's login 6-7.
    assert sorted((r["line"], r["field"]) for r in _rejects(summary)) == [
        ("5", "note"),
        ("6", "collector_login"),
        ("8", "result_code"),
        ("9", "note"),
    ]
    assert query(db_url, "SELECT external_id, note FROM activity") == [("C-1", note)]


def test_a_column_the_import_ignores_is_not_read(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "placements.csv"
    row = placements(1)[0]
    header = [*row, "legacy_notes"]
    write_table(path, header, [[*row.values(), "old\x00system"]])

    summary = run_import(db, PLACEMENTS, path, actor=SYSTEM, now=NOW)

    assert (summary.inserted, summary.rejected) == (1, 0)
