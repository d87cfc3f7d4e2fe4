"""The call queue: which account next, and why, a keystroke away.

Three sections (call now, not callable now, on hold) as keyset pages loaded in
thread workers; the side pane explains the highlighted account's priority
and, when it may not be called, why and until when. ``n`` claims and opens the
top callable account; the list refreshes itself in the background, keeping
the cursor on the same account.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any, ClassVar

from rich.console import Group, RenderableType
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Header, Input, Static
from textual.worker import Worker

from collector_tui.domain.aging import AGE_BUCKETS
from collector_tui.domain.compliance.clock import zone
from collector_tui.domain.entry import EntryValueError, FilterWords, parse_filter
from collector_tui.domain.languages import language_name, needs_interpreter
from collector_tui.domain.money import format_cents
from collector_tui.screens.account_search import AccountSearch, open_inbound_search
from collector_tui.screens.base import (
    NARROW_WIDTH,
    CollectorScreen,
    Columns,
    KeysFooter,
    lay_out_columns,
    relay_columns,
)
from collector_tui.screens.navigation import OpenAccount, ShowTeam, ShowWorklist
from collector_tui.services.audit import Actor
from collector_tui.services.team.permissions import Permission, can
from collector_tui.services.worklists.queue import (
    SECTION_CALL,
    SECTION_TITLES,
    SECTIONS,
    Cursor,
    QueueFilter,
    QueuePage,
    QueueRow,
    claim,
    claim_next,
    queue_page,
    section_totals,
)

PREFETCH_MARGIN = 10
PAGE_SIZE = 200
REFRESH_SECONDS = 30.0
AGE_CYCLE: tuple[str | None, ...] = (None, *(label for label, _, _ in AGE_BUCKETS))


def narrowed(chosen: QueueFilter, words: FilterWords) -> QueueFilter:
    """The queue's filter after the ``/`` box's words: they replace the filter, but the section, and
    the age bucket unless they name one."""
    return replace(
        chosen,
        state=words.state,
        age_bucket=words.age_bucket or chosen.age_bucket,
        min_balance_cents=words.min_balance_cents,
        max_balance_cents=words.max_balance_cents,
        text=words.text,
    )


class QueueTable(DataTable[str | Text]):
    """The queue, with vi keys as well as the arrows."""

    HELP = """
## Your queue

**Call now** lists the accounts you may call at this moment, a due callback first,
then promises due or broken, then by priority. **Not callable now** shows why each
account may not be called yet and when it may; **On hold** shows the hold.

