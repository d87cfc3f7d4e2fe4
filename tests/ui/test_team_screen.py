"""Pilot tests of the team screen: supervisors only, the numbers, the charts, a read-only drill-in."""

from __future__ import annotations

from textual.binding import Binding
from textual.widgets import DataTable, Select, Static

from collector_tui.screens.app import CollectorApp
from collector_tui.screens.queue import QueueScreen, QueueTable
from collector_tui.screens.team import TeamScreen
from collector_tui.services.database import Database
from collector_tui.services.team.identity import resolve_actor
from collector_tui.services.worklists.team_stats import team_stats
from tests.conftest import NOW
from tests.ui.test_app import SIZE, make_app, plain, settle


async def test_a_supervisor_sees_the_team_and_drills_into_a_queue_read_only(office: Database) -> None:
    app = make_app(office, login="sreed")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: isinstance(app.screen, QueueScreen) and app.screen._loaded_once)
        assert any(b.key == "t" for b in _active_bindings(app))  # shown in the footer
        await pilot.press("t")
        await settle(pilot, lambda: isinstance(app.screen, TeamScreen) and app.screen.stats is not None)
        screen = app.screen
        assert isinstance(screen, TeamScreen) and screen.stats is not None
        expected = team_stats(office, resolve_actor(office, act_as="sreed"), now=NOW)
        table = screen.query_one("#team-table", DataTable)
        assert [str(k.value) for k in table.rows] == [r.login for r in expected.rows] + ["team"]
        mlopez = next(r for r in expected.rows if r.login == "mlopez")
        row = table.get_row("mlopez")
        assert row[1] == f"{mlopez.accounts:,}" and row[3] == f"{mlopez.callable_now:,}"
        assert "collectors" in plain(screen.query_one("#team-summary", Static))
        # Drill into mlopez's queue: the same count as the team row, read only.
        table.move_cursor(row=table.get_row_index("mlopez"))
        await pilot.press("enter")
        await settle(pilot, lambda: isinstance(app.screen, QueueScreen) and app.screen._loaded_once)
        queue = app.screen
        assert isinstance(queue, QueueScreen) and queue.viewing is not None
        assert "(read only)" in plain(queue.query_one("#summary", Static))
        assert f"of {mlopez.callable_now:,}" in plain(queue.query_one("#summary", Static))
        await pilot.press("n")  # nothing is handed out from someone else's queue
        await pilot.pause()
        assert app.screen is queue
        assert queue.query_one(QueueTable).row_count > 0
        await pilot.press("escape")
        await settle(pilot, lambda: isinstance(app.screen, TeamScreen))


async def test_a_collector_has_no_team_key(demo_db: Database) -> None:
    app = make_app(demo_db, login="mlopez")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: isinstance(app.screen, QueueScreen) and app.screen._loaded_once)
        assert not any(b.key == "t" for b in _active_bindings(app))
        await pilot.press("t")
        await pilot.pause()
        assert isinstance(app.screen, QueueScreen)


def _active_bindings(app: CollectorApp) -> list[Binding]:
    """What the footer offers right now (a binding whose check_action says no is not there)."""
    return [a.binding for a in app.active_bindings.values() if a.enabled and a.binding.show]


async def test_a_collector_asks_for_an_override_and_a_supervisor_approves_it(office: Database) -> None:
    from sqlalchemy import select

    from collector_tui.db.models import OverrideRequest, table_of
    from collector_tui.screens.account_panel import AccountPanel
    from collector_tui.screens.approvals import ApprovalsScreen
    from collector_tui.screens.workspace_forms import ContactForm
    from tests.services.test_account_actions import _actor, _callable
    from tests.ui.test_workspace import _choose, _save, _type

    account_id, _, _ = _callable(office, _actor(office))
    closed = NOW.replace(hour=10)
    app = make_app(office, login="mlopez")
    app.clock = lambda: closed
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: isinstance(app.screen, QueueScreen) and app.screen._loaded_once)
        app.push_screen(AccountPanel(account_id))
        await settle(pilot, lambda: isinstance(app.screen, AccountPanel) and app.screen.detail is not None)
        await pilot.press("c")
        await settle(pilot, lambda: isinstance(app.screen, ContactForm))
        form = app.screen
        assert isinstance(form, ContactForm)
        form.query_one("#phone", Select).value = str(form.detail.phones[0].id)
        await _choose(pilot, app, "disposition", "NA")
        await _type(pilot, app, "override_reason", "asked for an early call")
        await _save(pilot, app, ContactForm)
        assert isinstance(app.screen, AccountPanel)
    r = table_of(OverrideRequest).c
    with office.reading() as session:
        assert session.execute(select(r.status).where(r.account_id == account_id)).scalar_one() == "pending"
    boss = make_app(office, login="sreed")
    async with boss.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: isinstance(boss.screen, QueueScreen) and boss.screen._loaded_once)
        await pilot.press("t")
        await settle(pilot, lambda: isinstance(boss.screen, TeamScreen))
        await pilot.press("a")
        await settle(pilot, lambda: isinstance(boss.screen, ApprovalsScreen) and bool(boss.screen.items))
        assert "early call" in plain(boss.screen.query_one("#approval-detail", Static))
        await pilot.press("y")  # asked once, then approved
        await pilot.press("y")
        await settle(pilot, lambda: isinstance(boss.screen, ApprovalsScreen) and not boss.screen.items)
    with office.reading() as session:
        assert session.execute(select(r.status).where(r.account_id == account_id)).scalar_one() == "approved"


async def test_a_supervisor_previews_and_confirms_a_bulk_move_and_the_team_numbers_change(
    office: Database,
) -> None:
    from textual.widgets import Input

    from collector_tui.screens.reassign import ReassignForm

    app = make_app(office, login="sreed")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: isinstance(app.screen, QueueScreen) and app.screen._loaded_once)
        await pilot.press("t")
        await settle(pilot, lambda: isinstance(app.screen, TeamScreen) and app.screen.stats is not None)
        team = app.screen
        assert isinstance(team, TeamScreen) and team.stats is not None
        before = {r.login: r.accounts for r in team.stats.rows}
        assert before["kbrown"] > 0
        await pilot.press("m")
        await settle(pilot, lambda: isinstance(app.screen, ReassignForm))
        form = app.screen
        form.query_one("#to", Input).value = "jchen"
        form.query_one("#from", Input).value = "kbrown"
        form.query_one("#to", Input).focus()
        await pilot.press("ctrl+s")  # nothing moves before a preview
        await pilot.pause()
        assert "preview first" in plain(form.query_one("#form-problems", Static))
        await pilot.press("enter")  # preview
        await settle(pilot, lambda: isinstance(form, ReassignForm) and form.preview is not None)
        shown = plain(form.query_one("#schedule", Static))
        assert f"{before['kbrown']:,} move" in shown and "kbrown" in shown and "jchen" in shown
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: isinstance(app.screen, TeamScreen))
        await settle(
            pilot,
            lambda: team.stats is not None and {r.login: r.accounts for r in team.stats.rows}["kbrown"] == 0,
        )
        after = {r.login: r.accounts for r in team.stats.rows}
        assert after["jchen"] == before["jchen"] + before["kbrown"]
        table = team.query_one("#team-table", DataTable)
        assert table.get_row("kbrown")[1] == "0"
