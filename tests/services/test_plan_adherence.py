"""collector_tui.services.money.plan_adherence: the nightly evaluation on a real SQLite file.

Plans and promises recorded weeks ago, payments and returned payments imported as the nightly run
imports them, then judged as of a day: installments, plan and promise statuses, the account's
next_action_at (the queue's parking), its priority, the timeline and the audit log. A second run
for the same day writes nothing.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from collector_tui.db.models import (
    Account,
    AccountTransaction,
    Activity,
    AuditEvent,
    Installment,
    PaymentPlan,
    Promise,
    table_of,
)
from collector_tui.domain.priority import TIER_PROMISE, TIER_WEIGHT, factors_from_json
from collector_tui.services.audit import SYSTEM
from collector_tui.services.database import Database
from collector_tui.services.errors import ServiceError
from collector_tui.services.money.arrangements import add_level_plan, add_promise
from collector_tui.services.money.plan_adherence import BATCH, AdherenceCounts, evaluate_adherence
from collector_tui.services.money.transactions import apply_transactions
from collector_tui.services.team.identity import resolve_actor
from collector_tui.services.worklists.queue import SECTION_CALL, QueueFilter, queue_page
from collector_tui.vocabulary import PlanStatus, PromiseStatus, TransactionKind
from tests.conftest import NOW
from tests.services.builders import account, all_rows, audit_events, count, place, placement, transaction

CREATED = datetime(2026, 9, 1, 15, tzinfo=UTC)
SEP, OCT, NOV = date(2026, 9, 15), date(2026, 10, 15), date(2026, 11, 15)
A = table_of(Account).c


@pytest.fixture
def account_id(db: Database) -> int:
    place(db, [placement()])  # A-1001: $1,250.00 the patient owes
    found = account(db, "A-1001").id
    assert found is not None
    return found


def new_plan(db: Database, account_id: int, *, count: int = 3, principal: int = 30_000) -> int:
    """$100.00 a month from Sep 15, recorded on Sep 1."""
    with db.writing() as session:
        return add_level_plan(
            session,
            SYSTEM,
            account_id=account_id,
            principal_cents=principal,
            installment_count=count,
            frequency="monthly",
            first_due_date=SEP,
            now=CREATED,
        )


def pay(db: Database, tx_id: str, amount: str, day: date, *, reverses: str = "") -> None:
    record = transaction(
        transaction_id=tx_id,
        kind="reversal" if reverses else "payment",
        amount=amount,
        posted_at=f"{day.isoformat()}T14:00:00Z",
        reverses_transaction_id=reverses,
        method="check",
        reference="NSF" if reverses else "REF",
    )
    with db.writing() as session:
        result = apply_transactions(session, [record], actor=SYSTEM, now=CREATED)
        assert result.inserted == 1, result.rejected


def run(db: Database, as_of: date, *, batch: int = BATCH) -> AdherenceCounts:
    """The nightly run of ``as_of``, at 03:00 UTC that day."""
    return evaluate_adherence(
        db,
        as_of=as_of,
        now=datetime.combine(as_of, datetime.min.time(), UTC) + timedelta(hours=3),
        batch=batch,
    )


def installments(db: Database, plan_id: int) -> list[tuple[int, str]]:
    rows = all_rows(db, Installment, Installment.plan_id == plan_id)
    return [(r.paid_cents, r.status) for r in sorted(rows, key=lambda r: r.sequence)]


def plan_status(db: Database, plan_id: int) -> str:
    [plan] = all_rows(db, PaymentPlan, PaymentPlan.id == plan_id)
    return plan.status


def nightly_lines(db: Database, account_id: int) -> list[Activity]:
    return all_rows(db, Activity, Activity.account_id == account_id, Activity.source == "nightly")


# --- plans ----------------------------------------------------------------------------------------


def test_a_plan_on_track_parks_its_account_until_the_next_check(db: Database, account_id: int) -> None:
    plan_id = new_plan(db, account_id)
    pay(db, "P-1", "100.00", SEP)
    version = account(db, "A-1001").version
    counts = run(db, date(2026, 9, 25))
    assert counts.plans == {"checked": 1, "on_track": 1, "behind": 0, "completed": 0, "broken": 0}
    assert installments(db, plan_id) == [(10_000, "paid"), (0, "scheduled"), (0, "scheduled")]
    after = account(db, "A-1001")
    # UTC midnight starting the day after October's due date plus 5 grace days.
    assert after.next_action_at == datetime(2026, 10, 21, tzinfo=UTC)
    assert after.version == version + 1
    assert nightly_lines(db, account_id) == []  # nothing to say in the timeline


def test_a_payment_in_the_grace_days_is_on_time_and_one_short_by_the_tolerance_counts(
    db: Database, account_id: int
) -> None:
    plan_id = new_plan(db, account_id)
    pay(db, "P-1", "99.00", SEP + timedelta(days=5))  # the last grace day, $1.00 short
    run(db, date(2026, 9, 21))
    assert installments(db, plan_id)[0] == (9_900, "paid")
    assert plan_status(db, plan_id) == PlanStatus.ACTIVE


def test_one_late_installment_returns_the_account_and_two_break_the_plan(
    db: Database, account_id: int
) -> None:
    plan_id = new_plan(db, account_id, count=6, principal=60_000)
    run(db, date(2026, 9, 20))  # September's grace is not over: parked until it is
    assert account(db, "A-1001").next_action_at == datetime(2026, 9, 21, tzinfo=UTC)

    behind = run(db, date(2026, 9, 21))
    assert behind.plans["behind"] == 1 and behind.accounts_returned == 1
    assert installments(db, plan_id)[0] == (0, "missed")
    assert account(db, "A-1001").next_action_at is None  # back in the calling order
    [line] = nightly_lines(db, account_id)
    assert line.note is not None and line.note.startswith("Payment plan behind")
    assert "1 more late installment breaks the plan" in line.note

    quiet = run(db, date(2026, 10, 1))  # still behind: nothing new to say
    assert quiet.activities == 0 and len(nightly_lines(db, account_id)) == 1

    broken = run(db, date(2026, 10, 21))
    assert broken.plans["broken"] == 1
    assert plan_status(db, plan_id) == PlanStatus.BROKEN
    assert [s for _, s in installments(db, plan_id)] == ["missed", "missed"] + ["scheduled"] * 4
    note = nightly_lines(db, account_id)[-1].note
    assert note is not None and note.startswith("Payment plan broken: 2 consecutive late installments")
    [event] = audit_events(db, "plan.broken")
    assert (event.entity_type, event.entity_id, event.actor) == ("account", account_id, "system")
    details = json.loads(event.details or "{}")
    assert details["plan"] == plan_id and details["installments"] == [1, 2]


def test_a_broken_plan_puts_the_account_in_the_promise_tier(db: Database, account_id: int) -> None:
    new_plan(db, account_id)
    run(db, date(2026, 10, 21))
    after = account(db, "A-1001")
    assert after.next_action_at is None
    assert after.priority_score // TIER_WEIGHT == 2 - TIER_PROMISE
    assert ("plan broken", "2026-10-15") in [
        (f.name, f.value) for f in factors_from_json(after.priority_breakdown)
    ]


def test_a_returned_payment_reopens_the_installment_it_paid(db: Database, account_id: int) -> None:
    plan_id = new_plan(db, account_id)
    pay(db, "P-1", "100.00", SEP)
    run(db, date(2026, 9, 25))
    assert installments(db, plan_id)[0] == (10_000, "paid")
    pay(db, "NSF-1", "100.00", date(2026, 9, 26), reverses="P-1")
    counts = run(db, date(2026, 9, 27))
    assert counts.plans["behind"] == 1
    assert installments(db, plan_id)[0] == (0, "missed")
    assert account(db, "A-1001").next_action_at is None
    note = nightly_lines(db, account_id)[-1].note
    assert note is not None and "A returned payment reopened installment 1." in note


def test_an_overpayment_advances_the_schedule(db: Database, account_id: int) -> None:
    plan_id = new_plan(db, account_id)
    pay(db, "P-1", "250.00", date(2026, 9, 10))
    run(db, date(2026, 9, 25))
    assert installments(db, plan_id) == [(10_000, "paid"), (10_000, "paid"), (5_000, "partial")]
    assert account(db, "A-1001").next_action_at == datetime(2026, 11, 21, tzinfo=UTC)  # November's check


def test_a_completed_plan_closes(db: Database, account_id: int) -> None:
    plan_id = new_plan(db, account_id)
    pay(db, "P-1", "150.00", SEP)
    pay(db, "P-2", "150.00", OCT)
    counts = run(db, date(2026, 10, 16))
    assert counts.plans["completed"] == 1
    assert plan_status(db, plan_id) == PlanStatus.COMPLETED
    assert installments(db, plan_id) == [(10_000, "paid")] * 3
    assert account(db, "A-1001").next_action_at is None
    [line] = nightly_lines(db, account_id)
    assert (line.channel, line.direction, line.outcome_code) == ("note", "none", "PLAN")
    assert line.note == "Payment plan completed: $300.00 of $300.00 paid; the plan is closed."
    [event] = audit_events(db, "plan.completed")
    assert json.loads(event.details or "{}")["activity"] == line.id
    assert run(db, date(2026, 10, 17)).plans["checked"] == 0  # closed plans are not read again


def test_payments_before_the_plan_was_recorded_do_not_count(db: Database, account_id: int) -> None:
    pay(db, "P-0", "100.00", date(2026, 8, 30))
    plan_id = new_plan(db, account_id)
    run(db, date(2026, 9, 21))
    assert installments(db, plan_id)[0] == (0, "missed")


# --- promises ---------------------------------------------------------------------------------------


def new_promise(db: Database, account_id: int, cents: int = 5_000, due: date = OCT) -> int:
    with db.writing() as session:
        return add_promise(
            session, SYSTEM, account_id=account_id, amount_cents=cents, due_date=due, now=CREATED
        )


def promise_status(db: Database, promise_id: int) -> tuple[str, datetime | None]:
    [promise] = all_rows(db, Promise, Promise.id == promise_id)
    return promise.status, promise.resolved_at


def test_a_promise_kept(db: Database, account_id: int) -> None:
    promise_id = new_promise(db, account_id)
    pay(db, "P-1", "50.00", date(2026, 10, 14))
    counts = run(db, date(2026, 10, 15))
    assert counts.promises == {"checked": 1, "pending": 0, "kept": 1, "partly_kept": 0, "broken": 0}
    assert promise_status(db, promise_id) == ("kept", datetime(2026, 10, 15, 3, tzinfo=UTC))
    [line] = nightly_lines(db, account_id)
    assert (
        line.outcome_code == "PROMISE" and line.note == "Promise kept: $50.00 due 2026-10-15; $50.00 arrived."
    )
    assert len(audit_events(db, "promise.kept")) == 1


def test_a_promise_partly_kept_is_recorded_as_broken_with_what_arrived(db: Database, account_id: int) -> None:
    promise_id = new_promise(db, account_id)
    pay(db, "P-1", "30.00", date(2026, 10, 14))
    assert run(db, date(2026, 10, 20)).promises["pending"] == 1  # the grace runs to Oct 20
    counts = run(db, date(2026, 10, 21))
    assert counts.promises["partly_kept"] == 1 and counts.accounts_returned == 1
    assert promise_status(db, promise_id)[0] == PromiseStatus.BROKEN
    note = nightly_lines(db, account_id)[-1].note
    assert note is not None and note.startswith("Promise partly kept: $30.00 of $50.00 due 2026-10-15")
    [event] = audit_events(db, "promise.broken")
    assert json.loads(event.details or "{}")["outcome"] == "partly_kept"


def test_a_promise_broken_puts_the_account_in_the_promise_tier(db: Database, account_id: int) -> None:
    promise_id = new_promise(db, account_id, due=date(2026, 11, 20))
    counts = evaluate_adherence(db, as_of=NOW.date(), now=NOW)
    assert counts.promises["broken"] == 1
    assert promise_status(db, promise_id)[0] == PromiseStatus.BROKEN
    after = account(db, "A-1001")
    assert after.priority_score // TIER_WEIGHT == 2 - TIER_PROMISE
    assert "promise broken" in [f.name for f in factors_from_json(after.priority_breakdown)]
    note = nightly_lines(db, account_id)[-1].note
    assert note == (
        "Promise broken: nothing of $50.00 due 2026-11-20 arrived by 2026-11-25 "
        "(5 grace days, $1.00 tolerance). Back in the calling order."
    )


# --- the run ------------------------------------------------------------------------------------------


def test_a_second_run_for_the_same_day_writes_nothing(db: Database, account_id: int) -> None:
    place(db, [placement(account_number="A-1002", guarantor_id="G-2")])
    other = account(db, "A-1002").id
    assert other is not None
    plan_id = new_plan(db, account_id, count=6, principal=60_000)
    new_plan(db, other)
    pay(db, "P-1", "100.00", SEP)
    new_promise(db, other)
    first = run(db, date(2026, 10, 21))
    assert first.plans["broken"] == 1 and first.plans["behind"] == 1 and first.promises["broken"] == 1
    snapshot = (
        count(db, Activity),
        count(db, AuditEvent),
        installments(db, plan_id),
        [(a.version, a.next_action_at, a.priority_score) for a in all_rows(db, Account)],
    )
    again = run(db, date(2026, 10, 21))
    assert (again.installments_updated, again.accounts_updated, again.activities) == (0, 0, 0)
    assert again.plans == {"checked": 1, "on_track": 0, "behind": 1, "completed": 0, "broken": 0}
    assert (
        count(db, Activity),
        count(db, AuditEvent),
        installments(db, plan_id),
        [(a.version, a.next_action_at, a.priority_score) for a in all_rows(db, Account)],
    ) == snapshot
    [summary] = audit_events(db, "plans.evaluate")  # the first run's, with its counts
    details = json.loads(summary.details or "{}")
    assert (details["as_of"], details["plans_broken"], details["promises_broken"]) == ("2026-10-21", 1, 1)


def test_the_as_of_day_cannot_be_after_today(db: Database) -> None:
    with pytest.raises(ServiceError, match="after today"):
        evaluate_adherence(db, as_of=NOW.date() + timedelta(days=1), now=NOW)


def test_the_demo_office_in_batches(office: Database) -> None:
    """Small batches find what one batch finds; the office's second run writes nothing."""
    as_of = NOW.date() + timedelta(days=40)
    now = datetime.combine(as_of, datetime.min.time(), UTC) + timedelta(hours=3)
    with office.reading() as session:
        active = session.execute(
            select(func.count()).where(table_of(PaymentPlan).c.status == PlanStatus.ACTIVE)
        ).scalar_one()
        pending = session.execute(
            select(func.count()).where(table_of(Promise).c.status == PromiseStatus.PENDING)
        ).scalar_one()
    counts = evaluate_adherence(office, as_of=as_of, now=now, batch=2)
    assert counts.plans["checked"] == active > 0 and counts.promises["checked"] == pending > 0
    assert sum(v for k, v in counts.plans.items() if k != "checked") == active
    assert sum(v for k, v in counts.promises.items() if k != "checked") == pending
    closed = counts.plans["broken"] + counts.plans["completed"]
    again = evaluate_adherence(office, as_of=as_of, now=now)
    assert again.plans["checked"] == active - closed and again.activities == 0 and not again.changed


