"""`collector policy show|set|clear`: the office's policies, kept in its database (Typer's runner)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from collector_tui.cli.main import app
from collector_tui.db.models import Account, AuditEvent, Facility, OfficeSetting, table_of
from collector_tui.domain.fingerprint import content_digest
from collector_tui.services.database import Database
from collector_tui.services.law import policy
from collector_tui.services.team.identity import resolve_actor
from collector_tui.services.worklists.queue import SECTION_CALL, QueueFilter, queue_page
from tests.conftest import NOW

runner = CliRunner()
OFFICE_PLANS = "version = 'office-7'\n[interest]\nallowed = false\n"
QUOTE = ["plan", "quote", "--as-of", "2026-11-27", "--balance", "300", "--installments", "3", "--apr", "2"]


@pytest.fixture(autouse=True)
def shipped_policies() -> Iterator[None]:
    """Each command starts as a new process would, with nothing loaded; the shipped policies after."""
    policy._LOADED.clear()
    yield
    policy.install_overrides({})


def _run(office: Database, *args: str, as_user: str = "admin") -> tuple[int, str]:
    result = runner.invoke(app, ["--db", office.url, "--as", as_user, *args])
    return result.exit_code, result.output


def _json(office: Database, *args: str, as_user: str = "admin") -> dict[str, Any]:
    code, output = _run(office, *args, "--json", as_user=as_user)
    assert code == 0, output
    document: dict[str, Any] = json.loads(output)
    return document


def _file(tmp_path: Path, text: str, name: str = "office.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _stored(office: Database) -> dict[str, str]:
    c = table_of(OfficeSetting).c
    with office.reading() as session:
        rows = session.execute(select(c.key, c.value).where(c.key.like("policy.%")))
        return {row.key: row.value for row in rows}


def _policy_events(office: Database) -> list[Any]:
    e = table_of(AuditEvent).c
    with office.reading() as session:
        return list(session.execute(select(table_of(AuditEvent)).where(e.action.like("policy.%"))))


def _callable_account(office: Database) -> tuple[str, str, str]:
    """(account number, facility code, home zone) of one of mlopez's accounts callable at NOW."""
    from collector_tui.domain.compliance.engine import evaluate
    from collector_tui.services.law.compliance import load_facts

    actor = resolve_actor(office, act_as="mlopez")
    account_id = queue_page(office, actor, now=NOW, chosen=QueueFilter(section=SECTION_CALL)).rows[0].id
    a, f = table_of(Account).c, table_of(Facility).c
    with office.reading() as session:
        query = select(a.account_number, f.code).join(table_of(Facility), f.id == a.facility_id)
        number, facility = session.execute(query.where(a.id == account_id)).one()
        verdict = evaluate(load_facts(session, [account_id], NOW)[account_id], policy.current_policy(), NOW)
    return number, facility, verdict.home_zone


def _three_am(zone: str) -> str:
    moment = datetime(NOW.year, NOW.month, NOW.day, 3, tzinfo=ZoneInfo(zone)).astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.mark.parametrize(
    ("variable", "kind", "args"),
    [
        ("COLLECTOR_PLAN_POLICY", "plans", ["plan", "quote", "--balance", "10000", "--installments", "240"]),
        ("COLLECTOR_COMPLIANCE_POLICY", "compliance", ["queue"]),
        ("COLLECTOR_PRIORITY_POLICY", "priority", ["queue"]),
        ("COLLECTOR_WORKSPACE_POLICY", "workspace", ["queue"]),
    ],
)
def test_a_policy_in_the_environment_is_refused_not_silently_ignored(
    office: Database,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    variable: str,
    kind: str,
    args: list[str],
) -> None:
    """A loose policy a collector sets changes nothing, and a strict one an office kept there is
    not dropped without a word: every command refuses until it is moved into the database."""
    loose = _file(tmp_path, "version = 'mine'\n")
    monkeypatch.setenv(variable, str(loose))
    code, output = _run(office, *args, as_user="mlopez")
    assert code == 1
    assert f"{variable} is no longer read" in output and f"collector policy set {kind} FILE" in output


