"""The denial worklist: which denied claim next, why this one and why now, a keystroke away.

The acting collector's open denial items, highest score first, as keyset pages loaded in thread
workers (like the call queue: never a whole table). The strip on top counts the items by the four
CAQH CORE scenarios and, under the one chosen, by what fixes them; choosing one narrows the list.
The pane below explains the highlighted item: every code in plain words with its usual next step,
the payer's phone, the deadlines, the alarms, the "why this item, why now" factors and what was
done on it. ``n`` takes the top item (a lease, so two sessions never work the same one); each
action is a small form (``screens/denial_forms``) and the list reloads after it.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any, ClassVar

from rich.console import Group, RenderableType
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import DataTable, Header, Static
from textual.worker import Worker

from collector_tui.domain.money import format_cents
from collector_tui.domain.phones import format_national
from collector_tui.screens.base import (
    NARROW_WIDTH,
    CollectorScreen,
    Columns,
    KeysFooter,
    lay_out_columns,
    relay_columns,
)
from collector_tui.screens.denial_forms import (
    AppealForm,
    BillingForm,
    ConfirmMoney,
    DenialForm,
    OtherPayerForm,
    PayerCallForm,
    UpheldForm,
    WriteOffForm,
)
from collector_tui.services.desk.accounts import denial_glossary
from collector_tui.services.desk.denial_actions import DenialActionResult, move_to_patient
from collector_tui.services.worklists.denial_worklist import (
    ActionLine,
    Cursor,
    DenialDetail,
    WorklistFilter,
    WorklistGroup,
    WorklistPage,
    WorklistRow,
    claim_next_denial,
    denial_detail,
    release_denial,
    worklist_groups,
    worklist_page,
)
from collector_tui.vocabulary import (
    AppealLevel,
    ApprovalStatus,
    DenialActionKind,
    DenialCategory,
    DenialScenario,
)

PAGE_SIZE = 200
PREFETCH_MARGIN = 10
NO_DESCRIPTION = "no description on file"
# The scenarios' labels are CORE's long names; the strip has room for a few words each.
SCENARIO_SHORT: dict[str, str] = {
    DenialScenario.DOCUMENTATION: "Documentation",
    DenialScenario.CLAIM_DATA: "Claim data",
    DenialScenario.NOT_COVERED: "Not covered",
    DenialScenario.NOT_SEPARATELY_PAYABLE: "Not payable",
}
SHORT_DEADLINES = {"corrected claim": "corrected"}  # the table's column has room for a word
SCENARIO_CYCLE: tuple[str | None, ...] = (None, *(s.value for s in DenialScenario))


def _label(term: type[DenialCategory] | type[DenialActionKind] | type[AppealLevel], code: str) -> str:
    """A stored code's words, or the code itself when a newer program wrote one this one lacks."""
    return term(code).label if code in term.codes() else code


def _days(day: date, today: date) -> str:
    """In words that need no colour: ``9 days``, ``today``, ``3 days late``."""
    left = (day - today).days
    if left == 0:
        return "today"
    if left < 0:
        return f"{-left} day{'s' if left != -1 else ''} late"
    return f"{left} day{'s' if left != 1 else ''}"


def _deadlines(row: WorklistRow) -> list[tuple[str, date]]:
    found = [
        ("appeal", row.appeal_deadline),
        ("corrected claim", row.corrected_claim_deadline),
        ("answer due", row.response_due),
    ]
    return [(name, day) for name, day in found if day is not None]


def nearest_deadline(row: WorklistRow, today: date) -> str:
    """The next deadline still ahead, in words (``appeal 9 days``); when all have passed, the last
    one missed (``appeal 3 days late``), or ``past all deadlines``."""
    dated = [(SHORT_DEADLINES.get(name, name), day) for name, day in _deadlines(row)]
    ahead = sorted((day, name) for name, day in dated if day >= today)
    if ahead:
        day, name = ahead[0]
        return f"{name} {_days(day, today)}"
    if dated:
        day, name = max((day, name) for name, day in dated)
        return f"{name} {_days(day, today)}" + (" · past all" if row.past_deadline else "")
    return "no deadline on file"


