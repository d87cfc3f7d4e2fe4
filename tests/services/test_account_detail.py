"""account_detail: the header facts, the household, denial notes, and the access log."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import update

from collector_tui.db.models import Account, table_of
from collector_tui.services.audit import SYSTEM, Actor
from collector_tui.services.database import Database
from collector_tui.services.desk import accounts
from collector_tui.services.desk.accounts import account_detail
from collector_tui.services.errors import NotFoundError
from collector_tui.services.team.users import add_user
from collector_tui.vocabulary import AccountStatus, Role
from tests.conftest import NOW
from tests.services.builders import account, audit_events, place, placement

ACCOUNT_T = table_of(Account)


@pytest.fixture
def staff(db: Database) -> dict[str, Actor]:
    """Two collectors and a supervisor."""
    people = {
        "mlopez": ("Maria Lopez", Role.COLLECTOR),
        "jchen": ("James Chen", Role.COLLECTOR),
        "sreed": ("Sam Reed", Role.SUPERVISOR),
    }
    actors = {}
    with db.writing() as session:
        for login, (name, role) in people.items():
            user_id = add_user(session, SYSTEM, login=login, display_name=name, role=role, now=NOW)
            actors[login] = Actor(login=login, collector_id=user_id, role=role, display_name=name)
    return actors


@pytest.fixture
def household(db: Database, staff: dict[str, Actor]) -> int:
    """Guarantor G-1 with four accounts at two facilities; A-1001 (Maria's) is the one opened."""
    place(
        db,
        [
            placement(collector_login="mlopez"),
            placement(
                account_number="A-1002",
                total_balance="200.00",
                patient_responsibility="200.00",
                insurance_pending="0",
                collector_login="jchen",
            ),
            placement(
                facility_code="NORTH",
                facility_name="North Clinic",
                account_number="N-7",
                total_balance="75.50",
                patient_responsibility="75.50",
                insurance_pending="0",
            ),
            placement(
                account_number="A-1003",
                total_balance="40.00",
                patient_responsibility="40.00",
                insurance_pending="0",
            ),
            placement(account_number="B-1", guarantor_id="G-2", guarantor_first_name="Other"),
        ],
    )
    with db.writing() as session:
        session.execute(
            update(ACCOUNT_T)
            .where(ACCOUNT_T.c.account_number == "A-1003")
            .values(status=AccountStatus.PAID, total_balance_cents=0)
        )
    return account(db, "A-1001").id or 0


def test_the_header_facts(db: Database, staff: dict[str, Actor], household: int) -> None:
    callback = NOW + timedelta(hours=2)
    with db.writing() as session:
        session.execute(
            update(ACCOUNT_T).where(ACCOUNT_T.c.id == household).values(next_action_at=callback, version=3)
        )
    detail = account_detail(db, staff["mlopez"], household, now=NOW)
    row = account(db, "A-1001")
    assert detail.version == row.version == 3
    assert (detail.owner, detail.owner_login) == ("Maria Lopez", "mlopez")
    assert detail.next_action_at == callback
    assert detail.facility_code == "MERCY"
    assert detail.guarantor_id == row.guarantor_id
    assert detail.guarantor_number == "G-1"
    assert detail.as_of == NOW


def test_the_household_lists_the_guarantors_other_accounts(
    db: Database, staff: dict[str, Actor], household: int
) -> None:
    detail = account_detail(db, staff["mlopez"], household, now=NOW)
    # Open accounts first, largest balance first; the paid one last; G-2's account not at all.
    assert [(h.account_number, h.facility_code, h.status) for h in detail.household] == [
        ("A-1002", "MERCY", "open"),
        ("N-7", "NORTH", "open"),
        ("A-1003", "MERCY", "paid"),
    ]
    assert [h.total_balance_cents for h in detail.household] == [20_000, 7_550, 0]
    assert [h.owner for h in detail.household] == ["James Chen", None, None]
    assert detail.household_more == 0
    # Every open account of the guarantor, this one ($1,560.00) included.
    assert detail.household_open_accounts == 3
    assert detail.household_total_cents == 156_000 + 20_000 + 7_550


def test_the_household_is_capped_with_a_count_of_the_rest(
    db: Database, staff: dict[str, Actor], household: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(accounts, "HOUSEHOLD_LIMIT", 2)
    detail = account_detail(db, staff["mlopez"], household, now=NOW)
    assert [h.account_number for h in detail.household] == ["A-1002", "N-7"]
    assert detail.household_more == 1
    assert detail.household_total_cents == 156_000 + 20_000 + 7_550


def test_a_guarantor_with_one_account_has_no_household(db: Database, staff: dict[str, Actor]) -> None:
    place(db, [placement(collector_login="mlopez")])
    detail = account_detail(db, staff["mlopez"], account(db, "A-1001").id or 0, now=NOW)
    assert detail.household == ()
    assert (detail.household_more, detail.household_open_accounts) == (0, 1)
    assert detail.household_total_cents == detail.total_balance_cents


def test_denial_codes_come_with_their_notes(db: Database, staff: dict[str, Actor], household: int) -> None:
    place(db, [placement(record_type="update", claim_denial_codes="CO-197;N30;CO-999")])
    detail = account_detail(db, staff["mlopez"], household, now=NOW)
    [claim] = detail.claims
    assert claim.denial_codes == ("CO-197", "N30", "CO-999")
    assert [n.code for n in claim.denials] == ["CO-197", "N30", "CO-999"]
    assert all(n.known for n in claim.denials[:2])
    assert claim.denials[0].group is not None and "patient is not billed" in claim.denials[0].group
    assert not claim.denials[2].known
    assert claim.denials[2].meaning == "no description on file"


# --- the access log ---------------------------------------------------------------------------


def test_opening_an_account_is_logged(db: Database, staff: dict[str, Actor], household: int) -> None:
    account_detail(db, staff["mlopez"], household, now=NOW)
    [event] = audit_events(db, "account.view")
    assert (event.actor, event.acting_as, event.entity_type, event.entity_id, event.occurred_at) == (
        "mlopez",
        None,
        "account",
        household,
        NOW,
    )
    assert json.loads(event.details or "{}") == {"owner_id": staff["mlopez"].collector_id}


def test_each_opening_is_logged_again(db: Database, staff: dict[str, Actor], household: int) -> None:
    account_detail(db, staff["mlopez"], household, now=NOW)
    account_detail(db, staff["mlopez"], household, now=NOW + timedelta(minutes=5))
    assert [e.occurred_at for e in audit_events(db, "account.view")] == [NOW, NOW + timedelta(minutes=5)]


def test_a_re_read_of_an_open_account_is_not_another_view(
    db: Database, staff: dict[str, Actor], household: int
) -> None:
    account_detail(db, staff["mlopez"], household, now=NOW)  # the collector opens the account
    for minutes in (1, 2):  # a save re-reads it to show it; someone else's change reloads it
        account_detail(db, staff["mlopez"], household, now=NOW + timedelta(minutes=minutes), opening=False)
    assert [e.occurred_at for e in audit_events(db, "account.view")] == [NOW]
    with pytest.raises(NotFoundError):  # a re-read is still checked
        account_detail(db, staff["jchen"], household, now=NOW, opening=False)


def test_a_supervisor_viewing_another_collectors_account_is_logged(
    db: Database, staff: dict[str, Actor], household: int
) -> None:
    account_detail(db, staff["sreed"], household, now=NOW)
    [event] = audit_events(db, "account.view")
    assert (event.actor, event.entity_id) == ("sreed", household)
    assert json.loads(event.details or "{}") == {"owner_id": staff["mlopez"].collector_id}


def test_a_refused_opening_is_not_logged(db: Database, staff: dict[str, Actor], household: int) -> None:
    with pytest.raises(NotFoundError):
        account_detail(db, staff["jchen"], household, now=NOW)
    with pytest.raises(NotFoundError):
        account_detail(db, staff["mlopez"], 10**9, now=NOW)
    assert audit_events(db, "account.view") == []


def test_the_log_holds_no_patient_data(db: Database, staff: dict[str, Actor], household: int) -> None:
    account_detail(db, staff["mlopez"], household, now=NOW)
    [event] = audit_events(db, "account.view")
    logged = f"{event.action} {event.entity_type} {event.details}"
    for phi in ("Jane", "Doe", "JANE", "DOE", "1980", "555", "A-1001", "Columbus"):
        assert phi not in logged
