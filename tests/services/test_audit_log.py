"""Reading the access log: filters, newest first, keyset pages, and only supervisors and admins."""

from __future__ import annotations

from dataclasses import FrozenInstanceError
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event

from collector_tui.services import audit
from collector_tui.services.audit import SYSTEM, Actor
from collector_tui.services.database import Database
from collector_tui.services.errors import AccessDeniedError, NotFoundError
from collector_tui.services.team.audit_log import (
    AuditEntry,
    audit_account_id,
    audit_events,
    audit_statement,
)
from collector_tui.vocabulary import Role
from tests.conftest import NOW
from tests.services.builders import account, place, placement

SUPERVISOR = Actor("sam", 2, Role.SUPERVISOR)
ADMIN = Actor("ada", 3, Role.ADMIN)
COLLECTOR = Actor("carl", 1, Role.COLLECTOR)
ADMIN_AS_CARL = Actor("ada", 1, Role.COLLECTOR, acting_as="carl")


def _event(
    db: Database, actor: Actor, action: str, entity_type: str, entity_id: int | None, at: datetime
) -> None:
    with db.writing() as session:
        audit.record(session, actor, action, entity_type, [entity_id], at=at, details={"n": 1})


@pytest.fixture
def office(db: Database) -> tuple[int, int]:
    """Two accounts placed at NOW, and a day of opening and changing them."""
    place(db, [placement(), placement(account_number="A-2002", guarantor_id="G-2")])
    first, second = account(db, "A-1001").id, account(db, "A-2002").id
    assert first is not None and second is not None
    hour = timedelta(hours=1)
    _event(db, COLLECTOR, "account.view", "account", first, NOW + hour)
    _event(db, COLLECTOR, "promise.create", "account", first, NOW + hour)  # same moment: id breaks the tie
    _event(db, ADMIN_AS_CARL, "account.view", "account", second, NOW + 2 * hour)
    _event(db, SUPERVISOR, "account.view", "account", first, NOW + 3 * hour)
    _event(db, SYSTEM, "user.add", "collector", first, NOW + 4 * hour)  # another entity with the same id
    return first, second


def _all(entries: tuple[AuditEntry, ...]) -> list[tuple[str, str, int | None]]:
    return [(e.actor, e.action, e.entity_id) for e in entries]


def test_newest_first_with_the_account_number_of_account_events(
    db: Database, office: tuple[int, int]
) -> None:
    first, second = office
    page = audit_events(db, SUPERVISOR)
    assert _all(page.entries) == [
        ("system", "user.add", first),
        ("sam", "account.view", first),
        ("ada", "account.view", second),
        ("carl", "promise.create", first),
        ("carl", "account.view", first),
        ("system", "placement.insert", second),
        ("system", "placement.insert", first),
        ("system", "denial.open", 2),  # each placed claim was denied: a denial item each
        ("system", "denial.open", 1),
    ]
    assert page.next_cursor is None
    by_action = {(e.action, e.entity_id): e for e in page.entries}
    viewed = by_action[("account.view", second)]
    assert (viewed.facility_code, viewed.account_number) == ("MERCY", "A-2002")
    assert (viewed.actor, viewed.acting_as) == ("ada", "carl")
    assert viewed.occurred_at == NOW + timedelta(hours=2)
    assert viewed.details == {"n": 1}
    added = by_action[("user.add", first)]
    assert (added.facility_code, added.account_number) == (None, None)  # a collector, not an account


def test_rows_are_immutable(db: Database, office: tuple[int, int]) -> None:
    entry = audit_events(db, ADMIN, limit=1).entries[0]
    with pytest.raises(FrozenInstanceError):
        entry.actor = "someone else"  # type: ignore[misc]  # a frozen field: mypy refuses it, as must Python
    with pytest.raises(TypeError):
        entry.details["n"] = 2  # type: ignore[index]  # a read-only mapping: mypy refuses it, as must Python


def test_an_account_filter_finds_only_that_account(db: Database, office: tuple[int, int]) -> None:
    first, _ = office
    page = audit_events(db, SUPERVISOR, account_id=first)
    assert _all(page.entries) == [
        ("sam", "account.view", first),
        ("carl", "promise.create", first),
        ("carl", "account.view", first),
        ("system", "placement.insert", first),
    ]


def test_a_user_filter_matches_who_acted_or_whom_they_acted_as(db: Database, office: tuple[int, int]) -> None:
    first, second = office
    assert _all(audit_events(db, ADMIN, login="carl").entries) == [
        ("ada", "account.view", second),
        ("carl", "promise.create", first),
        ("carl", "account.view", first),
    ]
    assert _all(audit_events(db, ADMIN, login="ada").entries) == [("ada", "account.view", second)]
    assert audit_events(db, ADMIN, login="nobody").entries == ()


