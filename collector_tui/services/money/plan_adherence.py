"""The nightly evaluation of payment plans and promises to pay (``collector plans evaluate``).

Only active plans and pending promises are read, a batch per transaction
(keyset by id). Each is recomputed from its whole history by
:mod:`collector_tui.domain.adherence` and only the differences from what is
stored are written, so a second run for the same as-of day writes nothing:

- installments: what has arrived toward each (``paid_cents``) and its status;
- a plan on track keeps its account out of the call list until the plan's next
  check (``account.next_action_at``, the queue's parking convention);
- a plan that falls behind (an installment late, not yet enough to break it)
  returns its account to the calling order at its ordinary priority, once,
  with a timeline line (a callback set afterwards is left alone);
- a broken plan (status broken) and a completed one (status completed) clear
  ``next_action_at``; a broken one puts the account in the promise tier
  ("plan broken"), and both say what happened in the timeline;
- a completed *settlement* forgives what it agreed to forgive: an adjustment
  transaction of ``forgiven_cents`` (at most the balance left) posts with a
  timeline line and a ``settlement.forgiven`` event; a broken settlement
  forgives nothing, so the balance stays whole;
- a promise kept or broken gets its status. The schema has no "partly kept":
  a promise paid in part is stored as broken (it is a broken promise for the
  queue), and its timeline line says how much arrived and by when.

Every account changed gets its version bumped, a rescore and call-state
refresh in the same transaction, and each status change an audit event (ids
and codes); the run records one summary event with its counts when it changed
anything.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Row, insert, select
from sqlmodel import Session

from collector_tui.db.tables import (
    ACCOUNT_T,
    ACTIVITY_T,
    AUDIT_T,
    FACILITY_T,
    INSTALLMENT_T,
    PLAN_T,
    PROMISE_T,
    TX_T,
)
from collector_tui.domain import adherence
from collector_tui.domain.adherence import (
    AdherencePolicy,
    AdherenceRules,
    InstallmentDue,
    Payment,
    ReturnedPayment,
    evaluate_plan,
    evaluate_promise,
    plan_note,
    promise_note,
)
from collector_tui.domain.money import format_cents
from collector_tui.domain.money_events import TransactionRecord
from collector_tui.services import audit
from collector_tui.services.audit import SYSTEM, Actor, audit_rows
from collector_tui.services.bulk import insert_rows, select_in_chunks, update_by_id
from collector_tui.services.database import Database
from collector_tui.services.desk.account_change import timeline_row
from collector_tui.services.desk.account_state import refresh_accounts
from collector_tui.services.errors import ServiceError
from collector_tui.services.law.policy import current_plan_policy
from collector_tui.services.money.transactions import apply_transactions
from collector_tui.services.team.permissions import Permission, require
from collector_tui.vocabulary import (
    InstallmentStatus,
    PlanKind,
    PlanStatus,
    PromiseStatus,
    TransactionKind,
)

SOURCE = "nightly"  # activity.source of the lines this evaluation writes
DOWN_PAYMENT_SEQUENCE = 0  # a plan's down payment, judged as the payment due the day it was made
BATCH = 2000
PLAN_STATUS = {adherence.BROKEN: PlanStatus.BROKEN, adherence.COMPLETED: PlanStatus.COMPLETED}
PROMISE_STATUS = {
    adherence.KEPT: PromiseStatus.KEPT,
    adherence.PARTLY_KEPT: PromiseStatus.BROKEN,  # no "partly kept" status: the note says how much
    adherence.BROKEN: PromiseStatus.BROKEN,
}


@dataclass
class AdherenceCounts:
    """What one run found and did (the plans and promises it closed, and those still open)."""

    as_of: date
    plans: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys(("checked", *adherence.PLAN_OUTCOMES), 0)
    )
    promises: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys(("checked", *adherence.PROMISE_OUTCOMES), 0)
    )
    installments_updated: int = 0
    updated: set[int] = field(default_factory=set, repr=False)  # the accounts changed
    accounts_returned: int = 0  # back in the calling order: a plan broken or behind, a promise broken
    activities: int = 0

    @property
    def accounts_updated(self) -> int:
        return len(self.updated)

    @property
    def changed(self) -> bool:
        return bool(self.installments_updated or self.updated)

    def audit_details(self) -> dict[str, audit.DetailValue]:
        details: dict[str, audit.DetailValue] = {"as_of": self.as_of.isoformat()}
        details.update({f"plans_{k}": v for k, v in self.plans.items()})
        details.update({f"promises_{k}": v for k, v in self.promises.items()})
        details.update(
            installments_updated=self.installments_updated,
            accounts_updated=self.accounts_updated,
            accounts_returned=self.accounts_returned,
            activities=self.activities,
        )
        return details


@dataclass
class _Writes:
    """What one batch changes, written together at its end."""

    installments: list[dict[str, Any]] = field(default_factory=list)
    plans: list[dict[str, Any]] = field(default_factory=list)
    promises: list[dict[str, Any]] = field(default_factory=list)
    next_action: dict[int, datetime | None] = field(default_factory=dict)  # account -> new value
    touched: set[int] = field(default_factory=set)
    # (account, code, note, audit action, audit details) for each timeline line
    lines: list[tuple[int, str, str, str, dict[str, audit.DetailValue]]] = field(default_factory=list)
    forgiven: list[tuple[int, int, int]] = field(default_factory=list)  # (account, plan, cents) settled


def evaluate_adherence(
    db: Database,
    *,
    as_of: date,
    now: datetime,
    actor: Actor = SYSTEM,
    policy: AdherencePolicy | None = None,
    batch: int = BATCH,
) -> AdherenceCounts:
    """Evaluate every active plan and pending promise as of ``as_of`` (payments posted through that
    day); ``now`` stamps what is written and is when the queue is rescored."""
    require(actor, Permission.RUN_NIGHTLY)
    if as_of > now.date():
        raise ServiceError(f"the as-of day {as_of} is after today ({now.date()} UTC)")
    policy = policy or current_plan_policy().adherence
    counts = AdherenceCounts(as_of)
    for read, evaluate in ((_plan_page, _evaluate_plans), (_promise_page, _evaluate_promises)):
        after = 0
        while True:
            with db.writing() as session:
                page = read(session, after, batch)
                if not page:
                    break
                writes = _Writes()
                evaluate(session, page, policy, as_of, counts, writes)
                _write(session, actor, writes, now, counts)
            after = page[-1].id
    if counts.changed:
        with db.writing() as session:
            audit.record(
                session,
                actor,
                "plans.evaluate",
                "payment_plan",
                [None],
                at=now,
                details=counts.audit_details(),
            )
    return counts


# --- reading ----------------------------------------------------------------------------------------


def _plan_page(session: Session, after: int, limit: int) -> Sequence[Row[Any]]:
    c = PLAN_T.c
    return session.execute(
        select(
            c.id,
            c.account_id,
            c.created_at,
            c.installment_count,
            c.kind,
            c.forgiven_cents,
            c.down_payment_cents,
        )
        .where(c.status == PlanStatus.ACTIVE, c.id > after)
        .order_by(c.id)
        .limit(limit)
    ).all()


def _promise_page(session: Session, after: int, limit: int) -> Sequence[Row[Any]]:
    c = PROMISE_T.c
    return session.execute(
        select(c.id, c.account_id, c.amount_cents, c.due_date, c.created_at)
        .where(c.status == PromiseStatus.PENDING, c.id > after)
        .order_by(c.id)
        .limit(limit)
    ).all()


Money = tuple[list[Payment], list[ReturnedPayment]]


def _money(session: Session, account_ids: list[int], as_of: date) -> dict[int, Money]:
    """Each account's payments and returned payments posted through ``as_of``."""
    t = TX_T.c
    end = datetime.combine(as_of + timedelta(days=1), time(0), tzinfo=UTC)
    found: dict[int, Money] = defaultdict(lambda: ([], []))
    for row in select_in_chunks(
        session,
        lambda part: select(t.id, t.account_id, t.kind, t.amount_cents, t.posted_at, t.reverses_id).where(
            t.account_id.in_(part),
            t.kind.in_((TransactionKind.PAYMENT, TransactionKind.REVERSAL)),
            t.posted_at < end,
        ),
        account_ids,
    ):
        payments, returned = found[row.account_id]
        if row.kind == TransactionKind.PAYMENT and row.amount_cents < 0:  # a payment lowers the balance
            payments.append(Payment(row.id, row.posted_at, -row.amount_cents))
        elif row.kind == TransactionKind.REVERSAL and row.reverses_id is not None and row.amount_cents > 0:
            returned.append(ReturnedPayment(row.reverses_id, row.posted_at, row.amount_cents))
    return found


