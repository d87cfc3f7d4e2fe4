"""What the consumer asks on the phone (key ``w``): one form, a choice of requests, its fields.

"Don't call me at work", "not between X and Y", "you may call me at ...",
"stop texting / emailing me", "don't call this mobile", or taking back a time
on file. Times of day are the consumer's own; the form shows their time now
and what is already on file (read in a worker). Saving is one service call,
as in every workspace form.
"""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Input, Select, Static

from collector_tui.domain.compliance.clock import zone
from collector_tui.screens.forms import ActionForm, SearchSelect, field_label
from collector_tui.screens.messages import safe_error_text
from collector_tui.services.desk import consumer_requests as requests
from collector_tui.services.desk.account_change import ActionResult
from collector_tui.services.desk.consumer_requests import ConsumerWishes
from collector_tui.services.errors import EntryError

# (what the collector picks, its value): what the consumer said, in their words.
REQUESTS = (
    ("don't call me at work", "at_work"),
    ("don't call me between … and …", "inconvenient"),
    ("you may call me at … (their consent to that time)", "consent"),
    ("stop texting me (one number)", "stop_text"),
    ("stop emailing me", "stop_email"),
    ("don't call this mobile any more (revoke consent)", "revoke"),
    ("a time on file no longer holds (remove it)", "remove"),
)
# The fields each request reads; the others are hidden while it is chosen.
FIELDS: dict[str, tuple[str, ...]] = {
    "at_work": ("phone",),
    "inconvenient": ("days", "from", "until"),
    "consent": ("on", "from", "until"),
    "stop_text": ("phone",),
    "stop_email": (),
    "revoke": ("phone",),
    "remove": ("remove",),
}
GROUPS = ("phone", "days", "on", "from", "until", "remove")


class _Wishes(Message):
    def __init__(self, wishes: ConsumerWishes | None, problem: str = "") -> None:
        super().__init__()
        self.wishes = wishes
        self.problem = problem


def _last4(number: str) -> str:
    return "".join(ch for ch in number if ch.isdigit())[-4:]


def _their(moment: datetime | None, home_zone: str) -> str:
    return "—" if moment is None else f"{moment.astimezone(zone(home_zone)):%a %b %d %H:%M %Z}"


def _group(name: str, label: str, field: Widget) -> Vertical:
    """One request field with its label, shown only while a request that reads it is chosen."""
    return Vertical(field_label(label), field, id=f"group-{name}", classes="group")


