"""Pilot tests: the keys a collector presses, at a realistic terminal size."""

from __future__ import annotations

import io
from collections.abc import Callable
from zoneinfo import ZoneInfo

import pytest
from rich.console import Console
from textual.pilot import Pilot
from textual.widgets import HelpPanel, Static

from collector_tui.screens.account_panel import AccountPanel
from collector_tui.screens.app import CollectorApp
from collector_tui.screens.queue import QueueScreen, QueueTable
from collector_tui.screens.workspace_forms import LeaveForm
from collector_tui.services.database import Database
from collector_tui.services.team.identity import resolve_actor
from tests.conftest import NOW

SIZE = (120, 40)


def make_app(db: Database, login: str = "mlopez", page_size: int = 200) -> CollectorApp:
    return CollectorApp(db=db, actor=resolve_actor(db, act_as=login), clock=lambda: NOW, page_size=page_size)


async def settle(pilot: Pilot[None], condition: Callable[[], bool], tries: int = 100) -> None:
    """Let workers finish and messages land until ``condition`` holds."""
    for _ in range(tries):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        if condition():
            return
    raise AssertionError("the UI did not reach the expected state")


def plain(widget: Static) -> str:
    """The text a Static shows, whatever Rich renderable it holds."""
    console = Console(width=200, file=io.StringIO(), color_system=None)
    with console.capture() as capture:
        console.print(widget.content)
    return capture.get()


def _table(app: CollectorApp) -> QueueTable:
    return app.screen.query_one(QueueTable)


async def test_opens_on_the_collectors_accounts_and_into_an_account(office: Database) -> None:
    app = make_app(office)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: isinstance(app.screen, QueueScreen) and _table(app).row_count > 0)
        table = _table(app)
        summary = plain(app.screen.query_one("#summary", Static))
        assert f"of {table.row_count:,}" in summary or "scroll for more" in summary
        assert "Maria Lopez" in app.sub_title

        await pilot.press("down", "down", "j", "j", "k")
        assert table.cursor_row == 3
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        number = str(table.get_row_at(3)[1])

        await pilot.press("enter")
        await settle(pilot, lambda: isinstance(app.screen, AccountPanel) and app.screen.detail is not None)
        panel = app.screen
        assert isinstance(panel, AccountPanel)
        assert panel.account_id == int(str(key))
        assert number in plain(panel.query_one("#account-header", Static))
        assert "Maria Lopez" in plain(panel.query_one("#account-header", Static))

        await pilot.press("escape")  # no disposition logged: asked once, then leaves
        assert isinstance(app.screen, LeaveForm)
        await pilot.press("y")
        assert isinstance(app.screen, QueueScreen)
        assert _table(app).cursor_row == 3


async def test_the_account_shows_what_may_be_done_now_and_why_not(office: Database) -> None:
    app = make_app(office)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: isinstance(app.screen, QueueScreen) and _table(app).row_count > 0)
        await pilot.press("enter")
        await settle(pilot, lambda: isinstance(app.screen, AccountPanel) and app.screen.detail is not None)
        panel = app.screen
        assert isinstance(panel, AccountPanel) and panel.detail is not None
        verdict = panel.detail.compliance
        may_i = plain(panel.query_one("#compliance-body", Static))
        for label in ("Call", "Letter", "Credit report", "Legal"):
            assert label in may_i
        # Every blocked action shows its reason and citation; an allowed one says so in words.
        for action in verdict.actions.values():
            for block in action.blocks:
                assert block.reason[:30] in may_i.replace("\n", " ") or block.citation[:10] in may_i
        assert ("✓ allowed" in may_i) == any(a.allowed for a in verdict.actions.values())
        phones = plain(panel.query_one("#phones-body", Static))
        local = NOW.astimezone(ZoneInfo(verdict.home_zone)).strftime("%H:%M")
        assert local in phones  # the consumer's local time at the number
        assert ("✓ may call" in phones) == verdict.callable_now
        await pilot.press("tab", "tab")
        assert app.focused is not None and app.focused.id == "compliance"


async def test_scrolling_to_the_end_loads_the_next_page(demo_db: Database) -> None:
    app = make_app(demo_db, page_size=30)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: isinstance(app.screen, QueueScreen) and _table(app).row_count == 30)
        await pilot.press(*["down"] * 25)
        await settle(pilot, lambda: _table(app).row_count == 60)
        keys = [row.value for row in _table(app).rows]
        assert len(keys) == len(set(keys))


async def test_f1_and_question_mark_toggle_help(demo_db: Database) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: isinstance(app.screen, QueueScreen))
        await pilot.press("f1")
        assert app.screen.query(HelpPanel)
        await pilot.press("f1")
        assert not app.screen.query(HelpPanel)
        await pilot.press("question_mark")
        assert app.screen.query(HelpPanel)


async def test_q_quits(demo_db: Database) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: isinstance(app.screen, QueueScreen))
        await pilot.press("q")
    assert app.return_code == 0


async def test_a_failed_load_shows_no_patient_data(
    demo_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("HARRIS, JAMES 1971-03-09")

    monkeypatch.setattr("collector_tui.screens.queue.queue_page", broken)
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: bool(app._notifications))
        messages = [n.message for n in app._notifications]
        assert any("RuntimeError" in m for m in messages)
        assert not any("HARRIS" in m or "1971" in m for m in messages)


async def test_a_collector_with_no_accounts_is_told_so(demo_db: Database) -> None:
    app = make_app(demo_db, login="sreed")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: "No open accounts" in plain(app.screen.query_one("#summary", Static)))


async def test_crash_report_prints_no_local_variables(
    demo_db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    app = make_app(demo_db)
    secret = "HARRIS-JAMES-1971-03-09"

    def fail_with_phi_in_a_local() -> None:
        guarantor_name = secret  # noqa: F841 - the local a crash report must not print
        raise ValueError("boom")

    with pytest.raises(ValueError, match="boom"):  # noqa: PT012 - the app re-raises on exit
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot, lambda: isinstance(app.screen, QueueScreen))
            app.call_later(fail_with_phi_in_a_local)
            await pilot.pause()
    rendered = capsys.readouterr().err
    assert "ValueError" in rendered
    assert secret not in rendered