# --- evaluating -------------------------------------------------------------------------------------


def _evaluate_plans(
    session: Session,
    plans: Sequence[Row[Any]],
    policy: AdherencePolicy,
    as_of: date,
    counts: AdherenceCounts,
    writes: _Writes,
) -> None:
    rules = policy.plans
    i = INSTALLMENT_T.c
    stored: dict[int, list[Row[Any]]] = defaultdict(list)
    for row in select_in_chunks(
        session,
        lambda part: select(
            i.id, i.plan_id, i.sequence, i.due_date, i.amount_cents, i.paid_cents, i.status
        ).where(i.plan_id.in_(part)),
        [plan.id for plan in plans],
    ):
        stored[row.plan_id].append(row)
    money = _money(session, sorted({plan.account_id for plan in plans}), as_of)
    parked = _next_actions(session, [plan.account_id for plan in plans])
    for plan in plans:
        rows = stored.get(plan.id)
        if not rows:
            continue  # no schedule to judge
        payments, returned = money.get(plan.account_id, ([], []))
        # The down payment is due the day the plan is made (sequence 0, not stored as an installment):
        # the payment that takes it pays it, not the first installment.
        down = (
            [InstallmentDue(DOWN_PAYMENT_SEQUENCE, plan.created_at.date(), plan.down_payment_cents)]
            if plan.down_payment_cents
            else []
        )
        verdict = evaluate_plan(
            [*down, *(InstallmentDue(r.sequence, r.due_date, r.amount_cents) for r in rows)],
            payments,
            returned,
            rules,
            recorded_at=plan.created_at,
            as_of=as_of,
        )
        counts.plans["checked"] += 1
        counts.plans[verdict.outcome] += 1
        _plan_changes(plan, rows, verdict, rules, parked[plan.account_id], as_of, counts, writes)


