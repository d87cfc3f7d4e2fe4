"""What a collector changes from the workspace: each action one transaction and one audit event.

Every action goes through the change-one-account unit of work of
:mod:`.account_change`: it names the account version the collector was looking
at and is refused (:class:`~collector_tui.services.errors.StaleAccountError`,
nothing written) if the account changed underneath; it bumps the version,
writes a line in the account's timeline, and refreshes what the queue reads
(call state and priority) for every account it touched. What the collector
typed that breaks a rule is an :class:`~collector_tui.services.errors.EntryError`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, func, insert, select, update
from sqlmodel import Session

from collector_tui.db.tables import ACTIVITY_T, GUARANTOR_T, HOLD_T, PHONE_T, PROMISE_T
from collector_tui.domain.compliance.clock import zone
from collector_tui.domain.compliance.engine import CALL, Block, Verdict
from collector_tui.domain.dispositions import Disposition
from collector_tui.domain.money import format_cents
from collector_tui.domain.money_events import TransactionRecord
from collector_tui.domain.phones import normalize_phone
from collector_tui.domain.workspace_policy import WorkspacePolicy, looks_like_card_number, promise_problems
from collector_tui.services import audit
from collector_tui.services.audit import Actor
from collector_tui.services.database import Database
from collector_tui.services.desk.account_change import (
    ActionResult,
    Target,
    bumped,
    finish_change,
    target_for_change,
)
from collector_tui.services.desk.consumer_requests import (
    callback_slot,
    consumer_zone,
    record_call_time_consent,
)
from collector_tui.services.desk.holds import HOW_RECEIVED, PERSON_FLAGS, household, place_holds
from collector_tui.services.errors import (
    AccessDeniedError,
    CallBlockedError,
    EntryError,
    ServiceError,
)
from collector_tui.services.law.compliance import call_blocks, verdict_for_account
from collector_tui.services.law.policy import current_policy, current_workspace_policy
from collector_tui.services.money.arrangements import add_promise
from collector_tui.services.money.transactions import apply_transactions
from collector_tui.services.team.approvals import approved_override, mark_override_used
from collector_tui.services.team.permissions import Permission, can, require
from collector_tui.vocabulary import (
    Channel,
    Direction,
    HoldReason,
    Party,
    PhoneStatus,
    PhoneType,
    PromiseStatus,
    ReceivedVia,
    TransactionKind,
    Verification,
)

DIRECTIONS = ("out", "in")
# Who a contact with the consumer reached: a call to an insurer is a denial item's (payer call).
PARTIES = tuple(code for code in Party.codes() if code != Party.INSURER)
PAYMENT_METHODS = ("card", "ach", "check")
# Holds a collector may place from the workspace (the others come from imports or supervisors).
WORKSPACE_HOLDS = (
    HoldReason.DISPUTE,
    HoldReason.CEASE,
    HoldReason.ATTORNEY,
    HoldReason.BANKRUPTCY,
    HoldReason.DECEASED,
    HoldReason.FINANCIAL_ASSISTANCE,
    HoldReason.ITEMIZED_STATEMENT,
    HoldReason.INSURANCE_PENDING,
    HoldReason.ORIGINAL_CREDITOR,
)
NOTE_LIMIT = 4000
# How a contact's channel brought a dispute or cease that its disposition records.
RECEIVED_BY_CHANNEL = {
    Channel.CALL: ReceivedVia.ORAL,
    Channel.VOICEMAIL: ReceivedVia.ORAL,
    Channel.LETTER: ReceivedVia.WRITTEN,
    Channel.EMAIL: ReceivedVia.WRITTEN,
}


@dataclass(frozen=True, slots=True)
class ContactEntry:
    account_id: int
    version: int
    disposition: str
    phone_id: int | None = None
    direction: str = "out"
    party: str = "none"
    note: str | None = None
    override_reason: str | None = None  # a supervisor logging a call the engine blocks
    # On a call: whether the caller proved to be the right party (a Verification code; None: not
    # asked, as on an outbound call the collector placed from the queue).
    verification: str | None = None


def _clean_note(note: str | None) -> str | None:
    text = (note or "").strip()
    if len(text) > NOTE_LIMIT:
        raise EntryError([("note", f"is longer than {NOTE_LIMIT} characters")])
    return text or None


def _phone(session: Session, target: Target, phone_id: int) -> Any:
    p = PHONE_T.c
    row = session.execute(select(p.id, p.guarantor_id, p.number).where(p.id == phone_id)).first()
    if row is None or row.guarantor_id != target.guarantor_id:
        raise EntryError([("phone", "is not one of this guarantor's numbers")])
    return row


def _check_contact(entry: ContactEntry, policy: WorkspacePolicy) -> Disposition:
    problems: list[tuple[str, str]] = []
    found = policy.disposition(entry.disposition)
    if found is None:
        problems.append(("disposition", f"{entry.disposition!r} is not a disposition code"))
    if entry.direction not in DIRECTIONS:
        problems.append(("direction", "must be out or in"))
    if entry.party not in PARTIES:
        problems.append(("party", f"must be one of {', '.join(PARTIES)}"))
    if entry.verification is not None and entry.verification not in Verification.codes():
        problems.append(("verification", f"must be one of {', '.join(Verification.codes())}"))
    elif entry.verification is not None and found is not None and not _is_call(found):
        problems.append(("verification", "is recorded on a call only"))
    dialled = found is not None and _is_call(found) and entry.direction == "out"
    if dialled and entry.phone_id is None:
        problems.append(("phone", "choose the number you dialled"))
    if problems:
        raise EntryError(problems)
    assert found is not None
    return found


@dataclass(frozen=True, slots=True)
class _Clearance:
    """What the compliance rules say of a call being logged, and how a block is overridden."""

    blocks: tuple[Block, ...] = ()
    override: str = ""  # the override recorded with the call ("" when nothing is overridden)
    granted: int | None = None  # a supervisor's approval of this collector's override request


def _is_call(found: Disposition) -> bool:
    return found.channel in (Channel.CALL, Channel.VOICEMAIL)


def log_contact(db: Database, actor: Actor, entry: ContactEntry, *, now: datetime) -> ActionResult:
    """Log a call or contact with its disposition, and apply the disposition's automatic next step.

    An outbound call the compliance engine blocks is refused (:class:`CallBlockedError`);
    a supervisor or admin may log it with ``override_reason``, which is recorded.
    """
    policy = current_workspace_policy()
    found = _check_contact(entry, policy)
    note = _clean_note(entry.note)
    with db.writing() as session:
        target = target_for_change(session, actor, entry.account_id, entry.version)
        if entry.phone_id is not None:
            _phone(session, target, entry.phone_id)
        cleared = _clear_call(session, actor, target, entry, found, now)
        activity_id = _insert_contact(session, actor, target, entry, found, note, cleared.override, now)
        refresh = _apply_disposition(session, actor, target, entry, found, now)
        details = _contact_details(entry, found, activity_id, cleared)
        if cleared.granted is not None:
            mark_override_used(session, cleared.granted, activity_id)
        version = finish_change(
            session,
            actor,
            target,
            "contact.log",
            now,
            details=details,
            refresh=refresh,
            changes=_contact_changes(found, now),
        )
    return ActionResult(target.id, version, _contact_message(entry, found, cleared), found.next_step)


def _clear_call(
    session: Session, actor: Actor, target: Target, entry: ContactEntry, found: Disposition, now: datetime
) -> _Clearance:
    """May this contact be logged? A call placed now that the rules block is refused unless a
    supervisor or admin overrides it with a reason, or a supervisor approved the collector's
    override request for it."""
    override = (entry.override_reason or "").strip()
    placed = entry.direction == "out" and found.is_placed_call
    if not placed or entry.phone_id is None:
        return _Clearance()
    blocks = call_blocks(session, target.id, entry.phone_id, now)
    if not blocks:
        return _Clearance()  # nothing was overridden: do not record an override
    if can(actor, Permission.OVERRIDE_COMPLIANCE):
        if not override:
            raise CallBlockedError(blocks)
        return _Clearance(blocks, override)
    granted = approved_override(session, actor, target.id, entry.phone_id, now)
    if granted is None and override:
        raise AccessDeniedError(
            "only a supervisor or admin may log a call the compliance rules block: "
            "ask for an override and wait for its approval"
        )
    if granted is None:
        raise CallBlockedError(blocks)
    return _Clearance(blocks, override or f"approved by a supervisor (request {granted})", granted)


def _insert_contact(
    session: Session,
    actor: Actor,
    target: Target,
    entry: ContactEntry,
    found: Disposition,
    note: str | None,
    override: str,
    now: datetime,
) -> int:
    """The contact's line in the timeline (an override recorded in its note); returns its id."""
    is_call = _is_call(found)
    text = "\n".join(t for t in (note, f"Compliance override: {override}" if override else None) if t)
    row = {
        "account_id": target.id,
        "collector_id": actor.collector_id,
        "occurred_at": now,
        "channel": found.channel,
        "direction": entry.direction if is_call else Direction.NONE,
        "phone_id": entry.phone_id,
        "party": None if entry.party == "none" else entry.party,
        "verification": entry.verification,
        "outcome_code": found.code,
        "counts_as_attempt": is_call and entry.direction == "out" and found.attempt,
        "counts_as_conversation": is_call and found.conversation,
        "note": text or None,
        "source": "tui",
        "created_at": now,
    }
    return int(session.execute(insert(ACTIVITY_T).returning(ACTIVITY_T.c.id), [row]).scalar_one())


