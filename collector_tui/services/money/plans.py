"""Payment plans and settlements on accounts: quote, create (or propose outside policy), approve,
decline, agreement.

A plan is on the account's whole balance: what its installments pay is the
balance less the down payment, decided here from the stored balance, never by
the form. A *settlement* accepts less: it forgives ``forgiven_cents`` of the
balance (with the collector's reason, always), and the installments pay the
rest less the down payment; beyond the ``[settlement]`` policy it is proposed.
What it forgives posts as an adjustment only when it is paid as agreed (the
nightly evaluation, ``plan_adherence``); a broken settlement forgives nothing.

A plan inside the office's policy is active at once; one outside it is only
*proposed*, with the collector's reason, and does nothing until a supervisor
approves it. While a plan is active the account is out of the call list: its
``next_action_at`` holds the plan's next check (the day after an installment
falls due), which the nightly evaluation keeps moving or clears when the plan
breaks.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import insert, select, update
from sqlmodel import Session

from collector_tui.db.tables import (
    ACCOUNT_T,
    AUDIT_T,
    FACILITY_T,
    GUARANTOR_T,
    HOLD_T,
    INSTALLMENT_T,
    PLAN_T,
    PROMISE_T,
)
from collector_tui.domain.adherence import check_moment
from collector_tui.domain.aging import age_in_days
from collector_tui.domain.money import format_cents
from collector_tui.domain.plan_agreement import AgreementParties, agreement_text
from collector_tui.domain.plan_policy import PlanVerdict, PlanViolation, assess_plan, assess_settlement
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
from collector_tui.vocabulary import InstallmentStatus, PlanKind, PlanStatus, PromiseStatus

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
    kind: str = PlanKind.PLAN
    forgiven_cents: int = 0  # a settlement: what is forgiven when it is paid as agreed
    settlement_reason: str | None = None  # a settlement: why less is accepted (required)


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
    reason: str,
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
                    "kind": request.kind,
                    "forgiven_cents": request.forgiven_cents if request.kind == PlanKind.SETTLEMENT else 0,
                    "settlement_reason": (request.settlement_reason or "").strip() or None
                    if request.kind == PlanKind.SETTLEMENT
                    else None,
                    "policy_exception_reason": reason if status == PlanStatus.PROPOSED else None,
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


def plan_balance_cents(account_balance_cents: int, kind: str, forgiven_cents: int) -> int:
    """What a plan's schedule is on: the account's balance, less what a settlement forgives (the down
    payment comes off it in the schedule)."""
    return account_balance_cents - (forgiven_cents if kind == PlanKind.SETTLEMENT else 0)


def _check_amounts(request: PlanRequest, balance_cents: int) -> None:
    """The balance is the account's (less what a settlement forgives), never what a form says."""
    problems: list[tuple[str, str]] = []
    settlement = request.kind == PlanKind.SETTLEMENT
    if request.kind not in PlanKind.codes():
        problems.append(("kind", f"must be one of {', '.join(PlanKind.codes())}"))
    if settlement:
        if not (request.settlement_reason or "").strip():
            problems.append(("settlement_reason", "say why less than the balance is accepted"))
        if not 0 < request.forgiven_cents < balance_cents:
            problems.append(
                (
                    "forgiven",
                    f"must be more than $0.00 and less than the balance ({format_cents(balance_cents)})",
                )
            )
    elif request.forgiven_cents:
        problems.append(("forgiven", "only a settlement forgives part of the balance"))
    if problems:
        raise EntryError(problems)
    expected = plan_balance_cents(balance_cents, request.kind, request.forgiven_cents)
    if request.terms.balance_cents != expected:
        what = "the account's balance less what the settlement forgives" if settlement else "the balance"
        raise EntryError(
            [
                (
                    "balance",
                    f"a plan is on {what} ({format_cents(expected)}), less the down payment; "
                    "it cannot be set by hand",
                )
            ]
        )
    terms = request.terms
    if not 0 <= terms.down_payment_cents < terms.balance_cents:
        raise EntryError(
            [("down", f"must be at least $0.00 and less than {format_cents(terms.balance_cents)}")]
        )


def _account_age(session: Session, account_id: int, today: date) -> int | None:
    a = ACCOUNT_T.c
    row = session.execute(
        select(a.first_statement_date, a.service_date_from, a.placed_date).where(a.id == account_id)
    ).one()
    return age_in_days(row.first_statement_date or row.service_date_from or row.placed_date, today)


