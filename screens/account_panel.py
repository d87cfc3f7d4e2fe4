"""A read-only view of one account: who, what is owed and why, and what happened so far."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar, cast

from rich.console import RenderableType
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Header, Static
from textual.worker import Worker, WorkerState

from collector_tui.services.accounts import account_detail
from collector_tui.services.queue import CLAIM_TTL, claim, release
from collector_tui.services.views import AccountDetail
from screens import account_render
from screens.messages import safe_error_text

if TYPE_CHECKING:
    from screens.app import CollectorApp

CLAIM_HEARTBEAT = CLAIM_TTL / 4


class Pane(VerticalScroll):
    """A titled, focusable, scrollable section of the account."""

    HELP = """
## Account panel

Read-only for now. **Tab** moves between panes, **Up/Down** scroll the focused pane,
**Esc** goes back to your queue (and frees the account for **n**).

**Phones** shows the consumer's local time at each number and whether it may be
dialled now; **May I…** shows every action (call, letter, credit reporting, legal
action, ...) as allowed, or each rule that blocks it, its citation and when it lifts.
"""

    def __init__(self, title: str, pane_id: str) -> None:
        super().__init__(Static(id=f"{pane_id}-body", classes="pane-body"), id=pane_id, classes="pane")
        self.border_title = title
        self.can_focus = True


PANES: tuple[tuple[str, str, Callable[[AccountDetail], RenderableType]], ...] = (
    ("people", "Guarantor and patient", account_render.people),
    ("phones", "Phones", account_render.phones),
    ("compliance", "May I…", account_render.compliance),
    ("claims", "Insurance claims", account_render.claims),
    ("charges", "Charges", account_render.charges),
    ("activity", "Activity", account_render.activity),
    ("arrangements", "Promise / plan", account_render.arrangements),
    ("transactions", "Transactions", account_render.transactions),
)
LEFT = ("people", "phones", "compliance", "claims", "charges")


class AccountLoaded(Message):
    def __init__(self, detail: AccountDetail) -> None:
        super().__init__()
        self.detail = detail


class AccountPanel(Screen[None]):
    """One account, read only."""

    CSS_PATH = "account_panel.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="account.back", tooltip="Back to your accounts."),
    ]

    def __init__(self, account_id: int) -> None:
        super().__init__()
        self.account_id = account_id
        self.detail: AccountDetail | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Loading account…", id="account-header")
        titles = {pane_id: title for pane_id, title, _ in PANES}
        with Horizontal(id="columns"):
            with VerticalScroll(id="left"):
                for pane_id in LEFT:
                    yield Pane(titles[pane_id], pane_id)
            with VerticalScroll(id="right"):
                for pane_id, title, _ in PANES:
                    if pane_id not in LEFT:
                        yield Pane(title, pane_id)
        yield Footer()

    def on_mount(self) -> None:
        self.load_account()
        # Keep the claim alive while the account is open (it expires if the session dies).
        self.set_interval(CLAIM_HEARTBEAT.total_seconds(), self._renew_claim)

    def _renew_claim(self) -> None:
        app = cast("CollectorApp", self.app)
        account_id = self.account_id
        app.run_worker(lambda: claim(app.db, app.actor, account_id, app.clock()), thread=True, group="claim")

    @work(thread=True, exclusive=True, group="account", exit_on_error=False)
    def load_account(self) -> None:
        app = cast("CollectorApp", self.app)
        detail = account_detail(app.db, app.actor, self.account_id, now=app.clock())
        self.post_message(AccountLoaded(detail))

    def on_account_loaded(self, message: AccountLoaded) -> None:
        self.detail = message.detail
        self.query_one("#account-header", Static).update(account_render.header(message.detail))
        for pane_id, _, render in PANES:
            self.query_one(f"#{pane_id}-body", Static).update(render(message.detail))
        self.query_one("#people", Pane).focus()

    def action_back(self) -> None:
        app = cast("CollectorApp", self.app)
        account_id = self.account_id
        # Leaving the account ends its claim, so `n` may hand it out again.
        app.run_worker(lambda: release(app.db, app.actor, account_id), thread=True, group="release")
        self.app.pop_screen()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR:
            self.notify(safe_error_text(event.worker.error, "open this account"), severity="error")
