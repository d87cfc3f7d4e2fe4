"""Pass 2: bad rows are rejected one by one (with a reject file); good rows still go in."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from collector_tui.domain.money_events import TRANSACTION_COLUMNS
from collector_tui.domain.placement import PLACEMENT_COLUMNS
from collector_tui.importing.kinds import PLACEMENTS, TRANSACTIONS
from collector_tui.importing.runner import STATUS_COMPLETED, ImportOptions, run_import
from collector_tui.services.audit import SYSTEM
from collector_tui.services.database import Database
from tests.conftest import NOW
from tests.importing.helpers import (
    cli_import,
    counts,
    json_summary,
    placements,
    query,
    read_rejects,
    rejected_fields,
    write_rows,
    write_table,
)
from tests.services.builders import account, placement_row


def _account_numbers(db_url: str) -> list[str]:
    return [str(number) for (number,) in query(db_url, "SELECT account_number FROM account ORDER BY 1")]


# 7. Too many fields -------------------------------------------------------------------------


def test_row_with_too_many_fields_is_rejected_alone(db: Database, db_url: str, tmp_path: Path) -> None:
    rows = placements(3)
    records = [[row[name] for name in PLACEMENT_COLUMNS] for row in rows]
    records[1].append("one too many")  # line 3
    path = write_table(tmp_path / "placements.csv", PLACEMENT_COLUMNS, records)

    result = cli_import(db_url, "placements", path, "--json")

    assert result.exit_code == 3, result.output
    data = json_summary(result)
    assert (data["status"], data["rows_read"], data["inserted"], data["rejected"]) == ("completed", 3, 2, 1)
    rejects = read_rejects(tmp_path / "placements.csv.rejects.csv")
    assert len(rejects) == 1
    assert rejects[0]["file"] == "placements.csv"
    assert rejects[0]["line"] == "3"
    assert rejects[0]["field"] == "row"
    assert "too many fields" in rejects[0]["reason"]
    assert _account_numbers(db_url) == ["A-0001", "A-0003"]
    assert counts(db_url)["guarantor"] == 2


# 8. Duplicate keys --------------------------------------------------------------------------


def test_every_duplicate_is_rejected_naming_the_other_lines(
    db: Database, db_url: str, tmp_path: Path
) -> None:
    rows = [
        placement_row(account_number="A-1", guarantor_id="G-1"),  # line 2
        placement_row(account_number="A-2", guarantor_id="G-2"),  # line 3
        placement_row(  # line 4
            account_number="A-1",
            guarantor_id="G-9",
            total_balance="10.00",
            insurance_pending="",
            patient_responsibility="",
        ),
        placement_row(account_number="A-3", guarantor_id="G-3"),  # line 5
        placement_row(account_number=" A-1 ", guarantor_id="G-8"),  # line 6: same key once stripped
        placement_row(account_number="A-1", facility_code="OTHER", guarantor_id="G-7"),  # line 7: other key
    ]
    path = write_rows(tmp_path / "placements.csv", rows)

    summary = run_import(db, PLACEMENTS, path, actor=SYSTEM, now=NOW)

    assert summary.status == STATUS_COMPLETED
    assert summary.exit_code == 3
    assert (summary.rows_read, summary.inserted, summary.rejected) == (6, 3, 3)
    assert summary.rejects_file == str(tmp_path / "placements.csv.rejects.csv")
    rejects = {int(row["line"]): row for row in read_rejects(Path(summary.rejects_file))}
    assert sorted(rejects) == [2, 4, 6]
    for line, others in ((2, "4, 6"), (4, "2, 6"), (6, "2, 4")):
        assert rejects[line]["field"] == "account_number"
        assert f"also line {others}" in rejects[line]["reason"]
    assert query(
        db_url,
        "SELECT f.code, a.account_number FROM account a JOIN facility f "
        "ON f.id = a.facility_id ORDER BY 1, 2",
    ) == [("MERCY", "A-2"), ("MERCY", "A-3"), ("OTHER", "A-1")]
    assert counts(db_url)["guarantor"] == 3


# 9. Bad values ------------------------------------------------------------------------------


def test_bad_values_reject_their_row_with_the_field(db: Database, db_url: str, tmp_path: Path) -> None:
    rows = [
        placement_row(account_number="A-1", guarantor_id="G-1"),  # line 2: fine
        placement_row(account_number="A-2", guarantor_id="G-2", total_balance="-5.00"),
        placement_row(account_number="A-3", guarantor_id="G-3", total_balance="20,000,000.00"),
        placement_row(account_number="A-4", guarantor_id="G-4", placed_date="2026-02-30"),
        placement_row(account_number="A-5", guarantor_id="G-5", guarantor_dob="2099-01-01"),
        placement_row(account_number="A-6", guarantor_id="G-6", total_balance="(5.00)"),
        placement_row(account_number="A-7", guarantor_id="G-7"),  # line 8: fine
    ]
    path = write_rows(tmp_path / "placements.csv", rows)

    result = cli_import(db_url, "placements", path, "--json")

    assert result.exit_code == 3, result.output
    data = json_summary(result)
    assert (data["status"], data["inserted"], data["rejected"]) == ("completed", 2, 5)
    assert rejected_fields(tmp_path / "placements.csv.rejects.csv") == {
        3: {"total_balance"},
        4: {"total_balance"},
        5: {"placed_date"},
        6: {"guarantor_dob"},
        7: {"total_balance"},
    }
    reasons = {int(r["line"]): r["reason"] for r in read_rejects(tmp_path / "placements.csv.rejects.csv")}
    assert "negative" in reasons[3]
    assert "larger than any plausible amount" in reasons[4]
    assert "not a real date" in reasons[5]
    assert "future" in reasons[6]
    assert _account_numbers(db_url) == ["A-1", "A-7"]
    found = counts(db_url)
    assert (found["guarantor"], found["import_batch"]) == (2, 1)


# 10. The reject file ------------------------------------------------------------------------


def test_default_reject_file_is_private_and_beside_the_input(db_url: str, tmp_path: Path) -> None:
    folder = tmp_path / "incoming"
    folder.mkdir()
    rows = [*placements(2), placement_row(account_number="A-bad", guarantor_id="G-bad", total_balance="x")]
    path = write_rows(folder / "placements.csv", rows)

    result = cli_import(db_url, "placements", path, "--json")

    assert result.exit_code == 3, result.output
    target = folder / "placements.csv.rejects.csv"
    assert json_summary(result)["rejects_file"] == str(target)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert target.read_text(encoding="utf-8").splitlines()[0] == "file,line,field,reason"
    assert [(r["file"], r["line"], r["field"]) for r in read_rejects(target)] == [
        ("placements.csv", "4", "total_balance")
    ]
    assert sorted(p.name for p in folder.iterdir()) == ["placements.csv", "placements.csv.rejects.csv"]


def test_rejects_option_overrides_the_path(db_url: str, tmp_path: Path) -> None:
    rows = [*placements(1), placement_row(account_number="A-bad", guarantor_id="G-bad", placed_date="soon")]
    path = write_rows(tmp_path / "placements.csv", rows)
    (tmp_path / "out").mkdir()
    chosen = tmp_path / "out" / "bad-rows.csv"

    result = cli_import(db_url, "placements", path, "--rejects", str(chosen), "--json")

    assert result.exit_code == 3, result.output
    assert json_summary(result)["rejects_file"] == str(chosen)
    assert stat.S_IMODE(chosen.stat().st_mode) == 0o600
    assert rejected_fields(chosen) == {3: {"placed_date"}}
    assert not (tmp_path / "placements.csv.rejects.csv").exists()
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["bad-rows.csv"]


def test_no_reject_file_when_nothing_is_rejected(db_url: str, tmp_path: Path) -> None:
    folder = tmp_path / "incoming"
    folder.mkdir()
    path = write_rows(folder / "placements.csv", placements(3))

    result = cli_import(db_url, "placements", path, "--json")

    assert result.exit_code == 0, result.output
    assert json_summary(result)["rejects_file"] is None
    assert [p.name for p in folder.iterdir()] == ["placements.csv"]  # no reject file, no temp file


def test_rejects_in_a_missing_folder_is_a_clean_error(db_url: str, tmp_path: Path) -> None:
    path = write_rows(tmp_path / "placements.csv", placements(2))

    result = cli_import(db_url, "placements", path, "--rejects", str(tmp_path / "nowhere" / "r.csv"))

    assert counts(db_url)["account"] == 0
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code in (1, 2)
    assert "error:" in result.stderr


PHI_FIRST, PHI_LAST, PHI_DOB = "Zebulon", "Quixotesque", "2099-03-14"


@pytest.mark.parametrize("as_json", [True, False], ids=["json", "plain"])
def test_cli_output_never_shows_a_rejected_rows_phi(db_url: str, tmp_path: Path, as_json: bool) -> None:
    rows = [
        *placements(1),
        placement_row(  # rejected: the date of birth is in the future, the state is unknown
            account_number="A-phi",
            guarantor_id="G-phi",
            guarantor_first_name=PHI_FIRST,
            guarantor_last_name=PHI_LAST,
            guarantor_dob=PHI_DOB,
            state="ZZ",
            guarantor_ssn_last4="98x6",
        ),
    ]
    path = write_rows(tmp_path / "placements.csv", rows)

    result = cli_import(db_url, "placements", path, *(["--json"] if as_json else []))

    assert result.exit_code == 3, result.output
    rejects = tmp_path / "placements.csv.rejects.csv"
    assert rejected_fields(rejects) == {3: {"guarantor_dob", "state", "guarantor_ssn_last4"}}
    for text in (result.stdout, result.stderr, rejects.read_text(encoding="utf-8")):
        for secret in (PHI_FIRST, PHI_LAST, PHI_DOB, "98x6"):
            assert secret not in text


# 13. Transactions: a reversal of nothing ----------------------------------------------------


def test_reversal_of_a_missing_payment_is_rejected_alone(db: Database, db_url: str, tmp_path: Path) -> None:
    run_import(db, PLACEMENTS, write_rows(tmp_path / "placements.csv", placements(2)), actor=SYSTEM, now=NOW)
    before = counts(db_url)
    balance = account(db, "A-0001").total_balance_cents
    base = {"facility_code": "MERCY", "account_number": "A-0001", "posted_at": "2026-11-25T10:00:00Z"}
    rows = [
        {**base, "transaction_id": "T-1", "kind": "payment", "amount": "100.00", "method": "card"},
        {
            **base,
            "transaction_id": "T-2",
            "kind": "reversal",
            "amount": "100.00",
            "reverses_transaction_id": "T-NOPE",
            "reference": "NSF",
        },
        {**base, "transaction_id": "T-3", "kind": "payment", "amount": "25.50", "method": "cash"},
        {
            **base,
            "transaction_id": "T-4",
            "kind": "reversal",
            "amount": "100.00",
            "account_number": "A-0002",
            "reverses_transaction_id": "T-1",
        },  # T-1 is on another account
    ]
    path = write_rows(tmp_path / "transactions.csv", rows, columns=TRANSACTION_COLUMNS)

    summary = run_import(db, TRANSACTIONS, path, actor=SYSTEM, now=NOW, options=ImportOptions(batch_size=2))

    assert summary.status == STATUS_COMPLETED
    assert summary.exit_code == 3
    assert (summary.rows_read, summary.inserted, summary.rejected) == (4, 2, 2)
    assert summary.total_cents == -12550
    assert summary.rejects_file is not None
    rejects = read_rejects(Path(summary.rejects_file))
    assert [(r["line"], r["field"]) for r in rejects] == [
        ("3", "reverses_transaction_id"),
        ("5", "reverses_transaction_id"),
    ]
    assert all("does not exist" in r["reason"] for r in rejects)
    assert query(db_url, "SELECT external_id FROM account_transaction ORDER BY 1") == [("T-1",), ("T-3",)]
    assert account(db, "A-0001").total_balance_cents == balance - 12550
    assert account(db, "A-0002").total_balance_cents == balance
    after = counts(db_url)
    assert (after["account"], after["guarantor"], after["import_batch"]) == (2, 2, 2)
    assert after["account_transaction"] == before["account_transaction"] + 2
