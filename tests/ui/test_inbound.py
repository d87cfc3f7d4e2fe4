"""An inbound call at 120x40: find the caller's account from the queue or from inside an account,
verify the caller before anything about the debt shows, and the contact records it."""

from __future__ import annotations

from sqlalchemy import select
from textual.command import CommandInput, CommandList, CommandPalette
from textual.pilot import Pilot
from textual.widgets import Checkbox, Static

from collector_tui.db.models import Account, table_of
from collector_tui.domain.account_search import SEARCH_HINT
from collector_tui.screens.account_panel import AccountPanel
from collector_tui.screens.account_search import INBOUND_HINT
from collector_tui.screens.app import CollectorApp
from collector_tui.screens.navigation import OpenAccount
from collector_tui.screens.queue import QueueScreen
from collector_tui.screens.verification import VerifyCaller
from collector_tui.services.database import Database
from collector_tui.services.team.identity import resolve_actor
from collector_tui.services.worklists.queue import queue_page
from tests.conftest import NOW
from tests.ui.test_app import make_app, plain, settle

SIZE = (120, 40)


def _first_number(db: Database) -> tuple[int, str]:
    row = queue_page(db, resolve_actor(db, act_as="mlopez"), now=NOW).rows[0]
    return row.id, row.account_number


async def _search(pilot: Pilot[None], app: CollectorApp, text: str) -> None:
    await settle(pilot, lambda: isinstance(app.screen, CommandPalette))
    await pilot.press(*text)
    await settle(pilot, lambda: app.screen.query_one(CommandList).option_count > 0, tries=200)


async def test_ctrl_p_says_what_may_be_searched_and_opens_what_it_finds(office: Database) -> None:
    account_id, number = _first_number(office)
    app = make_app(office)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: isinstance(app.screen, QueueScreen) and app.screen._loaded_once)
        await pilot.press("ctrl+p")
        await settle(pilot, lambda: isinstance(app.screen, CommandPalette))
        assert app.screen.query_one(CommandInput).placeholder == SEARCH_HINT
        await _search(pilot, app, number)
        await pilot.press("enter")
        await settle(pilot, lambda: isinstance(app.screen, AccountPanel) and app.screen.detail is not None)
        panel = app.screen
        assert isinstance(panel, AccountPanel) and panel.account_id == account_id and not panel.inbound
        assert "Balance" in plain(panel.query_one("#account-header", Static))  # outbound: nothing held back


async def test_an_inbound_call_asks_for_verification_before_the_debt_shows(office: Database) -> None:
    account_id, number = _first_number(office)
    app = make_app(office)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: isinstance(app.screen, QueueScreen) and app.screen._loaded_once)
        await pilot.press("i")
        await settle(pilot, lambda: isinstance(app.screen, CommandPalette))
        assert app.screen.query_one(CommandInput).placeholder == INBOUND_HINT
        await _search(pilot, app, number)
        await pilot.press("enter")
        await settle(pilot, lambda: isinstance(app.screen, VerifyCaller))
        form = app.screen
        assert isinstance(form, VerifyCaller)
        assert "debt collector" in plain(form.query_one("#disclosure", Static))  # the demo is third party
        panel = app.screen_stack[-2]
        assert isinstance(panel, AccountPanel) and panel.inbound and panel.account_id == account_id
        header = plain(panel.query_one("#account-header", Static))
        assert "NOT VERIFIED" in header and "Balance" not in header
        assert "Not shown until the caller is verified" in plain(panel.query_one("#charges-body", Static))
        form.query_one("#fact-date_of_birth", Checkbox).value = True
        form.query_one("#fact-address", Checkbox).value = True
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: app.screen is panel)
        assert panel.verification == "verified"
        assert "Balance" in plain(panel.query_one("#account-header", Static))
        assert "Not shown" not in plain(panel.query_one("#charges-body", Static))


async def test_an_unverified_caller_gets_no_payment_forms(office: Database) -> None:
    account_id, _ = _first_number(office)
    app = make_app(office)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: isinstance(app.screen, QueueScreen) and app.screen._loaded_once)
        queue = app.screen
        assert isinstance(queue, QueueScreen)
        queue.open_found(account_id, inbound=True)
        await settle(pilot, lambda: isinstance(app.screen, VerifyCaller))
        app.screen.query_one("#refused", Checkbox).value = True
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: isinstance(app.screen, AccountPanel))
        panel = app.screen
        assert isinstance(panel, AccountPanel) and panel.verification == "refused"
        await pilot.press("dollar_sign")
        await pilot.pause()
        assert app.screen is panel  # no payment form for a caller who would not verify


async def test_search_from_inside_an_account_opens_the_other_one(office: Database) -> None:
    first_id, _ = _first_number(office)
    with office.reading() as session:
        a = table_of(Account).c
        other_id, other_number = session.execute(
            select(a.id, a.account_number).where(a.id != first_id).where(a.assigned_collector_id.is_not(None))
        ).first() or (0, "")
    app = make_app(office, login="sreed")  # a supervisor may open any account
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: isinstance(app.screen, QueueScreen))
        app.screen.post_message(OpenAccount(first_id))
        await settle(pilot, lambda: isinstance(app.screen, AccountPanel) and app.screen.detail is not None)
        await pilot.press("ctrl+p")
        await settle(pilot, lambda: isinstance(app.screen, CommandPalette))
        assert app.screen.query_one(CommandInput).placeholder == SEARCH_HINT
        await _search(pilot, app, other_number)
        await pilot.press("enter")
        await settle(
            pilot, lambda: isinstance(app.screen, AccountPanel) and app.screen.account_id == other_id
        )


def test_an_inbound_search_result_says_nothing_about_the_debt() -> None:
    """Before the caller is verified the result tells people apart, without facility or balance."""
    from datetime import date

    from collector_tui.screens.account_search import hit_label
    from collector_tui.services.desk.search import FoundAccount

    found = FoundAccount(
        7, "A-1001", "MERCY", "Mercy Oncology Center", "open", 123_456, "RIVERA, EMILY",
        date(1984, 3, 7), "Phoenix", "AZ", "phone",
    )  # fmt: skip
    outbound = hit_label(found)
    assert "Mercy Oncology Center" in outbound and "$1,234.56" in outbound
    inbound = hit_label(found, inbound=True)
    assert "RIVERA, EMILY" in inbound and "1984-03-07" in inbound and "A-1001" in inbound
    assert "MERCY" not in inbound and "Oncology" not in inbound and "$" not in inbound


async def test_an_account_another_session_holds_opens_read_only(office: Database) -> None:
    """'opened read only' is what happens: no form opens on an account someone else is working."""
    from collector_tui.services.worklists.queue import claim

    account_id, _ = _first_number(office)
    assert claim(office, resolve_actor(office, act_as="sreed"), account_id, NOW)  # the other session
    app = make_app(office)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: isinstance(app.screen, QueueScreen) and app.screen._loaded_once)
        queue = app.screen
        assert isinstance(queue, QueueScreen)
        queue.open_found(account_id, inbound=False)
        await settle(pilot, lambda: isinstance(app.screen, AccountPanel) and app.screen.detail is not None)
        panel = app.screen
        assert isinstance(panel, AccountPanel) and panel.read_only
        await pilot.press("m")
        await pilot.pause()
        assert app.screen is panel  # no note form
