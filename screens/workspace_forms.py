"""The workspace's one-action modals: log a contact, note, callback, promise, payment, hold, phone.

Each form collects fields, hands them to one service call in a worker, and
shows the service's own (PHI-free) problems beside the fields. What is typed
is kept as a local draft until the save succeeds, so neither Esc nor a crash
loses it. If the account changed underneath, the form stays open with what
was typed, says what changed, and saves against the fresh version next time.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, ClassVar, cast
from zoneinfo import ZoneInfo

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Checkbox, Input, Label, Select, Static, TextArea

from collector_tui.domain.money import MoneyError, format_cents, parse_money
from collector_tui.domain.workspace_policy import looks_like_card_number
from collector_tui.screens.messages import safe_error_text
from collector_tui.services.desk import account_actions as actions
from collector_tui.services.desk.account_actions import (
    ActionResult,
    ContactEntry,
    EntryError,
    StaleAccountError,
)
from collector_tui.services.desk.account_changes import describe_changes
from collector_tui.services.desk.accounts import account_detail
from collector_tui.services.desk.drafts import clear_draft, load_draft, save_draft
from collector_tui.services.errors import AccessDeniedError, ServiceError
from collector_tui.services.law.policy import current_workspace_policy
from collector_tui.services.team.approvals import request_override
from collector_tui.services.views import AccountDetail

if TYPE_CHECKING:
    from collector_tui.screens.app import CollectorApp

Reloaded = Callable[[AccountDetail], None]
SUPERVISORS = ("supervisor", "admin")


class _Saved(Message):
    def __init__(self, result: ActionResult) -> None:
        super().__init__()
        self.result = result


class _Refused(Message):
    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__()
        self.problems = problems


class _Stale(Message):
    def __init__(self, fresh: AccountDetail, changes: list[str]) -> None:
        super().__init__()
        self.fresh = fresh
        self.changes = changes


def parse_amount(text: str, field: str = "amount") -> int:
    try:
        return parse_money(text)
    except MoneyError as exc:
        raise EntryError([(field, f"{exc}: enter dollars and cents, e.g. 125.00")]) from None


def parse_day(text: str, field: str, today: date) -> date:
    """``2026-12-04``, ``12/04/2026`` or ``12/04`` (in ``today``'s year)."""
    text = text.strip()
    try:
        if "/" in text:
            parts = [int(part) for part in text.split("/")]
            year = parts[2] if len(parts) == 3 else today.year
            return date(year, parts[0], parts[1])
        return date.fromisoformat(text)
    except (ValueError, IndexError):
        raise EntryError([(field, "enter a date as YYYY-MM-DD or MM/DD/YYYY")]) from None


def parse_clock(text: str, field: str = "time") -> tuple[int, int]:
    """``14:30``, ``2:30pm``, ``9am``."""
    raw = text.strip().lower().replace(" ", "")
    suffix = raw[-2:] if raw.endswith(("am", "pm")) else ""
    raw = raw.removesuffix(suffix)
    try:
        hour, _, minute = raw.partition(":")
        h, m = int(hour), int(minute or 0)
        if suffix:
            if not 1 <= h <= 12:
                raise ValueError
            h = h % 12 + (12 if suffix == "pm" else 0)
        if not (0 <= h < 24 and 0 <= m < 60):
            raise ValueError
    except ValueError:
        raise EntryError([(field, "enter a time as HH:MM (24-hour) or 2:30pm")]) from None
    return h, m


class ActionForm(ModalScreen[ActionResult | None]):
    """One action on one account: Ctrl+S saves, Esc closes (what was typed is kept as a draft)."""

    FORM: ClassVar[str] = "form"
    TITLE: ClassVar[str] = ""
    # The widgets a service's problem field is about, when not the widget of that id.
    FIELD_WIDGETS: ClassVar[dict[str, tuple[str, ...]]] = {}
    CSS_PATH = "workspace_forms.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save", id="form.save", tooltip="Save this entry."),
        Binding("escape", "cancel", "Close", id="form.cancel", tooltip="Close; what you typed is kept."),
        Binding("f1", "app.toggle_help", "Help", id="form.help", tooltip="Keys and help for this form."),
    ]
    HELP = """
## Entry form

**Tab** moves between fields, **Ctrl+S** saves (or **Enter** in the last box),
**Esc** closes without saving: what you typed is kept and comes back the next
time you open this form on this account. Problems show under the fields.
"""

    def __init__(self, detail: AccountDetail, *, on_reload: Reloaded | None = None) -> None:
        super().__init__()
        self.detail = detail
        self.on_reload = on_reload
        self._restoring = False
        self._initial: dict[str, str] = {}

    @property
    def collector_app(self) -> CollectorApp:
        return cast("CollectorApp", self.app)

    def compose(self) -> ComposeResult:
        with Vertical(id="form"):
            yield Static(f"{self.TITLE} · {self.detail.account_number}", id="form-title")
            yield from self.fields()
            yield Static("", id="form-problems")
            yield Static("Ctrl+S save · Esc close (kept as a draft)", id="form-keys")

    def fields(self) -> ComposeResult:
        raise NotImplementedError

    def submit(self, values: dict[str, str], version: int) -> ActionResult:
        """Run the service with the form's values (in a worker thread)."""
        raise NotImplementedError

    # -- values and drafts --------------------------------------------------------------------

    def _inputs(self) -> list[Widget]:
        return [w for w in self.query("Input, Select, TextArea, Checkbox") if w.id]

    def values(self) -> dict[str, str]:
        found: dict[str, str] = {}
        for widget in self._inputs():
            assert widget.id is not None
            if isinstance(widget, Input):
                found[widget.id] = widget.value
            elif isinstance(widget, TextArea):
                found[widget.id] = widget.text
            elif isinstance(widget, Select):
                found[widget.id] = "" if widget.is_blank() else str(widget.value)
            elif isinstance(widget, Checkbox):
                found[widget.id] = "1" if widget.value else ""
        return found

    def _restore(self, saved: dict[str, str]) -> None:
        self._restoring = True
        for widget in self._inputs():
            value = saved.get(widget.id or "")
            if value is None:
                continue
            if isinstance(widget, Input):
                widget.value = value
            elif isinstance(widget, TextArea):
                widget.text = value
            elif isinstance(widget, Select) and value:
                options = {str(v) for _, v in widget._options}
                if value in options:
                    widget.value = value
            elif isinstance(widget, Checkbox):
                widget.value = value == "1"
        self._restoring = False

    def on_mount(self) -> None:
        self._initial = self.values()
        saved = load_draft(self.collector_app.db.url, self.detail.id, self.FORM)
        if saved:
            self._restore(saved)
            self.notify("Restored what you typed before.", timeout=3)
        inputs = self._inputs()
        if inputs:
            inputs[0].focus()
        for area in self.query(TextArea):
            area.move_cursor(area.document.end)  # a restored note continues where it stopped

    @on(Input.Changed)
    @on(TextArea.Changed)
    @on(Select.Changed)
    @on(Checkbox.Changed)
    def _keep_draft(self) -> None:
        """Keep what the collector typed (not the form's defaults), never a card number."""
        if self._restoring or not self._initial:
            return
        values = self.values()
        typed = {key: value for key, value in values.items() if value != self._initial.get(key)}
        kept = {key: value for key, value in values.items() if not looks_like_card_number(value)}
        url = self.collector_app.db.url
        if typed and any(not looks_like_card_number(v) for v in typed.values()):
            save_draft(url, self.detail.id, self.FORM, kept)
        else:
            clear_draft(url, self.detail.id, self.FORM)

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.action_save()

    # -- saving --------------------------------------------------------------------------------

    def action_save(self) -> None:
        self.query_one("#form-problems", Static).update("Saving…")
        self._save(self.values(), self.detail.version)

    def action_cancel(self) -> None:
        self.dismiss(None)

    @work(thread=True, exclusive=True, group="form-save", exit_on_error=False)
    def _save(self, values: dict[str, str], version: int) -> None:
        app = self.collector_app
        try:
            result = self.submit(values, version)
        except StaleAccountError:
            fresh = account_detail(app.db, app.actor, self.detail.id, now=app.clock())
            self.post_message(_Stale(fresh, describe_changes(self.detail, fresh)))
        except EntryError as exc:
            self.post_message(_Refused(exc.problems))
        except ServiceError as exc:
            self.post_message(_Refused([("", str(exc))]))
        except Exception as exc:
            self.post_message(_Refused([("", safe_error_text(exc, "save this"))]))
        else:
            self.post_message(_Saved(result))

    def on__saved(self, message: _Saved) -> None:
        clear_draft(self.collector_app.db.url, self.detail.id, self.FORM)
        self.dismiss(message.result)

    def on__refused(self, message: _Refused) -> None:
        for widget in self._inputs():
            widget.remove_class("-problem")
        lines = []
        for field, problem in message.problems:
            for name in self.FIELD_WIDGETS.get(field, (field,) if field else ()):
                for widget in self.query(f"#{name}"):
                    widget.add_class("-problem")
            lines.append(f"✗ {field.replace('_', ' ')}: {problem}" if field else f"✗ {problem}")
        # As text, not markup: a rule's id in brackets ("[cease]") is part of the reason.
        self.query_one("#form-problems", Static).update(Text("\n".join(lines)))

    def on__stale(self, message: _Stale) -> None:
        self.detail = message.fresh
        if self.on_reload is not None:
            self.on_reload(message.fresh)
        changed = "; ".join(message.changes) or "it was saved by someone else"
        self.query_one("#form-problems", Static).update(
            f"⚠ Changed since you opened it: {changed}.\nYour entry is kept: check it and press Ctrl+S again."
        )


