"""Placing holds, one account or a whole import batch at a time, the same way.

A hold about the person (cease, attorney, bankruptcy, deceased) also sets the
guarantor's flag, so it covers every account of the household: the accounts
whose call state must then be recomputed are returned. A dispute or a cease
records whether it came orally or in writing; a written one supersedes an
oral one still open (the law asks more of a written dispute or cease, from
the day it arrived).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from sqlalchemy import select, update
from sqlmodel import Session

from collector_tui.db.tables import ACCOUNT_T, GUARANTOR_T, HOLD_T
from collector_tui.services.bulk import insert_rows, select_in_chunks
from collector_tui.vocabulary import HoldReason, ReceivedVia

# Holds that are about the person, not one debt: they go on the guarantor too, so every
# account of the household stops (the engine reads the guarantor's flags).
PERSON_FLAGS = {
    HoldReason.CEASE: "cease_communication",
    HoldReason.ATTORNEY: "attorney_represented",
    HoldReason.BANKRUPTCY: "bankruptcy",
    HoldReason.DECEASED: "deceased",
}

HoldKey = tuple[int, int, str]  # (account id, its guarantor id, reason)
HOW_RECEIVED = (HoldReason.DISPUTE, HoldReason.CEASE)  # the holds that record oral or written


def place_holds(
    session: Session,
    wanted: Mapping[HoldKey, datetime],
    *,
    placed_by_id: int | None,
    source: str,
    now: datetime,
    received_via: Mapping[HoldKey, str] | None = None,
) -> tuple[list[tuple[int, str]], list[int]]:
    """Place each wanted hold (received at its moment) unless one is open or was released since.

    ``received_via`` says how a dispute or cease came (``oral`` or ``written``;
    absent: not recorded). A written one replaces an open oral one of the same
    reason: the oral hold ends as the written one is placed.

    Returns the (account, reason) of each hold placed, and every account
    whose call state it changed (with the households of person flags newly set).
    """
    if not wanted:
        return [], []
    via = {key: how for key, how in (received_via or {}).items() if key[2] in HOW_RECEIVED}
    h = HOLD_T.c
    open_now: dict[tuple[int, str], list[tuple[int, str | None]]] = {}  # (hold id, how received)
    released: dict[tuple[int, str], datetime] = {}  # the latest release of each reason
    for row in select_in_chunks(
        session,
        lambda ids: select(h.id, h.account_id, h.reason, h.released_at, h.received_via).where(
            h.account_id.in_(ids)
        ),
        {account_id for account_id, _, _ in wanted},
    ):
        key = (row.account_id, row.reason)
        if row.released_at is None:
            open_now.setdefault(key, []).append((row.id, row.received_via))
        elif key not in released or released[key] < row.released_at:
            released[key] = row.released_at
    # A hold already open stays as it is; one released after the request was heard (a supervisor
    # decided after it) is not placed again by a report of that request arriving late.
    kept = {key: at for key, at in wanted.items() if released.get((key[0], key[2]), at) <= at}
    superseded: list[tuple[int, datetime]] = []  # open oral holds a written one replaces
    for (account_id, guarantor_id, reason), at in kept.items():
        holds = open_now.get((account_id, reason), [])
        oral = bool(holds) and all(how == ReceivedVia.ORAL for _, how in holds)
        if oral and via.get((account_id, guarantor_id, reason)) == ReceivedVia.WRITTEN:
            superseded += [(hold_id, at) for hold_id, _ in holds]
            del open_now[(account_id, reason)]
    for hold_id, at in superseded:
        session.execute(update(HOLD_T).where(h.id == hold_id).values(released_at=at))
    new = sorted(
        (account_id, guarantor_id, reason, at)
        for (account_id, guarantor_id, reason), at in kept.items()
        if (account_id, reason) not in open_now
    )
    insert_rows(
        session,
        HOLD_T,
        [
            {
                "account_id": account_id,
                "reason": reason,
                "placed_at": at,
                "placed_by_id": placed_by_id,
                "source": source,
                "received_via": via.get((account_id, guarantor_id, reason)),
            }
            for account_id, guarantor_id, reason, at in new
        ],
    )
    changed = {account_id for account_id, _, _, _ in new}
    flags: dict[str, set[int]] = {}
    for _, guarantor_id, reason in kept:  # a released hold's flag was cleared with it: it stays so
        flag = PERSON_FLAGS.get(HoldReason(reason))
        if flag is not None:
            flags.setdefault(flag, set()).add(guarantor_id)
    g = GUARANTOR_T.c
    for flag, guarantors in sorted(flags.items()):
        unset = _without_flag(session, flag, guarantors)
        if unset:
            session.execute(
                update(GUARANTOR_T).where(g.id.in_(unset)).values({flag: True, "updated_at": now})
            )
            changed.update(household(session, unset))
    return [(account_id, reason) for account_id, _, reason, _ in new], sorted(changed)


def _without_flag(session: Session, flag: str, guarantor_ids: Iterable[int]) -> list[int]:
    g = GUARANTOR_T.c
    column = g[flag]
    return sorted(
        int(row.id)
        for row in select_in_chunks(
            session, lambda ids: select(g.id).where(g.id.in_(ids), column.is_(False)), guarantor_ids
        )
    )


def household(session: Session, guarantor_ids: Iterable[int]) -> list[int]:
    """Every account of these guarantors."""
    a = ACCOUNT_T.c
    return sorted(
        int(row.id)
        for row in select_in_chunks(
            session, lambda ids: select(a.id).where(a.guarantor_id.in_(ids)), guarantor_ids
        )
    )
