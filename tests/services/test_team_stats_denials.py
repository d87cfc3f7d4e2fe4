"""The team's denial results (``team_stats``) and ``collector stats`` giving them, on a real SQLite
office whose claims an 835 denied: opened, worked, overturned, recovered, written off, by reason
and by payer."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from typer.testing import CliRunner

from collector_tui.cli.main import app
from collector_tui.domain.x12.remittance import read_835
from collector_tui.services.audit import SYSTEM
from collector_tui.services.database import Database
from collector_tui.services.desk.denial_actions import PayerCall, log_payer_call, write_off
from collector_tui.services.files.remittances import post_remittance
from collector_tui.services.worklists.team_stats import DenialCount, team_stats
from tests.cli.test_worklist_command import denied_office
from tests.conftest import NOW
from tests.exporting.test_denial_exports import _item
from tests.services.remittance_files import Clp, remittance_text
from tests.services.test_denial_worklist import actor, write_off_limit

LATER = NOW + timedelta(hours=1)
CALL = PayerCall("Pat at the payer", "will reprocess", "REF-1")


@pytest.fixture
def office(db: Database) -> Database:
    """Denied ICN-1..4 (CO-197 $110, CO-50 $120, CO-97 $130, CO-16 $140); jsmith calls about two,
    sboss about one of the same; ICN-3 is written off; a later 835 pays $200 on ICN-1."""
    denied_office(db)
    jsmith, sboss = actor(db, "jsmith"), actor(db, "sboss")
    log_payer_call(db, jsmith, _item(db, "ICN-1"), CALL, now=NOW)
    log_payer_call(db, jsmith, _item(db, "ICN-2"), CALL, now=NOW)
    log_payer_call(db, sboss, _item(db, "ICN-2"), CALL, now=NOW)
    with write_off_limit(1_000_000):
        write_off(db, jsmith, _item(db, "ICN-3"), "small balance policy", now=NOW)
    paid = remittance_text([Clp("PCN-1", "1", "310.00", "200.00", icn="ICN-1")], trace="TRACE-0002")
    for remittance in read_835(paid):
        with db.writing() as session:
            post_remittance(session, remittance, file_sha256="1" * 64, actor=SYSTEM, now=NOW)
    return db


def test_the_collectors_row_and_the_team_row(office: Database) -> None:
    found = team_stats(office, actor(office, "sboss"), now=LATER)
    (jsmith,) = [row for row in found.rows if row.login == "jsmith"]
    assert (jsmith.denials_opened, jsmith.denials_worked, jsmith.denials_overturned) == (4, 3, 1)
    assert (jsmith.denials_recovered_cents, jsmith.denials_written_off_cents) == (20_000, 13_000)
    team = found.denials
    assert (team.opened, team.opened_cents, team.worked, team.overturned) == (4, 50_000, 3, 1)
    assert (team.recovered_cents, team.written_off_cents) == (20_000, 13_000)
    # ICN-2, worked by jsmith and by sboss, is one item worked for the team.
    assert found.total.denials_worked == 3 and found.total.denials_opened == 4
    assert team.by_payer == (DenialCount("ACME HEALTH PLAN", 4, 50_000),)
    assert team.by_carc[0] == DenialCount("CO-16", 1, 14_000)  # a tie on count: the most money first
    assert {c.key for c in team.by_carc} == {"CO-16", "CO-97", "CO-50", "CO-197"}


def test_the_period_the_user_and_the_top(office: Database) -> None:
    sboss = actor(office, "sboss")
    after = team_stats(office, sboss, now=LATER, since=NOW + timedelta(minutes=30)).denials
    assert (after.opened, after.worked, after.overturned, after.written_off_cents, after.by_carc) == (
        0,
        0,
        0,
        0,
        (),
    )
    mine = team_stats(office, sboss, now=LATER, login="jsmith", denial_top=2)
    assert mine.denials.worked == 3 and len(mine.denials.by_carc) == 2
    assert [row.login for row in mine.rows] == ["jsmith"]


def test_collector_stats_json_gives_the_denials(office: Database) -> None:
    result = CliRunner().invoke(
        app, ["--db", office.url, "--as", "sboss", "stats", "--since", "2026-11-01", "--json", "--top", "3"]
    )
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["schema"] == "collector.stats/1"
    denials = document["denials"]
    assert (denials["opened"], denials["worked"], denials["recovered_cents"]) == (4, 3, 20_000)
    assert len(denials["by_carc"]) == 3 and set(denials["by_carc"][0]) == {"carc", "items", "denied_cents"}
    assert denials["by_payer"] == [{"payer": "ACME HEALTH PLAN", "items": 4, "denied_cents": 50_000}]
    assert document["team"]["denials_written_off_cents"] == 13_000
    printed = CliRunner().invoke(app, ["--db", office.url, "--as", "sboss", "stats", "--since", "2026-11-01"])
    assert printed.exit_code == 0 and "Denials opened" in printed.stdout and "By payer" in printed.stdout
