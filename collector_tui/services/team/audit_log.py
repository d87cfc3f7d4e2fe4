"""Reading the HIPAA access log: who opened or changed what, and when (supervisors and admins only).

Events come newest first, a keyset page at a time on ``(occurred_at, id)``.
One account's events are found through the ``ix_audit_event_entity`` index;
everything else walks ``ix_audit_event_time`` from the newest event down.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Any

from sqlalchemy import Select, or_, select, tuple_
from sqlmodel import Session

from collector_tui.db.tables import ACCOUNT_T, AUDIT_T, COLLECTOR_T, FACILITY_T, PHONE_T
from collector_tui.services.audit import Actor, DetailValue
from collector_tui.services.bulk import select_in_chunks
from collector_tui.services.database import Database
from collector_tui.services.desk.lookup import account_by_number
from collector_tui.services.team.permissions import Permission, require, require_active

ACCOUNT_ENTITY = "account"
COLLECTOR_ENTITY = "collector"
PAGE_SIZE = 100
# Details that hold the id of a person (a user: named by login) or of a phone (by its last four).
PERSON_DETAILS = ("owner_id",)
PHONE_DETAILS = ("phone",)
ELLIPSIS = "\u2026"

Cursor = tuple[datetime, int]  # (occurred_at, id) of the last event shown


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One audit event as read back; the account's number and facility when it is about an account."""

    id: int
    occurred_at: datetime
    actor: str
    acting_as: str | None
    action: str
    entity_type: str
    entity_id: int | None
    account_number: str | None
    facility_code: str | None
    details: Mapping[str, DetailValue]
    # What the ids of the event name, for people to read: the entity (``"entity"``, a user's login)
    # and each detail holding a user's id (its login) or a phone's (``…0124``, never the number).
    named: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True, slots=True)
class AuditPage:
    entries: tuple[AuditEntry, ...]
    next_cursor: Cursor | None  # pass as ``after`` for the next (older) page; None at the end


def require_audit_reader(actor: Actor) -> None:
    """Refuse anyone but a supervisor or an administrator (the effective role, as with ``--as``)."""
    who = actor.acting_as or actor.login
    require(
        actor,
        Permission.READ_AUDIT_LOG,
        f"only a supervisor or an administrator may read the audit log; '{who}' is a {actor.role}",
    )


def audit_account_id(
    db: Database, actor: Actor, account_number: str, facility_code: str | None = None
) -> int:
    """The id of the account to read events of, by the billing system's number (and facility)."""
    require_audit_reader(actor)  # before the lookup: a refusal must not reveal whether an account exists
    with db.reading() as session:
        require_active(session, actor)
        account_id, _ = account_by_number(session, account_number, facility_code)
    return account_id


def audit_statement(
    *,
    account_id: int | None = None,
    login: str | None = None,
    since: datetime | None = None,
    after: Cursor | None = None,
    limit: int | None = None,
) -> Select[Any]:
    """The events matching the filters, newest first, older than the ``after`` cursor."""
    e = AUDIT_T.c
    statement = select(AUDIT_T)
    if account_id is not None:
        statement = statement.where(e.entity_type == ACCOUNT_ENTITY, e.entity_id == account_id)
    if login is not None:
        statement = statement.where(or_(e.actor == login, e.acting_as == login))
    if since is not None:
        statement = statement.where(e.occurred_at >= since)
    if after is not None:
        # The row-value form keeps the keyset seek on the index at any depth.
        statement = statement.where(tuple_(e.occurred_at, e.id) < tuple_(*after))
    statement = statement.order_by(e.occurred_at.desc(), e.id.desc())
    return statement if limit is None else statement.limit(limit)


