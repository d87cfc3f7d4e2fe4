"""Issue 17, money under control: a plan is on the balance; settlements forgive only when paid as agreed.

On real SQLite files: the demo office (``office``) for the workspace's services and the approval list,
and one placed account (``db``) for the nightly evaluation that completes or breaks a settlement.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from collector_tui.db.models import AccountTransaction, PaymentPlan, table_of
from collector_tui.domain.plan_schedule import PlanTerms
from collector_tui.services.database import Database
from collector_tui.services.desk.account_actions import place_hold
from collector_tui.services.desk.accounts import account_detail
from collector_tui.services.errors import EntryError
from collector_tui.services.law.policy import current_plan_policy
from collector_tui.services.money.plans import PlanRequest, create_plan, pending_plans
from collector_tui.services.team.approvals import KIND_PLAN, list_approvals
from collector_tui.vocabulary import PlanKind, PlanStatus, TransactionKind
from tests.conftest import NOW
from tests.services.builders import account, all_rows, audit_events, event_details, place, placement
from tests.services.test_plan_adherence import NOV, OCT, SEP, installments, new_plan, pay, plan_status, run
from tests.services.test_plans import _actor, _fresh_account, _plans

PLAN = table_of(PaymentPlan).c


@pytest.fixture
def account_id(db: Database) -> int:
    place(db, [placement()])  # A-1001: $1,250.00 the patient owes
    found = account(db, "A-1001").id
    assert found is not None
    return found


def _terms(balance: int, count: int = 6, down: int = 0) -> PlanTerms:
    return PlanTerms(
        balance_cents=balance,
        frequency="monthly",
        first_due=NOW.date() + timedelta(days=10),
        installments=count,
        down_payment_cents=down,
    )


# --- 1. the plan's balance is the account's ---------------------------------------------------------


def test_a_plan_on_less_than_the_balance_is_refused(office: Database) -> None:
    """Typing $500.00 on a larger balance made an active 6 x $83.33 plan "within policy": refused now."""
    actor = _actor(office)
    account_id, version, balance = _fresh_account(office)
    assert balance > 50_000
    with pytest.raises(EntryError) as refused:
        create_plan(office, actor, PlanRequest(account_id, version, _terms(50_000)), now=NOW)
    assert [field for field, _ in refused.value.problems] == ["balance"]
    assert "cannot be set" in refused.value.problems[0][1]
    assert _plans(office, account_id) == []
    with pytest.raises(EntryError):  # nor more than it
        create_plan(office, actor, PlanRequest(account_id, version, _terms(balance + 1)), now=NOW)


def test_the_principal_is_the_balance_less_the_down_payment(office: Database) -> None:
    actor = _actor(office)
    account_id, version, balance = _fresh_account(office)
    result = create_plan(
        office, actor, PlanRequest(account_id, version, _terms(balance, down=10_000)), now=NOW
    )
    (plan,) = _plans(office, account_id)
    assert (plan.principal_cents, plan.down_payment_cents) == (balance - 10_000, 10_000)
    # The workspace is told to take the down payment now.
    assert (result.next_step, result.amount_cents) == ("payment", 10_000)
    assert "$100.00 down today" in result.message


# --- 2. settlements ---------------------------------------------------------------------------------


def _most(office: Database, account_id: int, balance: int) -> int:
    age = account_detail(office, _actor(office), account_id, now=NOW).age_days
    return current_plan_policy().settlement.max_forgiven_cents(balance, age)


def _settle(
    office: Database, forgiven: int, *, reason: str = "hardship: lost job", exception: str | None = None
) -> tuple[int, int, int]:
    actor = _actor(office)
    account_id, version, balance = _fresh_account(office)
    request = PlanRequest(
        account_id,
        version,
        _terms(balance - forgiven),
        kind=PlanKind.SETTLEMENT,
        forgiven_cents=forgiven,
        settlement_reason=reason,
        exception_reason=exception,
    )
    create_plan(office, actor, request, now=NOW)
    return account_id, version, balance


def test_a_settlement_needs_a_reason_and_its_balance_is_less_what_it_forgives(office: Database) -> None:
    actor = _actor(office)
    account_id, version, balance = _fresh_account(office)
    no_reason = PlanRequest(
        account_id, version, _terms(balance - 100), kind=PlanKind.SETTLEMENT, forgiven_cents=100
    )
    with pytest.raises(EntryError) as refused:
        create_plan(office, actor, no_reason, now=NOW)
    assert "settlement_reason" in [field for field, _ in refused.value.problems]
    wrong_balance = PlanRequest(
        account_id,
        version,
        _terms(balance),  # the whole balance, though 100 is forgiven
        kind=PlanKind.SETTLEMENT,
        forgiven_cents=100,
        settlement_reason="hardship",
    )
    with pytest.raises(EntryError) as refused:
        create_plan(office, actor, wrong_balance, now=NOW)
    assert [field for field, _ in refused.value.problems] == ["balance"]
    plain_plan_forgiving = PlanRequest(account_id, version, _terms(balance - 100), forgiven_cents=100)
    with pytest.raises(EntryError):
        create_plan(office, actor, plain_plan_forgiving, now=NOW)
    assert _plans(office, account_id) == []


def test_a_settlement_within_the_policy_is_active_and_forgives_nothing_yet(office: Database) -> None:
    account_id, _, balance = _fresh_account(office)
    forgiven = min(_most(office, account_id, balance), 100)
    assert forgiven > 0, "the shipped policy lets a collector forgive a little on this account"
    account_id, _, balance = _settle(office, forgiven)
    (plan,) = _plans(office, account_id)
    assert (plan.kind, plan.status, plan.forgiven_cents) == (PlanKind.SETTLEMENT, PlanStatus.ACTIVE, forgiven)
    assert plan.principal_cents == balance - forgiven and plan.settlement_reason == "hardship: lost job"
    [details] = event_details(office, "settlement.create", account_id)
    assert details["plan"] == plan.id and details["forgiven_cents"] == forgiven
    with office.reading() as session:  # nothing posts until it is paid as agreed
        assert not session.execute(
            select(table_of(AccountTransaction).c.id).where(
                table_of(AccountTransaction).c.account_id == account_id,
                table_of(AccountTransaction).c.kind == TransactionKind.ADJUSTMENT,
                table_of(AccountTransaction).c.posted_at >= NOW,
            )
        ).all()


def test_a_settlement_beyond_the_policy_waits_for_a_supervisor_saying_what_it_breaks(
    office: Database,
) -> None:
    account_id, _, balance = _fresh_account(office)
    forgiven = _most(office, account_id, balance) + 100
    account_id, _, balance = _settle(office, forgiven)
    (plan,) = _plans(office, account_id)
    assert plan.status == PlanStatus.PROPOSED and plan.policy_exception_reason == "hardship: lost job"
    assert event_details(office, "settlement.propose", account_id)[0]["rules"] == ["settlement"]
    supervisor = _actor(office, "sreed")
    (pending,) = [p for p in pending_plans(office, supervisor) if p.plan_id == plan.id]
    assert pending.kind == PlanKind.SETTLEMENT and pending.rules == ("settlement",)
    (item,) = [a for a in list_approvals(office, supervisor) if a.kind == KIND_PLAN and a.id == plan.id]
    assert item.kind_label == "settlement" and item.balance_cents == balance
    assert "forgives more than the settlement policy allows" in item.breaks
    assert "forgiven when paid as agreed" in item.changes and "hardship: lost job" in item.why


def test_the_approval_list_says_the_account_is_disputed(office: Database) -> None:
    collector, supervisor = _actor(office), _actor(office, "sreed")
    account_id, version, balance = _fresh_account(office)
    create_plan(
        office,
        collector,
        PlanRequest(account_id, version, _terms(balance, count=60), exception_reason="fixed income"),
        now=NOW,
    )
    version = account_detail(office, collector, account_id, now=NOW).version
    place_hold(
        office, collector, account_id, version, "dispute", "says it was paid", now=NOW, received_via="oral"
    )
    (item,) = [a for a in list_approvals(office, supervisor) if a.account_id == account_id]
    assert item.holds == ("dispute",) and "Disputed debt" in item.hold_words
    assert item.balance_cents == balance and item.why == "fixed income"
    assert item.breaks == ("term longer than the balance's tier allows",)


# --- 2. paid as agreed: forgiven; broken: nothing forgiven -------------------------------------------


def _as_settlement(db: Database, plan_id: int, forgiven: int) -> None:
    with db.writing() as session:
        session.execute(
            update(table_of(PaymentPlan))
            .where(PLAN.id == plan_id)
            .values(kind=PlanKind.SETTLEMENT, forgiven_cents=forgiven, settlement_reason="hardship")
        )


def test_a_settlement_paid_as_agreed_forgives_the_rest_as_an_adjustment(
    db: Database, account_id: int
) -> None:
    # A-1001: settled for $300.00 (3 x $100.00), the rest forgiven when paid.
    balance = account(db, "A-1001").total_balance_cents
    forgiven = balance - 30_000
    plan_id = new_plan(db, account_id)
    _as_settlement(db, plan_id, forgiven)
    pay(db, "P-1", "150.00", SEP)
    pay(db, "P-2", "150.00", OCT)
    assert account(db, "A-1001").total_balance_cents == forgiven
    counts = run(db, OCT + timedelta(days=1))
    assert counts.plans["completed"] == 1 and plan_status(db, plan_id) == PlanStatus.COMPLETED
    assert account(db, "A-1001").total_balance_cents == 0
    adjustments = all_rows(
        db,
        AccountTransaction,
        AccountTransaction.account_id == account_id,
        AccountTransaction.kind == "adjustment",
    )
    assert [(t.amount_cents, t.external_id) for t in adjustments] == [(-forgiven, f"settlement-{plan_id}")]
    [event] = audit_events(db, "settlement.forgiven")
    assert json.loads(event.details or "{}")["forgiven_cents"] == forgiven
    run(db, OCT + timedelta(days=2))  # a second run forgives nothing more
    assert account(db, "A-1001").total_balance_cents == 0
    assert len(audit_events(db, "settlement.forgiven")) == 1


def test_a_broken_settlement_forgives_nothing(db: Database, account_id: int) -> None:
    balance = account(db, "A-1001").total_balance_cents
    plan_id = new_plan(db, account_id)
    _as_settlement(db, plan_id, balance - 30_000)
    pay(db, "P-1", "100.00", SEP)  # then nothing: October and November are missed
    run(db, NOV + timedelta(days=10))
    assert plan_status(db, plan_id) == PlanStatus.BROKEN
    # The whole balance is still owed: nothing forgiven.
    assert account(db, "A-1001").total_balance_cents == balance - 10_000
    assert not all_rows(db, AccountTransaction, AccountTransaction.kind == "adjustment")
    assert not audit_events(db, "settlement.forgiven")


# --- 3. a down payment pays itself, not the first installment ---------------------------------------


def test_the_down_payment_taken_pays_the_down_payment_not_the_first_installment(
    db: Database, account_id: int
) -> None:
    plan_id = new_plan(db, account_id)
    with db.writing() as session:
        session.execute(
            update(table_of(PaymentPlan)).where(PLAN.id == plan_id).values(down_payment_cents=5_000)
        )
    pay(db, "D-1", "50.00", SEP.replace(day=2))  # the down payment, the day after the plan was made
    pay(db, "P-1", "100.00", SEP)
    run(db, SEP + timedelta(days=10))
    assert installments(db, plan_id) == [(10_000, "paid"), (0, "scheduled"), (0, "scheduled")]