def payer_phone_words(row: WorklistRow) -> str:
    """The payer's claims line as a person reads it aloud, or that none is on file."""
    return f"phone {format_national(row.payer_phone)}" if row.payer_phone else "no phone on file"


def _code_lines(row: WorklistRow) -> list[Text]:
    """Every code on the claim with its plain meaning and usual next step."""
    glossary = denial_glossary()
    lines = []
    for code in row.codes or (row.carc,):
        note = glossary.explain(code)
        line = Text.assemble(("  " + code.ljust(7), "bold"), " ")
        if note.known:
            line.append(f"{note.meaning} → {note.next_action}")
        else:
            line.append(NO_DESCRIPTION, style="italic")
        lines.append(line)
    return lines


def _action_words(action: ActionLine) -> str:
    kind = _label(DenialActionKind, action.kind)
    parts = [f"{action.occurred_at:%m-%d %H:%M} {action.by or 'payer file'} · {kind}"]
    if action.appeal_level:
        parts.append(_label(AppealLevel, action.appeal_level))
    if action.frequency_code:
        parts.append(f"frequency {action.frequency_code}")
    if action.representative:
        parts.append(f"rep {action.representative}")
    if action.reference:
        parts.append(f"ref {action.reference}")
    if action.other_payer:
        parts.append(f"to {action.other_payer}")
    if action.amount_cents:
        parts.append(format_cents(action.amount_cents))
    if action.approval and action.approval != ApprovalStatus.NOT_NEEDED:
        parts.append(ApprovalStatus(action.approval).label.lower())
    if action.note:
        parts.append(f'"{action.note}"')
    return " · ".join(parts)


def describe_item(row: WorklistRow | None, detail: DenialDetail | None, today: date) -> RenderableType:
    """The detail pane: the codes, the payer's phone, the deadlines, the alarms, why this item now,
    and (once :func:`denial_detail` has answered for this item) everything done on it."""
    if row is None:
        return Text("No denial item highlighted.", style="dim")
    icn = f" · ICN {row.payer_claim_number}" if row.payer_claim_number else " · no ICN on file"
    head = Text.assemble(
        (f"Item {row.id} · {row.facility_code} {row.account_number} · claim {row.claim_number}{icn}", "bold")
    )
    category = _label(DenialCategory, row.category)
    scenario = SCENARIO_SHORT.get(row.scenario, row.scenario)
    money = Text(
        f"{row.payer_name} · {payer_phone_words(row)} · denied {format_cents(row.denied_cents)}"
        f" · patient's share {format_cents(row.patient_cents)} · {scenario} › {category}"
    )
    parts: list[RenderableType] = [head, money, Text("Codes:", style="bold"), *_code_lines(row)]
    dated = _deadlines(row)
    deadlines = " · ".join(f"{name} {day.isoformat()} ({_days(day, today)})" for name, day in dated)
    parts.append(Text(f"Deadlines: {deadlines or 'none on file'}"))
    if row.past_deadline:
        parts.append(Text("✗ past every deadline: appeal or correction is no longer possible", style="bold"))
    parts.extend(Text(f"⚠ {alarm}", style="bold") for alarm in row.alarms)
    why = Text.assemble(("Why this item, why now: ", "bold"), f"{row.points} points = ")
    why.append(" + ".join(f"{f.name} {f.value} ({f.points})" for f in row.factors) or "no factors")
    parts.append(why)
    if detail is None or detail.row.id != row.id:
        parts.append(Text("History: loading…", style="dim"))
    elif not detail.actions:
        parts.append(Text("History: nothing done on this item yet."))
    else:
        parts.append(Text("History:", style="bold"))
        parts.extend(Text("  " + _action_words(action)) for action in detail.actions)
    return Group(*parts)


