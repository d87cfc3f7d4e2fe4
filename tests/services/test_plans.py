"""Payment plans on accounts: inside policy active at once, outside it proposed, approval, agreement."""

from __future__ import annotations

import json
import stat
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from collector_tui.db.models import Account, AuditEvent, Installment, PaymentPlan, Promise, table_of
from collector_tui.domain.plan_schedule import PlanTerms
from collector_tui.services.audit import Actor
from collector_tui.services.database import Database
from collector_tui.services.errors import AccessDeniedError, EntryError
from collector_tui.services.money.plans import (
    PlanRequest,
    agreement,
    approve_plan,
    create_plan,
    decline_plan,
    export_agreement,
    next_check,
    pending_plans,
)
from collector_tui.services.team.identity import resolve_actor
from collector_tui.services.worklists.queue import SECTION_CALL, QueueFilter, queue_page
from collector_tui.vocabulary import PlanStatus
from tests.conftest import NOW

PLAN = table_of(PaymentPlan).c
A = table_of(Account).c


def _actor(db: Database, login: str = "mlopez") -> Actor:
    return resolve_actor(db, act_as=login)


def _fresh_account(db: Database) -> tuple[int, int, int]:
    """(id, version, balance) of a callable account of mlopez with no open plan or promise."""
    account_id = queue_page(db, _actor(db), now=NOW, chosen=QueueFilter(section=SECTION_CALL)).rows[0].id
    with db.writing() as session:
        session.execute(
            table_of(PaymentPlan).update().where(PLAN.account_id == account_id).values(status="cancelled")
        )
        row = session.execute(select(A.version, A.total_balance_cents).where(A.id == account_id)).one()
    return account_id, row.version, row.total_balance_cents


def _terms(balance: int, count: int) -> PlanTerms:
    return PlanTerms(
        balance_cents=balance,
        frequency="monthly",
        first_due=NOW.date() + timedelta(days=10),
        installments=count,
    )


def _plans(db: Database, account_id: int) -> list[PaymentPlan]:
    with db.reading() as session:
        return [
            PaymentPlan(**r._mapping)
            for r in session.execute(
                select(table_of(PaymentPlan)).where(PLAN.account_id == account_id, PLAN.status != "cancelled")
            )
        ]


def test_a_plan_inside_policy_is_active_with_its_installments(office: Database) -> None:
    actor = _actor(office)
    account_id, version, balance = _fresh_account(office)
    with office.writing() as session:  # a pending promise is superseded by the plan
        session.execute(
            table_of(Promise)
            .insert()
            .values(
                account_id=account_id, amount_cents=100, due_date=NOW.date(), status="pending", created_at=NOW
            )
        )
    result = create_plan(office, actor, PlanRequest(account_id, version, _terms(balance, 6)), now=NOW)
    assert result.message.startswith("Plan active") and result.version == version + 1
    (plan,) = _plans(office, account_id)
    assert plan.status == PlanStatus.ACTIVE and plan.installment_count == 6
    with office.reading() as session:
        amounts = (
            session.execute(
                select(table_of(Installment).c.amount_cents).where(table_of(Installment).c.plan_id == plan.id)
            )
            .scalars()
            .all()
        )
        account = session.get(Account, account_id)
        pending = session.execute(
            select(table_of(Promise).c.id).where(
                table_of(Promise).c.account_id == account_id, table_of(Promise).c.status == "pending"
            )
        ).all()
    assert sum(amounts) == balance and len(amounts) == 6
    assert account is not None and account.next_action_at == next_check(plan.first_due_date)
    assert not pending
    # Out of the call list until the first installment's check.
    rows = queue_page(office, actor, now=NOW, chosen=QueueFilter(section=SECTION_CALL), limit=1000).rows
    assert account_id not in [r.id for r in rows]
    with office.reading() as session:
        event = session.execute(
            select(table_of(AuditEvent)).where(
                table_of(AuditEvent).c.action == "plan.create", table_of(AuditEvent).c.entity_id == account_id
            )
        ).one()
    assert json.loads(event.details)["plan"] == plan.id and event.entity_id == account_id