- **n** claims and opens the next account to call.
- **Enter** opens the highlighted account; **Up/Down** or **j/k** move.
- **s** switches section, **a** cycles the age bucket, **/** filters
  (`state:TX age:61-90 bal:100-500` and an account number or name), **r** refreshes.
- **w** switches to the **denial worklist** (the claims payers denied; **w** or Esc comes back).
- **ctrl+p** finds any account by phone (any format, or its last four digits), name (either
  order), account number or birth date; **i** does the same for an **inbound call**: the account
  opens asking for right-party verification before anything about the debt is shown.

The pane on the right explains the highlighted account's priority, factor by factor.
"""
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select_cursor", "Open", id="queue.open", tooltip="Open the highlighted account."),
        Binding("j", "cursor_down", "Down", show=False, id="queue.down"),
        Binding("k", "cursor_up", "Up", show=False, id="queue.up"),
    ]


class PageLoaded(Message):
    def __init__(self, page: QueuePage, *, append: bool, keep: int | None) -> None:
        super().__init__()
        self.page = page
        self.append = append
        self.keep = keep  # account to keep the cursor on after a refresh


class TotalsLoaded(Message):
    def __init__(self, totals: dict[str, int]) -> None:
        super().__init__()
        self.totals = totals


class Claimed(Message):
    def __init__(self, account_id: int | None, *, inbound: bool = False, read_only: bool = False) -> None:
        super().__init__()
        self.account_id = account_id
        self.inbound = inbound  # a caller on the line: the account opens asking for verification
        self.read_only = read_only  # another session holds the account: it opens to look, not act


SHORT_REASONS = {
    "window": "after hours",
    "inconvenient": "inconvenient",
    "frequency": "call limit",
    "conversation": "spoke recently",
    "phones": "no phone now",
    "do_not_call": "do not call",
    "consent_revoked": "consent revoked",
    "phone_status": "bad number",
    "work": "work number",
    "insurance_pending": "insurance",
    "financial_assistance": "FAP pending",
    "nsa_dispute": "NSA dispute",
    "account_status": "not open",
    "supervisor_hold": "supervisor hold",
    "itemized_statement": "itemized stmt",
    "original_creditor": "creditor request",
}


# At 80 columns the Now column says only which block, in a word (the pane below says the rest).
TINY_REASONS = {
    "window": "window",
    "inconvenient": "inconvenient",
    "frequency": "limit",
    "conversation": "spoke",
    "phones": "no phone",
    "do_not_call": "DNC",
    "consent_revoked": "revoked",
    "phone_status": "bad number",
    "work": "work",
    "insurance_pending": "insurance",
    "financial_assistance": "FAP",
    "nsa_dispute": "NSA",
    "account_status": "not open",
    "supervisor_hold": "supervisor",
    "itemized_statement": "itemized",
    "original_creditor": "creditor",
    "callback": "callback",
    "rework": "worked",
}


def _now_label(row: QueueRow, now: datetime | None = None, *, narrow: bool = False) -> str:
    """✓ call, or ✗ with a few words and when it lifts (the bottom pane has the full reason);
    ``narrow``: ``✓`` or ``✗`` and one word."""
    if row.callable_now:
        return "✓" if narrow else "✓ call"
    if narrow:
        return f"✗ {TINY_REASONS.get(row.rule or '', (row.rule or 'not now').replace('_', ' '))}"
    what = SHORT_REASONS.get(row.rule or "", (row.rule or "not now").replace("_", " "))
    if row.callable_at is None:
        return f"✗ {what}"
    tz = zone(row.home_zone)
    local = row.callable_at.astimezone(tz)
    today = (now or datetime.now(tz)).astimezone(tz).date()
    return f"✗ {what} · {local:%H:%M}" if local.date() == today else f"✗ {what} · {local:%a %m-%d}"


# Each column: key, heading, width (None: as wide as its widest cell, so no amount is ever cut).
WIDE_COLUMNS: Columns = (
    ("points", Text("Pts", justify="right"), 4),
    ("account", "Account", None),
    ("guarantor", "Name", 16),
    ("balance", Text("Balance", justify="right"), None),
    ("now", "Now", None),
    ("local", "Local", None),
    ("age", "Age", None),
    ("last", "Last", 5),
    ("next", "Next", None),
)
# At 80 columns: what a collector needs to pick the call, whole (no column half off the edge);
# the local time, last contact and next step are then the pane's (see explain).
NARROW_ORDER = ("account", "guarantor", "balance", "now", "age", "points")
NARROW_COLUMNS = tuple(next(c for c in WIDE_COLUMNS if c[0] == key) for key in NARROW_ORDER)


def _next_action(row: QueueRow) -> str:
    """A due callback, a promise due or broken (why the row sorts first), or nothing."""
    if row.next_action_at is not None:
        return f"call {row.next_action_at:%m-%d %H:%M}"
    names = {factor.name: factor.value for factor in row.factors}
    if "promise due" in names:
        return "promise " + names["promise due"].replace("overdue since ", "due ")
    if "promise broken" in names:
        return "promise broken"
    return ""


def _guarantor_cell(row: QueueRow) -> str | Text:
    """The guarantor's name, flagged ``⚑`` when they need an interpreter (the pane below says which
    language)."""
    if needs_interpreter(row.language):
        return Text.assemble(("⚑", "bold"), row.guarantor_name, overflow="ellipsis", no_wrap=True)
    return row.guarantor_name


def explain(row: QueueRow | None, *, narrow: bool = False) -> RenderableType:
    """The side pane: why this account is where it is (``narrow``: with the columns 80 leaves out)."""
    if row is None:
        return Text("No account highlighted.", style="dim")
    head = Text.assemble(
        (f"{row.account_number} · {row.facility_code}", "bold"), f"  priority {row.points} = "
    )
    head.append(" + ".join(f"{f.name} {f.value} ({f.points})" for f in row.factors))
    parts: list[RenderableType] = [head]
    if needs_interpreter(row.language):
        parts.append(Text(f"⚑ interpreter: speaks {language_name(row.language)}", style="bold"))
    if row.callable_now:
        parts.append(Text(f"✓ may call now · local time {row.local_time}", style="green"))
    elif row.reason:
        when = (
            f"; callable {row.callable_at.astimezone(zone(row.home_zone)):%a %b %d %H:%M %Z}"
            if row.callable_at
            else "; until resolved"
        )
        parts.append(Text(f"✗ {row.reason}{when}", style="red"))
    if narrow:
        last = f"{row.last_contact_at:%m-%d}" if row.last_contact_at else "never"
        more = [f"local {row.local_time}", f"last contact {last}", _next_action(row)]
        parts.append(Text(" · ".join(part for part in more if part), style="dim"))
    return Group(*parts)


class QueueScreen(CollectorScreen[None]):
    """Home screen: the acting collector's call queue."""

    CSS_PATH = "queue.tcss"
    WORKER_DOING = "load your queue"
    COMMANDS = Screen.COMMANDS | {AccountSearch}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "next", "Next", id="queue.next", tooltip="Claim and open the next account to call."),
        Binding(
            "slash", "filter", "Filter", id="queue.filter", tooltip="Filter by text, state, age, balance."
        ),
        Binding(
            "s", "section", "Section", id="queue.section", tooltip="Call now / not callable now / on hold."
        ),
        Binding("a", "age", "Age", id="queue.age", tooltip="Cycle the age-bucket filter."),
        Binding("r", "refresh", "Refresh", id="queue.refresh", tooltip="Reload the queue."),
        Binding("escape", "clear_filter", "Clear filter", show=False, id="queue.clear"),
        Binding("t", "team", "Team", id="queue.team", tooltip="Team results (supervisors and admins)."),
        Binding("w", "worklist", "Denials", id="queue.worklist", tooltip="Switch to the denial worklist"),
        Binding(
            "i",
            "inbound",
            "Inbound call",
            id="queue.inbound",
            tooltip="A caller on the line: find their account; it opens asking for verification first.",
        ),
    ]

    def __init__(
        self,
        *,
        page_size: int = PAGE_SIZE,
        refresh_seconds: float = REFRESH_SECONDS,
        viewing: Actor | None = None,
    ) -> None:
        super().__init__()
        self.viewing = viewing  # a supervisor reading another collector's queue: read only
        self.page_size = page_size
        self.refresh_seconds = refresh_seconds
        self.chosen = QueueFilter()
        self.rows: dict[int, QueueRow] = {}
        self.totals: dict[str, int] = {}
        self._next_cursor: Cursor | None = None
        self._loading = False
        self._loaded_once = False
        self._narrow = False  # laid out for 80 columns (see _add_columns)

    @property
    def owner(self) -> Actor:
        """Whose queue this is."""
        return self.viewing or self.collector_app.actor

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The team key exists only for supervisors and admins; a read-only queue hands nothing out."""
        if action == "team":
            return self.viewing is None and can(self.collector_app.actor, Permission.VIEW_TEAM)
        if action == "worklist":
            return self.viewing is None  # a drilled-into queue is another collector's: not their denials
        return not (action == "next" and self.viewing is not None)

    def compose(self) -> ComposeResult:
        yield Header()
        whose = "your queue" if self.viewing is None else f"{self.viewing.display_name}'s queue (read only)"
        yield Static(f"Loading {whose}…", id="summary", classes="summary")
        yield Input(placeholder="filter: state:TX age:61-90 bal:100-500 or a name/number", id="filter")
        yield QueueTable(id="queue", cursor_type="row", zebra_stripes=True)
        yield Static(id="why", classes="why")
        yield KeysFooter()

    def on_mount(self) -> None:
        table = self.query_one(QueueTable)
        self._add_columns(table)
        self.query_one("#filter", Input).display = False
        table.focus()
        self.reload()
        self.set_interval(self.refresh_seconds, self._background_refresh)

    # -- loading ------------------------------------------------------------------------------

    def reload(self, *, keep: int | None = None) -> None:
        self._loading = True
        self.load_page(self.chosen, None, False, keep)
        self.load_totals(self.chosen)

    @work(thread=True, exclusive=True, group="queue", exit_on_error=False)
    def load_page(self, chosen: QueueFilter, after: Cursor | None, append: bool, keep: int | None) -> None:
        app = self.collector_app
        page = queue_page(
            app.db, self.owner, now=app.clock(), chosen=chosen, after=after, limit=self.page_size
        )
        self.post_message(PageLoaded(page, append=append, keep=keep))

    @work(thread=True, exclusive=True, group="totals", exit_on_error=False)
    def load_totals(self, chosen: QueueFilter) -> None:
        app = self.collector_app
        self.post_message(TotalsLoaded(section_totals(app.db, self.owner, app.clock(), chosen)))

    def on_page_loaded(self, message: PageLoaded) -> None:
        table = self.query_one(QueueTable)
        page = message.page
        if page.section != self.chosen.section:
            return  # the collector switched sections while this page loaded
        with self.app.batch_update():
            if message.append:
                self._append(table, page.rows)
            elif [int(str(key.value)) for key in table.rows][: len(page.rows)] == [r.id for r in page.rows]:
                self._update_in_place(table, page.rows)  # same accounts, same order: only cells change
            else:
                table.clear()
                self.rows = {}
                self._append(table, page.rows)
            if message.keep is not None and str(message.keep) in table.rows:
                table.move_cursor(row=table.get_row_index(str(message.keep)))
        self._next_cursor = page.next_cursor
        self._loading = False
        self._loaded_once = True
        self._show_summary()
        self._show_why()

    def _add_columns(self, table: QueueTable) -> None:
        """The columns for the screen's width: at 80 columns the narrow set, in its order."""
        self._narrow = lay_out_columns(table, self.app.size.width, NARROW_COLUMNS, WIDE_COLUMNS)

    def on_resize(self) -> None:
        """Crossing the narrow width lays the columns out again, with the rows already loaded."""
        if (self.app.size.width < NARROW_WIDTH) == self._narrow:
            return
        table = self.query_one(QueueTable)
        kept = self._highlighted()
        rows = tuple(self.rows.values())
        keep = str(kept.id) if kept is not None else None
        self._narrow = relay_columns(
            self, table, (NARROW_COLUMNS, WIDE_COLUMNS), lambda: self._append(table, rows), keep
        )
        self._show_why()

    def _row_cells(self, table: QueueTable, row: QueueRow) -> list[str | Text]:
        cells = self._cells(row)
        return [cells[str(column.key.value)] for column in table.columns.values()]

    def _append(self, table: QueueTable, rows: tuple[QueueRow, ...]) -> None:
        for row in rows:
            self.rows[row.id] = row
            table.add_row(*self._row_cells(table, row), key=str(row.id))

    def _update_in_place(self, table: QueueTable, rows: tuple[QueueRow, ...]) -> None:
        """A background refresh that changed no order: rewrite only the cells that changed."""
        columns = [column.key for column in table.columns.values()]
        for row in rows:
            old = self.rows.get(row.id)
            self.rows[row.id] = row
            if old == row:
                continue
            for column, value in zip(columns, self._row_cells(table, row), strict=True):
                table.update_cell(str(row.id), column, value, update_width=True)

    def on_totals_loaded(self, message: TotalsLoaded) -> None:
        self.totals = message.totals
        self._show_summary()

    def _cells(self, row: QueueRow) -> dict[str, str | Text]:
        """Each column's cell, by column key."""
        now = Text(
            _now_label(row, self.collector_app.clock(), narrow=self._narrow),
            style="green" if row.callable_now else "red",
            no_wrap=True,
        )
        return {
            "points": Text(str(row.points), justify="right"),
            "account": row.account_number,
            "guarantor": _guarantor_cell(row),
            "balance": Text(format_cents(row.balance_cents), justify="right"),
            "now": now,
            "local": row.local_time,
            "age": row.age_bucket,
            "last": f"{row.last_contact_at:%m-%d}" if row.last_contact_at else "never",
            "next": _next_action(row),
        }

    def _show_summary(self) -> None:
        table = self.query_one(QueueTable)
        title = SECTION_TITLES[self.chosen.section]
        total = self.totals.get(self.chosen.section)
        if not self._loaded_once:
            text = "Loading your queue…"
        elif table.row_count == 0:
            text = self._empty_text(title)
        else:
            of = f" of {total:,}" if total is not None else ""
            more = " · scroll for more" if self._next_cursor else ""
            text = f"{title}: 1-{table.row_count:,}{of}{more}"
        others = " · ".join(
            f"{SECTION_TITLES[s]} {self.totals[s]:,}"
            for s in SECTIONS
            if s != self.chosen.section and s in self.totals
        )
        filters = self._filter_text()
        whose = f"{self.viewing.display_name or self.viewing.login} (read only)" if self.viewing else ""
        self.query_one("#summary", Static).update(
            " | ".join(part for part in (whose, text, others, filters) if part)
        )

    def _empty_text(self, title: str) -> str:
        """An empty section says why and what to do, never just nothing."""
        if self._filtered():
            return f"{title}: no accounts match the filter (Esc clears it)"
        if self.totals and not any(self.totals.values()):
            return "No open accounts are assigned to you."
        if self.chosen.section == SECTION_CALL:
            return "Nobody may be called right now: press s to see when each account becomes callable"
        return f"{title}: none"

    def _filtered(self) -> bool:
        c = self.chosen
        return any(
            (c.age_bucket, c.state, c.text, c.min_balance_cents is not None, c.max_balance_cents is not None)
        )

    def _filter_text(self) -> str:
        c = self.chosen
        parts = [f"age {c.age_bucket}"] if c.age_bucket else []
        if c.state:
            parts.append(f"state {c.state}")
        if c.min_balance_cents is not None or c.max_balance_cents is not None:
            low = format_cents(c.min_balance_cents) if c.min_balance_cents is not None else ""
            high = format_cents(c.max_balance_cents) if c.max_balance_cents is not None else ""
            parts.append(f"balance {low}-{high}")
        if c.text:
            parts.append(f"'{c.text}'")
        return ("filter: " + ", ".join(parts)) if parts else ""

    def _highlighted(self) -> QueueRow | None:
        table = self.query_one(QueueTable)
        if table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return self.rows.get(int(key)) if key is not None else None

    def _show_why(self) -> None:
        self.query_one("#why", Static).update(explain(self._highlighted(), narrow=self._narrow))

    @on(DataTable.RowHighlighted)
    def _row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_why()
        table = self.query_one(QueueTable)
        near_end = event.cursor_row >= table.row_count - PREFETCH_MARGIN
        if near_end and self._next_cursor is not None and not self._loading:
            self._loading = True
            self.load_page(self.chosen, self._next_cursor, True, None)

    def _background_refresh(self) -> None:
        if self.app.screen is self and not self._loading:
            row = self._highlighted()
            self.reload(keep=row.id if row else None)

    def on_screen_resume(self) -> None:
        """Back from an account (or the team): show the queue as it is now, not as it was when left:
        the account just worked has moved, and every local time and "callable at" is of now."""
        if self._loaded_once:
            row = self._highlighted()
            self.reload(keep=row.id if row else None)

    # -- acting --------------------------------------------------------------------------------

    @on(DataTable.RowSelected)
    def _open_selected(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value is not None:
            self.open_account(int(event.row_key.value))

    def open_account(self, account_id: int, *, inbound: bool = False) -> None:
        if self.viewing is not None:
            self.notify("Read only: this is another collector's queue.", severity="information")
            return
        self.claim_and_open(account_id, inbound)

    def open_found(self, account_id: int, *, inbound: bool) -> None:
        """An account the search found (``ctrl+p``, or ``i`` for an inbound caller)."""
        self.open_account(account_id, inbound=inbound)

    def action_inbound(self) -> None:
        open_inbound_search(self)

    @work(thread=True, exclusive=True, group="claim", exit_on_error=False)
    def claim_and_open(self, account_id: int, inbound: bool = False) -> None:
        app = self.collector_app
        claimed = claim(app.db, app.actor, account_id, app.clock())
        if not claimed:
            self.app.call_from_thread(
                self.notify, "Another session is working this account; opened read only.", severity="warning"
            )
        self.post_message(Claimed(account_id, inbound=inbound, read_only=not claimed))

    @work(thread=True, exclusive=True, group="claim", exit_on_error=False)
    def claim_next_account(self) -> None:
        app = self.collector_app
        self.post_message(Claimed(claim_next(app.db, app.actor, app.clock(), self.chosen)))

    def on_claimed(self, message: Claimed) -> None:
        if message.account_id is None:
            self.notify("No account may be called right now.", severity="information")
            return
        self.post_message(
            OpenAccount(message.account_id, inbound=message.inbound, read_only=message.read_only)
        )

    def action_next(self) -> None:
        self.claim_next_account()

    def action_team(self) -> None:
        self.post_message(ShowTeam())

    def action_worklist(self) -> None:
        """The denial worklist: the App switches to it (no screen imports another)."""
        self.post_message(ShowWorklist())

    def action_refresh(self) -> None:
        row = self._highlighted()
        self.reload(keep=row.id if row else None)

    def action_section(self) -> None:
        index = SECTIONS.index(self.chosen.section)
        self.chosen = replace(self.chosen, section=SECTIONS[(index + 1) % len(SECTIONS)])
        self.reload()

    def action_age(self) -> None:
        index = AGE_CYCLE.index(self.chosen.age_bucket)
        self.chosen = replace(self.chosen, age_bucket=AGE_CYCLE[(index + 1) % len(AGE_CYCLE)])
        self.reload()

    def action_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.display = True
        box.focus()

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        try:
            self.chosen = narrowed(self.chosen, parse_filter(event.value))
        except EntryValueError:
            self.notify("The balance range must be amounts, e.g. bal:100-500.", severity="error")
            return
        event.input.display = bool(event.value)
        self.query_one(QueueTable).focus()
        self.reload()

    def action_clear_filter(self) -> None:
        box = self.query_one("#filter", Input)
        if self.viewing is not None and not box.value:
            self.app.pop_screen()  # a drilled-into queue: Esc goes back to the team
            return
        box.value = ""
        box.display = False
        self.chosen = QueueFilter(section=self.chosen.section)
        self.query_one(QueueTable).focus()
        self.reload()

    def worker_failed(self, worker: Worker[Any]) -> None:
        self._loading = False  # a page that failed to load may be asked for again


__all__ = ["PAGE_SIZE", "SECTION_CALL", "QueueScreen", "QueueTable", "narrowed"]
