"""Team results for supervisors: per collector and for the team, the same numbers on screen and in JSON.

Definitions (also in ``docs/stats.md``):

"Today", "this month" and each chart day are the office's, in its time zone (the office setting
``office.time_zone``, default America/New_York: :mod:`collector_tui.domain.office_day`).

- *owned*: open accounts assigned to the collector, and their balance;
- *callable now*: of those, the ones in the *Call now* section of their queue;
- *worked*, *attempts*, *right-party contacts*: from the activities the collector
  logged since the period start (default: today); worked counts accounts;
- *promises*: promises the collector took since the period start (count, amount);
  *kept %*: of the collector's promises that fell due since the start of the month
  and were resolved, the share kept;
- *plans*: payment plans the collector created since the period start;
- *collected*: payments (less returned payments) posted since the period start,
  and since the start of the month, on the accounts the collector owns now;
- *callbacks due today*: open accounts the collector owns whose timed callback
  (``account.next_action_at``) falls within today, leaving out accounts with an
  active payment plan (the plan's check parks the account in the same column);
  *done*: a contact was logged on the account at or after the callback's moment,
  before today ends;
- *promises due today*: promises the collector took that fall due today (not
  cancelled); *done*: kept, or still pending with payments (less returned
  payments) posted on the account since the promise was taken that reach its
  amount (the nightly evaluation marks it kept tonight).

The callbacks and promises due are always today's, whatever the period start.

Denials (the same period; per collector and for the team):

- *denials opened*: denial items opened in the period, by the item's owner;
- *denials worked*: distinct items on which the person logged at least one action in the period
  (a payer call, an appeal, a billing task, a write-off...; the payer's own overturn is nobody's
  work); the team's number counts an item worked by two people once;
- *denials overturned*, *recovered*: items closed as overturned in the period (a later 835 paid),
  by owner, and what those payments recovered;
- *written off*: denied money written off in the period (a write-off within the policy's limit
  when it was logged, one beyond it when a supervisor approved it), by the item's owner;
- *by CARC*, *by payer*: the items opened in the period by headline reason and by payer, the
  most frequent first (count, then denied money), the top ``denial_top``.

:func:`aged_denials` is the supervisor's report of open items past every deadline they have.

Each number is one grouped query; a million accounts cost about a second, so
the team screen counts in a worker.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, func, literal, or_, select
from sqlalchemy.orm import aliased

from collector_tui.db.tables import (
    ACCOUNT_T,
    ACTIVITY_T,
    COLLECTOR_T,
    DENIAL_ACTION_T,
    DENIAL_ITEM_T,
    PLAN_T,
    PROMISE_T,
    TX_T,
)
from collector_tui.domain.aging import AGE_BUCKETS
from collector_tui.domain.office_day import day_bounds, day_start, office_date
from collector_tui.services.audit import Actor
from collector_tui.services.database import Database
from collector_tui.services.errors import NotFoundError
from collector_tui.services.law.policy import current_workspace_policy
from collector_tui.services.office_settings import office_time_zone
from collector_tui.services.team.permissions import Permission, require
from collector_tui.services.worklists.queue import SECTION_CALL, section_totals
from collector_tui.vocabulary import (
    AccountStatus,
    ApprovalStatus,
    DenialActionKind,
    DenialOutcome,
    DenialStatus,
    PlanStatus,
    PromiseStatus,
    Role,
    TransactionKind,
)

CHART_DAYS = 30
DENIAL_TOP = 10  # reasons and payers shown in the denial results
OWNER_NUMBERS = (
    "accounts",
    "balance_cents",
    "collected_cents",
    "collected_month_cents",
    "callbacks_due",
    "callbacks_done",
    "denials_opened",
    "denials_overturned",
    "denials_recovered_cents",
    "denials_written_off_cents",
)
# The denial numbers of the team row are counted team-wide (an item two people worked is one).
DENIAL_NUMBERS = (
    "denials_opened",
    "denials_worked",
    "denials_overturned",
    "denials_recovered_cents",
    "denials_written_off_cents",
)
SUMMED = (
    "accounts",
    "balance_cents",
    "callable_now",
    "worked",
    "attempts",
    "right_party",
    "promises",
    "promised_cents",
    "promises_kept",
    "promises_resolved",
    "plans",
    "collected_cents",
    "collected_month_cents",
    "callbacks_due",
    "callbacks_done",
    "promises_due",
    "promises_done",
)
CONTACT_CHANNELS = ("call", "voicemail", "letter", "email", "text")  # not timeline notes


@dataclass(frozen=True, slots=True)
class CollectorStats:
    collector_id: int | None
    login: str
    name: str
    active: bool
    accounts: int = 0
    balance_cents: int = 0
    callable_now: int = 0
    worked: int = 0
    attempts: int = 0
    right_party: int = 0
    promises: int = 0
    promised_cents: int = 0
    promises_kept: int = 0
    promises_resolved: int = 0
    plans: int = 0
    collected_cents: int = 0
    collected_month_cents: int = 0
    callbacks_due: int = 0  # today's timed callbacks on the accounts they own
    callbacks_done: int = 0  # ... of which the account was worked at or after the callback's moment
    promises_due: int = 0  # promises they took that fall due today
    promises_done: int = 0  # ... of which kept, or paid in full so far
    denials_opened: int = 0  # denial items opened in the period that they own
    denials_worked: int = 0  # items they logged an action on in the period
    denials_overturned: int = 0  # their items a payer paid after all, in the period
    denials_recovered_cents: int = 0  # ... and what it paid
    denials_written_off_cents: int = 0  # denied money written off on their items in the period

    @property
    def kept_percent(self) -> float | None:
        return None if not self.promises_resolved else 100 * self.promises_kept / self.promises_resolved


@dataclass(frozen=True, slots=True)
class DenialCount:
    key: str  # a headline reason ("CO-197"), a payer's name or an owner's login
    items: int
    denied_cents: int


@dataclass(frozen=True, slots=True)
class DenialResults:
    """The team's denial numbers for the period (see the module), counted team-wide."""

    opened: int = 0
    opened_cents: int = 0
    worked: int = 0
    overturned: int = 0
    recovered_cents: int = 0
    written_off_cents: int = 0
    by_carc: tuple[DenialCount, ...] = ()
    by_payer: tuple[DenialCount, ...] = ()


