"""The call queue: which account next, and why, in three sections.

- **call**: may be called now, by tier (a due callback, then a promise due or
  broken) and then score;
- **later**: open and not held, but not callable at this moment (outside the
  calling window, a frequency limit, no dialable phone), with the moment it
  becomes callable;
- **hold**: held (dispute, insurance pending, bankruptcy, ...): not in the
  calling order at all, with the reason.

Each section is a keyset page over the ``ix_account_queue`` index; the SQL
"callable now" is the compliance service's, and each shown row's reason comes
from the compliance engine itself. :func:`claim_next` hands the top callable
account to one collector only, and only once the engine agrees it may be called
now (a stale stored call state is mended, never acted on).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from math import isqrt
from time import monotonic
from typing import Any

from sqlalchemy import Select, and_, case, func, not_, or_, select, update
from sqlalchemy.sql import ColumnElement
from sqlmodel import Session

from collector_tui.db import queries
from collector_tui.db.tables import ACCOUNT_T, FACILITY_T, GUARANTOR_T
from collector_tui.domain.aging import AGE_BUCKETS, age_bucket, age_in_days
from collector_tui.domain.compliance.clock import zone
from collector_tui.domain.compliance.engine import CALL, Verdict, evaluate
from collector_tui.domain.priority import TIER_REST, TIER_WEIGHT, Factor, factors_from_json
from collector_tui.services import audit
from collector_tui.services.audit import Actor
from collector_tui.services.database import Database
from collector_tui.services.law.compliance import (
    callable_state_clause,
    count_open_phones,
    dialable_phone_clause,
    guarantors_with_open_phones,
    limits_lifted_clause,
    load_facts,
    open_group_ids,
    phone_count_estimate,
    refresh_call_state,
)
from collector_tui.services.law.policy import current_policy, current_workspace_policy
from collector_tui.services.team.permissions import (
    allows_unassigned,
    may_work_account,
)
from collector_tui.services.worklists.priority import age_start

SECTION_CALL = "call"
SECTION_LATER = "later"
SECTION_HOLD = "hold"
SECTIONS = (SECTION_CALL, SECTION_LATER, SECTION_HOLD)
SECTION_TITLES = {
    SECTION_CALL: "Call now",
    SECTION_LATER: "Not callable now",
    SECTION_HOLD: "On hold",
}
CLAIM_TTL = timedelta(minutes=20)  # a claim left by a closed session expires
CLAIM_CHECKS = 20  # top accounts `n` asks the engine about before it says "nobody to call now"
PAGE_SIZE = 200

PLAN_ACCOUNTS = "accounts"  # walk the collector's accounts by priority, probing each one's phones
PLAN_PHONES = "phones"  # the same walk, against a list of the guarantors with an open phone
PLANS = (PLAN_ACCOUNTS, PLAN_PHONES)
# What a phone probe of the walk costs, in open phones put in the phone plan's list: 2.6 measured at
# 1,000,000 accounts (benchmarks/queue_speed.py, 17:00), nearer 5 when the list is short (12:00).
WALK_STEP_COST = 3
PLAN_TTL = 60.0  # seconds a plan choice is kept (see _plan)
_PLANS: dict[tuple[str, int, str, tuple[int, ...], int | None], tuple[float, str]] = {}


Cursor = tuple[int, int]  # (priority_score, id) of the last row shown


@dataclass(frozen=True)
class QueueFilter:
    """What the collector narrowed the queue to; every field optional."""

    section: str = SECTION_CALL
    age_bucket: str | None = None
    state: str | None = None
    min_balance_cents: int | None = None
    max_balance_cents: int | None = None
    text: str | None = None  # account number or guarantor last name, from the start


@dataclass(frozen=True)
class QueueRow:
    id: int
    account_number: str
    facility_code: str
    guarantor_name: str
    balance_cents: int
    age_days: int | None
    age_bucket: str
    last_contact_at: datetime | None
    next_action_at: datetime | None
    points: int
    tier: int
    factors: tuple[Factor, ...]
    local_time: str
    home_zone: str  # the consumer's zone: local times are shown in it
    callable_now: bool
    reason: str | None  # why not callable now (the first block), or None
    rule: str | None  # that block's rule id
    callable_at: datetime | None  # when it becomes callable, if the engine knows
    section: str
    # The guarantor's preferred language (read with the name, from the guarantor row the page
    # already joins: the keyset walk over ix_account_queue is unchanged).
    language: str = "en"


@dataclass(frozen=True)
class QueuePage:
    section: str
    rows: tuple[QueueRow, ...]
    next_cursor: Cursor | None
    at: datetime
    totals: dict[str, int] = field(default_factory=dict)


def _parked_clause(now: datetime) -> ColumnElement[bool]:
    """Worked a moment ago, or a callback is set for later: out of the call list until then.

    Never NULL (each comparison is guarded), so its NOT is the exact complement.
    """
    a = ACCOUNT_T.c
    worked_after = now - current_workspace_policy().rework_after
    return or_(
        and_(a.last_worked_at.is_not(None), a.last_worked_at > worked_after),
        and_(a.next_action_at.is_not(None), a.next_action_at > now),
    )


def _section_clause(section: str, open_groups: list[int], now: datetime) -> ColumnElement[bool]:
    a = ACCOUNT_T.c
    # The account's own state first: the phone probe only for accounts that pass it.
    callable_now = (
        and_(callable_state_clause(now), not_(_parked_clause(now)), dialable_phone_clause(open_groups, now))
        if open_groups
        else None
    )
    if section == SECTION_CALL:
        return callable_now if callable_now is not None else a.id.is_(None)
    if section == SECTION_LATER:
        held = a.call_held.is_(False)
        return and_(held, not_(callable_now)) if callable_now is not None else held
    if section == SECTION_HOLD:
        return a.call_held.is_(True)
    raise ValueError(f"unknown section {section!r}")


def _filters(chosen: QueueFilter, today: date) -> list[ColumnElement[bool]]:
    a, g = ACCOUNT_T.c, GUARANTOR_T.c
    conditions: list[ColumnElement[bool]] = []
    if chosen.age_bucket:
        bounds = {label: (low, high) for label, low, high in AGE_BUCKETS}
        low, high = bounds[chosen.age_bucket]
        started = func.coalesce(a.first_statement_date, a.service_date_from, a.placed_date)
        conditions.append(started <= today - timedelta(days=low))
        if high is not None:
            conditions.append(started >= today - timedelta(days=high))
    if chosen.state:
        conditions.append(g.state == chosen.state.upper())
    if chosen.min_balance_cents is not None:
        conditions.append(a.total_balance_cents >= chosen.min_balance_cents)
    if chosen.max_balance_cents is not None:
        conditions.append(a.total_balance_cents <= chosen.max_balance_cents)
    if chosen.text:
        text = chosen.text.strip()
        conditions.append(
            or_(
                a.account_number.startswith(text, autoescape=True),
                g.last_name.startswith(text.upper(), autoescape=True),
            )
        )
    return conditions


def _statement(
    collector_id: int,
    chosen: QueueFilter,
    groups: list[int],
    now: datetime,
    after: Cursor | None = None,
    limit: int | None = None,
    plan: str = PLAN_ACCOUNTS,
) -> Select[Any]:
    """The section's keyset page (or, without ``limit``, all of it) by ``plan``: the same rows in
    the same order either way; only the call section with an open group has a phone plan."""
    filters = _filters(chosen, now.date())
    if plan == PLAN_PHONES and chosen.section == SECTION_CALL and groups:
        # The same walk, testing each account's guarantor against a list built once from the open
        # groups' phones instead of probing its phones; "+ 0" keeps the list a filter (SQLite would
        # rather read the listed guarantors' accounts and sort them).
        listed = (ACCOUNT_T.c.guarantor_id + 0).in_(guarantors_with_open_phones(groups))
        # The list knows nothing of an account's own state contact limits: an account they limit
        # (rarely any) has its phones probed as in the account plan.
        phones = and_(listed, or_(limits_lifted_clause(now), dialable_phone_clause(groups, now)))
        section = and_(callable_state_clause(now), not_(_parked_clause(now)), phones)
    else:
        section = _section_clause(chosen.section, groups, now)
    return queries.queue_statement(
        collector_id, [section, *filters], after, limit, with_guarantor=_reads_guarantor(chosen)
    )


def _reads_guarantor(chosen: QueueFilter) -> bool:
    """Does a filter read the guarantor's row (see :func:`_filters`)?"""
    return bool(chosen.state or chosen.text)