def field_label(text: str) -> Label:
    return Label(text, classes="field-label")


class ContactForm(ActionForm):
    """Log a call or contact with its disposition (the compliance engine checks a placed call)."""

    FORM = "contact"
    TITLE = "Log a call or contact"

    def fields(self) -> ComposeResult:
        verdicts = {p.phone_id: p for p in self.detail.compliance.phones}
        phones = []
        first_allowed = None
        for phone in self.detail.phones:
            verdict = verdicts.get(phone.id)
            ok = verdict is not None and verdict.allowed
            mark = "✓ may call" if ok else "✗ blocked"
            phones.append((f"{phone.national} {phone.phone_type} · {mark}", str(phone.id)))
            if ok and first_allowed is None:
                first_allowed = str(phone.id)
        yield field_label("Phone")
        yield Select(
            phones, id="phone", prompt="(no phone: note, letter)", value=first_allowed or Select.NULL
        )
        yield field_label("Direction")
        yield Select(
            [("outbound (I called)", "out"), ("inbound (they called)", "in")],
            id="direction",
            value="out",
            allow_blank=False,
        )
        yield field_label("Party reached")
        parties = [(p.replace("_", " "), p) for p in actions.PARTIES]
        yield Select(parties, id="party", value="none", allow_blank=False)
        yield field_label("Disposition (type to search)")
        codes = current_workspace_policy().dispositions.values()
        yield Select(
            [(f"{d.code} · {d.label}", d.code) for d in codes], id="disposition", prompt="choose a code"
        )
        yield field_label("Note (optional)")
        yield Input(id="note", placeholder="what was said or agreed")
        if self.collector_app.actor.role in SUPERVISORS:
            yield field_label("Override reason (supervisor: only to log a call the rules block)")
            yield Input(id="override_reason", placeholder="leave empty unless overriding")
        else:
            yield field_label("Ask a supervisor to allow a blocked call (why)")
            yield Input(id="override_reason", placeholder="only if the rules block this call")

    def submit(self, values: dict[str, str], version: int) -> ActionResult:
        app = self.collector_app
        entry = ContactEntry(
            account_id=self.detail.id,
            version=version,
            disposition=values.get("disposition", ""),
            phone_id=int(values["phone"]) if values.get("phone") else None,
            direction=values.get("direction") or "out",
            party=values.get("party") or "none",
            note=values.get("note") or None,
            override_reason=values.get("override_reason") or None,
        )
        if not entry.disposition:
            raise EntryError([("disposition", "choose a disposition code")])
        try:
            return actions.log_contact(app.db, app.actor, entry, now=app.clock())
        except (actions.CallBlockedError, AccessDeniedError):
            if app.actor.role in SUPERVISORS or not entry.override_reason:
                raise
            # A collector's reason is a request: a supervisor decides, then the call may be logged.
            return request_override(
                app.db,
                app.actor,
                entry.account_id,
                version,
                entry.phone_id,
                entry.override_reason,
                now=app.clock(),
            )


