"""The team screen (supervisors and admins): each collector's results today, the team's, their
denial work, two charts.

Counted in a worker and refreshed in the background; Enter drills into the
highlighted collector's queue, read only. Columns are as wide as their widest
cell; when they do not all fit, the least needed ones leave the table (the line
under it shows them for the highlighted row), so no amount is ever cut. The
denial columns are among the least needed: a supervisor reads the team's
denials in the panel under the table at any width, which lists the top reasons
and payers that fit and counts the rest as one entry, never a half one.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import ClassVar
from zoneinfo import ZoneInfo

from rich.cells import cell_len
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.events import Resize
from textual.message import Message
from textual.widgets import DataTable, Footer, Header, Static
from textual_plotext import PlotextPlot

from collector_tui.domain.money import format_cents
from collector_tui.screens.base import CollectorScreen
from collector_tui.screens.navigation import MoveAccounts, ShowApprovals, ShowQueue
from collector_tui.services.audit import Actor
from collector_tui.services.worklists.assignments import ReassignmentResult
from collector_tui.services.worklists.team_stats import (
    CollectorStats,
    DenialCount,
    DenialResults,
    TeamStats,
    team_stats,
)
from collector_tui.vocabulary import Role

REFRESH_SECONDS = 60.0
COLUMNS: tuple[tuple[str, str], ...] = (
    ("login", "Collector"),
    ("accounts", "Accts"),
    ("balance", "Balance"),
    ("callable", "Call"),
    ("callbacks", "Callbacks"),
    ("promises_due", "PTPs due"),
    ("worked", "Worked"),
    ("attempts", "Att."),
    ("rpc", "RPC"),
    ("promises", "Promises"),
    ("kept", "Kept"),
    ("plans", "Plans"),
    ("today", "Collected"),
    ("month", "Month"),
    ("denials", "Denials"),
    ("recovered", "Recovered"),
    ("overturned", "Overturned"),
    ("written_off", "Written off"),
)
LABELS = dict(COLUMNS)
# Which columns stay when the table is too narrow for all: the first ones here (the collector, the
# money and today's callbacks and promises); the rest leave from the end of this list first. The
# denial columns are among the least needed (the panel under the table has the team's denials at
# any width): the overturned count and the write-offs leave first of all; opened→worked and what
# overturned items recovered stay longer than the call details (attempts, right-party contacts,
# plans), so a wide window on a small office shows them in the table.
KEEP_ORDER = (
    "login",
    "balance",
    "today",
    "callbacks",
    "promises_due",
    "accounts",
    "worked",
    "month",
    "callable",
    "promises",
    "kept",
    "denials",
    "recovered",
    "attempts",
    "rpc",
    "plans",
    "overturned",
    "written_off",
)


def row_cells(row: CollectorStats) -> list[str | Text]:
    """The row's cells in COLUMNS order: whole numbers and whole amounts, never shortened."""
    kept = "-" if row.kept_percent is None else f"{row.kept_percent:.0f}%"
    name = row.login if row.active else f"{row.login} (inactive)"
    return [
        Text(name, style="bold" if row.login == "team" else ""),
        f"{row.accounts:,}",
        format_cents(row.balance_cents),
        f"{row.callable_now:,}",
        f"{row.callbacks_done:,}/{row.callbacks_due:,}",
        f"{row.promises_done:,}/{row.promises_due:,}",
        f"{row.worked:,}",
        f"{row.attempts:,}",
        f"{row.right_party:,}",
        f"{row.promises} · {format_cents(row.promised_cents)}",
        kept,
        f"{row.plans:,}",
        format_cents(row.collected_cents),
        format_cents(row.collected_month_cents),
        f"{row.denials_opened:,}→{row.denials_worked:,}",
        format_cents(row.denials_recovered_cents),
        f"{row.denials_overturned:,}",
        format_cents(row.denials_written_off_cents),
    ]


def _width(cell: str | Text) -> int:
    return cell.cell_len if isinstance(cell, Text) else cell_len(cell)


def fit_columns(rows: Sequence[Sequence[str | Text]], available: int, padding: int = 1) -> list[str]:
    """The columns (keys, in COLUMNS order) that fit ``available`` cells, each as wide as its widest
    cell or label plus ``padding`` each side; the columns late in KEEP_ORDER leave first."""
    widths = {
        key: max([cell_len(label), *(_width(row[i]) for row in rows)]) + 2 * padding
        for i, (key, label) in enumerate(COLUMNS)
    }
    kept = list(KEEP_ORDER)
    while len(kept) > 1 and sum(widths[key] for key in kept) > available:
        kept.pop()
    return [key for key, _ in COLUMNS if key in kept]


