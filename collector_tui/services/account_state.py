"""What the queue reads from each account, kept true: its call state and its priority.

Every service that changes a fact either depends on (a placement, a contact,
a payment, a promise, a hold) calls :func:`refresh_accounts` for the
accounts it touched, in its own transaction. The nightly run calls
:func:`refresh_all_accounts` to rescore, because promises fall due and
accounts age without any event. The stored call state does not change with
time (it holds the moments limits lift), so it is recomputed for every
account only when asked: after the compliance policy changes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from datetime import datetime

from sqlalchemy import select
from sqlmodel import Session

from collector_tui.services import audit
from collector_tui.services.audit import SYSTEM, Actor
from collector_tui.services.compliance import refresh_call_state
from collector_tui.services.priority import rescore
from db import codes
from db.models import Account, table_of

ACCOUNT_T = table_of(Account)


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


def refresh_all_accounts(
    writing: Callable[[], AbstractContextManager[Session]],
    now: datetime,
    *,
    batch: int = 2000,
    actor: Actor = SYSTEM,
    call_state: bool = False,
) -> int:
    """Rescore every open account (and with ``call_state`` recompute its call state), a batch per
    transaction; returns accounts seen."""
    seen = 0
    last_id = 0
    a = ACCOUNT_T.c
    while True:
        with writing() as session:
            ids = [
                int(i)
                for i in session.execute(
                    select(a.id)
                    .where(a.id > last_id, a.status == codes.ACCOUNT_OPEN)
                    .order_by(a.id)
                    .limit(batch)
                ).scalars()
            ]
            if not ids:
                details = {"accounts": seen, "call_state": call_state}
                audit.record(session, actor, "accounts.refresh", "account", [None], at=now, details=details)
                return seen
            if call_state:
                refresh_call_state(session, ids, now)
            rescore(session, ids, now)
        seen += len(ids)
        last_id = ids[-1]
