"""collector_tui.services.money.arrangements and users: promises, level plans, and adding users."""

from __future__ import annotations

from datetime import date

import pytest

from collector_tui.db.models import Account, Collector, Installment, PaymentPlan, Promise
from collector_tui.services.audit import SYSTEM, Actor
from collector_tui.services.database import Database
from collector_tui.services.errors import ServiceError
from collector_tui.services.money.arrangements import add_level_plan, add_promise
from collector_tui.services.team.users import add_user
from collector_tui.vocabulary import InstallmentStatus, PlanFrequency, PlanStatus, PromiseStatus, Role
from tests.conftest import NOW
from tests.services.builders import account, all_rows, audit_events, count, place, placement


@pytest.fixture
def placed(db: Database) -> Account:
    place(db, [placement()])
    return account(db, "A-1001")


def assert_id(value: int | None) -> int:
    assert value is not None
    return value


# --- promises ---------------------------------------------------------------------------------


def test_add_promise_writes_the_promise_and_an_audit_event(db: Database, placed: Account) -> None:
    account_id = assert_id(placed.id)
    with db.writing() as session:
        promise_id = add_promise(
            session, SYSTEM, account_id=account_id, amount_cents=25_000, due_date=date(2026, 12, 5), now=NOW
        )

    [promise] = all_rows(db, Promise)
    assert promise.id == promise_id
    assert (promise.account_id, promise.amount_cents, promise.due_date) == (
        account_id,
        25_000,
        date(2026, 12, 5),
    )
    assert (promise.status, promise.collector_id, promise.created_at, promise.resolved_at) == (
        PromiseStatus.PENDING,
        None,
        NOW,
        None,
    )
    [event] = audit_events(db, "promise.create")
    assert (event.actor, event.entity_type, event.entity_id, event.occurred_at) == (
        "system",
        "account",
        account_id,
        NOW,
    )
    assert event.details == f'{{"promise": {promise_id}}}'


def test_a_resolved_promise_records_when_it_was_resolved(db: Database, placed: Account) -> None:
    with db.writing() as session:
        jsmith = add_user(session, SYSTEM, login="jsmith", display_name="J Smith", role="collector", now=NOW)
        actor = Actor("jsmith", jsmith, Role.COLLECTOR)
        add_promise(
            session,
            actor,
            account_id=assert_id(placed.id),
            amount_cents=1,
            due_date=date(2026, 11, 1),
            now=NOW,
            status=PromiseStatus.KEPT,
        )

    [promise] = all_rows(db, Promise)
    assert (promise.status, promise.resolved_at, promise.collector_id) == (PromiseStatus.KEPT, NOW, jsmith)
    assert [e.actor for e in audit_events(db, "promise.create")] == ["jsmith"]


@pytest.mark.parametrize("amount_cents", [0, -100])
def test_add_promise_rejects_an_amount_that_is_not_positive(
    db: Database, placed: Account, amount_cents: int
) -> None:
    with db.writing() as session, pytest.raises(ServiceError, match="positive"):
        add_promise(
            session,
            SYSTEM,
            account_id=assert_id(placed.id),
            amount_cents=amount_cents,
            due_date=date(2026, 12, 5),
            now=NOW,
        )

    assert count(db, Promise) == 0
    assert audit_events(db, "promise.create") == []


def test_add_promise_rejects_an_unknown_status(db: Database, placed: Account) -> None:
    with db.writing() as session, pytest.raises(ServiceError):
        add_promise(
            session,
            SYSTEM,
            account_id=assert_id(placed.id),
            amount_cents=100,
            due_date=date(2026, 12, 5),
            now=NOW,
            status="maybe",
        )
    assert count(db, Promise) == 0


# --- level plans ------------------------------------------------------------------------------


def add_plan(
    db: Database,
    account_id: int,
    *,
    principal_cents: int,
    count: int,
    first_due: date,
    frequency: str = PlanFrequency.MONTHLY,
    paid: int = 0,
) -> int:
    with db.writing() as session:
        return add_level_plan(
            session,
            SYSTEM,
            account_id=account_id,
            principal_cents=principal_cents,
            installment_count=count,
            frequency=frequency,
            first_due_date=first_due,
            now=NOW,
            installments_paid=paid,
        )


def installments(db: Database, plan_id: int) -> list[Installment]:
    return sorted(all_rows(db, Installment, Installment.plan_id == plan_id), key=lambda i: i.sequence)


def test_a_level_plan_sums_to_the_principal_with_month_end_dates(db: Database, placed: Account) -> None:
    account_id = assert_id(placed.id)
    plan_id = add_plan(db, account_id, principal_cents=100_000, count=4, first_due=date(2027, 1, 31), paid=1)

    [plan] = all_rows(db, PaymentPlan)
    assert plan.id == plan_id
    assert (plan.account_id, plan.principal_cents, plan.installment_count, plan.installment_cents) == (
        account_id,
        100_000,
        4,
        25_000,
    )
    assert (plan.frequency, plan.status, plan.first_due_date, plan.created_at) == (
        PlanFrequency.MONTHLY,
        PlanStatus.ACTIVE,
        date(2027, 1, 31),
        NOW,
    )
    rows = installments(db, plan_id)
    assert [i.sequence for i in rows] == [1, 2, 3, 4]
    assert [i.due_date for i in rows] == [
        date(2027, 1, 31),
        date(2027, 2, 28),
        date(2027, 3, 31),
        date(2027, 4, 30),
    ]
    assert sum(i.amount_cents for i in rows) == 100_000
    assert [(i.status, i.paid_cents) for i in rows] == [
        (InstallmentStatus.PAID, 25_000),
        (InstallmentStatus.SCHEDULED, 0),
        (InstallmentStatus.SCHEDULED, 0),
        (InstallmentStatus.SCHEDULED, 0),
    ]
    [event] = audit_events(db, "plan.create")
    assert (event.entity_id, event.details) == (account_id, f'{{"plan": {plan_id}}}')