@dataclass(frozen=True)
class TeamStats:
    since: datetime
    month_start: datetime
    at: datetime
    rows: tuple[CollectorStats, ...]
    total: CollectorStats
    collected_by_day: tuple[tuple[date, int], ...] = ()  # the last 30 days, the team's payments
    aging: tuple[tuple[str, int, int], ...] = ()  # (bucket, open accounts, open balance)
    extra: dict[str, Any] = field(default_factory=dict)
    time_zone: str = "America/New_York"  # the office's: where today, the month and chart days begin
    today: date | None = None  # the office's day at ``at``
    denials: DenialResults = field(default_factory=DenialResults)  # the period's, team-wide


def _require_supervisor(actor: Actor) -> None:
    require(
        actor,
        Permission.VIEW_TEAM,
        f"team results are for supervisors and admins (you are {actor.login}, {actor.role})",
    )


def _collected(since: datetime, until: datetime, *, by: Any) -> Any:
    """Payments less returned payments posted in [since, until), grouped by ``by`` (an account column)."""
    t, a = TX_T.c, ACCOUNT_T.c
    original = aliased(TX_T)
    is_payment = t.kind == TransactionKind.PAYMENT
    returned_payment = and_(t.kind == TransactionKind.REVERSAL, original.c.kind == TransactionKind.PAYMENT)
    return (
        select(by.label("key"), func.coalesce(func.sum(-t.amount_cents), 0).label("cents"))
        .select_from(TX_T)
        .join(ACCOUNT_T, a.id == t.account_id)
        .outerjoin(original, original.c.id == t.reverses_id)
        .where(t.posted_at >= since, t.posted_at < until, is_payment | returned_payment)
        .group_by(by)
    )