def test_since_is_inclusive_and_filters_combine(db: Database, office: tuple[int, int]) -> None:
    first, _ = office
    since = NOW + timedelta(hours=2)
    assert [e.occurred_at for e in audit_events(db, ADMIN, since=since).entries] == [
        NOW + timedelta(hours=4),
        NOW + timedelta(hours=3),
        NOW + timedelta(hours=2),
    ]
    combined = audit_events(db, ADMIN, account_id=first, login="carl", since=NOW + timedelta(minutes=30))
    assert _all(combined.entries) == [("carl", "promise.create", first), ("carl", "account.view", first)]


def test_since_must_be_aware(db: Database) -> None:
    with pytest.raises(ValueError, match="naive"):
        audit_events(db, ADMIN, since=datetime(2026, 11, 27))


@pytest.mark.parametrize("limit", [1, 2, 3, 7])
def test_keyset_pages_cover_every_event_once_in_order(
    db: Database, office: tuple[int, int], limit: int
) -> None:
    everything = audit_events(db, ADMIN, limit=100).entries
    seen: list[AuditEntry] = []
    page = audit_events(db, ADMIN, limit=limit)
    while True:
        assert len(page.entries) <= limit
        seen += page.entries
        if page.next_cursor is None:
            break
        page = audit_events(db, ADMIN, limit=limit, after=page.next_cursor)
    assert [e.id for e in seen] == [e.id for e in everything]
    assert len(everything) == 9


def test_pages_of_one_account_follow_the_same_order(db: Database, office: tuple[int, int]) -> None:
    first, _ = office
    page = audit_events(db, ADMIN, account_id=first, limit=3)
    assert page.next_cursor is not None
    rest = audit_events(db, ADMIN, account_id=first, limit=3, after=page.next_cursor)
    assert _all(page.entries + rest.entries) == _all(audit_events(db, ADMIN, account_id=first).entries)
    assert rest.next_cursor is None


@pytest.mark.parametrize("reader", [COLLECTOR, ADMIN_AS_CARL])
def test_collectors_are_refused_with_no_account_details(
    db: Database, office: tuple[int, int], reader: Actor
) -> None:
    first, _ = office
    with pytest.raises(AccessDeniedError, match="only a supervisor or an administrator") as refused:
        audit_events(db, reader, account_id=first)
    assert "A-1001" not in str(refused.value)
    # Refused before the lookup: a collector cannot learn whether an account number exists.
    with pytest.raises(AccessDeniedError):
        audit_account_id(db, reader, "NO-SUCH")


def test_accounts_are_found_by_number_and_facility(db: Database, office: tuple[int, int]) -> None:
    first, _ = office
    assert audit_account_id(db, SUPERVISOR, "A-1001") == first
    assert audit_account_id(db, SUPERVISOR, "A-1001", "MERCY") == first
    with pytest.raises(NotFoundError, match="no such account") as missing:
        audit_account_id(db, SUPERVISOR, "Z-424242")
    assert "Z-424242" not in str(missing.value)
    with pytest.raises(NotFoundError, match="at facility OTHER"):
        audit_account_id(db, SUPERVISOR, "A-1001", "OTHER")


def test_a_number_at_two_facilities_needs_the_facility(db: Database) -> None:
    place(db, [placement(), placement(facility_code="OTHER", facility_name="Other Clinic")])
    with pytest.raises(NotFoundError, match=r"several facilities \(MERCY, OTHER\)"):
        audit_account_id(db, ADMIN, "A-1001")
    assert audit_account_id(db, ADMIN, "A-1001", "OTHER") == account(db, "A-1001", "OTHER").id


def _plan(db: Database, statement: Any) -> str:
    """SQLite's plan for ``statement``, with its parameters bound exactly as when it runs."""
    plans: list[str] = []

    def explain(conn: Any, cursor: Any, sql: str, params: Any, context: Any, executemany: bool) -> None:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plans.extend(str(row[-1]) for row in cursor.fetchall())

    with db.engine.connect() as conn:
        event.listen(conn, "before_cursor_execute", explain)
        conn.execute(statement).all()
    return " ".join(plans)


def _plan_of(db: Database, **filters: Any) -> str:
    return _plan(db, audit_statement(limit=50, **filters))


def test_the_account_filter_uses_the_entity_index(db: Database, office: tuple[int, int]) -> None:
    first, _ = office
    assert "ix_audit_event_entity" in _plan_of(db, account_id=first)
    assert "ix_audit_event_entity" in _plan_of(db, account_id=first, login="carl", since=NOW)
    assert "ix_audit_event_entity" in _plan_of(db, account_id=first, after=(NOW, 10))


def test_the_whole_log_is_read_down_the_time_index_without_a_sort(
    db: Database, office: tuple[int, int]
) -> None:
    filters: dict[str, Any]
    for filters in ({}, {"since": NOW}, {"login": "carl"}, {"after": (NOW, 10)}):
        plan = _plan_of(db, **filters)
        assert "ix_audit_event_time" in plan, (filters, plan)
        assert "TEMP B-TREE" not in plan, (filters, plan)