class NoteForm(ActionForm):
    FORM = "note"
    TITLE = "Add a note"

    def fields(self) -> ComposeResult:
        yield field_label("Note (Enter for a new line, Ctrl+S to save)")
        yield TextArea(id="note")

    def submit(self, values: dict[str, str], version: int) -> ActionResult:
        app = self.collector_app
        return actions.add_note(
            app.db, app.actor, self.detail.id, version, values.get("note", ""), now=app.clock()
        )


def _my_zone_name(now: datetime) -> str:
    return now.astimezone().tzname() or "this computer's zone"


class CallbackForm(ActionForm):
    """A timed callback, entered in the debtor's zone or the collector's; both are shown."""

    FORM = "callback"
    TITLE = "Set a callback"
    FIELD_WIDGETS: ClassVar[dict[str, tuple[str, ...]]] = {"when": ("date", "time")}
    HELP = """
## Set a callback

The date and time, in the debtor's time or yours (both are shown). The
compliance rules judge a call at that moment (holds, the call limits, the
numbers that may be called, the calling window, inconvenient times): a time
they block is refused with the reason. Tick **the consumer asked for this
time** when they named it: that is their consent to a call then, recorded
with the callback (it does not lift a hold).

**Ctrl+S** saves, **Esc** closes (what you typed is kept).
"""

    def _zones(self) -> tuple[ZoneInfo, tzinfo]:
        """The debtor's zone and the collector's (this machine's)."""
        debtor = ZoneInfo(self.detail.compliance.home_zone)
        mine = self.collector_app.clock().astimezone().tzinfo
        return debtor, mine or UTC

    def fields(self) -> ComposeResult:
        now = self.collector_app.clock()
        debtor, _ = self._zones()
        tomorrow = (now.astimezone(debtor) + timedelta(days=1)).date()
        yield field_label("Date")
        yield Input(tomorrow.isoformat(), id="date", placeholder="YYYY-MM-DD")
        yield field_label("Time")
        yield Input("10:00", id="time", placeholder="HH:MM or 2:30pm")
        yield field_label("Entered in")
        yield Select(
            [(f"the debtor's time ({debtor.key})", "debtor"), (f"my time ({_my_zone_name(now)})", "mine")],
            id="zone",
            value="debtor",
            allow_blank=False,
        )
        yield Static("", id="both-zones")
        yield Checkbox("the consumer asked for this time (their consent to a call then)", id="asked")

    def _moment(self, values: dict[str, str]) -> datetime:
        debtor, mine = self._zones()
        day = parse_day(values.get("date", ""), "date", self.collector_app.clock().astimezone(debtor).date())
        hour, minute = parse_clock(values.get("time", ""))
        where = debtor if values.get("zone") != "mine" else mine
        return datetime(day.year, day.month, day.day, hour, minute, tzinfo=where)

    @on(Input.Changed)
    @on(Select.Changed)
    def _show_both(self) -> None:
        try:
            moment = self._moment(self.values())
        except EntryError:
            self.query_one("#both-zones", Static).update("")
            return
        debtor, _ = self._zones()
        self.query_one("#both-zones", Static).update(
            f"= {moment.astimezone(debtor):%a %b %d %H:%M %Z} for the debtor"
            f" · {moment.astimezone():%H:%M %Z} for you"
        )

    def submit(self, values: dict[str, str], version: int) -> ActionResult:
        app = self.collector_app
        return actions.set_callback(
            app.db,
            app.actor,
            self.detail.id,
            version,
            self._moment(values),
            now=app.clock(),
            consumer_asked=values.get("asked") == "1",
        )


