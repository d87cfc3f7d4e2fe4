"""The account workspace: everything about one account on one screen, every action a key away."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar, cast

from rich.console import RenderableType
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Header, Static

from collector_tui.screens import account_render
from collector_tui.screens.account_search import AccountSearch, open_inbound_search
from collector_tui.screens.base import CollectorScreen, KeysFooter
from collector_tui.screens.consumer_requests import ConsumerRequestForm
from collector_tui.screens.forms import ActionForm
from collector_tui.screens.plan_calculator import PlanCalculator, SettlementCalculator
from collector_tui.screens.verification import VerifyCaller
from collector_tui.screens.workspace_forms import (
    CallbackForm,
    ContactForm,
    HoldForm,
    LeaveForm,
    NoteForm,
    PaymentForm,
    PhoneForm,
    PromiseForm,
)
from collector_tui.services.desk.account_change import ActionResult
from collector_tui.services.desk.account_changes import describe_changes
from collector_tui.services.desk.account_watch import account_version
from collector_tui.services.desk.accounts import account_detail
from collector_tui.services.views import AccountDetail
from collector_tui.services.worklists.queue import CLAIM_TTL, claim, claim_next, release
from collector_tui.vocabulary import Verification

CLAIM_HEARTBEAT = CLAIM_TTL / 4
WATCH_SECONDS = 15.0  # how soon a collector hears that someone else changed the open account

ACTIONS_HELP = """
**Actions** (each opens one form; **Ctrl+S** saves, **Esc** closes and keeps what you typed):
**c** log a call or contact · **m** note · **b** callback · **p** payment-plan calculator ·
**P** promise to pay ·
**$** payment taken by phone · **h** hold (a dispute or cease: received orally or in writing) ·
**f** phone numbers ·
**w** what the consumer asks: no calls at work, not between two times, you may call me at a time
(their consent), stop texting or emailing, revoke consent to a mobile, or take back a time on file ·
**n** disposition and go to the next account · **Esc** back to the queue.
"""

PANE_HELP = {
    "people": "The guarantor and the patient: date of birth, SSN last four only, address, language.",
    "phones": "Each number with its type, consent and do-not-call, the local time there, and whether it "
    "may be dialled now or the rule that blocks it and when that lifts. **f** changes a number; **w** "
    "records what the consumer asks about one (their work number, no texts, consent revoked).",
    "compliance": "**May I…** lists every action (call, letter, credit reporting, legal action, ...) as "
    "allowed, or each rule that blocks it with its citation and when it lifts.",
    "household": "The guarantor's other accounts with their balances, and the household total.",
    "claims": "Insurance claims: payer, status, amounts, each denial code in plain words with the usual "
    "next step, and the timely-filing and appeal deadlines.",
    "charges": "The encounter's charge lines: service date, procedure code, amount.",
    "activity": "Every call, note, letter and status change, newest first.",
    "arrangements": "Promises to pay and the payment plan with its installments.",
    "transactions": "Payments, adjustments and insurance payments, newest first.",
}


class Pane(VerticalScroll):
    """A titled, focusable, scrollable section of the account, with its own help."""

    def __init__(self, title: str, pane_id: str) -> None:
        super().__init__(Static(id=f"{pane_id}-body", classes="pane-body"), id=pane_id, classes="pane")
        self.border_title = title
        self.can_focus = True
        self.base_help = self.HELP or ""  # each pane is its own class: what show() adds goes after this


def _pane(title: str, pane_id: str) -> Pane:
    """A pane whose help (F1) explains that pane, then the workspace's keys."""
    keys = "**Tab** next pane · **Up/Down** scroll."
    help_text = f"## {title}\n\n{PANE_HELP.get(pane_id, '')}\n\n{keys}\n{ACTIONS_HELP}"
    kind = type(f"{pane_id.title()}Pane", (Pane,), {"HELP": help_text})
    return cast(Pane, kind(title, pane_id))


PANES: tuple[tuple[str, str, Callable[[AccountDetail], RenderableType]], ...] = (
    ("people", "Guarantor and patient", account_render.people),
    ("phones", "Phones", account_render.phones),
    ("compliance", "May I…", account_render.compliance),
    ("household", "Household", account_render.household),
    ("claims", "Insurance claims", account_render.claims),
    ("charges", "Charges", account_render.charges),
    ("activity", "Activity", account_render.activity),
    ("arrangements", "Promise / plan", account_render.arrangements),
    ("transactions", "Transactions", account_render.transactions),
)
LEFT = ("people", "phones", "compliance", "household", "charges")


class AccountLoaded(Message):
    def __init__(self, detail: AccountDetail) -> None:
        super().__init__()
        self.detail = detail


