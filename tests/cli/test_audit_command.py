"""`collector audit`: the access log as a table or JSON, for supervisors and admins only."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from typer.testing import CliRunner

from collector_tui.cli.main import app
from collector_tui.services import audit
from collector_tui.services.audit import SYSTEM, Actor
from collector_tui.services.database import Database
from collector_tui.services.team.identity import os_login
from collector_tui.services.team.users import add_user
from collector_tui.vocabulary import Role
from tests.conftest import NOW
from tests.services.builders import account, place, placement

runner = CliRunner()
STAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


def _office(db: Database, db_url: str, role: str) -> str:
    """The test's login as a user with ``role``; two accounts, one opened twice the next day."""
    place(db, [placement(), placement(account_number="A-2002", guarantor_id="G-2")])
    opened = account(db, "A-1001").id
    with db.writing() as session:
        add_user(session, SYSTEM, login=os_login(), display_name="Tester", role=role, now=NOW)
        add_user(session, SYSTEM, login="carl", display_name="Carl", role="collector", now=NOW)
        carl = Actor("carl", None, Role.COLLECTOR)
        for hours in (25, 26):
            audit.record(session, carl, "account.view", "account", [opened], at=NOW + timedelta(hours=hours))
    return db_url.removeprefix("sqlite:///")


def test_a_supervisor_sees_a_table_newest_first(db: Database, db_url: str) -> None:
    path = _office(db, db_url, "supervisor")
    result = runner.invoke(app, ["--db", path, "audit"])
    assert result.exit_code == 0, result.output
    assert "When (UTC)" in result.output and "Action" in result.output
    assert "2026-11-28 17:00:00" in result.output
    assert result.output.index("2026-11-28 17:00:00") < result.output.index("2026-11-28 16:00:00")
    assert "MERCY A-1001" in result.output and "account.view" in result.output
    assert re.search(r"\d+ events, newest first\s*$", result.output)