def test_outside_policy_needs_a_reason_and_then_waits_for_approval(office: Database) -> None:
    collector = _actor(office)
    account_id, version, balance = _fresh_account(office)
    too_long = _terms(balance, 60)  # longer than any balance tier allows
    with pytest.raises(EntryError) as refused:
        create_plan(office, collector, PlanRequest(account_id, version, too_long), now=NOW)
    assert (
        refused.value.problems[0][0] == "exception_reason"
        and "outside policy" in refused.value.problems[0][1]
    )
    result = create_plan(
        office,
        collector,
        PlanRequest(account_id, version, too_long, exception_reason="fixed income, approved by phone"),
        now=NOW,
    )
    assert "waits for a supervisor" in result.message
    (plan,) = _plans(office, account_id)
    assert plan.id is not None
    assert (
        plan.status == PlanStatus.PROPOSED
        and plan.policy_exception_reason == "fixed income, approved by phone"
    )
    with office.reading() as session:
        acct = session.get(Account, account_id)
        assert acct is not None and acct.next_action_at is None
    with pytest.raises(EntryError, match="already has"):
        create_plan(office, collector, PlanRequest(account_id, result.version, _terms(balance, 6)), now=NOW)
    with pytest.raises(AccessDeniedError):
        approve_plan(office, collector, plan.id, now=NOW)
    supervisor = _actor(office, "sreed")
    assert [p.plan_id for p in pending_plans(office, supervisor)] == [plan.id]
    approve_plan(office, supervisor, plan.id, now=NOW)
    (approved,) = _plans(office, account_id)
    assert approved.status == PlanStatus.ACTIVE and approved.approved_by_id == supervisor.collector_id
    assert pending_plans(office, supervisor) == []


def test_a_supervisor_may_decline_with_a_reason(office: Database) -> None:
    account_id, version, balance = _fresh_account(office)
    request = PlanRequest(account_id, version, _terms(balance, 60), exception_reason="please")
    create_plan(office, _actor(office), request, now=NOW)
    (plan,) = _plans(office, account_id)
    assert plan.id is not None
    supervisor = _actor(office, "sreed")
    with pytest.raises(EntryError):
        decline_plan(office, supervisor, plan.id, "  ", now=NOW)
    decline_plan(office, supervisor, plan.id, "income proof needed", now=NOW)
    assert _plans(office, account_id) == []


def test_bad_terms_and_balances_name_the_field(office: Database) -> None:
    actor = _actor(office)
    account_id, version, balance = _fresh_account(office)
    with pytest.raises(EntryError) as bigger:
        create_plan(office, actor, PlanRequest(account_id, version, _terms(balance + 1, 6)), now=NOW)
    assert bigger.value.problems[0][0] == "balance"
    with pytest.raises(EntryError) as nonsense:
        create_plan(office, actor, PlanRequest(account_id, version, _terms(balance, 0)), now=NOW)
    assert nonsense.value.problems[0][0] == "terms"


def test_the_agreement_states_what_is_owed_the_schedule_and_a_missed_payment(
    office: Database, tmp_path: Path
) -> None:
    actor = _actor(office)
    account_id, version, balance = _fresh_account(office)
    create_plan(office, actor, PlanRequest(account_id, version, _terms(balance, 3)), now=NOW)
    (plan,) = _plans(office, account_id)
    assert plan.id is not None
    text = agreement(office, actor, plan.id, now=NOW)
    assert "PAYMENT PLAN AGREEMENT" in text and "IF A PAYMENT IS MISSED" in text
    assert "3 payments every month" in text and "Interest: none" in text
    path = export_agreement(office, actor, plan.id, tmp_path / "out" / "agreement.txt", now=NOW)
    assert path.read_text() == text and stat.S_IMODE(path.stat().st_mode) == 0o600


def test_next_check_is_the_day_after_the_grace() -> None:
    assert next_check(date(2026, 12, 31)).isoformat() == "2027-01-06T00:00:00+00:00"  # 5 grace days


def test_a_proposal_is_not_approved_once_the_balance_has_changed(office: Database) -> None:
    from sqlalchemy import update

    from collector_tui.services.errors import ServiceError

    account_id, version, balance = _fresh_account(office)
    request = PlanRequest(account_id, version, _terms(balance, 60), exception_reason="fixed income")
    create_plan(office, _actor(office), request, now=NOW)
    (plan,) = _plans(office, account_id)
    assert plan.id is not None
    with office.writing() as session:  # an insurance payment posts before the supervisor decides
        session.execute(
            update(table_of(Account))
            .where(table_of(Account).c.id == account_id)
            .values(total_balance_cents=balance - 10_000)
        )
    supervisor = _actor(office, "sreed")
    with pytest.raises(ServiceError, match="propose it again"):
        approve_plan(office, supervisor, plan.id, now=NOW)
    (still,) = _plans(office, account_id)
    assert still.status == PlanStatus.PROPOSED
