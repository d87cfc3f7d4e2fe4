"""collector plans evaluate with Typer's runner: the counts, --json, a re-run, and bad days."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
from sqlmodel import col
from typer.testing import CliRunner, Result

from collector_tui.cli import plan_command
from collector_tui.cli.main import app as cli
from collector_tui.db.models import Activity, AuditEvent
from collector_tui.services.audit import SYSTEM
from collector_tui.services.database import Database
from collector_tui.services.law.policy import policy_digest, shipped_plan_policy
from collector_tui.services.money.arrangements import add_level_plan, add_promise
from collector_tui.services.money.transactions import apply_transactions
from collector_tui.services.team.identity import os_login
from tests.conftest import NOW
from tests.nightly import add_os_login
from tests.services.builders import account, audit_events, count, place, placement, transaction

RUN = CliRunner()
CREATED = datetime(2026, 9, 1, 15, tzinfo=UTC)


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(plan_command, "_now", lambda: NOW)


@pytest.fixture
def office(db: Database) -> Database:
    """Two accounts: a plan that broke (nothing paid), a plan on track and a promise kept."""
    place(db, [placement(), placement(account_number="A-1002", guarantor_id="G-2")])
    broken, paying = account(db, "A-1001").id, account(db, "A-1002").id
    assert broken is not None and paying is not None
    with db.writing() as session:
        for account_id in (broken, paying):
            add_level_plan(
                session,
                SYSTEM,
                account_id=account_id,
                principal_cents=60_000,
                installment_count=6,
                frequency="monthly",
                first_due_date=date(2026, 9, 15),
                now=CREATED,
            )
        add_promise(
            session, SYSTEM, account_id=paying, amount_cents=5_000, due_date=date(2026, 12, 1), now=CREATED
        )
        record = transaction(account_number="A-1002", amount="350.00", posted_at="2026-09-10T15:00:00Z")
        apply_transactions(session, [record], actor=SYSTEM, now=CREATED)
    add_os_login(db.url)  # the nightly job's operator
    return db


def _run(db: Database, *args: str) -> Result:
    return RUN.invoke(cli, ["--db", db.url, *args])


def test_the_counts_as_json_and_a_second_run(office: Database) -> None:
    result = _run(office, "plans", "evaluate", "--as-of", "2026-11-27", "--json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert document == {
        "schema": "collector.plans_evaluate/1",
        "as_of": "2026-11-27",
        "policy_version": "2026.11.1",
        "policy_digest": policy_digest(shipped_plan_policy()),
        "plans": {"checked": 2, "on_track": 1, "behind": 0, "completed": 0, "broken": 1},
        "promises": {"checked": 1, "pending": 0, "kept": 1, "partly_kept": 0, "broken": 0},
        "installments_updated": 7,  # three missed (broken plan); three paid and one partial (paying plan)
        "accounts_updated": 2,
        "accounts_returned": 1,
        "activities": 2,
    }
    activities, events = count(office, Activity), count(office, AuditEvent)
    again = json.loads(_run(office, "plans", "evaluate", "--as-of", "2026-11-27", "--json").output)
    assert again["plans"] == {"checked": 1, "on_track": 1, "behind": 0, "completed": 0, "broken": 0}
    assert again["promises"]["checked"] == 0
    assert (again["installments_updated"], again["accounts_updated"], again["activities"]) == (0, 0, 0)
    assert (count(office, Activity), count(office, AuditEvent)) == (activities, events)
    [run] = audit_events(office, "plans.evaluate")
    assert (run.actor, run.acting_as) == (os_login(), None)  # the real caller
    # The timeline lines are nobody's work, whoever ran the job (as before operators existed).
    nightly_lines = count(office, Activity, Activity.source == "nightly")
    assert nightly_lines == 2
    assert count(office, Activity, Activity.source == "nightly", col(Activity.collector_id).is_(None)) == 2


def test_plan_evaluate_is_the_same_command_and_prints_a_summary(office: Database) -> None:
    result = _run(office, "plan", "evaluate")  # as of today (the clock's day)
    assert result.exit_code == 0, result.output
    assert result.output.startswith(
        "as of 2026-11-27: 2 active plans (1 on track, 0 behind, 0 completed, 1 broken)"
    )
    assert "1 kept" in result.output and "1 accounts back in the calling order" in result.output


@pytest.mark.parametrize(
    ("as_of", "message"),
    [("2026-11-28", "after today"), ("27/11/2026", "use YYYY-MM-DD")],
)
def test_a_bad_as_of_day_is_refused(office: Database, as_of: str, message: str) -> None:
    result = _run(office, "plans", "evaluate", "--as-of", as_of)
    assert result.exit_code == 1 and message in result.output
    assert count(office, Activity, Activity.source == "nightly") == 0


@pytest.mark.parametrize("role", ["collector", "supervisor"])
def test_only_an_operator_or_an_admin_may_evaluate(db: Database, role: str) -> None:
    place(db, [placement()])
    add_os_login(db.url, role)
    result = _run(db, "plans", "evaluate", "--json")
    assert result.exit_code == 1
    assert result.output == (
        "error: only an operator or an administrator may run the nightly jobs "
        f"(imports, refresh, plans evaluate) (you are {os_login()}, {role})\n"
    )
    assert audit_events(db, "plans.evaluate") == []


def test_a_missing_database_is_one_line(tmp_path: object) -> None:
    result = RUN.invoke(cli, ["--db", "/nonexistent/office.db", "plans", "evaluate"])
    assert result.exit_code == 1 and "no database" in result.output
