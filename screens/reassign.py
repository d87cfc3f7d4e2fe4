"""Move accounts between collectors (supervisors): filter, preview who gets what, then confirm.

Ctrl+P (or Enter in a field) previews: how many accounts and how much money move
from whom to whom, each caseload before and after, what does not fit under a
case limit, and which moving accounts someone has open. Ctrl+S applies exactly
the preview, in one transaction; if anything changed meanwhile it refuses and
asks for a new preview.
"""

from __future__ import annotations

from typing import ClassVar

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Input, Select, Static

from collector_tui.domain.aging import AGE_BUCKETS
from collector_tui.domain.money import MoneyError, format_cents, parse_money
from collector_tui.screens.base import CollectorModal
from collector_tui.screens.messages import safe_error_text
from collector_tui.services.errors import ServiceError
from collector_tui.services.worklists.assignments import (
    AccountSelection,
    ReassignmentPreview,
    ReassignmentResult,
    ReassignRequest,
    apply_reassignment,
    preview_reassignment,
)


class _Previewed(Message):
    def __init__(self, preview: ReassignmentPreview) -> None:
        super().__init__()
        self.preview = preview


class _Failed(Message):
    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


class _Applied(Message):
    def __init__(self, result: ReassignmentResult) -> None:
        super().__init__()
        self.result = result


def preview_text(preview: ReassignmentPreview) -> RenderableType:
    """What would move, from whom to whom, and every caseload after."""
    flows = Table(box=None, pad_edge=False, show_header=True, header_style="bold")
    for name in ("From", "To", "Accounts", "Balance"):
        flows.add_column(name, justify="right" if name in ("Accounts", "Balance") else "left", no_wrap=True)
    for flow in preview.flows:
        who = flow.from_login or "(unassigned)"
        flows.add_row(
            who if flow.from_active else f"{who} (inactive)",
            flow.to_login,
            f"{flow.accounts:,}",
            format_cents(flow.balance_cents),
        )
    loads = Table(box=None, pad_edge=False, show_header=True, header_style="bold")
    for name in ("Collector", "Before", "After", "Limit"):
        loads.add_column(name, justify="left" if name == "Collector" else "right", no_wrap=True)
    for load in preview.caseloads:
        loads.add_row(
            load.login,
            f"{load.before.accounts:,} · {format_cents(load.before.balance_cents)}",
            f"{load.after.accounts:,} · {format_cents(load.after.balance_cents)}",
            "-" if load.case_limit is None else f"{load.case_limit:,}",
        )
    lines: list[RenderableType] = [
        Text.assemble(
            ("Preview: ", "bold"),
            f"{preview.matched.accounts:,} accounts match; ",
            (f"{preview.moving.accounts:,} move ({format_cents(preview.moving.balance_cents)})", "bold"),
            f"; {preview.staying.accounts:,} stay with their owner",
        ),
        flows,
        loads,
    ]
    if preview.unplaced.accounts:
        lines.append(
            Text(
                f"✗ {preview.unplaced.accounts:,} do not fit under the case limits and stay", style="bold red"
            )
        )
    if preview.claimed:
        lines.append(
            Text(f"⚠ {len(preview.claimed)} moving accounts are open on someone's screen", style="bold")
        )
    lines.append(Text("Ctrl+S moves them now · change a field and Ctrl+P to preview again", style="dim"))
    return Group(*lines)