def test_a_plan_that_does_not_divide_evenly_still_sums_to_the_principal(
    db: Database, placed: Account
) -> None:
    plan_id = add_plan(
        db, assert_id(placed.id), principal_cents=1_000_000, count=36, first_due=date(2027, 1, 15), paid=3
    )

    rows = installments(db, plan_id)
    assert len(rows) == 36
    assert sum(i.amount_cents for i in rows) == 1_000_000
    assert [i.amount_cents for i in rows[:-1]] == [27_778] * 35
    assert rows[-1].amount_cents == 27_770
    assert [i.status for i in rows].count(InstallmentStatus.PAID) == 3
    assert all(i.status == InstallmentStatus.PAID for i in rows[:3])
    assert rows[-1].due_date == date(2029, 12, 15)


def test_monthly_dates_clamp_to_a_leap_february(db: Database, placed: Account) -> None:
    plan_id = add_plan(db, assert_id(placed.id), principal_cents=30_000, count=3, first_due=date(2028, 1, 31))

    assert [i.due_date for i in installments(db, plan_id)] == [
        date(2028, 1, 31),
        date(2028, 2, 29),
        date(2028, 3, 31),
    ]


def test_a_plan_with_every_installment_paid(db: Database, placed: Account) -> None:
    plan_id = add_plan(
        db, assert_id(placed.id), principal_cents=1_000, count=3, first_due=date(2026, 9, 1), paid=3
    )

    rows = installments(db, plan_id)
    assert [i.status for i in rows] == [InstallmentStatus.PAID] * 3
    assert [i.paid_cents for i in rows] == [i.amount_cents for i in rows]
    assert sum(i.paid_cents for i in rows) == 1_000


@pytest.mark.parametrize(
    ("frequency", "paid"),
    [("fortnightly", 0), (PlanFrequency.MONTHLY, 4), (PlanFrequency.MONTHLY, -1)],
)
def test_add_level_plan_rejects_bad_frequency_or_paid_count(
    db: Database, placed: Account, frequency: str, paid: int
) -> None:
    with pytest.raises(ServiceError):
        add_plan(
            db,
            assert_id(placed.id),
            principal_cents=1_000,
            count=3,
            first_due=date(2027, 1, 1),
            frequency=frequency,
            paid=paid,
        )
    assert count(db, PaymentPlan) == 0
    assert count(db, Installment) == 0


# --- users ------------------------------------------------------------------------------------


def test_add_user_writes_an_active_collector_and_an_audit_event(db: Database) -> None:
    with db.writing() as session:
        user_id = add_user(
            session, SYSTEM, login="jsmith", display_name="J Smith", role="supervisor", now=NOW, case_limit=50
        )

    [user] = all_rows(db, Collector)
    assert (user.id, user.login, user.display_name, user.role) == (user_id, "jsmith", "J Smith", "supervisor")
    assert (user.active, user.case_limit, user.created_at) == (True, 50, NOW)
    [event] = audit_events(db, "user.add")
    assert (event.entity_type, event.entity_id, event.details) == (
        "collector",
        user_id,
        '{"role": "supervisor"}',
    )


def test_add_user_rejects_a_duplicate_login(db: Database) -> None:
    with db.writing() as session:
        add_user(session, SYSTEM, login="jsmith", display_name="J Smith", role="collector", now=NOW)

    with db.writing() as session, pytest.raises(ServiceError, match="already exists"):
        add_user(session, SYSTEM, login="jsmith", display_name="Another", role="admin", now=NOW)

    assert [(u.login, u.display_name) for u in all_rows(db, Collector)] == [("jsmith", "J Smith")]
    assert len(audit_events(db, "user.add")) == 1


@pytest.mark.parametrize("role", ["manager", "", "Collector"])
def test_add_user_rejects_an_unknown_role(db: Database, role: str) -> None:
    with db.writing() as session, pytest.raises(ServiceError, match="unknown role"):
        add_user(session, SYSTEM, login="jsmith", display_name="J Smith", role=role, now=NOW)

    assert count(db, Collector) == 0
    assert audit_events(db) == []


@pytest.mark.parametrize("login", ["", "j smith"])
def test_add_user_rejects_a_login_that_is_not_one_word(db: Database, login: str) -> None:
    with db.writing() as session, pytest.raises(ServiceError, match="one word"):
        add_user(session, SYSTEM, login=login, display_name="J Smith", role="collector", now=NOW)

    assert count(db, Collector) == 0
