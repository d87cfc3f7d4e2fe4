"""The approval list (supervisors and admins): plans and settlements outside policy, compliance
overrides and denial write-offs beyond the collector's limit that collectors asked for, with who asked,
why, what approving changes, the account's balance and open holds, and the rules it breaks. Enter opens
the account read only; y asks once, then approves; x rejects with a reason.

A write-off is decided by its own service (``services/desk/denial_actions``), not by
``services/team/approvals``: this screen shows it as one more :class:`Approval` (kind
:data:`KIND_WRITE_OFF`) and sends the decision where it belongs, so a supervisor has one list of
everything that waits for them.

An 835 exception (kind :data:`KIND_835_EXCEPTION`) is a claim a remittance could not post
(``services/files/remittance_exceptions``): there is nothing to approve or reject and no account to
open, so ``y`` resolves it with a reason code chosen from a short list and ``x`` says so."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, Footer, Header, Input, OptionList, Static
from textual.widgets.option_list import Option

from collector_tui.domain.money import format_cents
from collector_tui.screens.base import CollectorModal, CollectorScreen
from collector_tui.screens.navigation import OpenAccount
from collector_tui.services.desk.denial_actions import PendingWriteOff, decide_write_off, pending_write_offs
from collector_tui.services.files.remittance_exceptions import (
    RESOLUTIONS,
    RemittanceExceptionRow,
    open_exception_count,
    open_exceptions,
    resolve_exception,
)
from collector_tui.services.law.policy import current_denial_policy
from collector_tui.services.team.approvals import Approval, decide, list_approvals

KIND_WRITE_OFF = "denial_write_off"
KIND_835_EXCEPTION = "remittance_exception"


class ApprovalsLoaded(Message):
    def __init__(
        self,
        items: list[Approval],
        exceptions: dict[int, RemittanceExceptionRow] | None = None,
        exceptions_open: int = 0,
    ) -> None:
        super().__init__()
        self.items = items
        self.exceptions = exceptions or {}  # exception id -> its row, for the detail line
        self.exceptions_open = exceptions_open  # all of them, even beyond the page shown


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


class ResolveException(CollectorModal[str | None]):
    """Which reason closes an 835 exception: one of the service's codes, picked from a list (Enter),
    so nothing typed reaches the audit log; Esc cancels (CollectorModal)."""

    CSS_PATH = "workspace_forms.tcss"

    def __init__(self, row: RemittanceExceptionRow) -> None:
        super().__init__()
        self.row = row

    def compose(self) -> ComposeResult:
        with Vertical(id="form"):
            yield Static(f"Resolve 835 exception {self.row.exception_id}: why?", id="form-title")
            yield Static(Text(exception_detail(self.row)))
            yield OptionList(
                *(Option(words, id=code) for code, words in RESOLUTIONS.items()), id="resolution"
            )
            yield Static("Enter  resolve with the highlighted reason · Esc  cancel", id="form-keys")

    def on_mount(self) -> None:
        self.query_one("#resolution", OptionList).focus()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)


def exception_approval(row: RemittanceExceptionRow) -> Approval:
    """An 835 exception as a row of the approval list: its CLP01 where an account's number goes, the
    payer as who "asked", the CLP02 in words and why it did not post as the reason (no account: its
    ``account_id`` is 0 and Enter does not open one)."""
    return Approval(
        kind=KIND_835_EXCEPTION,
        id=row.exception_id,
        account_id=0,
        facility_code="CLP01",
        account_number=row.control_number,
        requested_by=row.payer_name,
        requested_at=row.imported_at,
        why=f"{row.status_label}; {row.reason}",
        changes="resolves the exception",
        kind_label="835 exception",
    )


def exception_detail(row: RemittanceExceptionRow) -> str:
    """What a supervisor needs to close an 835 exception: the payer, the remittance, the claim number
    the provider billed, the payer's status in words, what was paid and why it could not post."""
    paid_on = "-" if row.payment_date is None else row.payment_date.isoformat()
    return "\n".join(
        [
            f"835 exception from {row.payer_name} (remittance {row.remittance_id}, trace "
            f"{row.trace_number}, paid {paid_on})",
            f"CLP01 {row.control_number} · CLP02 {row.status_code} {row.status_label} · "
            f"paid {format_cents(row.paid_cents)}",
            f"Why it did not post: {row.reason}",
            "y resolves it with a reason (x does not apply)",
        ]
    )


def _is_exception(item: Approval) -> bool:
    return item.kind == KIND_835_EXCEPTION


def write_off_approval(asked: PendingWriteOff, limit_cents: int) -> Approval:
    """A denial write-off waiting for a supervisor, as a row of the approval list (its id is the
    write-off's action id, what :func:`decide_write_off` takes)."""
    amount = format_cents(asked.amount_cents)
    return Approval(
        kind=KIND_WRITE_OFF,
        id=asked.action_id,
        account_id=asked.account_id,
        facility_code=asked.facility_code,
        account_number=asked.account_number,
        requested_by=asked.asked_by or "-",
        requested_at=asked.asked_at,
        why=asked.reason,
        changes=(
            f"writes off {amount} that {asked.payer_name} denied ({asked.codes}) and closes denial "
            f"item {asked.item_id}"
        ),
        breaks=(f"beyond the collector's write-off limit of {format_cents(limit_cents)}",),
        kind_label="write-off",
    )


def _is_write_off(item: Approval) -> bool:
    return item.kind == KIND_WRITE_OFF


