"""The call queue's two plans give the rows of the straightforward query, in its order.

The queue walks a collector's open accounts in priority order; the call section asks each one "a
dialable phone in an open call group?" either by probing the guarantor's phones (the account
plan) or against the list of guarantors with such a phone (the phone plan, for when few groups
are open). Both are checked here against the query as first written (a correlated EXISTS, the
guarantor joined), page by page with the keyset cursor: on the demo office at every hour of a
day, and on random changes of it (hypothesis) - phones made undialable or moved between call
groups, their types changed; accounts held, frequency-limited, held to a state's contact limits
by kind of number, consented, worked, called back, reassigned, closed, their scores tied."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Select, and_, exists, false, not_, or_, select, update
from sqlmodel import Session

from benchmarks.callable_now import sent_plan_rows
from collector_tui.db.models import Account, CallGroup, Guarantor, Phone, table_of
from collector_tui.services.database import Database, open_database
from collector_tui.services.law.compliance import open_group_ids
from collector_tui.services.law.policy import current_workspace_policy
from collector_tui.services.team.identity import resolve_actor
from collector_tui.services.worklists import queue
from collector_tui.services.worklists.queue import (
    PLAN_ACCOUNTS,
    PLAN_PHONES,
    PLANS,
    SECTION_CALL,
    SECTION_HOLD,
    SECTION_LATER,
    SECTIONS,
    QueueFilter,
    claim_next,
    queue_page,
    section_totals,
)
from collector_tui.vocabulary import AccountStatus, PhoneType
from tests.conftest import NOW

ACCOUNT_T, GUARANTOR_T, PHONE_T, GROUP_T = (table_of(m) for m in (Account, Guarantor, Phone, CallGroup))
COLLECTORS = (1, 2, 3, 4, 5)  # the demo's collectors (mlopez is 1)
Row = tuple[int, int]  # (id, priority_score)
PROBE = "COVERING INDEX ix_phone_dialable (guarantor_id=? AND dialable=?)"  # the group is a filter
LIST = "COVERING INDEX ix_phone_call_group (call_group_id=? AND dialable=?)"


@pytest.fixture(scope="module")
def shared_office(tmp_path_factory: pytest.TempPathFactory, demo_path: Path) -> Iterator[Database]:
    """A private copy of the demo office, shared by the module; every change a test makes is rolled back."""
    path = tmp_path_factory.mktemp("plans") / "office.db"
    shutil.copyfile(demo_path, path)
    database = open_database(f"sqlite:///{path}")
    yield database
    database.close()


def _reference(collector_id: int, chosen: QueueFilter, groups: list[int], now: datetime) -> Select[Any]:
    """The section as first written: the guarantor joined, the phones asked by a correlated EXISTS."""
    a, g, p = ACCOUNT_T.c, GUARANTOR_T.c, PHONE_T.c
    worked_after = now - current_workspace_policy().rework_after
    parked = or_(
        and_(a.last_worked_at.is_not(None), a.last_worked_at > worked_after),
        and_(a.next_action_at.is_not(None), a.next_action_at > now),
    )
    personal_free = or_(a.call_limit_until.is_(None), a.call_limit_until <= now)
    work_free = or_(a.call_work_limit_until.is_(None), a.call_work_limit_until <= now)
    limits_allow = or_(
        and_(p.phone_type.in_(["home", "mobile"]), personal_free),
        and_(p.phone_type == "work", work_free),
        and_(p.phone_type.not_in(["home", "mobile", "work"]), personal_free, work_free),
    )
    callable_now = (
        and_(
            a.call_held.is_(False),
            or_(
                a.call_frequency_clear_at.is_(None),
                and_(a.call_frequency_clear_at.is_not(None), a.call_frequency_clear_at <= now),
                and_(a.call_exempt_until.is_not(None), a.call_exempt_until > now),
            ),
            exists().where(
                p.guarantor_id == a.guarantor_id,
                p.dialable.is_(True),
                p.call_group_id.in_(groups),
                limits_allow,
            ),
            not_(parked),
        )
        if groups
        else false()
    )
    section = {
        SECTION_CALL: callable_now,
        SECTION_LATER: and_(a.call_held.is_(False), not_(callable_now)),
        SECTION_HOLD: a.call_held.is_(True),
    }[chosen.section]
    return (
        select(a.id, a.priority_score)
        .join(GUARANTOR_T, g.id == a.guarantor_id)
        .where(a.assigned_collector_id == collector_id, a.status == AccountStatus.OPEN, section)
        .where(*queue._filters(chosen, now.date()))
        .order_by(a.priority_score.desc(), a.id.desc())
    )


def _expected(
    session: Session, collector_id: int, chosen: QueueFilter, groups: list[int], now: datetime
) -> list[Row]:
    return [(r.id, r.priority_score) for r in session.execute(_reference(collector_id, chosen, groups, now))]


def _paged(
    session: Session,
    collector_id: int,
    chosen: QueueFilter,
    groups: list[int],
    now: datetime,
    plan: str,
    size: int,
) -> list[Row]:
    """Every row of the section by ``plan``, a keyset page of ``size`` at a time."""
    rows: list[Row] = []
    after = None
    while True:
        statement = queue._statement(collector_id, chosen, groups, now, after, size + 1, plan)
        found = session.execute(statement).all()
        rows += [(r.id, r.priority_score) for r in found[:size]]
        if len(found) <= size:
            return rows
        after = (rows[-1][1], rows[-1][0])


def _same_in_both_plans(
    session: Session, collector_id: int, chosen: QueueFilter, groups: list[int], now: datetime, size: int
) -> list[Row]:
    expected = _expected(session, collector_id, chosen, groups, now)
    for plan in PLANS:
        assert _paged(session, collector_id, chosen, groups, now, plan, size) == expected, plan
        whole = queue._statement(collector_id, chosen, groups, now, plan=plan)
        assert [(r.id, r.priority_score) for r in session.execute(whole)] == expected, plan
    return expected


@pytest.mark.parametrize("hour", range(24))
def test_both_plans_page_through_every_section_like_the_straightforward_query(
    shared_office: Database, hour: int
) -> None:
    now = NOW.replace(hour=hour)
    with shared_office.reading() as session:
        groups = open_group_ids(session, now)
        for collector_id in COLLECTORS:
            for section in SECTIONS:
                _same_in_both_plans(session, collector_id, QueueFilter(section=section), groups, now, size=17)


def test_the_demo_day_has_sparse_dense_and_empty_call_sections(shared_office: Database) -> None:
    """The hours above cover the cases that matter: no group open, one small group, most groups."""
    with shared_office.reading() as session:
        counts = {
            hour: len(
                _expected(
                    session,
                    1,
                    QueueFilter(),
                    open_group_ids(session, NOW.replace(hour=hour)),
                    NOW.replace(hour=hour),
                )
            )
            for hour in (11, 12, 17)
        }
    assert counts[11] == 0 and 0 < counts[12] < 10 < counts[17], counts


def _filters() -> st.SearchStrategy[QueueFilter]:
    """A section (the call section most often) and at most one filter: more would leave nothing."""
    narrowed = st.one_of(
        st.just({}),
        st.fixed_dictionaries({"age_bucket": st.sampled_from(["0-30", "120+"])}),
        st.fixed_dictionaries({"state": st.sampled_from(["OH", "TX", "CA", "NY", "HI"])}),
        st.fixed_dictionaries({"min_balance_cents": st.integers(0, 300_000)}),
        st.fixed_dictionaries({"max_balance_cents": st.integers(50_000, 1_000_000)}),
        st.fixed_dictionaries({"text": st.sampled_from(["A-", "S", "M"])}),
    )
    sections = st.sampled_from([SECTION_CALL, SECTION_CALL, SECTION_LATER, SECTION_HOLD])
    return st.builds(lambda section, extra: QueueFilter(section=section, **extra), sections, narrowed)


MOMENTS = st.datetimes(
    min_value=datetime(2026, 11, 26), max_value=datetime(2026, 11, 29), timezones=st.just(UTC)
)
NEAR = st.none() | st.integers(-72, 72).map(lambda hours: timedelta(hours=hours))  # from "now"
ACCOUNT_VALUES: dict[str, st.SearchStrategy[Any]] = {
    "call_held": st.booleans(),
    "call_frequency_clear_at": NEAR,
    "call_exempt_until": NEAR,
    "call_limit_until": NEAR,  # a state's contact limits, by kind of number
    "call_work_limit_until": NEAR,
    "last_worked_at": NEAR,
    "next_action_at": NEAR,
    "priority_score": st.sampled_from([0, 150_000, 150_001, 300_000]),  # ties, broken by id
    "assigned_collector_id": st.none() | st.sampled_from(COLLECTORS[:2]),
    "status": st.sampled_from(AccountStatus.codes()),
}
ACCOUNT_CHANGES = st.sampled_from(sorted(ACCOUNT_VALUES)).flatmap(
    lambda column: st.tuples(st.just(column), ACCOUNT_VALUES[column])
)


def _ids(shared_office: Database, table: Any, *where: Any) -> list[int]:
    with shared_office.reading() as session:
        return list(session.execute(select(table.c.id).where(*where).order_by(table.c.id)).scalars())


@given(data=st.data())
@settings(max_examples=80, deadline=None)
def test_both_plans_agree_with_the_straightforward_query_whatever_the_data(
    shared_office: Database, data: Any
) -> None:
    collector_id = data.draw(st.sampled_from(COLLECTORS))
    now = data.draw(MOMENTS)
    mine = _ids(shared_office, ACCOUNT_T, ACCOUNT_T.c.assigned_collector_id == collector_id)
    accounts = st.sampled_from(mine) | st.sampled_from(_ids(shared_office, ACCOUNT_T))
    phones = st.sampled_from(_ids(shared_office, PHONE_T))
    groups = _ids(shared_office, GROUP_T)
    account_changes = data.draw(st.lists(st.tuples(accounts, ACCOUNT_CHANGES), min_size=10, max_size=80))
    phone_changes = data.draw(
        st.lists(
            st.tuples(
                phones,
                st.booleans(),
                st.none() | st.sampled_from(groups),
                st.none() | st.sampled_from(PhoneType.codes()),
            ),
            min_size=5,
            max_size=60,
        )
    )
    open_groups = data.draw(st.lists(st.sampled_from(groups), unique=True, max_size=len(groups)))
    chosen = data.draw(_filters())
    size = data.draw(st.integers(1, 60))
    with shared_office.reading() as session:  # rolled back at the end: the changes live in this session only
        for account_id, (column, value) in account_changes:
            value = now + value if isinstance(value, timedelta) else value
            session.execute(update(ACCOUNT_T).where(ACCOUNT_T.c.id == account_id).values({column: value}))
        for phone_id, dialable, group, kind in phone_changes:
            values: dict[str, Any] = {"dialable": dialable, "call_group_id": group}
            if kind is not None:
                values["phone_type"] = kind
            session.execute(update(PHONE_T).where(PHONE_T.c.id == phone_id).values(values))
        _same_in_both_plans(session, collector_id, chosen, open_groups, now, size)


@pytest.fixture
def forced(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Force the queue service onto one plan: ``forced(PLAN_PHONES)``."""

    def force(plan: str) -> None:
        monkeypatch.setattr(queue, "_plan", lambda *args, **kwargs: plan)

    return force


