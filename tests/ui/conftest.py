"""Fixtures the Pilot tests share: an office with large amounts."""

from __future__ import annotations

from datetime import timedelta

import pytest

from collector_tui.services.audit import SYSTEM
from collector_tui.services.database import Database
from collector_tui.services.desk.account_actions import take_payment
from collector_tui.services.team.identity import resolve_actor
from collector_tui.services.team.users import add_user
from tests.conftest import NOW
from tests.services.builders import account, place, placement


@pytest.fixture
def rich_office(db: Database) -> Database:
    """ann owns A-1, $2,636,061.00 before a $1,318,030.50 payment today; bob owns A-2, $250,000.00."""
    with db.writing() as session:
        for login, role in (("ann", "collector"), ("bob", "collector"), ("sue", "supervisor")):
            add_user(session, SYSTEM, login=login, display_name=login.title(), role=role, now=NOW)
    common = {"insurance_pending": "0", "claim_status": "paid", "claim_denial_codes": "", "phone2": ""}
    place(
        db,
        [
            placement(
                account_number="A-1", guarantor_id="G-1", collector_login="ann", total_balance="2,636,061.00",
                patient_responsibility="2,636,061.00", phone1="(614) 555-0101", **common,
            ),
            placement(
                account_number="A-2", guarantor_id="G-2", collector_login="bob", total_balance="250,000.00",
                patient_responsibility="250,000.00", phone1="(614) 555-0102", **common,
            ),
        ],
        now=NOW - timedelta(days=1),
    )  # fmt: skip
    a1 = account(db, "A-1")
    assert a1.id is not None
    take_payment(
        db, resolve_actor(db, login="ann"), a1.id, a1.version, amount_cents=131_803_050, method="ach",
        reference="ACH-1", now=NOW - timedelta(minutes=30),
    )  # fmt: skip
    return db