def approval_detail(item: Approval) -> str:
    """What a supervisor needs to decide: what it changes, the balance, the holds, the rules it breaks
    and the collector's reason (a write-off's line names the item, not the account's balance)."""
    holds = item.hold_words
    money = (
        "Denial write-off: the account's balance is on the account (Enter)"
        if _is_write_off(item)
        else f"Balance {format_cents(item.balance_cents)}"
    )
    lines = [
        f"Approving it {item.changes}.",
        money + (f" · ON HOLD: {holds}" if holds else " · no holds"),
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
A **write-off** is a denied amount a collector asked to write off beyond their
limit: approving posts it and closes the denial item; rejecting leaves the item
open in the collector's denial worklist.
An **835 exception** is a claim a payer's remittance named that could not post
(no claim on file with its number, or the payer says it is not theirs): **y**
resolves it with a reason chosen from a list; there is nothing to reject.
`collector approvals list|approve|reject` does the same for plans and overrides,
`collector exceptions list|resolve` for the 835 exceptions.
"""

    def __init__(self) -> None:
        super().__init__()
        self.items: list[Approval] = []
        self.exceptions: dict[int, RemittanceExceptionRow] = {}

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Loading the approval list…", id="team-summary")
        yield DataTable(id="approvals-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="approval-detail")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#approvals-table", DataTable)
        for label, width in (
            ("Kind", 13),  # "835 exception", "call override" whole
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
        items = list_approvals(app.db, app.actor)
        limit = current_denial_policy().write_off_limit_cents
        items += [write_off_approval(asked, limit) for asked in pending_write_offs(app.db, app.actor)]
        exceptions = {row.exception_id: row for row in open_exceptions(app.db, app.actor)}
        items += [exception_approval(row) for row in exceptions.values()]
        items.sort(key=lambda item: (item.requested_at, item.kind, item.id))
        self.post_message(ApprovalsLoaded(items, exceptions, open_exception_count(app.db, app.actor)))

    def on_approvals_loaded(self, message: ApprovalsLoaded) -> None:
        self.items = message.items
        self.exceptions = message.exceptions
        table = self.query_one("#approvals-table", DataTable)
        table.clear()
        for item in self.items:
            table.add_row(
                item.kind_label or item.kind,
                str(item.id),
                f"{item.facility_code} {item.account_number}",
                "-" if _is_write_off(item) or _is_exception(item) else format_cents(item.balance_cents),
                Text(item.hold_words or "-", style="bold red" if item.holds else ""),
                item.requested_by,
                f"{item.requested_at:%m-%d %H:%M}",
                item.why,
                key=f"{item.kind}:{item.id}",
            )
        count = len(self.items)
        summary = f"{count} waiting for a decision" if count else "Nothing waits for approval."
        beyond = message.exceptions_open - len(self.exceptions)
        if beyond > 0:  # the list shows a page of them; the CLI pages through the rest
            summary += f" · {beyond} more 835 exceptions: collector exceptions list"
        self.query_one("#team-summary", Static).update(summary)
        self._show_detail()

    def _current(self) -> Approval | None:
        table = self.query_one("#approvals-table", DataTable)
        if not self.items or table.cursor_row >= len(self.items):
            return None
        return self.items[table.cursor_row]

    @on(DataTable.RowHighlighted)
    def _show_detail(self) -> None:
        item = self._current()
        text = "" if item is None else self._detail(item)
        self.query_one("#approval-detail", Static).update(Text(text))

    def _detail(self, item: Approval) -> str:
        row = self.exceptions.get(item.id) if _is_exception(item) else None
        return approval_detail(item) if row is None else exception_detail(row)

    def action_approve(self) -> None:
        """Asked once (what approving does and what it breaks), then approved."""
        item = self._current()
        if item is None:
            return
        row = self.exceptions.get(item.id) if _is_exception(item) else None
        if row is not None:

            def chosen(code: str | None) -> None:
                if code:
                    self.resolve_one(row.exception_id, code)

            self.app.push_screen(ResolveException(row), chosen)
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.decide_one(item, True, "")

        self.app.push_screen(ConfirmApproval(item), answered)

    def action_open_account(self) -> None:
        """The account, read only: look before deciding."""
        item = self._current()
        if item is not None and _is_exception(item):
            self.notify("An 835 exception names no account on file: y resolves it", timeout=4)
        elif item is not None:
            self.post_message(OpenAccount(item.account_id, read_only=True))

    @on(DataTable.RowSelected)
    def _selected(self) -> None:
        self.action_open_account()

    def action_reject(self) -> None:
        item = self._current()
        if item is None:
            return
        if _is_exception(item):
            self.notify("An 835 exception is not rejected: resolve it with y", timeout=4)
            return

        def reasoned(reason: str | None) -> None:
            if reason:
                self.decide_one(item, False, reason)

        self.app.push_screen(RejectReason(), reasoned)

    @work(thread=True, exclusive=True, group="decide", exit_on_error=False)
    def decide_one(self, item: Approval, approve: bool, reason: str) -> None:
        app = self.collector_app
        if _is_write_off(item):
            said = decide_write_off(
                app.db, app.actor, item.id, approve=approve, note=reason, now=app.clock()
            ).message
        else:
            said = decide(
                app.db, app.actor, item.kind, item.id, approve=approve, note=reason, now=app.clock()
            )
        self.post_message(Decided(said))

    @work(thread=True, exclusive=True, group="decide", exit_on_error=False)
    def resolve_one(self, exception_id: int, code: str) -> None:
        app = self.collector_app
        self.post_message(Decided(resolve_exception(app.db, app.actor, exception_id, code, now=app.clock())))

    def on_decided(self, message: Decided) -> None:
        self.notify(message.said, timeout=4)
        self.load()

    def action_refresh(self) -> None:
        self.load()