def team_stats(
    db: Database,
    actor: Actor,
    *,
    now: datetime,
    since: datetime | date | None = None,
    login: str | None = None,
    with_charts: bool = True,
    denial_top: int = DENIAL_TOP,
) -> TeamStats:
    """Every collector's numbers (or only ``login``'s) since ``since`` (default: today).

    Days are the office's (``office.time_zone``): a ``since`` that is a date starts at that day's
    midnight there, as today and the month do.
    """
    _require_supervisor(actor)
    c = COLLECTOR_T.c
    end = now + timedelta(seconds=1)
    with db.reading() as session:
        zone = office_time_zone(session)
        today = office_date(now, zone)
        if since is None or not isinstance(since, datetime):
            since = day_start(since or today, zone)
        month_start = day_start(today.replace(day=1), zone)
        people = session.execute(
            select(c.id, c.login, c.display_name, c.active, c.role).order_by(c.login)
        ).all()
        numbers = _numbers(session, since, month_start, now, end, zone)
        _denial_numbers(session, numbers, since, end)
        chosen = next((person.id for person in people if person.login == login), None)
        denials = _denial_results(session, since, end, login is not None, chosen, denial_top)
        collected_by_day: tuple[tuple[date, int], ...] = ()
        aging: tuple[tuple[str, int, int], ...] = ()
        if with_charts:
            collected_by_day = _collected_by_day(session, today, end, zone)
            aging = _aging(session, today)
    if login is not None and login not in {person.login for person in people}:
        raise NotFoundError(f"no user '{login}'")
    rows = [_with_callable(db, row, now) for row in _collector_rows(people, numbers, login)]
    total = CollectorStats(None, "team", "Team", True)
    for row in rows:
        total = replace(total, **{name: getattr(total, name) + getattr(row, name) for name in SUMMED})
    total = replace(
        total,
        denials_opened=denials.opened,
        denials_worked=denials.worked,
        denials_overturned=denials.overturned,
        denials_recovered_cents=denials.recovered_cents,
        denials_written_off_cents=denials.written_off_cents,
    )
    return TeamStats(
        since,
        month_start,
        now,
        tuple(rows),
        total,
        collected_by_day,
        aging,
        time_zone=str(zone),
        today=today,
        denials=denials,
    )


# ---- denials --------------------------------------------------------------------------------


def _in(column: Any, since: datetime, end: datetime) -> Any:
    return and_(column >= since, column < end)


def _written_off_in(since: datetime, end: datetime) -> Any:
    """A write-off posted in the period: logged within the limit then, or approved then."""
    e = DENIAL_ACTION_T.c
    return and_(
        e.kind == DenialActionKind.WRITE_OFF,
        or_(
            and_(e.approval == ApprovalStatus.NOT_NEEDED, _in(e.occurred_at, since, end)),
            and_(e.approval == ApprovalStatus.APPROVED, _in(e.decided_at, since, end)),
        ),
    )


def _by_person_worked(since: datetime, end: datetime) -> Any:
    e = DENIAL_ACTION_T.c
    return and_(e.collector_id.is_not(None), _in(e.occurred_at, since, end))


def _denial_numbers(
    session: Any, numbers: dict[int | None, dict[str, int]], since: datetime, end: datetime
) -> None:
    """Each collector's denial numbers (see the module), one grouped query each."""
    d, e = DENIAL_ITEM_T.c, DENIAL_ACTION_T.c
    opened = select(d.owner_id, func.count()).where(_in(d.opened_at, since, end)).group_by(d.owner_id)
    for who, count in session.execute(opened):
        numbers[who]["denials_opened"] = int(count)
    worked = (
        select(e.collector_id, func.count(func.distinct(e.item_id)))
        .where(_by_person_worked(since, end))
        .group_by(e.collector_id)
    )
    for who, count in session.execute(worked):
        numbers[who]["denials_worked"] = int(count)
    overturned = (
        select(d.owner_id, func.count(), func.coalesce(func.sum(d.recovered_cents), 0))
        .where(d.outcome == DenialOutcome.OVERTURNED, _in(d.closed_at, since, end))
        .group_by(d.owner_id)
    )
    for who, count, cents in session.execute(overturned):
        numbers[who].update(denials_overturned=int(count), denials_recovered_cents=int(cents))
    written = (
        select(d.owner_id, func.coalesce(func.sum(e.amount_cents), 0))
        .select_from(DENIAL_ACTION_T)
        .join(DENIAL_ITEM_T, d.id == e.item_id)
        .where(_written_off_in(since, end))
        .group_by(d.owner_id)
    )
    for who, cents in session.execute(written):
        numbers[who]["denials_written_off_cents"] = int(cents)


