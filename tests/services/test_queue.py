"""The call queue: sections, order, reasons, filters, search and claiming, on the demo office."""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path
from typing import TypedDict, Unpack

from collector_tui.services.audit import Actor
from collector_tui.services.database import Database, open_database
from collector_tui.services.law.compliance import callable_account_ids
from collector_tui.services.team.identity import resolve_actor
from collector_tui.services.worklists.queue import (
    CLAIM_TTL,
    SECTION_CALL,
    SECTION_HOLD,
    SECTION_LATER,
    SECTIONS,
    QueueFilter,
    QueueRow,
    claim,
    claim_next,
    queue_page,
    release,
    section_totals,
)
from tests.conftest import NOW


def _actor(db: Database, login: str = "mlopez") -> Actor:
    return resolve_actor(db, act_as=login)


class _Filters(TypedDict, total=False):
    """The fields of a QueueFilter other than its section."""

    age_bucket: str | None
    state: str | None
    min_balance_cents: int | None
    max_balance_cents: int | None
    text: str | None


def _all(db: Database, actor: Actor, section: str, **filters: Unpack[_Filters]) -> list[QueueRow]:
    rows: list[QueueRow] = []
    cursor = None
    while True:
        page = queue_page(
            db, actor, now=NOW, chosen=QueueFilter(section=section, **filters), after=cursor, limit=37
        )
        rows.extend(page.rows)
        if page.next_cursor is None:
            return rows
        cursor = page.next_cursor


def test_the_sections_cover_every_open_account_once_in_priority_order(demo_db: Database) -> None:
    actor = _actor(demo_db)
    seen: list[int] = []
    for section in SECTIONS:
        rows = _all(demo_db, actor, section)
        keys = [(r.tier, -r.points) for r in rows]
        assert keys == sorted(keys), section  # callbacks, then promises, then by points
        seen += [r.id for r in rows]
    assert len(seen) == len(set(seen))
    with demo_db.reading() as session:
        expected = (
            session.connection()
            .exec_driver_sql(
                "SELECT count(*) FROM account a JOIN collector c ON c.id = a.assigned_collector_id "
                "WHERE c.login = 'mlopez' AND a.status = 'open'"
            )
            .scalar()
        )
    assert len(seen) == expected
    totals = section_totals(demo_db, actor, NOW)
    assert sum(totals.values()) == expected


def test_the_call_section_is_what_compliance_says_may_be_called(demo_db: Database) -> None:
    actor = _actor(demo_db)
    calls = _all(demo_db, actor, SECTION_CALL)
    assert calls and all(r.callable_now and r.reason is None for r in calls)
    with demo_db.reading() as session:
        assert {r.id for r in calls} <= callable_account_ids(session, NOW)


def test_later_and_hold_rows_say_why_and_until_when(demo_db: Database) -> None:
    actor = _actor(demo_db)
    later = _all(demo_db, actor, SECTION_LATER)
    held = _all(demo_db, actor, SECTION_HOLD)
    assert held and all(not r.callable_now and r.reason and r.callable_at is None for r in held)
    assert all(not r.callable_now and r.reason for r in later)
    late = queue_page(demo_db, actor, now=NOW.replace(hour=3), chosen=QueueFilter(section=SECTION_LATER)).rows
    assert any(
        r.rule == "window" and r.callable_at is not None and r.callable_at > NOW.replace(hour=3) for r in late
    )


def test_every_row_explains_its_points(demo_db: Database) -> None:
    row = queue_page(demo_db, _actor(demo_db), now=NOW, limit=1).rows[0]
    assert row.factors and sum(f.points for f in row.factors) == row.points
    assert row.account_number.startswith("A-") and ", " in row.guarantor_name
    assert row.local_time[2] == ":"


def test_filters_narrow_the_queue(demo_db: Database) -> None:
    actor = _actor(demo_db)
    everyone = _all(demo_db, actor, SECTION_HOLD)
    rich = _all(demo_db, actor, SECTION_HOLD, min_balance_cents=300_000)
    assert rich and len(rich) < len(everyone) and all(r.balance_cents >= 300_000 for r in rich)
    old = _all(demo_db, actor, SECTION_HOLD, age_bucket="120+")
    assert old and all(r.age_bucket == "120+" for r in old)
    hawaii = _all(demo_db, actor, SECTION_LATER, state="HI") + _all(demo_db, actor, SECTION_CALL, state="HI")
    assert all(r.home_zone == "Pacific/Honolulu" for r in hawaii)
    number = everyone[0].account_number
    assert [r.account_number for r in _all(demo_db, actor, SECTION_HOLD, text=number)] == [number]


def test_a_supervisor_without_accounts_has_an_empty_queue(demo_db: Database) -> None:
    supervisor = _actor(demo_db, "sreed")
    assert queue_page(demo_db, supervisor, now=NOW).rows == ()
    assert set(section_totals(demo_db, supervisor, NOW).values()) == {0}


def test_two_sessions_never_claim_the_same_account(demo_path: Path, tmp_path: Path) -> None:
    copy = tmp_path / "demo.db"
    shutil.copyfile(demo_path, copy)
    one, two = (open_database(f"sqlite:///{copy}") for _ in range(2))
    try:
        actor = _actor(one)
        first = claim_next(one, actor, NOW)
        second = claim_next(two, actor, NOW)
        assert first is not None and second is not None and first != second
        # Another session cannot take over a live claim; an expired one is free.
        other = _actor(one, "sreed")  # another session that may open it: a supervisor
        assert not claim(one, other, first, NOW)
        assert claim(one, other, first, NOW + CLAIM_TTL + timedelta(seconds=1))
        # Leaving an account frees it for the next `n`.
        release(two, actor, second)
        assert claim_next(one, actor, NOW) == second
    finally:
        one.close()
        two.close()


def test_a_collector_cannot_claim_another_collectors_account(demo_path: Path, tmp_path: Path) -> None:
    copy = tmp_path / "claims.db"
    shutil.copyfile(demo_path, copy)
    db = open_database(f"sqlite:///{copy}")
    try:
        mine, other = _actor(db), _actor(db, "jchen")
        theirs = _all(db, other, SECTION_CALL)[0].id
        assert not claim(db, mine, theirs, NOW)
        assert claim(db, _actor(db, "sreed"), theirs, NOW)  # a supervisor may open anyone's
    finally:
        db.close()


def test_n_never_hands_out_an_account_on_a_stale_call_state(demo_path: Path, tmp_path: Path) -> None:
    """A hold written without its call-state refresh (or a rule in force before the nightly run):
    the stored state still says "call", the engine says no. ``n`` asks the engine, mends the stored
    state and hands out the next account instead."""
    from sqlalchemy import insert, select

    from collector_tui.db.tables import ACCOUNT_T, HOLD_T

    copy = tmp_path / "stale.db"
    shutil.copyfile(demo_path, copy)
    db = open_database(f"sqlite:///{copy}")
    try:
        actor = _actor(db)
        top, second = (row.id for row in _all(db, actor, SECTION_CALL)[:2])
        with db.writing() as session:
            session.execute(insert(HOLD_T).values(account_id=top, reason="bankruptcy", placed_at=NOW))
        assert _all(db, actor, SECTION_CALL)[0].id == top  # the stored state is stale
        assert claim_next(db, actor, NOW) == second
        with db.reading() as session:
            held = session.execute(select(ACCOUNT_T.c.call_held).where(ACCOUNT_T.c.id == top)).scalar_one()
        assert held is True  # mended: the account now sits on hold
    finally:
        db.close()
