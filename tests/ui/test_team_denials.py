"""Issue 18: the team screen's denial results. A supervisor on an office whose claims an 835 denied
(and jsmith and sboss worked) sees each collector's denials opened, worked, overturned (and what
it recovered) and written off in the table, and the team's totals with the top reasons (CARC) and
payers in the panel under it; at 80x24 the denial columns leave the table with the other least
needed ones (shown whole under it for the highlighted row) and no amount is cut anywhere."""

from __future__ import annotations

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Static

from collector_tui.domain.x12.remittance import read_835
from collector_tui.screens.app import CollectorApp
from collector_tui.screens.queue import QueueScreen
from collector_tui.screens.team import COLUMNS, TeamScreen, denial_lines, pack, top_lines
from collector_tui.services.audit import SYSTEM
from collector_tui.services.database import Database
from collector_tui.services.desk.denial_actions import PayerCall, log_payer_call, write_off
from collector_tui.services.files.remittances import post_remittance
from collector_tui.services.worklists.team_stats import DenialCount, DenialResults
from tests.cli.test_worklist_command import denied_office
from tests.conftest import NOW
from tests.exporting.test_denial_exports import _item
from tests.services.remittance_files import Clp, remittance_text
from tests.services.test_denial_worklist import actor, write_off_limit
from tests.ui.test_app import make_app, plain, settle
from tests.ui.test_nothing_cut import cut_amounts, screen_lines

CALL = PayerCall("Pat at the payer", "will reprocess", "REF-1")
DENIAL_KEYS = ("denials", "recovered", "overturned", "written_off")


@pytest.fixture
def office(db: Database) -> Database:
    """Denied ICN-1..4 (CO-197 $110, CO-50 $120, CO-97 $130, CO-16 $140), all jsmith's, from ACME
    HEALTH PLAN; jsmith calls about two, sboss about one of the same; ICN-3 is written off; a later
    835 pays $200 on ICN-1 (overturned)."""
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


def _denial_cells(screen: TeamScreen, login: str) -> list[str]:
    table = screen.query_one("#team-table", DataTable)
    return [str(table.get_cell(login, key)) for key in DENIAL_KEYS]


async def _team_screen(app: CollectorApp, pilot: Pilot[None]) -> TeamScreen:
    """The supervisor's way in: the queue, then t; the team counted and drawn."""
    await settle(pilot, lambda: isinstance(app.screen, QueueScreen) and app.screen._loaded_once)
    await pilot.press("t")
    await settle(pilot, lambda: isinstance(app.screen, TeamScreen) and app.screen.stats is not None)
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, TeamScreen)
    return screen


async def _highlight(pilot: Pilot[None], screen: TeamScreen, login: str) -> str:
    """The line under the table for ``login``'s row: the numbers that left the table."""
    table = screen.query_one("#team-table", DataTable)
    table.move_cursor(row=table.get_row_index(login))
    await pilot.pause()
    return plain(screen.query_one("#team-hidden", Static))


async def test_a_supervisor_sees_the_denials_in_the_columns_and_the_panel(office: Database) -> None:
    app = make_app(office, login="sboss")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _team_screen(app, pilot)
        lines = screen_lines(app)
        assert cut_amounts(lines) == [], "\n".join(lines)
        # Opened→worked and what the overturned items recovered fit at 120 on this office.
        assert {"denials", "recovered"} <= set(screen.shown), screen.shown
        table = screen.query_one("#team-table", DataTable)
        assert [str(table.get_cell("jsmith", key)) for key in ("denials", "recovered")] == ["4→3", "$200.00"]
        # The team counts ICN-2 (jsmith's and sboss's call) once; sboss, holding no accounts, has no row.
        assert [str(table.get_cell("team", key)) for key in ("denials", "recovered")] == ["4→3", "$200.00"]
        assert [str(k.value) for k in table.rows] == ["akim", "jsmith", "team"]
        header = next(line for line in lines if "Collector" in line)
        assert "Denials" in header and "Recovered" in header
        # The overturned count and the write-offs (the least needed) are under the table, whole.
        hidden = await _highlight(pilot, screen, "jsmith")
        assert hidden.startswith("jsmith:") and "Overturned 1" in hidden and "Written off $130.00" in hidden
        panel = plain(screen.query_one("#team-denials", Static))
        assert "Denials: 4 opened ($500.00 denied) · 3 worked · 1 overturned ($200.00 recovered)" in panel
        assert "$130.00 written off" in panel
        # Every reason has one item: the most money first.
        assert "By CARC: CO-16 ×1 $140.00 · CO-97 ×1 $130.00 · CO-50 ×1 $120.00 · CO-197 ×1 $110.00" in panel
        assert "By payer: ACME HEALTH PLAN ×4 $500.00\n" in panel  # one payer: no "other"
        assert "opened→worked" in plain(screen.query_one("#team-summary", Static))