def _apply_disposition(
    session: Session, actor: Actor, target: Target, entry: ContactEntry, found: Disposition, now: datetime
) -> list[int]:
    """The disposition's automatic next step: the hold it places, the status it gives the number
    dialled. Returns the accounts whose call state and priority to refresh."""
    refresh = [target.id]
    if found.hold_reason is not None:
        via = RECEIVED_BY_CHANNEL.get(Channel(found.channel))
        refresh = _place_hold(session, actor, target, found.hold_reason, now, via)
    if found.phone_status is not None and entry.phone_id is not None:
        _set_phone(session, entry.phone_id, status=found.phone_status)
        refresh = household(session, [target.guarantor_id])
    return refresh


def _contact_changes(found: Disposition, now: datetime) -> dict[str, Any]:
    """What the contact moves on the account: when it was last contacted, and last worked."""
    changes: dict[str, Any] = {}
    if _is_call(found) and (found.attempt or found.conversation):
        changes["last_contact_at"] = now
    if found.worked:
        changes["last_worked_at"] = now
    return changes


def _contact_details(
    entry: ContactEntry, found: Disposition, activity_id: int, cleared: _Clearance
) -> dict[str, audit.DetailValue]:
    """The contact's audit event: ids and codes, the policy it was judged by, any override."""
    details: dict[str, audit.DetailValue] = {
        "activity": activity_id,
        "disposition": found.code,
        "policy_digest": current_policy().digest(),  # the compliance policy the call was judged by
    }
    if entry.phone_id is not None:
        details["phone"] = entry.phone_id
    if entry.verification is not None:
        details["verification"] = entry.verification
    if cleared.override:
        details["override"] = True
        details["rules"] = sorted({b.rule_id for b in cleared.blocks})
    if cleared.granted is not None:
        details["request"] = cleared.granted
    return details


