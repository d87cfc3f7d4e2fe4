"""Pilot tests at 120x40: what the consumer asks (``w``), the hold's oral or written choice (``h``),
and a callback (``b``) judged by every rule at its moment, with the keys a collector presses."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from textual.pilot import Pilot
from textual.widgets import Checkbox, Static

from collector_tui.db.models import Account, AccountHold, table_of
from collector_tui.domain.compliance.clock import zone
from collector_tui.screens.account_panel import AccountPanel
from collector_tui.screens.app import CollectorApp
from collector_tui.screens.consumer_requests import ConsumerRequestForm
from collector_tui.screens.workspace_forms import CallbackForm, HoldForm
from collector_tui.services.database import Database
from tests.conftest import NOW
from tests.services.builders import event_details, guarantor_of, phone_record
from tests.services.test_account_actions import _reach_the_call_limit
from tests.ui.test_app import SIZE, make_app, plain, settle
from tests.ui.test_workspace import _choose, _open_next, _problems, _save, _type


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def _no_phi_in_notices(app: CollectorApp, panel: AccountPanel, *typed: str) -> None:
    """No notice names the person, a number's digits, or the times they gave."""
    assert panel.detail is not None
    said = " ".join(n.message for n in app._notifications)
    last_name = panel.detail.guarantor.name.split(",")[0]
    assert last_name not in said.upper()
    for phone in panel.detail.phones:
        assert _digits(phone.national)[-4:] not in said
    for text in typed:
        assert text not in said


async def _ask(pilot: Pilot[None], app: CollectorApp, request: str) -> ConsumerRequestForm:
    """Press ``w`` and choose what the consumer asks, typing part of its words."""
    await pilot.press("w")
    await settle(pilot, lambda: isinstance(app.screen, ConsumerRequestForm))
    form = app.screen
    assert isinstance(form, ConsumerRequestForm)
    await settle(pilot, lambda: "On file" in plain(form.query_one("#on-file", Static)))
    await _choose(pilot, app, "request", request)
    return form


async def test_w_records_no_calls_at_work_and_stops_texts_and_emails(office: Database) -> None:
    app = make_app(office)
    async with app.run_test(size=SIZE) as pilot:
        panel = await _open_next(pilot, app)
        assert panel.detail is not None
        account_id = panel.account_id
        home = panel.detail.compliance.home_zone
        phone = panel.detail.phones[0]
        form = await _ask(pilot, app, "at work")
        shown = plain(form.query_one("#their-time", Static))
        assert f"{NOW.astimezone(zone(home)):%a %b %d %H:%M %Z}" in shown  # the consumer's time now
        assert "no calls at work: no" in plain(form.query_one("#on-file", Static))
        assert not form.query_one("#group-days").display and form.query_one("#group-phone").display
        await _choose(pilot, app, "phone", _digits(phone.national)[-4:])
        await _save(pilot, app, ConsumerRequestForm)
        assert isinstance(app.screen, AccountPanel), _problems(app)
        assert guarantor_of(office, account_id).no_calls_at_work
        assert phone_record(office, phone.id).is_work and not phone_record(office, phone.id).dialable
        assert len(event_details(office, "consumer.no_calls_at_work", account_id)) == 1

        await settle(pilot, lambda: "Consumer asked" in plain(panel.query_one("#activity-body", Static)))
        await _ask(pilot, app, "texting")
        await _choose(pilot, app, "phone", _digits(phone.national)[-4:])
        await _save(pilot, app, ConsumerRequestForm)
        assert isinstance(app.screen, AccountPanel), _problems(app)
        assert phone_record(office, phone.id).text_opt_out_at == NOW

        await settle(pilot, lambda: panel.detail is not None and panel.detail.version >= 3)
        form = await _ask(pilot, app, "emailing")
        assert "texts stopped" in plain(form.query_one("#on-file", Static))
        await _save(pilot, app, ConsumerRequestForm)
        assert isinstance(app.screen, AccountPanel), _problems(app)
        assert guarantor_of(office, account_id).email_opt_out_at == NOW
        assert len(event_details(office, "consumer.email_opt_out", account_id)) == 1
        await pilot.pause()
        _no_phi_in_notices(app, panel)


