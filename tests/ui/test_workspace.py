"""Pilot tests of the account workspace: each action's form, its errors, the database and audit after."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from textual.pilot import Pilot
from textual.widgets import Input, Select, Static, TextArea

from collector_tui.db.models import Account, Activity, AuditEvent, PaymentPlan, Phone, Promise, table_of
from collector_tui.screens.account_panel import AccountPanel
from collector_tui.screens.app import CollectorApp
from collector_tui.screens.queue import QueueScreen, QueueTable
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
from collector_tui.services.database import Database
from collector_tui.services.desk.drafts import load_draft
from tests.conftest import NOW
from tests.ui.test_app import SIZE, make_app, plain, settle

ACT = table_of(Activity).c
AUDIT = table_of(AuditEvent).c


async def _open_next(pilot: Pilot[None], app: CollectorApp) -> AccountPanel:
    await settle(pilot, lambda: isinstance(app.screen, QueueScreen) and app.screen._loaded_once)
    await pilot.press("n")
    await settle(pilot, lambda: isinstance(app.screen, AccountPanel) and app.screen.detail is not None)
    assert isinstance(app.screen, AccountPanel)
    return app.screen


async def _choose(pilot: Pilot[None], app: CollectorApp, select_id: str, text: str) -> None:
    """Focus a Select, open it, type to search, pick the match (what a collector types)."""
    widget = app.screen.query_one(f"#{select_id}", Select)
    widget.focus()
    await pilot.press("enter")
    await pilot.pause()
    await pilot.press(*text)
    await pilot.press("enter")
    await pilot.pause()


async def _type(pilot: Pilot[None], app: CollectorApp, input_id: str, text: str) -> None:
    """Empty a box (an Input or a TextArea), then type into it."""
    box = app.screen.query_one(f"#{input_id}")
    box.focus()
    if isinstance(box, TextArea):
        box.text = ""
    else:
        assert isinstance(box, Input)
        box.value = ""
    await pilot.press(*text)


async def _save(pilot: Pilot[None], app: CollectorApp, form: type) -> None:
    await pilot.press("ctrl+s")
    await settle(
        pilot, lambda: not isinstance(app.screen, form) or "✗" in _problems(app) or "⚠" in _problems(app)
    )


def _problems(app: CollectorApp) -> str:
    found = app.screen.query("#form-problems")
    return plain(found.first(Static)) if found else ""


def _last_activity(db: Database, account_id: int) -> Any:
    with db.reading() as session:
        return session.execute(
            select(table_of(Activity)).where(ACT.account_id == account_id).order_by(ACT.id.desc())
        ).first()


def _audit(db: Database, action: str, account_id: int) -> int:
    with db.reading() as session:
        rows = session.execute(
            select(AUDIT.id).where(AUDIT.action == action, AUDIT.entity_id == account_id)
        ).all()
    return len(rows)


async def test_a_no_answer_is_logged_and_the_account_leaves_the_call_list(office: Database) -> None:
    app = make_app(office)
    async with app.run_test(size=SIZE) as pilot:
        panel = await _open_next(pilot, app)
        account_id = panel.account_id
        await pilot.press("c")
        await settle(pilot, lambda: isinstance(app.screen, ContactForm))
        assert app.screen.query_one("#phone", Select).value != Select.NULL  # an allowed number is chosen
        await pilot.press("ctrl+s")  # no disposition yet
        await settle(pilot, lambda: "✗" in _problems(app))
        assert "disposition" in _problems(app)
        await _choose(pilot, app, "disposition", "NA")
        await _type(pilot, app, "note", "rang out")
        await _save(pilot, app, ContactForm)
        assert isinstance(app.screen, AccountPanel)
        row = _last_activity(office, account_id)
        assert row is not None and row.outcome_code == "NA" and row.note == "rang out"
        assert _audit(office, "contact.log", account_id) == 1
        await settle(pilot, lambda: "NA" in plain(panel.query_one("#activity-body", Static)))
        await pilot.press("escape")  # a disposition was logged: no question
        await settle(pilot, lambda: isinstance(app.screen, QueueScreen))
        await pilot.press("r")
        await pilot.pause(0.3)
        await app.workers.wait_for_complete()
        keys = [int(str(r.value)) for r in app.screen.query_one(QueueTable).rows]
        assert account_id not in keys


async def test_a_blocked_call_cannot_be_logged_as_placed(office: Database) -> None:
    closed = NOW.replace(hour=10)  # no zone's calling window is open
    app = make_app(office)
    app.clock = lambda: NOW
    async with app.run_test(size=SIZE) as pilot:
        panel = await _open_next(pilot, app)
        app.clock = lambda: closed
        await pilot.press("c")
        await settle(pilot, lambda: isinstance(app.screen, ContactForm))
        await _choose(pilot, app, "disposition", "NA")
        await _save(pilot, app, ContactForm)
        assert isinstance(app.screen, ContactForm)
        assert "may not be placed now" in _problems(app)
        assert (
            _last_activity(office, panel.account_id) is None
            or _audit(office, "contact.log", panel.account_id) == 0
        )


async def test_promise_form_enforces_policy_then_records(office: Database) -> None:
    app = make_app(office)
    async with app.run_test(size=SIZE) as pilot:
        panel = await _open_next(pilot, app)
        assert panel.detail is not None
        with office.writing() as session:  # no pending promise to begin with
            session.execute(
                table_of(Promise)
                .update()
                .where(table_of(Promise).c.account_id == panel.account_id)
                .values(status="cancelled")
            )
        await pilot.press("P")
        await settle(pilot, lambda: isinstance(app.screen, PromiseForm))
        await _type(pilot, app, "amount", "1.00")
        await _type(pilot, app, "due", "2026-12-04")
        await _save(pilot, app, PromiseForm)
        assert "at least" in _problems(app)
        assert app.screen.query_one("#amount", Input).has_class("-problem")
        balance = panel.detail.total_balance_cents
        await _type(pilot, app, "amount", f"{balance // 100}.{balance % 100:02d}")
        await _save(pilot, app, PromiseForm)
        assert isinstance(app.screen, AccountPanel)
        assert _audit(office, "promise.take", panel.account_id) == 1


async def test_note_survives_closing_the_form_and_is_saved_later(office: Database) -> None:
    app = make_app(office)
    async with app.run_test(size=SIZE) as pilot:
        panel = await _open_next(pilot, app)
        await pilot.press("m")
        await settle(pilot, lambda: isinstance(app.screen, NoteForm))
        await pilot.press(*"Guarantor asked for a Spanish speaker")
        await pilot.press("escape")
        assert isinstance(app.screen, AccountPanel)
        assert load_draft(office.url, panel.account_id, "note") == {
            "note": "Guarantor asked for a Spanish speaker"
        }
        await pilot.press("m")  # the draft comes back
        await settle(pilot, lambda: isinstance(app.screen, NoteForm))
        assert "Spanish speaker" in app.screen.query_one("#note", TextArea).text
        await _save(pilot, app, NoteForm)
        assert load_draft(office.url, panel.account_id, "note") == {}
        assert _last_activity(office, panel.account_id).note == "Guarantor asked for a Spanish speaker"


async def test_a_stale_account_says_what_changed_and_keeps_the_entry(office: Database) -> None:
    from collector_tui.services.desk.account_actions import add_note
    from collector_tui.services.team.identity import resolve_actor

    app = make_app(office)
    async with app.run_test(size=SIZE) as pilot:
        panel = await _open_next(pilot, app)
        assert panel.detail is not None
        await pilot.press("m")
        await settle(pilot, lambda: isinstance(app.screen, NoteForm))
        await pilot.press(*"my note")
        # A supervisor changes the account underneath.
        add_note(
            office,
            resolve_actor(office, act_as="sreed"),
            panel.account_id,
            panel.detail.version,
            "sup",
            now=NOW,
        )
        await _save(pilot, app, NoteForm)
        assert isinstance(app.screen, NoteForm)
        assert "Changed since you opened it" in _problems(app) and "1 new activity" in _problems(app)
        assert app.screen.query_one("#note", TextArea).text == "my note"
        await _save(pilot, app, NoteForm)  # against the fresh version
        assert isinstance(app.screen, AccountPanel)
        assert _last_activity(office, panel.account_id).note == "my note"


async def test_payment_refuses_a_card_number(office: Database) -> None:
    app = make_app(office)
    async with app.run_test(size=SIZE) as pilot:
        panel = await _open_next(pilot, app)
        await pilot.press("dollar_sign")
        await settle(pilot, lambda: isinstance(app.screen, PaymentForm))
        await _type(pilot, app, "amount", "10.00")
        await _type(pilot, app, "reference", "4111111111111111")
        await _save(pilot, app, PaymentForm)
        assert "card number" in _problems(app)
        await _type(pilot, app, "reference", "AUTH-5521")
        await _save(pilot, app, PaymentForm)
        assert isinstance(app.screen, AccountPanel)
        assert _audit(office, "payment.take", panel.account_id) == 1


async def test_hold_callback_and_phone_forms(office: Database) -> None:
    app = make_app(office)
    async with app.run_test(size=SIZE) as pilot:
        panel = await _open_next(pilot, app)
        account_id = panel.account_id
        await pilot.press("b")
        await settle(pilot, lambda: isinstance(app.screen, CallbackForm))
        await _type(pilot, app, "time", "2:30pm")
        assert "for the debtor" in plain(app.screen.query_one("#both-zones", Static))
        await _save(pilot, app, CallbackForm)
        assert isinstance(app.screen, AccountPanel)
        with office.reading() as session:
            account = session.get(Account, account_id)
            assert account is not None and account.next_action_at is not None
        await settle(pilot, lambda: panel.detail is not None and panel.detail.next_action_at is not None)
        assert panel.detail is not None
        phone_id = panel.detail.phones[0].id
        await pilot.press("f")
        await settle(pilot, lambda: isinstance(app.screen, PhoneForm))
        app.screen.query_one("#phone", Select).value = str(phone_id)
        app.screen.query_one("#change", Select).value = "do_not_call"
        await _save(pilot, app, PhoneForm)
        assert isinstance(app.screen, AccountPanel)
        with office.reading() as session:
            phone = session.get(Phone, phone_id)
            assert phone is not None and phone.do_not_call
        await settle(pilot, lambda: panel.detail is not None and panel.detail.phones[0].do_not_call)
        await pilot.press("h")
        await settle(pilot, lambda: isinstance(app.screen, HoldForm))
        await _choose(pilot, app, "reason", "dispute")
        await _save(pilot, app, HoldForm)
        assert "say why" in _problems(app) and "orally or in writing" in _problems(app)
        await _type(pilot, app, "note", "letter disputing the charges")
        await _choose(pilot, app, "received", "in writing")
        await _save(pilot, app, HoldForm)
        assert isinstance(app.screen, AccountPanel)
        await settle(pilot, lambda: "DISPUTE" in plain(panel.query_one("#account-header", Static)))
        assert _audit(office, "hold.place", account_id) == 1


async def test_leaving_without_a_disposition_asks_once_and_n_moves_on(office: Database) -> None:
    app = make_app(office)
    async with app.run_test(size=SIZE) as pilot:
        panel = await _open_next(pilot, app)
        first = panel.account_id
        await pilot.press("escape")
        assert isinstance(app.screen, LeaveForm)
        await pilot.press("escape")  # stay
        assert isinstance(app.screen, AccountPanel)
        await pilot.press("n")  # disposition first, then the next account
        await settle(pilot, lambda: isinstance(app.screen, ContactForm))
        await _choose(pilot, app, "disposition", "LMVM")
        await _save(pilot, app, ContactForm)
        await settle(
            pilot,
            lambda: (
                isinstance(app.screen, AccountPanel)
                and app.screen.account_id != first
                and app.screen.detail is not None
            ),
        )
        assert _audit(office, "contact.log", first) == 1


async def test_a_card_number_never_reaches_a_draft_and_defaults_are_not_drafts(office: Database) -> None:
    app = make_app(office)
    async with app.run_test(size=SIZE) as pilot:
        panel = await _open_next(pilot, app)
        await pilot.press("c")  # open and close without typing: nothing is kept
        await settle(pilot, lambda: isinstance(app.screen, ContactForm))
        await pilot.press("escape")
        assert load_draft(office.url, panel.account_id, "contact") == {}
        await pilot.press("dollar_sign")
        await settle(pilot, lambda: isinstance(app.screen, PaymentForm))
        await _type(pilot, app, "amount", "25.00")
        await _type(pilot, app, "reference", "4111111111111111")
        await pilot.press("escape")
        draft = load_draft(office.url, panel.account_id, "payment")
        assert draft.get("amount") == "25.00" and "4111111111111111" not in str(draft)


async def test_the_plan_calculator_updates_as_you_type_and_enter_accepts(office: Database) -> None:
    from collector_tui.screens.plan_calculator import PlanCalculator

    app = make_app(office)
    async with app.run_test(size=SIZE) as pilot:
        panel = await _open_next(pilot, app)
        assert panel.detail is not None
        with office.writing() as session:  # start with no open plan
            session.execute(
                table_of(PaymentPlan)
                .update()
                .where(table_of(PaymentPlan).c.account_id == panel.account_id)
                .values(status="cancelled")
            )
        await pilot.press("p")
        await settle(pilot, lambda: isinstance(app.screen, PlanCalculator))
        balance = panel.detail.total_balance_cents
        shown = plain(app.screen.query_one("#schedule", Static))
        assert "6 payments" in shown and "within policy" in shown
        await _type(pilot, app, "installments", "12")
        await pilot.pause()
        shown = plain(app.screen.query_one("#schedule", Static))
        each = f"{(balance + 6) // 12 // 100}."  # the balance is the account's, in 12 payments
        assert "12 payments of $" in shown and each in shown
        await _type(pilot, app, "installments", "60")  # longer than policy allows
        await pilot.pause()
        assert "✗" in plain(app.screen.query_one("#schedule", Static))
        await _type(pilot, app, "installments", "12")
        await pilot.press("enter")
        await settle(pilot, lambda: isinstance(app.screen, AccountPanel))
        await settle(pilot, lambda: "Plan 12 ×" in plain(panel.query_one("#arrangements-body", Static)))
        assert "active" in plain(panel.query_one("#arrangements-body", Static))
        assert _audit(office, "plan.create", panel.account_id) == 1


async def test_a_change_by_someone_else_reloads_the_account_and_says_what_changed(office: Database) -> None:
    from collector_tui.services.desk.account_actions import add_note
    from collector_tui.services.team.identity import resolve_actor

    app = make_app(office)
    async with app.run_test(size=SIZE) as pilot:
        panel = await _open_next(pilot, app)
        assert panel.detail is not None
        seen = panel.detail.version
        add_note(office, resolve_actor(office, act_as="sreed"), panel.account_id, seen, "moved", now=NOW)
        panel.watch_version()  # what the 15-second watch does
        await settle(pilot, lambda: panel.detail is not None and panel.detail.version == seen + 1)
        await pilot.pause()
        said = [n.message for n in app._notifications]
        assert any("This account changed" in m and "1 new activity" in m for m in said), said


@pytest.mark.parametrize(("code", "form_name"), [("RPC_PTP", "PromiseForm"), ("RPC_PLAN", "PlanCalculator")])
async def test_a_disposition_opens_its_next_step(office: Database, code: str, form_name: str) -> None:
    app = make_app(office)
    async with app.run_test(size=SIZE) as pilot:
        await _open_next(pilot, app)
        await pilot.press("c")
        await settle(pilot, lambda: isinstance(app.screen, ContactForm))
        await _choose(pilot, app, "disposition", code)
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: type(app.screen).__name__ == form_name)


async def test_q_still_quits_from_an_account_though_the_footer_leaves_it_out(office: Database) -> None:
    app = make_app(office)
    async with app.run_test(size=SIZE) as pilot:
        panel = await _open_next(pilot, app)
        await pilot.press("q")  # no disposition yet: the same question as Esc
        await settle(pilot, lambda: isinstance(app.screen, LeaveForm))
        await pilot.press("escape")  # stay
        assert app.screen is panel and app.is_running
        await pilot.press("q")  # asked once per visit: now it quits
        await settle(pilot, lambda: not app.is_running)
    with office.reading() as session:
        claimed = session.execute(
            select(table_of(Account).c.claimed_by_id).where(table_of(Account).c.id == panel.account_id)
        ).scalar_one()
    assert claimed is None  # quitting ends the claim as leaving does


async def test_q_asks_before_quitting_and_y_quits(office: Database) -> None:
    app = make_app(office)
    async with app.run_test(size=SIZE) as pilot:
        await _open_next(pilot, app)
        await pilot.press("q")
        await settle(pilot, lambda: isinstance(app.screen, LeaveForm))
        assert "No disposition logged" in plain(app.screen.query_one("#form-title", Static))
        await pilot.press("y")
        await settle(pilot, lambda: not app.is_running)
