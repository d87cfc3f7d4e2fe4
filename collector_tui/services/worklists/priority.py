"""Stored priority: each account's score and breakdown, recomputed when an event touches it.

The queue reads ``account.priority_score`` through its index and never scores
on screen; this module keeps it true. Facts are read in a few set-based
queries per batch.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session

from collector_tui.db.tables import ACCOUNT_T, INSTALLMENT_T, PLAN_T, PROMISE_T, TX_T
from collector_tui.domain.aging import age_in_days
from collector_tui.domain.placement import PlacementRecord
from collector_tui.domain.priority import Priority, PriorityFacts, PriorityPolicy, score
from collector_tui.services.bulk import select_in_chunks, update_by_id
from collector_tui.services.law.policy import current_priority_policy
from collector_tui.vocabulary import InstallmentStatus, PlanStatus, PromiseStatus, TransactionKind


def age_start(first_statement: Any, service: Any, placed: Any) -> Any:
    """Age counts from the first statement, else the service date, else the placement."""
    return first_statement or service or placed


def priority_values(priority: Priority) -> dict[str, Any]:
    return {"priority_score": priority.score, "priority_breakdown": priority.breakdown_json()}


def new_account_priority(
    record: PlacementRecord, now: datetime, policy: PriorityPolicy | None = None
) -> dict[str, Any]:
    """The priority columns of an account placed now (no contacts, promises or payments yet)."""
    start = age_start(record.first_statement_date, record.service_date_from, record.placed_date)
    facts = PriorityFacts(
        patient_balance_cents=record.patient_responsibility_cents,
        age_days=age_in_days(start, now.date()),
        placed_date=record.placed_date,
        last_contact_at=None,
        callback_at=None,
        next_promise_due=None,
        last_broken_promise=None,
        recent_payments=0,
    )
    return priority_values(score(facts, policy or current_priority_policy(), now))


def load_priority_facts(
    session: Session, account_ids: Iterable[int], now: datetime, policy: PriorityPolicy
) -> dict[int, tuple[PriorityFacts, tuple[int, str | None]]]:
    """Each account's priority facts, with its stored score (to skip unchanged rows)."""
    ids = sorted(set(account_ids))
    a = ACCOUNT_T.c
    accounts = list(
        select_in_chunks(
            session,
            lambda part: select(
                a.id,
                a.patient_responsibility_cents,
                a.first_statement_date,
                a.service_date_from,
                a.placed_date,
                a.last_contact_at,
                a.next_action_at,
                a.priority_score,
                a.priority_breakdown,
            ).where(a.id.in_(part)),
            ids,
        )
    )
    pending, broken = _promise_dates(session, ids)
    broken_plans = _broken_plan_dates(session, ids)
    paid = _recent_payments(session, ids, now, policy)
    today = now.date()
    return {
        row.id: (
            PriorityFacts(
                patient_balance_cents=row.patient_responsibility_cents,
                age_days=age_in_days(
                    age_start(row.first_statement_date, row.service_date_from, row.placed_date), today
                ),
                placed_date=row.placed_date,
                last_contact_at=row.last_contact_at,
                callback_at=row.next_action_at,
                next_promise_due=pending.get(row.id),
                last_broken_promise=broken.get(row.id),
                recent_payments=int(paid.get(row.id, 0)),
                last_broken_plan=broken_plans.get(row.id),
            ),
            (row.priority_score, row.priority_breakdown),
        )
        for row in accounts
    }


def _promise_dates(session: Session, ids: list[int]) -> tuple[dict[int, date], dict[int, date]]:
    """Each account's next pending promise's due date, and its latest broken promise's."""
    p = PROMISE_T.c
    # One read by account (the account index), sorted out here: without planner statistics
    # SQLite would walk every pending promise by its status index instead.
    pending: dict[int, date] = {}
    broken: dict[int, date] = {}
    for row in select_in_chunks(
        session,
        lambda part: select(p.account_id, p.status, p.due_date).where(p.account_id.in_(part)),
        ids,
    ):
        if row.status == PromiseStatus.PENDING:
            pending[row.account_id] = min(row.due_date, pending.get(row.account_id, row.due_date))
        elif row.status == PromiseStatus.BROKEN:
            broken[row.account_id] = max(row.due_date, broken.get(row.account_id, row.due_date))
    return pending, broken


def _broken_plan_dates(session: Session, ids: list[int]) -> dict[int, date]:
    """When each account's broken plan broke: the due date of its latest missed installment."""
    # Plans by account (its index), then their installments by plan: never every missed installment.
    pl, i = PLAN_T.c, INSTALLMENT_T.c
    broken_plan_accounts: dict[int, int] = dict(
        select_in_chunks(
            session,
            lambda part: select(pl.id, pl.account_id).where(
                pl.account_id.in_(part), pl.status == PlanStatus.BROKEN
            ),
            ids,
        )
    )
    broken_plans: dict[int, date] = {}
    for row in select_in_chunks(
        session,
        lambda part: select(i.plan_id, i.due_date, i.status).where(i.plan_id.in_(part)),
        list(broken_plan_accounts),
    ):
        if row.status == InstallmentStatus.MISSED:
            account_id = broken_plan_accounts[row.plan_id]
            broken_plans[account_id] = max(row.due_date, broken_plans.get(account_id, row.due_date))
    return broken_plans


def _recent_payments(
    session: Session, ids: list[int], now: datetime, policy: PriorityPolicy
) -> dict[int, int]:
    """How many payments each account made within the policy's payment window before ``now``."""
    t = TX_T.c
    window = now - timedelta(days=policy.get("payments", "window_days"))
    return dict(
        select_in_chunks(
            session,
            lambda part: (
                select(t.account_id, func.count())
                .where(
                    t.account_id.in_(part),
                    t.kind == TransactionKind.PAYMENT,
                    t.posted_at >= window,
                    t.posted_at <= now,
                )
                .group_by(t.account_id)
            ),
            ids,
        )
    )


def rescore(
    session: Session, account_ids: Iterable[int], now: datetime, policy: PriorityPolicy | None = None
) -> int:
    """Recompute and store the score and breakdown of ``account_ids``; returns rows changed."""
    policy = policy or current_priority_policy()
    updates = []
    for account_id, (facts, stored) in load_priority_facts(session, account_ids, now, policy).items():
        values = priority_values(score(facts, policy, now))
        if (values["priority_score"], values["priority_breakdown"]) != stored:
            updates.append({"row_id": account_id, **values})
    update_by_id(session, ACCOUNT_T, updates)
    return len(updates)
