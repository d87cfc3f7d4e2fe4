"""The supervisor's approval list: plans proposed outside policy, and overrides collectors asked for.

A collector whose call the compliance rules block may ask a supervisor to allow
it, saying why (the consumer asked to be called at 21:30, say). Approved, the
request lets that collector log one such call on that account (and number) for
the next few hours; the call's audit event names the request. Every request
shows who asked, why, what it changes, the account's balance and open holds (a
plan on a disputed account says so) and the policy rules it breaks; every
decision is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import insert, or_, select, update
from sqlmodel import Session

from collector_tui.db.tables import ACCOUNT_T, COLLECTOR_T, FACILITY_T, OVERRIDE_REQUEST_T, PHONE_T
from collector_tui.domain.money import format_cents
from collector_tui.domain.plan_policy import rule_label
from collector_tui.services import audit
from collector_tui.services.audit import Actor
from collector_tui.services.database import Database
from collector_tui.services.desk.account_change import ActionResult, target_for_change
from collector_tui.services.errors import AccessDeniedError, EntryError, NotFoundError, ServiceError
from collector_tui.services.law.compliance import call_blocks
from collector_tui.services.money.plans import approve_plan, decline_plan, open_holds, pending_plans
from collector_tui.services.team.permissions import Permission, require
from collector_tui.vocabulary import HoldReason, PlanKind, RequestStatus

OVERRIDE_VALID = timedelta(hours=4)  # an approval is for the call being discussed, not for good
KIND_PLAN = "plan"
KIND_OVERRIDE = "override"


@dataclass(frozen=True, slots=True)
class Approval:
    kind: str  # plan or override
    id: int
    account_id: int
    facility_code: str
    account_number: str
    requested_by: str  # login
    requested_at: datetime
    why: str
    changes: str  # what approving it changes, in words
    balance_cents: int = 0  # the account's balance now
    holds: tuple[str, ...] = ()  # the account's open holds (reason codes): a dispute, a cease, ...
    breaks: tuple[str, ...] = ()  # the rules it breaks, in words (policy rules, compliance rule ids)
    kind_label: str = ""  # what it is, in words: "plan", "settlement", "call override"

    @property
    def hold_words(self) -> str:
        """The open holds in words ("" when none)."""
        return ", ".join(HoldReason(h).label if h in HoldReason.codes() else h for h in self.holds)


def request_override(
    db: Database,
    actor: Actor,
    account_id: int,
    version: int,
    phone_id: int | None,
    reason: str,
    *,
    now: datetime,
) -> ActionResult:
    """Ask a supervisor to allow a call the rules block now (nothing is logged until it is approved)."""
    reason = reason.strip()
    if not reason:
        raise EntryError([("override_reason", "say why the call should be allowed")])
    if actor.collector_id is None:
        raise AccessDeniedError("only a user of the workstation may ask for an override")
    with db.writing() as session:
        target = target_for_change(session, actor, account_id, version)
        blocks = call_blocks(session, target.id, phone_id, now) if phone_id is not None else ()
        if not blocks:
            raise EntryError([("phone", "the rules allow this call now: no override is needed")])
        rules = " ".join(sorted({b.rule_id for b in blocks}))
        request_id = int(
            session.execute(
                insert(OVERRIDE_REQUEST_T).returning(OVERRIDE_REQUEST_T.c.id),
                [
                    {
                        "account_id": target.id,
                        "phone_id": phone_id,
                        "requested_by_id": actor.collector_id,
                        "requested_at": now,
                        "reason": reason,
                        "rules": rules,
                        "status": RequestStatus.PENDING,
                    }
                ],
            ).scalar_one()
        )
        audit.record(
            session,
            actor,
            "override.request",
            "account",
            [target.id],
            at=now,
            details={"request": request_id},
        )
    return ActionResult(
        account_id, version, f"Override requested ({rules}): a supervisor must approve it before you call"
    )


def approved_override(
    session: Session, actor: Actor, account_id: int, phone_id: int | None, now: datetime
) -> int | None:
    """The id of an approved, unexpired, unused override request of ``actor`` for this call, if any."""
    r = OVERRIDE_REQUEST_T.c
    query = select(r.id).where(
        r.account_id == account_id,
        r.requested_by_id == actor.collector_id,
        r.status == RequestStatus.APPROVED,
        r.expires_at > now,
    )
    if phone_id is not None:
        query = query.where(or_(r.phone_id == phone_id, r.phone_id.is_(None)))
    found = session.execute(query.order_by(r.id).limit(1)).scalar_one_or_none()
    return None if found is None else int(found)


def mark_override_used(session: Session, request_id: int, activity_id: int) -> None:
    """An approval is for one call: the call that used it is named, and it cannot be used again."""
    session.execute(
        update(OVERRIDE_REQUEST_T)
        .where(OVERRIDE_REQUEST_T.c.id == request_id)
        .values(status=RequestStatus.USED, used_activity_id=activity_id)
    )


def _require_supervisor(actor: Actor, doing: str) -> None:
    who = f"you are {actor.login}, {actor.role}"
    require(actor, Permission.APPROVE, f"only a supervisor or admin may {doing} ({who})")


def list_approvals(db: Database, actor: Actor, *, limit: int = 200) -> list[Approval]:
    """Everything that waits for a supervisor, oldest first."""
    _require_supervisor(actor, "see the approval list")
    r, a, f, c, p = OVERRIDE_REQUEST_T.c, ACCOUNT_T.c, FACILITY_T.c, COLLECTOR_T.c, PHONE_T.c
    with db.reading() as session:
        overrides = session.execute(
            select(
                r.id,
                r.account_id,
                f.code,
                a.account_number,
                c.login,
                r.requested_at,
                r.reason,
                r.rules,
                p.number,
                a.total_balance_cents,
            )
            .join(ACCOUNT_T, a.id == r.account_id)
            .join(FACILITY_T, f.id == a.facility_id)
            .join(COLLECTOR_T, c.id == r.requested_by_id)
            .outerjoin(PHONE_T, p.id == r.phone_id)
            .where(r.status == RequestStatus.PENDING)
            .order_by(r.requested_at, r.id)
            .limit(limit)
        ).all()
        logins = dict(session.execute(select(c.id, c.login)).all())
        holds = open_holds(session, sorted({row.account_id for row in overrides}))
    found = [
        Approval(
            KIND_OVERRIDE,
            row.id,
            row.account_id,
            row.code,
            row.account_number,
            row.login,
            row.requested_at,
            row.reason,
            f"allows one call{f' to the number ending {row.number[-4:]}' if row.number else ''} "
            f"despite: {row.rules.replace(' ', ', ')} (for {OVERRIDE_VALID.seconds // 3600} hours)",
            balance_cents=row.total_balance_cents,
            holds=holds.get(row.account_id, ()),
            breaks=tuple(row.rules.split()),
            kind_label="call override",
        )
        for row in overrides
    ]
    for plan in pending_plans(db, actor, limit=limit):
        settlement = plan.kind == PlanKind.SETTLEMENT
        schedule = (
            f"{plan.installment_count} {plan.frequency} payments of {format_cents(plan.installment_cents)} "
            f"(of {format_cents(plan.principal_cents)})"
        )
        if plan.down_payment_cents:
            schedule = f"{format_cents(plan.down_payment_cents)} down, then {schedule}"
        if settlement:
            agreed = plan.principal_cents + plan.down_payment_cents
            changes = (
                f"activates a settlement for {format_cents(agreed)}: {schedule}; "
                f"{format_cents(plan.forgiven_cents)} forgiven when paid as agreed"
            )
        else:
            changes = f"activates a plan of {schedule} outside policy"
        why = plan.reason or ""
        if settlement and plan.settlement_reason and plan.settlement_reason != why:
            why = f"{why}; settlement: {plan.settlement_reason}" if why else plan.settlement_reason
        found.append(
            Approval(
                KIND_PLAN,
                plan.plan_id,
                plan.account_id,
                plan.facility_code,
                plan.account_number,
                logins.get(plan.collector_id, "-") if plan.collector_id is not None else "-",
                plan.created_at,
                why,
                changes,
                balance_cents=plan.balance_cents,
                holds=plan.holds,
                breaks=tuple(rule_label(rule) for rule in plan.rules),
                kind_label="settlement" if settlement else "plan",
            )
        )
    return sorted(found, key=lambda item: (item.requested_at, item.kind, item.id))[:limit]


def decide(
    db: Database, actor: Actor, kind: str, request_id: int, *, approve: bool, note: str = "", now: datetime
) -> str:
    """Approve or reject one item of the list; returns what happened, in words."""
    _require_supervisor(actor, "approve or reject")
    if kind == KIND_PLAN:
        if approve:
            return approve_plan(db, actor, request_id, now=now).message
        return decline_plan(db, actor, request_id, note, now=now).message
    if kind != KIND_OVERRIDE:
        raise ServiceError(f"unknown approval kind {kind!r} (plan or override)")
    if not approve and not note.strip():
        raise EntryError([("reason", "say why the override is rejected")])
    r = OVERRIDE_REQUEST_T.c
    with db.writing() as session:
        row = session.execute(select(r.account_id, r.status).where(r.id == request_id)).first()
        if row is None:
            raise NotFoundError(f"override request {request_id} not found")
        if row.status != RequestStatus.PENDING:
            raise ServiceError(f"override request {request_id} is {row.status}, not waiting for a decision")
        session.execute(
            update(OVERRIDE_REQUEST_T)
            .where(r.id == request_id)
            .values(
                status=RequestStatus.APPROVED if approve else RequestStatus.REJECTED,
                decided_by_id=actor.collector_id,
                decided_at=now,
                decision_note=note.strip() or None,
                expires_at=now + OVERRIDE_VALID if approve else None,
            )
        )
        action = "override.approve" if approve else "override.reject"
        audit.record(
            session, actor, action, "account", [row.account_id], at=now, details={"request": request_id}
        )
    verb = "approved: the collector may place the call" if approve else "rejected"
    return f"Override request {request_id} {verb}"