@pytest.mark.parametrize("plan", PLANS)
@pytest.mark.parametrize("hour", [3, 12, 15, 17])
@pytest.mark.parametrize(
    "chosen", [QueueFilter(), QueueFilter(state="OH"), QueueFilter(min_balance_cents=100_000)], ids=repr
)
def test_pages_and_totals_by_either_plan(
    shared_office: Database, forced: Any, plan: str, hour: int, chosen: QueueFilter
) -> None:
    now = NOW.replace(hour=hour)
    actor = resolve_actor(shared_office, act_as="mlopez")
    assert actor.collector_id is not None
    with shared_office.reading() as session:
        groups = open_group_ids(session, now)
        expected = {
            section: _expected(session, actor.collector_id, replace(chosen, section=section), groups, now)
            for section in SECTIONS
        }
    forced(plan)
    for section in SECTIONS:
        rows, cursor = [], None
        while True:
            page = queue_page(
                shared_office, actor, now=now, chosen=replace(chosen, section=section), after=cursor, limit=23
            )
            rows += [(r.id, r.points, r.tier) for r in page.rows]
            if page.next_cursor is None:
                break
            cursor = page.next_cursor
        assert [r[0] for r in rows] == [r[0] for r in expected[section]], section
    assert section_totals(shared_office, actor, now, chosen) == {s: len(rows) for s, rows in expected.items()}


