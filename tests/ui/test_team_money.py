"""The team screen with millions in it: every amount whole at 120 and at 80 columns, dollar axes."""

from __future__ import annotations

import re

import pytest
from textual.widgets import DataTable, Static
from textual_plotext import PlotextPlot

from collector_tui.screens.app import CollectorApp
from collector_tui.screens.team import TeamScreen, money_ticks, short_dollars
from collector_tui.services.database import Database
from collector_tui.services.team.identity import resolve_actor
from tests.conftest import NOW
from tests.ui.test_app import plain, settle

AMOUNT = re.compile(r"\$[\d,.]+")
WHOLE = re.compile(r"\$\d{1,3}(,\d{3})*\.\d{2}")


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