def _plan(session: Session, collector_id: int, section: str, groups: list[int], limit: int | None) -> str:
    """The cheaper way to the first ``limit`` rows of ``section`` (all of them without a limit).

    Both plans walk the collector's open accounts in priority order (``ix_account_queue``) and
    give the same rows in the same order; they differ in how the call section asks "a dialable
    phone in an open call group?". The account plan probes each account's phones; the phone plan
    first lists the guarantors with such a phone, once, then tests each account against the list.
    The walk is the same for both, so the phone plan wins when listing the ``P`` open phones costs
    less than the probes it spares (see :func:`_phone_budget`). Both counts stop at the budget
    (a few thousand index entries, ~2 ms at a million accounts), and the answer is kept for
    ``PLAN_TTL`` per database, collector, section, open groups and limit: the groups change the
    answer at once, and a stale answer after an import costs time, never rows.
    """
    if section != SECTION_CALL or not groups:
        return PLAN_ACCOUNTS
    key = (str(session.get_bind().engine.url), collector_id, section, tuple(groups), limit)
    known = _PLANS.get(key)
    if known is not None and known[0] > monotonic():
        return known[1]
    phones = phone_count_estimate(session)
    most = _phone_budget(phones, phones, limit)  # a caseload beyond most / cost changes nothing
    accounts = session.execute(queries.count_open_accounts(collector_id, most // WALK_STEP_COST + 1))
    budget = _phone_budget(phones, int(accounts.scalar_one()), limit)
    plan = PLAN_PHONES if count_open_phones(session, groups, budget + 1) <= budget else PLAN_ACCOUNTS
    if len(_PLANS) >= 1024:
        _PLANS.clear()
    _PLANS[key] = (monotonic() + PLAN_TTL, plan)
    return plan


def _phone_budget(phones: int, accounts: int, limit: int | None) -> int:
    """How many open phones the phone plan may read and still beat the account plan.

    A page of ``limit`` rows walks about ``limit * phones / P`` of the collector's ``accounts``
    when the ``P`` open phones are spread evenly over them (all of them without a limit, or when
    too few qualify), and each step of the walk spares the phone plan ``WALK_STEP_COST`` phones.
    So phones win while ``P <= WALK_STEP_COST * min(accounts, limit * phones / P)``.
    """
    budget = WALK_STEP_COST * accounts
    if limit is not None:
        budget = min(budget, isqrt(WALK_STEP_COST * limit * phones))
    return budget


def section_totals(
    db: Database, actor: Actor, now: datetime, chosen: QueueFilter | None = None
) -> dict[str, int]:
    """How many accounts each section holds (two counts: run it off the UI thread).

    Every open account is in exactly one section, and "later" is "not held" less "call" (the
    call clause is never NULL, so its NOT is its complement): one pass counts all and held, the
    call section is counted by its cheaper plan, and "later" is what remains.
    """
    chosen = chosen or QueueFilter()
    if actor.collector_id is None:
        return dict.fromkeys(SECTIONS, 0)
    collector_id = actor.collector_id
    with db.reading() as session:
        groups = open_group_ids(session, now)
        everyone = (
            queries.queue_statement(
                collector_id, _filters(chosen, now.date()), with_guarantor=_reads_guarantor(chosen)
            )
            .order_by(None)
            .add_columns(ACCOUNT_T.c.call_held)
            .subquery()
        )
        total, held = session.execute(
            select(func.count(), func.count(case((everyone.c.call_held.is_(True), 1))))
        ).one()
        calls = 0
        if groups:
            plan = _plan(session, collector_id, SECTION_CALL, groups, None)
            rows = _statement(collector_id, replace(chosen, section=SECTION_CALL), groups, now, plan=plan)
            calls = session.execute(
                select(func.count()).select_from(rows.order_by(None).subquery())
            ).scalar_one()
    return {SECTION_CALL: int(calls), SECTION_LATER: int(total - held - calls), SECTION_HOLD: int(held)}


def queue_page(
    db: Database,
    actor: Actor,
    *,
    now: datetime,
    chosen: QueueFilter | None = None,
    after: Cursor | None = None,
    limit: int = PAGE_SIZE,
) -> QueuePage:
    """One keyset page of a section of the actor's queue, each row with its reason from the engine."""
    chosen = chosen or QueueFilter()
    if actor.collector_id is None:
        return QueuePage(chosen.section, (), None, now)
    collector_id = actor.collector_id
    with db.reading() as session:
        groups = open_group_ids(session, now)
        plan = _plan(session, collector_id, chosen.section, groups, limit + 1)
        found = session.execute(_statement(collector_id, chosen, groups, now, after, limit + 1, plan)).all()
        shown = found[:limit]
        rows = _rows(session, [row.id for row in shown], now, chosen.section)
    cursor = (shown[-1].priority_score, shown[-1].id) if len(found) > limit and shown else None
    return QueuePage(chosen.section, rows, cursor, now)


def _rows(session: Session, ids: list[int], now: datetime, section: str) -> tuple[QueueRow, ...]:
    if not ids:
        return ()
    a, g, f = ACCOUNT_T.c, GUARANTOR_T.c, FACILITY_T.c
    details = {
        row.id: row
        for row in session.execute(
            select(
                a.id,
                a.account_number,
                f.code.label("facility_code"),
                g.last_name,
                g.first_name,
                g.language,
                a.total_balance_cents,
                a.first_statement_date,
                a.service_date_from,
                a.placed_date,
                a.last_contact_at,
                a.last_worked_at,
                a.next_action_at,
                a.priority_score,
                a.priority_breakdown,
            )
            .join(GUARANTOR_T, g.id == a.guarantor_id)
            .join(FACILITY_T, f.id == a.facility_id)
            .where(a.id.in_(ids))
        )
    }
    facts = load_facts(session, ids, now, for_calls_only=True)
    policy = current_policy()
    out = []
    for account_id in ids:
        row = details[account_id]
        verdict = evaluate(facts[account_id], policy, now, (CALL,))  # the queue asks only "may I call"
        reason, rule, lifts = _why_not(verdict)
        parked = _parked(row.last_worked_at, row.next_action_at, now)
        if parked is not None and verdict.callable_now:
            reason, rule, lifts = parked
        days = age_in_days(
            age_start(row.first_statement_date, row.service_date_from, row.placed_date), now.date()
        )
        tier = TIER_REST - row.priority_score // TIER_WEIGHT
        out.append(
            QueueRow(
                id=account_id,
                account_number=row.account_number,
                facility_code=row.facility_code,
                guarantor_name=f"{row.last_name.upper()}, {row.first_name.upper()}",
                language=row.language,
                balance_cents=row.total_balance_cents,
                age_days=days,
                age_bucket=age_bucket(days),
                last_contact_at=row.last_contact_at,
                next_action_at=row.next_action_at,
                points=row.priority_score % TIER_WEIGHT,
                tier=tier,
                factors=factors_from_json(row.priority_breakdown),
                local_time=now.astimezone(zone(verdict.home_zone)).strftime("%H:%M %Z"),
                home_zone=verdict.home_zone,
                callable_now=verdict.callable_now and parked is None,
                reason=reason,
                rule=rule,
                callable_at=lifts,
                section=section,
            )
        )
    return tuple(out)


def _parked(
    worked_at: datetime | None, callback_at: datetime | None, now: datetime
) -> tuple[str, str, datetime] | None:
    """Why a callable account is out of the call list for now (see :func:`_parked_clause`)."""
    if callback_at is not None and callback_at > now:
        return "a callback is set for later", "callback", callback_at
    back = worked_at + current_workspace_policy().rework_after if worked_at is not None else None
    if back is not None and back > now:
        return "worked a moment ago: back in the call list later", "rework", back
    return None


def _why_not(verdict: Verdict) -> tuple[str | None, str | None, datetime | None]:
    """The first reason a call is blocked, its rule, and when every block on it lifts (None if unknown)."""
    blocks = verdict.actions[CALL].blocks
    if not blocks:
        return None, None, None
    shown = next((b for b in blocks if b.rule_id != "phones"), blocks[0])
    if shown.rule_id == "phones":
        own = [b for p in verdict.phones for b in p.blocks]
        shown = own[0] if own else shown
    untils = [b.until for b in blocks]
    lifts = max(u for u in untils if u is not None) if all(u is not None for u in untils) else None
    return shown.reason, shown.rule_id, lifts


def claim_next(db: Database, actor: Actor, now: datetime, chosen: QueueFilter | None = None) -> int | None:
    """Claim the top callable account that no session holds (an expired claim is free); None if none.

    Every ``n`` gets a different account, even from two sessions of the same collector;
    leaving an account (:func:`release`) frees it again.
    """
    if actor.collector_id is None:
        return None
    chosen = replace(chosen or QueueFilter(), section=SECTION_CALL)
    a = ACCOUNT_T.c
    with db.writing() as session:  # BEGIN IMMEDIATE: two sessions cannot pick the same row
        groups = open_group_ids(session, now)
        plan = _plan(session, actor.collector_id, SECTION_CALL, groups, 1)
        query = _statement(actor.collector_id, chosen, groups, now, limit=1, plan=plan).where(
            or_(
                a.claimed_by_id.is_(None),
                a.claimed_at < now - CLAIM_TTL,
            )
        )
        passed: list[int] = []
        for _ in range(CLAIM_CHECKS):
            row = session.execute(query.where(a.id.not_in(passed)) if passed else query).first()
            if row is None:
                return None
            facts = load_facts(session, [row.id], now, for_calls_only=True)
            if evaluate(facts[row.id], current_policy(), now, (CALL,)).callable_now:
                _claim(session, actor, row.id, now)
                return int(row.id)
            # The stored call state was stale (a fact changed without its refresh, a rule took
            # effect before the nightly run): mend it, and never hand the account out.
            refresh_call_state(session, [row.id], now)
            passed.append(int(row.id))
        return None


def _claim(session: Session, actor: Actor, account_id: int, now: datetime) -> None:
    a = ACCOUNT_T.c
    session.execute(
        update(ACCOUNT_T).where(a.id == account_id).values(claimed_by_id=actor.collector_id, claimed_at=now)
    )
    audit.record(session, actor, "account.claim", "account", [account_id], at=now)


def claim(db: Database, actor: Actor, account_id: int, now: datetime) -> bool:
    """Mark ``account_id`` in progress for ``actor`` (opening it); False if another session holds it,
    or if the actor may not work it (a collector cannot hold someone else's account out of ``n``)."""
    a = ACCOUNT_T.c
    with db.writing() as session:
        holder = session.execute(
            select(a.claimed_by_id, a.claimed_at, a.assigned_collector_id).where(a.id == account_id)
        ).first()
        if holder is None:
            return False
        if not may_work_account(
            actor, holder.assigned_collector_id, unassigned_allowed=allows_unassigned(session)
        ):
            return False
        if holder.claimed_by_id not in (None, actor.collector_id) and holder.claimed_at >= now - CLAIM_TTL:
            return False
        _claim(session, actor, account_id, now)
        return True


def release(db: Database, actor: Actor, account_id: int) -> None:
    """Leave an account: the claim ends (only the claimant's own)."""
    a = ACCOUNT_T.c
    with db.writing() as session:
        session.execute(
            update(ACCOUNT_T)
            .where(a.id == account_id, a.claimed_by_id == actor.collector_id)
            .values(claimed_by_id=None, claimed_at=None)
        )
