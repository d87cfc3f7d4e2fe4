"""Payment plans on accounts: quote, create (or propose outside policy), approve, decline, agreement.

A plan inside the office's policy is active at once; one outside it is only
*proposed*, with the collector's reason, and does nothing until a supervisor
approves it. While a plan is active the account is out of the call list: its
``next_action_at`` holds the plan's next check (the day after an installment
falls due), which the nightly evaluation keeps moving or clears when the plan
breaks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import insert, select, update
from sqlmodel import Session

from collector_tui.db.tables import ACCOUNT_T, FACILITY_T, GUARANTOR_T, INSTALLMENT_T, PLAN_T, PROMISE_T
from collector_tui.domain.adherence import check_moment
from collector_tui.domain.money import format_cents
from collector_tui.domain.plan_agreement import AgreementParties, agreement_text
from collector_tui.domain.plan_policy import PlanVerdict, assess_plan
from collector_tui.domain.plan_schedule import PlanError, PlanTerms, Schedule, ScheduleRow, build_schedule
from collector_tui.services import audit
from collector_tui.services.audit import Actor
from collector_tui.services.bulk import insert_rows
from collector_tui.services.database import Database
from collector_tui.services.desk.account_change import ActionResult, Target, finish_change, target_for_change
from collector_tui.services.errors import EntryError, NotFoundError, ServiceError
from collector_tui.services.files.output_files import database_files, replacing
from collector_tui.services.law.policy import PLANS, current_digest, current_plan_policy
from collector_tui.services.team.permissions import (
    Permission,
    allows_unassigned,
    may_view_account,
    require,
    require_active,
)
from collector_tui.vocabulary import InstallmentStatus, PlanStatus, PromiseStatus

OPEN_PLAN = (PlanStatus.PROPOSED, PlanStatus.ACTIVE)


@dataclass(frozen=True, slots=True)
class PlanRequest:
    account_id: int
    version: int
    terms: PlanTerms
    state: str | None = None
    income_cents: int | None = None  # monthly income, when an income-based cap applies
    bill_kind: str = "facility"
    exception_reason: str | None = None  # why a plan outside policy should be approved


@dataclass(frozen=True, slots=True)
class Quote:
    schedule: Schedule
    verdict: PlanVerdict


def quote(
    terms: PlanTerms,
    *,
    today: date,
    state: str | None = None,
    income_cents: int | None = None,
    bill_kind: str = "facility",
) -> Quote:
    """The schedule and its policy check (pure; what the calculator shows as the collector types)."""
    try:
        schedule = build_schedule(terms)
        verdict = assess_plan(schedule, current_plan_policy(), state, income_cents, bill_kind, today=today)
    except (PlanError, ValueError) as exc:
        raise EntryError([("terms", str(exc))]) from None
    return Quote(schedule, verdict)


def next_check(due: date) -> datetime:
    """When an installment due on ``due`` is judged: UTC midnight after its grace days (the nightly
    evaluation's own rule, so a new plan is parked exactly as the evaluation would park it)."""
    return check_moment(due, current_plan_policy().adherence.plans)


def _insert_plan(
    session: Session,
    actor: Actor,
    target: Target,
    request: PlanRequest,
    found: Quote,
    status: str,
    now: datetime,
) -> int:
    terms = found.schedule.terms
    plan_id = int(
        session.execute(
            insert(PLAN_T).returning(PLAN_T.c.id),
            [
                {
                    "account_id": target.id,
                    "collector_id": actor.collector_id,
                    "principal_cents": terms.principal_cents,
                    "down_payment_cents": terms.down_payment_cents,
                    "interest_rate_bps": terms.apr_bps,
                    "frequency": terms.frequency,
                    "installment_count": found.schedule.count,
                    "installment_cents": found.schedule.installment_cents,
                    "first_due_date": found.schedule.first_due,
                    "status": status,
                    "policy_exception_reason": request.exception_reason
                    if status == PlanStatus.PROPOSED
                    else None,
                    "policy_digest": current_digest(PLANS),  # the plan policy quote() judged it by
                    "created_at": now,
                }
            ],
        ).scalar_one()
    )
    insert_rows(
        session,
        INSTALLMENT_T,
        [
            {
                "plan_id": plan_id,
                "sequence": row.sequence,
                "due_date": row.due_date,
                "amount_cents": row.payment_cents,
                "paid_cents": 0,
                "status": InstallmentStatus.SCHEDULED,
            }
            for row in found.schedule.rows
        ],
    )
    return plan_id


def _activate(session: Session, account_id: int, first_due: date, now: datetime) -> None:
    """An active plan takes the account out of the call list until its first check; a pending promise
    is superseded by it."""
    session.execute(
        update(ACCOUNT_T).where(ACCOUNT_T.c.id == account_id).values(next_action_at=next_check(first_due))
    )
    p = PROMISE_T.c
    session.execute(
        update(PROMISE_T)
        .where(p.account_id == account_id, p.status == PromiseStatus.PENDING)
        .values(status=PromiseStatus.CANCELLED, resolved_at=now)
    )


def create_plan(db: Database, actor: Actor, request: PlanRequest, *, now: datetime) -> ActionResult:
    """Record the plan with its installments: active when inside policy, else proposed with the reason."""
    reason = (request.exception_reason or "").strip()
    with db.writing() as session:
        target = target_for_change(session, actor, request.account_id, request.version)
        if request.terms.balance_cents > target.total_balance_cents:
            raise EntryError(
                [
                    (
                        "balance",
                        f"is more than the account's balance ({format_cents(target.total_balance_cents)})",
                    )
                ]
            )
        found = quote(
            request.terms,
            today=now.date(),
            state=request.state,
            income_cents=request.income_cents,
            bill_kind=request.bill_kind,
        )
        if found.verdict.violations and not reason:
            raise EntryError(
                [
                    (
                        "exception_reason",
                        f"outside policy: {v.message}; give a reason to propose it for approval",
                    )
                    for v in found.verdict.violations
                ]
            )
        c = PLAN_T.c
        if session.execute(select(c.id).where(c.account_id == target.id, c.status.in_(OPEN_PLAN))).first():
            raise EntryError([("terms", "this account already has an active or proposed plan")])
        status = PlanStatus.PROPOSED if found.verdict.violations else PlanStatus.ACTIVE
        plan_id = _insert_plan(session, actor, target, request, found, status, now)
        schedule = found.schedule
        each = format_cents(schedule.installment_cents)
        summary = (
            f"{schedule.count} {schedule.terms.frequency} payments of {each} "
            f"from {schedule.first_due:%Y-%m-%d} to {schedule.last_due:%Y-%m-%d}"
        )
        if status == PlanStatus.ACTIVE:
            _activate(session, target.id, schedule.first_due, now)
            note = f"Payment plan agreed: {summary}"
        else:
            note = (
                f"Payment plan proposed for approval: {summary}. Outside policy: "
                + "; ".join(v.message for v in found.verdict.violations)
                + f". Reason: {reason}"
            )
        version = finish_change(
            session,
            actor,
            target,
            "plan.create" if status == PlanStatus.ACTIVE else "plan.propose",
            now,
            line=("PLAN", note),
            details={
                "plan": plan_id,
                "installments": schedule.count,
                "rules": [v.rule_id for v in found.verdict.violations],
            },
        )
    message = (
        "Plan active"
        if status == PlanStatus.ACTIVE
        else "Plan proposed: it waits for a supervisor's approval"
    )
    return ActionResult(target.id, version, f"{message}: {summary}")


@dataclass(frozen=True, slots=True)
class PendingPlan:
    plan_id: int
    account_id: int
    account_number: str
    facility_code: str
    collector_id: int | None
    principal_cents: int
    installment_count: int
    installment_cents: int
    frequency: str
    created_at: datetime
    reason: str | None


def _require_supervisor(actor: Actor, doing: str) -> None:
    require(
        actor,
        Permission.APPROVE,
        f"only a supervisor or admin may {doing} (you are {actor.login}, {actor.role})",
    )


def pending_plans(db: Database, actor: Actor, *, limit: int = 200) -> list[PendingPlan]:
    """Plans proposed outside policy, oldest first: what waits for a supervisor."""
    _require_supervisor(actor, "review proposed plans")
    c, a, f = PLAN_T.c, ACCOUNT_T.c, FACILITY_T.c
    query = (
        select(
            c.id,
            c.account_id,
            a.account_number,
            f.code,
            c.collector_id,
            c.principal_cents,
            c.installment_count,
            c.installment_cents,
            c.frequency,
            c.created_at,
            c.policy_exception_reason,
        )
        .join(ACCOUNT_T, a.id == c.account_id)
        .join(FACILITY_T, f.id == a.facility_id)
        .where(c.status == PlanStatus.PROPOSED)
        .order_by(c.created_at, c.id)
        .limit(limit)
    )
    with db.reading() as session:
        require_active(session, actor)
        return [PendingPlan(*row) for row in session.execute(query)]


def _proposed(session: Session, plan_id: int) -> tuple[int, date, int]:
    c = PLAN_T.c
    row = session.execute(select(c.account_id, c.first_due_date, c.status).where(c.id == plan_id)).first()
    if row is None:
        raise NotFoundError(f"plan {plan_id} not found")
    if row.status != PlanStatus.PROPOSED:
        raise ServiceError(f"plan {plan_id} is {row.status}, not waiting for approval")
    version = session.execute(
        select(ACCOUNT_T.c.version).where(ACCOUNT_T.c.id == row.account_id)
    ).scalar_one()
    return int(row.account_id), row.first_due_date, int(version)


def approve_plan(db: Database, actor: Actor, plan_id: int, *, now: datetime) -> ActionResult:
    """A supervisor approves a proposed plan: it becomes active (recorded with who and when)."""
    _require_supervisor(actor, "approve a plan")
    with db.writing() as session:
        account_id, first_due, version = _proposed(session, plan_id)
        target = target_for_change(session, actor, account_id, version)
        session.execute(
            update(PLAN_T)
            .where(PLAN_T.c.id == plan_id)
            .values(status=PlanStatus.ACTIVE, approved_by_id=actor.collector_id, approved_at=now)
        )
        _activate(session, account_id, first_due, now)
        new_version = finish_change(
            session,
            actor,
            target,
            "plan.approve",
            now,
            line=("PLAN", f"Payment plan {plan_id} approved"),
            details={"plan": plan_id},
        )
    return ActionResult(account_id, new_version, f"Plan {plan_id} approved and active")


def decline_plan(db: Database, actor: Actor, plan_id: int, reason: str, *, now: datetime) -> ActionResult:
    """A supervisor declines a proposed plan, saying why (the collector sees it in the timeline)."""
    _require_supervisor(actor, "decline a plan")
    if not reason.strip():
        raise EntryError([("reason", "say why the plan is declined")])
    with db.writing() as session:
        account_id, _, version = _proposed(session, plan_id)
        target = target_for_change(session, actor, account_id, version)
        session.execute(update(PLAN_T).where(PLAN_T.c.id == plan_id).values(status=PlanStatus.CANCELLED))
        new_version = finish_change(
            session,
            actor,
            target,
            "plan.decline",
            now,
            line=("PLAN", f"Payment plan {plan_id} declined: {reason.strip()}"),
            details={"plan": plan_id},
        )
    return ActionResult(account_id, new_version, f"Plan {plan_id} declined")


def agreement(db: Database, actor: Actor, plan_id: int, *, now: datetime) -> str:
    """The plain-language agreement of a plan, from what is stored (for mailing)."""
    c, a = PLAN_T.c, ACCOUNT_T.c
    with db.reading() as session:
        plan = session.execute(select(PLAN_T).where(c.id == plan_id)).first()
        if plan is None:
            raise NotFoundError(f"plan {plan_id} not found")
        g, f = GUARANTOR_T.c, FACILITY_T.c
        account = session.execute(
            select(a.account_number, a.assigned_collector_id, g.first_name, g.last_name, f.name)
            .join(GUARANTOR_T, g.id == a.guarantor_id)
            .join(FACILITY_T, f.id == a.facility_id)
            .where(a.id == plan.account_id)
        ).one()
        unassigned_allowed = allows_unassigned(session)
        if not may_view_account(actor, account.assigned_collector_id, unassigned_allowed=unassigned_allowed):
            raise NotFoundError(f"plan {plan_id} not found")
        i = INSTALLMENT_T.c
        installments = session.execute(
            select(i.sequence, i.due_date, i.amount_cents).where(i.plan_id == plan_id).order_by(i.sequence)
        ).all()
    terms = PlanTerms(
        balance_cents=plan.principal_cents + plan.down_payment_cents,
        frequency=plan.frequency,
        first_due=plan.first_due_date,
        installments=plan.installment_count,
        down_payment_cents=plan.down_payment_cents,
        apr_bps=plan.interest_rate_bps,
    )
    # The stored installments are what was agreed; the interest is what they add above the principal.
    interest = sum(row.amount_cents for row in installments) - plan.principal_cents
    remaining = plan.principal_cents + interest
    rows = []
    for row in installments:
        remaining -= row.amount_cents
        share = interest if row.sequence == 1 else 0
        rows.append(
            ScheduleRow(
                row.sequence, row.due_date, row.amount_cents, share, row.amount_cents - share, remaining
            )
        )
    stored = Schedule(terms, tuple(rows))
    parties = AgreementParties(
        guarantor_name=f"{account.first_name} {account.last_name}".title(),
        account_number=account.account_number,
        facility_name=account.name,
        prepared_on=now.date(),
        grace_days=current_plan_policy_grace(),
    )
    return agreement_text(parties, stored)


def current_plan_policy_grace() -> int:
    """The grace days the agreement promises: the nightly evaluation's."""
    return current_plan_policy().grace_days


def export_agreement(db: Database, actor: Actor, plan_id: int, path: Path, *, now: datetime) -> Path:
    """Write the agreement to ``path`` (owner-only: it names the consumer) and audit the export."""
    text = agreement(db, actor, plan_id, now=now)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    with replacing(path, protected=database_files(db.url)) as handle:
        handle.write(text)
    with db.writing() as session:
        account_id = session.execute(select(PLAN_T.c.account_id).where(PLAN_T.c.id == plan_id)).scalar_one()
        audit.record(
            session, actor, "plan.agreement", "account", [account_id], at=now, details={"plan": plan_id}
        )
    return path
