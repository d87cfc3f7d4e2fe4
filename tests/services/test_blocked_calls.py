"""A call the rules block: a collector's reason becomes an override request, a supervisor's overrides
the block (services/desk/blocked_calls.py), on a copy of the demo office (a real SQLite file)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from collector_tui.db.tables import OVERRIDE_REQUEST_T
from collector_tui.services.database import Database
from collector_tui.services.desk.account_actions import ContactEntry
from collector_tui.services.desk.blocked_calls import log_contact_or_ask_override
from collector_tui.services.errors import CallBlockedError, EntryError
from collector_tui.services.team.approvals import KIND_OVERRIDE, decide, list_approvals
from tests.conftest import NOW
from tests.services.test_account_actions import CLOSED, _actor, _callable, _count, _events

R = OVERRIDE_REQUEST_T.c


def _requests(db: Database, account_id: int) -> list[tuple[str, str, str]]:
    with db.reading() as session:
        rows = session.execute(
            select(R.status, R.reason, R.rules).where(R.account_id == account_id).order_by(R.id)
        )
        return [(row.status, row.reason, row.rules) for row in rows]


def _contacts(db: Database) -> int:
    from collector_tui.db.models import Activity

    return _count(db, Activity)


def test_a_collectors_reason_for_a_blocked_call_is_asked_of_a_supervisor_and_nothing_is_logged(
    office: Database,
) -> None:
    collector = _actor(office)
    account_id, version, phone_id = _callable(office, collector)
    before = _contacts(office)
    entry = ContactEntry(account_id, version, "NA", phone_id, override_reason="asked for a 5 am call")

    asked = log_contact_or_ask_override(office, collector, entry, now=CLOSED)

    assert "window" in asked.message
    assert _requests(office, account_id) == [("pending", "asked for a 5 am call", "window")]
    assert _contacts(office) == before  # nothing logged until a supervisor decides
    assert [e.entity_id for e in _events(office, "override.request")] == [account_id]
    (item,) = [a for a in list_approvals(office, _actor(office, "sreed")) if a.kind == KIND_OVERRIDE]
    assert (item.account_id, item.requested_by, item.why) == (account_id, "mlopez", "asked for a 5 am call")

    # Approved, the same entry logs the call once (the reason is the approval's, not a new request).
    decide(office, _actor(office, "sreed"), KIND_OVERRIDE, item.id, approve=True, now=CLOSED)
    logged = log_contact_or_ask_override(office, collector, entry, now=CLOSED)
    assert "override recorded" in logged.message
    assert _contacts(office) == before + 1
    assert [status for status, _, _ in _requests(office, account_id)] == ["used"]


def test_a_blocked_call_without_a_reason_is_refused(office: Database) -> None:
    collector = _actor(office)
    account_id, version, phone_id = _callable(office, collector)
    with pytest.raises(CallBlockedError):
        log_contact_or_ask_override(
            office, collector, ContactEntry(account_id, version, "NA", phone_id), now=CLOSED
        )
    assert _requests(office, account_id) == []


def test_a_reason_of_only_spaces_is_asked_for_again(office: Database) -> None:
    collector = _actor(office)
    account_id, version, phone_id = _callable(office, collector)
    entry = ContactEntry(account_id, version, "NA", phone_id, override_reason="   ")
    with pytest.raises(EntryError) as refused:
        log_contact_or_ask_override(office, collector, entry, now=CLOSED)
    assert refused.value.problems == [("override_reason", "say why the call should be allowed")]
    assert _requests(office, account_id) == []


def test_a_supervisors_reason_overrides_the_block_and_asks_nobody(office: Database) -> None:
    supervisor = _actor(office, "sreed")
    account_id, version, phone_id = _callable(office, _actor(office))  # a collector's account
    before = _contacts(office)
    entry = ContactEntry(account_id, version, "NA", phone_id, override_reason="consumer asked for it")
    result = log_contact_or_ask_override(office, supervisor, entry, now=CLOSED)
    assert "override recorded" in result.message
    assert _contacts(office) == before + 1 and _requests(office, account_id) == []


def test_a_call_the_rules_allow_is_logged_and_the_reason_asks_nothing(office: Database) -> None:
    collector = _actor(office)
    account_id, version, phone_id = _callable(office, collector)
    entry = ContactEntry(account_id, version, "NA", phone_id, override_reason="just in case")
    result = log_contact_or_ask_override(office, collector, entry, now=NOW)
    assert result.version == version + 1 and "override" not in result.message
    assert _requests(office, account_id) == []
    with office.reading() as session:
        assert session.execute(select(func.count()).select_from(OVERRIDE_REQUEST_T)).scalar_one() == 0
