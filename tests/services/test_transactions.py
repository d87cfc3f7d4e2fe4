"""collector_tui.services.money.transactions: money movements and the balances they move."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest

from collector_tui.db.models import Account, AccountTransaction
from collector_tui.domain.money import MAX_ACCOUNT_CENTS
from collector_tui.domain.money_events import TransactionRecord
from collector_tui.services.audit import SYSTEM
from collector_tui.services.database import Database
from collector_tui.services.law.policy import current_workspace_policy
from collector_tui.services.money.transactions import TransactionResult, apply_transactions
from collector_tui.vocabulary import AccountStatus
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
    assert after.status == AccountStatus.OPEN

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
    assert paid.status == AccountStatus.PAID

    # A reversal of the payment re-opens it.
    post(
        db,
        [transaction(transaction_id="T-2", kind="reversal", amount="1560", reverses_transaction_id="T-1")],
    )
    reopened = account(db, "A-1001")
    assert balances(reopened) == (TOTAL, 0, TOTAL)
    assert reopened.status == AccountStatus.OPEN


def test_paying_off_an_account_with_insurance_pending_leaves_no_negative_share(
    db: Database, placed: Account
) -> None:
    post(db, [transaction(transaction_id="T-1", kind="payment", amount="1,560.00")])

    paid = account(db, "A-1001")
    assert paid.status == AccountStatus.PAID
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


# Sanity limits: a mistyped amount must not land ---------------------------------------------

MARGIN = current_workspace_policy().transactions.overpayment_margin_cents


def _dollars(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def test_the_shipped_overpayment_margin_is_a_small_positive_amount() -> None:
    assert 0 < MARGIN <= 100_00


@pytest.mark.parametrize("kind", ["payment", "insurance_payment"])
def test_a_payment_beyond_the_balance_and_the_margin_is_rejected(
    db: Database, placed: Account, kind: str
) -> None:
    result = post(db, [transaction(transaction_id="T-1", kind=kind, amount=_dollars(TOTAL + MARGIN + 1))])

    assert result.inserted == 0
    [(external_id, name, reason)] = result.rejected
    assert (external_id, name) == ("T-1", "amount")
    assert "more than the account's balance" in reason and "overpayment" in reason
    assert _dollars(TOTAL + MARGIN + 1) not in reason  # never the cell's content
    assert count(db, AccountTransaction) == 0
    after = account(db, "A-1001")
    assert (balances(after), after.version) == ((TOTAL, INSURANCE, PATIENT), placed.version)


def test_a_payment_up_to_the_balance_plus_the_margin_is_accepted(db: Database, placed: Account) -> None:
    result = post(db, [transaction(transaction_id="T-1", amount=_dollars(TOTAL + MARGIN))])

    assert (result.inserted, result.rejected) == (1, [])
    assert account(db, "A-1001").total_balance_cents == -MARGIN


def test_a_flagged_overpayment_is_accepted(db: Database, placed: Account) -> None:
    with db.writing() as session:
        result = apply_transactions(
            session,
            [transaction(transaction_id="T-1", amount=_dollars(TOTAL * 2))],
            actor=SYSTEM,
            now=NOW,
            overpayment_ok={"T-1"},
        )

    assert (result.inserted, result.rejected) == (1, [])
    assert account(db, "A-1001").total_balance_cents == -TOTAL


def test_the_limit_follows_the_balance_through_the_batch(db: Database, placed: Account) -> None:
    result = post(
        db,
        [
            transaction(transaction_id="T-1", kind="refund", amount="100.00"),
            transaction(transaction_id="T-2", amount=_dollars(TOTAL + 10_000)),  # all of it, after the refund
            transaction(transaction_id="T-3", amount=_dollars(MARGIN + 1)),  # now beyond the margin
        ],
    )

    assert result.inserted == 2
    assert [(r[0], r[1]) for r in result.rejected] == [("T-3", "amount")]
    assert account(db, "A-1001").total_balance_cents == 0


def test_a_refund_beyond_the_placement_ceiling_is_rejected(db: Database) -> None:
    near = MAX_ACCOUNT_CENTS - 5_000
    place(db, [placement(total_balance=_dollars(near), insurance_pending="", patient_responsibility="")])

    result = post(
        db,
        [
            transaction(transaction_id="T-1", kind="refund", amount="50.00"),  # exactly the ceiling
            transaction(transaction_id="T-2", kind="refund", amount="0.01"),
            transaction(transaction_id="T-3", kind="adjustment", amount="-0.01"),  # raises it too
        ],
    )

    assert result.inserted == 1
    assert [(r[0], r[1]) for r in result.rejected] == [("T-2", "amount"), ("T-3", "amount")]
    assert all("larger than any plausible balance" in r[2] for r in result.rejected)
    assert account(db, "A-1001").total_balance_cents == MAX_ACCOUNT_CENTS