def test_a_broken_plan_brings_the_account_back_to_the_call_list(office: Database) -> None:
    actor = resolve_actor(office, act_as="mlopez")
    tx = table_of(AccountTransaction).c
    with office.reading() as session:
        paying = set(
            session.execute(select(tx.account_id).where(tx.kind == TransactionKind.PAYMENT)).scalars()
        )
    page = queue_page(office, actor, now=NOW, chosen=QueueFilter(section=SECTION_CALL), limit=200)
    account_id = next(row.id for row in page.rows if row.id not in paying and row.tier != TIER_PROMISE)
    with office.writing() as session:
        plans = table_of(PaymentPlan)
        session.execute(update(plans).where(plans.c.account_id == account_id).values(status="cancelled"))
        add_level_plan(
            session,
            SYSTEM,
            account_id=account_id,
            principal_cents=30_000,
            installment_count=3,
            frequency="monthly",
            first_due_date=SEP,
            now=CREATED,
        )
        # Parked by the plan, as creating it through the workspace does.
        session.execute(
            update(table_of(Account)).where(A.id == account_id).values(next_action_at=NOW + timedelta(days=1))
        )
    parked = queue_page(office, actor, now=NOW, chosen=QueueFilter(section=SECTION_CALL), limit=500)
    assert account_id not in [row.id for row in parked.rows]

    counts = evaluate_adherence(office, as_of=NOW.date(), now=NOW)
    assert counts.plans["broken"] >= 1

    page = queue_page(office, actor, now=NOW, chosen=QueueFilter(section=SECTION_CALL), limit=500)
    [row] = [row for row in page.rows if row.id == account_id]
    assert row.tier == TIER_PROMISE and row.next_action_at is None
    assert "plan broken" in [f.name for f in row.factors]
    ahead = [r for r in page.rows[: page.rows.index(row)] if r.tier > TIER_PROMISE]
    assert ahead == []  # only callbacks and promises come before it