class ConsumerRequestForm(ActionForm):
    """Record what the consumer asks: each request one audited change, dated in their time."""

    FORM = "requests"
    TITLE = "What the consumer asks"
    HELP = """
## What the consumer asks

Choose what the consumer said; only its fields show. Times are **the
consumer's local time** (their time now is shown at the top), as `14:30`,
`2:30pm` or `9am`; `24:00` (or `12am` as an end) is midnight. Days are
`mon-fri`, `weekdays`, `sat,sun`, ... (empty: every day).

- **don't call me at work**: no calls at work; name their work number if they give one.
- **don't call me between … and …**: a time not to call, added to those on file.
- **you may call me at …**: their consent to calls then (on a date, or on days),
  even outside the calling window or an inconvenient time. A time in the past is refused.
- **stop texting me** (one number) / **stop emailing me**.
- **don't call this mobile any more**: their consent to calls to that number is revoked.
- **a time on file no longer holds**: remove a time not to call, or a consent.

Each is saved with the time it was said, in the account's activity, and the
call queue follows at once. **Ctrl+S** saves, **Esc** closes (what you typed is kept).
"""

    def fields(self) -> ComposeResult:
        home = self.detail.compliance.home_zone
        now = _their(self.collector_app.clock(), home)
        yield Static(f"Their time now: {now} ({home})", id="their-time")
        yield Static("Reading what is on file…", id="on-file")
        yield field_label("What they said")
        yield SearchSelect(REQUESTS, id="request", prompt="choose")
        phones = [(f"{p.national} {p.phone_type}", str(p.id)) for p in self.detail.phones]
        yield _group(
            "phone",
            "Number (at work: their work number, if they name one)",
            SearchSelect(phones, id="phone", prompt="choose a number"),
        )
        yield _group(
            "days",
            "Days: mon-fri, weekdays, sat,sun (empty: every day)",
            Input(id="days", placeholder="every day"),
        )
        yield _group(
            "on",
            "On: a date (YYYY-MM-DD or MM/DD) or days (weekdays, sat; empty: every day)",
            Input(id="on", placeholder="e.g. 12/05 or weekdays"),
        )
        yield _group("from", "From (their time)", Input(id="from", placeholder="HH:MM or 7:30am"))
        yield _group(
            "until", "Until (their time)", Input(id="until", placeholder="HH:MM or 8pm; 24:00 is midnight")
        )
        yield _group(
            "remove", "The time to remove", SearchSelect([], id="remove", prompt="choose a time on file")
        )

    def on_mount(self) -> None:
        # ActionForm.on_mount (the draft) runs after this one: Textual calls each class's handler.
        self._show_fields()
        self._load_wishes()

    @work(thread=True, exclusive=True, group="wishes", exit_on_error=False)
    def _load_wishes(self) -> None:
        app = self.collector_app
        try:
            wishes = requests.consumer_wishes(app.db, app.actor, self.detail.id, now=app.clock())
        except Exception as exc:
            self.post_message(_Wishes(None, safe_error_text(exc, "read what is on file")))
        else:
            self.post_message(_Wishes(wishes))

    def on__wishes(self, message: _Wishes) -> None:
        shown = self.query_one("#on-file", Static)
        if message.wishes is None:
            shown.update(Text(message.problem))
            return
        shown.update(Text(self._on_file(message.wishes)))
        wishes = message.wishes
        choices = [(f"not to call: {p}", f"{requests.INCONVENIENT}|{p}") for p in wishes.inconvenient_times]
        choices += [(f"may call: {p}", f"{requests.CONSENTED}|{p}") for p in wishes.call_time_consent]
        self.query_one("#remove", Select).set_options(choices)

    def _on_file(self, wishes: ConsumerWishes) -> str:
        home = wishes.home_zone
        email = "no address on file" if not wishes.email_on_file else "may be emailed"
        if wishes.email_opt_out_at is not None:
            email = f"stopped {_their(wishes.email_opt_out_at, home)}"
        lines = [
            f"On file · no calls at work: {'yes' if wishes.no_calls_at_work else 'no'} · email: {email}",
            f"Not to call (their time): {'; '.join(wishes.inconvenient_times) or 'none'}",
            f"May call (their time): {'; '.join(wishes.call_time_consent) or 'none'}"
            + (f" (said {_their(wishes.call_time_consent_at, home)})" if wishes.call_time_consent else ""),
        ]
        labels = {p.id: f"{p.phone_type} …{_last4(p.national)}" for p in self.detail.phones}
        for phone in wishes.phones:
            notes = ["their work number"] if phone.is_work else []
            if phone.text_opt_out_at is not None:
                notes.append(f"texts stopped {_their(phone.text_opt_out_at, home)}")
            if phone.consent_revoked_at is not None:
                notes.append(f"consent revoked {_their(phone.consent_revoked_at, home)}")
            if notes and phone.id in labels:
                lines.append(f"{labels[phone.id]}: {', '.join(notes)}")
        return "\n".join(lines)

    @on(Select.Changed, "#request")
    def _show_fields(self) -> None:
        chosen = FIELDS.get(self.values().get("request", ""), ())
        for name in GROUPS:
            self.query_one(f"#group-{name}", Vertical).display = name in chosen

    def submit(self, values: dict[str, str], version: int) -> ActionResult:
        app, account, now = self.collector_app, self.detail.id, self.collector_app.clock()
        db, actor = app.db, app.actor
        phone = int(values["phone"]) if values.get("phone") else None
        start, end = values.get("from", ""), values.get("until", "")
        match values.get("request", ""):
            case "at_work":
                return requests.no_calls_at_work(db, actor, account, version, phone_id=phone, now=now)
            case "inconvenient":
                days = values.get("days", "")
                return requests.add_inconvenient_time(
                    db, actor, account, version, days=days, start=start, end=end, now=now
                )
            case "consent":
                on_ = values.get("on", "")
                return requests.consent_to_call_time(
                    db, actor, account, version, on=on_, start=start, end=end, now=now
                )
            case "stop_text":
                return requests.stop_texting(db, actor, account, version, phone, now=now)
            case "stop_email":
                return requests.stop_emailing(db, actor, account, version, now=now)
            case "revoke":
                return requests.revoke_call_consent(db, actor, account, version, phone, now=now)
            case "remove":
                kind, _, period = values.get("remove", "").partition("|")
                if not period:
                    raise EntryError([("remove", "choose a time on file")])
                return requests.remove_time(db, actor, account, version, kind=kind, period=period, now=now)
        raise EntryError([("request", "choose what the consumer asks")])
