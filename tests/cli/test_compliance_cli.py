"""`collector compliance ACCOUNT` and `collector refresh`, through Typer's runner."""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
from datetime import datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from collector_tui.cli.main import app
from collector_tui.services.audit import SYSTEM
from collector_tui.services.database import Database
from collector_tui.services.team.identity import DEMO_KEY, os_login
from collector_tui.services.team.users import add_user
from tests.conftest import NOW
from tests.nightly import add_os_login
from tests.services.builders import audit_events, place, placement

runner = CliRunner()


@pytest.fixture
def demo_path(demo_path: Path, tmp_path: Path) -> Path:
    """A private copy of the demo office: looking at an account writes an ``account.view``."""
    copy = tmp_path / "private-demo.db"
    shutil.copyfile(demo_path, copy)
    return copy


def _first_account(demo_path: Path, owner: str = "mlopez") -> tuple[str, str]:
    """The first account of ``owner`` (mlopez is the demo's default user)."""
    with sqlite3.connect(demo_path) as conn:
        number, facility = conn.execute(
            "SELECT a.account_number, f.code FROM account a "
            "JOIN facility f ON f.id = a.facility_id JOIN collector c ON c.id = a.assigned_collector_id "
            "WHERE c.login = ? ORDER BY a.id",
            (owner,),
        ).fetchone()
    return str(number), str(facility)


def _views(demo_path: Path) -> list[tuple[str, str | None, int]]:
    with sqlite3.connect(demo_path) as conn:
        rows = conn.execute(
            "SELECT actor, acting_as, entity_id FROM audit_event WHERE action = 'account.view' ORDER BY id"
        ).fetchall()
    return [(str(a), b, int(c)) for a, b, c in rows]


def test_the_text_verdict_masks_phones_and_names_rules(demo_path: Path) -> None:
    number, _ = _first_account(demo_path)
    result = runner.invoke(
        app, ["--db", str(demo_path), "compliance", number, "--at", "2026-11-27T15:00:00Z"]
    )
    assert result.exit_code == 0, result.output
    assert "Phones" in result.output and "Actions" in result.output
    assert "Credit reporting" in result.output
    assert re.search(r"\.\.\.\d{4}", result.output)
    assert not re.search(r"555-?01\d\d|5550\d{3}", result.output)  # never a whole phone number


def test_the_json_verdict_has_the_documented_shape(demo_path: Path) -> None:
    number, facility = _first_account(demo_path)
    result = runner.invoke(
        app, ["--db", str(demo_path), "compliance", number, "--at", "2026-11-27T15:00:00Z", "--json"]
    )
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert document["schema"] == "collector.compliance/1"
    assert document["account"] == {
        "id": document["account"]["id"],
        "facility": facility,
        "account_number": number,
    }
    assert document["at"] == "2026-11-27T15:00:00Z"
    assert isinstance(document["callable_now"], bool)
    assert document["home_zone"].count("/") >= 1
    assert set(document["actions"]) == {
        "call",
        "voicemail",
        "letter",
        "email_text",
        "credit_reporting",
        "agency_placement",
        "sale",
        "legal_action",
    }
    blocks = [b for p in document["phones"] for b in p["blocks"]]
    blocks += [b for a in document["actions"].values() for b in a["blocks"]]
    assert blocks, "a demo account always has some block (credit reporting waits a year)"
    assert _views(demo_path) == [
        ("mlopez", None, document["account"]["id"])
    ]  # an access, as in the workspace
    for block in blocks:
        assert set(block) == {"rule", "reason", "citation", "until"}
        assert block["until"] is None or datetime.fromisoformat(block["until"].replace("Z", "+00:00"))
    for phone in document["phones"]:
        assert len(phone["last4"]) == 4 and phone["zones"]
        assert phone["allowed"] == (not phone["blocks"])
        assert set(phone["local_times"]) == set(phone["zones"])
        # Added fields: may it be texted now, and why not.
        assert set(phone["text"]) == {"allowed", "blocks"}
        assert phone["text"]["allowed"] == (not phone["text"]["blocks"])
    assert document["email"]["allowed"] == (not document["email"]["blocks"])
    texts = [b for p in document["phones"] for b in p["text"]["blocks"]] + document["email"]["blocks"]
    for action in document["actions"].values():
        assert set(action) == {"allowed", "blocks", "conditions"}
        texts += action["conditions"]
    for block in texts:
        assert set(block) == {"rule", "reason", "citation", "until"}
    assert document["callable_now"] == any(p["allowed"] for p in document["phones"])


def test_a_date_means_midnight_utc(demo_path: Path) -> None:
    number, _ = _first_account(demo_path)
    result = runner.invoke(
        app, ["--db", str(demo_path), "compliance", number, "--at", "2026-11-27", "--json"]
    )
    assert json.loads(result.output)["at"] == "2026-11-27T00:00:00Z"


def test_an_unknown_account_is_an_error_that_does_not_echo_the_number(demo_path: Path) -> None:
    result = runner.invoke(app, ["--db", str(demo_path), "compliance", "Z-424242"])
    assert result.exit_code == 1
    assert "no such account" in result.output
    assert "Z-424242" not in result.output


