"""collector_tui.services.transactions: money movements and the balances they move."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest

from collector_tui.domain.money_events import TransactionRecord
from collector_tui.services.audit import SYSTEM
from collector_tui.services.database import Database
from collector_tui.services.transactions import TransactionResult, apply_transactions
from db import codes
from db.models import Account, AccountTransaction
from tests.conftest import NOW
from tests.services.builders import (
    account,
    all_rows,
    audit_events,
    count,
    place,
    placement,
    transaction,
)

LATER = NOW + timedelta(days=1)
# The default placement: $1,560.00 of which $310.00 is insurance pending, $1,250.00 the patient's.
TOTAL, INSURANCE, PATIENT = 156_000, 31_000, 125_000


@pytest.fixture
def placed(db: Database) -> Account:
    place(db, [placement()])
    return account(db, "A-1001")


def post(db: Database, records: Sequence[TransactionRecord], *, now: datetime = NOW) -> TransactionResult:
    with db.writing() as session:
        return apply_transactions(session, records, actor=SYSTEM, now=now)


def balances(acct: Account) -> tuple[int, int, int]:
    return (acct.total_balance_cents, acct.insurance_pending_cents, acct.patient_responsibility_cents)


def test_a_payment_lowers_the_total_and_the_patient_share(db: Database, placed: Account) -> None:
    result = post(db, [transaction(transaction_id="T-1", kind="payment", amount="100.00")])

    assert (result.inserted, result.unchanged, result.rejected) == (1, 0, [])
    assert result.total_cents == -10_000
    after = account(db, "A-1001")
    assert balances(after) == (TOTAL - 10_000, INSURANCE, PATIENT - 10_000)
    assert after.version == placed.version + 1
    assert after.updated_at == NOW
    assert after.status == codes.ACCOUNT_OPEN

    [tx] = all_rows(db, AccountTransaction)
    assert (tx.account_id, tx.external_id, tx.kind, tx.amount_cents) == (placed.id, "T-1", "payment", -10_000)
    assert (tx.posted_at, tx.method, tx.reference, tx.reverses_id) == (
        datetime(2026, 11, 25, 10, 0, tzinfo=UTC),
        "card",
        "REF-1",
        None,
    )
    assert (tx.source, tx.collector_id, tx.created_at) == ("import", None, NOW)
    assert [(e.entity_id, e.actor) for e in audit_events(db, "transaction.post")] == [(placed.id, "system")]


def test_an_insurance_payment_lowers_insurance_pending(db: Database, placed: Account) -> None:
    post(db, [transaction(transaction_id="T-1", kind="insurance_payment", amount="310.00")])

    assert balances(account(db, "A-1001")) == (TOTAL - 31_000, 0, PATIENT)
    [tx] = all_rows(db, AccountTransaction)
    assert (tx.kind, tx.amount_cents) == ("insurance_payment", -31_000)


def test_a_refund_raises_the_balance(db: Database, placed: Account) -> None:
    result = post(db, [transaction(transaction_id="T-1", kind="refund", amount="50.00")])

    assert result.total_cents == 5_000
    assert balances(account(db, "A-1001")) == (TOTAL + 5_000, INSURANCE, PATIENT + 5_000)
    [tx] = all_rows(db, AccountTransaction)
    assert (tx.kind, tx.amount_cents) == ("refund", 5_000)


def test_reapplying_the_same_transaction_ids_is_a_no_op(db: Database, placed: Account) -> None:
    records = [
        transaction(transaction_id="T-1", kind="payment", amount="100.00"),
        transaction(transaction_id="T-2", kind="insurance_payment", amount="10.00"),
    ]
    post(db, records)
    before = account(db, "A-1001")
    events_before = len(audit_events(db))

    result = post(db, records, now=LATER)

    assert (result.inserted, result.unchanged, result.total_cents, result.rejected) == (0, 2, 0, [])
    after = account(db, "A-1001")
    assert balances(after) == balances(before) == (TOTAL - 11_000, INSURANCE - 1_000, PATIENT - 10_000)
    assert (after.version, after.updated_at) == (before.version, before.updated_at)
    assert count(db, AccountTransaction) == 2
    assert len(audit_events(db)) == events_before


def test_a_reversal_in_the_same_batch_restores_the_balance(db: Database, placed: Account) -> None:
    # The reversal comes first in the file: the service applies plain transactions first.
    result = post(
        db,
        [
            transaction(
                transaction_id="T-2", kind="reversal", amount="100.00", reverses_transaction_id="T-1"
            ),
            transaction(transaction_id="T-1", kind="payment", amount="100.00"),
        ],
    )

    assert (result.inserted, result.rejected, result.total_cents) == (2, [], 0)
    assert balances(account(db, "A-1001")) == (TOTAL, INSURANCE, PATIENT)
    by_id = {tx.external_id: tx for tx in all_rows(db, AccountTransaction)}
    assert by_id["T-1"].amount_cents == -10_000
    assert (by_id["T-2"].kind, by_id["T-2"].amount_cents) == ("reversal", 10_000)
    assert by_id["T-2"].reverses_id == by_id["T-1"].id


def test_a_reversal_in_a_later_batch_restores_the_balance(db: Database, placed: Account) -> None:
    post(db, [transaction(transaction_id="T-1", kind="insurance_payment", amount="310.00")])
    assert balances(account(db, "A-1001")) == (TOTAL - 31_000, 0, PATIENT)

    result = post(
        db,
        [transaction(transaction_id="T-2", kind="reversal", amount="310.00", reverses_transaction_id="T-1")],
        now=LATER,
    )

    assert (result.inserted, result.rejected) == (1, [])
    # Reversing an insurance payment puts the money back on insurance pending.
    assert balances(account(db, "A-1001")) == (TOTAL, INSURANCE, PATIENT)
    by_id = {tx.external_id: tx for tx in all_rows(db, AccountTransaction)}
    assert by_id["T-2"].reverses_id == by_id["T-1"].id
    assert by_id["T-2"].amount_cents == 31_000


def test_a_reversal_of_an_unknown_transaction_is_rejected(db: Database, placed: Account) -> None:
    result = post(
        db,
        [transaction(transaction_id="T-9", kind="reversal", amount="5.00", reverses_transaction_id="T-404")],
    )

    assert result.inserted == 0
    assert [(external_id, name) for external_id, name, _ in result.rejected] == [
        ("T-9", "reverses_transaction_id")
    ]
    assert count(db, AccountTransaction) == 0
    assert audit_events(db, "transaction.post") == []
    after = account(db, "A-1001")
    assert balances(after) == (TOTAL, INSURANCE, PATIENT)
    assert after.version == placed.version


def test_a_reversal_of_a_transaction_on_another_account_is_rejected(db: Database, placed: Account) -> None:
    place(db, [placement(account_number="A-1002")])
    post(db, [transaction(transaction_id="T-1", account_number="A-1002")])

    result = post(
        db,
        [transaction(transaction_id="T-2", kind="reversal", amount="100.00", reverses_transaction_id="T-1")],
    )

    assert [r[0] for r in result.rejected] == ["T-2"]
    assert balances(account(db, "A-1001")) == (TOTAL, INSURANCE, PATIENT)


def test_a_transaction_for_an_unknown_account_is_rejected(db: Database, placed: Account) -> None:
    result = post(db, [transaction(transaction_id="T-1", account_number="A-404")])

    assert result.rejected == [("T-1", "account_number", "no such account")]
    assert (result.inserted, result.total_cents) == (0, 0)
    assert count(db, AccountTransaction) == 0
    assert audit_events(db, "transaction.post") == []


def test_paying_an_account_to_zero_marks_it_paid(db: Database) -> None:
    place(db, [placement(insurance_pending="", patient_responsibility="")])

    post(db, [transaction(transaction_id="T-1", kind="payment", amount="1,560.00")])

    paid = account(db, "A-1001")
    assert balances(paid) == (0, 0, 0)
    assert paid.status == codes.ACCOUNT_PAID

    # A reversal of the payment re-opens it.
    post(
        db,
        [transaction(transaction_id="T-2", kind="reversal", amount="1560", reverses_transaction_id="T-1")],
    )
    reopened = account(db, "A-1001")
    assert balances(reopened) == (TOTAL, 0, TOTAL)
    assert reopened.status == codes.ACCOUNT_OPEN


def test_paying_off_an_account_with_insurance_pending_leaves_no_negative_share(
    db: Database, placed: Account
) -> None:
    post(db, [transaction(transaction_id="T-1", kind="payment", amount="1,560.00")])

    paid = account(db, "A-1001")
    assert paid.status == codes.ACCOUNT_PAID
    assert paid.total_balance_cents == 0
    # total = insurance + patient, neither negative (the invariant the placement parser enforces).
    assert paid.patient_responsibility_cents >= 0
    assert paid.insurance_pending_cents <= paid.total_balance_cents


def test_a_transaction_cannot_be_reversed_twice(db: Database, placed: Account) -> None:
    post(db, [transaction(transaction_id="T-1", kind="payment", amount="100.00")])
    post(
        db,
        [transaction(transaction_id="T-2", kind="reversal", amount="100.00", reverses_transaction_id="T-1")],
    )

    result = post(
        db,
        [transaction(transaction_id="T-3", kind="reversal", amount="100.00", reverses_transaction_id="T-1")],
    )

    assert [r[0] for r in result.rejected] == ["T-3"]
    assert balances(account(db, "A-1001")) == (TOTAL, INSURANCE, PATIENT)
