"""What a collector does with a denial item: each action one transaction and one audit event.

- :func:`log_payer_call`: the insurer as the party (an activity on the account's timeline that is
  not a contact with the consumer: it counts toward no call limit), the representative, the call
  reference and what they said; the payer's answer is then due in its usual days.
- :func:`file_appeal`: level 1, 2 or external review, the date filed and the deadline it met; the
  claim is under appeal and the payer's answer due.
- :func:`request_correction`: a task for billing (exported by ``collector export billing-tasks``)
  naming the ICN, the claim frequency code (7 replacement, 8 void; none for a resubmission as is)
  and the reason.
- :func:`bill_other_payer`: the claim goes to another payer (coordination of benefits).
- :func:`move_to_patient`: the PR amounts the payer assigned the patient move from insurance
  pending to the patient, only when no other payer is pending on the account; the item closes as
  moved to patient when nothing else was denied.
- :func:`write_off`: the denied amount written off with a reason; beyond the policy's limit it
  waits for a supervisor (:func:`decide_write_off`, never the person who asked).
- :func:`close_upheld`: the payer's last word is no.

An item closes as overturned on its own, when a later 835 pays the claim
(``services/worklists/denial_items.close_overturned``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlmodel import Session

from collector_tui.db.tables import (
    ACCOUNT_T,
    ACTIVITY_T,
    CLAIM_T,
    COLLECTOR_T,
    DENIAL_ACTION_T,
    DENIAL_ITEM_T,
    FACILITY_T,
)
from collector_tui.domain.denial_work import denial_priority, response_due
from collector_tui.domain.money import format_cents
from collector_tui.domain.money_events import TransactionRecord
from collector_tui.services.audit import Actor
from collector_tui.services.database import Database
from collector_tui.services.desk.account_change import finish_change, target_for_change
from collector_tui.services.errors import AccessDeniedError, EntryError, NotFoundError, ServiceError
from collector_tui.services.law.policy import current_denial_policy
from collector_tui.services.money.transactions import apply_transactions
from collector_tui.services.office_settings import office_today
from collector_tui.services.team.permissions import Permission, require, require_account_view, require_active
from collector_tui.services.worklists.denial_items import facts_of
from collector_tui.vocabulary import (
    AppealLevel,
    ApprovalStatus,
    Channel,
    ClaimFrequency,
    ClaimStatus,
    DenialActionKind,
    DenialOutcome,
    DenialStatus,
    Direction,
    Party,
    TransactionKind,
)

NO_ITEM = "no such denial item"
CLOSED = "this denial item is closed"
NOTE_WIDTH = 2000
PENDING_PAYER = (ClaimStatus.PENDING, ClaimStatus.APPEALED)


@dataclass(frozen=True, slots=True)
class DenialActionResult:
    item_id: int
    action_id: int
    message: str  # what happened, in plain words without PHI
    closed: bool = False
    pending_approval: bool = False


@dataclass(frozen=True, slots=True)
class _Item:
    id: int
    claim_id: int
    account_id: int
    account_version: int
    payer_name: str
    payer_claim_number: str | None
    denied_cents: int
    patient_cents: int
    facility_code: str
    account_number: str
    row: Any


def _text(
    value: str, field: str, what: str, problems: list[tuple[str, str]], *, required: bool = True
) -> str:
    text = value.strip()
    if required and not text:
        problems.append((field, f"{what} is required"))
    return text[:NOTE_WIDTH]


STALE = (
    "this denial item changed since you opened it (a payer's file or another session): close the form "
    "and look at it again"
)


def _open_item(session: Session, actor: Actor, item_id: int, seen: datetime | None = None) -> _Item:
    """The open item, if the actor may work its account: one they may not see gets the same words
    as one that does not exist. ``seen``, the item's ``updated_at`` the screen showed, refuses an
    item that changed since (a second keypress, a payer's file posted meanwhile)."""
    d, a, f = DENIAL_ITEM_T.c, ACCOUNT_T.c, FACILITY_T.c
    row = session.execute(
        select(DENIAL_ITEM_T, a.version.label("account_version"), a.account_number, f.code.label("facility"))
        .join(ACCOUNT_T, a.id == d.account_id)
        .join(FACILITY_T, f.id == a.facility_id)
        .where(d.id == item_id)
    ).first()
    if row is None:
        raise NotFoundError(NO_ITEM)
    require_account_view(session, actor, row.account_id, refusal=NO_ITEM)
    target_for_change(session, actor, row.account_id, row.account_version)  # may the actor work it?
    if row.status != DenialStatus.OPEN:
        raise ServiceError(CLOSED)
    if seen is not None and row.updated_at != seen:
        raise ServiceError(STALE)
    return _Item(
        id=row.id,
        claim_id=row.claim_id,
        account_id=row.account_id,
        account_version=row.account_version,
        payer_name=row.payer_name,
        payer_claim_number=row.payer_claim_number,
        denied_cents=int(row.denied_cents),
        patient_cents=int(row.patient_cents),
        facility_code=row.facility,
        account_number=row.account_number,
        row=row,
    )


def _action(
    session: Session, actor: Actor, item: _Item, kind: DenialActionKind, now: datetime, **values: Any
) -> int:
    row = {
        "item_id": item.id,
        "account_id": item.account_id,
        "collector_id": actor.collector_id,
        "logged_by": actor.login,
        "kind": kind,
        "occurred_at": now,
        "approval": ApprovalStatus.NOT_NEEDED,
        **values,
    }
    return int(session.execute(insert(DENIAL_ACTION_T).returning(DENIAL_ACTION_T.c.id), [row]).scalar_one())


def _worked(
    session: Session,
    item: _Item,
    now: datetime,
    *,
    answer_due: date | None = None,
    close: DenialOutcome | None = None,
    **changes: Any,
) -> None:
    """The item after an action: worked now, the payer's answer due (if asked), rescored or closed."""
    values: dict[str, Any] = {"worked_at": now, "updated_at": now, **changes}
    if answer_due is not None:
        values["response_due"] = answer_due
    if close is not None:
        # A write-off still waiting for a supervisor has nothing left to decide once the item ends.
        e = DENIAL_ACTION_T.c
        session.execute(
            update(DENIAL_ACTION_T)
            .where(
                e.item_id == item.id,
                e.kind == DenialActionKind.WRITE_OFF,
                e.approval == ApprovalStatus.PENDING,
            )
            .values(approval=ApprovalStatus.DECLINED, decided_at=now)
        )
        values.update(
            status=DenialStatus.CLOSED, outcome=close, closed_at=now, claimed_by_id=None, claimed_until=None
        )
    else:
        facts = facts_of({**item.row._mapping, **values})
        priority = denial_priority(facts, current_denial_policy(), office_today(session, now))
        values.update(priority_score=priority.score, priority_breakdown=priority.breakdown_json())
    session.execute(update(DENIAL_ITEM_T).where(DENIAL_ITEM_T.c.id == item.id).values(**values))


def _finish(
    session: Session,
    actor: Actor,
    item: _Item,
    now: datetime,
    action: str,
    action_id: int,
    line: tuple[str, str] | None,
) -> None:
    """The account's side: a timeline line (if any), the version bump, the one audit event.

    The account's version is read again: a posting in this same transaction (a write-off, a move
    to the patient) has already bumped it."""
    version = session.execute(
        select(ACCOUNT_T.c.version).where(ACCOUNT_T.c.id == item.account_id)
    ).scalar_one()
    target = target_for_change(session, actor, item.account_id, version)
    finish_change(
        session,
        actor,
        target,
        action,
        now,
        line=line,
        details={"denial_item": item.id, "denial_action": action_id},
    )


def _answer_due(item: _Item, on: date) -> date:
    return response_due(current_denial_policy().rules_for(item.payer_name), on)


# ---- the payer call -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PayerCall:
    representative: str
    said: str
    reference: str = ""  # the call reference number the payer gives
    answer_expected: bool = True  # the payer said it will reprocess or answer


def log_payer_call(
    db: Database, actor: Actor, item_id: int, call: PayerCall, *, now: datetime, seen: datetime | None = None
) -> DenialActionResult:
    problems: list[tuple[str, str]] = []
    representative = _text(call.representative, "representative", "the representative's name", problems)[:80]
    said = _text(call.said, "said", "what the payer said", problems)
    reference = _text(call.reference, "reference", "the call reference", problems, required=False)[:64]
    if problems:
        raise EntryError(problems)
    with db.writing() as session:
        item = _open_item(session, actor, item_id, seen)
        activity = int(
            session.execute(
                insert(ACTIVITY_T).returning(ACTIVITY_T.c.id),
                [
                    {
                        "account_id": item.account_id,
                        "collector_id": actor.collector_id,
                        "occurred_at": now,
                        "channel": Channel.CALL,
                        "direction": Direction.OUT,
                        "party": Party.INSURER,
                        "outcome_code": DenialActionKind.PAYER_CALL,
                        # A call to the insurer is no contact with the consumer: no limit counts it.
                        "counts_as_attempt": False,
                        "counts_as_conversation": False,
                        "note": f"{item.payer_name}: {said}",
                        "source": "tui",
                        "created_at": now,
                    }
                ],
            ).scalar_one()
        )
        action_id = _action(
            session,
            actor,
            item,
            DenialActionKind.PAYER_CALL,
            now,
            representative=representative,
            reference=reference or None,
            note=said,
            activity_id=activity,
        )
        _worked(
            session,
            item,
            now,
            answer_due=_answer_due(item, office_today(session, now)) if call.answer_expected else None,
        )
        _finish(session, actor, item, now, "denial.payer_call", action_id, None)
    return DenialActionResult(item.id, action_id, f"payer call logged on item {item.id}")


# ---- appeal ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AppealFiling:
    level: AppealLevel
    filed_on: date
    argument: str
    reference: str = ""  # the payer's appeal or case number, once it gives one


def file_appeal(
    db: Database,
    actor: Actor,
    item_id: int,
    appeal: AppealFiling,
    *,
    now: datetime,
    seen: datetime | None = None,
) -> DenialActionResult:
    problems: list[tuple[str, str]] = []
    argument = _text(appeal.argument, "argument", "the appeal's argument", problems)
    reference = _text(appeal.reference, "reference", "the appeal reference", problems, required=False)[:64]
    if problems:
        raise EntryError(problems)
    with db.writing() as session:
        if appeal.filed_on > office_today(session, now):
            raise EntryError([("filed_on", "an appeal cannot be filed in the future")])
        item = _open_item(session, actor, item_id, seen)
        deadline = item.row.appeal_deadline
        late = deadline is not None and appeal.filed_on > deadline
        action_id = _action(
            session,
            actor,
            item,
            DenialActionKind.APPEAL,
            now,
            appeal_level=appeal.level,
            acted_on=appeal.filed_on,
            deadline=deadline,
            reference=reference or None,
            note=argument,
        )
        session.execute(
            update(CLAIM_T).where(CLAIM_T.c.id == item.claim_id).values(status=ClaimStatus.APPEALED)
        )
        _worked(session, item, now, answer_due=_answer_due(item, appeal.filed_on))
        label = f"{AppealLevel(appeal.level).label} filed {appeal.filed_on.isoformat()}"
        _finish(session, actor, item, now, "denial.appeal", action_id, (DenialActionKind.APPEAL, label))
    message = f"{label}{' after the deadline ' + deadline.isoformat() if late else ''}"
    return DenialActionResult(item.id, action_id, message)


# ---- billing tasks --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CorrectionRequest:
    reason: str
    frequency: ClaimFrequency | None = None  # 7 replace, 8 void; None: resubmit the claim as it was


def request_correction(
    db: Database,
    actor: Actor,
    item_id: int,
    request: CorrectionRequest,
    *,
    now: datetime,
    seen: datetime | None = None,
) -> DenialActionResult:
    problems: list[tuple[str, str]] = []
    reason = _text(request.reason, "reason", "the reason for billing", problems)
    if problems:
        raise EntryError(problems)
    kind = DenialActionKind.RESUBMISSION if request.frequency is None else DenialActionKind.CORRECTED_CLAIM
    with db.writing() as session:
        item = _open_item(session, actor, item_id, seen)
        if request.frequency is not None and not item.payer_claim_number:
            raise EntryError(
                [("frequency", "a replacement or void names the payer's claim number (ICN); none is on file")]
            )
        action_id = _action(
            session,
            actor,
            item,
            kind,
            now,
            frequency_code=None if request.frequency is None else str(request.frequency),
            reference=item.payer_claim_number,
            note=reason,
        )
        _worked(session, item, now, answer_due=_answer_due(item, office_today(session, now)))
        _finish(session, actor, item, now, f"denial.{kind}", action_id, (kind, f"{kind.label} for billing"))
    return DenialActionResult(item.id, action_id, f"{kind.label}: a task for billing")


def bill_other_payer(
    db: Database,
    actor: Actor,
    item_id: int,
    payer_name: str,
    note: str,
    *,
    now: datetime,
    seen: datetime | None = None,
) -> DenialActionResult:
    problems: list[tuple[str, str]] = []
    other = _text(payer_name, "payer", "the other payer", problems)[:120]
    said = _text(note, "note", "a note", problems, required=False)
    if problems:
        raise EntryError(problems)
    with db.writing() as session:
        item = _open_item(session, actor, item_id, seen)
        if other.upper() == item.payer_name.upper():
            raise EntryError([("payer", "that is the payer that denied the claim")])
        action_id = _action(
            session, actor, item, DenialActionKind.BILL_OTHER_PAYER, now, other_payer=other, note=said or None
        )
        _worked(session, item, now, answer_due=_answer_due(item, office_today(session, now)))
        kind = DenialActionKind.BILL_OTHER_PAYER
        _finish(session, actor, item, now, "denial.bill_other_payer", action_id, (kind, f"billed {other}"))
    return DenialActionResult(item.id, action_id, f"to be billed to {other}")


# ---- money ----------------------------------------------------------------------------------


def _payer_pending(session: Session, account_id: int) -> bool:
    """Whether any claim of the account, the item's own included (under appeal, forwarded to the
    next payer), still waits on a payer."""
    c = CLAIM_T.c
    return bool(
        session.execute(
            select(func.count()).where(c.account_id == account_id, c.status.in_(PENDING_PAYER))
        ).scalar_one()
    )


def move_to_patient(
    db: Database, actor: Actor, item_id: int, *, now: datetime, seen: datetime | None = None
) -> DenialActionResult:
    """The item's PR amounts to the patient (see the module); refused while a payer is pending."""
    with db.writing() as session:
        item = _open_item(session, actor, item_id, seen)
        if item.patient_cents <= 0:
            raise ServiceError("the payer assigned the patient nothing on this claim: only PR amounts move")
        if _payer_pending(session, item.account_id):
            raise ServiceError(
                "a payer is still pending on this account (a claim with a payer or under appeal): "
                "the patient's share waits for it"
            )
        apply_transactions(
            session,
            [],
            actor=actor,
            now=now,
            source="tui",
            insurance_shifts={(item.facility_code, item.account_number): item.patient_cents},
        )
        action_id = _action(
            session, actor, item, DenialActionKind.MOVE_TO_PATIENT, now, amount_cents=item.patient_cents
        )
        closes = item.denied_cents <= 0
        _worked(session, item, now, close=DenialOutcome.MOVED_TO_PATIENT if closes else None, patient_cents=0)
        line = f"{format_cents(item.patient_cents)} moved to the patient's share"
        _finish(
            session,
            actor,
            item,
            now,
            "denial.move_to_patient",
            action_id,
            (DenialActionKind.MOVE_TO_PATIENT, line),
        )
    return DenialActionResult(item.id, action_id, line, closed=closes)


def _post_write_off(
    session: Session, actor: Actor, item: _Item, action_id: int, cents: int, now: datetime
) -> None:
    """Post the write-off off insurance pending: never more than the account owes, nor than it
    still expects from insurance (a denial's money waits there; the patient's share is not it)."""
    a = ACCOUNT_T.c
    owed = session.execute(
        select(a.total_balance_cents, a.insurance_pending_cents).where(a.id == item.account_id)
    ).one()
    room = min(int(owed.total_balance_cents), int(owed.insurance_pending_cents))
    if cents > room:
        raise ServiceError(
            f"the account expects only {format_cents(max(room, 0))} from insurance now: "
            "write off no more than that"
        )
    day = office_today(session, now)
    posted = apply_transactions(
        session,
        [
            TransactionRecord(
                external_id=f"denial-write-off-{action_id}",
                facility_code=item.facility_code,
                account_number=item.account_number,
                kind=TransactionKind.WRITE_OFF,
                amount_cents=cents,
                posted_at=datetime.combine(day, time(), UTC),
                method=None,
                reference=item.payer_claim_number,
                reverses_external_id=None,
            )
        ],
        actor=actor,
        now=now,
        source="tui",
        insurance_share=frozenset({f"denial-write-off-{action_id}"}),
    )
    if posted.rejected:
        raise ServiceError("the account cannot take this write-off (its balance is smaller)")


def write_off(
    db: Database,
    actor: Actor,
    item_id: int,
    reason: str,
    *,
    now: datetime,
    amount_cents: int | None = None,
    seen: datetime | None = None,
) -> DenialActionResult:
    """Write off the denied amount (or ``amount_cents`` of it); beyond the policy's limit, ask."""
    problems: list[tuple[str, str]] = []
    why = _text(reason, "reason", "the reason for the write-off", problems)
    if problems:
        raise EntryError(problems)
    limit = current_denial_policy().write_off_limit_cents
    with db.writing() as session:
        item = _open_item(session, actor, item_id, seen)
        cents = item.denied_cents if amount_cents is None else amount_cents
        if cents <= 0 or cents > item.denied_cents:
            raise EntryError([("amount", f"between $0.01 and the denied {format_cents(item.denied_cents)}")])
        if _pending_write_off(session, item.id):
            raise ServiceError("a write-off of this item already waits for a supervisor")
        ask = cents > limit
        action_id = _action(
            session,
            actor,
            item,
            DenialActionKind.WRITE_OFF,
            now,
            amount_cents=cents,
            note=why,
            approval=ApprovalStatus.PENDING if ask else ApprovalStatus.NOT_NEEDED,
        )
        if ask:
            _worked(session, item, now)
            beyond = format_cents(limit)
            line = f"write-off of {format_cents(cents)} asked (beyond {beyond}: a supervisor decides)"
        else:
            _post_write_off(session, actor, item, action_id, cents, now)
            line = _written_off(session, item, cents, now)
        _finish(session, actor, item, now, "denial.write_off", action_id, (DenialActionKind.WRITE_OFF, line))
    closed = not ask and cents == item.denied_cents
    return DenialActionResult(item.id, action_id, line, closed=closed, pending_approval=ask)


def _written_off(session: Session, item: _Item, cents: int, now: datetime) -> str:
    """The item after a write-off posted: closed when all that was denied is written off; else
    open with what is left (a part written off does not end the work on the rest)."""
    left = item.denied_cents - cents
    if left <= 0:
        _worked(session, item, now, close=DenialOutcome.WRITTEN_OFF)
        return f"{format_cents(cents)} written off"
    _worked(session, item, now, denied_cents=left)
    return f"{format_cents(cents)} written off; {format_cents(left)} still denied"


def _pending_write_off(session: Session, item_id: int) -> bool:
    e = DENIAL_ACTION_T.c
    return bool(
        session.execute(
            select(func.count()).where(
                e.item_id == item_id,
                e.kind == DenialActionKind.WRITE_OFF,
                e.approval == ApprovalStatus.PENDING,
            )
        ).scalar_one()
    )


@dataclass(frozen=True, slots=True)
class PendingWriteOff:
    action_id: int
    item_id: int
    account_id: int
    facility_code: str
    account_number: str
    payer_name: str
    codes: str
    amount_cents: int
    reason: str
    asked_by: str | None
    asked_at: datetime


def pending_write_offs(db: Database, actor: Actor, *, limit: int = 200) -> tuple[PendingWriteOff, ...]:
    """The write-offs waiting for a supervisor, oldest first."""
    require(actor, Permission.APPROVE)
    e, d, a, f, u = DENIAL_ACTION_T.c, DENIAL_ITEM_T.c, ACCOUNT_T.c, FACILITY_T.c, COLLECTOR_T.c
    with db.reading() as session:
        require_active(session, actor)
        rows = session.execute(
            select(
                e.id,
                e.item_id,
                e.account_id,
                f.code,
                a.account_number,
                d.payer_name,
                d.codes,
                e.amount_cents,
                e.note,
                u.login,
                e.occurred_at,
            )
            .join(DENIAL_ITEM_T, d.id == e.item_id)
            .join(ACCOUNT_T, a.id == e.account_id)
            .join(FACILITY_T, f.id == a.facility_id)
            .outerjoin(COLLECTOR_T, u.id == e.collector_id)
            .where(e.kind == DenialActionKind.WRITE_OFF, e.approval == ApprovalStatus.PENDING)
            .order_by(e.occurred_at, e.id)
            .limit(limit)
        )
        return tuple(
            PendingWriteOff(
                action_id=row.id,
                item_id=row.item_id,
                account_id=row.account_id,
                facility_code=row.code,
                account_number=row.account_number,
                payer_name=row.payer_name,
                codes=row.codes,
                amount_cents=int(row.amount_cents),
                reason=row.note or "",
                asked_by=row.login,
                asked_at=row.occurred_at,
            )
            for row in rows
        )


def decide_write_off(
    db: Database, actor: Actor, action_id: int, *, approve: bool, note: str = "", now: datetime
) -> DenialActionResult:
    """A supervisor approves (the write-off posts, the item closes) or declines (the item stays open)."""
    require(actor, Permission.APPROVE)
    e = DENIAL_ACTION_T.c
    with db.writing() as session:
        require_active(session, actor)
        asked = session.execute(
            select(e.item_id, e.collector_id, e.logged_by, e.amount_cents, e.approval).where(
                e.id == action_id, e.kind == DenialActionKind.WRITE_OFF
            )
        ).first()
        if asked is None or asked.approval != ApprovalStatus.PENDING:
            raise NotFoundError(f"no write-off {action_id} waits for a decision")
        # The person who asked, whoever they acted as, never decides it (an admin acting as the
        # collector who asked, or the collector's own login).
        if (asked.collector_id is not None and asked.collector_id == actor.collector_id) or (
            asked.logged_by is not None and asked.logged_by == actor.login
        ):
            raise AccessDeniedError("a write-off you asked for is decided by another supervisor")
        item = _open_item(session, actor, int(asked.item_id))
        cents = int(asked.amount_cents)
        if approve and cents > item.denied_cents:
            raise ServiceError(
                f"the item's denied amount is now {format_cents(item.denied_cents)}, less than the "
                f"{format_cents(cents)} asked: decline it and let the collector ask again"
            )
        decision = ApprovalStatus.APPROVED if approve else ApprovalStatus.DECLINED
        session.execute(
            update(DENIAL_ACTION_T)
            .where(e.id == action_id)
            .values(approval=decision, decided_by_id=actor.collector_id, decided_at=now)
        )
        if approve:
            _post_write_off(session, actor, item, action_id, cents, now)
            line = f"{_written_off(session, item, cents, now)} (approved)"
        else:
            line = f"write-off of {format_cents(cents)} declined{': ' + note.strip() if note.strip() else ''}"
        _finish(
            session,
            actor,
            item,
            now,
            f"denial.write_off_{decision}",
            action_id,
            (DenialActionKind.WRITE_OFF, line),
        )
    return DenialActionResult(item.id, action_id, line, closed=approve and cents == item.denied_cents)


def close_upheld(
    db: Database, actor: Actor, item_id: int, note: str, *, now: datetime, seen: datetime | None = None
) -> DenialActionResult:
    """The payer's last word is no: the item closes as upheld (its money stays until written off or
    moved by the billing system)."""
    problems: list[tuple[str, str]] = []
    said = _text(note, "note", "what the payer decided", problems)
    if problems:
        raise EntryError(problems)
    with db.writing() as session:
        item = _open_item(session, actor, item_id, seen)
        action_id = _action(session, actor, item, DenialActionKind.UPHELD, now, note=said)
        session.execute(
            update(CLAIM_T).where(CLAIM_T.c.id == item.claim_id).values(status=ClaimStatus.DENIED)
        )
        _worked(session, item, now, close=DenialOutcome.UPHELD)
        _finish(
            session, actor, item, now, "denial.upheld", action_id, (DenialActionKind.UPHELD, "denial upheld")
        )
    return DenialActionResult(item.id, action_id, "closed: the denial was upheld", closed=True)
