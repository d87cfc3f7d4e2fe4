"""The denial worklist's one-action forms: log a payer call, file an appeal, ask billing for a
corrected claim, bill another payer, write off, close as upheld; and the money question asked
before anything moves money (moving the patient's share, a write-off).

They are parts of the worklist, not places: only ``screens/denials`` opens them, with the item it
shows, and takes the :class:`DenialActionResult` back in a callback (the list reloads, the result's
message is a notice). Each form hands its fields to one service call in a thread worker and shows
the service's :class:`EntryError` problems under the fields they are about, as the account's forms
do (``screens/forms``); unlike those, nothing here is kept as a draft: a denial item has no
version to go stale against, and what is typed is a few words the collector has in front of them.
"""

from __future__ import annotations

from datetime import date
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Checkbox, Input, Static

from collector_tui.domain.entry import parse_amount, parse_day
from collector_tui.domain.money import format_cents
from collector_tui.domain.phones import format_national
from collector_tui.screens.base import CollectorModal
from collector_tui.screens.forms import SearchSelect, entered, field_label, form_values, show_field_problems
from collector_tui.screens.messages import safe_error_text
from collector_tui.services.desk import denial_actions as denial
from collector_tui.services.desk.denial_actions import (
    AppealFiling,
    CorrectionRequest,
    DenialActionResult,
    PayerCall,
)
from collector_tui.services.errors import EntryError, ServiceError
from collector_tui.services.law.policy import current_denial_policy
from collector_tui.services.worklists.denial_worklist import WorklistRow
from collector_tui.vocabulary import AppealLevel, ClaimFrequency

RESUBMIT = "resubmit"  # the billing form's choice for a resubmission as is (no frequency code)


class ConfirmMoney(CollectorModal[bool]):
    """Asked once before money moves: the question names the amount and the item, so a slip of the
    finger on ``m`` or ``x`` moves nothing."""

    CSS_PATH = "denial_forms.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Yes", id="denial_confirm.yes", tooltip="Yes, move the money."),
        Binding("n", "answer(False)", "No", id="denial_confirm.no", tooltip="No: nothing moves."),
        Binding("escape", "answer(False)", "Cancel", id="denial_confirm.cancel", tooltip="Nothing moves."),
    ]

    def __init__(self, question: str, detail: str = "") -> None:
        super().__init__()
        self.question = question
        self.detail = detail

    def compose(self) -> ComposeResult:
        with Vertical(id="form"):
            yield Static(Text(self.question), id="form-title")
            if self.detail:
                yield Static(Text(self.detail), id="confirm-detail")
            yield Static("y  yes · n or Esc  no", id="form-keys")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class _Saved(Message):
    def __init__(self, result: DenialActionResult) -> None:
        super().__init__()
        self.result = result


class _Refused(Message):
    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__()
        self.problems = problems


