"""`collector facilities list|add|set`: admins add and change facilities (audited); any user lists them;
a refusal or a bad value is one line, exit 1, and nothing is written."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from collector_tui.cli.main import app
from collector_tui.db.models import Account, AuditEvent, Facility, table_of
from collector_tui.services.database import Database

runner = CliRunner()


def _run(office: Database, *args: str, as_user: str = "admin") -> tuple[int, str]:
    result = runner.invoke(app, ["--db", office.url, "--as", as_user, "facilities", *args])
    return result.exit_code, result.output


def _facilities(office: Database) -> dict[str, tuple[Any, ...]]:
    f = table_of(Facility).c
    with office.reading() as session:
        rows = session.execute(select(f.code, f.name, f.regime, f.nonprofit, f.state, f.fap_policy_url))
        return {row.code: tuple(row)[1:] for row in rows}


_SINCE: dict[str, int] = {}


@pytest.fixture(autouse=True)
def built(office: Database) -> None:
    """The demo build's own facility events (its file says St. Mary's is a nonprofit) come before
    the test's."""
    e = table_of(AuditEvent).c
    with office.reading() as session:
        _SINCE[office.url] = int(session.execute(select(func.max(e.id))).scalar_one() or 0)


def _events(office: Database) -> list[tuple[str, str, int | None, dict[str, Any]]]:
    """The facility events the test's commands wrote."""
    e = table_of(AuditEvent).c
    with office.reading() as session:
        rows = session.execute(
            select(e.action, e.actor, e.entity_id, e.details)
            .where(e.action.like("facility.%"), e.id > _SINCE[office.url])
            .order_by(e.id)
        )
        return [(row.action, row.actor, row.entity_id, json.loads(row.details or "{}")) for row in rows]


def _open_accounts(office: Database, code: str) -> int:
    a, f = table_of(Account).c, table_of(Facility).c
    with office.reading() as session:
        query = select(a.id).join(table_of(Facility), f.id == a.facility_id)
        return len(session.execute(query.where(f.code == code, a.status == "open")).all())


def test_any_user_lists_the_facilities_as_json(office: Database) -> None:
    code, output = _run(office, "list", "--json", as_user="mlopez")
    assert code == 0, output
    document = json.loads(output)
    assert document["schema"] == "collector.facilities/1"
    rows = {row["code"]: row for row in document["facilities"]}
    assert set(rows) == {"DVM", "MCG", "PIH", "SMR"}
    assert set(rows["DVM"]) == {
        "code",
        "name",
        "regime",
        "nonprofit",
        "state",
        "fap_policy_url",
        "open_accounts",
    }
    assert rows["DVM"]["name"] == "Desert Valley Medical"
    assert rows["DVM"]["regime"] == "third_party"
    assert rows["DVM"]["open_accounts"] == _open_accounts(office, "DVM") > 0


def test_the_table_lists_every_facility(office: Database) -> None:
    code, output = _run(office, "list", as_user="sreed")
    assert code == 0, output
    assert "Desert Valley Medical" in output and "Regime" in output and "Open" in output
    assert _run(office, "set", "DVM", "--fap-policy-url", "https://dvm.example.org/fap")[0] == 0
    code, output = _run(office, "list", as_user="mlopez")
    assert "DVM financial-assistance policy: https://dvm.example.org/fap" in output


def test_an_admin_adds_a_facility_and_it_is_audited(office: Database) -> None:
    code, output = _run(
        office,
        "add",
        "NRH",
        "--name",
        "North Ridge Hospital",
        "--regime",
        "first_party",
        "--nonprofit",
        "yes",
        "--state",
        "wa",
        "--fap-policy-url",
        "https://nrh.example.org/financial-assistance",
    )
    assert code == 0, output
    assert output.strip() == "added NRH (North Ridge Hospital): first_party, nonprofit yes, state WA"
    assert _facilities(office)["NRH"] == (
        "North Ridge Hospital",
        "first_party",
        True,
        "WA",
        "https://nrh.example.org/financial-assistance",
    )
    [(action, actor, entity, details)] = _events(office)
    assert (action, actor) == ("facility.add", "admin") and entity is not None
    assert details == {
        "code": "NRH",
        "name": "North Ridge Hospital",
        "regime": "first_party",
        "nonprofit": "yes",
        "state": "WA",
        "fap_policy_url": "https://nrh.example.org/financial-assistance",
    }


