"""Pilot tests of the call queue: the keys a collector presses and what the screen shows."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from textual.command import CommandList, CommandPalette
from textual.pilot import Pilot
from textual.widgets import Input, Static
from typer.testing import CliRunner

from collector_tui.cli.main import app as cli
from collector_tui.domain.entry import parse_filter
from collector_tui.screens.account_panel import AccountPanel
from collector_tui.screens.app import CollectorApp
from collector_tui.screens.queue import QueueScreen, QueueTable, narrowed
from collector_tui.services.database import Database, open_database
from collector_tui.services.worklists.queue import QueueFilter
from tests.conftest import NOW
from tests.ui.test_app import SIZE, make_app, plain, settle


def _table(app: CollectorApp) -> QueueTable:
    return app.screen.query_one(QueueTable)


def _keys(app: CollectorApp) -> list[int]:
    return [int(str(row.value)) for row in _table(app).rows]


def _queue(app: CollectorApp) -> QueueScreen:
    screen = app.screen
    assert isinstance(screen, QueueScreen)
    return screen


async def _ready(pilot: Pilot[None], app: CollectorApp) -> None:
    await settle(pilot, lambda: isinstance(app.screen, QueueScreen) and app.screen._loaded_once)


async def test_the_queue_lists_what_the_cli_lists_in_the_same_order(demo_db: Database, demo_url: str) -> None:
    result = CliRunner().invoke(
        cli, ["--db", demo_url, "queue", "--limit", "50", "--at", NOW.isoformat(), "--json"]
    )
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    expected = [row["account_id"] for row in document["sections"][0]["rows"]]
    app = make_app(demo_db, page_size=50)
    async with app.run_test(size=SIZE) as pilot:
        await _ready(pilot, app)
        assert expected and _keys(app) == expected
        summary = plain(app.screen.query_one("#summary", Static))
        assert f"Call now: 1-50 of {document['sections'][0]['total']:,}" in summary


async def test_sections_show_why_an_account_may_not_be_called(demo_db: Database) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await _ready(pilot, app)
        first = _table(app).get_row_at(0)
        assert "✓ call" in str(first[4])
        why = plain(app.screen.query_one("#why", Static))
        assert "priority" in why and "balance" in why and "✓ may call now" in why
        await pilot.press("s")
        await settle(pilot, lambda: "Not callable now" in plain(app.screen.query_one("#summary", Static)))
        await pilot.press("s")
        await settle(pilot, lambda: plain(app.screen.query_one("#summary", Static)).startswith("On hold"))
        assert all("✗" in str(_table(app).get_row_at(i)[4]) for i in range(_table(app).row_count))
        assert "until resolved" in plain(app.screen.query_one("#why", Static))


async def test_the_filter_narrows_the_queue_and_escape_clears_it(demo_db: Database) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await _ready(pilot, app)
        everyone = _table(app).row_count
        await pilot.press("slash")
        assert isinstance(app.focused, Input)
        await pilot.press(*"state:OH", "enter")
        await settle(pilot, lambda: "filter: state OH" in plain(app.screen.query_one("#summary", Static)))
        assert 0 < _table(app).row_count < everyone
        assert all("EST" in str(_table(app).get_row_at(i)[5]) for i in range(_table(app).row_count))
        await pilot.press("escape")
        await settle(pilot, lambda: _table(app).row_count == everyone)


def test_the_filter_box_replaces_the_filter_but_keeps_the_section_and_the_age_bucket() -> None:
    """The words are read in the domain (tests/domain/test_entry.py); the screen narrows by them."""
    before = QueueFilter(section="hold", age_bucket="0-30", state="OH", text="SMITH")
    chosen = narrowed(before, parse_filter("state:tx bal:100-500.50 A-10"))
    assert chosen == QueueFilter(
        section="hold",
        age_bucket="0-30",
        state="TX",
        min_balance_cents=10_000,
        max_balance_cents=50_050,
        text="A-10",
    )
    assert narrowed(chosen, parse_filter("age:61-90")) == QueueFilter(section="hold", age_bucket="61-90")


async def test_refresh_keeps_the_cursor_on_the_same_account(demo_db: Database) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await _ready(pilot, app)
        await pilot.press("down", "down", "down")
        key = _keys(app)[3]
        await pilot.press("r")
        await settle(pilot, lambda: not _queue(app)._loading)
        table = _table(app)
        assert int(str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)) == key


async def test_the_palette_finds_an_account_by_number(office: Database) -> None:
    app = make_app(office)
    async with app.run_test(size=SIZE) as pilot:
        await _ready(pilot, app)
        await pilot.press("s", "s")  # an account on hold: not in the calling order, still findable
        await settle(pilot, lambda: plain(app.screen.query_one("#summary", Static)).startswith("On hold"))
        target = _keys(app)[0]
        number = str(_table(app).get_row_at(0)[1])
        await pilot.press("ctrl+p")
        await pilot.press(*number)

        def hits() -> int:
            screen = app.screen
            return screen.query_one(CommandList).option_count if isinstance(screen, CommandPalette) else 0

        await settle(pilot, lambda: hits() > 0, tries=300)
        assert hits() == 1
        await pilot.press("down", "enter")
        await settle(pilot, lambda: isinstance(app.screen, AccountPanel) and app.screen.detail is not None)
        assert isinstance(app.screen, AccountPanel) and app.screen.account_id == target


async def test_n_never_hands_one_account_to_two_sessions(demo_path: Path, tmp_path: Path) -> None:
    copy = tmp_path / "demo.db"
    shutil.copyfile(demo_path, copy)
    dbs = [open_database(f"sqlite:///{copy}") for _ in range(2)]
    opened: list[int] = []
    try:
        for db in dbs:
            app = make_app(db)
            async with app.run_test(size=SIZE) as pilot:
                await _ready(pilot, app)
                await pilot.press("n")

                def account_shown(app: CollectorApp = app) -> bool:
                    return isinstance(app.screen, AccountPanel) and app.screen.detail is not None

                await settle(pilot, account_shown)
                assert isinstance(app.screen, AccountPanel)
                opened.append(app.screen.account_id)
        assert len(opened) == 2 and opened[0] != opened[1]
    finally:
        for db in dbs:
            db.close()


async def test_back_from_an_account_the_queue_is_as_it_is_now(office: Database) -> None:
    """No `r`: coming back shows the account just worked out of the call list, and the local
    times of the moment the collector came back."""
    from datetime import timedelta

    from collector_tui.screens.workspace_forms import ContactForm
    from tests.ui.test_workspace import _choose, _save

    moments = [NOW]
    app = make_app(office)
    app.clock = lambda: moments[-1]
    async with app.run_test(size=SIZE) as pilot:
        await _ready(pilot, app)
        before = {key: _queue(app).rows[key].local_time for key in _keys(app)}
        await pilot.press("n")
        await settle(pilot, lambda: isinstance(app.screen, AccountPanel) and app.screen.detail is not None)
        assert isinstance(app.screen, AccountPanel)
        worked = app.screen.account_id
        await pilot.press("c")
        await settle(pilot, lambda: isinstance(app.screen, ContactForm))
        await _choose(pilot, app, "disposition", "NA")
        await _save(pilot, app, ContactForm)
        moments.append(NOW + timedelta(minutes=7))
        await pilot.press("escape")
        await settle(pilot, lambda: isinstance(app.screen, QueueScreen) and worked not in _keys(app))
        after = {key: _queue(app).rows[key].local_time for key in _keys(app)}
        assert all(after[key] != before[key] for key in after if key in before)


async def test_at_80x24_the_queue_keeps_whole_what_picks_the_call(demo_db: Database) -> None:
    """Account, Name, Balance, Now (a mark and a word) and Age fit whole at 80 columns, every
    amount whole; the local time and next step are in the pane below; the wide layout is back at
    120."""
    from collector_tui.domain.money import format_cents

    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await _ready(pilot, app)
        table = _table(app)
        await pilot.pause()
        header = table.render_line(0).text
        assert header.split() == ["Account", "Name", "Balance", "Now", "Age", "Pts"]
        queue = _queue(app)
        shown = 0
        for y in range(1, table.size.height):
            line = table.render_line(y).text
            number = line.split()[0] if line.strip() else ""
            row = next((r for r in queue.rows.values() if r.account_number == number), None)
            if row is None:
                continue
            shown += 1
            assert format_cents(row.balance_cents) in line and row.age_bucket in line
            assert ("✓" in line) if row.callable_now else ("✗" in line)
            assert len(line.rstrip()) <= 80
        assert shown >= 5
        why = plain(app.screen.query_one("#why", Static))
        assert "local " in why and "last contact" in why
        await pilot.press("s")
        await settle(pilot, lambda: "Not callable now" in plain(app.screen.query_one("#summary", Static)))
        await pilot.pause()
        assert "✗ window" in "".join(table.render_line(y).text for y in range(1, table.size.height))
        await pilot.resize_terminal(120, 40)
        await settle(pilot, lambda: table.render_line(0).text.split()[:2] == ["Pts", "Account"])