class DenialForm(CollectorModal[DenialActionResult | None]):
    """One action on one denial item: Ctrl+S saves (or Enter in a box), Esc closes.

    A form whose action moves money says so in :meth:`confirmation`; the question is asked after
    the fields are read (so it names the amount typed) and before the service runs.
    """

    TITLE: ClassVar[str] = ""
    # The widgets a service's problem field is about, when not the widget of that id.
    FIELD_WIDGETS: ClassVar[dict[str, tuple[str, ...]]] = {}
    CSS_PATH = "denial_forms.tcss"
    WORKER_DOING = "save this"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save", id="denial_form.save", tooltip="Save this entry."),
        Binding("escape", "cancel", "Close", id="denial_form.cancel", tooltip="Close without saving."),
    ]
    HELP = """
## Denial item form

**Tab** moves between fields, **Ctrl+S** saves (or **Enter** in a box),
**Esc** closes without saving. Problems show under the fields.
"""

    def __init__(self, row: WorklistRow) -> None:
        super().__init__()
        self.row = row

    def compose(self) -> ComposeResult:
        row = self.row
        with Vertical(id="form"):
            yield Static(
                Text(f"{self.TITLE} · item {row.id} · {row.payer_name} · claim {row.claim_number}"),
                id="form-title",
            )
            yield from self.fields()
            yield Static("", id="form-problems")
            yield Static("Ctrl+S save · Esc close", id="form-keys")

    def fields(self) -> ComposeResult:
        """The form's own fields: every form below overrides it (the base is never shown itself)."""
        raise NotImplementedError

    def submit(self, values: dict[str, str]) -> DenialActionResult:
        """Run the service with the form's values (in a worker thread): every form overrides it."""
        raise NotImplementedError

    def confirmation(self, values: dict[str, str]) -> str | None:
        """The question to ask before saving (None: none asked); it may raise :class:`EntryError`."""
        return None

    def on_mount(self) -> None:
        inputs = self._inputs()
        if inputs:
            inputs[0].focus()

    def _inputs(self) -> list[Widget]:
        return [w for w in self.query("Input, Select, Checkbox") if w.id]

    def values(self) -> dict[str, str]:
        return form_values(self._inputs())

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.action_save()

    def action_save(self) -> None:
        values = self.values()
        try:
            question = self.confirmation(values)
        except EntryError as exc:
            self._show_problems(exc.problems)
            return
        if question is None:
            self._start(values)
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self._start(values)

        self.app.push_screen(ConfirmMoney(question), answered)

    def _start(self, values: dict[str, str]) -> None:
        self.query_one("#form-problems", Static).update("Saving…")
        self._save(values)

    @work(thread=True, exclusive=True, group="denial-form-save", exit_on_error=False)
    def _save(self, values: dict[str, str]) -> None:
        try:
            result = self.submit(values)
        except EntryError as exc:
            self.post_message(_Refused(exc.problems))
        except ServiceError as exc:
            self.post_message(_Refused([("", str(exc))]))
        except Exception as exc:  # a driver's words may quote what it choked on: only its kind
            self.post_message(_Refused([("", safe_error_text(exc, "save this"))]))
        else:
            self.post_message(_Saved(result))

    def on__saved(self, message: _Saved) -> None:
        self.dismiss(message.result)

    def on__refused(self, message: _Refused) -> None:
        self._show_problems(message.problems)

    def _show_problems(self, problems: list[tuple[str, str]]) -> None:
        show_field_problems(self, self._inputs(), problems, self.FIELD_WIDGETS)


class PayerCallForm(DenialForm):
    """The call to the payer: who answered, what they said, the call's reference."""

    TITLE = "Log a payer call"

    def fields(self) -> ComposeResult:
        row = self.row
        dial = f"call {format_national(row.payer_phone)}" if row.payer_phone else "no phone on file"
        icn = f" · ICN {row.payer_claim_number}" if row.payer_claim_number else ""
        # What the collector reads out and dials, before anything is typed.
        yield Static(Text(f"{dial} · claim {row.claim_number}{icn}"), id="payer-dial")
        yield field_label("Representative's name")
        yield Input(id="representative", placeholder="who answered")
        yield field_label("What the payer said")
        yield Input(id="said", placeholder="e.g. will reprocess with the authorization")
        yield field_label("Call reference (optional)")
        yield Input(id="reference", placeholder="the number the payer gave for this call")
        yield Checkbox("The payer will reprocess or answer (sets the answer due)", True, id="answer_expected")

    def submit(self, values: dict[str, str]) -> DenialActionResult:
        app = self.collector_app
        call = PayerCall(
            representative=values.get("representative", ""),
            said=values.get("said", ""),
            reference=values.get("reference", ""),
            answer_expected=values.get("answer_expected") == "1",
        )
        return denial.log_payer_call(
            app.db, app.actor, self.row.id, call, now=app.clock(), seen=self.row.updated_at
        )


class AppealForm(DenialForm):
    """An appeal filed with the payer: the level, the day, the argument, the payer's case number."""

    TITLE = "File an appeal"

    def fields(self) -> ComposeResult:
        deadline = self.row.appeal_deadline
        yield field_label("Level")
        yield SearchSelect(
            [(level.label, level.value) for level in AppealLevel], id="level", value="1", allow_blank=False
        )
        by = f" (deadline {deadline.isoformat()})" if deadline else ""
        yield field_label(f"Filed on{by}")
        yield Input(self.collector_app.clock().date().isoformat(), id="filed_on", placeholder="YYYY-MM-DD")
        yield field_label("Argument")
        yield Input(id="argument", placeholder="why the payer should pay")
        yield field_label("Appeal reference (optional)")
        yield Input(id="reference", placeholder="the payer's case number")

    def submit(self, values: dict[str, str]) -> DenialActionResult:
        app = self.collector_app
        today = app.clock().date()
        filed: date = entered("filed_on", parse_day, values.get("filed_on", ""), today)
        appeal = AppealFiling(
            level=AppealLevel(values.get("level") or "1"),
            filed_on=filed,
            argument=values.get("argument", ""),
            reference=values.get("reference", ""),
        )
        return denial.file_appeal(
            app.db, app.actor, self.row.id, appeal, now=app.clock(), seen=self.row.updated_at
        )