def audit_events(
    db: Database,
    actor: Actor,
    *,
    account_id: int | None = None,
    login: str | None = None,
    since: datetime | None = None,
    limit: int = PAGE_SIZE,
    after: Cursor | None = None,
) -> AuditPage:
    """One page of the access log, newest first; ``login`` matches who acted or whom they acted as.

    ``since`` is an aware moment (a date means its midnight UTC to the caller).
    """
    require_audit_reader(actor)
    if limit < 1:
        raise ValueError("limit must be at least 1")
    for moment in (since, None if after is None else after[0]):
        if moment is not None and moment.tzinfo is None:
            raise ValueError("audit times are aware (UTC); got a naive datetime")
    with db.reading() as session:
        require_active(session, actor)
        found = session.execute(
            audit_statement(account_id=account_id, login=login, since=since, after=after, limit=limit + 1)
        ).all()
        shown = found[:limit]
        accounts = _account_keys(
            session, {row.entity_id for row in shown if row.entity_type == ACCOUNT_ENTITY and row.entity_id}
        )
        parsed = [_details(row.details) for row in shown]
        logins, phones = _names(session, shown, parsed)
    entries = tuple(
        _entry(row, accounts, details, _named(row, details, logins, phones))
        for row, details in zip(shown, parsed, strict=True)
    )
    cursor = (shown[-1].occurred_at, shown[-1].id) if len(found) > limit else None
    return AuditPage(entries, cursor)


def _account_keys(session: Session, ids: set[int]) -> dict[int, tuple[str, str]]:
    """Account id -> (facility code, account number), for the accounts on one page."""
    a, f = ACCOUNT_T.c, FACILITY_T.c
    rows = select_in_chunks(
        session,
        lambda chosen: (
            select(a.id, f.code, a.account_number)
            .join(FACILITY_T, f.id == a.facility_id)
            .where(a.id.in_(chosen))
        ),
        ids,
    )
    return {row.id: (row.code, row.account_number) for row in rows}


def _ids(details: Mapping[str, DetailValue], keys: tuple[str, ...]) -> set[int]:
    return {value for key in keys if isinstance(value := details.get(key), int) and value > 0}


def _names(
    session: Session, rows: Sequence[Any], parsed: Sequence[Mapping[str, DetailValue]]
) -> tuple[dict[int, str], dict[int, str]]:
    """The logins of the users and the last four digits of the phones the page's events name."""
    users = {row.entity_id for row in rows if row.entity_type == COLLECTOR_ENTITY and row.entity_id}
    phones: set[int] = set()
    for details in parsed:
        users |= _ids(details, PERSON_DETAILS)
        phones |= _ids(details, PHONE_DETAILS)
    c, p = COLLECTOR_T.c, PHONE_T.c
    logins = select_in_chunks(session, lambda chosen: select(c.id, c.login).where(c.id.in_(chosen)), users)
    numbers = select_in_chunks(session, lambda chosen: select(p.id, p.number).where(p.id.in_(chosen)), phones)
    return (
        {row.id: row.login for row in logins},
        {row.id: ELLIPSIS + "".join(ch for ch in row.number if ch.isdigit())[-4:] for row in numbers},
    )


def _named(
    row: Any, details: Mapping[str, DetailValue], logins: Mapping[int, str], phones: Mapping[int, str]
) -> Mapping[str, str]:
    named: dict[str, str] = {}
    if row.entity_type == COLLECTOR_ENTITY and row.entity_id in logins:
        named["entity"] = logins[row.entity_id]
    for keys, names in ((PERSON_DETAILS, logins), (PHONE_DETAILS, phones)):
        for key in keys:
            value = details.get(key)
            if isinstance(value, int) and value in names:
                named[key] = names[value]
    return MappingProxyType(named)


def _entry(
    row: Any,
    accounts: Mapping[int, tuple[str, str]],
    details: Mapping[str, DetailValue],
    named: Mapping[str, str],
) -> AuditEntry:
    facility_code, account_number = (
        accounts.get(row.entity_id, (None, None)) if row.entity_type == ACCOUNT_ENTITY else (None, None)
    )
    return AuditEntry(
        id=row.id,
        occurred_at=row.occurred_at,
        actor=row.actor,
        acting_as=row.acting_as,
        action=row.action,
        entity_type=row.entity_type,
        entity_id=row.entity_id,
        account_number=account_number,
        facility_code=facility_code,
        details=details,
        named=named,
    )


def _details(text: str | None) -> Mapping[str, DetailValue]:
    parsed = json.loads(text) if text else {}
    return MappingProxyType(parsed if isinstance(parsed, dict) else {"value": parsed})