def test_an_admin_sets_a_facility_the_change_is_audited_and_its_accounts_recomputed(office: Database) -> None:
    accounts = _open_accounts(office, "MCG")
    code, output = _run(
        office,
        "set",
        "MCG",
        "--nonprofit",
        "yes",
        "--regime",
        "first_party",
        "--fap-policy-url",
        "https://mcg.example.org/fap",
    )
    assert code == 0, output
    lines = output.strip().splitlines()
    assert lines[0] == (
        "MCG: regime third_party -> first_party; nonprofit no -> yes; fap_policy_url none -> "
        "https://mcg.example.org/fap"
    )
    assert lines[1] == f"the call state of {accounts:,} open accounts was recomputed"
    assert _facilities(office)["MCG"][1:] == ("first_party", True, None, "https://mcg.example.org/fap")
    [(action, actor, _, details)] = _events(office)
    assert (action, actor) == ("facility.set", "admin")
    assert details == {
        "code": "MCG",
        "regime": "third_party -> first_party",
        "nonprofit": "no -> yes",
        "fap_policy_url": "none -> https://mcg.example.org/fap",
        "accounts_recomputed": accounts,
    }
    code, output = _run(office, "set", "MCG", "--regime", "first_party")
    assert (code, output.strip()) == (0, "MCG: nothing changed")
    assert len(_events(office)) == 1


@pytest.mark.parametrize("login", ["mlopez", "sreed"])
@pytest.mark.parametrize(
    "args",
    [
        ["add", "NEW", "--name", "New Clinic"],
        ["set", "SMR", "--regime", "first_party"],
        ["set", "SMR", "--name", "Renamed"],
    ],
)
def test_a_collector_or_supervisor_is_refused_and_nothing_is_written(
    office: Database, login: str, args: list[str]
) -> None:
    before = _facilities(office)
    code, output = _run(office, *args, as_user=login)
    assert code == 1
    assert len(output.strip().splitlines()) == 1
    assert "only an administrator may change the office's facilities" in output
    assert _facilities(office) == before
    assert _events(office) == []


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["set", "SMR", "--regime", "agency"], "--regime"),
        (["set", "SMR", "--nonprofit", "maybe"], "--nonprofit"),
        (["set", "SMR", "--state", "XX"], "--state"),
        (["set", "SMR", "--state", "Texas"], "--state"),
        (["set", "SMR", "--fap-policy-url", "smr.example.org/fap"], "--fap-policy-url"),
        (["set", "SMR", "--fap-policy-url", "ftp://smr.example.org/fap"], "--fap-policy-url"),
        (["set", "SMR", "--name", ""], "--name"),
        (["add", "NEW"], "--name"),
        (["add", "NEW", "--name", "New", "--regime", "own"], "--regime"),
        (["add", "has space", "--name", "New"], "CODE"),
        (["add", "X" * 33, "--name", "New"], "CODE"),
    ],
)
def test_a_bad_value_is_one_line_naming_the_option_and_nothing_is_written(
    office: Database, args: list[str], option: str
) -> None:
    before = _facilities(office)
    code, output = _run(office, *args)
    assert code == 1, output
    [line] = output.strip().splitlines()
    assert line.startswith(f"error: {option} ")
    assert _facilities(office) == before
    assert _events(office) == []


def test_unknown_or_existing_codes_and_empty_changes_are_one_line(office: Database) -> None:
    for args, words in (
        (["set", "NOPE", "--regime", "first_party"], "no facility 'NOPE'"),
        (["add", "SMR", "--name", "Again"], "already exists"),
        (["set", "SMR"], "nothing to change"),
    ):
        code, output = _run(office, *args)
        assert code == 1 and len(output.strip().splitlines()) == 1 and words in output, output
    assert _events(office) == []


def test_an_empty_state_or_address_clears_it(office: Database) -> None:
    assert _run(office, "set", "DVM", "--state", "AZ", "--fap-policy-url", "http://dvm.example.org")[0] == 0
    code, output = _run(office, "set", "DVM", "--state", "", "--fap-policy-url", "")
    assert code == 0, output
    assert (
        output.strip().splitlines()[0]
        == "DVM: state AZ -> none; fap_policy_url http://dvm.example.org -> none"
    )
    assert _facilities(office)["DVM"][3:] == (None, None)