class BillingForm(DenialForm):
    """A task for billing: a corrected claim (frequency 7), a void (8) or a resubmission as is."""

    TITLE = "Billing task"

    def fields(self) -> ComposeResult:
        icn = self.row.payer_claim_number
        choices = [
            (
                f"Corrected claim (7: {ClaimFrequency.REPLACEMENT.label.lower()})",
                ClaimFrequency.REPLACEMENT.value,
            ),
            (f"Void (8: {ClaimFrequency.VOID.label.lower()})", ClaimFrequency.VOID.value),
            ("Resubmission of the claim as it was", RESUBMIT),
        ]
        yield field_label(f"What billing sends (payer's ICN: {icn or 'none on file'})")
        yield SearchSelect(
            choices,
            id="frequency",
            value=ClaimFrequency.REPLACEMENT.value if icn else RESUBMIT,
            allow_blank=False,
        )
        yield field_label("Reason for billing")
        yield Input(id="reason", placeholder="what to correct, e.g. add modifier 25")

    def submit(self, values: dict[str, str]) -> DenialActionResult:
        app = self.collector_app
        chosen = values.get("frequency") or RESUBMIT
        request = CorrectionRequest(
            reason=values.get("reason", ""),
            frequency=None if chosen == RESUBMIT else ClaimFrequency(chosen),
        )
        return denial.request_correction(
            app.db, app.actor, self.row.id, request, now=app.clock(), seen=self.row.updated_at
        )


class OtherPayerForm(DenialForm):
    """Coordination of benefits: the claim goes to another payer."""

    TITLE = "Bill another payer"

    def fields(self) -> ComposeResult:
        yield field_label("The other payer")
        yield Input(id="payer", placeholder="e.g. the secondary plan's name")
        yield field_label("Note (optional)")
        yield Input(id="note", placeholder="what the patient or the payer said")

    def submit(self, values: dict[str, str]) -> DenialActionResult:
        app = self.collector_app
        return denial.bill_other_payer(
            app.db,
            app.actor,
            self.row.id,
            values.get("payer", ""),
            values.get("note", ""),
            now=app.clock(),
            seen=self.row.updated_at,
        )


def _typed_cents(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


class WriteOffForm(DenialForm):
    """The denied amount (or part of it) written off with a reason; asked once, naming the amount;
    beyond the policy's limit it waits for a supervisor."""

    TITLE = "Write off"

    def fields(self) -> ComposeResult:
        limit = current_denial_policy().write_off_limit_cents
        yield field_label(
            f"Amount (denied {format_cents(self.row.denied_cents)}; beyond {format_cents(limit)} "
            "a supervisor decides)"
        )
        yield Input(_typed_cents(self.row.denied_cents), id="amount", placeholder="e.g. 150.00")
        yield field_label("Reason")
        yield Input(id="reason", placeholder="why it will not be recovered")

    def _cents(self, values: dict[str, str]) -> int:
        return entered("amount", parse_amount, values.get("amount", ""))

    def confirmation(self, values: dict[str, str]) -> str | None:
        cents = self._cents(values)
        limit = current_denial_policy().write_off_limit_cents
        ask = f" It is beyond {format_cents(limit)}: a supervisor decides." if cents > limit else ""
        return f"Write off {format_cents(cents)} on item {self.row.id}?{ask}"

    def submit(self, values: dict[str, str]) -> DenialActionResult:
        app = self.collector_app
        return denial.write_off(
            app.db,
            app.actor,
            self.row.id,
            values.get("reason", ""),
            now=app.clock(),
            amount_cents=self._cents(values),
            seen=self.row.updated_at,
        )


class UpheldForm(DenialForm):
    """The payer's last word is no: the item closes as upheld."""

    TITLE = "Close as upheld"

    def fields(self) -> ComposeResult:
        yield field_label("What the payer decided")
        yield Input(id="note", placeholder="e.g. second-level appeal denied, letter of 11-20")

    def submit(self, values: dict[str, str]) -> DenialActionResult:
        app = self.collector_app
        return denial.close_upheld(
            app.db, app.actor, self.row.id, values.get("note", ""), now=app.clock(), seen=self.row.updated_at
        )


__all__ = [
    "AppealForm",
    "BillingForm",
    "ConfirmMoney",
    "DenialForm",
    "OtherPayerForm",
    "PayerCallForm",
    "UpheldForm",
    "WriteOffForm",
]
