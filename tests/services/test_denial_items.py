"""Denial items opened by 835s and the placement file, and closed when a payer pays (real SQLite)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import update

from collector_tui.db.models import Collector, DenialAction, DenialItem, Payer
from collector_tui.db.tables import DENIAL_ITEM_T
from collector_tui.domain.x12.remittance import read_835
from collector_tui.services.audit import SYSTEM, Actor
from collector_tui.services.database import Database
from collector_tui.services.desk.accounts import denial_standing
from collector_tui.services.files.remittances import RemittanceResult, post_remittance
from collector_tui.services.team.users import add_user
from collector_tui.services.worklists.assignments import (
    AccountSelection,
    ReassignRequest,
    apply_reassignment,
    preview_reassignment,
)
from collector_tui.services.worklists.denial_items import rescore
from collector_tui.vocabulary import (
    DenialCategory,
    DenialOutcome,
    DenialScenario,
    DenialSource,
    DenialStatus,
    Role,
)
from tests.conftest import NOW
from tests.services.builders import account, all_rows, audit_events, count, place, placement
from tests.services.remittance_files import Clp, remittance_text

INSURANCE = 31_000  # the default placement's insurance pending
DENIED = Clp("PCN-1", "4", "310.00", "0", "", icn="ICN-9", cas=("CO*16*310.00",), remarks=("N290", "M127"))
PAID_LATER = Clp("PCN-1", "1", "310.00", "250.00", "0", icn="ICN-9", cas=("CO*45*60.00",))


@pytest.fixture
def placed(db: Database) -> Database:
    with db.writing() as session:
        add_user(session, SYSTEM, login="jsmith", display_name="J Smith", role="collector", now=NOW)
        add_user(session, SYSTEM, login="akim", display_name="A Kim", role="collector", now=NOW)
    place(db, [placement(claim_status="pending", claim_control_number="PCN-1", collector_login="jsmith")])
    return db


def post(db: Database, text: str) -> list[RemittanceResult]:
    results = []
    for remittance in read_835(text):
        with db.writing() as session:
            results.append(post_remittance(session, remittance, file_sha256="0" * 64, actor=SYSTEM, now=NOW))
    return results


def item(db: Database) -> DenialItem:
    (row,) = all_rows(db, DenialItem)
    return row


def test_a_denied_claim_opens_one_item_with_its_codes_scenario_and_deadlines(placed: Database) -> None:
    (result,) = post(placed, remittance_text([DENIED], payer="ACME HEALTH PLAN"))
    assert result.denials_opened == 1
    opened = item(placed)
    a = account(placed, "A-1001")
    assert (opened.account_id, opened.owner_id) == (a.id, a.assigned_collector_id)
    assert opened.owner_id is not None
    assert (opened.status, opened.source, opened.group_code, opened.carc) == (
        DenialStatus.OPEN,
        DenialSource.REMITTANCE,
        "CO",
        "16",
    )
    assert opened.codes == "CO-16 N290 M127"
    assert (opened.category, opened.scenario) == (
        DenialCategory.MISSING_INFORMATION,
        DenialScenario.CLAIM_DATA,
    )
    assert (opened.denied_cents, opened.payer_claim_number, opened.remit_date) == (
        31_000,
        "ICN-9",
        date(2026, 11, 20),
    )
    assert opened.appeal_deadline == date(2026, 11, 20) + timedelta(days=180)
    assert opened.corrected_claim_deadline == date(2026, 11, 20) + timedelta(days=90)
    assert opened.priority_score > 0 and opened.priority_breakdown
    # A denied claim posts nothing: the money stays with insurance while it is worked.
    assert a.insurance_pending_cents == INSURANCE


def test_the_same_file_twice_opens_nothing_more(placed: Database) -> None:
    post(placed, remittance_text([DENIED]))
    (again,) = post(placed, remittance_text([DENIED]))
    assert again.already_posted and count(placed, DenialItem) == 1


def test_a_later_payment_closes_the_item_as_overturned_with_what_was_recovered(placed: Database) -> None:
    post(placed, remittance_text([DENIED]))
    (paid,) = post(placed, remittance_text([PAID_LATER], trace="TRACE-0002"))
    assert paid.denials_overturned == 1
    closed = item(placed)
    assert (closed.status, closed.outcome, closed.recovered_cents) == (
        DenialStatus.CLOSED,
        DenialOutcome.OVERTURNED,
        25_000,
    )
    assert closed.closed_at == NOW
    (action,) = all_rows(placed, DenialAction)
    assert (action.kind, action.amount_cents, action.collector_id) == ("overturned", 25_000, None)
    with placed.reading() as session:  # what the account's claims pane says of it
        standing = denial_standing(session, closed.claim_id)
    assert standing == f"denial item {closed.id} closed: Overturned: the payer paid, $250.00 recovered"


def test_a_denial_again_after_an_appeal_updates_the_one_open_item(placed: Database) -> None:
    post(placed, remittance_text([DENIED]))
    again = Clp("PCN-1", "4", "310.00", "0", "", icn="ICN-9", cas=("CO*50*310.00",))
    post(placed, remittance_text([again], trace="TRACE-0003", paid_on="20261201"))
    opened = item(placed)
    assert count(placed, DenialItem) == 1
    assert opened.codes == "CO-16 N290 M127 CO-50"
    assert (opened.carc, opened.category) == ("50", DenialCategory.MEDICAL_NECESSITY)
    assert opened.remit_date == date(2026, 12, 1)  # the new decision restarts the appeal clock
    assert opened.appeal_deadline == date(2026, 12, 1) + timedelta(days=180)


def test_a_partial_denial_opens_an_item_and_keeps_its_money_with_insurance(placed: Database) -> None:
    partial = Clp("PCN-1", "1", "310.00", "200.00", "0", cas=("CO*45*60.00", "CO*97*50.00"))
    (result,) = post(placed, remittance_text([partial]))
    assert (result.contractual_cents, result.denials_opened) == (6_000, 1)
    opened = item(placed)
    assert (opened.carc, opened.denied_cents, opened.scenario) == (
        "97",
        5_000,
        DenialScenario.NOT_SEPARATELY_PAYABLE,
    )
    # CO-45 is the contract (adjusted off); CO-97 is money the payer refused: still insurance pending.
    assert account(placed, "A-1001").insurance_pending_cents == INSURANCE - 20_000 - 6_000


@pytest.mark.parametrize(
    "cas", [("CO*45*110.00",), ("CO*45*60.00", "PR*1*50.00"), ("CO*45*60.00", "OA*23*50.00")]
)
def test_the_contract_the_patients_share_and_bookkeeping_open_nothing(
    placed: Database, cas: tuple[str, ...]
) -> None:
    (result,) = post(placed, remittance_text([Clp("PCN-1", "1", "310.00", "200.00", "0", cas=cas)]))
    assert result.denials_opened == 0 and count(placed, DenialItem) == 0


def test_an_oa_18_opens_a_duplicate_item(placed: Database) -> None:
    post(placed, remittance_text([Clp("PCN-1", "1", "310.00", "200.00", "0", cas=("OA*18*110.00",))]))
    assert (item(placed).category, item(placed).group_code) == (DenialCategory.DUPLICATE, "OA")


def test_a_denied_claim_keeps_its_pr_share_for_the_worklist_to_move(placed: Database) -> None:
    denied = Clp("PCN-1", "4", "310.00", "0", "40.00", cas=("CO*16*270.00", "PR*96*40.00"))
    post(placed, remittance_text([denied]))
    assert (item(placed).denied_cents, item(placed).patient_cents) == (27_000, 4_000)


def test_medicare_deadlines_follow_the_payers_rules(placed: Database) -> None:
    post(placed, remittance_text([DENIED], payer="MEDICARE PART B"))
    opened = item(placed)
    assert opened.appeal_deadline == date(2026, 11, 20) + timedelta(days=125)
    assert opened.corrected_claim_deadline is None  # no service date in the remittance: no guess


def test_the_payer_joins_the_payer_table_with_its_claims_line(placed: Database) -> None:
    post(placed, remittance_text([DENIED], payer="ACME HEALTH PLAN", payer_phone="8005550123"))
    # One payer, though the placement file says "Acme Health Plan" and the 835 "ACME HEALTH PLAN":
    # the name as first seen, the 835's identifier and claims line.
    (payer,) = all_rows(placed, Payer)
    assert (payer.name, payer.name_key) == ("Acme Health Plan", "ACME HEALTH PLAN")
    assert (payer.phone, payer.identifier) == ("+18005550123", "PAYER-X")


def test_the_placement_file_opens_an_item_for_a_denied_claim_once(db: Database) -> None:
    place(db, [placement()])  # denied, CO-197 and N30, appeal by 2027-01-10
    opened = item(db)
    assert (opened.source, opened.carc, opened.codes) == (DenialSource.PLACEMENT, "197", "CO-197 N30")
    assert (opened.category, opened.scenario) == (DenialCategory.AUTHORIZATION, DenialScenario.DOCUMENTATION)
    assert opened.denied_cents == 156_000 - 0 - 25_000  # billed less paid less the patient's share
    assert (opened.appeal_deadline, opened.corrected_claim_deadline) == (date(2027, 1, 10), date(2027, 7, 2))
    place(db, [placement(total_balance="1,500.00", patient_responsibility="1,190.00")])
    assert count(db, DenialItem) == 1


def test_the_placement_file_never_reopens_an_item_a_person_closed(db: Database) -> None:
    place(db, [placement()])
    with db.writing() as session:
        session.execute(update(DENIAL_ITEM_T).values(status="closed", outcome="upheld", closed_at=NOW))
    place(db, [placement(total_balance="1,500.00", patient_responsibility="1,190.00")])
    assert count(db, DenialItem) == 1 and item(db).status == DenialStatus.CLOSED


def test_a_pending_claim_in_the_placement_file_opens_nothing(db: Database) -> None:
    place(db, [placement(claim_status="pending")])
    assert count(db, DenialItem) == 0


@pytest.mark.parametrize("codes", ["PR-1;PR-2", "CO-45", "N30"])
def test_a_claim_denied_with_no_denial_code_opens_nothing(db: Database, codes: str) -> None:
    # The patient's share, the contract or a remark alone: nothing for the payer to be asked.
    place(db, [placement(claim_denial_codes=codes)])
    assert count(db, DenialItem) == 0


def test_a_denied_claim_the_patients_share_covers_opens_nothing(db: Database) -> None:
    place(db, [placement(claim_billed="250.00", claim_paid="0", claim_patient_share="250.00")])
    assert count(db, DenialItem) == 0


def test_items_are_rescored_as_their_deadline_comes_near(placed: Database) -> None:
    post(placed, remittance_text([DENIED]))
    before = item(placed).priority_score
    with placed.writing() as session:
        assert rescore(session, NOW.date()) == 0  # nothing changed today
        deadline = item(placed).appeal_deadline
        assert deadline is not None
        assert rescore(session, deadline - timedelta(days=3)) == 1
    assert item(placed).priority_score > before


def test_an_items_owner_follows_its_account_when_it_is_reassigned(placed: Database) -> None:
    post(placed, remittance_text([DENIED]))
    with placed.writing() as session:
        boss = add_user(session, SYSTEM, login="sboss", display_name="S Boss", role="supervisor", now=NOW)
    supervisor = Actor("sboss", boss, Role.SUPERVISOR)
    request = ReassignRequest(("akim",), AccountSelection(from_login="jsmith"))
    apply_reassignment(
        placed, supervisor, preview_reassignment(placed, supervisor, request, now=NOW), now=NOW
    )
    (collector,) = all_rows(placed, Collector, Collector.login == "akim")
    assert item(placed).owner_id == collector.id == account(placed, "A-1001").assigned_collector_id


def test_the_nightly_rescore_works_in_batches_with_one_audit_event(
    placed: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    from collector_tui.services.desk import account_state

    more = [
        Clp(f"PCN-{i}", "4", "310.00", "0", "", icn=f"ICN-{i}", cas=("CO*16*310.00",)) for i in range(2, 5)
    ]
    place(
        placed,
        [
            placement(
                account_number=f"A-{i}",
                guarantor_id=f"G-{i}",
                claim_status="pending",
                claim_control_number=f"PCN-{i}",
                collector_login="jsmith",
            )
            for i in range(2, 5)
        ],
    )
    post(placed, remittance_text([DENIED, *more]))
    monkeypatch.setattr(account_state, "RESCORE_BATCH", 1)  # one item per transaction
    soon = NOW + timedelta(days=85)  # every corrected-claim deadline is near
    assert account_state.refresh_denial_items(placed.writing, soon) == 4
    (event,) = audit_events(placed, "denials.rescore")
    assert event.details == '{"changed": 4}'
    assert account_state.refresh_denial_items(placed.writing, soon) == 0  # the same day: no change
