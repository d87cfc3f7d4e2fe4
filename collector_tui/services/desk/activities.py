"""Record contacts logged elsewhere (a dialer, another system); idempotent by id.

They count for compliance exactly like calls logged in the workstation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlmodel import Session

from collector_tui.db.tables import ACCOUNT_T, ACTIVITY_T, AUDIT_T, PHONE_T
from collector_tui.domain.contact_log import ActivityRecord
from collector_tui.domain.phones import normalize_phone
from collector_tui.services.audit import Actor, DetailValue, audit_rows
from collector_tui.services.bulk import chunks, insert_rows, select_in_chunks
from collector_tui.services.desk.account_state import refresh_accounts
from collector_tui.services.desk.holds import HoldKey, household, place_holds
from collector_tui.services.desk.lookup import AccountRef, account_refs, collector_ids_by_login, phone_ids
from collector_tui.services.law.compliance import SENT_CHANNELS, counts_toward_call_limits, refresh_call_state
from collector_tui.services.law.policy import current_workspace_policy
from collector_tui.vocabulary import Direction, PhoneStatus, PhoneType


@dataclass
class ActivityResult:
    inserted: int = 0
    unchanged: int = 0
    rejected: list[tuple[str, str, str]] = field(default_factory=list)


def apply_activities(
    session: Session,
    records: Sequence[ActivityRecord],
    *,
    actor: Actor,
    now: datetime,
    source: str = "import",
    batch_id: int | None = None,
) -> ActivityResult:
    result = ActivityResult()
    fresh = _fresh_records(session, records, result)
    collectors = collector_ids_by_login(session, (r.collector_login or "" for r in records))
    phones = _dialled_phones(session, fresh, now, source)
    batch = _read_batch(fresh, phones, collectors, now, source=source, batch_id=batch_id)
    if batch.rows:
        insert_rows(session, ACTIVITY_T, batch.rows)
        result.inserted = len(batch.rows)
    _refresh_last_contact(session, batch.contacted, now)
    # A disposition does on import what it does in the workstation: a cease or a dispute the
    # dialer heard stops the calls here too, dated when it was said.
    held, holds_moved = place_holds(session, batch.holds, placed_by_id=None, source=source, now=now)
    marked, their_accounts = _mark_phones(session, batch.marks)
    # Every contact moves the last-contact score; only recent ones can move the call limits.
    refresh_accounts(
        session,
        batch.contacted | set(holds_moved),
        now,
        with_phones=False,
        call_state_of=(batch.recent | set(holds_moved)) - set(their_accounts),
    )
    if their_accounts:  # with the phones: a number marked wrong is no longer dialled
        refresh_call_state(session, their_accounts, now)
    touched = sorted({account.id for _, account in fresh})
    audit = _activity_audit(actor, touched, held, marked, batch.marks, now, batch_id)
    insert_rows(session, AUDIT_T, audit)
    return result


def _fresh_records(
    session: Session, records: Sequence[ActivityRecord], result: ActivityResult
) -> list[tuple[ActivityRecord, AccountRef]]:
    """The records not on file yet, each with its account; counts the rest as unchanged or
    rejected (no such account)."""
    c = ACTIVITY_T.c
    known: set[str] = set()
    for part in chunks(sorted({r.external_id for r in records})):
        known.update(session.execute(select(c.external_id).where(c.external_id.in_(list(part)))).scalars())
    # Fresh rows, not cached refs: the last contact moment is needed.
    accounts = account_refs(session, ((r.facility_code, r.account_number) for r in records))
    fresh: list[tuple[ActivityRecord, AccountRef]] = []
    for record in records:
        if record.external_id in known:
            result.unchanged += 1
            continue
        account = accounts.get((record.facility_code, record.account_number))
        if account is None:
            result.rejected.append((record.external_id, "account_number", "no such account"))
            continue
        known.add(record.external_id)
        fresh.append((record, account))
    return fresh


def _dialled_phones(
    session: Session, fresh: list[tuple[ActivityRecord, AccountRef]], now: datetime, source: str
) -> dict[tuple[int, str], int]:
    """The id of each (guarantor, number) the records dialled; a number not on file is added."""
    pairs = [(acct.guarantor_id, r.phone_number) for r, acct in fresh if r.phone_number]
    phones = phone_ids(session, pairs)
    missing = sorted(set(pairs) - set(phones))
    if not missing:
        return phones
    # A number the dialer called that the placement did not carry is kept on file.
    insert_rows(
        session,
        PHONE_T,
        [
            {
                "guarantor_id": g_id,
                "number": number,
                "phone_type": PhoneType.OTHER,
                "valid": True,
                "time_zones": " ".join(normalize_phone(number).time_zones),
                "consent_to_call_mobile": False,
                "do_not_call": False,
                "status": PhoneStatus.OK,
                "is_work": False,
                "source": source,
                "created_at": now,
            }
            for g_id, number in missing
        ],
    )
    phones.update(phone_ids(session, missing))
    # The new numbers need their calling window: recompute with the guarantor's accounts.
    new_for = {g_id for g_id, _ in missing}
    refresh_call_state(session, [acct.id for _, acct in fresh if acct.guarantor_id in new_for], now)
    return phones


@dataclass
class _Batch:
    """What the batch's fresh records say, gathered for set-based writes."""

    rows: list[dict[str, Any]] = field(default_factory=list)  # the activities, in record order
    contacted: set[int] = field(default_factory=set)  # accounts with a counted attempt or conversation
    recent: set[int] = field(default_factory=set)  # accounts with a contact the frequency limits count
    holds: dict[HoldKey, datetime] = field(default_factory=dict)  # each hold's earliest disposition
    # phone -> its latest disposition in the batch: when, the status it gives, on which account
    marks: dict[int, tuple[datetime, str, int]] = field(default_factory=dict)