def test_the_json_has_the_documented_shape(db: Database, db_url: str) -> None:
    path = _office(db, db_url, "admin")
    result = runner.invoke(app, ["--db", path, "audit", "--account", "A-1001", "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["schema"] == "collector.audit/1"
    assert document["more"] is False
    events = document["events"]
    assert [e["action"] for e in events] == ["account.view", "account.view", "placement.insert"]
    for e in events:
        assert set(e) == {
            "id",
            "occurred_at",
            "actor",
            "acting_as",
            "action",
            "entity_type",
            "entity_id",
            "facility",
            "account_number",
            "details",
            "named",
        }
        assert STAMP.match(e["occurred_at"]), e["occurred_at"]
        assert (e["entity_type"], e["facility"], e["account_number"]) == ("account", "MERCY", "A-1001")
    assert events[0]["occurred_at"] == "2026-11-28T17:00:00Z"
    assert events[0]["actor"] == "carl" and events[0]["acting_as"] is None


def test_people_are_named_by_login_and_phones_by_their_last_four(db: Database, db_url: str) -> None:
    from sqlalchemy import select

    from collector_tui.db.tables import COLLECTOR_T, PHONE_T

    path = _office(db, db_url, "supervisor")
    opened = account(db, "A-1001").id
    with db.writing() as session:
        carl_id = session.execute(select(COLLECTOR_T.c.id).where(COLLECTOR_T.c.login == "carl")).scalar_one()
        phone_id, number = session.execute(select(PHONE_T.c.id, PHONE_T.c.number)).first() or (0, "")
        carl = Actor("carl", carl_id, Role.COLLECTOR)
        at = NOW + timedelta(hours=30)
        audit.record(session, carl, "account.view", "account", [opened], at=at, details={"owner_id": carl_id})
        audit.record(session, carl, "phone.mark", "account", [opened], at=at, details={"phone": phone_id})
    digits = "".join(ch for ch in number if ch.isdigit())
    document = json.loads(runner.invoke(app, ["--db", path, "audit", "--json", "--limit", "2"]).stdout)
    named = {e["action"]: e["named"] for e in document["events"]}
    assert named == {"account.view": {"owner_id": "carl"}, "phone.mark": {"phone": "\u2026" + digits[-4:]}}
    table = runner.invoke(app, ["--db", path, "audit", "--limit", "2"], terminal_width=200)
    assert table.exit_code == 0, table.output
    assert "owner=carl" in table.output and f"phone=\u2026{digits[-4:]}" in table.output
    assert digits not in table.output and number not in table.output
    assert f"owner_id={carl_id}" not in table.output and "Jane" not in table.output


def test_user_since_and_limit_filter(db: Database, db_url: str) -> None:
    path = _office(db, db_url, "admin")
    result = runner.invoke(app, ["--db", path, "audit", "--user", "carl", "--since", "2026-11-28", "--json"])
    assert [e["occurred_at"] for e in json.loads(result.stdout)["events"]] == [
        "2026-11-28T17:00:00Z",
        "2026-11-28T16:00:00Z",
    ]
    result = runner.invoke(app, ["--db", path, "audit", "--since", "2026-11-28T11:30:00-05:00", "--json"])
    assert [e["occurred_at"] for e in json.loads(result.stdout)["events"]] == ["2026-11-28T17:00:00Z"]
    result = runner.invoke(app, ["--db", path, "audit", "--limit", "1", "--json"])
    document = json.loads(result.stdout)
    assert len(document["events"]) == 1 and document["more"] is True
    result = runner.invoke(app, ["--db", path, "audit", "--limit", "1"])
    assert "more are older" in result.output


def test_a_collector_is_refused(db: Database, db_url: str) -> None:
    path = _office(db, db_url, "collector")
    result = runner.invoke(app, ["--db", path, "audit", "--account", "A-1001"])
    assert result.exit_code == 1
    assert "only a supervisor or an administrator may read the audit log" in result.output
    assert "A-1001" not in result.output
    assert "Traceback" not in result.output


def test_an_unknown_account_is_an_error_that_does_not_echo_the_number(db: Database, db_url: str) -> None:
    path = _office(db, db_url, "supervisor")
    result = runner.invoke(app, ["--db", path, "audit", "--account", "Z-424242"])
    assert result.exit_code == 1
    assert "no such account" in result.output
    assert "Z-424242" not in result.output


def test_a_number_at_two_facilities_needs_the_facility(db: Database, db_url: str) -> None:
    place(db, [placement(), placement(facility_code="OTHER", facility_name="Other Clinic")])
    with db.writing() as session:
        add_user(session, SYSTEM, login=os_login(), display_name="Tester", role="admin", now=NOW)
    path = db_url.removeprefix("sqlite:///")
    result = runner.invoke(app, ["--db", path, "audit", "--account", "A-1001"])
    assert result.exit_code == 1
    assert "several facilities (MERCY, OTHER)" in result.output
    result = runner.invoke(
        app, ["--db", path, "audit", "--account", "A-1001", "--facility", "OTHER", "--json"]
    )
    assert result.exit_code == 0, result.output
    assert {e["facility"] for e in json.loads(result.stdout)["events"]} == {"OTHER"}


def test_a_facility_needs_an_account(db: Database, db_url: str) -> None:
    path = _office(db, db_url, "admin")
    result = runner.invoke(app, ["--db", path, "audit", "--facility", "MERCY"])
    assert result.exit_code == 1
    assert "--facility goes with --account" in result.output


def test_only_users_of_the_database_may_look(db: Database, db_url: str) -> None:
    place(db, [placement()])
    result = runner.invoke(app, ["--db", db_url.removeprefix("sqlite:///"), "audit"])
    assert result.exit_code == 1
    assert "not an active user" in result.output


@pytest.mark.parametrize(("as_user", "code"), [(None, 1), ("sreed", 0)])
def test_in_the_demo_the_supervisor_may_read_and_the_collector_may_not(
    demo_url: str, as_user: str | None, code: int
) -> None:
    chosen = ["--as", as_user] if as_user else []
    result = runner.invoke(app, ["--db", demo_url, *chosen, "audit", "--json"])
    assert result.exit_code == code, result.output
    if code == 0:
        assert json.loads(result.stdout)["events"]


def test_help_documents_the_options() -> None:
    result = runner.invoke(app, ["audit", "--help"])
    assert result.exit_code == 0
    for word in ("--account", "--facility", "--user", "--since", "--limit", "--json"):
        assert word in result.output