def test_a_policy_key_in_the_config_file_is_refused(
    office: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = _file(tmp_path, '[compliance]\npolicy = "office.toml"\n', name="config.toml")
    monkeypatch.setenv("COLLECTOR_CONFIG", str(config))
    code, output = _run(office, "queue", as_user="mlopez")
    assert code == 1 and "[compliance] policy is no longer read" in output


def test_an_admin_sets_the_plan_policy_it_changes_the_verdict_and_is_audited(
    office: Database, tmp_path: Path
) -> None:
    before = _json(office, *QUOTE)
    assert before["verdict"]["within_policy"] is True
    path = _file(tmp_path, OFFICE_PLANS)

    code, output = _run(office, "policy", "set", "plans", str(path))

    assert code == 0, output
    assert f"plans policy set from {path}" in output
    assert _stored(office) == {"policy.plans": OFFICE_PLANS}
    after = _json(office, *QUOTE, as_user="mlopez")
    assert after["policy_version"] == "office-7"
    assert after["policy_digest"] != before["policy_digest"]
    assert [v["rule"] for v in after["verdict"]["violations"]] == ["interest"]
    [event] = _policy_events(office)
    assert (event.action, event.actor, event.entity_type, event.entity_id) == (
        "policy.set",
        "admin",
        "office_setting",
        None,
    )
    details = json.loads(event.details)
    assert details == {
        "kind": "plans",
        "digest": content_digest(OFFICE_PLANS),
        "policy_digest": after["policy_digest"],
        "version": "office-7",
    }


@pytest.mark.parametrize("login", ["mlopez", "sreed"])
def test_a_collector_or_supervisor_may_not_set_or_clear_a_policy(
    office: Database, tmp_path: Path, login: str
) -> None:
    path = _file(tmp_path, OFFICE_PLANS)
    code, output = _run(office, "policy", "set", "plans", str(path), as_user=login)
    assert code == 1
    assert "only an administrator may set the office's policies" in output
    assert "Traceback" not in output
    assert _run(office, "policy", "clear", "plans", as_user=login)[0] == 1
    assert _stored(office) == {} and _policy_events(office) == []
    assert _json(office, *QUOTE, as_user=login)["policy_version"] == "2026.11.1"


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("[interest]\nmax_apr_bps = -3\n", "interest.max_apr_bps must be a whole number"),
        ("[interest\n", "not valid TOML"),
    ],
)
def test_a_bad_policy_file_is_refused_naming_the_file(
    office: Database, tmp_path: Path, text: str, words: str
) -> None:
    path = _file(tmp_path, text, "bad-plans.toml")
    code, output = _run(office, "policy", "set", "plans", str(path))
    assert code == 1
    assert str(path) in output and words in output
    assert len(output.strip().splitlines()) == 1
    assert _stored(office) == {} and _policy_events(office) == []


def test_a_missing_policy_file_is_refused(office: Database, tmp_path: Path) -> None:
    code, output = _run(office, "policy", "set", "compliance", str(tmp_path / "nope.toml"))
    assert code == 1
    assert "nope.toml: the compliance policy cannot be read" in output
    assert _stored(office) == {}