@pytest.mark.parametrize("plan", PLANS)
def test_claim_next_takes_the_top_callable_account_by_either_plan(
    demo_path: Path, tmp_path: Path, forced: Any, plan: str
) -> None:
    copy = tmp_path / "claims.db"
    shutil.copyfile(demo_path, copy)
    db = open_database(f"sqlite:///{copy}")
    try:
        actor = resolve_actor(db, act_as="mlopez")
        assert actor.collector_id is not None
        now = NOW.replace(hour=12)  # one small call group open
        with db.reading() as session:
            calls = _expected(session, actor.collector_id, QueueFilter(), open_group_ids(session, now), now)
        forced(plan)
        claimed = [claim_next(db, actor, now) for _ in calls]
        assert claimed == [account_id for account_id, _ in calls]
        assert claim_next(db, actor, now) is None
    finally:
        db.close()


def test_the_plan_follows_the_open_phones(shared_office: Database) -> None:
    with shared_office.reading() as session:
        sparse = open_group_ids(session, NOW.replace(hour=12))
        dense = open_group_ids(session, NOW.replace(hour=17))
        assert queue._plan(session, 1, SECTION_CALL, sparse, 201) == PLAN_PHONES
        assert queue._plan(session, 1, SECTION_CALL, sparse, None) == PLAN_PHONES
        assert queue._plan(session, 1, SECTION_CALL, dense, 201) == PLAN_ACCOUNTS
        assert queue._plan(session, 1, SECTION_CALL, [], 201) == PLAN_ACCOUNTS
        for section in (SECTION_LATER, SECTION_HOLD):
            assert queue._plan(session, 1, section, sparse, 201) == PLAN_ACCOUNTS


