"""The denial worklist: a collector's open denial items, in order, and ``n`` for the next one.

Like the call queue (``queue.py``): each open item is in exactly one owner's worklist (its
account's collector), walked by keyset over ``ix_denial_item_worklist`` (score, then id, both
descending), with the stored "why this item, why now" factors and the alarms worked out for
``today``. Items are grouped by the four CAQH CORE scenarios and, under each, by what fixes them
(:func:`worklist_groups`). :func:`claim_next_denial` hands the top unclaimed item to one session
only, under a lease that expires (a closed workstation frees its item after ``CLAIM_TTL``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import CursorResult, Select, func, or_, select, tuple_, update
from sqlmodel import Session

from collector_tui.db.queries import open_denial_item
from collector_tui.db.tables import (
    ACCOUNT_T,
    CLAIM_T,
    COLLECTOR_T,
    DENIAL_ACTION_T,
    DENIAL_ITEM_T,
    FACILITY_T,
    PAYER_T,
)
from collector_tui.domain.denial_work import denial_alarms, past_all_deadlines
from collector_tui.domain.denials import DenialNote
from collector_tui.domain.priority import Factor, factors_from_json
from collector_tui.services import audit
from collector_tui.services.audit import Actor
from collector_tui.services.database import Database
from collector_tui.services.desk.accounts import denial_glossary
from collector_tui.services.errors import NotFoundError
from collector_tui.services.law.policy import current_denial_policy
from collector_tui.services.office_settings import office_today
from collector_tui.services.team.permissions import Permission, can, require, require_active
from collector_tui.services.worklists.denial_items import facts_of
from collector_tui.services.worklists.queue import CLAIM_TTL
from collector_tui.vocabulary import DenialStatus

PAGE_SIZE = 200
Cursor = tuple[int, int]  # (priority_score, id) of the last row shown
NO_ITEM = "no such denial item"


@dataclass(frozen=True, slots=True)
class WorklistFilter:
    scenario: str | None = None
    category: str | None = None


@dataclass(frozen=True, slots=True)
class WorklistRow:
    id: int
    account_id: int
    facility_code: str
    account_number: str
    claim_number: str
    payer_name: str
    payer_phone: str | None
    payer_claim_number: str | None
    group_code: str
    carc: str
    codes: tuple[str, ...]
    note: DenialNote  # the headline code in plain words
    denied_cents: int
    patient_cents: int
    remit_date: date | None
    scenario: str
    category: str
    appeal_deadline: date | None
    corrected_claim_deadline: date | None
    response_due: date | None
    points: int
    factors: tuple[Factor, ...]
    alarms: tuple[str, ...]
    past_deadline: bool
    opened_at: datetime
    worked_at: datetime | None
    claimed_by_id: int | None
    claimed_until: datetime | None
    # When a person or a file last changed it: an action names it, so a second keypress or a
    # payer's file posted meanwhile is refused rather than done twice (denial_actions.STALE).
    updated_at: datetime | None = None

    def held_by_other(self, actor: Actor, now: datetime) -> bool:
        return (
            self.claimed_by_id not in (None, actor.collector_id)
            and self.claimed_until is not None
            and self.claimed_until > now
        )


@dataclass(frozen=True, slots=True)
class WorklistPage:
    rows: tuple[WorklistRow, ...]
    next_cursor: Cursor | None
    today: date | None = None  # the office's day the alarms were worked out for


@dataclass(frozen=True, slots=True)
class WorklistGroup:
    scenario: str
    category: str
    items: int
    denied_cents: int


def _columns() -> tuple[Any, ...]:
    d, c, a, f, p = DENIAL_ITEM_T.c, CLAIM_T.c, ACCOUNT_T.c, FACILITY_T.c, PAYER_T.c
    return (
        d.id,
        d.account_id,
        f.code.label("facility_code"),
        a.account_number,
        c.claim_number,
        d.payer_name,
        p.phone.label("payer_phone"),
        d.payer_claim_number,
        d.group_code,
        d.carc,
        d.codes,
        d.denied_cents,
        d.patient_cents,
        d.remit_date,
        d.scenario,
        d.category,
        d.appeal_deadline,
        d.corrected_claim_deadline,
        d.response_due,
        d.priority_score,
        d.priority_breakdown,
        d.opened_at,
        d.worked_at,
        d.claimed_by_id,
        d.claimed_until,
        d.status,
        d.owner_id,
        d.updated_at,
    )


def _joined(statement: Select[Any]) -> Select[Any]:
    d, c, a, f, p = DENIAL_ITEM_T.c, CLAIM_T.c, ACCOUNT_T.c, FACILITY_T.c, PAYER_T.c
    return (
        statement.select_from(DENIAL_ITEM_T)
        .join(CLAIM_T, c.id == d.claim_id)
        .join(ACCOUNT_T, a.id == d.account_id)
        .join(FACILITY_T, f.id == a.facility_id)
        .outerjoin(PAYER_T, p.name_key == func.upper(d.payer_name))
    )


def _row(row: Any, today: date) -> WorklistRow:
    policy = current_denial_policy()
    facts = facts_of(row)
    head = f"{row.group_code}-{row.carc}" if row.group_code else row.carc
    return WorklistRow(
        id=int(row.id),
        account_id=int(row.account_id),
        facility_code=row.facility_code,
        account_number=row.account_number,
        claim_number=row.claim_number,
        payer_name=row.payer_name,
        payer_phone=row.payer_phone,
        payer_claim_number=row.payer_claim_number,
        group_code=row.group_code,
        carc=row.carc,
        codes=tuple(row.codes.split()),
        note=denial_glossary().explain(head),
        denied_cents=int(row.denied_cents),
        patient_cents=int(row.patient_cents),
        remit_date=row.remit_date,
        scenario=row.scenario,
        category=row.category,
        appeal_deadline=row.appeal_deadline,
        corrected_claim_deadline=row.corrected_claim_deadline,
        response_due=row.response_due,
        points=int(row.priority_score),
        factors=factors_from_json(row.priority_breakdown),
        alarms=denial_alarms(facts, policy, today),
        past_deadline=past_all_deadlines(facts, today),
        opened_at=row.opened_at,
        worked_at=row.worked_at,
        claimed_by_id=row.claimed_by_id,
        claimed_until=row.claimed_until,
        updated_at=row.updated_at,
    )


def _open_of(owner_id: int, chosen: WorklistFilter) -> list[Any]:
    d = DENIAL_ITEM_T.c
    where: list[Any] = [d.owner_id == owner_id, open_denial_item()]
    if chosen.scenario:
        where.append(d.scenario == chosen.scenario)
    if chosen.category:
        where.append(d.category == chosen.category)
    return where


def worklist_page(
    db: Database,
    whose: Actor,
    *,
    now: datetime,
    chosen: WorklistFilter | None = None,
    after: Cursor | None = None,
    limit: int = PAGE_SIZE,
) -> WorklistPage:
    """A page of ``whose``'s open items, highest score first (``after``: the last row shown)."""
    if whose.collector_id is None:
        return WorklistPage((), None)
    d = DENIAL_ITEM_T.c
    where = _open_of(whose.collector_id, chosen or WorklistFilter())
    if after is not None:
        # A row-value comparison: SQLite seeks on (owner, score, id) instead of walking from the top.
        where.append(tuple_(d.priority_score, d.id) < tuple_(*after))
    statement = (
        _joined(select(*_columns()))
        .where(*where)
        .order_by(d.priority_score.desc(), d.id.desc())
        .limit(limit + 1)
    )
    with db.reading() as session:
        rows = list(session.execute(statement))
        today = office_today(session, now)
    shown = [_row(row, today) for row in rows[:limit]]
    more = len(rows) > limit and shown
    return WorklistPage(tuple(shown), (shown[-1].points, shown[-1].id) if more else None, today)


