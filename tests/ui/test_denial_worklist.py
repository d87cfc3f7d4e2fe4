"""Pilot tests of the denial worklist (issue 18): the keys a collector presses and what it shows.

The office: ann's three denied claims, two from the placement file (D-1 no authorization, $1,310.00
denied; D-2 missing information, its appeal deadline in 9 days) and one from an 835 (D-3, with the
payer's ICN); sue supervises.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from textual.pilot import Pilot
from textual.widgets import Static

from collector_tui.domain.x12.remittance import read_835
from collector_tui.screens.app import CollectorApp
from collector_tui.screens.approvals import ApprovalsScreen, ConfirmApproval
from collector_tui.screens.denial_forms import (
    AppealForm,
    BillingForm,
    ConfirmMoney,
    PayerCallForm,
    UpheldForm,
    WriteOffForm,
)
from collector_tui.screens.denials import (
    DenialTable,
    DenialWorklistScreen,
    describe_item,
    nearest_deadline,
)
from collector_tui.screens.queue import QueueScreen
from collector_tui.services.audit import SYSTEM
from collector_tui.services.database import Database
from collector_tui.services.files.remittances import post_remittance
from collector_tui.services.team.identity import resolve_actor
from collector_tui.services.team.users import add_user
from collector_tui.services.worklists.denial_worklist import worklist_page
from tests.conftest import NOW, TODAY
from tests.services.builders import account, place, placement
from tests.services.remittance_files import Clp, remittance_text
from tests.ui.test_app import SIZE, plain, settle
from tests.ui.test_workspace import _type


def _dollars(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def build_denial_office(db: Database, *, d1_billed_cents: int = 156_000) -> Database:
    """ann's three denied claims (see the module); ``d1_billed_cents``: what D-1 billed (and owes)
    (millions, for the check that no amount is cut)."""
    with db.writing() as session:
        for login, role in (("ann", "collector"), ("sue", "supervisor")):
            add_user(session, SYSTEM, login=login, display_name=login.title(), role=role, now=NOW)
    place(
        db,
        [
            placement(
                account_number="D-1", guarantor_id="G-1", collector_login="ann", claim_number="CLM-1",
                claim_denial_codes="CO-197;N30", claim_billed=_dollars(d1_billed_cents), claim_paid="0",
                claim_patient_share="250.00", total_balance=_dollars(d1_billed_cents),
                # What the payer denied waits with insurance; the patient owes the share.
                patient_responsibility="250.00", insurance_pending=_dollars(d1_billed_cents - 25_000),
            ),
            placement(
                account_number="D-2", guarantor_id="G-2", collector_login="ann", claim_number="CLM-2",
                claim_denial_codes="CO-16;ZZ999", claim_billed="200.00", claim_paid="0",
                claim_patient_share="0", claim_appeal_deadline="2026-12-06", phone1="(614) 555-0102",
            ),
            placement(
                account_number="D-3", guarantor_id="G-3", collector_login="ann", claim_number="CLM-3",
                claim_status="pending", claim_denial_codes="", claim_control_number="PCN-3",
                phone1="(614) 555-0103",
            ),
        ],
        now=NOW - timedelta(days=1),
    )  # fmt: skip
    denied = Clp("PCN-3", "4", "310.00", "0", "", icn="ICN-33", cas=("CO*50*310.00",))
    for remittance in read_835(remittance_text([denied])):
        with db.writing() as session:
            post_remittance(session, remittance, file_sha256="0" * 64, actor=SYSTEM, now=NOW)
    return db


@pytest.fixture
def denial_office(db: Database) -> Database:
    return build_denial_office(db)


def _app(db: Database, login: str = "ann") -> CollectorApp:
    return CollectorApp(db=db, actor=resolve_actor(db, login=login), clock=lambda: NOW)


def _screen(app: CollectorApp) -> DenialWorklistScreen:
    screen = app.screen
    assert isinstance(screen, DenialWorklistScreen)
    return screen


def _numbers(app: CollectorApp) -> list[str]:
    screen = _screen(app)
    table = screen.query_one(DenialTable)
    return [screen.rows[int(str(key.value))].account_number for key in table.rows]


def _detail(app: CollectorApp) -> str:
    return plain(app.screen.query_one("#denial-detail", Static))


def _said(app: CollectorApp) -> str:
    return " | ".join(n.message for n in app._notifications)


async def _open_worklist(pilot: Pilot[None], app: CollectorApp) -> DenialWorklistScreen:
    await settle(pilot, lambda: isinstance(app.screen, QueueScreen) and app.screen._loaded_once)
    await pilot.press("w")
    await settle(pilot, lambda: isinstance(app.screen, DenialWorklistScreen) and app.screen._loaded_once)
    await settle(pilot, lambda: "History:" in _detail(app) and "loading" not in _detail(app))
    return _screen(app)


async def test_w_opens_the_worklist_highest_points_first_and_w_or_escape_goes_back(
    denial_office: Database,
) -> None:
    app = _app(denial_office)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_worklist(pilot, app)
        assert _numbers(app) == ["D-2", "D-1", "D-3"]
        points = [row.points for row in screen.rows.values()]
        assert points == sorted(points, reverse=True)
        summary = plain(screen.query_one("#denials-summary", Static))
        assert "3 open items" in summary and "$1,820.00 denied" in summary
        first = screen.query_one(DenialTable).get_row_at(0)
        assert "appeal 9 days" in str(first[5]) and "⚠ 1" in str(first[6])
        detail = _detail(app)
        assert "CO-16" in detail and "ZZ999" in detail and "no description on file" in detail
        assert "Acme Health Plan · no phone on file" in detail and "appeal deadline in 9 days" in detail
        assert "Why this item, why now: " in detail and "appeal deadline" in detail
        assert "nothing done on this item yet" in detail
        await pilot.press("d")
        assert app.focused is screen.query_one("#denial-pane")
        await pilot.press("d")
        assert app.focused is screen.query_one(DenialTable)
        await pilot.press("w")
        await settle(pilot, lambda: isinstance(app.screen, QueueScreen))
        await pilot.press("w")
        await settle(pilot, lambda: isinstance(app.screen, DenialWorklistScreen))
        await pilot.press("escape")
        await settle(pilot, lambda: isinstance(app.screen, QueueScreen))


async def test_the_group_strip_narrows_the_list_and_escape_clears_it(denial_office: Database) -> None:
    app = _app(denial_office)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_worklist(pilot, app)
        groups = plain(screen.query_one("#denial-groups", Static))
        assert "▸[All 3]" in groups and "Documentation 1" in groups and "Not payable 0" in groups
        await pilot.press("g")
        await settle(pilot, lambda: _numbers(app) == ["D-1"])
        assert "▸[Documentation 1]" in plain(screen.query_one("#denial-groups", Static))
        await pilot.press("g")
        await settle(pilot, lambda: _numbers(app) == ["D-2"])
        await pilot.press("tab")
        await settle(
            pilot, lambda: "▸[Missing information 1]" in plain(screen.query_one("#denial-groups", Static))
        )
        assert _numbers(app) == ["D-2"] and screen.chosen.category == "missing_information"
        assert "filter: Claim data › Missing information" in plain(
            screen.query_one("#denials-summary", Static)
        )
        await pilot.press("escape")
        await settle(pilot, lambda: _numbers(app) == ["D-2", "D-1", "D-3"])
        assert isinstance(app.screen, DenialWorklistScreen)  # the first Esc clears, it does not leave


async def test_n_claims_the_top_item_and_highlights_it(denial_office: Database) -> None:
    app = _app(denial_office)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_worklist(pilot, app)
        await pilot.press("down", "down")
        await pilot.press("n")
        table = screen.query_one(DenialTable)
        await settle(pilot, lambda: screen.claimed is not None and table.cursor_row == 0)
        assert screen.rows[screen.claimed or 0].account_number == "D-2"
        assert "is yours to work" in _said(app)


async def test_n_with_nothing_open_says_nothing_to_work(denial_office: Database) -> None:
    app = _app(denial_office, "sue")  # sue owns no account
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: isinstance(app.screen, QueueScreen) and app.screen._loaded_once)
        await pilot.press("w")
        await settle(pilot, lambda: isinstance(app.screen, DenialWorklistScreen) and app.screen._loaded_once)
        assert "nothing to work" in plain(app.screen.query_one("#denials-summary", Static))
        await pilot.press("n")
        await settle(pilot, lambda: "Nothing to work" in _said(app))


async def test_c_logs_a_payer_call_and_the_history_shows_it(denial_office: Database) -> None:
    app = _app(denial_office)
    async with app.run_test(size=SIZE) as pilot:
        await _open_worklist(pilot, app)
        await pilot.press("c")
        await settle(pilot, lambda: isinstance(app.screen, PayerCallForm))
        await _type(pilot, app, "representative", "Kim")
        await _type(pilot, app, "said", "will reprocess")
        await _type(pilot, app, "reference", "R-77")
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: isinstance(app.screen, DenialWorklistScreen))
        await settle(pilot, lambda: "Called the payer" in _detail(app))
        detail = _detail(app)
        assert "ann · Called the payer · rep Kim · ref R-77" in detail and '"will reprocess"' in detail
        assert "payer call logged on item" in _said(app)
        assert "answer due" in detail  # the payer's answer is now expected


async def test_an_entry_error_shows_under_its_field(denial_office: Database) -> None:
    app = _app(denial_office)
    async with app.run_test(size=SIZE) as pilot:
        await _open_worklist(pilot, app)
        await pilot.press("c")
        await settle(pilot, lambda: isinstance(app.screen, PayerCallForm))
        await _type(pilot, app, "said", "no answer yet")
        await pilot.press("ctrl+s")
        form = app.screen
        await settle(pilot, lambda: bool(form.query(".field-error")))
        (error,) = form.query(".field-error")
        assert isinstance(error, Static)
        assert "the representative's name is required" in plain(error)
        siblings = list(form.query_one("#form").children)
        assert siblings[siblings.index(form.query_one("#representative")) + 1] is error
        assert app.focused is form.query_one("#representative")


async def test_a_write_off_beyond_the_limit_waits_and_a_supervisor_approves_it(
    denial_office: Database,
) -> None:
    app = _app(denial_office)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_worklist(pilot, app)
        await pilot.press("down")  # D-1: $1,310.00 denied
        await settle(pilot, lambda: "D-1" in _detail(app))
        await pilot.press("x")
        await settle(pilot, lambda: isinstance(app.screen, WriteOffForm))
        await _type(pilot, app, "reason", "no authorization obtainable")
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: isinstance(app.screen, ConfirmMoney))
        assert "Write off $1,310.00 on item" in plain(app.screen.query_one("#form-title", Static))
        await pilot.press("y")
        await settle(pilot, lambda: isinstance(app.screen, DenialWorklistScreen))
        await settle(pilot, lambda: "asked (beyond $250.00" in _said(app))
        await settle(pilot, lambda: "awaiting a supervisor" in _detail(app))
        assert "D-1" in _numbers(app) and screen.rows  # still open, until a supervisor decides

    supervisor = _app(denial_office, "sue")
    async with supervisor.run_test(size=SIZE) as pilot:
        supervisor.push_screen(ApprovalsScreen())
        await settle(
            pilot, lambda: isinstance(supervisor.screen, ApprovalsScreen) and bool(supervisor.screen.items)
        )
        approvals = supervisor.screen
        assert isinstance(approvals, ApprovalsScreen)
        (asked,) = [item for item in approvals.items if item.kind_label == "write-off"]
        assert "writes off $1,310.00" in asked.changes and asked.requested_by == "ann"
        await pilot.press("y")
        await settle(pilot, lambda: isinstance(supervisor.screen, ConfirmApproval))
        await pilot.press("y")
        await settle(pilot, lambda: "approved" in _said(supervisor))
    ann = resolve_actor(denial_office, login="ann")
    assert [row.account_number for row in worklist_page(denial_office, ann, now=NOW).rows] == ["D-2", "D-3"]


async def test_m_asks_naming_the_amount_then_moves_the_patients_share(denial_office: Database) -> None:
    place(
        denial_office,
        [
            placement(
                account_number="D-4", guarantor_id="G-4", collector_login="ann", claim_number="CLM-4",
                claim_status="pending", claim_denial_codes="", claim_control_number="PCN-4",
                phone1="(614) 555-0104",
            )
        ],
        now=NOW - timedelta(days=1),
    )  # fmt: skip
    shared = Clp("PCN-4", "4", "310.00", "0", "50.00", icn="ICN-44", cas=("CO*50*260.00", "PR*1*50.00"))
    for remittance in read_835(remittance_text([shared], trace="TRACE-0004")):
        with denial_office.writing() as session:
            post_remittance(session, remittance, file_sha256="4" * 64, actor=SYSTEM, now=NOW)
    app = _app(denial_office)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_worklist(pilot, app)
        await pilot.press("m")  # D-2, on top: the payer assigned the patient nothing
        await settle(pilot, lambda: "nothing to move" in _said(app))
        assert isinstance(app.screen, DenialWorklistScreen)
        table = screen.query_one(DenialTable)
        (d4,) = [row for row in screen.rows.values() if row.account_number == "D-4"]
        table.move_cursor(row=table.get_row_index(str(d4.id)))
        await pilot.press("m")
        await settle(pilot, lambda: isinstance(app.screen, ConfirmMoney))
        assert f"Move $50.00 to the patient's share on item {d4.id}?" in plain(
            app.screen.query_one("#form-title", Static)
        )
        await pilot.press("y")
        await settle(pilot, lambda: "$50.00 moved to the patient's share" in _said(app))
        await settle(pilot, lambda: "Moved to the patient" in _detail(app))


def test_the_pane_formats_the_payer_phone_and_deadlines_in_words(denial_office: Database) -> None:
    ann = resolve_actor(denial_office, login="ann")
    row = next(r for r in worklist_page(denial_office, ann, now=NOW).rows if r.account_number == "D-3")
    with_phone = replace(row, payer_phone="8005550100")
    assert "PLAN · phone (800) 555-0100 · denied" in _rendered(describe_item(with_phone, None, TODAY))
    assert "ICN ICN-33" in _rendered(describe_item(row, None, TODAY))
    assert nearest_deadline(row, TODAY).startswith("corrected ")
    late = replace(row, appeal_deadline=TODAY - timedelta(days=3), corrected_claim_deadline=None)
    assert nearest_deadline(late, TODAY) == "appeal 3 days late"
    assert account(denial_office, "D-3").id == row.account_id


def _rendered(renderable: object) -> str:
    import io

    from rich.console import Console

    console = Console(width=200, file=io.StringIO(), color_system=None)
    with console.capture() as capture:
        console.print(renderable)
    return capture.get()


async def _act(pilot: Pilot[None], app: CollectorApp, key: str, form: type, **typed: str) -> None:
    """Press ``key`` on the highlighted item, fill ``typed`` into the form's boxes, save."""
    await pilot.press(key)
    await settle(pilot, lambda: isinstance(app.screen, form))
    for box, text in typed.items():
        await _type(pilot, app, box, text)
    await pilot.press("ctrl+s")
    await settle(pilot, lambda: isinstance(app.screen, DenialWorklistScreen))


async def test_appeal_billing_and_upheld_from_their_keys(denial_office: Database) -> None:
    app = _app(denial_office)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_worklist(pilot, app)
        await _act(pilot, app, "p", AppealForm, argument="the authorization was on file")
        await settle(pilot, lambda: "First-level appeal filed 2026-11-27" in _said(app))
        await settle(pilot, lambda: "Appeal filed · First-level appeal" in _detail(app))
        table = screen.query_one(DenialTable)
        (d3,) = [row for row in screen.rows.values() if row.account_number == "D-3"]
        table.move_cursor(row=table.get_row_index(str(d3.id)))
        await _act(pilot, app, "b", BillingForm, reason="add modifier 25")  # ICN on file: a 7
        await settle(pilot, lambda: "Corrected claim requested: a task for billing" in _said(app))
        await settle(pilot, lambda: "frequency 7" in _detail(app) and "ref ICN-33" in _detail(app))
        await settle(pilot, lambda: "D-3" in _detail(app))
        await _act(pilot, app, "u", UpheldForm, note="second level denied")
        await settle(pilot, lambda: "closed: the denial was upheld" in _said(app))
        await settle(pilot, lambda: "D-3" not in _numbers(app))