class PromiseForm(ActionForm):
    FORM = "promise"
    TITLE = "Promise to pay"

    def fields(self) -> ComposeResult:
        rules = current_workspace_policy().promise
        yield field_label(f"Amount (balance {format_cents(self.detail.total_balance_cents)})")
        yield Input(id="amount", placeholder="e.g. 150.00")
        yield field_label(f"Due date (within {rules.max_days_out} days)")
        yield Input(id="due", placeholder="YYYY-MM-DD")
        yield Static(
            f"Policy: at least {format_cents(rules.min_cents)} and {rules.min_percent_of_balance}% of the "
            "balance (or the whole balance)",
            classes="hint",
        )

    def submit(self, values: dict[str, str], version: int) -> ActionResult:
        app = self.collector_app
        amount = parse_amount(values.get("amount", ""))
        due = parse_day(values.get("due", ""), "due", app.clock().date())
        return actions.take_promise(
            app.db, app.actor, self.detail.id, version, amount_cents=amount, due=due, now=app.clock()
        )


class PaymentForm(ActionForm):
    FORM = "payment"
    TITLE = "Payment taken by phone"

    def fields(self) -> ComposeResult:
        yield field_label(f"Amount (balance {format_cents(self.detail.total_balance_cents)})")
        yield Input(id="amount", placeholder="e.g. 150.00")
        yield field_label("Method")
        yield Select([(m, m) for m in actions.PAYMENT_METHODS], id="method", value="card", allow_blank=False)
        yield field_label("Confirmation reference from the payment processor")
        yield Input(id="reference", placeholder="never a card number")

    def submit(self, values: dict[str, str], version: int) -> ActionResult:
        app = self.collector_app
        return actions.take_payment(
            app.db,
            app.actor,
            self.detail.id,
            version,
            amount_cents=parse_amount(values.get("amount", "")),
            method=values.get("method", ""),
            reference=values.get("reference", ""),
            now=app.clock(),
        )