async def test_w_adds_a_time_not_to_call_refusing_bad_times_and_removes_it(office: Database) -> None:
    app = make_app(office)
    async with app.run_test(size=SIZE) as pilot:
        panel = await _open_next(pilot, app)
        account_id = panel.account_id
        before = guarantor_of(office, account_id).inconvenient_times
        await _ask(pilot, app, "between")
        await _type(pilot, app, "days", "Mon-Fri")
        await _type(pilot, app, "from", "25:00")
        await _type(pilot, app, "until", "2pm")
        await _save(pilot, app, ConsumerRequestForm)
        assert "from" in _problems(app) and "HH:MM" in _problems(app)
        assert app.screen.query_one("#from").has_class("-problem")
        await _type(pilot, app, "from", "3pm")  # after the end
        await _save(pilot, app, ConsumerRequestForm)
        assert "until" in _problems(app) and "ends before it starts" in _problems(app)
        assert guarantor_of(office, account_id).inconvenient_times == before  # nothing written
        await _type(pilot, app, "from", "1pm")
        await _save(pilot, app, ConsumerRequestForm)
        assert isinstance(app.screen, AccountPanel), _problems(app)
        assert "mon-fri 13:00-14:00" in (guarantor_of(office, account_id).inconvenient_times or "")
        assert len(event_details(office, "consumer.inconvenient_time", account_id)) == 1

        await settle(pilot, lambda: panel.detail is not None and panel.detail.version >= 2)
        form = await _ask(pilot, app, "remove")
        assert "mon-fri 13:00-14:00" in plain(form.query_one("#on-file", Static))
        await _choose(pilot, app, "remove", "13:00")
        await _save(pilot, app, ConsumerRequestForm)
        assert isinstance(app.screen, AccountPanel), _problems(app)
        assert guarantor_of(office, account_id).inconvenient_times == before
        await pilot.pause()
        _no_phi_in_notices(app, panel, "13:00")


async def test_w_records_a_consent_to_a_time_and_refuses_one_in_the_past(office: Database) -> None:
    app = make_app(office)
    async with app.run_test(size=SIZE) as pilot:
        panel = await _open_next(pilot, app)
        assert panel.detail is not None
        account_id = panel.account_id
        local = NOW.astimezone(zone(panel.detail.compliance.home_zone))
        await _ask(pilot, app, "may call")
        await _type(pilot, app, "on", f"{local - timedelta(days=1):%m/%d}")
        await _type(pilot, app, "from", "7:30am")
        await _type(pilot, app, "until", "8am")
        await _save(pilot, app, ConsumerRequestForm)
        assert "on:" in _problems(app) and "in the past" in _problems(app)
        assert app.screen.query_one("#on").has_class("-problem")
        assert guarantor_of(office, account_id).call_time_consent is None
        tomorrow = local + timedelta(days=1)
        await _type(pilot, app, "on", f"{tomorrow:%m/%d}")
        await _save(pilot, app, ConsumerRequestForm)
        assert isinstance(app.screen, AccountPanel), _problems(app)
        guarantor = guarantor_of(office, account_id)
        assert guarantor.call_time_consent == f"{tomorrow:%a}".lower() + " 07:30-08:00"
        assert guarantor.call_time_consent_at == NOW and guarantor.call_consent_at == NOW
        with office.reading() as session:
            account = session.get(Account, account_id)
            assert account is not None and account.call_exempt_until is not None  # the call state follows
        await pilot.pause()
        _no_phi_in_notices(app, panel, "07:30")


async def test_w_revokes_consent_to_call_a_mobile(office: Database) -> None:
    app = make_app(office)
    async with app.run_test(size=SIZE) as pilot:
        panel = await _open_next(pilot, app)
        assert panel.detail is not None
        phone = panel.detail.phones[0]
        await _ask(pilot, app, "revoke")
        await _save(pilot, app, ConsumerRequestForm)
        assert "phone: choose a number" in _problems(app)
        await _choose(pilot, app, "phone", _digits(phone.national)[-4:])
        await _save(pilot, app, ConsumerRequestForm)
        assert isinstance(app.screen, AccountPanel), _problems(app)
        revoked = phone_record(office, phone.id)
        assert revoked.consent_revoked_at == NOW and revoked.consent_revoked_via == "call"
        assert not revoked.dialable
        assert event_details(office, "consumer.consent_revoked", panel.account_id)[0]["phone"] == phone.id
        await pilot.pause()
        _no_phi_in_notices(app, panel)