def _plan_changes(
    plan: Row[Any],
    rows: list[Row[Any]],
    verdict: adherence.PlanVerdict,
    rules: AdherenceRules,
    parked_until: datetime | None,
    as_of: date,
    counts: AdherenceCounts,
    writes: _Writes,
) -> None:
    account_id = plan.account_id
    by_sequence = {r.sequence: r for r in rows}
    newly_missed = False
    for state in verdict.installments:
        if state.sequence == DOWN_PAYMENT_SEQUENCE:
            continue  # the down payment has no installment row
        row = by_sequence[state.sequence]
        if (row.paid_cents, row.status) != (state.paid_cents, state.status):
            writes.installments.append(
                {"row_id": row.id, "paid_cents": state.paid_cents, "status": state.status}
            )
            writes.touched.add(account_id)
            counts.installments_updated += 1
            newly_missed |= state.status == adherence.MISSED and row.status != InstallmentStatus.MISSED
    details: dict[str, audit.DetailValue] = {"plan": plan.id, "as_of": as_of.isoformat()}
    if verdict.outcome in PLAN_STATUS:
        writes.plans.append({"row_id": plan.id, "status": PLAN_STATUS[verdict.outcome]})
        writes.next_action[account_id] = None
        if verdict.outcome == adherence.BROKEN:
            details["installments"] = list(verdict.breaking)
            counts.accounts_returned += 1
        note = plan_note(verdict, rules, plan.installment_count)
        settlement = plan.kind == PlanKind.SETTLEMENT
        if settlement and verdict.outcome == adherence.BROKEN and plan.forgiven_cents:
            note += " The settlement is broken: nothing is forgiven and the whole balance is owed."
        writes.lines.append((account_id, "PLAN", note, f"plan.{verdict.outcome}", details))
        if settlement and verdict.outcome == adherence.COMPLETED and plan.forgiven_cents > 0:
            writes.forgiven.append((account_id, plan.id, plan.forgiven_cents))
    elif verdict.outcome == adherence.BEHIND:
        if newly_missed:  # once, when an installment is first found late
            writes.next_action[account_id] = None
            details["installments"] = [s.sequence for s in verdict.missed]
            note = plan_note(verdict, rules, plan.installment_count)
            writes.lines.append((account_id, "PLAN", note, "plan.behind", details))
            counts.accounts_returned += int(parked_until is not None)
    elif verdict.next_check != parked_until:
        writes.next_action[account_id] = verdict.next_check
    if account_id in writes.next_action:
        writes.touched.add(account_id)


