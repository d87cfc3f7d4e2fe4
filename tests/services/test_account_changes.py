"""describe_changes: what changed on an account between two reads, in plain words."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from collector_tui.services.audit import SYSTEM
from collector_tui.services.database import Database
from collector_tui.services.desk.account_changes import changed_since_opened, describe_changes
from collector_tui.services.desk.accounts import account_detail
from collector_tui.services.views import (
    AccountDetail,
    ActivityView,
    PlanView,
    PromiseView,
    TransactionView,
)
from tests.conftest import NOW
from tests.services.builders import account, place, placement


@pytest.fixture
def opened(db: Database) -> AccountDetail:
    place(db, [placement()])
    return account_detail(db, SYSTEM, account(db, "A-1001").id or 0, now=NOW)


def _activity(activity_id: int, minutes: int, outcome: str | None) -> ActivityView:
    return ActivityView(
        id=activity_id,
        occurred_at=NOW + timedelta(minutes=minutes),
        channel="call",
        direction="out",
        outcome_code=outcome,
        phone="(614) 555-0142",
        collector="Maria Lopez",
        note=None,
    )


def test_nothing_changed(opened: AccountDetail) -> None:
    assert describe_changes(opened, opened) == []
    assert describe_changes(opened, replace(opened, version=opened.version + 1, as_of=NOW)) == []
    assert changed_since_opened(opened, opened) == "Changed since you opened it."


def test_the_example_message(opened: AccountDetail) -> None:
    old = replace(opened, total_balance_cents=12_000, activities=())
    new = replace(opened, total_balance_cents=8_000, activities=(_activity(1, 5, "NA"),))
    assert describe_changes(old, new) == ["balance $120.00 -> $80.00", "1 new activity (NA)"]
    assert changed_since_opened(old, new) == (
        "Changed since you opened it: balance $120.00 -> $80.00; 1 new activity (NA)"
    )


def test_status_owner_callback_and_holds(opened: AccountDetail) -> None:
    old = replace(opened, holds=("insurance_pending",), owner=None, owner_login=None)
    new = replace(
        opened,
        status="paid",
        owner="Maria Lopez",
        owner_login="mlopez",
        next_action_at=NOW + timedelta(hours=1),
        holds=("dispute", "supervisor"),
    )
    assert describe_changes(old, new) == [
        "status open -> paid",
        "owner unassigned -> Maria Lopez",
        "callback none -> 2026-11-27 16:00 UTC",
        "hold added: Disputed debt, Supervisor hold",
        "hold released: Insurance pending",
    ]


def test_phones_added_removed_and_changed(opened: AccountDetail) -> None:
    mobile, home = opened.phones
    assert mobile.phone_type == "mobile"
    new = replace(
        opened,
        phones=(
            replace(mobile, status="wrong", do_not_call=True, consent_to_call_mobile=True),
            replace(home, id=999, national="(208) 555-0199"),
        ),
    )
    changes = describe_changes(opened, new)
    assert changes == [
        "phone added (home …0199)",
        "phone removed (home …0100)",
        "phone mobile …0142 now wrong number",
        "phone mobile …0142 now do-not-call",
        "phone mobile …0142 consent to call given",
    ]
    back = describe_changes(new, replace(new, phones=(replace(new.phones[0], do_not_call=False), home)))
    assert "phone mobile …0142 do-not-call lifted" in back


def test_promises_and_plans(opened: AccountDetail) -> None:
    promise = PromiseView(id=1, amount_cents=5_000, due_date=date(2026, 12, 1), status="pending")
    plan = PlanView(
        id=1,
        status="active",
        frequency="monthly",
        installment_count=6,
        installment_cents=10_000,
        principal_cents=60_000,
        first_due_date=date(2026, 12, 1),
        paid_installments=1,
    )
    old = replace(opened, promises=(promise,), plans=(plan,))
    new = replace(
        opened,
        promises=(
            replace(promise, status="broken"),
            PromiseView(id=2, amount_cents=2_500, due_date=date(2026, 12, 15), status="pending"),
        ),
        plans=(replace(plan, paid_installments=2),),
    )
    assert describe_changes(old, new) == [
        "new promise $25.00 due 2026-12-15 (pending)",
        "promise $50.00 due 2026-12-01 now broken",
        "plan 6 × $100.00 monthly: 1 -> 2 installments paid",
    ]
    assert describe_changes(new, replace(new, promises=(), plans=(replace(plan, status="broken"),))) == [
        "promise $50.00 due 2026-12-01 removed",
        "promise $25.00 due 2026-12-15 removed",
        "plan 6 × $100.00 monthly now broken",
        "plan 6 × $100.00 monthly: 2 -> 1 installments paid",
    ]


def test_new_activities_count_and_latest_outcome(opened: AccountDetail) -> None:
    old = replace(opened, activities=(_activity(1, 0, "NA"),))
    new = replace(
        opened,
        activities=(_activity(4, 9, None), _activity(3, 30, "PTP"), _activity(2, 1, "BUSY"), *old.activities),
    )
    assert describe_changes(old, new) == ["3 new activities (latest PTP)"]
    # An activity with no outcome is named by its channel.
    only_note = replace(opened, activities=(replace(_activity(5, 40, None), channel="note"),))
    assert describe_changes(replace(opened, activities=()), only_note) == ["1 new activity (note)"]


def test_new_transactions_are_counted(opened: AccountDetail) -> None:
    def tx(tx_id: int) -> TransactionView:
        return TransactionView(id=tx_id, posted_at=NOW, kind="payment", amount_cents=-1_000, method="card")

    old = replace(opened, transactions=(tx(1),))
    assert describe_changes(old, replace(opened, transactions=(tx(3), tx(2), tx(1)))) == [
        "2 new transactions"
    ]
    assert describe_changes(old, replace(opened, transactions=(tx(2), tx(1)))) == ["1 new transaction"]


def test_the_words_carry_no_names_or_full_numbers(opened: AccountDetail) -> None:
    mobile, home = opened.phones
    new = replace(opened, phones=(replace(mobile, do_not_call=True), home), total_balance_cents=1)
    text = changed_since_opened(opened, new)
    assert "614" not in text and "DOE" not in text and "Jane" not in text