def worklist_groups(db: Database, whose: Actor) -> tuple[WorklistGroup, ...]:
    """``whose``'s open items counted by scenario and category, with their denied money."""
    if whose.collector_id is None:
        return ()
    d = DENIAL_ITEM_T.c
    statement = (
        select(d.scenario, d.category, func.count(), func.coalesce(func.sum(d.denied_cents), 0))
        .where(*_open_of(whose.collector_id, WorklistFilter()))
        .group_by(d.scenario, d.category)
        .order_by(d.scenario, d.category)
    )
    with db.reading() as session:
        return tuple(
            WorklistGroup(scenario, category, int(items), int(cents))
            for scenario, category, items, cents in session.execute(statement)
        )


def claim_next_denial(
    db: Database,
    actor: Actor,
    now: datetime,
    chosen: WorklistFilter | None = None,
    *,
    leaving: int | None = None,
) -> int | None:
    """Lease the actor's top open item that no session holds; None when there is none.

    As with the call queue's ``n``, every claim gets a different item, even from two sessions of
    the same collector; ``leaving`` (the item the session is moving on from) is released in the
    same transaction. One conditional UPDATE in the write transaction: two sessions cannot take
    the same item, and a lease left by a closed workstation expires after ``CLAIM_TTL``.
    """
    if actor.collector_id is None:
        return None
    d = DENIAL_ITEM_T.c
    free = or_(d.claimed_by_id.is_(None), d.claimed_until <= now)
    with db.writing() as session:
        require_active(session, actor)
        if leaving is not None:
            _release(session, actor, leaving)
        for _ in range(5):  # a lost race moves on to the next item
            item = session.execute(
                select(d.id)
                .where(*_open_of(actor.collector_id, chosen or WorklistFilter()), free)
                .order_by(d.priority_score.desc(), d.id.desc())
                .limit(1)
            ).scalar()
            if item is None:
                return None
            taken: CursorResult[Any] = session.connection().execute(
                update(DENIAL_ITEM_T)
                .where(d.id == item, d.status == DenialStatus.OPEN, free)
                .values(claimed_by_id=actor.collector_id, claimed_until=now + CLAIM_TTL)
            )
            if taken.rowcount:
                audit.record(session, actor, "denial.claim", "denial_item", [item], at=now)
                return int(item)
        return None


