"""Issue 17: at 80x24 (and at 120x40) every amount on the screens a collector and a supervisor use
is shown whole: the queue, an account, the plan calculator's schedule for a large balance, the
approvals, the team screen and the denial worklist (issue 18). Nothing is cut mid-number
(``$1,2…``)."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from typing import Any

import pytest
from rich.console import Console, Group
from rich.table import Table
from textual.app import App
from textual.pilot import Pilot

from collector_tui.domain.plan_schedule import PlanTerms
from collector_tui.screens.account_panel import AccountPanel
from collector_tui.screens.app import CollectorApp
from collector_tui.screens.approvals import ApprovalsScreen
from collector_tui.screens.denial_forms import ConfirmMoney, WriteOffForm
from collector_tui.screens.denials import DenialWorklistScreen
from collector_tui.screens.plan_calculator import PlanCalculator, ScheduleRows
from collector_tui.screens.queue import QueueScreen
from collector_tui.screens.team import TeamScreen
from collector_tui.services.database import Database
from collector_tui.services.money.plans import PlanRequest, create_plan
from collector_tui.services.team.identity import resolve_actor
from tests.conftest import NOW
from tests.services.builders import account, place, placement
from tests.ui.test_app import settle
from tests.ui.test_denial_worklist import build_denial_office
from tests.ui.test_workspace import _type

SIZES = [(80, 24), (120, 40)]
# What follows a "$": digits, thousands commas and cents (a chart's axis may say $1.5M or $500k).
TOKEN = re.compile(r"\$(-?[\d,.]*)(.?)")
WHOLE = re.compile(r"-?\d{1,3}(,\d{3})*(\.\d{2})?")
SHORT = re.compile(r"\d{1,3}(\.\d{1,2})?")  # before k or M


def screen_lines(app: App[Any]) -> list[str]:
    """The active screen's lines as the terminal shows them (what ``export_screenshot`` draws)."""
    return [strip.text for strip in app.screen._compositor.render_strips()]


def _is_cut(line: str) -> bool:
    if re.search(r"[\d$]…", line):
        return True
    for match in TOKEN.finditer(line):
        number, after = match.group(1).rstrip(".,"), match.group(2)
        if not match.group(1) and after == " ":
            continue  # the $ key in the footer ("$ Pay"), not an amount
        short = after in ("k", "M") and number == match.group(1) and SHORT.fullmatch(number)
        if not (WHOLE.fullmatch(number) or short):
            return True
    return False


def cut_amounts(lines: list[str]) -> list[str]:
    """Every line with an amount that is not whole: ``$`` then a partial number, or an ellipsis."""
    return [line for line in lines if _is_cut(line)]


def test_the_check_catches_a_cut_amount() -> None:
    assert cut_amounts(["  $1,2… left", "$12,345.6", "$1,318,0", "$", "42…"]) == [
        "  $1,2… left", "$12,345.6", "$1,318,0", "$", "42…",
    ]  # fmt: skip
    assert cut_amounts(["$12,345.67 · $0.00, $1,028.81; $1.5M $500k $0 ($-3.00). $ Pay"]) == []


@pytest.fixture
def large_office(rich_office: Database) -> Database:
    """The office with millions, and: ann's A-3 of $12,345.67; bob's $250,000.00 proposed over 60
    months (waiting for sue's approval)."""
    common = {"insurance_pending": "0", "claim_status": "paid", "claim_denial_codes": "", "phone2": ""}
    place(
        rich_office,
        [
            placement(
                account_number="A-3", guarantor_id="G-3", collector_login="ann", total_balance="12,345.67",
                patient_responsibility="12,345.67", phone1="(614) 555-0103", **common,
            )
        ],
        now=NOW - timedelta(days=1),
    )  # fmt: skip
    a2 = account(rich_office, "A-2")
    assert a2.id is not None
    terms = PlanTerms(a2.total_balance_cents, "monthly", NOW.date() + timedelta(days=10), installments=60)
    request = PlanRequest(a2.id, a2.version, terms, exception_reason="fixed income")
    create_plan(rich_office, resolve_actor(rich_office, login="bob"), request, now=NOW)
    return rich_office


def _assert_whole(app: CollectorApp, where: str) -> None:
    lines = screen_lines(app)
    assert any("$" in line for line in lines), (where, lines)
    assert cut_amounts(lines) == [], (where, "\n".join(lines))


async def _open_account(pilot: Pilot[None], app: CollectorApp, number: str) -> AccountPanel:
    found = account(app.db, number)
    assert found.id is not None
    app.push_screen(AccountPanel(found.id))
    await settle(pilot, lambda: isinstance(app.screen, AccountPanel) and app.screen.detail is not None)
    await pilot.pause()
    assert isinstance(app.screen, AccountPanel)
    return app.screen