def _evaluate_promises(
    session: Session,
    promises: Sequence[Row[Any]],
    policy: AdherencePolicy,
    as_of: date,
    counts: AdherenceCounts,
    writes: _Writes,
) -> None:
    rules = policy.promises
    money = _money(session, sorted({p.account_id for p in promises}), as_of)
    for promise in promises:
        payments, returned = money.get(promise.account_id, ([], []))
        verdict = evaluate_promise(
            promise.amount_cents,
            promise.due_date,
            payments,
            returned,
            rules,
            recorded_at=promise.created_at,
            as_of=as_of,
        )
        counts.promises["checked"] += 1
        counts.promises[verdict.outcome] += 1
        if verdict.outcome == adherence.PENDING:
            continue
        status = PROMISE_STATUS[verdict.outcome]
        writes.promises.append({"row_id": promise.id, "status": status})
        writes.touched.add(promise.account_id)
        details: dict[str, audit.DetailValue] = {
            "promise": promise.id,
            "outcome": verdict.outcome,
            "as_of": as_of.isoformat(),
        }
        writes.lines.append(
            (promise.account_id, "PROMISE", promise_note(verdict, rules), f"promise.{status}", details)
        )
        counts.accounts_returned += int(status == PromiseStatus.BROKEN)


# --- writing ----------------------------------------------------------------------------------------


def _next_actions(session: Session, account_ids: list[int]) -> dict[int, datetime | None]:
    a = ACCOUNT_T.c
    return {
        row.id: row.next_action_at
        for row in select_in_chunks(
            session, lambda part: select(a.id, a.next_action_at).where(a.id.in_(part)), account_ids
        )
    }


