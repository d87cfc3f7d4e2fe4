"""Pilot test of the 835 exceptions in the approval list (issue 18), at 120x40: a supervisor sees each
claim a remittance could not post, with its payer, CLP01, CLP02 in words, what was paid and why, and
resolves it with ``y`` and a reason from a list; ``x`` and Enter say what applies instead.

The office of ``tests/services/test_remittance_exceptions.py``: two exceptions, PCN-404 (no claim on
file, $80.00 paid) and PCN-23 (CLP02 23, not the payer's claim); sue supervises.
"""

from __future__ import annotations

from textual.widgets import OptionList, Static

from collector_tui.screens.app import CollectorApp
from collector_tui.screens.approvals import KIND_835_EXCEPTION, ApprovalsScreen, ResolveException
from collector_tui.services.database import Database
from collector_tui.services.files.remittance_exceptions import RESOLVE_ACTION, open_exceptions
from collector_tui.services.team.identity import resolve_actor
from tests.conftest import NOW
from tests.services.builders import audit_events, event_details
from tests.services.test_remittance_exceptions import build_exception_office
from tests.ui.test_app import SIZE, plain, settle


def _said(app: CollectorApp) -> str:
    return " | ".join(n.message for n in app._notifications)


def _approvals(app: CollectorApp) -> ApprovalsScreen:
    screen = app.screen
    assert isinstance(screen, ApprovalsScreen)
    return screen


async def test_a_supervisor_sees_the_835_exceptions_and_resolves_one_with_y(db: Database) -> None:
    office = build_exception_office(db)
    sue = resolve_actor(office, login="sue")
    app = CollectorApp(db=office, actor=sue, clock=lambda: NOW)
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(ApprovalsScreen())
        await settle(pilot, lambda: isinstance(app.screen, ApprovalsScreen) and bool(app.screen.items))
        screen = _approvals(app)
        shown = [(i.kind, i.kind_label, i.account_number) for i in screen.items]
        assert shown == [
            (KIND_835_EXCEPTION, "835 exception", "PCN-404"),
            (KIND_835_EXCEPTION, "835 exception", "PCN-23"),
        ]
        detail = plain(screen.query_one("#approval-detail", Static))
        assert "835 exception from INVENTED HEALTH PLAN" in detail and "trace TRACE-0001" in detail
        assert "CLP01 PCN-404 · CLP02 1 processed as primary · paid $80.00" in detail
        assert "Why it did not post: " in detail
        assert "2 waiting for a decision" in plain(screen.query_one("#team-summary", Static))

        await pilot.press("x")  # nothing to reject
        await settle(pilot, lambda: "resolve it with y" in _said(app))
        await pilot.press("enter")  # and no account to open
        await settle(pilot, lambda: "names no account on file" in _said(app))
        assert app.screen is screen

        await pilot.press("down")  # PCN-23: the payer says it is not its claim
        await settle(
            pilot, lambda: "CLP02 23 not our claim" in plain(screen.query_one("#approval-detail", Static))
        )
        await pilot.press("y")
        await settle(pilot, lambda: isinstance(app.screen, ResolveException))
        choices = app.screen.query_one("#resolution", OptionList)
        assert [choices.get_option_at_index(i).id for i in range(choices.option_count)] == [
            "matched_by_hand",
            "not_ours",
            "sent_back_to_payer",
            "duplicate",
            "other",
        ]
        await pilot.press("escape")  # Esc resolves nothing
        await settle(pilot, lambda: app.screen is screen)
        assert len(open_exceptions(office, sue)) == 2

        await pilot.press("y")
        await settle(pilot, lambda: isinstance(app.screen, ResolveException))
        await pilot.press("down", "enter")  # not_ours
        await settle(pilot, lambda: "resolved: not our claim" in _said(app))
        await settle(pilot, lambda: [i.account_number for i in _approvals(app).items] == ["PCN-404"])
    (left,) = open_exceptions(office, sue)
    assert left.control_number == "PCN-404"
    (event,) = audit_events(office, RESOLVE_ACTION)
    assert event.actor == "sue" and event.entity_id is not None
    assert event_details(office, RESOLVE_ACTION, event.entity_id)[0]["reason"] == "not_ours"