@pytest.mark.parametrize("size", SIZES)
async def test_a_collectors_screens_show_every_amount_whole(
    large_office: Database, size: tuple[int, int]
) -> None:
    app = CollectorApp(db=large_office, actor=resolve_actor(large_office, login="ann"), clock=lambda: NOW)
    async with app.run_test(size=size) as pilot:
        await settle(pilot, lambda: isinstance(app.screen, QueueScreen) and app.screen._loaded_once)
        await pilot.pause()
        _assert_whole(app, "queue")
        for number in ("A-1", "A-3"):
            await _open_account(pilot, app, number)
            _assert_whole(app, f"account {number}")
            await pilot.press("p")
            await settle(pilot, lambda: isinstance(app.screen, PlanCalculator))
            await _type(pilot, app, "installments", "12")
            await pilot.pause()
            lines = screen_lines(app)
            assert any("$12,345.67" in line or "$1,318,030.50" in line for line in lines), lines
            assert any(line.count("$") >= 2 and "-" in line for line in lines), "no schedule row shown"
            _assert_whole(app, f"plan {number}")
            await _type(pilot, app, "apr", "9.5")  # with interest: one column more
            app.screen.query_one("#form").scroll_home(animate=False)  # typing scrolled to the field
            await pilot.pause()
            assert any(line.count("$") >= 2 and "-" in line for line in screen_lines(app)), "no row shown"
            _assert_whole(app, f"plan with interest {number}")
            await pilot.press("escape")
            await settle(pilot, lambda: isinstance(app.screen, AccountPanel))
            app.pop_screen()
            await settle(pilot, lambda: isinstance(app.screen, QueueScreen))


@pytest.mark.parametrize("size", SIZES)
async def test_a_supervisors_screens_show_every_amount_whole(
    large_office: Database, size: tuple[int, int]
) -> None:
    app = CollectorApp(db=large_office, actor=resolve_actor(large_office, login="sue"), clock=lambda: NOW)
    async with app.run_test(size=size) as pilot:
        app.push_screen(TeamScreen())
        await settle(pilot, lambda: isinstance(app.screen, TeamScreen) and app.screen.stats is not None)
        await pilot.pause()
        _assert_whole(app, "team")
        await pilot.press("a")
        await settle(pilot, lambda: isinstance(app.screen, ApprovalsScreen) and bool(app.screen.items))
        await pilot.pause()
        lines = screen_lines(app)
        assert any("$250,000.00" in line for line in lines), "\n".join(lines)
        _assert_whole(app, "approvals")


@pytest.mark.parametrize("size", SIZES)
async def test_the_denial_worklist_shows_every_amount_whole(db: Database, size: tuple[int, int]) -> None:
    office = build_denial_office(db, d1_billed_cents=263_606_100)  # $2,635,811.00 denied on D-1
    app = CollectorApp(db=office, actor=resolve_actor(office, login="ann"), clock=lambda: NOW)
    async with app.run_test(size=size) as pilot:
        await settle(pilot, lambda: isinstance(app.screen, QueueScreen) and app.screen._loaded_once)
        await pilot.press("w")
        await settle(pilot, lambda: isinstance(app.screen, DenialWorklistScreen) and app.screen._loaded_once)
        await pilot.pause()
        lines = screen_lines(app)
        assert any("$2,635,811.00" in line for line in lines), "\n".join(lines)
        _assert_whole(app, "denial worklist")
        await pilot.press("x")
        await settle(pilot, lambda: isinstance(app.screen, WriteOffForm))
        _assert_whole(app, "write-off form")
        await _type(pilot, app, "reason", "no authorization")
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: isinstance(app.screen, ConfirmMoney))
        assert any("$2,635,811.00" in line for line in screen_lines(app))
        _assert_whole(app, "write-off question")


def test_a_schedule_too_wide_for_its_columns_wraps_whole_lines() -> None:
    rows = [("1", "2026-12-11", "$115,569.54", "$10,434.41", "$1,212,895.37"), ("…", "", "", "", "")]
    schedule = ScheduleRows(rows)
    assert isinstance(schedule.layout(80), Table) and isinstance(schedule.layout(44), Group)  # no interest
    console = Console(width=24, file=io.StringIO(), color_system=None)
    with console.capture() as capture:
        console.print(schedule)
    lines = capture.get().splitlines()
    assert cut_amounts(lines) == [] and "$1,212,895.37" in lines[-2] and lines[-1] == "…", lines
