"""What the queue reads from each account, kept true: its call state and its priority.

Every service that changes a fact either depends on (a placement, a contact,
a payment, a promise, a hold) calls :func:`refresh_accounts` for the
accounts it touched, in its own transaction. The nightly run calls
:func:`refresh_all_accounts` to rescore, because promises fall due and
accounts age without any event. The stored call state does not change with
time (it holds the moments limits lift), so it is recomputed for every
account only when :func:`call_state_due` says so: after the compliance
policy changes or one of its rules takes effect.

The nightly run also reorders the open denial items (:func:`refresh_denial_items`): their
deadlines come nearer each day without any event either.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from datetime import date, datetime

from sqlalchemy import select
from sqlmodel import Session

from collector_tui.db.tables import ACCOUNT_T
from collector_tui.domain.compliance.engine import call_state_day, call_state_fingerprint, call_state_outdated
from collector_tui.domain.office_day import office_date
from collector_tui.services import audit
from collector_tui.services.audit import SYSTEM, Actor
from collector_tui.services.law.compliance import refresh_call_state
from collector_tui.services.law.policy import current_policy
from collector_tui.services.office_settings import office_setting, office_time_zone, put_office_setting
from collector_tui.services.team.permissions import Permission, require
from collector_tui.services.worklists import denial_items
from collector_tui.services.worklists.priority import rescore
from collector_tui.vocabulary import AccountStatus

RESCORE_BATCH = 5_000  # open denial items rescored per transaction (about 0.15 s each)


def refresh_accounts(
    session: Session,
    account_ids: Iterable[int],
    now: datetime,
    *,
    with_phones: bool = True,
    call_state_of: Iterable[int] | None = None,
) -> None:
    """Rescore ``account_ids`` and recompute their call state.

    A caller that knows the event changed no fact the call state reads for
    some accounts (an old contact, a payment that settles nothing) names the
    ones whose call state may have moved in ``call_state_of``.
    """
    ids = sorted(set(account_ids))
    if not ids:
        return
    call_ids = ids if call_state_of is None else sorted(set(call_state_of))
    if call_ids:
        refresh_call_state(session, call_ids, now, with_phones=with_phones)
    rescore(session, ids, now)


CALL_STATE_POLICY_KEY = "compliance.call_state_policy"
CALL_STATE_DAY_KEY = "compliance.call_state_day"


def call_state_due(session: Session, now: datetime) -> str | None:
    """Why every account's stored call state must be recomputed now (None: it is true as stored)."""
    try:
        day = date.fromisoformat(office_setting(session, CALL_STATE_DAY_KEY) or "")
    except ValueError:
        day = None  # never recorded (or unreadable): recompute, and record it afresh
    return call_state_outdated(current_policy(), office_setting(session, CALL_STATE_POLICY_KEY), day, now)


def record_call_state_computed(session: Session, now: datetime) -> None:
    """Every account's call state was just worked out under the policy in force, at ``now``."""
    for key, value in (
        (CALL_STATE_POLICY_KEY, call_state_fingerprint(current_policy())),
        (CALL_STATE_DAY_KEY, call_state_day(now).isoformat()),
    ):
        put_office_setting(session, key, value)


def refresh_all_accounts(
    writing: Callable[[], AbstractContextManager[Session]],
    now: datetime,
    *,
    batch: int = 2000,
    actor: Actor = SYSTEM,
    call_state: bool = False,
    record: bool = True,
) -> int:
    """Rescore every open account (and with ``call_state`` recompute its call state), a batch per
    transaction; returns accounts seen.

    A recomputed call state is recorded as current unless ``record`` is off (a
    run as of another moment than now must not vouch for today's).
    """
    require(actor, Permission.RUN_NIGHTLY)
    seen = 0
    last_id = 0
    a = ACCOUNT_T.c
    while True:
        with writing() as session:
            ids = [
                int(i)
                for i in session.execute(
                    select(a.id)
                    .where(a.id > last_id, a.status == AccountStatus.OPEN)
                    .order_by(a.id)
                    .limit(batch)
                ).scalars()
            ]
            if not ids:
                if call_state and record:
                    record_call_state_computed(session, now)
                details = {"accounts": seen, "call_state": call_state}
                audit.record(session, actor, "accounts.refresh", "account", [None], at=now, details=details)
                return seen
            if call_state:
                refresh_call_state(session, ids, now)
            rescore(session, ids, now)
        seen += len(ids)
        last_id = ids[-1]


def refresh_denial_items(
    writing: Callable[[], AbstractContextManager[Session]], now: datetime, *, actor: Actor = SYSTEM
) -> int:
    """Rescore the open denial items for the office's today, a batch of items per short transaction
    (100,000 items in one would hold the write lock for seconds, past a collector's busy timeout);
    returns how many items changed order. One audit event, with the count."""
    require(actor, Permission.RUN_NIGHTLY)
    changed, after = 0, 0
    with writing() as session:
        today = office_date(now, office_time_zone(session))
    while True:
        with writing() as session:
            batch = denial_items.open_item_ids(session, after=after, limit=RESCORE_BATCH)
            if not batch:
                details = {"changed": changed}
                audit.record(
                    session, actor, "denials.rescore", "denial_item", [None], at=now, details=details
                )
                return changed
            changed += denial_items.rescore(session, today, item_ids=batch)
        after = batch[-1]
