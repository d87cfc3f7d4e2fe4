"""``collector worklist`` and its subcommands with Typer's runner, on a real SQLite file: an office
whose claims an 835 denied (CLP02 4), the test's login an admin acting ``--as`` each user."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import update
from typer.testing import CliRunner, Result

from collector_tui.cli.main import app
from collector_tui.db.models import DenialItem
from collector_tui.db.tables import DENIAL_ITEM_T
from collector_tui.domain.x12.remittance import read_835
from collector_tui.services.audit import SYSTEM
from collector_tui.services.database import Database
from collector_tui.services.desk.denial_actions import write_off
from collector_tui.services.files.remittances import post_remittance
from collector_tui.services.team.users import add_user
from collector_tui.vocabulary import DenialOutcome, DenialStatus, Role
from tests.conftest import NOW
from tests.nightly import add_os_login
from tests.services.builders import all_rows, place, placement
from tests.services.remittance_files import Clp, remittance_text
from tests.services.test_denial_worklist import _claims, actor, write_off_limit

runner = CliRunner()
USERS = (("jsmith", "collector"), ("akim", "collector"), ("sboss", "supervisor"), ("tboss", "supervisor"))
# A CLP whose number no claim on file has: the posting keeps it as an exception.
STRANGER = Clp("PCN-404", "1", "50.00", "50.00", icn="ICN-404")


def denied_office(db: Database) -> Database:
    """jsmith's four accounts, each with a claim an 835 denied, and a claim line no claim matches;
    the collectors jsmith and akim, the supervisors sboss and tboss; the test's login an admin."""
    with db.writing() as session:
        for login, role in USERS:
            add_user(session, SYSTEM, login=login, display_name=login, role=role, now=NOW)
    place(
        db,
        [
            placement(
                account_number=f"A-{i}",
                guarantor_id=f"G-{i}",
                claim_number=f"CLM-{i}",
                claim_status="pending",
                claim_control_number=f"PCN-{i}",
                collector_login="jsmith",
            )
            for i in range(1, 5)
        ],
    )
    text = remittance_text([*_claims(4), STRANGER], payer="ACME HEALTH PLAN", payer_phone="8005550123")
    for remittance in read_835(text):
        with db.writing() as session:
            post_remittance(session, remittance, file_sha256="0" * 64, actor=SYSTEM, now=NOW)
    add_os_login(db.url, Role.ADMIN)
    return db


@pytest.fixture
def office(db: Database) -> Database:
    return denied_office(db)


def run(db: Database, login: str, *args: str) -> Result:
    return runner.invoke(app, ["--db", db.url, "--as", login, *args])


def one_line_error(result: Result, *words: str) -> str:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    line = result.stderr.strip()
    assert len(line.splitlines()) == 1 and line.startswith("error: "), line
    for word in words:
        assert word in line, line
    return line


def document(result: Result) -> dict[str, Any]:
    assert result.exit_code == 0, result.output
    found: dict[str, Any] = json.loads(result.stdout)
    return found


def test_the_worklist_json_is_the_owners_open_items_in_order(office: Database) -> None:
    found = document(run(office, "jsmith", "worklist", "--json"))
    assert next(iter(found)) == "schema" and found["schema"] == "collector.worklist/1"
    assert found["user"] == "jsmith" and found["at"].endswith("Z")
    rows = found["rows"]
    assert [row["claim_number"] for row in rows] == ["CLM-4", "CLM-3", "CLM-2", "CLM-1"]
    assert [row["points"] for row in rows] == sorted((row["points"] for row in rows), reverse=True)
    assert sum(g["items"] for g in found["groups"]) == 4
    assert sum(g["denied_cents"] for g in found["groups"]) == sum(row["denied_cents"] for row in rows)
    top = rows[0]
    assert {
        "item_id",
        "account_id",
        "facility",
        "account_number",
        "claim_number",
        "payer",
        "payer_claim_number",
        "group_code",
        "carc",
        "codes",
        "meaning",
        "denied_cents",
        "patient_cents",
        "remit_date",
        "appeal_deadline",
        "corrected_claim_deadline",
        "response_due",
        "alarms",
        "past_deadline",
        "points",
        "factors",
    } <= set(top)
    assert (top["payer_claim_number"], top["group_code"], top["carc"]) == ("ICN-4", "CO", "16")
    assert "missing" in top["meaning"] and top["factors"][0]["name"] == "denied"
    assert top["nearest_deadline"].startswith("corrected claim deadline")
    # No guarantor's name anywhere (the placement's guarantor is Jane Doe).
    assert "Doe" not in json.dumps(found) and "Jane" not in json.dumps(found)


def test_groups_follow_the_core_scenarios_and_the_filters(office: Database) -> None:
    found = document(run(office, "jsmith", "worklist", "--json", "--scenario", "not_covered"))
    assert [row["carc"] for row in found["rows"]] == ["50"]
    assert {g["scenario"] for g in found["groups"]} == {"not_covered"}
    limited = document(run(office, "jsmith", "worklist", "--json", "--limit", "1"))
    assert len(limited["rows"]) == 1 and sum(g["items"] for g in limited["groups"]) == 4
    whole = document(run(office, "jsmith", "worklist", "--json"))
    order = ("documentation", "claim_data", "not_covered", "not_payable")
    scenarios = [order.index(g["scenario"]) for g in whole["groups"]]
    assert scenarios == sorted(scenarios)