class ReassignForm(CollectorModal[ReassignmentResult | None]):
    """Move accounts (supervisors): Ctrl+P previews, Ctrl+S moves what was previewed, Esc closes."""

    CSS_PATH = "workspace_forms.tcss"
    WORKER_DOING = "move the accounts"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+p", "preview", "Preview", id="reassign.preview", priority=True),
        Binding("ctrl+s", "apply", "Move", id="reassign.apply"),
    ]

    def __init__(self, from_login: str | None = None) -> None:
        super().__init__()
        self.from_login = from_login
        self.preview: ReassignmentPreview | None = None

    def compose(self) -> ComposeResult:
        buckets = [(label, label) for label, _, _ in AGE_BUCKETS]
        with Vertical(id="form", classes="reassign"):
            yield Static("Move accounts · Ctrl+P preview · Ctrl+S move · Esc close", id="form-title")
            with Horizontal(id="plan-body"):
                with VerticalScroll(id="plan-fields"):
                    yield Static("To (logins, comma-separated)", classes="field-label")
                    yield Input(id="to", placeholder="jchen,kbrown")
                    yield Static("From (login) · or only unassigned/orphaned", classes="field-label")
                    yield Input(self.from_login or "", id="from")
                    yield Select(
                        [("any owner", "no"), ("unassigned or orphaned", "yes")],
                        id="orphaned",
                        value="no",
                        allow_blank=False,
                    )
                    yield Static("Age bucket · state · facility", classes="field-label")
                    yield Select(buckets, id="bucket", prompt="any age")
                    with Horizontal(classes="pair"):
                        yield Input(id="state", placeholder="state", max_length=2)
                        yield Input(id="facility", placeholder="facility")
                    yield Static("Balance from · to · at most N accounts", classes="field-label")
                    with Horizontal(classes="pair"):
                        yield Input(id="min", placeholder="min $")
                        yield Input(id="max", placeholder="max $")
                        yield Input(id="limit", placeholder="limit")
                    yield Static("Balance the caseloads by", classes="field-label")
                    yield Select(
                        [("count", "count"), ("amount", "amount")], id="by", value="count", allow_blank=False
                    )
                yield Static("Fill in who receives the accounts, then Ctrl+P to preview.", id="schedule")
            yield Static("", id="form-problems")

    def on_mount(self) -> None:
        self.query_one("#to", Input).focus()

    def _value(self, widget_id: str) -> str:
        return self.query_one(f"#{widget_id}", Input).value.strip()

    def _money(self, widget_id: str) -> int | None:
        text = self._value(widget_id)
        if not text:
            return None
        try:
            return parse_money(text)
        except MoneyError as exc:
            raise ServiceError(f"{widget_id} balance: {exc}") from None

    def _request(self) -> ReassignRequest:
        to = tuple(login.strip() for login in self._value("to").split(",") if login.strip())
        if not to:
            raise ServiceError("name who receives the accounts (To)")
        limit = self._value("limit")
        if limit and not limit.isdigit():
            raise ServiceError("limit: a whole number of accounts")
        bucket = self.query_one("#bucket", Select)
        selection = AccountSelection(
            from_login=self._value("from") or None,
            age_bucket=None if bucket.is_blank() else str(bucket.value),
            state=self._value("state").upper() or None,
            facility=self._value("facility") or None,
            min_balance_cents=self._money("min"),
            max_balance_cents=self._money("max"),
            orphaned=self.query_one("#orphaned", Select).value == "yes",
            limit=int(limit) if limit else None,
        )
        return ReassignRequest(to, selection, str(self.query_one("#by", Select).value))

    @on(Input.Submitted)
    def action_preview(self) -> None:
        self.preview = None
        try:
            request = self._request()
        except ServiceError as exc:
            self.query_one("#form-problems", Static).update(f"✗ {exc}")
            return
        self.query_one("#form-problems", Static).update("Previewing…")
        self._preview(request)

    @work(thread=True, exclusive=True, group="reassign", exit_on_error=False)
    def _preview(self, request: ReassignRequest) -> None:
        app = self.collector_app
        try:
            self.post_message(_Previewed(preview_reassignment(app.db, app.actor, request, now=app.clock())))
        except Exception as exc:
            self.post_message(_Failed(safe_error_text(exc, "preview the move")))

    def on__previewed(self, message: _Previewed) -> None:
        self.preview = message.preview
        self.query_one("#schedule", Static).update(preview_text(message.preview))
        self.query_one("#form-problems", Static).update("")

    def on__failed(self, message: _Failed) -> None:
        self.query_one("#form-problems", Static).update(f"✗ {message.text}")

    def action_apply(self) -> None:
        if self.preview is None:
            self.query_one("#form-problems", Static).update(
                "✗ preview first (Ctrl+P): you confirm what you saw"
            )
            return
        self.query_one("#form-problems", Static).update("Moving…")
        self._apply(self.preview)

    @work(thread=True, exclusive=True, group="reassign", exit_on_error=False)
    def _apply(self, preview: ReassignmentPreview) -> None:
        app = self.collector_app
        try:
            self.post_message(_Applied(apply_reassignment(app.db, app.actor, preview, now=app.clock())))
        except Exception as exc:
            self.post_message(_Failed(safe_error_text(exc, "move the accounts")))

    def on__applied(self, message: _Applied) -> None:
        self.dismiss(message.result)