async def test_the_hold_form_asks_whether_a_dispute_came_orally_or_in_writing(office: Database) -> None:
    app = make_app(office)
    async with app.run_test(size=SIZE) as pilot:
        panel = await _open_next(pilot, app)
        await pilot.press("h")
        await settle(pilot, lambda: isinstance(app.screen, HoldForm))
        await _choose(pilot, app, "reason", "dispute")
        await _type(pilot, app, "note", "says the bill is wrong")
        await _save(pilot, app, HoldForm)
        assert "received" in _problems(app) and "orally or in writing" in _problems(app)
        await _choose(pilot, app, "received", "orally")
        await _save(pilot, app, HoldForm)
        assert isinstance(app.screen, AccountPanel), _problems(app)
        h = table_of(AccountHold).c
        with office.reading() as session:
            via = session.execute(
                select(h.received_via).where(h.account_id == panel.account_id, h.reason == "dispute")
            ).scalar_one()
        assert via == "oral"
        assert event_details(office, "hold.place", panel.account_id)[0]["received_via"] == "oral"


async def test_a_callback_is_refused_by_a_hold_even_when_the_consumer_asks(office: Database) -> None:
    app = make_app(office)
    async with app.run_test(size=SIZE) as pilot:
        panel = await _open_next(pilot, app)
        await pilot.press("h")
        await settle(pilot, lambda: isinstance(app.screen, HoldForm))
        await _choose(pilot, app, "reason", "cease")
        await _choose(pilot, app, "received", "writing")
        await _type(pilot, app, "note", "letter: stop all contact")
        await _save(pilot, app, HoldForm)
        assert isinstance(app.screen, AccountPanel), _problems(app)
        await settle(pilot, lambda: "CEASE" in plain(panel.query_one("#account-header", Static)))
        await pilot.press("b")
        await settle(pilot, lambda: isinstance(app.screen, CallbackForm))
        await _save(pilot, app, CallbackForm)
        assert "[cease]" in _problems(app) and "stop communicating" in _problems(app)
        assert app.screen.query_one("#time").has_class("-problem")
        app.screen.query_one("#asked", Checkbox).focus()
        await pilot.press("space")  # the consumer asked: still no call while the cease holds
        await _save(pilot, app, CallbackForm)
        assert isinstance(app.screen, CallbackForm) and "[cease]" in _problems(app)
        with office.reading() as session:
            account = session.get(Account, panel.account_id)
            assert account is not None and account.next_action_at is None
        assert guarantor_of(office, panel.account_id).call_time_consent is None


async def test_a_callback_past_the_call_limit_is_allowed_when_the_consumer_asked(office: Database) -> None:
    from collector_tui.services.team.identity import resolve_actor

    app = make_app(office)
    async with app.run_test(size=SIZE) as pilot:
        panel = await _open_next(pilot, app)
        assert panel.detail is not None
        allowed = next(p.phone_id for p in panel.detail.compliance.phones if p.allowed)
        seen = panel.detail.version
        actor = resolve_actor(office, act_as="mlopez")
        version = _reach_the_call_limit(office, actor, panel.account_id, seen, allowed)
        panel.load_account()
        await settle(pilot, lambda: panel.detail is not None and panel.detail.version == version)
        await pilot.press("b")  # tomorrow 10:00 in the debtor's time
        await settle(pilot, lambda: isinstance(app.screen, CallbackForm))
        await _save(pilot, app, CallbackForm)
        assert "[frequency]" in _problems(app)
        app.screen.query_one("#asked", Checkbox).focus()
        await pilot.press("space")
        await _save(pilot, app, CallbackForm)
        assert isinstance(app.screen, AccountPanel), _problems(app)
        with office.reading() as session:
            account = session.get(Account, panel.account_id)
            assert account is not None and account.next_action_at is not None
            assert account.call_exempt_until is not None  # their consent, in the stored call state
        assert "10:00-10:30" in (guarantor_of(office, panel.account_id).call_time_consent or "")
        assert event_details(office, "callback.set", panel.account_id)[0]["consumer_asked"] is True
        await pilot.pause()
        said = [n.message for n in app._notifications]
        assert any("consent is recorded" in m for m in said), said
        _no_phi_in_notices(app, panel)
