"""Promises to pay and payment plans recorded on accounts.

Each function takes a batch (at most one arrangement per account per call):
the demo loads thousands at once, the workstation passes one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Table, insert
from sqlmodel import Session

from collector_tui.db.tables import AUDIT_T, INSTALLMENT_T, PLAN_T, PROMISE_T
from collector_tui.domain.plan_schedule import due_dates, level_installments
from collector_tui.services.audit import Actor, audit_rows
from collector_tui.services.bulk import insert_rows
from collector_tui.services.errors import ServiceError
from collector_tui.services.law.policy import PLANS, current_digest
from collector_tui.services.worklists.priority import rescore
from collector_tui.vocabulary import InstallmentStatus, PlanFrequency, PlanStatus, PromiseStatus


@dataclass(frozen=True, slots=True)
class NewPromise:
    account_id: int
    amount_cents: int
    due_date: date
    status: str = PromiseStatus.PENDING


@dataclass(frozen=True, slots=True)
class NewLevelPlan:
    """An interest-free plan of level installments (the calculator grows in the plans issue)."""

    account_id: int
    principal_cents: int
    installment_count: int
    frequency: str
    first_due_date: date
    installments_paid: int = 0


def _one_per_account(account_ids: list[int], what: str) -> None:
    if len(set(account_ids)) != len(account_ids):
        raise ServiceError(f"one {what} per account per request")


def _insert_returning_ids(session: Session, table: Table, rows: list[dict[str, Any]]) -> list[int]:
    """Insert ``rows`` and return their new ids in the same order."""
    if not rows:
        return []
    statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
    return [int(new_id) for new_id in session.execute(statement, rows).scalars()]


def _audit_created(session: Session, actor: Actor, kind: str, created: dict[int, int], now: datetime) -> None:
    """One ``<kind>.create`` event per account, naming the new row's id."""
    rows = [
        row
        for account_id, new_id in created.items()
        for row in audit_rows(
            actor, f"{kind}.create", "account", [account_id], at=now, details={kind: new_id}
        )
    ]
    insert_rows(session, AUDIT_T, rows)


def add_promises(
    session: Session, actor: Actor, promises: Sequence[NewPromise], *, now: datetime
) -> dict[int, int]:
    """Record promises; returns account id -> promise id."""
    for promise in promises:
        if promise.amount_cents <= 0:
            raise ServiceError(f"account {promise.account_id}: a promise must be for a positive amount")
        if promise.status not in PromiseStatus.codes():
            raise ServiceError(f"unknown promise status {promise.status!r}")
    account_ids = [p.account_id for p in promises]
    _one_per_account(account_ids, "promise")
    new_ids = _insert_returning_ids(
        session,
        PROMISE_T,
        [
            {
                "account_id": p.account_id,
                "collector_id": actor.collector_id,
                "amount_cents": p.amount_cents,
                "due_date": p.due_date,
                "status": p.status,
                "created_at": now,
                "resolved_at": None if p.status == PromiseStatus.PENDING else now,
            }
            for p in promises
        ],
    )
    created = dict(zip(account_ids, new_ids, strict=True))
    _audit_created(session, actor, "promise", created, now)
    rescore(session, account_ids, now)  # a promise due today or broken moves the account up the queue
    return created


def add_promise(
    session: Session,
    actor: Actor,
    *,
    account_id: int,
    amount_cents: int,
    due_date: date,
    now: datetime,
    status: str = PromiseStatus.PENDING,
) -> int:
    created = add_promises(session, actor, [NewPromise(account_id, amount_cents, due_date, status)], now=now)
    return created[account_id]


def add_level_plans(
    session: Session, actor: Actor, plans: Sequence[NewLevelPlan], *, now: datetime
) -> dict[int, int]:
    """Record active plans with their installment schedules; returns account id -> plan id."""
    schedules: dict[int, tuple[list[int], list[date]]] = {}
    for plan in plans:
        if plan.frequency not in PlanFrequency.codes():
            raise ServiceError(f"unknown plan frequency {plan.frequency!r}")
        if not 0 <= plan.installments_paid <= plan.installment_count:
            raise ServiceError("paid installments must be between 0 and the plan's count")
        try:
            amounts = level_installments(plan.principal_cents, plan.installment_count)
        except ValueError as exc:
            raise ServiceError(f"account {plan.account_id}: {exc}") from None
        schedules[plan.account_id] = (
            amounts,
            due_dates(plan.first_due_date, plan.installment_count, plan.frequency),
        )
    account_ids = [p.account_id for p in plans]
    _one_per_account(account_ids, "plan")
    new_ids = _insert_returning_ids(
        session,
        PLAN_T,
        [
            {
                "account_id": p.account_id,
                "collector_id": actor.collector_id,
                "principal_cents": p.principal_cents,
                "down_payment_cents": 0,
                "interest_rate_bps": 0,
                "frequency": p.frequency,
                "installment_count": p.installment_count,
                "installment_cents": schedules[p.account_id][0][0],
                "first_due_date": p.first_due_date,
                "status": PlanStatus.ACTIVE,
                "policy_digest": current_digest(PLANS),  # the plan policy in force when it was made
                "created_at": now,
            }
            for p in plans
        ],
    )
    created = dict(zip(account_ids, new_ids, strict=True))
    installments = []
    for plan in plans:
        amounts, dates = schedules[plan.account_id]
        for n, (due, amount) in enumerate(zip(dates, amounts, strict=True), start=1):
            paid = n <= plan.installments_paid
            installments.append(
                {
                    "plan_id": created[plan.account_id],
                    "sequence": n,
                    "due_date": due,
                    "amount_cents": amount,
                    "paid_cents": amount if paid else 0,
                    "status": InstallmentStatus.PAID if paid else InstallmentStatus.SCHEDULED,
                }
            )
    insert_rows(session, INSTALLMENT_T, installments)
    _audit_created(session, actor, "plan", created, now)
    return created


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
    plan = NewLevelPlan(
        account_id, principal_cents, installment_count, frequency, first_due_date, installments_paid
    )
    return add_level_plans(session, actor, [plan], now=now)[account_id]
