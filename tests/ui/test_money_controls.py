"""Pilot tests of issue 17 (money under control), at 120x40, pressing the keys a collector presses:
the plan's balance cannot be typed, a down payment is its own line and is taken next, a settlement
is its own action (S), and a supervisor sees holds, balance and rules, opens the account read only
and confirms before approving."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from textual.pilot import Pilot
from textual.widgets import Input, Static

from collector_tui.db.models import PaymentPlan, table_of
from collector_tui.domain.plan_schedule import PlanTerms
from collector_tui.screens.account_panel import AccountPanel
from collector_tui.screens.app import CollectorApp
from collector_tui.screens.approvals import ApprovalsScreen, ConfirmApproval
from collector_tui.screens.plan_calculator import PlanCalculator, SettlementCalculator
from collector_tui.screens.queue import QueueScreen
from collector_tui.screens.workspace_forms import PaymentForm
from collector_tui.services.database import Database
from collector_tui.services.desk.account_actions import place_hold
from collector_tui.services.desk.accounts import account_detail
from collector_tui.services.money.plans import PlanRequest, create_plan
from collector_tui.services.team.identity import resolve_actor
from collector_tui.vocabulary import PlanKind, PlanStatus
from tests.conftest import NOW
from tests.ui.test_app import SIZE, make_app, plain, settle
from tests.ui.test_workspace import _open_next, _type

PLAN = table_of(PaymentPlan).c


def _no_open_plan(db: Database, account_id: int) -> None:
    with db.writing() as session:
        session.execute(
            table_of(PaymentPlan).update().where(PLAN.account_id == account_id).values(status="cancelled")
        )


def _plans(db: Database, account_id: int) -> list[PaymentPlan]:
    with db.reading() as session:
        rows = session.execute(
            select(table_of(PaymentPlan)).where(PLAN.account_id == account_id, PLAN.status != "cancelled")
        )
        return [PaymentPlan(**r._mapping) for r in rows]


def _schedule(app: CollectorApp) -> str:
    return plain(app.screen.query_one("#schedule", Static))


async def _calculator(app: CollectorApp, pilot: Pilot[None], key: str, form: type) -> AccountPanel:
    panel = await _open_next(pilot, app)
    _no_open_plan(app.db, panel.account_id)
    await pilot.press(key)
    await settle(pilot, lambda: isinstance(app.screen, form))
    return panel


async def test_the_balance_cannot_be_typed_and_the_down_payment_is_taken_next(office: Database) -> None:
    app = make_app(office)
    async with app.run_test(size=SIZE) as pilot:
        panel = await _calculator(app, pilot, "p", PlanCalculator)
        assert panel.detail is not None
        balance = panel.detail.total_balance_cents
        form = app.screen
        # The balance is text, not a field: no Input has its id, and Tab never lands on it.
        assert not form.query("Input#balance")
        assert "$" in plain(form.query_one("#balance", Static))
        seen = set()
        for _ in range(len(form.query(Input)) + 3):
            focused = app.focused
            seen.add(focused.id if focused is not None else None)
            await pilot.press("tab")
        assert "balance" not in seen and "down" in seen
        await _type(pilot, app, "down", "100.00")
        await _type(pilot, app, "installments", "6")
        await pilot.pause()
        shown = _schedule(app)
        down_line = next(line for line in shown.splitlines() if line.strip().startswith("Down"))
        assert NOW.date().isoformat() in down_line and "$100.00" in down_line
        await pilot.press("enter")
        # The plan is made on the account's balance; the payment form opens with the down payment.
        await settle(pilot, lambda: isinstance(app.screen, PaymentForm))
        assert app.screen.query_one("#amount", Input).value == "100.00"
        (plan,) = _plans(office, panel.account_id)
        assert (plan.principal_cents, plan.down_payment_cents) == (balance - 10_000, 10_000)
        await pilot.press("escape")
        await settle(pilot, lambda: isinstance(app.screen, AccountPanel))
        await settle(
            pilot, lambda: "Down payment $100.00" in plain(panel.query_one("#arrangements-body", Static))
        )
        assert str(NOW.date()) in plain(panel.query_one("#arrangements-body", Static))


async def test_s_makes_a_settlement_with_its_reason(office: Database) -> None:
    app = make_app(office)
    async with app.run_test(size=SIZE) as pilot:
        panel = await _calculator(app, pilot, "S", SettlementCalculator)
        assert panel.detail is not None
        balance = panel.detail.total_balance_cents
        await _type(pilot, app, "forgiven", "1.00")
        await pilot.pause()
        shown = _schedule(app)
        assert "Settlement policy: up to" in shown and "$1.00 forgiven when paid as agreed" in shown
        await pilot.press("ctrl+s")  # no reason: refused, beside the field
        await settle(
            pilot, lambda: "settlement reason" in plain(app.screen.query_one("#form-problems", Static))
        )
        await _type(pilot, app, "settlement_reason", "hardship")
        await pilot.press("enter")
        await settle(pilot, lambda: isinstance(app.screen, AccountPanel))
        (plan,) = _plans(office, panel.account_id)
        assert (plan.kind, plan.forgiven_cents, plan.settlement_reason) == (
            PlanKind.SETTLEMENT,
            100,
            "hardship",
        )
        assert plan.principal_cents == balance - 100
        await settle(pilot, lambda: "Settlement for" in plain(panel.query_one("#arrangements-body", Static)))
        assert "$1.00 forgiven when paid as agreed" in plain(panel.query_one("#arrangements-body", Static))


async def test_a_supervisor_sees_the_dispute_opens_the_account_read_only_and_confirms(
    office: Database,
) -> None:
    collector = resolve_actor(office, act_as="mlopez")
    from tests.services.test_plans import _fresh_account

    account_id, version, balance = _fresh_account(office)
    terms = PlanTerms(balance, "monthly", NOW.date() + timedelta(days=10), installments=60)
    create_plan(
        office, collector, PlanRequest(account_id, version, terms, exception_reason="fixed income"), now=NOW
    )
    version = account_detail(office, collector, account_id, now=NOW).version
    place_hold(
        office, collector, account_id, version, "dispute", "says it was paid", now=NOW, received_via="oral"
    )
    boss = make_app(office, login="sreed")
    async with boss.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: isinstance(boss.screen, QueueScreen) and boss.screen._loaded_once)
        await pilot.press("t")
        await settle(pilot, lambda: not isinstance(boss.screen, QueueScreen))
        await pilot.press("a")
        await settle(pilot, lambda: isinstance(boss.screen, ApprovalsScreen) and bool(boss.screen.items))
        screen = boss.screen
        assert isinstance(screen, ApprovalsScreen)
        row = next(i for i, item in enumerate(screen.items) if item.account_id == account_id)
        for _ in range(row):
            await pilot.press("down")
        detail = plain(screen.query_one("#approval-detail", Static))
        assert "ON HOLD: Disputed debt" in detail and "fixed income" in detail
        assert "term longer than the balance's tier allows" in detail and "Balance $" in detail
        await pilot.press("enter")  # the account, read only
        await settle(pilot, lambda: isinstance(boss.screen, AccountPanel) and boss.screen.detail is not None)
        panel = boss.screen
        assert isinstance(panel, AccountPanel) and panel.read_only and panel.account_id == account_id
        await pilot.press("c")  # no form opens
        await pilot.pause()
        assert boss.screen is panel
        await pilot.press("escape")
        await settle(pilot, lambda: isinstance(boss.screen, ApprovalsScreen))
        await pilot.press("y")
        await settle(pilot, lambda: isinstance(boss.screen, ConfirmApproval))
        await pilot.press("n")  # not yet
        await settle(pilot, lambda: isinstance(boss.screen, ApprovalsScreen))
        assert _plans(office, account_id)[0].status == PlanStatus.PROPOSED
        await pilot.press("y", "y")
        await settle(pilot, lambda: _plans(office, account_id)[0].status == PlanStatus.ACTIVE)
