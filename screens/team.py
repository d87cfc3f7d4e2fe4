"""The team screen (supervisors and admins): each collector's results today, the team's, two charts.

Counted in a worker and refreshed in the background; Enter drills into the
highlighted collector's queue, read only.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import DataTable, Footer, Header, Static
from textual_plotext import PlotextPlot

from collector_tui.domain.money import format_cents
from collector_tui.screens.base import CollectorScreen
from collector_tui.screens.navigation import MoveAccounts, ShowApprovals, ShowQueue
from collector_tui.services.audit import Actor
from collector_tui.services.worklists.assignments import ReassignmentResult
from collector_tui.services.worklists.team_stats import CollectorStats, TeamStats, team_stats
from collector_tui.vocabulary import Role

REFRESH_SECONDS = 60.0
COLUMNS: tuple[tuple[str, str, int], ...] = (
    ("login", "Collector", 12),
    ("accounts", "Accts", 6),
    ("balance", "Balance", 12),
    ("callable", "Call", 5),
    ("worked", "Worked", 6),
    ("attempts", "Att.", 5),
    ("rpc", "RPC", 4),
    ("promises", "Promises", 13),
    ("kept", "Kept", 5),
    ("plans", "Plans", 5),
    ("today", "Collected", 11),
    ("month", "Month", 11),
)


def row_cells(row: CollectorStats) -> list[str | Text]:
    kept = "-" if row.kept_percent is None else f"{row.kept_percent:.0f}%"
    name = row.login if row.active else f"{row.login} (inactive)"
    return [
        Text(name, style="bold" if row.login == "team" else ""),
        f"{row.accounts:,}",
        format_cents(row.balance_cents),
        f"{row.callable_now:,}",
        f"{row.worked:,}",
        f"{row.attempts:,}",
        f"{row.right_party:,}",
        f"{row.promises} · {format_cents(row.promised_cents)}",
        kept,
        f"{row.plans:,}",
        format_cents(row.collected_cents),
        format_cents(row.collected_month_cents),
    ]


class TeamLoaded(Message):
    def __init__(self, stats: TeamStats) -> None:
        super().__init__()
        self.stats = stats


class TeamScreen(CollectorScreen[None]):
    """Team results; Enter opens a collector's queue read only; r refreshes; Esc goes back."""

    CSS_PATH = "team.tcss"
    WORKER_DOING = "count the team's results"
    # A short terminal (80x24) keeps the table; the charts come back with g.
    VERTICAL_BREAKPOINTS = [(0, "-short"), (32, "-tall")]  # noqa: RUF012 - declared so by Textual
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "enter",
            "drill",
            "Queue",
            id="team.queue",
            tooltip="The highlighted collector's queue, read only.",
        ),
        Binding("r", "refresh", "Refresh", id="team.refresh", tooltip="Count again now."),
        Binding("a", "approvals", "Approvals", id="team.approvals", tooltip="Plans and overrides to decide."),
        Binding("m", "move", "Move accounts", id="team.move", tooltip="Reassign accounts, with a preview."),
        Binding("g", "charts", "Charts", id="team.charts", tooltip="Show or hide the charts."),
        Binding("escape", "back", "Back", id="team.back", tooltip="Back to your queue."),
    ]
    HELP = """
## Team results

One row per collector: open accounts and their balance, how many may be called
now, and today's work (accounts worked, call attempts, right-party contacts,
promises taken and their amount, plans created), the share of this month's
resolved promises that were kept, and money collected today and this month on
the accounts they own. The last row is the team. Below: money collected per
day over the last 30 days, and the open balance by age. **Enter** opens the
highlighted collector's queue, read only; **a** the approval list; **m** moves
accounts (a preview first); **r** counts again (it also refreshes every
minute); **Esc** goes back. `collector stats` prints the same numbers.
"""

    def __init__(self) -> None:
        super().__init__()
        self.stats: TeamStats | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Counting the team's results…", id="team-summary")
        yield DataTable(id="team-table", cursor_type="row", zebra_stripes=True)
        with Horizontal(id="charts"):
            yield PlotextPlot(id="collected-chart")
            yield PlotextPlot(id="aging-chart")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#team-table", DataTable)
        for key, label, width in COLUMNS:
            table.add_column(label, key=key, width=width)
        table.focus()
        self.load()
        self.set_interval(REFRESH_SECONDS, self.load)

    @work(thread=True, exclusive=True, group="team", exit_on_error=False)
    def load(self) -> None:
        app = self.collector_app
        self.post_message(TeamLoaded(team_stats(app.db, app.actor, now=app.clock())))

    def on_team_loaded(self, message: TeamLoaded) -> None:
        self.stats = found = message.stats
        table = self.query_one("#team-table", DataTable)
        keep = table.cursor_row
        with self.app.batch_update():
            table.clear()
            for row in found.rows:
                table.add_row(*row_cells(row), key=row.login)
            table.add_row(*row_cells(found.total), key="team")
            if 0 <= keep < table.row_count:
                table.move_cursor(row=keep)
        self.query_one("#team-summary", Static).update(
            f"Today since {found.since:%Y-%m-%d %H:%M} UTC · month from {found.month_start:%Y-%m-%d} · "
            f"counted {found.at:%H:%M:%S} UTC · {len(found.rows)} collectors"
        )
        self._draw(found)

    def _draw(self, found: TeamStats) -> None:
        collected = self.query_one("#collected-chart", PlotextPlot)
        plt = collected.plt
        plt.clear_data()
        plt.clear_figure()
        plt.title("Collected per day, last 30 days ($)")
        days = [day.strftime("%m-%d") for day, _ in found.collected_by_day]
        plt.bar(days, [cents / 100 for _, cents in found.collected_by_day])
        plt.xticks(list(range(1, len(days) + 1, 7)), days[::7])
        collected.refresh()
        aging = self.query_one("#aging-chart", PlotextPlot)
        plt = aging.plt
        plt.clear_data()
        plt.clear_figure()
        plt.title("Open balance by age (days, $)")
        plt.bar([label for label, _, _ in found.aging], [cents / 100 for _, _, cents in found.aging])
        aging.refresh()

    def action_refresh(self) -> None:
        self.load()

    def action_charts(self) -> None:
        self.toggle_class("-charts-toggled")

    def action_move(self) -> None:
        """Reassign accounts; the highlighted collector is the default source."""
        table = self.query_one("#team-table", DataTable)
        source = None
        if table.row_count:
            key = str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)
            source = key if key not in ("team", "(unassigned)") else None

        def moved(result: ReassignmentResult | None) -> None:
            if result is None:
                return
            told = (
                f"; {len(result.claimed)} were open on someone's screen (they are told)"
                if result.claimed
                else ""
            )
            self.notify(
                f"Moved {result.moved.accounts:,} accounts ({format_cents(result.moved.balance_cents)}){told}"
            )
            self.load()

        self.post_message(MoveAccounts(source, moved))

    def action_approvals(self) -> None:
        self.post_message(ShowApprovals())

    def action_drill(self) -> None:
        table = self.query_one("#team-table", DataTable)
        if self.stats is None or table.row_count == 0:
            return
        login = str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)
        row = next((r for r in self.stats.rows if r.login == login and r.collector_id is not None), None)
        if row is None:
            self.notify("Pick a collector's row.", severity="information")
            return
        viewing = Actor(
            login=row.login, collector_id=row.collector_id, role=Role.COLLECTOR, display_name=row.name
        )
        self.post_message(ShowQueue(viewing=viewing))

    @on(DataTable.RowSelected)
    def _selected(self) -> None:
        self.action_drill()
