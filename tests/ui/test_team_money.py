"""The team screen with millions in it: every amount whole at 120 and at 80 columns, dollar axes."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from textual.widgets import DataTable, Static
from textual_plotext import PlotextPlot

from collector_tui.screens.app import CollectorApp
from collector_tui.screens.team import TeamScreen, money_ticks, short_dollars
from collector_tui.services.audit import SYSTEM
from collector_tui.services.database import Database
from collector_tui.services.desk.account_actions import take_payment
from collector_tui.services.team.identity import resolve_actor
from collector_tui.services.team.users import add_user
from tests.conftest import NOW
from tests.services.builders import account, place, placement
from tests.ui.test_app import plain, settle

AMOUNT = re.compile(r"\$[\d,.]+")
WHOLE = re.compile(r"\$\d{1,3}(,\d{3})*\.\d{2}")


@pytest.fixture
def rich_office(db: Database) -> Database:
    """ann owns A-1, $2,636,061.00 before a $1,318,030.50 payment today; bob owns A-2, $250,000.00."""
    with db.writing() as session:
        for login, role in (("ann", "collector"), ("bob", "collector"), ("sue", "supervisor")):
            add_user(session, SYSTEM, login=login, display_name=login.title(), role=role, now=NOW)
    common = {"insurance_pending": "0", "claim_status": "paid", "claim_denial_codes": "", "phone2": ""}
    place(
        db,
        [
            placement(
                account_number="A-1", guarantor_id="G-1", collector_login="ann", total_balance="2,636,061.00",
                patient_responsibility="2,636,061.00", phone1="(614) 555-0101", **common,
            ),
            placement(
                account_number="A-2", guarantor_id="G-2", collector_login="bob", total_balance="250,000.00",
                patient_responsibility="250,000.00", phone1="(614) 555-0102", **common,
            ),
        ],
        now=NOW - timedelta(days=1),
    )  # fmt: skip
    a1 = account(db, "A-1")
    assert a1.id is not None
    take_payment(
        db, resolve_actor(db, login="ann"), a1.id, a1.version, amount_cents=131_803_050, method="ach",
        reference="ACH-1", now=NOW - timedelta(minutes=30),
    )  # fmt: skip
    return db


def _rendered(table: DataTable[object]) -> list[str]:
    """The table's lines as the terminal shows them."""
    return [table.render_line(y).text for y in range(table.size.height)]


@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
async def test_millions_are_shown_whole_at_every_width(rich_office: Database, size: tuple[int, int]) -> None:
    app = CollectorApp(db=rich_office, actor=resolve_actor(rich_office, login="sue"), clock=lambda: NOW)
    async with app.run_test(size=size) as pilot:
        app.push_screen(TeamScreen())
        await settle(pilot, lambda: isinstance(app.screen, TeamScreen) and app.screen.stats is not None)
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, TeamScreen)
        table = screen.query_one("#team-table", DataTable)
        assert table.max_scroll_x == 0  # nothing hides past the right edge, half shown
        lines = _rendered(table)
        ann = next(line for line in lines if line.strip().startswith("ann"))
        team = next(line for line in lines if line.strip().startswith("team"))
        assert ann.count("$1,318,030.50") >= 2  # the balance left, collected today (and this month)
        assert "$1,568,030.50" in team and "$250,000.00" in "".join(lines)
        for line in lines:
            for amount in AMOUNT.findall(line):
                assert WHOLE.fullmatch(amount), (amount, line)
        # Today's callbacks and promises due stay in the table at 80 columns too.
        assert "Callbacks" in lines[0] and "PTPs due" in lines[0]
        hidden = screen.query_one("#team-hidden", Static)
        if len(screen.shown) < 14:  # what did not fit is shown whole for the highlighted row
            shown = plain(hidden)
            assert shown.startswith("ann:")
            for amount in AMOUNT.findall(shown):
                assert WHOLE.fullmatch(amount.rstrip(".;")), amount
        chart = screen.query_one("#collected-chart", PlotextPlot)
        labels = chart.plt.monitor.ylabels[0]  # type: ignore[attr-defined]  # what plt.yticks was given
        assert "$0" in labels and all(label.startswith("$") for label in labels)
        assert any(label.endswith("M") for label in labels), labels


def test_chart_axes_are_labelled_in_dollars() -> None:
    assert [short_dollars(v) for v in (0, 750, 1_200, 2_500, 12_000, 1_318_030.5, 1_300_000)] == [
        "$0", "$750", "$1.2k", "$2.5k", "$12k", "$1.32M", "$1.3M",
    ]  # fmt: skip
    ticks, labels = money_ticks([0.0, 1_318_030.5])
    assert ticks[0] == 0 and ticks[-1] >= 1_318_030.5 and len(ticks) <= 6
    assert labels == ["$0", "$500k", "$1M", "$1.5M"]
    assert money_ticks([]) == ([0.0], ["$0"])
    assert money_ticks([0.0, 90.0])[1] == ["$0", "$25", "$50", "$75", "$100"]