def _release(session: Session, actor: Actor, item_id: int) -> None:
    d = DENIAL_ITEM_T.c
    session.execute(
        update(DENIAL_ITEM_T)
        .where(d.id == item_id, d.claimed_by_id == actor.collector_id)
        .values(claimed_by_id=None, claimed_until=None)
    )


def release_denial(db: Database, actor: Actor, item_id: int) -> None:
    """Give back the lease on ``item_id`` (leaving it); another collector's lease is left alone."""
    with db.writing() as session:
        _release(session, actor, item_id)


@dataclass(frozen=True, slots=True)
class ActionLine:
    kind: str
    occurred_at: datetime
    by: str | None  # login, or None for the system (a payer's file)
    representative: str | None
    reference: str | None
    note: str | None
    appeal_level: str | None
    deadline: date | None
    frequency_code: str | None
    other_payer: str | None
    amount_cents: int
    approval: str


@dataclass(frozen=True, slots=True)
class DenialDetail:
    row: WorklistRow
    status: str
    outcome: str | None
    owner_id: int | None
    recovered_cents: int
    actions: tuple[ActionLine, ...]


def _may_see(session: Session, actor: Actor, owner_id: int | None) -> bool:
    if owner_id is not None and owner_id == actor.collector_id:
        return True
    require_active(session, actor)
    return can(actor, Permission.VIEW_ANY_ACCOUNT)


def denial_detail(db: Database, actor: Actor, item_id: int, *, now: datetime) -> DenialDetail:
    """One item with everything done on it, oldest first; ``NotFoundError`` for an item the actor
    may not see (the same words as for one that does not exist)."""
    d, e, u = DENIAL_ITEM_T.c, DENIAL_ACTION_T.c, COLLECTOR_T.c
    with db.reading() as session:
        row = session.execute(
            _joined(select(*_columns(), d.outcome, d.recovered_cents)).where(d.id == item_id)
        ).first()
        if row is None or not _may_see(session, actor, row.owner_id):
            raise NotFoundError(NO_ITEM)
        today = office_today(session, now)
        actions = tuple(
            ActionLine(
                kind=a.kind,
                occurred_at=a.occurred_at,
                by=a.login,
                representative=a.representative,
                reference=a.reference,
                note=a.note,
                appeal_level=a.appeal_level,
                deadline=a.deadline,
                frequency_code=a.frequency_code,
                other_payer=a.other_payer,
                amount_cents=int(a.amount_cents),
                approval=a.approval,
            )
            for a in session.execute(
                select(DENIAL_ACTION_T, u.login)
                .outerjoin(COLLECTOR_T, u.id == e.collector_id)
                .where(e.item_id == item_id)
                .order_by(e.occurred_at, e.id)
            )
        )
    return DenialDetail(
        row=_row(row, today),
        status=row.status,
        outcome=row.outcome,
        owner_id=row.owner_id,
        recovered_cents=int(row.recovered_cents),
        actions=actions,
    )


def require_team_view(actor: Actor) -> None:
    """Another collector's worklist is a supervisor's or an admin's to read."""
    require(
        actor,
        Permission.VIEW_TEAM,
        "only a supervisor or an administrator may see another collector's worklist",
    )