def test_the_printed_worklist_groups_and_explains(office: Database) -> None:
    result = run(office, "jsmith", "worklist", "--explain")
    assert result.exit_code == 0, result.output
    assert "Denial worklist of jsmith" in result.stdout
    assert "Billed service not covered by the health plan" in result.stdout  # a scenario's label
    assert "ACME HEALTH PLAN claim CLM-4" in result.stdout and "ICN ICN-4" in result.stdout
    assert "deadline in" in result.stdout and "not worked yet" in result.stdout  # a factor


def test_another_collectors_worklist_is_a_supervisors(office: Database) -> None:
    one_line_error(run(office, "akim", "worklist", "--user", "jsmith"), "another collector's worklist")
    found = document(run(office, "sboss", "worklist", "--user", "jsmith", "--json"))
    assert found["user"] == "jsmith" and len(found["rows"]) == 4
    one_line_error(run(office, "sboss", "worklist", "--user", "nobody"), "no active user 'nobody'")
    assert document(run(office, "akim", "worklist", "--json"))["rows"] == []


def test_a_bad_scenario_and_options_before_a_subcommand_are_usage_errors(office: Database) -> None:
    one_line_error(run(office, "jsmith", "worklist", "--scenario", "nonsense"), "--scenario")
    one_line_error(run(office, "sboss", "worklist", "--json", "aged"), "without a subcommand")


def _ask_write_off(db: Database, login: str, claim: str) -> int:
    item = next(i for i in all_rows(db, DenialItem) if i.payer_claim_number == f"ICN-{claim}")
    assert item.id is not None
    with write_off_limit(0):
        asked = write_off(db, actor(db, login), item.id, "payer will never pay", now=NOW)
    assert asked.pending_approval
    return asked.action_id


def test_write_offs_wait_for_a_supervisor_who_approves_or_declines(office: Database) -> None:
    first = _ask_write_off(office, "jsmith", "4")
    second = _ask_write_off(office, "jsmith", "3")
    one_line_error(run(office, "jsmith", "worklist", "write-offs"), "approve or decline")
    listed = document(run(office, "sboss", "worklist", "write-offs", "--json"))
    assert listed["schema"] == "collector.write_offs/1"
    assert [w["action_id"] for w in listed["write_offs"]] == [first, second]
    assert listed["write_offs"][0]["asked_by"] == "jsmith" and listed["write_offs"][0]["codes"] == ["CO-16"]
    one_line_error(run(office, "jsmith", "worklist", "approve", str(first)), "approve or decline")
    approved = run(office, "sboss", "worklist", "approve", str(first))
    assert approved.exit_code == 0, approved.output
    assert "approved" in approved.stdout
    declined = run(office, "sboss", "worklist", "decline", str(second), "--note", "appeal it first")
    assert declined.exit_code == 0 and "declined: appeal it first" in declined.stdout
    outcomes = {i.payer_claim_number: (i.status, i.outcome) for i in all_rows(office, DenialItem)}
    assert outcomes["ICN-4"] == (DenialStatus.CLOSED, DenialOutcome.WRITTEN_OFF)
    assert outcomes["ICN-3"] == (DenialStatus.OPEN, None)
    one_line_error(run(office, "sboss", "worklist", "approve", str(first)), f"no write-off {first}")


def test_the_service_refuses_the_supervisor_who_asked(office: Database) -> None:
    asked = _ask_write_off(office, "sboss", "2")
    one_line_error(run(office, "sboss", "worklist", "approve", str(asked)), "decided by another supervisor")
    assert run(office, "tboss", "worklist", "approve", str(asked)).exit_code == 0


def test_the_aged_report_counts_items_past_every_deadline(office: Database) -> None:
    empty = document(run(office, "sboss", "worklist", "aged", "--json"))
    assert empty["schema"] == "collector.denials_aged/1"
    assert (empty["goal"], empty["items"], empty["by_owner"]) == (0, 0, [])
    d = DENIAL_ITEM_T.c
    with office.writing() as session:  # two items past both deadlines, one only past its appeal's
        session.execute(
            update(DENIAL_ITEM_T)
            .where(d.payer_claim_number.in_(["ICN-1", "ICN-2"]))
            .values(appeal_deadline=NOW.date(), corrected_claim_deadline=NOW.date())
        )
        session.execute(
            update(DENIAL_ITEM_T).where(d.payer_claim_number == "ICN-3").values(appeal_deadline=NOW.date())
        )
    aged = document(run(office, "sboss", "worklist", "aged", "--json"))
    denied = {i.payer_claim_number: i.denied_cents for i in all_rows(office, DenialItem)}
    assert aged["items"] == 2 and aged["denied_cents"] == denied["ICN-1"] + denied["ICN-2"]
    assert aged["by_owner"] == [{"owner": "jsmith", "items": 2, "denied_cents": aged["denied_cents"]}]
    assert [p["payer"] for p in aged["by_payer"]] == ["ACME HEALTH PLAN"]
    assert sum(c["items"] for c in aged["by_carc"]) == 2
    printed = run(office, "sboss", "worklist", "aged")
    assert printed.exit_code == 0 and "goal: 0" in printed.stdout and "jsmith" in printed.stdout
    one_line_error(run(office, "jsmith", "worklist", "aged"), "supervisors and admins")