def _denial_results(
    session: Any, since: datetime, end: datetime, only: bool, owner: int | None, top: int
) -> DenialResults:
    """The team's denial numbers, counted team-wide (or, with ``only``, ``owner``'s alone)."""
    d, e = DENIAL_ITEM_T.c, DENIAL_ACTION_T.c
    mine: list[Any] = [d.owner_id == owner] if only else []
    opened_where = [_in(d.opened_at, since, end), *mine]
    opened, opened_cents = session.execute(
        select(func.count(), func.coalesce(func.sum(d.denied_cents), 0)).where(*opened_where)
    ).one()
    by_person = [e.collector_id == owner] if only else []
    worked = session.execute(
        select(func.count(func.distinct(e.item_id))).where(_by_person_worked(since, end), *by_person)
    ).scalar_one()
    overturned, recovered = session.execute(
        select(func.count(), func.coalesce(func.sum(d.recovered_cents), 0)).where(
            d.outcome == DenialOutcome.OVERTURNED, _in(d.closed_at, since, end), *mine
        )
    ).one()
    written = session.execute(
        select(func.coalesce(func.sum(e.amount_cents), 0))
        .select_from(DENIAL_ACTION_T)
        .join(DENIAL_ITEM_T, d.id == e.item_id)
        .where(_written_off_in(since, end), *mine)
    ).scalar_one()
    head = case((d.group_code != "", d.group_code + literal("-") + d.carc), else_=d.carc)
    return DenialResults(
        opened=int(opened),
        opened_cents=int(opened_cents),
        worked=int(worked),
        overturned=int(overturned),
        recovered_cents=int(recovered),
        written_off_cents=int(written),
        by_carc=_top(session, head, opened_where, top),
        by_payer=_top(session, d.payer_name, opened_where, top),
    )


def _top(session: Any, key: Any, where: list[Any], top: int) -> tuple[DenialCount, ...]:
    """The items matching ``where`` counted by ``key``: the most first (count, then money, then key)."""
    d = DENIAL_ITEM_T.c
    items, cents = func.count().label("items"), func.coalesce(func.sum(d.denied_cents), 0).label("cents")
    found = session.execute(
        select(key.label("key"), items, cents)
        .where(*where)
        .group_by(key)
        .order_by(items.desc(), cents.desc(), key)
        .limit(top)
    )
    return tuple(DenialCount(str(k), int(n), int(c)) for k, n, c in found)


@dataclass(frozen=True, slots=True)
class AgedDenials:
    at: datetime
    today: date  # the office's
    items: int
    denied_cents: int
    by_owner: tuple[DenialCount, ...]  # login, or "(unassigned)"
    by_payer: tuple[DenialCount, ...]
    by_carc: tuple[DenialCount, ...]


UNASSIGNED = "(unassigned)"


def _past_every_deadline(today: date) -> list[Any]:
    """Open items with a deadline, each one behind ``today`` (``domain.denial_work.past_all_deadlines``)."""
    d = DENIAL_ITEM_T.c
    appeal, corrected = d.appeal_deadline, d.corrected_claim_deadline
    return [
        d.status == DenialStatus.OPEN,
        or_(appeal.is_not(None), corrected.is_not(None)),
        or_(appeal.is_(None), appeal < today),
        or_(corrected.is_(None), corrected < today),
    ]


def aged_denials(db: Database, actor: Actor, *, now: datetime) -> AgedDenials:
    """Open denial items past every deadline they have (nothing left to file: the goal is none), by
    owner, payer and headline reason, the most first; supervisors and admins."""
    _require_supervisor(actor)
    d, c = DENIAL_ITEM_T.c, COLLECTOR_T.c
    with db.reading() as session:
        today = office_date(now, office_time_zone(session))
        where = _past_every_deadline(today)
        items, cents = session.execute(
            select(func.count(), func.coalesce(func.sum(d.denied_cents), 0)).where(*where)
        ).one()
        owner = func.coalesce(
            select(c.login).where(c.id == d.owner_id).scalar_subquery(), literal(UNASSIGNED)
        )
        head = case((d.group_code != "", d.group_code + literal("-") + d.carc), else_=d.carc)
        everything = 1_000_000
        return AgedDenials(
            at=now,
            today=today,
            items=int(items),
            denied_cents=int(cents),
            by_owner=_top(session, owner, where, everything),
            by_payer=_top(session, d.payer_name, where, everything),
            by_carc=_top(session, head, where, everything),
        )