class NextClaimed(Message):
    def __init__(self, account_id: int | None) -> None:
        super().__init__()
        self.account_id = account_id


class AccountPanel(CollectorScreen[None]):
    """One account: panes to read, single keys to act; its forms are its own (``screens/forms.py``)."""

    CSS_PATH = "account_panel.tcss"
    WORKER_DOING = "open this account"
    # Below 110 columns the two columns stack into one, so no pane is squeezed until it cuts off.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]  # noqa: RUF012 - declared so by Textual
    # Footer order: what is needed on every account first (an 80-column footer cuts the end).
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "next", "Next", id="account.next", tooltip="Disposition and open the next account."),
        Binding("escape", "back", "Back", id="account.back", tooltip="Back to your queue."),
        Binding("c", "form('contact')", "Call", id="account.contact", tooltip="Log a call or contact."),
        Binding("m", "form('note')", "Note", id="account.note", tooltip="Add a note."),
        Binding("b", "form('callback')", "Callback", id="account.callback", tooltip="Set a timed callback."),
        Binding("p", "form('plan')", "Plan", id="account.plan", tooltip="The payment-plan calculator."),
        Binding("P", "form('promise')", "Promise", id="account.promise", tooltip="Record a promise to pay."),
        # Not in the footer (no room at 120 columns); F1 and the README list it.
        Binding(
            "S",
            "form('settlement')",
            "Settle",
            show=False,
            id="account.settlement",
            tooltip="A settlement: accept less than the balance, the rest forgiven when paid as agreed.",
        ),
        Binding("dollar_sign", "form('payment')", "Pay", id="account.payment", tooltip="A payment by phone."),
        Binding("h", "form('hold')", "Hold", id="account.hold", tooltip="Put the account on hold."),
        Binding("f", "form('phone')", "Phones", id="account.phone", tooltip="Change or add a phone number."),
        Binding(
            "w",
            "form('requests')",
            "Asks",
            id="account.preferences",
            tooltip="What the consumer asks: no calls at work or at some times, a time we may call, "
            "stop texts or emails, revoke consent to a mobile.",
        ),
        # q still quits, but the footer has no room for it beside the account's keys and F1 help
        # at 120 columns (Esc back to the queue comes first anyway).
        Binding("q", "quit", "Quit", show=False, id="account.quit", tooltip="Leave the workstation."),
        Binding("v", "verify", "Verify", id="account.verify", tooltip="Verify an inbound caller."),
        Binding(
            "i",
            "inbound",
            "Inbound call",
            show=False,
            id="account.inbound",
            tooltip="A caller on the line: find their account; it opens asking for verification first.",
        ),
    ]
    COMMANDS = Screen.COMMANDS | {AccountSearch}
    # Until an inbound caller is verified these would disclose the debt, so they wait.
    UNVERIFIED_BLOCKED: ClassVar[frozenset[str]] = frozenset({"promise", "plan", "settlement", "payment"})
    FORMS: ClassVar[dict[str, type[ActionForm]]] = {
        "contact": ContactForm,
        "note": NoteForm,
        "callback": CallbackForm,
        "promise": PromiseForm,
        "plan": PlanCalculator,
        "settlement": SettlementCalculator,
        "payment": PaymentForm,
        "hold": HoldForm,
        "phone": PhoneForm,
        "requests": ConsumerRequestForm,
    }
    # A disposition's next step that opens another form straight after it is logged.
    NEXT_FORMS: ClassVar[dict[str, str]] = {
        "promise": "promise",
        "plan": "plan",
        "callback": "callback",
        "payment": "payment",
    }

    def __init__(self, account_id: int, *, read_only: bool = False, inbound: bool = False) -> None:
        """``read_only``: to look, not act (a supervisor deciding an approval): no form opens, the
        account is not claimed, and Esc goes straight back. ``inbound``: a caller on the line: the
        panes show nothing about the debt until the caller is verified (``v``, asked at once), and
        the contact logged records the verification. An account opened from the queue (an
        outbound call) is not held up by it."""
        super().__init__()
        self.account_id = account_id
        self.read_only = read_only
        self.inbound = inbound
        self.verification: Verification | None = None  # what the inbound caller proved
        self._down_payment: tuple[int, int] | None = None  # (version, cents): take it once reloaded
        self.detail: AccountDetail | None = None
        self.dispositioned = False  # a contact was logged during this visit
        self._asked_to_leave = False
        self._own_version: int | None = None  # the version our own last save produced

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Loading account…", id="account-header")
        titles = {pane_id: title for pane_id, title, _ in PANES}
        with Horizontal(id="columns"):
            with VerticalScroll(id="left", can_focus=False):
                for pane_id in LEFT:
                    yield _pane(titles[pane_id], pane_id)
            with VerticalScroll(id="right", can_focus=False):
                for pane_id, title, _ in PANES:
                    if pane_id not in LEFT:
                        yield _pane(title, pane_id)
        yield KeysFooter()

    def on_mount(self) -> None:
        self.load_account(opening=True)  # the one account.view of this visit
        # Keep the claim alive while the account is open (it expires if the session dies); an account
        # open read only is not claimed.
        if not self.read_only:
            self.set_interval(CLAIM_HEARTBEAT.total_seconds(), self._renew_claim)
        self.set_interval(WATCH_SECONDS, self.watch_version)

    @work(thread=True, exclusive=True, group="watch", exit_on_error=False)
    def watch_version(self) -> None:
        """Someone else changed the account (a supervisor moved it, an import, a payment): reload."""
        seen = self.detail
        if seen is None:
            return
        current = account_version(self.collector_app.db, self.account_id)
        if current is not None and current != seen.version and current != self._own_version:
            self.load_account()

    def _renew_claim(self) -> None:
        app = self.collector_app
        account_id = self.account_id
        # A failed heartbeat is a notice, never the end of the session (what is typed stays). The
        # App's worker: the App's handler gives the notice, whichever screen is on top by then.
        self.app.run_worker(
            lambda: claim(app.db, app.actor, account_id, app.clock()),
            thread=True,
            group="claim",
            exit_on_error=False,
            description="keep this account claimed",
        )

    @work(thread=True, exclusive=True, group="account", exit_on_error=False)
    def load_account(self, opening: bool = False) -> None:
        """Read the account: ``opening`` when the screen opens it (an ``account.view`` in the access
        log); every later reload (after a save, when someone else changed it) is no new view."""
        app = self.collector_app
        detail = account_detail(app.db, app.actor, self.account_id, now=app.clock(), opening=opening)
        self.post_message(AccountLoaded(detail))

    @property
    def withholding(self) -> bool:
        """An inbound caller not (yet) verified: nothing about the debt is shown."""
        return self.inbound and self.verification != Verification.VERIFIED

    def show(self, detail: AccountDetail) -> None:
        first = self.detail is None
        self.detail = detail
        hidden = self.withholding
        header = account_render.unverified_header if hidden else account_render.header
        self.query_one("#account-header", Static).update(header(detail))
        for pane_id, _, render in PANES:
            shown = account_render.withheld if hidden and pane_id in account_render.WITHHELD_PANES else render
            self.query_one(f"#{pane_id}-body", Static).update(shown(detail))
        # The Phones pane says each block in a few words; its F1 help gives every reason in full.
        phones = self.query_one("#phones", Pane)
        reasons = account_render.phone_reasons(detail)
        type(phones).HELP = phones.base_help + (f"\n**Each number now**\n\n{reasons}\n" if reasons else "")
        if first and self.inbound and not self.read_only:
            self.call_after_refresh(self.action_verify)
        if first:
            self.query_one("#people", Pane).focus()
            if self.read_only:
                self.sub_title = f"{self.app.sub_title} · read only (Esc back)"

    def on_account_loaded(self, message: AccountLoaded) -> None:
        before = self.detail
        self.show(message.detail)
        if self._down_payment is not None and message.detail.version >= self._down_payment[0]:
            self.notify("Take the down payment now.", timeout=4)
            self.action_form("payment")
        if before is not None and message.detail.version not in (before.version, self._own_version):
            changes = "; ".join(describe_changes(before, message.detail)) or "it was saved by someone else"
            self.notify(f"This account changed: {changes}.", severity="warning", timeout=8)

    # -- actions -----------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Read only: the account's actions are not offered (Esc, help and quit stay)."""
        return not (self.read_only and action in ("form", "next"))

    def action_form(self, name: str, then_next: bool = False) -> None:
        if self.detail is None:
            self.notify("The account is still loading.", severity="warning")
            return
        if self.read_only:
            self.notify("This account is open read only.", severity="warning")
            return
        if self.withholding and name in self.UNVERIFIED_BLOCKED:
            self.notify("Verify the caller first (v): this would disclose the debt.", severity="warning")
            return
        form: ActionForm
        if name == "contact" and self.inbound:
            form = ContactForm(self.detail, on_reload=self.show, verification=self.verification)
        elif name == "payment" and self._down_payment is not None:
            _, cents = self._down_payment
            self._down_payment = None
            form = PaymentForm(self.detail, on_reload=self.show, amount_cents=cents)
        else:
            form = self.FORMS[name](self.detail, on_reload=self.show)

        def done(result: ActionResult | None) -> None:
            self._after(name, result, then_next)

        self.app.push_screen(form, done)

    def action_verify(self) -> None:
        """Right-party verification of an inbound caller (any account: a call may come in on one
        opened from the queue too, which then counts as inbound)."""
        if self.detail is None or self.read_only:
            return

        def done(outcome: Verification | None) -> None:
            if outcome is None:
                return
            self.inbound = True
            self.verification = outcome
            self.notify(f"Caller: {outcome.label}.", timeout=4)
            if self.detail is not None:
                self.show(self.detail)

        self.app.push_screen(VerifyCaller(self.detail), done)

    def action_inbound(self) -> None:
        open_inbound_search(self)

    def open_found(self, account_id: int, *, inbound: bool) -> None:
        """An account the search found: this one's claim ends, that one opens in its place."""
        if account_id == self.account_id and not inbound:
            return
        self.switch_to_found(account_id, inbound)

    @work(thread=True, exclusive=True, group="claim", exit_on_error=False)
    def switch_to_found(self, account_id: int, inbound: bool) -> None:
        app = self.collector_app
        if not self.read_only:
            release(app.db, app.actor, self.account_id)
        claimed = claim(app.db, app.actor, account_id, app.clock())
        if not claimed:
            self.app.call_from_thread(
                self.notify, "Another session is working this account; opened read only.", severity="warning"
            )
        panel = AccountPanel(account_id, inbound=inbound, read_only=not claimed)
        self.app.call_from_thread(self.app.switch_screen, panel)

    def _after(self, name: str, result: ActionResult | None, then_next: bool) -> None:
        if result is None:
            if then_next and self.dispositioned:
                self._go_next()
            return
        self.notify(result.message, timeout=4)
        self._own_version = result.version
        if name == "contact":
            self.dispositioned = True
        self.load_account()
        follow = self.NEXT_FORMS.get(result.next_step)
        if name in ("plan", "settlement") and follow == "payment" and result.amount_cents:
            # Take the down payment now: the payment form opens, prefilled, once the account (with
            # its new plan) is reloaded, so the payment saves against the fresh version.
            self._down_payment = (result.version, result.amount_cents)
            return
        if follow is not None:
            self.action_form(follow, then_next)
        elif then_next:
            self._go_next()

    def action_next(self) -> None:
        """Disposition (if not done yet) and move to the next account."""
        if self.dispositioned:
            self._go_next()
        else:
            self.action_form("contact", then_next=True)

    def _go_next(self) -> None:
        self.claim_next_account()

    @work(thread=True, exclusive=True, group="claim", exit_on_error=False)
    def claim_next_account(self) -> None:
        app = self.collector_app
        release(app.db, app.actor, self.account_id)
        self.post_message(NextClaimed(claim_next(app.db, app.actor, app.clock())))

    def on_next_claimed(self, message: NextClaimed) -> None:
        if message.account_id is None:
            self.notify("No other account may be called right now.", severity="information")
            self.app.pop_screen()
            return
        self.app.switch_screen(AccountPanel(message.account_id))

    def action_back(self) -> None:
        if self.read_only:  # nothing to disposition, no claim to end
            self.app.pop_screen()
            return
        self._ask_then(self._leave)

    def action_quit(self) -> None:
        """``q`` asks what Esc asks when no disposition is logged, then leaves the workstation."""
        self._ask_then(self._quit)

    def _ask_then(self, leave: Callable[[], None]) -> None:
        """Leave (by ``leave``) at once, or first ask the one "no disposition logged" question."""
        if not self.dispositioned and not self._asked_to_leave and self.detail is not None:
            self._asked_to_leave = True  # asked once per visit

            def chosen(choice: str | None) -> None:
                if choice == "log":
                    self.action_form("contact")
                elif choice == "leave":
                    leave()

            self.app.push_screen(LeaveForm(), chosen)
            return
        leave()

    def _quit(self) -> None:
        """End the claim, then the workstation (the claim would otherwise hold until it expires)."""
        app = self.collector_app
        account_id = self.account_id

        async def release_and_exit() -> None:
            import asyncio

            try:
                await asyncio.to_thread(release, app.db, app.actor, account_id)
            finally:
                self.app.exit()

        self.app.call_later(release_and_exit)

    def _leave(self) -> None:
        app = self.collector_app
        account_id = self.account_id
        # Leaving the account ends its claim, so `n` may hand it out again (the App's worker: this
        # screen is gone before it finishes).
        self.app.run_worker(
            lambda: release(app.db, app.actor, account_id),
            thread=True,
            group="release",
            exit_on_error=False,
            description="release the account",
        )
        self.app.pop_screen()
