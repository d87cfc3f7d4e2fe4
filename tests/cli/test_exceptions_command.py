"""``collector exceptions list|resolve`` with Typer's runner: the JSON, the words, the exit codes and
the refusals (the office of ``tests/services/test_remittance_exceptions.py``: two exceptions)."""

from __future__ import annotations

import json

from typer.testing import CliRunner, Result

from collector_tui.cli.exceptions_command import REASONS_HELP, SCHEMA
from collector_tui.cli.main import app as cli
from collector_tui.db.models import RemittanceException
from collector_tui.services.database import Database
from collector_tui.services.files.remittance_exceptions import RESOLUTIONS, RESOLVE_ACTION
from collector_tui.vocabulary import Role
from tests.nightly import add_os_login
from tests.services.builders import all_rows, audit_events
from tests.services.test_remittance_exceptions import build_exception_office


def _office(db: Database, role: str = Role.SUPERVISOR) -> Database:
    """The office, and whoever runs the tests a ``role`` user of it."""
    build_exception_office(db)
    add_os_login(db.url, role=role)
    return db


def run(db: Database, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--db", db.url, "exceptions", *args])


def _one_line_error(result: Result, code: int = 1) -> str:
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    line = result.stderr.strip()
    assert len(line.splitlines()) == 1 and line.startswith("error: "), line
    return line


def test_list_json_names_its_schema_first_and_gives_every_field(db: Database) -> None:
    office = _office(db)
    result = run(office, "list", "--json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert (
        next(iter(document)) == "schema"
        and document["schema"] == SCHEMA == "collector.remittance_exceptions/1"
    )
    unmatched, not_ours = document["exceptions"]
    assert unmatched == {
        "exception_id": unmatched["exception_id"],
        "remittance_id": unmatched["remittance_id"],
        "payer": "INVENTED HEALTH PLAN",
        "trace_number": "TRACE-0001",
        "payment_date": "2026-11-20",
        "control_number": "PCN-404",
        "status_code": "1",
        "status": "processed as primary",
        "paid_cents": 8_000,
        "reason": unmatched["reason"],
        "imported_at": "2026-11-27T15:00:00Z",
    }
    assert (not_ours["control_number"], not_ours["status_code"]) == ("PCN-23", "23")
    assert not_ours["status"] == "not our claim, forwarded to additional payer(s)"
    assert "PERSON" not in result.stdout  # the 835's patient is never printed


def test_list_pages_after_an_id(db: Database) -> None:
    office = _office(db)
    first = json.loads(run(office, "list", "--json", "--limit", "1").stdout)["exceptions"]
    assert [row["control_number"] for row in first] == ["PCN-404"]
    rest = json.loads(run(office, "list", "--json", "--after", str(first[0]["exception_id"])).stdout)
    assert [row["control_number"] for row in rest["exceptions"]] == ["PCN-23"]


def test_list_in_words(db: Database) -> None:
    result = run(_office(db), "list")
    assert result.exit_code == 0, result.output
    assert "CLP01 PCN-404  CLP02 1 processed as primary  $80.00" in result.stdout
    assert "CLP02 23 not our claim" in result.stdout and "trace TRACE-0001 (2026-11-20)" in result.stdout


def test_resolve_takes_it_off_the_list_and_a_second_time_is_refused(db: Database) -> None:
    office = _office(db)
    first = json.loads(run(office, "list", "--json").stdout)["exceptions"][0]["exception_id"]
    done = run(office, "resolve", str(first), "--reason", "sent_back_to_payer")
    assert done.exit_code == 0, done.output
    assert done.stdout.strip() == f"Remittance exception {first} resolved: sent back to the payer"
    left = json.loads(run(office, "list", "--json").stdout)["exceptions"]
    assert [row["control_number"] for row in left] == ["PCN-23"]
    again = run(office, "resolve", str(first), "--reason", "duplicate")
    assert _one_line_error(again) == f"error: remittance exception {first} is already resolved"
    assert len(audit_events(office, RESOLVE_ACTION)) == 1
    assert run(office, "list").exit_code == 0


def test_a_reason_not_on_the_list_is_refused_in_one_line(db: Database) -> None:
    office = _office(db)
    first = json.loads(run(office, "list", "--json").stdout)["exceptions"][0]["exception_id"]
    line = _one_line_error(run(office, "resolve", str(first), "--reason", "paid by patient"))
    assert "choose one of matched_by_hand" in line
    assert all(row.resolved_at is None for row in all_rows(office, RemittanceException))


def test_resolve_needs_its_reason_and_a_number(db: Database) -> None:
    office = _office(db)
    assert "Missing option" in _one_line_error(run(office, "resolve", "1"))
    assert "integer" in _one_line_error(run(office, "resolve", "one", "--reason", "other"))
    assert "not found" in _one_line_error(run(office, "resolve", "999", "--reason", "other"))


def test_a_collector_is_refused_in_one_line(db: Database) -> None:
    office = _office(db, Role.COLLECTOR)
    assert "only a supervisor or an administrator" in _one_line_error(run(office, "list", "--json"))
    ids = [row.id for row in all_rows(office, RemittanceException)]
    line = _one_line_error(run(office, "resolve", str(ids[0]), "--reason", "other"))
    assert "only a supervisor or an administrator" in line
    assert all(row.resolved_at is None for row in all_rows(office, RemittanceException))


def test_nothing_open_says_so(db: Database) -> None:
    office = _office(db)
    for row in all_rows(office, RemittanceException):
        assert run(office, "resolve", str(row.id), "--reason", "other").exit_code == 0
    result = run(office, "list")
    assert result.exit_code == 0 and result.stdout.strip() == "no remittance exception is open"


def test_the_help_names_the_services_reason_codes() -> None:
    """The help is written out (a scripted command loads the ORM only when it runs); keep it alike."""
    *most, last = RESOLUTIONS
    assert f"{', '.join(most)} or {last}" == REASONS_HELP