def _numbers(
    session: Any, since: datetime, month_start: datetime, now: datetime, end: datetime, zone: ZoneInfo
) -> dict[int | None, dict[str, int]]:
    """Each collector's numbers (None: the accounts nobody owns), one grouped query per kind."""
    a, act, p, plan = ACCOUNT_T.c, ACTIVITY_T.c, PROMISE_T.c, PLAN_T.c
    today = office_date(now, zone)
    right_party = sorted(code for code, d in current_workspace_policy().dispositions.items() if d.right_party)
    numbers: dict[int | None, dict[str, int]] = defaultdict(dict)
    owned = select(a.assigned_collector_id, func.count(), func.coalesce(func.sum(a.total_balance_cents), 0))
    for who, count, cents in session.execute(
        owned.where(a.status == AccountStatus.OPEN).group_by(a.assigned_collector_id)
    ):
        numbers[who].update(accounts=int(count), balance_cents=int(cents))
    work = select(
        act.collector_id,
        func.count(func.distinct(act.account_id)),
        func.sum(case((act.counts_as_attempt.is_(True), 1), else_=0)),
        func.sum(case((act.outcome_code.in_(right_party), 1), else_=0)),
    ).where(
        act.occurred_at >= since,
        act.occurred_at < end,
        act.collector_id.is_not(None),
        act.channel.in_(CONTACT_CHANNELS),
    )
    for who, worked, attempts, rpc in session.execute(work.group_by(act.collector_id)):
        numbers[who].update(worked=int(worked), attempts=int(attempts or 0), right_party=int(rpc or 0))
    taken = select(p.collector_id, func.count(), func.coalesce(func.sum(p.amount_cents), 0)).where(
        p.created_at >= since, p.created_at < end
    )
    for who, count, cents in session.execute(taken.group_by(p.collector_id)):
        numbers[who].update(promises=int(count), promised_cents=int(cents))
    resolved = select(
        p.collector_id,
        func.sum(case((p.status == PromiseStatus.KEPT, 1), else_=0)),
        func.count(),
    ).where(
        p.due_date >= today.replace(day=1),
        p.due_date <= today,
        p.status.in_((PromiseStatus.KEPT, PromiseStatus.BROKEN)),
    )
    for who, kept, count in session.execute(resolved.group_by(p.collector_id)):
        numbers[who].update(promises_kept=int(kept or 0), promises_resolved=int(count))
    plans = select(plan.collector_id, func.count()).where(
        plan.created_at >= since, plan.created_at < end, plan.status != PlanStatus.CANCELLED
    )
    for who, count in session.execute(plans.group_by(plan.collector_id)):
        numbers[who]["plans"] = int(count)
    for key, name in ((since, "collected_cents"), (month_start, "collected_month_cents")):
        for who, cents in session.execute(_collected(key, end, by=a.assigned_collector_id)):
            numbers[who][name] = int(cents)
    _due_today(session, numbers, today, end, zone)
    return numbers


def _due_today(
    session: Any, numbers: dict[int | None, dict[str, int]], today: date, end: datetime, zone: ZoneInfo
) -> None:
    """Today's callbacks (by the accounts' owner) and promises due (by who took them), and the done."""
    a, act, p, plan, t = ACCOUNT_T.c, ACTIVITY_T.c, PROMISE_T.c, PLAN_T.c, TX_T.c
    first, last = day_bounds(today, zone)
    worked_after = (
        select(act.id)
        .where(
            act.account_id == a.id,
            act.channel.in_(CONTACT_CHANNELS),
            act.occurred_at >= a.next_action_at,
            act.occurred_at < min(last, end),
        )
        .exists()
    )
    on_plan = select(plan.id).where(plan.account_id == a.id, plan.status == PlanStatus.ACTIVE).exists()
    callbacks = (
        select(a.assigned_collector_id, func.count(), func.sum(case((worked_after, 1), else_=0)))
        .where(
            a.status == AccountStatus.OPEN,
            a.next_action_at >= first,
            a.next_action_at < last,
            ~on_plan,
        )
        .group_by(a.assigned_collector_id)
    )
    for who, due, done in session.execute(callbacks):
        numbers[who].update(callbacks_due=int(due), callbacks_done=int(done or 0))
    original = aliased(TX_T)
    paid = (
        select(func.coalesce(func.sum(-t.amount_cents), 0))
        .select_from(TX_T)
        .outerjoin(original, original.c.id == t.reverses_id)
        .where(
            t.account_id == p.account_id,
            t.posted_at >= p.created_at,
            t.posted_at < end,
            (t.kind == TransactionKind.PAYMENT)
            | and_(t.kind == TransactionKind.REVERSAL, original.c.kind == TransactionKind.PAYMENT),
        )
        .scalar_subquery()
    )
    done = (p.status == PromiseStatus.KEPT) | and_(p.status == PromiseStatus.PENDING, paid >= p.amount_cents)
    promises = (
        select(p.collector_id, func.count(), func.sum(case((done, 1), else_=0)))
        # Every status but cancelled, named, so ix_promise_due (status, due_date) is searched, not scanned.
        .where(
            p.status.in_([s for s in PromiseStatus if s is not PromiseStatus.CANCELLED]), p.due_date == today
        )
        .group_by(p.collector_id)
    )
    for who, due, done_count in session.execute(promises):
        numbers[who].update(promises_due=int(due), promises_done=int(done_count or 0))


