"""Imports keep the stored call state true while recomputing only what an event can move.

Each test ends by recomputing every account's call state from scratch: an
import that skipped an account it should have refreshed leaves a row to fix.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

import pytest
from sqlmodel import Session

from collector_tui.domain.compliance.policy import CompliancePolicy
from collector_tui.domain.placement import PlacementRecord
from collector_tui.services.audit import SYSTEM
from collector_tui.services.database import Database
from collector_tui.services.desk import account_state
from collector_tui.services.desk.activities import apply_activities
from collector_tui.services.law.compliance import lookback, refresh_call_state
from collector_tui.services.money.transactions import apply_transactions
from tests.conftest import NOW
from tests.services.builders import account, activity, place, placement, stale_rows, transaction


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.fixture
def call_state_refreshed(monkeypatch: pytest.MonkeyPatch) -> list[list[int]]:
    """The account ids each import asked to recompute the call state of."""
    calls: list[list[int]] = []
    real = refresh_call_state  # the function account_state imported, and calls by that name

    def spy(
        session: Session,
        ids: Iterable[int],
        now: datetime,
        policy: CompliancePolicy | None = None,
        *,
        with_phones: bool = True,
    ) -> int:
        calls.append(list(ids))
        return real(session, ids, now, policy, with_phones=with_phones)

    monkeypatch.setattr(account_state, "refresh_call_state", spy)
    return calls


def _open(number: str) -> PlacementRecord:
    """A self-pay account of its own guarantor (no insurance pending, so nothing holds its calls)."""
    return placement(
        account_number=number, guarantor_id=f"G{number}", insurance_pending="", patient_responsibility=""
    )


@pytest.fixture
def office(db: Database) -> dict[str, int]:
    place(db, [placement(account_number="A-1"), _open("A-2"), _open("A-3"), _open("A-4")])
    return {n: int(account(db, n).id or 0) for n in ("A-1", "A-2", "A-3", "A-4")}


def test_old_contacts_move_the_score_but_only_recent_ones_the_call_limits(
    db: Database, office: dict[str, int], call_state_refreshed: list[list[int]]
) -> None:
    old = NOW - timedelta(days=40)
    score_before = account(db, "A-2").priority_breakdown
    records = [
        activity(activity_id="OLD", account_number="A-2", occurred_at=_stamp(old), result_code="RPC_PTP"),
        # The oldest contact the frequency rules still read.
        activity(activity_id="EDGE", account_number="A-1", occurred_at=_stamp(NOW - lookback())),
        # A conversation five days ago: no calls for seven days from it.
        activity(
            activity_id="TALK",
            account_number="A-4",
            occurred_at=_stamp(NOW - timedelta(days=5)),
            result_code="RPC_PTP",
        ),
        *(
            activity(
                activity_id=f"NEW-{i}", account_number="A-3", occurred_at=_stamp(NOW - timedelta(hours=i + 1))
            )
            for i in range(7)
        ),
    ]
    with db.writing() as session:
        apply_activities(session, records, actor=SYSTEM, now=NOW)

    assert call_state_refreshed == [sorted([office["A-1"], office["A-3"], office["A-4"]])]
    assert account(db, "A-3").call_frequency_clear_at is not None  # seven attempts: the limit is stored
    assert account(db, "A-4").call_frequency_clear_at is not None
    assert account(db, "A-2").call_frequency_clear_at is None  # a conversation 40 days ago limits nothing
    assert account(db, "A-2").last_contact_at == old
    assert account(db, "A-2").priority_breakdown != score_before  # the old conversation still counts there
    assert stale_rows(db) == 0


def test_payments_that_settle_nothing_leave_the_call_state_alone(
    db: Database, office: dict[str, int], call_state_refreshed: list[list[int]]
) -> None:
    assert account(db, "A-1").call_held  # $310.00 of insurance is pending
    records = [
        transaction(transaction_id="T-1", account_number="A-2", amount="10.00"),  # a partial payment
        transaction(transaction_id="T-2", account_number="A-3", amount="1,560.00"),  # paid in full
        transaction(transaction_id="T-3", account_number="A-1", kind="insurance_payment", amount="310.00"),
    ]
    with db.writing() as session:
        apply_transactions(session, records, actor=SYSTEM, now=NOW)

    assert call_state_refreshed == [sorted([office["A-1"], office["A-3"]])]
    assert not account(db, "A-1").call_held  # insurance settled: the account may be called again
    assert account(db, "A-3").call_held  # paid: nobody calls about it
    assert account(db, "A-2").total_balance_cents == 156_000 - 1_000
    assert stale_rows(db) == 0


def test_a_balance_left_contractual_by_a_co_denial_holds_the_account(db: Database) -> None:
    """A CO-group denial with no patient share: the patient may not be billed for what is left, so
    the account is held (the queue's On hold section, with the reason), from its placement on and
    when a later import changes its claim; the stored state and the engine agree throughout."""
    from collector_tui.domain.compliance.engine import CALL
    from collector_tui.services.law.compliance import verdict_for_account

    contractual = {
        "insurance_pending": "",
        "patient_responsibility": "",
        "claim_status": "denied",
        "claim_denial_codes": "CO-97;M15",
        "claim_patient_share": "0",
    }
    place(
        db,
        [
            placement(account_number="A-1", guarantor_id="G1", **contractual),
            # The patient's own responsibility (PR): billed as usual.
            placement(
                account_number="A-2", guarantor_id="G2", **{**contractual, "claim_denial_codes": "PR-1"}
            ),
        ],
    )
    assert account(db, "A-1").call_held
    assert not account(db, "A-2").call_held
    with db.reading() as session:
        verdict = verdict_for_account(session, "A-1", NOW).verdict
    reasons = [b.reason for b in verdict.actions[CALL].blocks if b.rule_id == "insurance_pending"]
    assert reasons and "contractual" in reasons[0] and "may not be billed" in reasons[0]
    assert stale_rows(db) == 0
    # The payer's corrected remittance names a patient share: the account is the patient's again.
    place(
        db,
        [
            placement(
                account_number="A-1", guarantor_id="G1", **{**contractual, "claim_patient_share": "40.00"}
            )
        ],
    )
    assert not account(db, "A-1").call_held
    assert stale_rows(db) == 0