def _contact_message(entry: ContactEntry, found: Disposition, cleared: _Clearance) -> str:
    message = f"Logged {found.code} ({found.label})"
    if found.hold_reason:
        message += f"; hold placed: {HoldReason(found.hold_reason).label}"
    if found.phone_status and entry.phone_id is not None:
        message += f"; number marked {found.phone_status}"
    if cleared.override:
        message += "; compliance override recorded"
    return message


def add_note(
    db: Database, actor: Actor, account_id: int, version: int, text: str, *, now: datetime
) -> ActionResult:
    """A free-text note in the timeline."""
    note = _clean_note(text)
    if note is None:
        raise EntryError([("note", "is empty")])
    with db.writing() as session:
        target = target_for_change(session, actor, account_id, version)
        version = finish_change(session, actor, target, "note.add", now, line=("NOTE", note))
    return ActionResult(account_id, version, "Note saved")


def set_callback(
    db: Database,
    actor: Actor,
    account_id: int,
    version: int,
    at: datetime,
    *,
    now: datetime,
    consumer_asked: bool = False,
) -> ActionResult:
    """A timed callback: the account leaves the call list until ``at`` and then sorts first.

    The compliance engine judges a call at ``at`` by every rule (holds, call
    frequency, do-not-call and no dialable number, the calling window,
    inconvenient times); a blocked moment is refused with the blocking rules'
    reasons. When the consumer asked for this time (``consumer_asked``) it is
    first recorded as their direct consent to a call then (12 CFR 1006.6(b)(1),
    1006.14(b)(3)(i)), so the engine allows what that consent covers; no consent
    lifts a hold.
    """
    if at.tzinfo is None:
        raise EntryError([("when", "needs a time zone")])
    if at <= now:
        raise EntryError([("when", "is in the past")])
    with db.writing() as session:
        target = target_for_change(session, actor, account_id, version)
        refresh = [target.id]
        if consumer_asked:
            slot = callback_slot(at, consumer_zone(session, target.id, now))
            record_call_time_consent(session, target.guarantor_id, slot, now)
            refresh = household(session, [target.guarantor_id])
        found = verdict_for_account(session, target.account_number, at, facility_code=target.facility_code)
        local = at.astimezone(zone(found.verdict.home_zone))
        blocks = callback_blocks(found.verdict)
        if blocks:
            reasons = "; ".join(f"{b.reason} [{b.rule_id}]" for b in blocks)
            raise EntryError([("when", f"no call may be placed {local:%a %b %d %H:%M %Z}: {reasons}")])
        said = "; the consumer asked for this time (their consent)" if consumer_asked else ""
        version = finish_change(
            session,
            actor,
            target,
            "callback.set",
            now,
            line=("CALLBACK", f"Callback set for {local:%Y-%m-%d %H:%M %Z}{said}"),
            details={"consumer_asked": consumer_asked},
            refresh=refresh,
            changes={"next_action_at": at},
        )
    message = f"Callback set for {local:%a %b %d %H:%M %Z} (debtor's time)"
    if consumer_asked:
        message += "; their consent is recorded"
    return ActionResult(account_id, version, message)


