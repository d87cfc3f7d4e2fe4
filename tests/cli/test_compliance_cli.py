"""`collector compliance ACCOUNT` and `collector refresh-call-state`, through Typer's runner."""

from __future__ import annotations

import json
import re
import shutil
from datetime import datetime
from pathlib import Path

from typer.testing import CliRunner

from collector_tui.cli.main import app
from collector_tui.services.audit import SYSTEM
from collector_tui.services.database import Database
from collector_tui.services.identity import os_login
from collector_tui.services.users import add_user
from tests.conftest import NOW
from tests.services.builders import place, placement

runner = CliRunner()


def _first_account(demo_path: Path) -> tuple[str, str]:
    import sqlite3

    with sqlite3.connect(demo_path) as conn:
        number, facility = conn.execute(
            "SELECT a.account_number, f.code FROM account a "
            "JOIN facility f ON f.id = a.facility_id ORDER BY a.id"
        ).fetchone()
    return str(number), str(facility)


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
    for block in blocks:
        assert set(block) == {"rule", "reason", "citation", "until"}
        assert block["until"] is None or datetime.fromisoformat(block["until"].replace("Z", "+00:00"))
    for phone in document["phones"]:
        assert len(phone["last4"]) == 4 and phone["zones"]
        assert phone["allowed"] == (not phone["blocks"])
        assert set(phone["local_times"]) == set(phone["zones"])
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


def test_a_number_at_two_facilities_needs_the_facility(db: Database, db_url: str) -> None:
    place(db, [placement(), placement(facility_code="OTHER", facility_name="Other Clinic")])
    with db.writing() as session:
        add_user(session, SYSTEM, login=os_login(), display_name="Tester", role="collector", now=NOW)
    path = db_url.removeprefix("sqlite:///")
    result = runner.invoke(app, ["--db", path, "compliance", "A-1001"])
    assert result.exit_code == 1
    assert "several facilities (MERCY, OTHER)" in result.output
    result = runner.invoke(app, ["--db", path, "compliance", "A-1001", "--facility", "OTHER", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["account"]["facility"] == "OTHER"


def test_only_users_of_the_database_may_look(db: Database, db_url: str) -> None:
    place(db, [placement()])
    result = runner.invoke(app, ["--db", db_url.removeprefix("sqlite:///"), "compliance", "A-1001"])
    assert result.exit_code == 1
    assert "not an active user" in result.output


def test_the_nightly_refresh_command(demo_path: Path, tmp_path: Path) -> None:
    copy = tmp_path / "demo.db"
    shutil.copyfile(demo_path, copy)
    result = runner.invoke(app, ["--db", str(copy), "refresh", "--at", "2026-11-28T06:00:00Z"])
    assert result.exit_code == 0, result.output
    assert re.search(r"^priority recomputed for [\d,]+ open accounts", result.output)
    result = runner.invoke(app, ["--db", str(copy), "refresh", "--call-state"])
    assert re.search(
        r"priority and call state recomputed for [\d,]+ open accounts \(--call-state\)", result.output
    )


def test_the_nightly_refresh_recomputes_the_call_state_when_it_is_due(db: Database, db_url: str) -> None:
    place(db, [placement()])  # imported before this office ever recomputed every account

    first = runner.invoke(app, ["--db", db_url, "refresh"])
    second = runner.invoke(app, ["--db", db_url, "refresh"])

    assert first.exit_code == 0, first.output
    assert first.output.strip() == (
        "priority and call state recomputed for 1 open account "
        "(it has never been recomputed for every account)"
    )
    assert second.output.strip() == "priority recomputed for 1 open account"


def test_help_documents_the_commands() -> None:
    result = runner.invoke(app, ["compliance", "--help"])
    assert result.exit_code == 0
    for word in ("--at", "--json", "--facility"):
        assert word in result.output