class HoldForm(ActionForm):
    FORM = "hold"
    TITLE = "Put on hold"

    def fields(self) -> ComposeResult:
        yield field_label("Reason")
        yield Select(
            [(r.replace("_", " "), r) for r in actions.WORKSPACE_HOLDS], id="reason", prompt="choose"
        )
        yield field_label("Received (a dispute or a cease)")
        yield Select(
            [("orally (on the phone)", "oral"), ("in writing (letter, email, fax)", "written")],
            id="received",
            prompt="how it came",
        )
        yield field_label("Note: what the consumer said or sent")
        yield Input(id="note")

    def submit(self, values: dict[str, str], version: int) -> ActionResult:
        app = self.collector_app
        reason = values.get("reason", "")
        if not reason:
            raise EntryError([("reason", "choose a reason")])
        return actions.place_hold(
            app.db,
            app.actor,
            self.detail.id,
            version,
            reason,
            values.get("note", ""),
            now=app.clock(),
            received_via=values.get("received") or None,
            require_received=True,
        )


NEW_PHONE = "new"


class PhoneForm(ActionForm):
    """Mark a number wrong, disconnected or do-not-call (or good again), or add a number."""

    FORM = "phone"
    TITLE = "Phone numbers"

    def fields(self) -> ComposeResult:
        phones = [(f"{p.national} {p.phone_type} ({p.status})", str(p.id)) for p in self.detail.phones]
        yield field_label("Number")
        yield Select([*phones, ("add a new number…", NEW_PHONE)], id="phone", prompt="choose")
        yield field_label("Change (for a number on file)")
        words = {
            "wrong": "wrong number",
            "disconnected": "disconnected",
            "ok": "number works again",
            "do_not_call": "do not call this number",
            "allow_calls": "lift do-not-call",
        }
        changes = [(words.get(c, c), c) for c in actions.PHONE_CHANGES]
        yield Select(changes, id="change", prompt="choose")
        yield field_label("New number (when adding)")
        yield Input(id="number", placeholder="10 digits, e.g. area code first")
        yield field_label("Type of the new number")
        yield Select(
            [(t, t) for t in ("mobile", "home", "work", "other")],
            id="type",
            value="mobile",
            allow_blank=False,
        )
        yield Select(
            [("no consent", "no"), ("consents to calls", "yes")], id="consent", value="no", allow_blank=False
        )

    def submit(self, values: dict[str, str], version: int) -> ActionResult:
        app = self.collector_app
        phone = values.get("phone", "")
        if phone == NEW_PHONE:
            return actions.add_phone(
                app.db,
                app.actor,
                self.detail.id,
                version,
                values.get("number", ""),
                values.get("type", ""),
                consent_to_call_mobile=values.get("consent") == "yes",
                now=app.clock(),
            )
        if not phone:
            raise EntryError([("phone", "choose a number")])
        if not values.get("change"):
            raise EntryError([("change", "choose what to change")])
        return actions.change_phone(
            app.db, app.actor, self.detail.id, version, int(phone), values["change"], now=app.clock()
        )


class LeaveForm(ModalScreen[str]):
    """Asked once when leaving an account with no disposition: most lost work is work not recorded."""

    CSS_PATH = "workspace_forms.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("c", "choose('log')", "Log a call", id="leave.log"),
        Binding("y", "choose('leave')", "Leave anyway", id="leave.yes"),
        Binding("escape", "choose('stay')", "Stay", id="leave.stay"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(id="form"):
            yield Static("No disposition logged for this account.", id="form-title")
            yield Static("c  log a call or contact now\ny  leave without one\nEsc  stay on the account")

    def action_choose(self, choice: str) -> None:
        self.dismiss(choice)


FORMS: dict[str, type[ActionForm]] = {
    form.FORM: form
    for form in (ContactForm, NoteForm, CallbackForm, PromiseForm, PaymentForm, HoldForm, PhoneForm)
}