def pack(parts: Sequence[str], width: int, sep: str = " · ") -> list[str]:
    """``parts`` joined by ``sep`` into lines of at most ``width`` cells, broken only between parts:
    a number and its amount stay on one line (a part wider than ``width`` is a line of its own)."""
    lines: list[str] = []
    for part in parts:
        if lines and cell_len(lines[-1] + sep + part) <= width:
            lines[-1] += sep + part
        else:
            lines.append(part)
    return lines


def _counted(count: DenialCount) -> str:
    return f"{count.key} ×{count.items:,} {format_cents(count.denied_cents)}"


def top_lines(title: str, counts: Sequence[DenialCount], found: DenialResults, width: int) -> list[str]:
    """The most frequent reasons (or payers) on one line: as many as fit ``width``, whole, then the
    items of the rest as one "other" entry (both lists split the period's opened items, so "other"
    is exact even past the top the service counted). At least the first, on a second line with
    "other" if one line is too narrow for both."""
    if not counts:
        return [f"{title}: none"]
    chosen: list[str] = []
    for shown in range(1, len(counts) + 1):
        entries = [_counted(count) for count in counts[:shown]]
        items = found.opened - sum(count.items for count in counts[:shown])
        if items > 0:
            cents = found.opened_cents - sum(count.denied_cents for count in counts[:shown])
            entries.append(f"other ×{items:,} {format_cents(cents)}")
        entries[0] = f"{title}: {entries[0]}"
        if chosen and cell_len(" · ".join(entries)) > width:
            break
        chosen = entries
    return pack(chosen, width)


def denial_lines(found: DenialResults, width: int) -> list[str]:
    """The denials panel: the team's totals for the period (wrapped between numbers, never inside
    one), then a line of the top reasons by CARC and one of the top payers. Codes, payers, counts
    and money only: the panel names no patient."""
    totals = [
        f"Denials: {found.opened:,} opened ({format_cents(found.opened_cents)} denied)",
        f"{found.worked:,} worked",
        f"{found.overturned:,} overturned ({format_cents(found.recovered_cents)} recovered)",
        f"{format_cents(found.written_off_cents)} written off",
    ]
    return [
        *pack(totals, width),
        *top_lines("By CARC", found.by_carc, found, width),
        *top_lines("By payer", found.by_payer, found, width),
    ]


def short_dollars(dollars: float) -> str:
    """A chart's axis label: ``$0``, ``$750``, ``$12k``, ``$2.5k``, ``$1.3M``."""
    for size, unit in ((1_000_000, "M"), (1_000, "k")):
        if abs(dollars) >= size:
            return f"${dollars / size:.2f}".rstrip("0").rstrip(".") + unit
    return f"${dollars:,.0f}"