def _write(session: Session, actor: Actor, writes: _Writes, now: datetime, counts: AdherenceCounts) -> None:
    if not writes.touched:
        return
    update_by_id(session, INSTALLMENT_T, writes.installments)
    update_by_id(session, PLAN_T, writes.plans)
    update_by_id(session, PROMISE_T, [{**row, "resolved_at": now} for row in writes.promises])
    a = ACCOUNT_T.c
    touched = sorted(writes.touched)
    accounts = {
        row.id: row
        for row in select_in_chunks(
            session, lambda part: select(a.id, a.version, a.next_action_at).where(a.id.in_(part)), touched
        )
    }
    update_by_id(
        session,
        ACCOUNT_T,
        [
            {
                "row_id": account_id,
                "version": accounts[account_id].version + 1,
                "updated_at": now,
                "next_action_at": writes.next_action.get(account_id, accounts[account_id].next_action_at),
            }
            for account_id in touched
        ],
    )
    activity_ids = _timeline(session, actor, writes, now)
    events = []
    for (account_id, _, _, action, details), activity_id in zip(writes.lines, activity_ids, strict=True):
        events += audit_rows(
            actor, action, "account", [account_id], at=now, details={**details, "activity": activity_id}
        )
    insert_rows(session, AUDIT_T, events)
    refresh_accounts(session, touched, now, with_phones=False)
    counts.updated.update(touched)
    counts.activities += len(activity_ids)
    if writes.forgiven:
        _forgive(session, actor, writes.forgiven, now, counts)


def _forgive(
    session: Session,
    actor: Actor,
    settled: list[tuple[int, int, int]],
    now: datetime,
    counts: AdherenceCounts,
) -> None:
    """Settlements paid as agreed: what each forgives posts as an adjustment (at most the balance still
    owed, so a balance paid down some other way never goes below zero), with its line and event."""
    a, f = ACCOUNT_T.c, FACILITY_T.c
    ids = sorted({account_id for account_id, _, _ in settled})
    accounts = {
        row.id: row
        for row in select_in_chunks(
            session,
            lambda part: (
                select(a.id, a.account_number, a.total_balance_cents, f.code)
                .join(FACILITY_T, f.id == a.facility_id)
                .where(a.id.in_(part))
            ),
            ids,
        )
    }
    records, posted = [], []
    for account_id, plan_id, cents in settled:
        account = accounts[account_id]
        amount = min(cents, account.total_balance_cents)
        if amount <= 0:
            continue
        records.append(
            TransactionRecord(
                external_id=f"settlement-{plan_id}",  # one per settlement: a second run finds it on file
                facility_code=account.code,
                account_number=account.account_number,
                kind=TransactionKind.ADJUSTMENT,
                amount_cents=amount,
                posted_at=now,
                method=None,
                reference=f"settlement {plan_id}",
                reverses_external_id=None,
            )
        )
        posted.append((account_id, plan_id, amount))
    if not records:
        return
    result = apply_transactions(session, records, actor=actor, now=now, source=SOURCE)
    if result.rejected:
        raise ServiceError(f"{len(result.rejected)} settlement adjustment(s) could not be posted")
    rows = [
        timeline_row(
            actor,
            account_id,
            now,
            "PLAN",
            f"Settlement {plan_id} paid as agreed: {format_cents(amount)} forgiven (an adjustment).",
            source=SOURCE,
        )
        for account_id, plan_id, amount in posted
    ]
    statement = insert(ACTIVITY_T).returning(ACTIVITY_T.c.id, sort_by_parameter_order=True)
    activity_ids = [int(i) for i in session.execute(statement, rows).scalars()]
    events = []
    for (account_id, plan_id, amount), activity_id in zip(posted, activity_ids, strict=True):
        events += audit_rows(
            actor,
            "settlement.forgiven",
            "account",
            [account_id],
            at=now,
            details={"plan": plan_id, "forgiven_cents": amount, "activity": activity_id},
        )
    insert_rows(session, AUDIT_T, events)
    counts.activities += len(activity_ids)


def _timeline(session: Session, actor: Actor, writes: _Writes, now: datetime) -> list[int]:
    """One status-change line per plan or promise that changed (the shape of the workspace's)."""
    if not writes.lines:
        return []
    rows = [
        timeline_row(actor, account_id, now, code, note, source=SOURCE)
        for account_id, code, note, _, _ in writes.lines
    ]
    statement = insert(ACTIVITY_T).returning(ACTIVITY_T.c.id, sort_by_parameter_order=True)
    return [int(i) for i in session.execute(statement, rows).scalars()]