def _read_batch(
    fresh: list[tuple[ActivityRecord, AccountRef]],
    phones: dict[tuple[int, str], int],
    collectors: dict[str, int],
    now: datetime,
    *,
    source: str,
    batch_id: int | None,
) -> _Batch:
    """Each fresh record's activity row, which accounts it contacted, and what its disposition
    does: a hold it places, a status it gives the number dialled."""
    batch = _Batch()
    dispositions = current_workspace_policy().dispositions
    for record, account in fresh:
        phone_id = phones.get((account.guarantor_id, record.phone_number or ""))
        found = dispositions.get(record.result_code)
        if found is not None and found.hold_reason is not None:
            key = (account.id, account.guarantor_id, found.hold_reason)
            heard = min(record.occurred_at, now)  # a clock ahead of ours never dates a hold in the future
            batch.holds[key] = min(heard, batch.holds.get(key, heard))
        if (
            found is not None
            and found.phone_status is not None
            and phone_id is not None
            and (phone_id not in batch.marks or batch.marks[phone_id][0] <= record.occurred_at)
        ):
            batch.marks[phone_id] = (record.occurred_at, found.phone_status, account.id)
        batch.rows.append(
            {
                "account_id": account.id,
                "collector_id": collectors.get(record.collector_login or ""),
                "occurred_at": record.occurred_at,
                "channel": record.channel,
                "direction": record.direction,
                "phone_id": phone_id,
                "party": record.party,
                "outcome_code": record.result_code,
                "counts_as_attempt": record.counts_as_attempt,
                "counts_as_conversation": record.counts_as_conversation,
                "note": record.note,
                "source": source,
                "external_id": record.external_id,
                "import_batch_id": batch_id,
                "created_at": now,
            }
        )
        if record.counts_as_attempt or record.counts_as_conversation:
            batch.contacted.add(account.id)
            if counts_toward_call_limits(record.occurred_at, now):
                batch.recent.add(account.id)
        elif (
            record.channel in SENT_CHANNELS
            and record.direction != Direction.IN
            and counts_toward_call_limits(record.occurred_at, now)
        ):
            # A state may count texts, email and letters (Washington, Massachusetts).
            batch.recent.add(account.id)
    return batch


def _activity_audit(
    actor: Actor,
    touched: list[int],
    held: Sequence[tuple[int, str]],
    marked: dict[int, str],
    marks: dict[int, tuple[datetime, str, int]],
    now: datetime,
    batch_id: int | None,
) -> list[dict[str, Any]]:
    """The batch's audit events: the accounts given activities, the holds placed, the numbers marked."""
    batch = {"batch": batch_id} if batch_id is not None else {}
    audit = audit_rows(actor, "activity.record", "account", touched, at=now, details=batch or None)
    for reason in sorted({reason for _, reason in held}):
        ids = [account_id for account_id, r in held if r == reason]
        audit += audit_rows(actor, "hold.place", "account", ids, at=now, details={"reason": reason, **batch})
    for phone_id, status in sorted(marked.items()):  # on the account, as the workstation records it
        details: dict[str, DetailValue] = {"phone": phone_id, "status": status, **batch}
        audit += audit_rows(actor, "phone.mark", "account", [marks[phone_id][2]], at=now, details=details)
    return audit


def _mark_phones(
    session: Session, marks: dict[int, tuple[datetime, str, int]]
) -> tuple[dict[int, str], list[int]]:
    """Set each dialled number's status from its disposition, if that is the latest contact on file
    for the number (an older one arriving late does not undo what came after it).

    Returns the numbers whose status changed, and the accounts of their guarantors.
    """
    p, act = PHONE_T.c, ACTIVITY_T.c
    latest = dict(
        select_in_chunks(
            session,
            lambda ids: (
                select(act.phone_id, func.max(act.occurred_at))
                .where(act.phone_id.in_(ids))
                .group_by(act.phone_id)
            ),
            marks,
        )
    )
    current = {
        row.id: (row.status, row.guarantor_id)
        for row in select_in_chunks(
            session, lambda ids: select(p.id, p.status, p.guarantor_id).where(p.id.in_(ids)), marks
        )
    }
    changed = {
        phone_id: status
        for phone_id, (heard, status, _) in marks.items()
        if current[phone_id][0] != status and heard >= latest.get(phone_id, heard)
    }
    for status in sorted(set(changed.values())):
        ids = sorted(phone_id for phone_id, s in changed.items() if s == status)
        for part in chunks(ids):
            session.execute(update(PHONE_T).where(p.id.in_(list(part))).values(status=status))
    return changed, household(session, {current[phone_id][1] for phone_id in changed})


def _refresh_last_contact(session: Session, account_ids: set[int], now: datetime) -> None:
    """Each account's last contact is its latest counted attempt or conversation, whenever logged.

    One set-based UPDATE per chunk, reading the (account_id, occurred_at) index:
    it never moves backwards, whatever order the contacts arrive in.
    """
    a, act = ACCOUNT_T.c, ACTIVITY_T.c
    latest = (
        select(func.max(act.occurred_at))
        .where(
            act.account_id == a.id, or_(act.counts_as_attempt.is_(True), act.counts_as_conversation.is_(True))
        )
        .scalar_subquery()
    )
    for part in chunks(sorted(account_ids)):
        session.execute(
            update(ACCOUNT_T).where(a.id.in_(list(part))).values(last_contact_at=latest, updated_at=now)
        )