def _collected_by_day(
    session: Any, today: date, end: datetime, zone: ZoneInfo
) -> tuple[tuple[date, int], ...]:
    """The team's payments on each of the office's last CHART_DAYS days (its midnights, not UTC's)."""
    days = [today - timedelta(days=CHART_DAYS - 1 - i) for i in range(CHART_DAYS)]
    posted = TX_T.c.posted_at
    # Each payment's day by the office's midnights: a CASE over the UTC moments they are.
    index = case(*((posted < day_start(day + timedelta(days=1), zone), i) for i, day in enumerate(days)))
    found = session.execute(_collected(day_start(days[0], zone), end, by=index))
    per_day = {int(i): int(v) for i, v in found if i is not None}
    return tuple((day, per_day.get(i, 0)) for i, day in enumerate(days))


def _collector_rows(
    people: Sequence[Any], numbers: dict[int | None, dict[str, int]], login: str | None
) -> list[CollectorStats]:
    """A row per collector (or only ``login``'s), and one for what nobody owns, if anything."""
    rows = []
    for person in people:
        if login is not None and person.login != login:
            continue
        values = numbers.get(person.id, {})
        if person.role != Role.COLLECTOR and not values.get("accounts"):
            # Supervisors, admins and operators (the nightly service account, which is never given
            # accounts: services/worklists/assignments.py) are no collectors: a row only if they hold some.
            continue
        rows.append(
            CollectorStats(person.id, person.login, person.display_name, bool(person.active), **values)
        )
    nobody = numbers.get(None, {})
    if login is None and nobody.get("accounts"):
        # What no one owns: its size, what it collected, its callbacks (work is always someone's).
        owned_only = {k: v for k, v in nobody.items() if k in OWNER_NUMBERS}
        rows.append(CollectorStats(None, "(unassigned)", "Unassigned", True, **owned_only))
    return rows


def _with_callable(db: Database, row: CollectorStats, now: datetime) -> CollectorStats:
    """The size of the collector's *Call now* section, counted exactly as their queue counts it."""
    if row.collector_id is None or not row.accounts:
        return row
    owner = Actor(login=row.login, collector_id=row.collector_id, role=Role.COLLECTOR)
    return replace(row, callable_now=section_totals(db, owner, now)[SECTION_CALL])


def _aging(session: Any, today: date) -> tuple[tuple[str, int, int], ...]:
    a = ACCOUNT_T.c
    started = func.coalesce(a.first_statement_date, a.service_date_from, a.placed_date)
    whens = []
    for label, low, _high in reversed(AGE_BUCKETS):
        whens.append((started <= today - timedelta(days=low), label))
    bucket = case(*whens, else_=AGE_BUCKETS[0][0])
    found = {
        label: (int(n), int(cents))
        for label, n, cents in session.execute(
            select(bucket, func.count(), func.coalesce(func.sum(a.total_balance_cents), 0))
            .where(a.status == AccountStatus.OPEN)
            .group_by(bucket)
        )
    }
    return tuple((label, *found.get(label, (0, 0))) for label, _, _ in AGE_BUCKETS)
