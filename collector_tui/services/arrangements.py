"""Promises to pay and payment plans recorded on an account."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import insert
from sqlmodel import Session

from collector_tui.domain.plan_schedule import due_dates, level_installments
from collector_tui.services import audit
from collector_tui.services.audit import Actor
from collector_tui.services.bulk import insert_rows
from collector_tui.services.errors import ServiceError
from db import codes
from db.models import Installment, PaymentPlan, Promise, table_of

PROMISE_T = table_of(Promise)
PLAN_T = table_of(PaymentPlan)
INSTALLMENT_T = table_of(Installment)


def add_promise(
    session: Session,
    actor: Actor,
    *,
    account_id: int,
    amount_cents: int,
    due_date: date,
    now: datetime,
    status: str = codes.PROMISE_PENDING,
) -> int:
    if amount_cents <= 0:
        raise ServiceError("a promise must be for a positive amount")
    if status not in codes.PROMISE_STATUSES:
        raise ServiceError(f"unknown promise status {status!r}")
    promise_id = session.execute(
        insert(PROMISE_T)
        .values(
            account_id=account_id,
            collector_id=actor.collector_id,
            amount_cents=amount_cents,
            due_date=due_date,
            status=status,
            created_at=now,
            resolved_at=None if status == codes.PROMISE_PENDING else now,
        )
        .returning(PROMISE_T.c.id)
    ).scalar_one()
    audit.record(
        session,
        actor,
        "promise.create",
        "account",
        [account_id],
        at=now,
        details={"promise": promise_id},
    )
    return int(promise_id)


def add_level_plan(
    session: Session,
    actor: Actor,
    *,
    account_id: int,
    principal_cents: int,
    installment_count: int,
    frequency: str,
    first_due_date: date,
    now: datetime,
    installments_paid: int = 0,
) -> int:
    """An interest-free plan of level installments (the calculator grows in the plans issue)."""
    if frequency not in codes.PLAN_FREQUENCIES:
        raise ServiceError(f"unknown plan frequency {frequency!r}")
    if not 0 <= installments_paid <= installment_count:
        raise ServiceError("paid installments must be between 0 and the plan's count")
    amounts = level_installments(principal_cents, installment_count)
    dates = due_dates(first_due_date, installment_count, frequency)
    plan_id = session.execute(
        insert(PLAN_T)
        .values(
            account_id=account_id,
            collector_id=actor.collector_id,
            principal_cents=principal_cents,
            down_payment_cents=0,
            interest_rate_bps=0,
            frequency=frequency,
            installment_count=installment_count,
            installment_cents=amounts[0],
            first_due_date=first_due_date,
            status=codes.PLAN_ACTIVE,
            created_at=now,
        )
        .returning(PLAN_T.c.id)
    ).scalar_one()
    insert_rows(
        session,
        INSTALLMENT_T,
        [
            {
                "plan_id": plan_id,
                "sequence": n,
                "due_date": due,
                "amount_cents": amount,
                "paid_cents": amount if n <= installments_paid else 0,
                "status": codes.INSTALLMENT_PAID if n <= installments_paid else codes.INSTALLMENT_SCHEDULED,
            }
            for n, (due, amount) in enumerate(zip(dates, amounts, strict=True), start=1)
        ],
    )
    audit.record(session, actor, "plan.create", "account", [account_id], at=now, details={"plan": plan_id})
    return int(plan_id)
