"""`collector assign`: the preview, --dry-run, confirming, --json, refusals and filters."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from collector_tui.cli.main import app as cli
from collector_tui.services.database import Database
from collector_tui.services.team.identity import resolve_actor
from collector_tui.services.worklists.assignments import (
    AccountSelection,
    ReassignRequest,
    preview_reassignment,
)

RUN = CliRunner()
DOCUMENT_KEYS = {
    "schema",
    "at",
    "dry_run",
    "applied",
    "to",
    "balance_by",
    "filter",
    "matched",
    "moving",
    "staying",
    "unplaced",
    "flows",
    "caseloads",
    "claimed",
    "request_event_id",
}


def _run(db: Database, *args: str, login: str = "sreed", stdin: str | None = None) -> Result:
    return RUN.invoke(cli, ["--db", db.url, "--as", login, "assign", *args], input=stdin)


def _json(result: Result) -> dict[str, Any]:
    assert result.exit_code == 0, result.output
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def _state(db: Database) -> list[Any]:
    """Everything a reassignment changes: owners and versions, history and audit counts."""
    with db.reading() as session:
        conn = session.connection()
        return [
            conn.exec_driver_sql("SELECT id, assigned_collector_id, version FROM account ORDER BY id").all(),
            conn.exec_driver_sql("SELECT count(*) FROM assignment_history").all(),
            conn.exec_driver_sql("SELECT count(*) FROM audit_event").all(),
        ]


def _owned(db: Database, login: str) -> int:
    with db.reading() as session:
        return int(
            session.connection()
            .exec_driver_sql(
                "SELECT count(*) FROM account a JOIN collector c ON c.id = a.assigned_collector_id "
                "WHERE c.login = ? AND a.status = 'open'",
                (login,),
            )
            .scalar_one()
        )


def test_dry_run_prints_the_preview_and_changes_nothing(office: Database) -> None:
    before = _state(office)
    kbrown = _owned(office, "kbrown")
    result = _run(office, "--to", "jchen,rpatel", "--from", "kbrown", "--dry-run")
    assert result.exit_code == 0, result.output
    assert f"{kbrown} accounts match" in result.stdout
    assert "kbrown" in result.stdout and "rpatel" in result.stdout
    assert "dry run: nothing was changed" in result.stdout
    assert _state(office) == before


def test_json_is_the_documented_shape(office: Database) -> None:
    before = _state(office)
    document = _json(_run(office, "--to", "jchen", "--from", "kbrown", "--dry-run", "--json"))
    assert set(document) == DOCUMENT_KEYS
    assert document["schema"] == "collector.assign/1"
    assert document["dry_run"] is True and document["applied"] is False
    assert document["request_event_id"] is None
    assert document["at"].endswith("Z")
    kbrown = _owned(office, "kbrown")
    assert document["moving"]["accounts"] == kbrown == document["matched"]["accounts"]
    (flow,) = document["flows"]
    assert (flow["from"], flow["from_active"], flow["to"], flow["accounts"]) == (
        "kbrown",
        True,
        "jchen",
        kbrown,
    )
    (load,) = document["caseloads"]
    assert load["login"] == "jchen" and load["after"]["accounts"] == load["before"]["accounts"] + kbrown
    assert document["filter"]["from"] == "kbrown" and document["filter"]["status"] == "open"
    assert _state(office) == before


def test_yes_applies_and_json_says_so(office: Database) -> None:
    kbrown = _owned(office, "kbrown")
    document = _json(_run(office, "--to", "jchen,rpatel", "--from", "kbrown", "--yes", "--json"))
    assert document["applied"] is True and isinstance(document["request_event_id"], int)
    assert document["moving"]["accounts"] == kbrown
    assert _owned(office, "kbrown") == 0


def test_it_asks_before_moving(office: Database) -> None:
    before = _state(office)
    declined = _run(office, "--to", "jchen", "--from", "kbrown", stdin="n\n")
    assert declined.exit_code == 1
    assert "not confirmed: nothing was moved" in declined.stderr
    assert _state(office) == before
    confirmed = _run(office, "--to", "jchen", "--from", "kbrown", stdin="y\n")
    assert confirmed.exit_code == 0, confirmed.output
    assert "moved " in confirmed.stdout and "audit event" in confirmed.stdout
    assert _owned(office, "kbrown") == 0


def test_without_a_terminal_or_yes_nothing_moves(office: Database) -> None:
    before = _state(office)
    result = _run(office, "--to", "jchen", "--from", "kbrown", "--json")
    assert result.exit_code == 1
    # Nobody to answer (end of input at the prompt): the refusal, not Typer's "Aborted".
    assert "not confirmed: nothing was moved" in result.stderr
    assert "Aborted" not in result.output
    assert _state(office) == before


def test_a_collector_is_refused(office: Database) -> None:
    before = _state(office)
    result = _run(office, "--to", "mlopez", "--from", "kbrown", "--yes", login="mlopez")
    assert result.exit_code == 1
    assert "only a supervisor or an administrator may reassign accounts" in result.stderr
    assert "Traceback" not in result.output
    assert _state(office) == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--to", "nobody"], "no user 'nobody'"),
        (["--to", "jchen", "--balance-by", "luck"], "--balance-by is count or amount"),
        (["--to", "jchen", "--min-balance", "ten"], "--min-balance"),
        (["--to", "jchen", "--status", "lost"], "unknown status"),
        (["--to", "jchen", "--bucket", "old"], "unknown age bucket"),
        (["--to", "jchen", "--account", "NO-SUCH-1"], "no such account"),
    ],
)
def test_usage_errors_are_one_line(office: Database, args: list[str], message: str) -> None:
    result = _run(office, *args, "--dry-run")
    assert result.exit_code == 1
    assert message in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("args", "selection"),
    [
        (["--state", "TX"], {"state": "TX"}),
        (
            ["--facility", "SMR", "--min-balance", "100", "--max-balance", "2,500.00"],
            {"facility": "SMR", "min_balance_cents": 10_000, "max_balance_cents": 250_000},
        ),
        (["--bucket", "120+", "--status", "any"], {"age_bucket": "120+", "status": None}),
        (["--unassigned"], {"orphaned": True}),
        (["--from", "mlopez", "--limit", "9"], {"from_login": "mlopez", "limit": 9}),
        (["--min-score", "20", "--max-score", "80"], {"min_score": 20, "max_score": 80}),
    ],
)
def test_filters_select_what_the_service_selects(
    office: Database, args: list[str], selection: dict[str, Any]
) -> None:
    document = _json(_run(office, "--to", "admin", *args, "--dry-run", "--json"))
    request = ReassignRequest(("admin",), AccountSelection(**selection))
    expected = preview_reassignment(
        office, resolve_actor(office, act_as="sreed"), request, now=datetime.now(UTC)
    )
    assert document["matched"] == {
        "accounts": expected.matched.accounts,
        "balance_cents": expected.matched.balance_cents,
    }
    assert expected.matched.accounts > 0


def test_one_account_by_number(office: Database) -> None:
    with office.reading() as session:
        number, facility = (
            session.connection()
            .exec_driver_sql(
                "SELECT a.account_number, f.code FROM account a JOIN facility f ON f.id = a.facility_id "
                "JOIN collector c ON c.id = a.assigned_collector_id WHERE c.login = 'kbrown' LIMIT 1"
            )
            .one()
        )
    kbrown = _owned(office, "kbrown")
    document = _json(
        _run(office, "--to", "jchen", "--account", number, "--facility", facility, "--yes", "--json")
    )
    assert document["moving"]["accounts"] == 1 and document["filter"]["accounts"] == 1
    assert _owned(office, "kbrown") == kbrown - 1


def test_an_account_named_by_number_moves_whatever_its_status(office: Database) -> None:
    with office.writing() as session:
        conn = session.connection()
        conn.exec_driver_sql("UPDATE account SET status = 'paid' WHERE id = (SELECT min(id) FROM account)")
        number, facility = conn.exec_driver_sql(
            "SELECT a.account_number, f.code FROM account a JOIN facility f ON f.id = a.facility_id "
            "WHERE a.status = 'paid'"
        ).one()
    named = ["--to", "admin", "--account", number, "--facility", facility, "--dry-run", "--json"]
    assert _json(_run(office, *named))["matched"]["accounts"] == 1
    assert _json(_run(office, *named, "--status", "open"))["matched"]["accounts"] == 0