def callback_blocks(verdict: Verdict) -> tuple[Block, ...]:
    """What stops a call at the verdict's moment: the account's own blocks and, when no number may
    be dialled, each number's (the engine's "no number may be called" block says only that)."""
    blocks = verdict.actions[CALL].blocks
    if not verdict.phones or all(b.rule_id != "phones" for b in blocks):
        return blocks
    found = [b for b in blocks if b.rule_id != "phones"]
    for phone in verdict.phones:
        said = {(b.rule_id, b.reason) for b in found}
        found += [b for b in phone.blocks if (b.rule_id, b.reason) not in said]
    return tuple(found)


def take_promise(
    db: Database,
    actor: Actor,
    account_id: int,
    version: int,
    *,
    amount_cents: int,
    due: date,
    now: datetime,
) -> ActionResult:
    """A promise to pay, checked against the office's promise policy."""
    rules = current_workspace_policy().promise
    with db.writing() as session:
        target = target_for_change(session, actor, account_id, version)
        p = PROMISE_T.c
        pending = session.execute(
            select(func.count()).where(p.account_id == target.id, p.status == PromiseStatus.PENDING)
        ).scalar_one()
        problems = promise_problems(
            amount_cents,
            due,
            balance_cents=target.total_balance_cents,
            today=now.date(),
            policy=rules,
            open_promises=int(pending),
        )
        if problems:
            raise EntryError(problems)
        promise_id = add_promise(
            session, actor, account_id=target.id, amount_cents=amount_cents, due_date=due, now=now
        )
        version = finish_change(
            session,
            actor,
            target,
            "promise.take",
            now,
            line=("PROMISE", f"Promise of {format_cents(amount_cents)} due {due:%Y-%m-%d}"),
            details={"promise": promise_id},
        )
    return ActionResult(account_id, version, f"Promise recorded: due {due:%Y-%m-%d}")


