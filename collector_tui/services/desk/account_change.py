"""Changing one account: the unit of work every desk action goes through.

An action names the account version the collector was looking at;
:func:`target_for_change` checks the actor may change the account and that it
is still that version (else :class:`~collector_tui.services.errors.StaleAccountError`,
nothing written, so the screen can reload, say what changed and keep what was
typed). :func:`finish_change` ends every change the same way: a line in the
account's timeline, the version bumped, one audit event (ids and codes only),
and the call state and priority the queue reads refreshed for every account it
touched. The collector's actions (:mod:`.account_actions`), the consumer's
requests (:mod:`.consumer_requests`), payment plans and override requests all
build on it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlmodel import Session

from collector_tui.db.tables import ACCOUNT_T, ACTIVITY_T, FACILITY_T
from collector_tui.services import audit
from collector_tui.services.audit import Actor
from collector_tui.services.desk.account_state import refresh_accounts
from collector_tui.services.errors import NotFoundError, StaleAccountError
from collector_tui.services.team.permissions import require_account_work
from collector_tui.vocabulary import Channel, Direction


@dataclass(frozen=True, slots=True)
class ActionResult:
    account_id: int
    version: int  # the account's version after the change
    message: str  # what happened, in plain words without PHI
    next_step: str = "none"  # what the workspace opens next (from the disposition)
    amount_cents: int | None = None  # the next step's amount: a plan's down payment, to take now


@dataclass(frozen=True, slots=True)
class Target:
    """The account being changed, as it was when the change began."""

    id: int
    guarantor_id: int
    facility_code: str
    account_number: str
    version: int
    total_balance_cents: int
    status: str


def target_for_change(session: Session, actor: Actor, account_id: int, version: int) -> Target:
    """The account, if the actor may change it and it is still the version they saw."""
    a, f = ACCOUNT_T.c, FACILITY_T.c
    row = session.execute(
        select(
            a.id,
            a.guarantor_id,
            a.version,
            a.assigned_collector_id,
            a.total_balance_cents,
            a.status,
            a.account_number,
            f.code,
        )
        .join(FACILITY_T, f.id == a.facility_id)
        .where(a.id == account_id)
    ).first()
    if row is None:
        raise NotFoundError(f"account {account_id} not found")
    require_account_work(session, actor, account_id, row.assigned_collector_id)
    if row.version != version:
        raise StaleAccountError(account_id, version, row.version)
    return Target(
        row.id,
        row.guarantor_id,
        row.code,
        row.account_number,
        row.version,
        row.total_balance_cents,
        row.status,
    )


def bumped(target: Target) -> Target:
    """``target`` after a service it called already bumped the version once."""
    return replace(target, version=target.version + 1)


def timeline_row(
    actor: Actor, account_id: int, now: datetime, code: str, note: str, *, source: str = "tui"
) -> dict[str, Any]:
    """The activity row of one status-change line (a note, no direction): the workspace's and the
    nightly plan check's are the same shape."""
    return {
        "account_id": account_id,
        "collector_id": actor.collector_id,
        "occurred_at": now,
        "channel": Channel.NOTE,
        "direction": Direction.NONE,
        "outcome_code": code,
        "note": note,
        "source": source,
        "created_at": now,
    }


def timeline_line(
    session: Session, actor: Actor, account_id: int, now: datetime, code: str, note: str, **values: Any
) -> int:
    """One line in the account's activity timeline (a status change, not a contact)."""
    row = {**timeline_row(actor, account_id, now, code, note), **values}
    return int(session.execute(insert(ACTIVITY_T).returning(ACTIVITY_T.c.id), [row]).scalar_one())


def finish_change(
    session: Session,
    actor: Actor,
    target: Target,
    action: str,
    now: datetime,
    *,
    line: tuple[str, str] | None = None,
    phone_id: int | None = None,
    details: dict[str, audit.DetailValue] | None = None,
    refresh: list[int] | None = None,
    changes: dict[str, Any] | None = None,
) -> int:
    """The end of every workspace change: its timeline ``line`` (code, note), if any, the version bump
    (with ``changes``), an audit event naming the line, and a refresh of the queue's view of the
    ``refresh`` accounts (default: this one). Returns the new version."""
    details = dict(details or {})
    if line is not None:
        code, note = line
        details["activity"] = timeline_line(session, actor, target.id, now, code, note, phone_id=phone_id)
    a = ACCOUNT_T.c
    version = target.version + 1
    session.execute(
        update(ACCOUNT_T).where(a.id == target.id).values(version=version, updated_at=now, **(changes or {}))
    )
    audit.record(session, actor, action, "account", [target.id], at=now, details=details)
    refresh_accounts(session, refresh or [target.id], now)
    return version
