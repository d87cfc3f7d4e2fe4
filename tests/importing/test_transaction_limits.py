"""The transactions import refuses amounts no real account could have, row by row, in the reject file."""

from __future__ import annotations

from pathlib import Path

from collector_tui.domain.money_events import TRANSACTION_COLUMNS
from collector_tui.importing.kinds import PLACEMENTS, TRANSACTIONS
from collector_tui.importing.runner import STATUS_COMPLETED, run_import
from collector_tui.services.audit import SYSTEM
from collector_tui.services.database import Database
from tests.conftest import NOW
from tests.importing.helpers import placements, query, read_rejects, write_rows
from tests.services.builders import account

COLUMNS = (*TRANSACTION_COLUMNS, "overpayment")
BASE = {"facility_code": "MERCY", "posted_at": "2026-11-25T10:00:00Z", "method": "card"}
BALANCE = 156_000  # the default placement's $1,560.00


def test_overpayment_is_a_documented_optional_column() -> None:
    assert "overpayment" in TRANSACTIONS.columns
    assert "overpayment" not in TRANSACTIONS.required


def test_implausible_transactions_are_rejected_with_field_and_reason(
    db: Database, db_url: str, tmp_path: Path
) -> None:
    run_import(db, PLACEMENTS, write_rows(tmp_path / "placements.csv", placements(3)), actor=SYSTEM, now=NOW)
    rows = [
        {
            **BASE,
            "transaction_id": "T-1",
            "account_number": "A-0001",
            "kind": "payment",
            "amount": "1,570.00",
        },
        {
            **BASE,
            "transaction_id": "T-2",
            "account_number": "A-0002",
            "kind": "payment",
            "amount": "1,570.00",
            "overpayment": "yes",
        },
        {
            **BASE,
            "transaction_id": "T-3",
            "account_number": "A-0003",
            "kind": "payment",
            "amount": "1.00",
            "overpayment": "maybe",
        },
        {
            **BASE,
            "transaction_id": "T-4",
            "account_number": "A-0003",
            "kind": "refund",
            "amount": "10000000.01",
        },
        {
            **BASE,
            "transaction_id": "T-5",
            "account_number": "A-0001",
            "kind": "refund",
            "amount": "9999000.00",
        },
        {
            **BASE,
            "transaction_id": "T-6",
            "account_number": "A-0003",
            "kind": "payment",
            "amount": "1,565.00",
            "overpayment": "N",
        },  # the balance plus the $5.00 margin, exactly
    ]
    path = write_rows(tmp_path / "transactions.csv", rows, columns=COLUMNS)

    summary = run_import(db, TRANSACTIONS, path, actor=SYSTEM, now=NOW)

    assert summary.status == STATUS_COMPLETED
    assert (summary.rows_read, summary.inserted, summary.rejected, summary.exit_code) == (6, 2, 4, 3)
    assert summary.rejects_file is not None
    rejects = read_rejects(Path(summary.rejects_file))
    # Parse errors are written as rows are read, the service's as each batch is applied.
    assert sorted((r["file"], r["line"], r["field"]) for r in rejects) == [
        ("transactions.csv", "2", "amount"),
        ("transactions.csv", "4", "overpayment"),
        ("transactions.csv", "5", "amount"),
        ("transactions.csv", "6", "amount"),
    ]
    reasons = {r["line"]: r["reason"] for r in rejects}
    assert "overpayment = Y" in reasons["2"]
    assert "larger than any plausible" in reasons["5"] and "larger than any plausible" in reasons["6"]
    text = Path(summary.rejects_file).read_text(encoding="utf-8")
    assert not any(amount in text for amount in ("1,570", "1570", "9999000", "10000000.01", "maybe"))
    assert query(db_url, "SELECT external_id FROM account_transaction ORDER BY 1") == [("T-2",), ("T-6",)]
    assert account(db, "A-0001").total_balance_cents == BALANCE
    assert account(db, "A-0002").total_balance_cents == BALANCE - 157_000  # a credit, on purpose
    assert account(db, "A-0003").total_balance_cents == -500
