"""``collector payers list|set`` with Typer's runner on a real SQLite file."""

from __future__ import annotations

import pytest

from collector_tui.db.models import Payer
from collector_tui.services.database import Database
from collector_tui.services.worklists.payers import known_payer_keys
from tests.cli.test_worklist_command import denied_office, document, one_line_error, run
from tests.services.builders import all_rows, audit_events

ACME = "Acme Health Plan"  # as the placement file first named it; the 835 says "ACME HEALTH PLAN"


@pytest.fixture
def office(db: Database) -> Database:
    return denied_office(db)


def test_the_list(office: Database) -> None:
    found = document(run(office, "jsmith", "payers", "list", "--json"))
    assert next(iter(found)) == "schema" and found["schema"] == "collector.payers/1"
    (acme,) = [p for p in found["payers"] if p["name"] == ACME]
    assert (acme["phone"], acme["rules"], acme["open_items"]) == ("+18005550123", "default", 4)
    assert acme["updated_at"].endswith("Z")
    printed = run(office, "jsmith", "payers", "list")
    assert printed.exit_code == 0 and f"{ACME}: +18005550123" in printed.stdout


def test_a_supervisor_sets_a_phone_normalised(office: Database) -> None:
    result = run(office, "sboss", "payers", "set", ACME, "--phone", "(614) 555-0199", "--note", "opt 3")
    assert result.exit_code == 0, result.output
    assert "phone, note set" in result.stdout
    (acme,) = all_rows(office, Payer, Payer.name == ACME)
    assert (acme.phone, acme.phone_note) == ("+16145550199", "opt 3")
    assert audit_events(office, "payer.set")


def test_an_invalid_phone_is_a_usage_error_naming_the_option(office: Database) -> None:
    one_line_error(run(office, "sboss", "payers", "set", ACME, "--phone", "555"), "--phone", "dialable")
    (acme,) = all_rows(office, Payer, Payer.name == ACME)
    assert acme.phone == "+18005550123"


def test_an_unknown_code_lists_the_known_keys(office: Database) -> None:
    line = one_line_error(run(office, "sboss", "payers", "set", ACME, "--code", "acme"), "--code", "'acme'")
    assert all(key in line for key in known_payer_keys())
    assert run(office, "sboss", "payers", "set", ACME, "--code", "medicaid").exit_code == 0
    (acme,) = all_rows(office, Payer, Payer.name == ACME)
    assert acme.code == "medicaid"


def test_a_collector_is_refused_and_nothing_set_is_a_usage_error(office: Database) -> None:
    one_line_error(run(office, "jsmith", "payers", "set", ACME, "--phone", "8005550100"), "supervisor")
    one_line_error(run(office, "sboss", "payers", "set", ACME), "--phone, --code or --note")