def money_ticks(values: Sequence[float], count: int = 4) -> tuple[list[float], list[str]]:
    """The y axis of a chart of dollar ``values``: round steps from $0 past the largest, labelled
    in dollars (short units: the axis says what a bar is near, the table says what it is)."""
    top = max([0.0, *values])
    if top <= 0:
        return [0.0], ["$0"]
    raw = top / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    ticks = [step * i for i in range(math.ceil(top / step) + 1)]
    return ticks, [short_dollars(tick) for tick in ticks]


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
now, today's callbacks and the promises due today (done/due: a callback is done
when the account was worked at or after its time; a promise when kept or paid),
today's work (accounts worked, call attempts, right-party contacts, promises
taken and their amount, plans created), the share of this month's resolved
promises that were kept, and money collected today and this month on the
accounts they own; then their denials: the items opened today → the items
they worked (logged an action on), what the items a payer paid after all
recovered, how many those were (overturned) and the denied money written
off. The last row is the team (an item two people worked counts once).
"Today" is the office's day, in its time zone (shown at the top). When the
window is too narrow for every column, the least needed leave the table and
the line below it shows them for the highlighted row (the denial columns are
among them). Under the table, the team's denials today: opened, worked,
overturned and recovered, written off, and the most frequent reasons (CARC)
and payers, with their items and denied money (on a short window **g** shows
the charts in their place). Below: money collected per day over the last 30
days, and the open balance by age. **Enter** opens the highlighted
collector's queue, read only; **a** the approval list; **m** moves accounts (a
preview first); **r** counts again (it also refreshes every minute); **Esc**
goes back. `collector stats` prints the same numbers.
"""

    def __init__(self) -> None:
        super().__init__()
        self.stats: TeamStats | None = None
        self.shown: list[str] = [key for key, _ in COLUMNS]  # the columns the table has now

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Counting the team's results…", id="team-summary")
        yield DataTable(id="team-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="team-hidden")
        yield Static("", id="team-denials")
        with Horizontal(id="charts"):
            yield PlotextPlot(id="collected-chart")
            yield PlotextPlot(id="aging-chart")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#team-table", DataTable)
        for key, label in COLUMNS:
            table.add_column(label, key=key)
        table.focus()
        self.load()
        self.set_interval(REFRESH_SECONDS, self.load)

    @work(thread=True, exclusive=True, group="team", exit_on_error=False)
    def load(self) -> None:
        app = self.collector_app
        self.post_message(TeamLoaded(team_stats(app.db, app.actor, now=app.clock())))

    def on_team_loaded(self, message: TeamLoaded) -> None:
        self.stats = found = message.stats
        self._fill()
        zone = ZoneInfo(found.time_zone)  # the office's, checked by the service
        since, month, at = (moment.astimezone(zone) for moment in (found.since, found.month_start, found.at))
        self.query_one("#team-summary", Static).update(
            f"Since {since:%Y-%m-%d %H:%M} · month from {month:%Y-%m-%d} · counted {at:%H:%M:%S} "
            f"({found.time_zone}) · {len(found.rows)} collectors · callbacks, PTPs due today: done/due"
            " · denials: opened→worked"
        )
        self._draw(found)

    def _fill(self) -> None:
        """The table again: the columns that fit its width, each as wide as its widest cell."""
        if self.stats is None:
            return
        found = self.stats
        table = self.query_one("#team-table", DataTable)
        rows = [(row.login, row_cells(row)) for row in found.rows] + [("team", row_cells(found.total))]
        available = (table.size.width or self.size.width) - table.scrollbar_size_vertical
        shown = fit_columns([cells for _, cells in rows], available, table.cell_padding)
        keep = table.cursor_row
        with self.app.batch_update():
            if shown != self.shown:
                table.clear(columns=True)
                for key in shown:
                    table.add_column(LABELS[key], key=key)
                self.shown = shown
            else:
                table.clear()
            index = [i for i, (key, _) in enumerate(COLUMNS) if key in shown]
            for login, cells in rows:
                table.add_row(*(cells[i] for i in index), key=login)
            if 0 <= keep < table.row_count:
                table.move_cursor(row=keep)
        self._show_hidden()
        self._show_denials()

    def _show_denials(self) -> None:
        """The team's denials, laid out again for the panel's width (it changes with the window)."""
        if self.stats is None:
            return
        panel = self.query_one("#team-denials", Static)
        width = panel.content_size.width or self.size.width - 2
        lines = denial_lines(self.stats.denials, max(width, 20))
        shown = Text("\n").join(Text(line) for line in lines)
        shown.highlight_words(["Denials:", "By CARC:", "By payer:"], style="bold")
        panel.update(shown)

    def _show_hidden(self) -> None:
        """The highlighted row's numbers that did not fit the table, whole."""
        line = self.query_one("#team-hidden", Static)
        table = self.query_one("#team-table", DataTable)
        hidden = [i for i, (key, _) in enumerate(COLUMNS) if key not in self.shown]
        if self.stats is None or not hidden or table.row_count == 0:
            line.update("")
            line.display = False
            return
        login = str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)
        row = self.stats.total if login == "team" else next(r for r in self.stats.rows if r.login == login)
        cells = row_cells(row)
        parts = [f"{COLUMNS[i][1]} {cells[i]}" for i in hidden]
        parts[0] = f"{login}: {parts[0]}"
        # Broken between numbers only: a label stays with its number ("Denials 4→3"), an amount whole.
        width = line.content_size.width or self.size.width - 2
        line.update(Text("\n".join(pack(parts, max(width, 20), sep="; "))))
        line.display = True

    def on_resize(self, event: Resize) -> None:
        self.call_after_refresh(self._fill)

    @on(DataTable.RowHighlighted)
    def _highlighted(self) -> None:
        self._show_hidden()

    def _draw(self, found: TeamStats) -> None:
        collected = self.query_one("#collected-chart", PlotextPlot)
        plt = collected.plt
        plt.clear_data()
        plt.clear_figure()
        plt.title("Collected per day, last 30 days")
        days = [day.strftime("%m-%d") for day, _ in found.collected_by_day]
        dollars = [cents / 100 for _, cents in found.collected_by_day]
        plt.bar(days, dollars)
        plt.xticks(list(range(1, len(days) + 1, 7)), days[::7])
        plt.yticks(*money_ticks(dollars))
        collected.refresh()
        aging = self.query_one("#aging-chart", PlotextPlot)
        plt = aging.plt
        plt.clear_data()
        plt.clear_figure()
        plt.title("Open balance by age (days)")
        balances = [cents / 100 for _, _, cents in found.aging]
        plt.bar([label for label, _, _ in found.aging], balances)
        plt.yticks(*money_ticks(balances))
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
