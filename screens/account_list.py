"""The collector's accounts: a keyset-paged table, loaded in a thread worker.

The table holds only the pages the collector has scrolled through (200 rows
each); the next page is fetched when the cursor nears the end.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, cast

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static
from textual.worker import Worker, WorkerState

from collector_tui.domain.money import format_cents
from collector_tui.services.accounts import list_my_accounts
from collector_tui.services.views import AccountPage, Cursor
from screens.messages import safe_error_text

if TYPE_CHECKING:
    from screens.app import CollectorApp

PREFETCH_MARGIN = 10  # rows before the end at which the next page is fetched
PAGE_SIZE = 200  # rows fetched per page; the table grows a page at a time as you scroll


class AccountTable(DataTable[str | Text]):
    """The accounts table, with vi keys as well as the arrows."""

    HELP = """
## Your accounts

Your open accounts, highest priority first.

- **Up/Down** or **j/k** move, **PgUp/PgDn** jump a screen.
- **Enter** opens the highlighted account (read only).
- **r** reloads the list from the database.

More rows load as you scroll; the line above the table shows how many there are.
"""
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "enter", "select_cursor", "Open", id="accounts.open", tooltip="Open the highlighted account."
        ),
        Binding("j", "cursor_down", "Down", show=False, id="accounts.down"),
        Binding("k", "cursor_up", "Up", show=False, id="accounts.up"),
    ]


class AccountsLoaded(Message):
    """A page of accounts arrived from the worker."""

    def __init__(self, page: AccountPage, *, append: bool) -> None:
        super().__init__()
        self.page = page
        self.append = append


class AccountListScreen(Screen[None]):
    """Home screen: the acting collector's open accounts."""

    CSS_PATH = "account_list.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "refresh", "Refresh", id="accounts.refresh", tooltip="Reload the list."),
    ]

    def __init__(self, *, page_size: int = PAGE_SIZE) -> None:
        super().__init__()
        self.page_size = page_size
        self._next_cursor: Cursor | None = None
        self._loading = False
        self._total = 0

    @property
    def collector_app(self) -> CollectorApp:
        return cast("CollectorApp", self.app)

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Loading accounts…", id="summary", classes="summary")
        yield AccountTable(id="accounts", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(AccountTable)
        table.add_column("Account", key="account", width=12)
        table.add_column("Facility", key="facility", width=8)
        table.add_column("Guarantor", key="guarantor", width=28)
        table.add_column(Text("Balance", justify="right"), key="balance", width=14)
        table.add_column("Age", key="age", width=8)
        table.add_column("Days", key="days", width=5)
        table.add_column("Status", key="status", width=8)
        table.focus()
        self._load(after=None, append=False)

    def _load(self, *, after: Cursor | None, append: bool) -> None:
        self._loading = True
        self.load_page(after, append)

    @work(thread=True, exclusive=True, group="accounts", exit_on_error=False)
    def load_page(self, after: Cursor | None, append: bool) -> None:
        app = self.collector_app
        page = list_my_accounts(
            app.db, app.actor, today=app.clock().date(), after=after, limit=self.page_size
        )
        self.post_message(AccountsLoaded(page, append=append))

    def on_accounts_loaded(self, message: AccountsLoaded) -> None:
        table = self.query_one(AccountTable)
        page = message.page
        with self.app.batch_update():
            if not message.append:
                table.clear()
            for row in page.rows:
                table.add_row(
                    row.account_number,
                    row.facility_code,
                    row.guarantor_name,
                    Text(format_cents(row.balance_cents), justify="right"),
                    row.age_bucket,
                    "" if row.age_days is None else str(row.age_days),
                    row.status,
                    key=str(row.id),
                )
        self._next_cursor = page.next_cursor
        self._total = page.total
        self._loading = False
        self._show_summary()

    def _show_summary(self) -> None:
        table = self.query_one(AccountTable)
        shown = table.row_count
        if self._total == 0:
            text = "No open accounts are assigned to you."
        else:
            more = " · scroll for more" if self._next_cursor else ""
            text = f"Accounts 1-{shown:,} of {self._total:,}{more}"
        self.query_one("#summary", Static).update(text)

    @on(DataTable.RowHighlighted)
    def _maybe_load_more(self, event: DataTable.RowHighlighted) -> None:
        table = self.query_one(AccountTable)
        near_end = event.cursor_row >= table.row_count - PREFETCH_MARGIN
        if near_end and self._next_cursor is not None and not self._loading:
            self._load(after=self._next_cursor, append=True)

    @on(DataTable.RowSelected)
    def _open_selected(self, event: DataTable.RowSelected) -> None:
        self._open(event.row_key.value)

    def _open(self, key: str | None) -> None:
        if key is None:
            return
        from screens.account_panel import AccountPanel

        self.app.push_screen(AccountPanel(int(key)))

    def action_refresh(self) -> None:
        self._load(after=None, append=False)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR:
            self._loading = False
            self.notify(safe_error_text(event.worker.error, "load your accounts"), severity="error")