def take_payment(
    db: Database,
    actor: Actor,
    account_id: int,
    version: int,
    *,
    amount_cents: int,
    method: str,
    reference: str,
    now: datetime,
) -> ActionResult:
    """A payment taken by phone (processed elsewhere): its amount, method and confirmation reference.

    Card numbers are never stored: a reference that looks like one is refused.
    """
    problems: list[tuple[str, str]] = []
    reference = reference.strip()
    if method not in PAYMENT_METHODS:
        problems.append(("method", f"must be one of {', '.join(PAYMENT_METHODS)}"))
    if not reference:
        problems.append(("reference", "enter the processor's confirmation number"))
    elif looks_like_card_number(reference):
        problems.append(("reference", "looks like a card number: card numbers are never stored"))
    elif len(reference) > 64:
        problems.append(("reference", "is longer than 64 characters"))
    if amount_cents <= 0:
        problems.append(("amount", "must be more than $0.00"))
    with db.writing() as session:
        target = target_for_change(session, actor, account_id, version)
        if amount_cents > 0 and amount_cents > target.total_balance_cents:
            problems.append(("amount", "is more than the balance"))
        if problems:
            raise EntryError(problems)
        record = TransactionRecord(
            external_id=f"tui-{uuid.uuid4().hex}",
            facility_code=target.facility_code,
            account_number=target.account_number,
            kind=TransactionKind.PAYMENT,
            amount_cents=amount_cents,
            posted_at=now,
            method=method,
            reference=reference,
            reverses_external_id=None,
        )
        result = apply_transactions(session, [record], actor=actor, now=now, source="tui")
        if result.rejected or result.inserted != 1:
            raise ServiceError(f"account {account_id}: the payment could not be recorded")
        version = finish_change(
            session,
            actor,
            bumped(target),  # apply_transactions moved the balance and bumped the version once
            "payment.take",
            now,
            line=("PAYMENT", f"Payment of {format_cents(amount_cents)} by {method}, ref {reference}"),
            details={"amount_cents": amount_cents, "method": method},
        )
    return ActionResult(account_id, version, f"Payment recorded ({method})")


def _place_hold(
    session: Session, actor: Actor, target: Target, reason: str, now: datetime, via: str | None = None
) -> list[int]:
    """Place ``reason`` on the account (unless already open) received ``via`` (a dispute or cease:
    oral or written); returns the accounts to refresh."""
    key = (target.id, target.guarantor_id, reason)
    _, refresh = place_holds(
        session,
        {key: now},
        placed_by_id=actor.collector_id,
        source="tui",
        now=now,
        received_via={key: via} if via is not None else None,
    )
    return refresh


RECEIVED_WORDS = {ReceivedVia.ORAL: "orally", ReceivedVia.WRITTEN: "in writing"}


def place_hold(
    db: Database,
    actor: Actor,
    account_id: int,
    version: int,
    reason: str,
    note: str,
    *,
    now: datetime,
    received_via: str | None = None,
    require_received: bool = False,
) -> ActionResult:
    """Put the account on hold (dispute, cease, attorney, ...) with a reason the collector writes;
    a dispute or cease records whether it came ``oral`` or ``written`` (``received_via``; the
    workspace asks for it: ``require_received``)."""
    problems: list[tuple[str, str]] = []
    if reason not in WORKSPACE_HOLDS:
        problems.append(("reason", f"must be one of {', '.join(WORKSPACE_HOLDS)}"))
    if received_via is not None and received_via not in ReceivedVia.codes():
        problems.append(("received", f"must be one of {', '.join(ReceivedVia.codes())}"))
    elif received_via is None and require_received and reason in HOW_RECEIVED:
        problems.append(("received", f"say whether the {reason} came orally or in writing"))
    text = _clean_note(note)
    if text is None:
        problems.append(("note", "say why (what the consumer said or sent)"))
    if problems:
        raise EntryError(problems)
    via = ReceivedVia(received_via) if received_via is not None and reason in HOW_RECEIVED else None
    how = f" ({RECEIVED_WORDS[via]})" if via is not None else ""
    with db.writing() as session:
        target = target_for_change(session, actor, account_id, version)
        refresh = _place_hold(session, actor, target, reason, now, via)
        details: dict[str, audit.DetailValue] = {"reason": reason}
        if via is not None:
            details["received_via"] = via
        version = finish_change(
            session,
            actor,
            target,
            "hold.place",
            now,
            line=("HOLD", f"Hold placed: {reason}{how}. {text}"),
            details=details,
            refresh=refresh,
        )
    return ActionResult(account_id, version, f"Hold placed: {HoldReason(reason).label}{how}")