@pytest.mark.parametrize("as_json", [False, True])
def test_a_collector_may_not_look_at_another_collectors_account(demo_path: Path, as_json: bool) -> None:
    """The workspace answers an account it will not open as one that does not exist: so does this."""
    number, facility = _first_account(demo_path, "jchen")
    json_flag = ["--json"] if as_json else []
    refused = runner.invoke(app, ["--db", str(demo_path), "--as", "mlopez", "compliance", number, *json_flag])
    missing = runner.invoke(
        app, ["--db", str(demo_path), "--as", "mlopez", "compliance", "Z-4242", *json_flag]
    )
    assert (refused.exit_code, refused.output) == (1, "error: no such account\n")
    assert refused.output == missing.output
    at_facility = runner.invoke(
        app, ["--db", str(demo_path), "--as", "mlopez", "compliance", number, "--facility", facility]
    )
    assert at_facility.output == f"error: no such account at facility {facility}\n"
    assert _views(demo_path) == []  # a refused read records nothing
    allowed = runner.invoke(app, ["--db", str(demo_path), "--as", "sreed", "compliance", number, *json_flag])
    assert allowed.exit_code == 0, allowed.output
    assert [(actor, acting_as) for actor, acting_as, _ in _views(demo_path)] == [("sreed", None)]


def test_a_number_at_two_facilities_needs_the_facility(db: Database, db_url: str) -> None:
    place(db, [placement(), placement(facility_code="OTHER", facility_name="Other Clinic")])
    with db.writing() as session:
        add_user(session, SYSTEM, login=os_login(), display_name="Tester", role="collector", now=NOW)
    path = db_url.removeprefix("sqlite:///")
    result = runner.invoke(app, ["--db", path, "compliance", "A-1001"])
    assert result.exit_code == 1
    # A collector is not told where the number is: some of those accounts may not be theirs.
    assert "several facilities; give --facility" in result.output and "MERCY" not in result.output
    result = runner.invoke(app, ["--db", path, "compliance", "A-1001", "--facility", "OTHER", "--json"])
    assert result.exit_code == 0, result.output  # assigned to nobody: a collector may open it
    document = json.loads(result.output)
    assert document["account"]["facility"] == "OTHER"
    [view] = audit_events(db, "account.view")
    assert (view.actor, view.entity_id, view.details) == (
        os_login(),
        document["account"]["id"],
        '{"owner_id": null}',
    )


def test_only_users_of_the_database_may_look(db: Database, db_url: str) -> None:
    place(db, [placement()])
    result = runner.invoke(app, ["--db", db_url.removeprefix("sqlite:///"), "compliance", "A-1001"])
    assert result.exit_code == 1
    assert "not an active user" in result.output


def test_the_nightly_refresh_command(demo_path: Path) -> None:
    copy = demo_path  # a private copy; in a demo, the nightly commands run --as its operator
    result = runner.invoke(
        app, ["--db", str(copy), "--as", "nightly", "refresh", "--at", "2026-11-28T06:00:00Z"]
    )
    assert result.exit_code == 0, result.output
    assert re.search(r"^priority recomputed for [\d,]+ open accounts", result.output)
    result = runner.invoke(app, ["--db", str(copy), "--as", "nightly", "refresh", "--call-state"])
    assert re.search(
        r"priority and call state recomputed for [\d,]+ open accounts \(--call-state\)", result.output
    )


def test_the_nightly_refresh_recomputes_the_call_state_when_it_is_due(db: Database, db_url: str) -> None:
    place(db, [placement()])  # imported before this office ever recomputed every account
    add_os_login(db_url)  # an operator

    first = runner.invoke(app, ["--db", db_url, "refresh"])
    second = runner.invoke(app, ["--db", db_url, "refresh"])

    assert first.exit_code == 0, first.output
    assert first.output.strip().splitlines()[0] == (
        "priority and call state recomputed for 1 open account "
        "(it has never been recomputed for every account)"
    )
    assert second.output.strip().splitlines()[0] == "priority recomputed for 1 open account"
    assert second.output.strip().splitlines()[1].startswith("denial items rescored: ")
    assert [e.actor for e in audit_events(db, "accounts.refresh")] == [os_login(), os_login()]


@pytest.mark.parametrize("role", ["collector", "supervisor", None])
def test_only_an_operator_or_an_admin_may_refresh(db: Database, db_url: str, role: str | None) -> None:
    place(db, [placement()])
    if role is not None:
        add_os_login(db_url, role)
    result = runner.invoke(app, ["--db", db_url, "refresh"])
    assert result.exit_code == 1
    if role is None:
        assert result.output == (
            f"error: login '{os_login()}' is not an active user of this database; "
            "ask an administrator to add you\n"
        )
    else:
        assert result.output == (
            "error: only an operator or an administrator may run the nightly jobs "
            f"(imports, refresh, plans evaluate) (you are {os_login()}, {role})\n"
        )
    assert audit_events(db, "accounts.refresh") == []


def test_an_admin_may_refresh_as_the_operator_and_both_are_named(demo_path: Path) -> None:
    db_path = str(demo_path)
    with sqlite3.connect(demo_path) as conn:  # a real office: --as is an admin's
        conn.execute("DELETE FROM office_setting WHERE key = ?", (DEMO_KEY,))
    add_os_login(db_path, "admin")
    result = runner.invoke(app, ["--db", db_path, "--as", "nightly", "refresh"])
    assert result.exit_code == 0, result.output
    with sqlite3.connect(demo_path) as conn:
        events = conn.execute(
            "SELECT action, actor, acting_as FROM audit_event "
            "WHERE action IN ('session.act_as', 'accounts.refresh') ORDER BY id"
        ).fetchall()
    me = os_login()
    assert events == [("session.act_as", me, "nightly"), ("accounts.refresh", me, "nightly")]


def test_help_documents_the_commands() -> None:
    result = runner.invoke(app, ["compliance", "--help"])
    assert result.exit_code == 0
    for word in ("--at", "--json", "--facility"):
        assert word in result.output
