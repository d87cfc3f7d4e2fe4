"""The workspace's one-action modals: log a contact, note, callback, promise, payment, hold, phone.

Each is an :class:`~collector_tui.screens.forms.ActionForm` (one service call in a worker, the
service's problems beside the fields, a draft kept until the save succeeds); this module says only
which fields each has and which service saves it. ``LeaveForm`` is the question asked when leaving
an account with no disposition logged.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo
from typing import ClassVar
from zoneinfo import ZoneInfo

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Checkbox, Input, Select, Static, TextArea

from collector_tui.domain.entry import parse_amount, parse_day, parse_time_of_day
from collector_tui.domain.money import format_cents
from collector_tui.screens.base import CollectorModal
from collector_tui.screens.forms import ActionForm, Reloaded, SearchSelect, entered, field_label
from collector_tui.services.desk import account_actions as actions
from collector_tui.services.desk.account_actions import ContactEntry
from collector_tui.services.desk.account_change import ActionResult
from collector_tui.services.desk.blocked_calls import log_contact_or_ask_override
from collector_tui.services.errors import EntryError
from collector_tui.services.law.policy import current_workspace_policy
from collector_tui.services.team.permissions import Permission, can
from collector_tui.services.views import AccountDetail
from collector_tui.vocabulary import HoldReason, Party, PhoneType, Verification


class ContactForm(ActionForm):
    """Log a call or contact with its disposition (the compliance engine checks a placed call)."""

    FORM = "contact"
    TITLE = "Log a call or contact"

    def __init__(
        self, detail: AccountDetail, *, on_reload: Reloaded | None = None, verification: str | None = None
    ) -> None:
        """``verification``: an inbound call's right-party verification, recorded with the contact
        (the call defaults to inbound; None: an outbound call, nothing asked)."""
        super().__init__(detail, on_reload=on_reload)
        self.verification = verification
        self.inbound = verification is not None

    def fields(self) -> ComposeResult:
        if self.verification is not None:
            yield Static(f"Inbound caller: {Verification(self.verification).label}", id="verification")
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
        yield SearchSelect(
            phones, id="phone", prompt="(no phone: note, letter)", value=first_allowed or Select.NULL
        )
        yield field_label("Direction")
        yield SearchSelect(
            [("outbound (I called)", "out"), ("inbound (they called)", "in")],
            id="direction",
            value="in" if self.inbound else "out",
            allow_blank=False,
        )
        yield field_label("Party reached")
        parties = [(Party(p).label, p) for p in actions.PARTIES]
        yield SearchSelect(parties, id="party", value="none", allow_blank=False)
        yield field_label("Disposition (type to search)")
        codes = current_workspace_policy().dispositions.values()
        yield SearchSelect(
            [(f"{d.code} · {d.label}", d.code) for d in codes], id="disposition", prompt="choose a code"
        )
        yield field_label("Note (optional)")
        yield Input(id="note", placeholder="what was said or agreed")
        if can(self.collector_app.actor, Permission.OVERRIDE_COMPLIANCE):
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
            verification=self.verification,
        )
        if not entry.disposition:
            raise EntryError([("disposition", "choose a disposition code")])
        # A collector's reason for a blocked call is a request: a supervisor decides, then the call
        # may be logged.
        return log_contact_or_ask_override(app.db, app.actor, entry, now=app.clock())


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
        yield SearchSelect(
            [(f"the debtor's time ({debtor.key})", "debtor"), (f"my time ({_my_zone_name(now)})", "mine")],
            id="zone",
            value="debtor",
            allow_blank=False,
        )
        yield Static("", id="both-zones")
        yield Checkbox("the consumer asked for this time (their consent to a call then)", id="asked")

    def _moment(self, values: dict[str, str]) -> datetime:
        debtor, mine = self._zones()
        today = self.collector_app.clock().astimezone(debtor).date()
        day = entered("date", parse_day, values.get("date", ""), today)
        hour, minute = divmod(entered("time", parse_time_of_day, values.get("time", "")), 60)
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
        amount = entered("amount", parse_amount, values.get("amount", ""))
        due = entered("due", parse_day, values.get("due", ""), app.clock().date())
        return actions.take_promise(
            app.db, app.actor, self.detail.id, version, amount_cents=amount, due=due, now=app.clock()
        )


class PaymentForm(ActionForm):
    FORM = "payment"
    TITLE = "Payment taken by phone"

    def __init__(
        self, detail: AccountDetail, *, on_reload: Reloaded | None = None, amount_cents: int | None = None
    ) -> None:
        """``amount_cents``: the amount to take, prefilled (a new plan's down payment)."""
        super().__init__(detail, on_reload=on_reload)
        self.amount_cents = amount_cents

    def fields(self) -> ComposeResult:
        yield field_label(f"Amount (balance {format_cents(self.detail.total_balance_cents)})")
        cents = self.amount_cents
        typed = "" if cents is None else f"{cents // 100}.{cents % 100:02d}"
        yield Input(typed, id="amount", placeholder="e.g. 150.00")
        yield field_label("Method")
        yield SearchSelect(
            [(m, m) for m in actions.PAYMENT_METHODS], id="method", value="card", allow_blank=False
        )
        yield field_label("Confirmation reference from the payment processor")
        yield Input(id="reference", placeholder="never a card number")

    def submit(self, values: dict[str, str], version: int) -> ActionResult:
        app = self.collector_app
        return actions.take_payment(
            app.db,
            app.actor,
            self.detail.id,
            version,
            amount_cents=entered("amount", parse_amount, values.get("amount", "")),
            method=values.get("method", ""),
            reference=values.get("reference", ""),
            now=app.clock(),
        )


class HoldForm(ActionForm):
    FORM = "hold"
    TITLE = "Put on hold"

    def fields(self) -> ComposeResult:
        yield field_label("Reason")
        yield SearchSelect(
            [(HoldReason(r).label, r) for r in actions.WORKSPACE_HOLDS], id="reason", prompt="choose"
        )
        yield field_label("Received (a dispute or a cease)")
        yield SearchSelect(
            [("orally (on the phone)", "oral"), ("in writing (letter, email, fax)", "written")],
            id="received",
            prompt="how it came",
        )
        yield field_label("Note: what the consumer said or sent (Enter: a new line; Ctrl+S saves)")
        yield TextArea(id="note")

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
        yield SearchSelect([*phones, ("add a new number…", NEW_PHONE)], id="phone", prompt="choose")
        yield field_label("Change (for a number on file)")
        words = {
            "wrong": "wrong number",
            "disconnected": "disconnected",
            "ok": "number works again",
            "do_not_call": "do not call this number",
            "allow_calls": "lift do-not-call",
        }
        changes = [(words.get(c, c), c) for c in actions.PHONE_CHANGES]
        yield SearchSelect(changes, id="change", prompt="choose")
        yield field_label("New number (when adding)")
        yield Input(id="number", placeholder="10 digits, e.g. area code first")
        yield field_label("Type of the new number")
        yield SearchSelect(
            [(t.label, t.value) for t in PhoneType],
            id="type",
            value="mobile",
            allow_blank=False,
        )
        yield field_label("Consent to call the new mobile number")
        yield SearchSelect(
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


class LeaveForm(CollectorModal[str]):
    """Asked once when leaving an account with no disposition: most lost work is work not recorded."""

    CSS_PATH = "workspace_forms.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("c", "choose('log')", "Log a call", id="leave.log"),
        Binding("y", "choose('leave')", "Leave anyway", id="leave.yes"),
        Binding("escape", "choose('stay')", "Stay", id="leave.stay"),  # Esc: back to the account
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