def release_hold(
    db: Database, actor: Actor, account_id: int, version: int, reason: str, note: str, *, now: datetime
) -> ActionResult:
    """End a hold (a supervisor's decision: verification sent, insurance resolved, ...)."""
    require(actor, Permission.RELEASE_HOLD, "only a supervisor or admin may release a hold")
    text = _clean_note(note)
    if text is None:
        raise EntryError([("note", "say why the hold ends")])
    with db.writing() as session:
        target = target_for_change(session, actor, account_id, version)
        h = HOLD_T.c
        is_open = and_(h.account_id == target.id, h.reason == reason, h.released_at.is_(None))
        if session.execute(select(h.id).where(is_open)).first() is None:
            raise EntryError([("reason", f"no open {reason} hold on this account")])
        session.execute(update(HOLD_T).where(is_open).values(released_at=now))
        refresh = [target.id]
        flag = PERSON_FLAGS.get(HoldReason(reason))
        if flag is not None:
            session.execute(
                update(GUARANTOR_T).where(GUARANTOR_T.c.id == target.guarantor_id).values({flag: False})
            )
            refresh = household(session, [target.guarantor_id])
        version = finish_change(
            session,
            actor,
            target,
            "hold.release",
            now,
            line=("HOLD", f"Hold released: {reason}. {text}"),
            details={"reason": reason},
            refresh=refresh,
        )
    return ActionResult(account_id, version, f"Hold released: {HoldReason(reason).label}")


def _set_phone(session: Session, phone_id: int, **values: Any) -> None:
    session.execute(update(PHONE_T).where(PHONE_T.c.id == phone_id).values(**values))


PHONE_CHANGES = ("wrong", "disconnected", "ok", "do_not_call", "allow_calls")


def change_phone(
    db: Database, actor: Actor, account_id: int, version: int, phone_id: int, change: str, *, now: datetime
) -> ActionResult:
    """Mark a number wrong or disconnected (or good again), or put it on / take it off do-not-call."""
    if change not in PHONE_CHANGES:
        raise EntryError([("change", f"must be one of {', '.join(PHONE_CHANGES)}")])
    with db.writing() as session:
        target = target_for_change(session, actor, account_id, version)
        phone = _phone(session, target, phone_id)
        if change == "do_not_call":
            _set_phone(session, phone_id, do_not_call=True, do_not_call_at=now)
        elif change == "allow_calls":
            _set_phone(session, phone_id, do_not_call=False, do_not_call_at=None)
        else:
            _set_phone(session, phone_id, status=change)
        last4 = phone.number[-4:]
        version = finish_change(
            session,
            actor,
            target,
            "phone.change",
            now,
            line=("PHONE", f"Number ending {last4}: {change.replace('_', ' ')}"),
            phone_id=phone_id,
            details={"phone": phone_id, "change": change},
            refresh=household(session, [target.guarantor_id]),
        )
    return ActionResult(account_id, version, f"Number ending {last4}: {change.replace('_', ' ')}")


def add_phone(
    db: Database,
    actor: Actor,
    account_id: int,
    version: int,
    number: str,
    phone_type: str,
    *,
    consent_to_call_mobile: bool = False,
    now: datetime,
) -> ActionResult:
    """Add a number the consumer gave; it is checked and placed in its calling window at once."""
    problems: list[tuple[str, str]] = []
    parsed = normalize_phone(number)
    if not parsed.valid:
        problems.append(("number", "is not a valid phone number"))
    if phone_type not in PhoneType.codes():
        problems.append(("type", f"must be one of {', '.join(PhoneType.codes())}"))
    if problems:
        raise EntryError(problems)
    with db.writing() as session:
        target = target_for_change(session, actor, account_id, version)
        p = PHONE_T.c
        exists = session.execute(
            select(p.id).where(p.guarantor_id == target.guarantor_id, p.number == parsed.number)
        ).first()
        if exists is not None:
            raise EntryError([("number", "is already on file for this guarantor")])
        phone_id = int(
            session.execute(
                insert(PHONE_T).returning(p.id),
                [
                    {
                        "guarantor_id": target.guarantor_id,
                        "number": parsed.number,
                        "phone_type": phone_type,
                        "valid": True,
                        "time_zones": " ".join(parsed.time_zones),
                        "consent_to_call_mobile": consent_to_call_mobile,
                        "do_not_call": False,
                        "status": PhoneStatus.OK,
                        "is_work": phone_type == PhoneType.WORK,
                        "source": "tui",
                        "created_at": now,
                    }
                ],
            ).scalar_one()
        )
        version = finish_change(
            session,
            actor,
            target,
            "phone.add",
            now,
            line=("PHONE", f"Number ending {parsed.number[-4:]} added ({phone_type})"),
            phone_id=phone_id,
            details={"phone": phone_id},
            refresh=household(session, [target.guarantor_id]),
        )
    return ActionResult(account_id, version, f"Number ending {parsed.number[-4:]} added")