def test_policy_show_json(office: Database, tmp_path: Path) -> None:
    shipped = _json(office, "policy", "show", "plans", as_user="mlopez")
    plans = policy.effective_policy("plans")
    assert shipped == {
        "schema": "collector.policy/1",
        "kind": "plans",
        "override": None,
        "effective": {
            "version": "2026.11.1",
            "digest": policy.policy_digest(plans),
            "shipped_version": "2026.11.1",
            "problem": None,
        },
    }
    _run(office, "policy", "set", "plans", str(_file(tmp_path, OFFICE_PLANS)))
    document = _json(office, "policy", "show", "plans", as_user="mlopez")
    set_at = document["override"].pop("set_at")
    assert datetime.fromisoformat(set_at.replace("Z", "+00:00")).tzinfo is not None
    assert document["override"] == {
        "digest": content_digest(OFFICE_PLANS),
        "set_by": "admin",
        "acting_as": None,
        "text": OFFICE_PLANS,
    }
    assert document["effective"]["version"] == "office-7"
    assert document["effective"]["digest"] == policy.policy_digest(
        policy.effective_policy("plans", OFFICE_PLANS)
    )
    code, output = _run(office, "policy", "show", "plans", as_user="mlopez")
    assert code == 0
    assert "the office's override" in output and "set by admin" in output and "allowed = false" in output


def test_clear_goes_back_to_the_shipped_policy_and_is_audited(office: Database, tmp_path: Path) -> None:
    _run(office, "policy", "set", "plans", str(_file(tmp_path, OFFICE_PLANS)))
    code, output = _run(office, "policy", "clear", "plans")
    assert code == 0, output
    assert "cleared" in output
    assert _stored(office) == {}
    assert _json(office, *QUOTE)["policy_version"] == "2026.11.1"
    assert [e.action for e in _policy_events(office)] == ["policy.set", "policy.clear"]
    code, output = _run(office, "policy", "clear", "plans")
    assert (code, "no office override" in output) == (0, True)
    assert len(_policy_events(office)) == 2


def test_a_stored_policy_that_no_longer_parses_stops_commands_but_not_the_admin(office: Database) -> None:
    """(A later version may refuse what an earlier one accepted.)"""
    with office.writing() as session:
        session.add(OfficeSetting(key="policy.plans", value="[interest]\nmax_apr_bps = -3\n"))
    code, output = _run(office, *QUOTE, as_user="mlopez")
    assert code == 1
    assert "the office's plans policy stored in this database: interest.max_apr_bps" in output
    assert "collector policy clear plans" in output
    document = _json(office, "policy", "show", "plans")
    assert document["effective"]["version"] is None
    assert "max_apr_bps" in document["effective"]["problem"]
    assert document["override"]["set_by"] is None  # not set through collector policy
    assert _run(office, "policy", "clear", "plans")[0] == 0
    assert _run(office, *QUOTE, as_user="mlopez")[0] == 0


def test_plans_evaluate_reports_the_offices_plan_policy(office: Database, tmp_path: Path) -> None:
    _run(office, "policy", "set", "plans", str(_file(tmp_path, OFFICE_PLANS)))
    policy.install_overrides({})  # the nightly run is a process of its own
    document = _json(office, "plans", "evaluate", "--as-of", "2026-11-27")
    assert document["policy_version"] == "office-7"
    assert document["policy_digest"] == policy.policy_digest(policy.effective_policy("plans", OFFICE_PLANS))


def test_an_unknown_kind_is_a_usage_error(office: Database) -> None:
    result = runner.invoke(app, ["--db", office.url, "policy", "show", "dialer"])
    assert result.exit_code == 1
    assert "dialer" in result.output


def test_an_admin_sets_the_denial_policy_and_a_bad_one_is_refused_naming_its_key(
    office: Database, tmp_path: Path
) -> None:
    good = _file(tmp_path, 'version = "office-d1"\n[defaults]\nwrite_off_limit_cents = 1000\n')
    code, output = _run(office, "policy", "set", "denials", str(good))
    assert code == 0, output
    shown = _json(office, "policy", "show", "denials")
    assert (shown["kind"], shown["effective"]["version"]) == ("denials", "office-d1")
    bad = tmp_path / "bad.toml"
    bad.write_text("[reasons.16]\ncategory = 'luck'\nscenario = 'claim_data'\n")
    code, output = _run(office, "policy", "set", "denials", str(bad))
    assert code == 1 and "reasons.16.category" in output
