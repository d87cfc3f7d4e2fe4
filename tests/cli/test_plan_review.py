"""collector plan pending|approve|decline|agreement with Typer's runner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from collector_tui.cli.main import app as cli
from collector_tui.db.models import Account, PaymentPlan, table_of
from collector_tui.domain.plan_schedule import PlanTerms
from collector_tui.services.database import Database
from collector_tui.services.money.plans import PlanRequest, create_plan
from collector_tui.services.team.identity import resolve_actor
from collector_tui.services.worklists.queue import SECTION_CALL, QueueFilter, queue_page
from tests.conftest import NOW

RUN = CliRunner()


@pytest.fixture
def proposed(office: Database) -> int:
    """A plan proposed outside policy on one of mlopez's accounts; returns its id."""
    actor = resolve_actor(office, act_as="mlopez")
    account_id = queue_page(office, actor, now=NOW, chosen=QueueFilter(section=SECTION_CALL)).rows[0].id
    with office.writing() as session:
        plans = table_of(PaymentPlan)
        session.execute(plans.update().where(plans.c.account_id == account_id).values(status="cancelled"))
        a = table_of(Account).c
        row = session.execute(table_of(Account).select().where(a.id == account_id)).one()
    terms = PlanTerms(row.total_balance_cents, "monthly", NOW.date(), installments=60)
    create_plan(
        office, actor, PlanRequest(account_id, row.version, terms, exception_reason="fixed income"), now=NOW
    )
    with office.reading() as session:
        plans = table_of(PaymentPlan)
        return int(
            session.execute(
                plans.select().with_only_columns(plans.c.id).where(plans.c.status == "proposed")
            ).scalar_one()
        )


def _run(db: Database, *args: str) -> Result:
    return RUN.invoke(cli, ["--db", db.url, *args])


def test_a_supervisor_lists_and_approves(office: Database, proposed: int) -> None:
    listed = _run(office, "--as", "sreed", "plan", "pending", "--json")
    assert listed.exit_code == 0, listed.output
    document = json.loads(listed.output)
    assert document["schema"] == "collector.plans_pending/1"
    assert [p["plan_id"] for p in document["plans"]] == [proposed]
    assert document["plans"][0]["reason"] == "fixed income"
    done = _run(office, "--as", "sreed", "plan", "approve", str(proposed))
    assert done.exit_code == 0 and "approved" in done.output
    assert "no plans wait" in _run(office, "--as", "sreed", "plan", "pending").output


def test_a_collector_is_refused(office: Database, proposed: int) -> None:
    refused = _run(office, "--as", "mlopez", "plan", "approve", str(proposed))
    assert refused.exit_code == 1 and "only a supervisor" in refused.output


def test_decline_needs_a_reason_and_the_agreement_is_written(
    office: Database, proposed: int, tmp_path: Path
) -> None:
    missing = _run(office, "--as", "sreed", "plan", "decline", str(proposed))
    assert missing.exit_code == 1 and "--reason" in missing.output  # a usage error
    out = tmp_path / "agreement.txt"
    wrote = _run(office, "--as", "sreed", "plan", "agreement", str(proposed), "--out", str(out))
    assert wrote.exit_code == 0 and "PAYMENT PLAN AGREEMENT" in out.read_text()
    declined = _run(office, "--as", "sreed", "plan", "decline", str(proposed), "--reason", "need proof")
    assert declined.exit_code == 0 and "declined" in declined.output
    again = _run(office, "--as", "sreed", "plan", "approve", str(proposed))
    assert again.exit_code == 1 and "not waiting for approval" in again.output


def test_the_agreement_never_overwrites_the_database_and_is_private(
    office: Database, proposed: int, tmp_path: Path
) -> None:
    import hashlib
    import stat

    from collector_tui.db.engine import sqlite_path

    database = sqlite_path(office.url)
    assert database is not None
    before = hashlib.sha256(database.read_bytes()).hexdigest()
    refused = _run(office, "--as", "sreed", "plan", "agreement", str(proposed), "--out", str(database))
    assert refused.exit_code == 1 and "refusing to write over it" in refused.output
    assert hashlib.sha256(database.read_bytes()).hexdigest() == before
    out = tmp_path / "agreement.txt"
    out.write_text("old")
    out.chmod(0o644)
    assert _run(office, "--as", "sreed", "plan", "agreement", str(proposed), "--out", str(out)).exit_code == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