def create_plan(db: Database, actor: Actor, request: PlanRequest, *, now: datetime) -> ActionResult:
    """Record the plan (or settlement) with its installments: active when inside policy, else proposed
    with the reason. Its balance is the stored balance less the down payment (and, for a settlement,
    less what it forgives): a request for any other amount is refused."""
    settlement = request.kind == PlanKind.SETTLEMENT
    reason = (request.exception_reason or "").strip() or (
        (request.settlement_reason or "").strip() if settlement else ""
    )
    with db.writing() as session:
        target = target_for_change(session, actor, request.account_id, request.version)
        _check_amounts(request, target.total_balance_cents)
        found = quote(
            request.terms,
            today=now.date(),
            state=request.state,
            income_cents=request.income_cents,
            bill_kind=request.bill_kind,
        )
        violations: list[PlanViolation] = list(found.verdict.violations)
        if settlement:
            age = _account_age(session, target.id, now.date())
            violations += assess_settlement(
                current_plan_policy().settlement, target.total_balance_cents, request.forgiven_cents, age
            )
        if violations and not reason:
            raise EntryError(
                [
                    (
                        "exception_reason",
                        f"outside policy: {v.message}; give a reason to propose it for approval",
                    )
                    for v in violations
                ]
            )
        c = PLAN_T.c
        if session.execute(select(c.id).where(c.account_id == target.id, c.status.in_(OPEN_PLAN))).first():
            raise EntryError([("terms", "this account already has an active or proposed plan")])
        status = PlanStatus.PROPOSED if violations else PlanStatus.ACTIVE
        plan_id = _insert_plan(session, actor, target, request, found, status, now, reason)
        schedule = found.schedule
        each = format_cents(schedule.installment_cents)
        summary = (
            f"{schedule.count} {schedule.terms.frequency} payments of {each} "
            f"from {schedule.first_due:%Y-%m-%d} to {schedule.last_due:%Y-%m-%d}"
        )
        if schedule.terms.down_payment_cents:
            summary = f"{format_cents(schedule.terms.down_payment_cents)} down today, then {summary}"
        what = "Payment plan"
        if settlement:
            what = "Settlement"
            summary = (
                f"{format_cents(schedule.terms.balance_cents)} "
                f"of {format_cents(target.total_balance_cents)}, "
                f"{format_cents(request.forgiven_cents)} forgiven when paid as agreed: {summary}"
            )
        if status == PlanStatus.ACTIVE:
            _activate(session, target.id, schedule.first_due, now)
            note = f"{what} agreed: {summary}"
        else:
            note = (
                f"{what} proposed for approval: {summary}. Outside policy: "
                + "; ".join(v.message for v in violations)
                + "."
            )
        if settlement:
            note += f" Settlement reason: {(request.settlement_reason or '').strip()}"
        elif status == PlanStatus.PROPOSED:
            note += f" Reason: {reason}"
        prefix = "settlement" if settlement else "plan"
        details: dict[str, audit.DetailValue] = {
            "plan": plan_id,
            "installments": schedule.count,
            "rules": [v.rule_id for v in violations],
        }
        if settlement:
            details["forgiven_cents"] = request.forgiven_cents
        version = finish_change(
            session,
            actor,
            target,
            f"{prefix}.create" if status == PlanStatus.ACTIVE else f"{prefix}.propose",
            now,
            line=("PLAN", note),
            details=details,
        )
    message = f"{'Settlement' if settlement else 'Plan'} " + (
        "active" if status == PlanStatus.ACTIVE else "proposed: it waits for a supervisor's approval"
    )
    step = _next_step(request, status)
    return ActionResult(
        target.id,
        version,
        f"{message}: {summary}",
        next_step=step,
        amount_cents=request.terms.down_payment_cents if step == DOWN_PAYMENT_STEP else None,
    )


DOWN_PAYMENT_STEP = "payment"  # ActionResult.next_step: the workspace opens the payment form for it


def _next_step(request: PlanRequest, status: str) -> str:
    """An active plan with a down payment: take it now (the workspace opens the payment form)."""
    if status == PlanStatus.ACTIVE and request.terms.down_payment_cents > 0:
        return DOWN_PAYMENT_STEP
    return "none"


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
    kind: str = PlanKind.PLAN
    forgiven_cents: int = 0
    down_payment_cents: int = 0
    settlement_reason: str | None = None
    balance_cents: int = 0  # the account's balance now
    holds: tuple[str, ...] = ()  # the account's open holds (a dispute, a cease, ...)
    rules: tuple[str, ...] = ()  # the policy rules it breaks (rule ids of plan_policy)


def _proposal_rules(session: Session, plan_ids: list[int]) -> dict[int, tuple[str, ...]]:
    """The rules each proposal broke when it was made (its plan.propose or settlement.propose event)."""
    if not plan_ids:
        return {}
    wanted = set(plan_ids)
    e = AUDIT_T.c
    found: dict[int, tuple[str, ...]] = {}
    for details in session.execute(
        select(e.details).where(e.action.in_(("plan.propose", "settlement.propose")))
    ).scalars():
        data = json.loads(details or "{}")
        plan = data.get("plan")
        if plan in wanted:
            found[int(plan)] = tuple(str(rule) for rule in data.get("rules") or ())
    return found