# Each column: key, heading, width (None: as wide as its widest cell, so no amount is ever cut).
# Fixed widths that fit 120 (and 80) columns with room: an amount or a deadline is never cut
# ("$12,345,678.90" is 14; "corrected 164 days late" 23), a payer's or a meaning's text may be.
WIDE_COLUMNS: Columns = (
    ("points", Text("Pts", justify="right"), 4),
    ("payer", "Payer", 15),
    ("claim", "Claim / ICN", 17),
    ("code", "Code · meaning", 22),
    ("denied", Text("Denied", justify="right"), 14),
    ("deadline", "Nearest deadline", 23),
    ("alarms", "Alarm", 5),
)
NARROW_COLUMNS: Columns = (
    ("points", Text("Pts", justify="right"), 4),
    ("payer", "Payer", 12),
    ("code", "Code", 7),
    ("denied", Text("Denied", justify="right"), 14),
    ("deadline", "Deadline", 25),
)


class DenialTable(DataTable[str | Text]):
    """The worklist, with vi keys as well as the arrows; its help is the screen's (the help panel
    shows the focused widget's, and the table has the focus, as in the call queue)."""

    HELP = """
## Denial worklist

The claims payers denied, highest priority first: a near appeal deadline,
a large denied amount and an item never worked come first. The strip on
top counts them by scenario; **g** cycles the scenario, **Tab** the category
under it, **Esc** clears the filter (and, with none, goes back).

- **n** claims the top item (no other session gets it) and highlights it.
- **c** logs a payer call, **p** files an appeal, **b** asks billing for a
  corrected claim (7), a void (8) or a resubmission, **o** bills another payer.
- **m** moves the patient's share to the patient, **x** writes off (both ask
  first, naming the amount; beyond the limit a supervisor decides), **u** closes
  the item as upheld.
- **r** refreshes; **d** moves to the pane below to scroll it (**d** again: back to
  the list); **w** or Esc goes back to the call queue.

The pane below explains the highlighted item: every code in plain words with its
next step, the payer's phone, the deadlines, the alarms, why this item now, and
what was done on it.
"""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Down", show=False, id="denials.down"),
        Binding("k", "cursor_up", "Up", show=False, id="denials.up"),
    ]


class WorklistLoaded(Message):
    def __init__(self, page: WorklistPage, chosen: WorklistFilter, *, append: bool, keep: int | None) -> None:
        super().__init__()
        self.page = page
        self.chosen = chosen  # the filter it was loaded for (a page of an older filter is dropped)
        self.append = append
        self.keep = keep  # the item to keep the cursor on


class GroupsLoaded(Message):
    def __init__(self, groups: tuple[WorklistGroup, ...]) -> None:
        super().__init__()
        self.groups = groups


class DetailLoaded(Message):
    def __init__(self, detail: DenialDetail) -> None:
        super().__init__()
        self.detail = detail


class DenialClaimed(Message):
    def __init__(self, item_id: int | None) -> None:
        super().__init__()
        self.item_id = item_id


class ActionDone(Message):
    def __init__(self, result: DenialActionResult) -> None:
        super().__init__()
        self.result = result