def test_a_plan_choice_is_kept_per_open_groups(
    shared_office: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    with shared_office.reading() as session:
        sparse = open_group_ids(session, NOW.replace(hour=12))
        dense = open_group_ids(session, NOW.replace(hour=17))
        assert queue._plan(session, 2, SECTION_CALL, sparse, 37) == PLAN_PHONES

        def no_count(*args: object) -> int:
            raise AssertionError("counted again")

        monkeypatch.setattr(queue, "count_open_phones", no_count)
        assert queue._plan(session, 2, SECTION_CALL, sparse, 37) == PLAN_PHONES  # kept
        with pytest.raises(AssertionError, match="counted again"):
            queue._plan(session, 2, SECTION_CALL, dense, 37)  # other groups: decided afresh
        monkeypatch.setattr(queue, "monotonic", lambda: 1e12)  # past PLAN_TTL
        with pytest.raises(AssertionError, match="counted again"):
            queue._plan(session, 2, SECTION_CALL, sparse, 37)


def test_totals_count_the_sections_on_a_changed_office(demo_path: Path, tmp_path: Path, forced: Any) -> None:
    """Frequency and state contact limits, consent, rework, callbacks, undialable and regrouped
    phones of every type, committed."""
    copy = tmp_path / "changed.db"
    shutil.copyfile(demo_path, copy)
    db = open_database(f"sqlite:///{copy}")
    try:
        a, p = ACCOUNT_T.c, PHONE_T.c
        with db.writing() as session:
            for column, every, shift in (
                ("call_frequency_clear_at", 5, timedelta(hours=30)),
                ("call_exempt_until", 7, timedelta(hours=20)),
                ("call_limit_until", 3, timedelta(hours=10)),
                ("call_work_limit_until", 4, timedelta(hours=26)),
                ("last_worked_at", 6, timedelta(hours=-1)),
                ("next_action_at", 11, timedelta(hours=4)),
            ):
                session.execute(update(ACCOUNT_T).where(a.id % every == 0).values({column: NOW + shift}))
            session.execute(update(PHONE_T).where(p.id % 4 == 0).values(dialable=False))
            session.execute(update(PHONE_T).where(p.id % 9 == 0).values(call_group_id=None))
            for kind, every in (("work", 5), ("other", 6), ("mobile", 7)):
                session.execute(update(PHONE_T).where(p.id % every == 1).values(phone_type=kind))
        for hour in range(0, 24, 3):
            now = NOW.replace(hour=hour)
            for chosen in (QueueFilter(), QueueFilter(state="OH")):
                for login in ("mlopez", "jchen"):
                    actor = resolve_actor(db, act_as=login)
                    assert actor.collector_id is not None
                    with db.reading() as session:
                        groups = open_group_ids(session, now)
                        expected = {
                            section: len(
                                _expected(
                                    session, actor.collector_id, replace(chosen, section=section), groups, now
                                )
                            )
                            for section in SECTIONS
                        }
                    for plan in PLANS:
                        forced(plan)
                        assert section_totals(db, actor, now, chosen) == expected, (hour, chosen, login, plan)
    finally:
        db.close()


def test_the_phone_budget_at_a_million_accounts() -> None:
    """The numbers of benchmarks/queue_speed.py: 1,322,798 phones, 50,000 accounts for mlopez."""
    phones, accounts = 1_322_798, 50_000
    page = queue._phone_budget(phones, accounts, 201)
    assert 24_630 <= page < 1_273_115  # 12:00 (one group: 24,630 open phones) and 17:00 (1,273,115)
    assert queue._phone_budget(phones, accounts, 1) < 24_630  # `n` at 12:00 walks: the first is near
    assert queue._phone_budget(phones, accounts, None) == queue.WALK_STEP_COST * accounts
    assert queue._phone_budget(phones, 300, 201) == queue.WALK_STEP_COST * 300  # a short caseload walks


def _plan_of(db: Database, session: Session, statement: Select[Any]) -> list[str]:
    """Each step of SQLite's plan of ``statement`` as sent, in order."""
    return [str(row[-1]) for row in sent_plan_rows(db, session, statement)]


@pytest.mark.parametrize("after", [None, (150_000, 10)])
@pytest.mark.parametrize("hour", [12, 17])  # one group open; most groups open
def test_each_plan_walks_the_queue_index_alone(
    shared_office: Database, hour: int, after: tuple[int, int] | None
) -> None:
    now = NOW.replace(hour=hour)
    with shared_office.reading() as session:
        groups = open_group_ids(session, now)
        for section in SECTIONS:
            for plan in PLANS:
                steps = _plan_of(
                    shared_office,
                    session,
                    queue._statement(1, QueueFilter(section=section), groups, now, after, 201, plan),
                )
                text = " | ".join(steps)
                assert steps[0].startswith("SEARCH account USING COVERING INDEX ix_account_queue"), text
                assert "TEMP B-TREE" not in text, text  # the index gives the order: no sort
                if section == SECTION_HOLD:
                    continue
                if plan == PLAN_PHONES and section == SECTION_CALL:  # the list, built once
                    # ... and a probe only for an account a state's contact limits hold back.
                    assert steps[1:] == [
                        "LIST SUBQUERY 1",
                        f"SEARCH phone USING {LIST}",
                        "CORRELATED SCALAR SUBQUERY 2",
                        f"SEARCH phone USING {PROBE}",
                    ], text
                else:  # a probe per account
                    assert steps[1:] == ["CORRELATED SCALAR SUBQUERY 1", f"SEARCH phone USING {PROBE}"], text


def test_a_guarantor_filter_still_walks_the_queue_index(shared_office: Database) -> None:
    now = NOW.replace(hour=12)
    with shared_office.reading() as session:
        groups = open_group_ids(session, now)
        for plan in PLANS:
            statement = queue._statement(1, QueueFilter(state="OH"), groups, now, None, 201, plan)
            text = " | ".join(_plan_of(shared_office, session, statement))
            assert "ix_account_queue" in text and "SEARCH guarantor USING INTEGER PRIMARY KEY" in text, text
            assert "TEMP B-TREE" not in text, text