def open_holds(session: Session, account_ids: list[int]) -> dict[int, tuple[str, ...]]:
    """Each account's open holds (reason codes), for the accounts that have any."""
    if not account_ids:
        return {}
    h = HOLD_T.c
    found: dict[int, set[str]] = {}
    for row in session.execute(
        select(h.account_id, h.reason).where(h.account_id.in_(account_ids), h.released_at.is_(None))
    ):
        found.setdefault(row.account_id, set()).add(row.reason)
    return {account_id: tuple(sorted(reasons)) for account_id, reasons in found.items()}


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
            c.kind,
            c.forgiven_cents,
            c.down_payment_cents,
            c.settlement_reason,
            a.total_balance_cents,
        )
        .join(ACCOUNT_T, a.id == c.account_id)
        .join(FACILITY_T, f.id == a.facility_id)
        .where(c.status == PlanStatus.PROPOSED)
        .order_by(c.created_at, c.id)
        .limit(limit)
    )
    with db.reading() as session:
        require_active(session, actor)
        rows = session.execute(query).all()
        holds = open_holds(session, sorted({row.account_id for row in rows}))
        rules = _proposal_rules(session, [row.id for row in rows])
    return [
        PendingPlan(
            plan_id=row.id,
            account_id=row.account_id,
            account_number=row.account_number,
            facility_code=row.code,
            collector_id=row.collector_id,
            principal_cents=row.principal_cents,
            installment_count=row.installment_count,
            installment_cents=row.installment_cents,
            frequency=row.frequency,
            created_at=row.created_at,
            reason=row.policy_exception_reason,
            kind=row.kind,
            forgiven_cents=row.forgiven_cents,
            down_payment_cents=row.down_payment_cents,
            settlement_reason=row.settlement_reason,
            balance_cents=row.total_balance_cents,
            holds=holds.get(row.account_id, ()),
            rules=rules.get(row.id, ()),
        )
        for row in rows
    ]


def _proposed(session: Session, plan_id: int, *, approving: bool = False) -> tuple[int, date, int, str]:
    """The proposal's account, first due date, the account's version and the plan's kind.

    Approving checks the proposal still covers the balance as it is now: a payment or an
    adjustment since it was proposed makes its schedule pay the wrong amount (and a settlement
    could then never complete), so it must be proposed again.
    """
    c = PLAN_T.c
    row = session.execute(
        select(
            c.account_id,
            c.first_due_date,
            c.status,
            c.kind,
            c.principal_cents,
            c.down_payment_cents,
            c.forgiven_cents,
        ).where(c.id == plan_id)
    ).first()
    if row is None:
        raise NotFoundError(f"plan {plan_id} not found")
    if row.status != PlanStatus.PROPOSED:
        raise ServiceError(f"plan {plan_id} is {row.status}, not waiting for approval")
    a = ACCOUNT_T.c
    account = session.execute(select(a.version, a.total_balance_cents).where(a.id == row.account_id)).one()
    covered = row.principal_cents + row.down_payment_cents + row.forgiven_cents
    if approving and covered != account.total_balance_cents:
        raise ServiceError(
            f"plan {plan_id} was proposed on a balance of {format_cents(covered)}; the balance is now "
            f"{format_cents(account.total_balance_cents)}: decline it and propose it again"
        )
    return int(row.account_id), row.first_due_date, int(account.version), str(row.kind)


def approve_plan(db: Database, actor: Actor, plan_id: int, *, now: datetime) -> ActionResult:
    """A supervisor approves a proposed plan: it becomes active (recorded with who and when)."""
    _require_supervisor(actor, "approve a plan")
    with db.writing() as session:
        account_id, first_due, version, kind = _proposed(session, plan_id, approving=True)
        target = target_for_change(session, actor, account_id, version)
        session.execute(
            update(PLAN_T)
            .where(PLAN_T.c.id == plan_id)
            .values(status=PlanStatus.ACTIVE, approved_by_id=actor.collector_id, approved_at=now)
        )
        _activate(session, account_id, first_due, now)
        what = PlanKind(kind)
        new_version = finish_change(
            session,
            actor,
            target,
            f"{what.value}.approve",
            now,
            line=("PLAN", f"{what.label} {plan_id} approved"),
            details={"plan": plan_id},
        )
    return ActionResult(account_id, new_version, f"{what.label} {plan_id} approved and active")


def decline_plan(db: Database, actor: Actor, plan_id: int, reason: str, *, now: datetime) -> ActionResult:
    """A supervisor declines a proposed plan, saying why (the collector sees it in the timeline)."""
    _require_supervisor(actor, "decline a plan")
    if not reason.strip():
        raise EntryError([("reason", "say why the plan is declined")])
    with db.writing() as session:
        account_id, _, version, kind = _proposed(session, plan_id)
        target = target_for_change(session, actor, account_id, version)
        session.execute(update(PLAN_T).where(PLAN_T.c.id == plan_id).values(status=PlanStatus.CANCELLED))
        what = PlanKind(kind)
        new_version = finish_change(
            session,
            actor,
            target,
            f"{what.value}.decline",
            now,
            line=("PLAN", f"{what.label} {plan_id} declined: {reason.strip()}"),
            details={"plan": plan_id},
        )
    return ActionResult(account_id, new_version, f"{what.label} {plan_id} declined")


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