class DenialWorklistScreen(CollectorScreen[None]):
    """The acting collector's denial worklist (``w`` from the call queue; ``w`` or Esc goes back)."""

    CSS_PATH = "denials.tcss"
    WORKER_DOING = "load your denial worklist"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "next", "Next", id="denials.next", tooltip="Claim the top denial item to work."),
        Binding("c", "call", "Payer call", id="denials.call", tooltip="Log a call to the payer."),
        Binding(
            "p", "appeal", "Appeal", id="denials.appeal", tooltip="File an appeal (level 1, 2, external)."
        ),
        Binding(
            "b",
            "billing",
            "Billing",
            id="denials.billing",
            tooltip="A billing task: corrected claim (7), void (8) or resubmission.",
        ),
        Binding("o", "other_payer", "Other payer", id="denials.other_payer", tooltip="Bill another payer."),
        Binding(
            "m",
            "patient",
            "To patient",
            id="denials.patient",
            tooltip="Move the patient's share the payer assigned to the patient (asks first).",
        ),
        Binding(
            "x",
            "write_off",
            "Write off",
            id="denials.write_off",
            tooltip="Write off the denied amount (asks first; beyond the limit a supervisor decides).",
        ),
        Binding("u", "upheld", "Upheld", id="denials.upheld", tooltip="Close: the payer upheld the denial."),
        Binding("g", "scenario", "Scenario", id="denials.scenario", tooltip="Cycle the scenario filter."),
        Binding(
            "tab",
            "category",
            "Category",
            show=False,  # the strip says "Tab category" where it applies
            id="denials.category",
            tooltip="Cycle the category under the chosen scenario.",
        ),
        Binding("r", "refresh", "Refresh", id="denials.refresh", tooltip="Reload the worklist."),
        Binding(
            "d",
            "pane",
            "Pane",
            show=False,
            id="denials.pane",
            tooltip="Focus the item's pane to scroll it with the arrows (d again: back to the list).",
        ),
        Binding(
            "escape",
            "clear_or_back",
            "Clear/back",
            show=False,
            id="denials.clear",
            tooltip="Clear the filter, or go back.",
        ),
        Binding("w", "back", "Queue", id="denials.back", tooltip="Back to the call queue."),
    ]

    def __init__(self, *, page_size: int = PAGE_SIZE) -> None:
        super().__init__()
        self.page_size = page_size
        self.chosen = WorklistFilter()
        self.rows: dict[int, WorklistRow] = {}
        self.groups: tuple[WorklistGroup, ...] = ()
        self.detail: DenialDetail | None = None
        self.claimed: int | None = None  # the item this session leased with n
        self._next_cursor: Cursor | None = None
        self._loading = False
        self._loaded_once = False
        self._narrow = False
        # The office's day the service worked the alarms out for (the clock's until a page loads).
        self._today: date | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Loading your denial worklist…", id="denials-summary")
        yield Static("", id="denial-groups")
        yield DenialTable(id="denials", cursor_type="row", zebra_stripes=True)
        with VerticalScroll(id="denial-pane"):
            yield Static("", id="denial-detail")
        yield KeysFooter()

    def on_mount(self) -> None:
        table = self.query_one(DenialTable)
        self._add_columns(table)
        table.focus()
        self.reload()

    # -- loading ------------------------------------------------------------------------------

    def reload(self, *, keep: int | None = None) -> None:
        self._loading = True
        self.load_page(self.chosen, None, False, keep)
        self.load_groups()

    @work(thread=True, exclusive=True, group="denial-page", exit_on_error=False)
    def load_page(self, chosen: WorklistFilter, after: Cursor | None, append: bool, keep: int | None) -> None:
        app = self.collector_app
        page = worklist_page(
            app.db, app.actor, now=app.clock(), chosen=chosen, after=after, limit=self.page_size
        )
        self.post_message(WorklistLoaded(page, chosen, append=append, keep=keep))

    @work(thread=True, exclusive=True, group="denial-groups", exit_on_error=False)
    def load_groups(self) -> None:
        app = self.collector_app
        self.post_message(GroupsLoaded(worklist_groups(app.db, app.actor)))

    @work(thread=True, exclusive=True, group="denial-detail", exit_on_error=False)
    def load_detail(self, item_id: int) -> None:
        app = self.collector_app
        self.post_message(DetailLoaded(denial_detail(app.db, app.actor, item_id, now=app.clock())))

    def on_worklist_loaded(self, message: WorklistLoaded) -> None:
        if message.chosen != self.chosen:
            return  # the collector changed the filter while this page loaded
        table = self.query_one(DenialTable)
        with self.app.batch_update():
            if not message.append:
                table.clear()
                self.rows = {}
            self._append(table, message.page.rows)
            if message.keep is not None and str(message.keep) in table.rows:
                table.move_cursor(row=table.get_row_index(str(message.keep)))
        self._next_cursor = message.page.next_cursor
        self._today = message.page.today or self._today
        self._loading = False
        self._loaded_once = True
        self._show_summary()
        self._show_detail()

    def on_groups_loaded(self, message: GroupsLoaded) -> None:
        self.groups = message.groups
        self._show_summary()
        self._show_groups()

    def on_detail_loaded(self, message: DetailLoaded) -> None:
        self.detail = message.detail
        row = self._highlighted()
        if row is not None and row.id == message.detail.row.id:
            self._render_detail(row)

    def _add_columns(self, table: DenialTable) -> None:
        self._narrow = lay_out_columns(table, self.app.size.width, NARROW_COLUMNS, WIDE_COLUMNS)

    def on_resize(self) -> None:
        """Crossing the narrow width lays the columns out again, with the rows already loaded."""
        if (self.app.size.width < NARROW_WIDTH) == self._narrow:
            return
        table = self.query_one(DenialTable)
        kept = self._highlighted()
        rows = tuple(self.rows.values())

        def refill() -> None:
            self.rows = {}
            self._append(table, rows)

        keep = str(kept.id) if kept is not None else None
        self._narrow = relay_columns(self, table, (NARROW_COLUMNS, WIDE_COLUMNS), refill, keep)

    def _cells(self, row: WorklistRow) -> dict[str, str | Text]:
        today = self.today
        head = f"{row.group_code}-{row.carc}" if row.group_code else row.carc
        meaning = row.note.meaning if row.note.known else NO_DESCRIPTION
        deadline = nearest_deadline(row, today)
        alarms = f"⚠ {len(row.alarms)}" if row.alarms else ""
        if self._narrow and row.alarms:
            deadline = f"⚠ {deadline}"
        return {
            "points": Text(str(row.points), justify="right"),
            "payer": row.payer_name,
            "claim": f"{row.claim_number} / {row.payer_claim_number}"
            if row.payer_claim_number
            else row.claim_number,
            "code": head if self._narrow else f"{head} · {meaning}",
            "denied": Text(format_cents(row.denied_cents), justify="right"),
            "deadline": Text(deadline, style="bold" if row.alarms or row.past_deadline else ""),
            "alarms": alarms,
        }

    def _append(self, table: DenialTable, rows: tuple[WorklistRow, ...]) -> None:
        for row in rows:
            if str(row.id) in table.rows:
                continue  # a page loaded after an action moved the item up: shown once
            self.rows[row.id] = row
            cells = self._cells(row)
            table.add_row(
                *(cells[str(column.key.value)] for column in table.columns.values()), key=str(row.id)
            )

    # -- showing --------------------------------------------------------------------------------

    def _show_summary(self) -> None:
        table = self.query_one(DenialTable)
        items = sum(group.items for group in self.groups)
        denied = sum(group.denied_cents for group in self.groups)
        plural = "s" if items != 1 else ""
        head = f"Your denial worklist: {items:,} open item{plural} · {format_cents(denied)} denied"
        if not self._loaded_once:
            shown = "loading…"
        elif table.row_count == 0:
            shown = "no items match the filter (Esc clears it)" if self._filtered() else "nothing to work"
        else:
            more = " · scroll for more" if self._next_cursor else ""
            shown = f"showing 1-{table.row_count:,}{more}"
        parts = [head, shown]
        if self._filtered():
            parts.append("filter: " + self._filter_words())
        self.query_one("#denials-summary", Static).update(Text(" | ".join(parts)))

    def _filtered(self) -> bool:
        return self.chosen.scenario is not None or self.chosen.category is not None

    def _filter_words(self) -> str:
        words = [SCENARIO_SHORT.get(self.chosen.scenario or "", self.chosen.scenario or "")]
        if self.chosen.category:
            words.append(_label(DenialCategory, self.chosen.category))
        return " › ".join(word for word in words if word)

    def _show_groups(self) -> None:
        """The scenarios with their counts; under the chosen one, its categories. The choice is
        marked ``▸[…]``, not only by colour."""

        def mark(words: str, chosen: bool) -> Text:
            return Text(f"▸[{words}]", style="bold reverse") if chosen else Text(words)

        by_scenario: dict[str, int] = {}
        for group in self.groups:
            by_scenario[group.scenario] = by_scenario.get(group.scenario, 0) + group.items
        total = sum(by_scenario.values())
        line = Text("g scenario: ")
        line.append_text(mark(f"All {total}", self.chosen.scenario is None))
        for scenario in DenialScenario:
            line.append(" · ")
            line.append_text(
                mark(
                    f"{SCENARIO_SHORT[scenario]} {by_scenario.get(scenario, 0)}",
                    self.chosen.scenario == scenario,
                )
            )
        lines: list[RenderableType] = [line]
        if self.chosen.scenario is not None:
            under = [g for g in self.groups if g.scenario == self.chosen.scenario]
            second = Text("  Tab category: ")
            second.append_text(mark(f"All {sum(g.items for g in under)}", self.chosen.category is None))
            for group in under:
                second.append(" · ")
                words = f"{_label(DenialCategory, group.category)} {group.items}"
                second.append_text(mark(words, self.chosen.category == group.category))
            lines.append(second)
        self.query_one("#denial-groups", Static).update(Group(*lines))

    def _highlighted(self) -> WorklistRow | None:
        table = self.query_one(DenialTable)
        if table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return self.rows.get(int(key)) if key is not None else None

    @property
    def today(self) -> date:
        """The office's day, as the service counted the deadlines and alarms shown."""
        return self._today or self.collector_app.clock().date()

    def _render_detail(self, row: WorklistRow | None) -> None:
        self.query_one("#denial-detail", Static).update(describe_item(row, self.detail, self.today))

    def _show_detail(self) -> None:
        """The pane for the highlighted row at once; its history when :func:`denial_detail` answers."""
        row = self._highlighted()
        self._render_detail(row)
        if row is not None and (self.detail is None or self.detail.row.id != row.id):
            self.load_detail(row.id)

    @on(DataTable.RowHighlighted)
    def _row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_detail()
        table = self.query_one(DenialTable)
        near_end = event.cursor_row >= table.row_count - PREFETCH_MARGIN
        if near_end and self._next_cursor is not None and not self._loading:
            self._loading = True
            self.load_page(self.chosen, self._next_cursor, True, None)

    def on_screen_resume(self) -> None:
        """Back from a form: the item just worked has moved (or closed), the detail has a new line."""
        if self._loaded_once:
            self._refresh_keeping()

    def _refresh_keeping(self, item_id: int | None = None) -> None:
        row = self._highlighted()
        self.detail = None  # what was done on it may have changed
        self.reload(keep=item_id if item_id is not None else (row.id if row else None))

    # -- filtering ------------------------------------------------------------------------------

    def action_scenario(self) -> None:
        index = SCENARIO_CYCLE.index(self.chosen.scenario)
        self.chosen = WorklistFilter(scenario=SCENARIO_CYCLE[(index + 1) % len(SCENARIO_CYCLE)])
        self._filter_changed()

    def action_category(self) -> None:
        if self.chosen.scenario is None:
            self.notify("Choose a scenario first (g).", timeout=3)
            return
        cycle: list[str | None] = [None]
        cycle += [g.category for g in self.groups if g.scenario == self.chosen.scenario]
        index = cycle.index(self.chosen.category) if self.chosen.category in cycle else 0
        self.chosen = replace(self.chosen, category=cycle[(index + 1) % len(cycle)])
        self._filter_changed()

    def action_clear_or_back(self) -> None:
        if self._filtered():
            self.chosen = WorklistFilter()
            self._filter_changed()
        else:
            self.action_back()

    def _filter_changed(self) -> None:
        self._show_groups()
        self._show_summary()
        self.reload()

    # -- acting ---------------------------------------------------------------------------------

    def action_refresh(self) -> None:
        self._refresh_keeping()

    def action_pane(self) -> None:
        """Tab cycles the category here, so the pane (a long history at 80x24) is one key away."""
        table = self.query_one(DenialTable)
        if table.has_focus:
            self.query_one("#denial-pane", VerticalScroll).focus()
        else:
            table.focus()

    def action_next(self) -> None:
        self.claim_next_item(self.chosen, self.claimed)

    @work(thread=True, exclusive=True, group="denial-claim", exit_on_error=False)
    def claim_next_item(self, chosen: WorklistFilter, leaving: int | None) -> None:
        """Lease the next item; the one this session held is given back in the same transaction."""
        app = self.collector_app
        claimed = claim_next_denial(app.db, app.actor, app.clock(), chosen, leaving=leaving)
        self.post_message(DenialClaimed(claimed))

    def on_denial_claimed(self, message: DenialClaimed) -> None:
        if message.item_id is None:
            self.notify("Nothing to work: no open denial item is free.", timeout=4)
            return
        self.claimed = message.item_id
        table = self.query_one(DenialTable)
        self.notify(f"Item {message.item_id} is yours to work.", timeout=3)
        if str(message.item_id) in table.rows:
            table.move_cursor(row=table.get_row_index(str(message.item_id)))
        else:
            self._refresh_keeping(message.item_id)

    def _current_or_say(self) -> WorklistRow | None:
        row = self._highlighted()
        if row is None:
            self.notify("No denial item highlighted.", timeout=3)
        return row

    def _open_form(self, form: type[DenialForm]) -> None:
        row = self._current_or_say()
        if row is not None:
            self.app.push_screen(form(row), self._acted)

    def _acted(self, result: DenialActionResult | None) -> None:
        """A form's result: said as a notice; the list reloads (on resume) on the same item."""
        if result is not None:
            self.notify(result.message, timeout=5)
            self._refresh_keeping(result.item_id)

    def action_call(self) -> None:
        self._open_form(PayerCallForm)

    def action_appeal(self) -> None:
        self._open_form(AppealForm)

    def action_billing(self) -> None:
        self._open_form(BillingForm)

    def action_other_payer(self) -> None:
        self._open_form(OtherPayerForm)

    def action_write_off(self) -> None:
        self._open_form(WriteOffForm)

    def action_upheld(self) -> None:
        self._open_form(UpheldForm)

    def action_patient(self) -> None:
        """Asked once, naming the amount; then the service moves it (or says why it may not)."""
        row = self._current_or_say()
        if row is None:
            return
        if row.patient_cents <= 0:
            self.notify("The payer assigned the patient nothing on this claim: nothing to move.", timeout=4)
            return
        question = f"Move {format_cents(row.patient_cents)} to the patient's share on item {row.id}?"
        detail = "The payer assigned the patient this amount; it leaves insurance pending."

        def answered(yes: bool | None) -> None:
            if yes:
                self.move_to_patient_now(row)

        self.app.push_screen(ConfirmMoney(question, detail), answered)

    @work(thread=True, exclusive=True, group="denial-act", exit_on_error=False)
    def move_to_patient_now(self, row: WorklistRow) -> None:
        """Move the amount the collector confirmed: an item changed since is refused, not moved."""
        app = self.collector_app
        moved = move_to_patient(app.db, app.actor, row.id, now=app.clock(), seen=row.updated_at)
        self.post_message(ActionDone(moved))

    def on_action_done(self, message: ActionDone) -> None:
        self._acted(message.result)

    def action_back(self) -> None:
        """Back to the call queue; the item leased with ``n`` is given back (the App's worker: this
        screen is gone before it finishes)."""
        if self.claimed is not None:
            app = self.collector_app
            item_id = self.claimed
            self.app.run_worker(
                lambda: release_denial(app.db, app.actor, item_id),
                thread=True,
                group="release",
                exit_on_error=False,
                description="release the denial item",
            )
        self.app.pop_screen()

    def worker_failed(self, worker: Worker[Any]) -> None:
        self._loading = False  # a page that failed to load may be asked for again


__all__ = [
    "DenialTable",
    "DenialWorklistScreen",
    "describe_item",
    "nearest_deadline",
    "payer_phone_words",
]
