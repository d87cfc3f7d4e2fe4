"""The approval list (supervisors and admins): plans and settlements outside policy and compliance
overrides collectors asked for, with who asked, why, what approving changes, the account's balance and
open holds, and the rules it breaks. Enter opens the account read only; y asks once, then approves; x
rejects with a reason."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, Footer, Header, Input, Static

from collector_tui.domain.money import format_cents
from collector_tui.screens.base import CollectorModal, CollectorScreen
from collector_tui.screens.navigation import OpenAccount
from collector_tui.services.team.approvals import Approval, decide, list_approvals


class ApprovalsLoaded(Message):
    def __init__(self, items: list[Approval]) -> None:
        super().__init__()
        self.items = items


class Decided(Message):
    def __init__(self, said: str) -> None:
        super().__init__()
        self.said = said


class RejectReason(CollectorModal[str | None]):
    """Why the request is rejected (the collector reads it); Esc cancels (CollectorModal)."""

    CSS_PATH = "workspace_forms.tcss"

    def compose(self) -> ComposeResult:
        with Vertical(id="form"):
            yield Static("Reject: why? (Enter to reject, Esc to cancel)", id="form-title")
            yield Input(id="reason")

    @on(Input.Submitted)
    def _done(self, event: Input.Submitted) -> None:
        if event.value.strip():
            self.dismiss(event.value.strip())


class ConfirmApproval(CollectorModal[bool]):
    """Asked once before approving: what approving does, on which account, and what it breaks."""

    CSS_PATH = "workspace_forms.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Approve", id="confirm_approval.yes"),
        Binding("n", "answer(False)", "Cancel", id="confirm_approval.no"),
        Binding("escape", "answer(False)", "Cancel", id="confirm_approval.cancel"),
    ]

    def __init__(self, item: Approval) -> None:
        super().__init__()
        self.item = item

    def compose(self) -> ComposeResult:
        item = self.item
        with Vertical(id="form"):
            yield Static(
                f"Approve {item.kind_label or item.kind} {item.id} "
                f"on {item.facility_code} {item.account_number}?",
                id="form-title",
            )
            yield Static(Text(approval_detail(item)))
            yield Static("y  approve · n or Esc  cancel", id="form-keys")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


def approval_detail(item: Approval) -> str:
    """What a supervisor needs to decide: what it changes, the balance, the holds, the rules it breaks
    and the collector's reason."""
    holds = item.hold_words
    lines = [
        f"Approving it {item.changes}.",
        f"Balance {format_cents(item.balance_cents)}" + (f" · ON HOLD: {holds}" if holds else " · no holds"),
        "Breaks: " + ("; ".join(item.breaks) if item.breaks else "-"),
        f"Why ({item.requested_by}): {item.why or '-'}",
    ]
    return "\n".join(lines)


class ApprovalsScreen(CollectorScreen[None]):
    CSS_PATH = "team.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "y", "approve", "Approve", id="approvals.approve", tooltip="Approve the highlighted request."
        ),
        Binding("x", "reject", "Reject", id="approvals.reject", tooltip="Reject it, saying why."),
        Binding(
            "enter",
            "open_account",
            "Open",
            id="approvals.open",
            tooltip="Open the account read only (Esc comes back here).",
        ),
        Binding("r", "refresh", "Refresh", id="approvals.refresh"),
        Binding("escape", "back", "Back", id="approvals.back"),
    ]
    HELP = """
## Approvals

Plans and settlements proposed outside the office's policy and compliance
overrides collectors asked for, oldest first: who asked, why, what approving
changes, the account's balance and open holds (a plan on a disputed account
says so) and the rules it breaks. **Enter** opens the account read only (Esc
comes back). **y** asks once, then approves the highlighted one (y again, or
n/Esc to cancel); **x** rejects it with a reason the collector reads. An
approved override lets that collector log one such call in the next four hours.
`collector approvals list|approve|reject` does the same.
"""

    def __init__(self) -> None:
        super().__init__()
        self.items: list[Approval] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Loading the approval list…", id="team-summary")
        yield DataTable(id="approvals-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="approval-detail")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#approvals-table", DataTable)
        for label, width in (
            ("Kind", 10),
            ("Id", 5),
            ("Account", 16),
            ("Balance", 11),
            ("Holds", 12),
            ("By", 8),
            ("Asked (UTC)", 11),
            ("Why", 26),
        ):
            table.add_column(label, width=width)
        table.focus()
        self.load()

    @work(thread=True, exclusive=True, group="approvals", exit_on_error=False)
    def load(self) -> None:
        app = self.collector_app
        self.post_message(ApprovalsLoaded(list_approvals(app.db, app.actor)))

    def on_approvals_loaded(self, message: ApprovalsLoaded) -> None:
        self.items = message.items
        table = self.query_one("#approvals-table", DataTable)
        table.clear()
        for item in self.items:
            table.add_row(
                item.kind_label or item.kind,
                str(item.id),
                f"{item.facility_code} {item.account_number}",
                format_cents(item.balance_cents),
                Text(item.hold_words or "-", style="bold red" if item.holds else ""),
                item.requested_by,
                f"{item.requested_at:%m-%d %H:%M}",
                item.why,
                key=f"{item.kind}:{item.id}",
            )
        count = len(self.items)
        self.query_one("#team-summary", Static).update(
            f"{count} waiting for a decision" if count else "Nothing waits for approval."
        )
        self._show_detail()

    def _current(self) -> Approval | None:
        table = self.query_one("#approvals-table", DataTable)
        if not self.items or table.cursor_row >= len(self.items):
            return None
        return self.items[table.cursor_row]

    @on(DataTable.RowHighlighted)
    def _show_detail(self) -> None:
        item = self._current()
        text = "" if item is None else approval_detail(item)
        self.query_one("#approval-detail", Static).update(Text(text))

    def action_approve(self) -> None:
        """Asked once (what approving does and what it breaks), then approved."""
        item = self._current()
        if item is None:
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.decide_one(item, True, "")

        self.app.push_screen(ConfirmApproval(item), answered)

    def action_open_account(self) -> None:
        """The account, read only: look before deciding."""
        item = self._current()
        if item is not None:
            self.post_message(OpenAccount(item.account_id, read_only=True))

    @on(DataTable.RowSelected)
    def _selected(self) -> None:
        self.action_open_account()

    def action_reject(self) -> None:
        item = self._current()
        if item is None:
            return

        def reasoned(reason: str | None) -> None:
            if reason:
                self.decide_one(item, False, reason)

        self.app.push_screen(RejectReason(), reasoned)

    @work(thread=True, exclusive=True, group="decide", exit_on_error=False)
    def decide_one(self, item: Approval, approve: bool, reason: str) -> None:
        app = self.collector_app
        self.post_message(
            Decided(
                decide(app.db, app.actor, item.kind, item.id, approve=approve, note=reason, now=app.clock())
            )
        )

    def on_decided(self, message: Decided) -> None:
        self.notify(message.said, timeout=4)
        self.load()

    def action_refresh(self) -> None:
        self.load()