async def test_at_80x24_the_denial_columns_leave_first_and_nothing_is_cut(office: Database) -> None:
    app = make_app(office, login="sboss")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _team_screen(app, pilot)
        lines = screen_lines(app)
        assert cut_amounts(lines) == [], "\n".join(lines)
        left = [key for key, _ in COLUMNS if key not in screen.shown]
        assert set(DENIAL_KEYS) <= set(left), screen.shown  # among the least needed
        assert {"login", "balance", "today", "callbacks", "promises_due"} <= set(screen.shown)
        shown = "\n".join(lines)
        assert "$5,910.00" in shown  # jsmith's balance, whole
        hidden = await _highlight(pilot, screen, "jsmith")
        for whole in ("Denials 4→3", "Recovered $200.00", "Overturned 1", "Written off $130.00"):
            assert whole in hidden, hidden
        # The panel fits the window: each entry whole, the top reason and payer on screen.
        lines = screen_lines(app)
        assert cut_amounts(lines) == [], "\n".join(lines)
        shown = "\n".join(lines)
        assert "By CARC: CO-16 ×1 $140.00" in shown and "By payer: ACME HEALTH PLAN ×4 $500.00" in shown
        assert "$130.00 written off" in shown and "3 worked" in shown
        # g shows the charts on a short window; the panel gives them its lines, and comes back.
        await pilot.press("g")
        await pilot.pause()
        assert not screen.query_one("#team-denials", Static).display
        assert cut_amounts(screen_lines(app)) == []
        await pilot.press("g")
        await pilot.pause()
        assert screen.query_one("#team-denials", Static).display


RESULTS = DenialResults(
    opened=30,
    opened_cents=1_234_567,
    worked=12,
    overturned=2,
    recovered_cents=45_000,
    written_off_cents=8_000,
    by_carc=(
        DenialCount("CO-197", 12, 843_100),
        DenialCount("CO-16", 9, 200_000),
        DenialCount("CO-50", 5, 100_000),
    ),
    by_payer=(DenialCount("ACME HEALTH PLAN", 30, 1_234_567),),
)


def test_the_top_line_keeps_what_fits_whole_and_counts_the_rest_exactly() -> None:
    # The three the service counted, then the items of reasons past its top (30 - 26 = 4).
    assert top_lines("By CARC", RESULTS.by_carc, RESULTS, 200) == [
        "By CARC: CO-197 ×12 $8,431.00 · CO-16 ×9 $2,000.00 · CO-50 ×5 $1,000.00 · other ×4 $914.67"
    ]
    # At 60 cells two reasons and "other" do not fit: one, and the other 18 items whole.
    assert top_lines("By CARC", RESULTS.by_carc, RESULTS, 60) == [
        "By CARC: CO-197 ×12 $8,431.00 · other ×18 $3,914.67"
    ]
    # Too narrow for one and "other": the first anyway, "other" under it.
    assert top_lines("By CARC", RESULTS.by_carc, RESULTS, 40) == [
        "By CARC: CO-197 ×12 $8,431.00",
        "other ×18 $3,914.67",
    ]
    assert top_lines("By payer", RESULTS.by_payer, RESULTS, 40) == [
        "By payer: ACME HEALTH PLAN ×30 $12,345.67"
    ]
    assert top_lines("By payer", (), DenialResults(), 80) == ["By payer: none"]


def test_the_panel_wraps_between_numbers_never_inside_one() -> None:
    assert pack(["aa", "bb", "cc"], 7) == ["aa · bb", "cc"]
    assert pack(["a long part", "b"], 4) == ["a long part", "b"]
    for width in (44, 60, 78, 118):  # at 44 the payer's entry just fits
        lines = denial_lines(RESULTS, width)
        assert all(len(line) <= width for line in lines), (width, lines)
        assert cut_amounts(lines) == []
        text = " · ".join(lines)
        for whole in ("$12,345.67 denied", "12 worked", "$450.00 recovered", "$80.00 written off"):
            assert whole in text, (width, lines)
