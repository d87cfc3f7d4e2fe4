"""Reassigning accounts: choose them, preview who gets what, then apply the preview in one transaction.

A supervisor (or an admin) picks accounts by id or by filter (:class:`AccountSelection`) and
names one collector or several (:class:`ReassignRequest`). :func:`preview_reassignment` reads
the accounts and deals them (``collector_tui.domain.distribution``): how many accounts and how
much money would move from whom to whom, what each collector would hold after, what would not
fit under the case limits, and which of the accounts someone has open right now. Nothing is
written. :func:`apply_reassignment` then applies exactly that preview, in one write transaction:

- every move is checked against the owner the preview saw: if any account changed owner since,
  or a collector would now pass their case limit, or was deactivated, nothing is written and
  :class:`StalePreviewError` says to preview again;
- the moved accounts get their new owner and a new ``version``, so a collector who has one of
  them open is told at their next save (``StaleAccountError``); their claims are left alone and
  the result lists them so the screen can tell the claimant now;
- each move is a row of ``assignment_history`` and an ``account.reassign`` audit event, and the
  request is one ``assignment.request`` event with the counts (its id is in each move's details).

The write is set-based, so 100,000 moves hold the write lock for about 1.5 s on the 2-core machine
(``benchmarks/reassign_speed.py``; a collector's save waits that long, within the busy timeout):
the moves go into a temporary table, then one correlated ``UPDATE`` and two ``INSERT ... SELECT``.
The new owners see the accounts on their queue's next refresh.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import (
    Column,
    Integer,
    MetaData,
    Select,
    Table,
    and_,
    bindparam,
    case,
    cast,
    func,
    insert,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy import String as SqlString
from sqlalchemy.engine import CursorResult
from sqlalchemy.sql import ColumnElement, Update
from sqlmodel import Session

from collector_tui.db.tables import ACCOUNT_T, AUDIT_T, COLLECTOR_T, FACILITY_T, GUARANTOR_T, HISTORY_T
from collector_tui.domain.aging import AGE_BUCKETS
from collector_tui.domain.distribution import BALANCE_BY, BY_COUNT, Movable, Target, distribute
from collector_tui.domain.priority import TIER_WEIGHT
from collector_tui.services import audit
from collector_tui.services.audit import Actor
from collector_tui.services.bulk import chunks
from collector_tui.services.database import Database
from collector_tui.services.desk.lookup import account_by_number
from collector_tui.services.errors import NotFoundError, ServiceError
from collector_tui.services.team.permissions import Permission, require, require_active
from collector_tui.services.worklists.denial_items import follow_account_owners
from collector_tui.services.worklists.queue import CLAIM_TTL
from collector_tui.vocabulary import AccountStatus, Role

# One connection's scratch list of the moves being applied; created and dropped inside the write.
MOVES_T = Table(
    "reassign_move",
    MetaData(),
    Column("account_id", Integer, primary_key=True),
    Column("from_id", Integer, nullable=True),
    Column("to_id", Integer, nullable=False),
    prefixes=["TEMPORARY"],
)
HISTORY_REASON = "reassigned"
REQUEST_ACTION = "assignment.request"
MOVE_ACTION = "account.reassign"
ANY_STATUS = "any"
# The request's filters that go into its audit event when set (codes and numbers, never PHI).
FILTER_DETAILS = (
    "age_bucket",
    "state",
    "facility",
    "min_balance_cents",
    "max_balance_cents",
    "min_score",
    "max_score",
    "limit",
)


class StalePreviewError(ServiceError):
    """The accounts or collectors changed since the preview; nothing was moved."""


@dataclass(frozen=True)
class AccountSelection:
    """Which accounts: by id (one, or a screen's selection) and/or by filter; every field optional.

    ``status`` is ``open`` unless given (``None``: any status). ``orphaned`` means accounts nobody
    works: assigned to nobody, or to a deactivated collector. ``limit`` takes the first accounts
    by id. Balances are cents; ``min_score``/``max_score`` are the queue's points (without tier).
    """

    account_ids: tuple[int, ...] = ()
    from_login: str | None = None
    status: str | None = AccountStatus.OPEN
    age_bucket: str | None = None
    state: str | None = None
    facility: str | None = None
    min_balance_cents: int | None = None
    max_balance_cents: int | None = None
    min_score: int | None = None
    max_score: int | None = None
    orphaned: bool = False
    limit: int | None = None


@dataclass(frozen=True)
class ReassignRequest:
    """Move the selected accounts to one collector, or balance them across several."""

    to_logins: tuple[str, ...]
    selection: AccountSelection = field(default_factory=AccountSelection)
    balance_by: str = BY_COUNT  # "count" or "amount": what is levelled across several collectors


@dataclass(frozen=True, slots=True)
class Tally:
    accounts: int = 0
    balance_cents: int = 0


@dataclass(frozen=True, slots=True)
class Flow:
    """Accounts that move from one owner (None: nobody) to another."""

    from_login: str | None
    from_active: bool  # False: the owner was deactivated (the accounts were orphaned)
    to_login: str
    accounts: int
    balance_cents: int


@dataclass(frozen=True, slots=True)
class Caseload:
    """A receiving collector's open accounts and their balance, before and after."""

    login: str
    case_limit: int | None
    before: Tally
    after: Tally


@dataclass(frozen=True, slots=True)
class OpenClaim:
    """A moving account that a collector has open right now (claimed within ``CLAIM_TTL``)."""

    account_id: int
    claimed_by: str
    to_login: str


class Move(NamedTuple):
    account_id: int
    from_id: int | None
    to_id: int


@dataclass(frozen=True)
class ReassignmentPreview:
    """What :func:`apply_reassignment` would do; ``moves`` is the exact plan it applies."""

    request: ReassignRequest
    at: datetime
    matched: Tally  # the accounts the selection found
    moving: Tally
    staying: Tally  # found, but dealt to the collector who already owns them
    unplaced: Tally  # found, but no named collector had room under their case limit
    flows: tuple[Flow, ...]
    caseloads: tuple[Caseload, ...]
    claimed: tuple[OpenClaim, ...]
    moves: tuple[Move, ...] = field(repr=False)
    unplaced_ids: tuple[int, ...] = field(repr=False)


@dataclass(frozen=True)
class ReassignmentResult:
    at: datetime
    moved: Tally
    flows: tuple[Flow, ...]
    claimed: tuple[OpenClaim, ...]  # moved accounts a collector has open: tell them
    request_event_id: int | None  # the ``assignment.request`` audit event; None when nothing moved


def require_reassigner(actor: Actor) -> None:
    """Only supervisors and admins may see others' caseloads and move accounts."""
    require(actor, Permission.REASSIGN)


def account_ids_by_number(
    db: Database, actor: Actor, numbers: Sequence[str], facility: str | None = None
) -> tuple[int, ...]:
    """The ids of accounts named by the billing system's number (at ``facility`` when given)."""
    require_reassigner(actor)  # first: a refusal must not reveal whether an account exists
    with db.reading() as session:
        return tuple(account_by_number(session, number, facility)[0] for number in numbers)


# --- preview ----------------------------------------------------------------------------------


class _Collector(NamedTuple):
    id: int
    login: str
    active: bool
    case_limit: int | None


class _Found(NamedTuple):
    id: int
    balance_cents: int
    owner_id: int | None
    is_open: bool
    claimant_id: int | None


def preview_reassignment(
    db: Database, actor: Actor, request: ReassignRequest, *, now: datetime
) -> ReassignmentPreview:
    """Find the accounts, deal them to the named collectors, and say what would move (writes nothing)."""
    require_reassigner(actor)
    if request.balance_by not in BALANCE_BY:
        raise ServiceError(f"balance by '{request.balance_by}': use one of {', '.join(BALANCE_BY)}")
    selection = request.selection
    _check_selection(selection)
    with db.reading() as session:
        require_active(session, actor)
        targets = _targets(session, request.to_logins)
        conditions = _conditions(session, selection, now)
        found = _find(session, conditions, selection, now)
        ids = [t.id for t in targets]
        before = _caseloads(session, ids)
        people = _people(session, {f.owner_id for f in found} | {f.claimant_id for f in found}, targets)
    return _plan(request, now, targets, found, before, people)


def _check_selection(selection: AccountSelection) -> None:
    if selection.status is not None and selection.status not in AccountStatus.codes():
        raise ServiceError(
            f"unknown status '{selection.status}'; use one of {', '.join(AccountStatus.codes())} or any"
        )
    buckets = [label for label, _, _ in AGE_BUCKETS]
    if selection.age_bucket is not None and selection.age_bucket not in buckets:
        raise ServiceError(f"unknown age bucket '{selection.age_bucket}'; use one of {', '.join(buckets)}")
    if selection.limit is not None and selection.limit < 1:
        raise ServiceError("a limit is at least 1")
    for low, high, what in (
        (selection.min_balance_cents, selection.max_balance_cents, "balance"),
        (selection.min_score, selection.max_score, "score"),
    ):
        if low is not None and high is not None and low > high:
            raise ServiceError(f"the lowest {what} is above the highest")


def _targets(session: Session, logins: Sequence[str]) -> list[_Collector]:
    wanted = list(dict.fromkeys(login.strip() for login in logins if login.strip()))
    if not wanted:
        raise ServiceError("name at least one collector to move the accounts to")
    c = COLLECTOR_T.c
    found = session.execute(select(c.id, c.login, c.active, c.case_limit, c.role).where(c.login.in_(wanted)))
    roles: dict[str, str] = {}
    rows: dict[str, _Collector] = {}
    for row in found:
        rows[row.login] = _Collector(int(row.id), row.login, bool(row.active), row.case_limit)
        roles[row.login] = row.role
    for login in wanted:
        if login not in rows:
            raise NotFoundError(f"no user '{login}'")
        if not rows[login].active:
            raise ServiceError(f"user '{login}' is deactivated: accounts cannot be assigned to them")
        _refuse_operator(login, roles[login], ServiceError)
    return [rows[login] for login in wanted]


def _refuse_operator(login: str, role: str, error: type[ServiceError]) -> None:
    """An operator is the nightly job's service account: it works no account, so it gets none."""
    if role == Role.OPERATOR:
        raise error(
            f"user '{login}' is an operator (the nightly service account): "
            "accounts cannot be assigned to them"
        )


def _conditions(session: Session, selection: AccountSelection, now: datetime) -> list[ColumnElement[bool]]:
    a, c, g = ACCOUNT_T.c, COLLECTOR_T.c, GUARANTOR_T.c
    conditions: list[ColumnElement[bool]] = []
    if selection.from_login is not None:
        owner = session.execute(select(c.id).where(c.login == selection.from_login)).scalar_one_or_none()
        if owner is None:
            raise NotFoundError(f"no user '{selection.from_login}'")
        conditions.append(a.assigned_collector_id == owner)
    if selection.status is not None:
        conditions.append(a.status == selection.status)
    if selection.orphaned:
        inactive = select(c.id).where(c.active.is_(False))
        conditions.append(or_(a.assigned_collector_id.is_(None), a.assigned_collector_id.in_(inactive)))
    if selection.facility is not None:
        f = FACILITY_T.c
        facility = session.execute(select(f.id).where(f.code == selection.facility)).scalar_one_or_none()
        if facility is None:
            raise NotFoundError(f"no facility '{selection.facility}'")
        conditions.append(a.facility_id == facility)
    if selection.state is not None:
        # Where the guarantor lives, as the queue's state filter reads it.
        conditions.append(a.guarantor_id.in_(select(g.id).where(g.state == selection.state.upper())))
    if selection.age_bucket is not None:
        low, high = next((lo, hi) for label, lo, hi in AGE_BUCKETS if label == selection.age_bucket)
        started = func.coalesce(a.first_statement_date, a.service_date_from, a.placed_date)
        today = now.date()
        conditions.append(started <= today - timedelta(days=low))
        if high is not None:
            conditions.append(started >= today - timedelta(days=high))
    if selection.min_balance_cents is not None:
        conditions.append(a.total_balance_cents >= selection.min_balance_cents)
    if selection.max_balance_cents is not None:
        conditions.append(a.total_balance_cents <= selection.max_balance_cents)
    points = a.priority_score % TIER_WEIGHT
    if selection.min_score is not None:
        conditions.append(points >= selection.min_score)
    if selection.max_score is not None:
        conditions.append(points <= selection.max_score)
    return conditions


def _find(
    session: Session, conditions: list[ColumnElement[bool]], selection: AccountSelection, now: datetime
) -> list[_Found]:
    """The selected accounts in id order, each with whether it is open and who has it open now."""
    a = ACCOUNT_T.c
    cutoff = bindparam("claim_cutoff", type_=a.claimed_at.type)
    claimant = case((and_(a.claimed_by_id.is_not(None), a.claimed_at >= cutoff), a.claimed_by_id))
    statement: Select[Any] = (
        select(
            a.id,
            a.total_balance_cents,
            a.assigned_collector_id,
            case((a.status == AccountStatus.OPEN, 1), else_=0),
            claimant,
        )
        .where(*conditions)
        .order_by(a.id)
    )
    params = {"claim_cutoff": now - CLAIM_TTL}
    rows: list[Any] = []
    if selection.account_ids:
        by_ids = statement.where(a.id.in_(bindparam("ids", expanding=True)))
        for part in chunks(sorted(set(selection.account_ids))):
            rows += session.execute(by_ids, {**params, "ids": list(part)}).all()
    else:
        if selection.limit is not None:
            statement = statement.limit(selection.limit)
        rows += session.execute(statement, params).all()
    found = [_Found(int(r[0]), int(r[1]), r[2], bool(r[3]), r[4]) for r in rows]
    return found[: selection.limit] if selection.limit is not None else found


def _caseloads(session: Session, collector_ids: Sequence[int], *, balances: bool = True) -> dict[int, Tally]:
    """Each collector's open accounts and their total balance (without ``balances``, the count
    alone, read from the ``ix_account_caseload`` index without touching the accounts)."""
    if not collector_ids:
        return {}
    a = ACCOUNT_T.c
    total = func.coalesce(func.sum(a.total_balance_cents), 0) if balances else literal(0)
    rows = session.execute(
        select(a.assigned_collector_id, func.count(), total)
        .where(a.assigned_collector_id.in_(collector_ids), a.status == AccountStatus.OPEN)
        .group_by(a.assigned_collector_id)
    )
    loads = {int(row[0]): Tally(int(row[1]), int(row[2])) for row in rows}
    return {cid: loads.get(cid, Tally()) for cid in collector_ids}


def _people(
    session: Session, ids: Iterable[int | None], targets: Sequence[_Collector]
) -> dict[int, tuple[str, bool]]:
    """Login and whether active, of owners and claimants."""
    wanted = sorted({i for i in ids if i is not None} - {t.id for t in targets})
    c = COLLECTOR_T.c
    people = {t.id: (t.login, True) for t in targets}
    if wanted:
        for row in session.execute(select(c.id, c.login, c.active).where(c.id.in_(wanted))):
            people[int(row.id)] = (row.login, bool(row.active))
    return people


def _plan(
    request: ReassignRequest,
    now: datetime,
    targets: Sequence[_Collector],
    found: Sequence[_Found],
    before: dict[int, Tally],
    people: dict[int, tuple[str, bool]],
) -> ReassignmentPreview:
    # What each target holds besides the selected accounts: those are dealt again.
    besides = dict(before)
    for account in found:
        if account.is_open and account.owner_id in besides:
            held = besides[account.owner_id]
            besides[account.owner_id] = Tally(held.accounts - 1, held.balance_cents - account.balance_cents)
    deal = distribute(
        [Movable(f.id, f.balance_cents, f.owner_id) for f in found],
        [Target(t.id, besides[t.id].accounts, besides[t.id].balance_cents, t.case_limit) for t in targets],
        request.balance_by,
    )
    moves: list[Move] = []
    flows: dict[tuple[int | None, int], list[int]] = defaultdict(lambda: [0, 0])
    after = {t.id: [before[t.id].accounts, before[t.id].balance_cents] for t in targets}
    staying = [0, 0]
    claimed: list[OpenClaim] = []
    for account in found:
        to_id = deal.placed.get(account.id)
        if to_id is None:
            continue
        if to_id == account.owner_id:
            staying[0] += 1
            staying[1] += account.balance_cents
            continue
        moves.append(Move(account.id, account.owner_id, to_id))
        flow = flows[(account.owner_id, to_id)]
        flow[0] += 1
        flow[1] += account.balance_cents
        if account.is_open:
            after[to_id][0] += 1
            after[to_id][1] += account.balance_cents
            if account.owner_id in after:
                after[account.owner_id][0] -= 1
                after[account.owner_id][1] -= account.balance_cents
        if account.claimant_id is not None and account.claimant_id != to_id:
            claimant = people[account.claimant_id][0]
            claimed.append(OpenClaim(account.id, claimant, people[to_id][0]))
    unplaced = set(deal.unplaced)
    order = {t.id: i for i, t in enumerate(targets)}
    return ReassignmentPreview(
        request=request,
        at=now,
        matched=Tally(len(found), sum(f.balance_cents for f in found)),
        moving=Tally(len(moves), sum(v[1] for v in flows.values())),
        staying=Tally(staying[0], staying[1]),
        unplaced=Tally(len(unplaced), sum(f.balance_cents for f in found if f.id in unplaced)),
        flows=tuple(
            Flow(
                None if src is None else people[src][0],
                src is None or people[src][1],
                people[dst][0],
                n,
                cents,
            )
            for (src, dst), (n, cents) in sorted(
                flows.items(), key=lambda item: (order[item[0][1]], item[0][0] is not None, item[0][0] or 0)
            )
        ),
        caseloads=tuple(
            Caseload(t.login, t.case_limit, before[t.id], Tally(after[t.id][0], after[t.id][1]))
            for t in targets
        ),
        claimed=tuple(claimed),
        moves=tuple(moves),
        unplaced_ids=tuple(sorted(unplaced)),
    )


# --- apply ------------------------------------------------------------------------------------


def apply_reassignment(
    db: Database, actor: Actor, preview: ReassignmentPreview, *, now: datetime
) -> ReassignmentResult:
    """Apply exactly ``preview``'s moves in one transaction, or nothing (:class:`StalePreviewError`)."""
    require_reassigner(actor)
    if not preview.moves:
        return ReassignmentResult(now, Tally(), (), (), None)
    with db.writing() as session:
        require_active(session, actor)
        receivers = _receivers(session, {m.to_id for m in preview.moves})
        limited = [r.id for r in receivers if r.case_limit is not None]
        held_before = _caseloads(session, limited, balances=False)
        with _moves_table(session, preview.moves):
            _move(session, preview, now)
            _check_case_limits(session, receivers, held_before)
            claimed = _claims(session, now)
            request_id = _record(session, actor, preview, now)
    return ReassignmentResult(now, preview.moving, preview.flows, claimed, request_id)


def _receivers(session: Session, receiver_ids: set[int]) -> list[_Collector]:
    """The collectors receiving accounts as they are now: still active, with their current limits."""
    c = COLLECTOR_T.c
    rows = session.execute(
        select(c.id, c.login, c.active, c.case_limit, c.role).where(c.id.in_(sorted(receiver_ids)))
    ).all()
    receivers = [_Collector(int(row.id), row.login, bool(row.active), row.case_limit) for row in rows]
    for row in rows:
        if not row.active:
            raise StalePreviewError(
                f"user '{row.login}' was deactivated since the preview; nothing was moved: preview again"
            )
        _refuse_operator(row.login, row.role, StalePreviewError)  # made an operator since the preview
    return receivers


@contextmanager
def _moves_table(session: Session, moves: Sequence[Move]) -> Iterator[None]:
    """The moves in a temporary table on this transaction's connection, dropped at the end (a
    rollback drops it too: creating it is part of the transaction)."""
    connection = session.connection()
    MOVES_T.drop(connection, checkfirst=True)
    MOVES_T.create(connection)
    # Straight to the driver: three integers a row need no conversion (~3x faster than Core).
    statement = insert(MOVES_T).compile(dialect=connection.dialect)
    if statement.positional:
        assert tuple(statement.positiontup or ()) == Move._fields
        connection.exec_driver_sql(str(statement), list(moves))
    else:
        connection.exec_driver_sql(str(statement), [m._asdict() for m in moves])
    yield
    MOVES_T.drop(connection)


def move_statement(now: datetime) -> Update:
    """Give each listed account its new owner and a new version, if it still has the old owner.

    Correlated on the moves' key rather than ``UPDATE ... FROM``, for which SQLite scans every
    account (the scratch table has no statistics): this form reads only the listed accounts.
    """
    a, m = ACCOUNT_T.c, MOVES_T.c

    def listed(column: Column[Any]) -> Any:
        return select(column).where(m.account_id == a.id).scalar_subquery()

    return (
        update(ACCOUNT_T)
        .where(
            a.id.in_(select(m.account_id)), a.assigned_collector_id.is_not_distinct_from(listed(m.from_id))
        )
        .values(assigned_collector_id=listed(m.to_id), version=a.version + 1, updated_at=now)
    )


def _move(session: Session, preview: ReassignmentPreview, now: datetime) -> None:
    result: CursorResult[Any] = session.connection().execute(move_statement(now))
    moved = result.rowcount
    if moved != len(preview.moves):
        changed = len(preview.moves) - moved
        raise StalePreviewError(
            f"{changed:,} of the {len(preview.moves):,} accounts changed owner since the preview; "
            "nothing was moved: preview again"
        )
    follow_account_owners(session, [m.account_id for m in preview.moves], now)


def _check_case_limits(session: Session, receivers: Sequence[_Collector], before: dict[int, Tally]) -> None:
    """Refuse when a receiver now holds more open accounts than their limit (as it is now) allows:
    another request or an import gave them accounts since the preview, or the limit was lowered."""
    limited = [r for r in receivers if r.case_limit is not None]
    after = _caseloads(session, [r.id for r in limited], balances=False)
    for receiver in limited:
        held = after[receiver.id].accounts
        if (
            receiver.case_limit is not None
            and held > receiver.case_limit
            and held > before[receiver.id].accounts
        ):
            raise StalePreviewError(
                f"'{receiver.login}' would hold {held:,} open accounts, over their case limit of "
                f"{receiver.case_limit:,}; nothing was moved: preview again"
            )


def _claims(session: Session, now: datetime) -> tuple[OpenClaim, ...]:
    """Moved accounts that a collector other than the new owner has open (claimed within the TTL)."""
    a, m, c = ACCOUNT_T.c, MOVES_T.c, COLLECTOR_T.c
    receiver = COLLECTOR_T.alias("receiver")
    rows = session.execute(
        select(a.id, c.login, receiver.c.login)
        .select_from(MOVES_T)
        .join(ACCOUNT_T, a.id == m.account_id)
        .join(COLLECTOR_T, c.id == a.claimed_by_id)
        .join(receiver, receiver.c.id == m.to_id)
        .where(a.claimed_at >= now - CLAIM_TTL, a.claimed_by_id != m.to_id)
        .order_by(m.account_id)
    )
    return tuple(OpenClaim(int(row[0]), row[1], row[2]) for row in rows)


def _record(session: Session, actor: Actor, preview: ReassignmentPreview, now: datetime) -> int:
    """The request's audit event, then a history row and an audit event per move, set-based."""
    request, selection = preview.request, preview.request.selection
    details: dict[str, audit.DetailValue] = {
        "accounts": preview.moving.accounts,
        "balance_cents": preview.moving.balance_cents,
        "to": [caseload.login for caseload in preview.caseloads],
        "by": request.balance_by,
        "unplaced": preview.unplaced.accounts,
        "from": selection.from_login,
        "status": selection.status or ANY_STATUS,
        "orphaned": selection.orphaned,
    }
    if selection.account_ids:
        details["accounts_named"] = len(selection.account_ids)
    for key in FILTER_DETAILS:
        if getattr(selection, key) is not None:
            details[key] = getattr(selection, key)
    rows = audit.audit_rows(actor, REQUEST_ACTION, "assignment", [None], at=now, details=details)
    request_id = int(session.execute(insert(AUDIT_T).values(rows[0]).returning(AUDIT_T.c.id)).scalar_one())

    m = MOVES_T.c
    stamp = literal(now, HISTORY_T.c.assigned_at.type)
    session.execute(
        insert(HISTORY_T).from_select(
            ["account_id", "from_collector_id", "to_collector_id", "assigned_by", "assigned_at", "reason"],
            select(m.account_id, m.from_id, m.to_id, literal(actor.login), stamp, literal(HISTORY_REASON)),
        )
    )
    # The same text ``json.dumps(..., sort_keys=True)`` writes for {"from", "request", "to"}.
    move_details = (
        literal('{"from": ')
        + func.coalesce(cast(m.from_id, SqlString), literal("null"))
        + literal(f', "request": {request_id}, "to": ')
        + cast(m.to_id, SqlString)
        + literal("}")
    )
    session.execute(
        insert(AUDIT_T).from_select(
            ["occurred_at", "actor", "acting_as", "action", "entity_type", "entity_id", "details"],
            select(
                literal(now, AUDIT_T.c.occurred_at.type),
                literal(actor.login),
                literal(actor.acting_as, AUDIT_T.c.acting_as.type),
                literal(MOVE_ACTION),
                literal("account"),
                m.account_id,
                move_details,
            ),
        )
    )
    return request_id
