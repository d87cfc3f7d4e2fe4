"""The denial worklist's money guards: nothing posts twice, moves twice, or takes more than is owed
(real SQLite). Each test is one way a payer's files and a collector's keys could cost money."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from collector_tui.db.models import AccountTransaction, DenialAction, DenialItem, InsuranceClaim
from collector_tui.db.tables import ACCOUNT_T, DENIAL_ITEM_T
from collector_tui.services.audit import Actor
from collector_tui.services.database import Database
from collector_tui.services.desk.denial_actions import (
    STALE,
    AppealFiling,
    PayerCall,
    decide_write_off,
    file_appeal,
    log_payer_call,
    move_to_patient,
    pending_write_offs,
    write_off,
)
from collector_tui.services.errors import AccessDeniedError, NotFoundError, ServiceError
from collector_tui.services.worklists.denial_worklist import denial_detail
from collector_tui.vocabulary import AppealLevel, ClaimStatus, DenialOutcome, DenialStatus, Role
from tests.conftest import NOW
from tests.services.builders import account, all_rows, count
from tests.services.remittance_files import Clp, remittance_text
from tests.services.test_denial_items import placed, post  # noqa: F401  (the fixture)
from tests.services.test_denial_worklist import actor, items, key, office, write_off_limit  # noqa: F401

PR_DENIED = Clp("PCN-1", "4", "310.00", "0", "50.00", icn="ICN-9", cas=("CO*16*260.00", "PR*1*50.00"))


def only_item(db: Database) -> DenialItem:
    (row,) = all_rows(db, DenialItem)
    return row


def test_the_same_claim_payment_listed_twice_posts_once(placed: Database) -> None:  # noqa: F811
    paid = Clp("PCN-1", "1", "310.00", "200.00", "50.00", cas=("CO*45*60.00", "PR*1*50.00"))
    before = account(placed, "A-1001").total_balance_cents
    (result,) = post(placed, remittance_text([paid, paid]))
    assert account(placed, "A-1001").total_balance_cents == before - 26_000
    assert result.transactions == 2 and count(placed, AccountTransaction) == 2


def test_a_share_moved_to_the_patient_is_not_moved_again_after_a_second_denial(placed: Database) -> None:  # noqa: F811
    post(placed, remittance_text([PR_DENIED]))
    jsmith = actor(placed, "jsmith")
    move_to_patient(placed, jsmith, key(only_item(placed)), now=NOW)
    after_first = account(placed, "A-1001")
    post(placed, remittance_text([PR_DENIED], trace="TRACE-0002"))  # the payer denies it again
    item = only_item(placed)
    assert (item.status, item.patient_cents) == (DenialStatus.OPEN, 0)
    with pytest.raises(ServiceError, match="only PR"):
        move_to_patient(placed, jsmith, key(item), now=NOW)
    assert account(placed, "A-1001").patient_responsibility_cents == after_first.patient_responsibility_cents


def test_a_write_off_never_takes_more_than_insurance_still_owes(office: Database) -> None:  # noqa: F811
    item = items(office)["CLM-1"]  # $110.00 denied
    with office.writing() as session:  # the billing system lowered what insurance owes to $50.00
        session.execute(
            update(ACCOUNT_T).where(ACCOUNT_T.c.id == item.account_id).values(insurance_pending_cents=5_000)
        )
    with pytest.raises(ServiceError, match=r"expects only \$50.00"):
        write_off(office, actor(office, "jsmith"), key(item), "too small to appeal", now=NOW)
    assert count(office, AccountTransaction) == 0 and items(office)["CLM-1"].status == DenialStatus.OPEN


def test_part_of_a_denial_written_off_leaves_the_rest_to_work(office: Database) -> None:  # noqa: F811
    item = items(office)["CLM-4"]  # $140.00 denied
    result = write_off(
        office, actor(office, "jsmith"), key(item), "the rest is appealed", now=NOW, amount_cents=1
    )
    assert not result.closed and "$139.99 still denied" in result.message
    left = items(office)["CLM-4"]
    assert (left.status, left.denied_cents) == (DenialStatus.OPEN, 13_999)


def test_a_forwarded_claim_waits_on_the_next_payer_and_nothing_moves_to_the_patient(placed: Database) -> None:  # noqa: F811
    forwarded = Clp("PCN-1", "19", "310.00", "100.00", "50.00", cas=("CO*97*160.00", "PR*2*50.00"))
    post(placed, remittance_text([forwarded]))
    (claim,) = all_rows(placed, InsuranceClaim)
    assert claim.status == ClaimStatus.PENDING
    with pytest.raises(ServiceError, match="payer is still pending"):
        move_to_patient(placed, actor(placed, "jsmith"), key(only_item(placed)), now=NOW)


def test_nothing_moves_to_the_patient_while_the_claim_itself_is_under_appeal(placed: Database) -> None:  # noqa: F811
    post(placed, remittance_text([PR_DENIED]))
    jsmith = actor(placed, "jsmith")
    file_appeal(
        placed, jsmith, key(only_item(placed)), AppealFiling(AppealLevel.FIRST, NOW.date(), "NPI"), now=NOW
    )
    with pytest.raises(ServiceError, match="payer is still pending"):
        move_to_patient(placed, jsmith, key(only_item(placed)), now=NOW)


def test_an_overturn_ends_a_write_off_waiting_for_a_supervisor(placed: Database) -> None:  # noqa: F811
    with write_off_limit(0):
        post(placed, remittance_text([PR_DENIED]))
        write_off(placed, actor(placed, "jsmith"), key(only_item(placed)), "no coverage", now=NOW)
        paid = Clp("PCN-1", "1", "310.00", "260.00", "50.00", icn="ICN-9", cas=("PR*1*50.00",))
        post(placed, remittance_text([paid], trace="TRACE-0002"))
        assert only_item(placed).outcome == DenialOutcome.OVERTURNED
        (asked,) = all_rows(placed, DenialAction, DenialAction.kind == "write_off")
        assert asked.approval == "declined"
        admin = Actor("system", None, Role.ADMIN)
        assert pending_write_offs(placed, admin) == ()


def test_an_action_on_an_item_that_changed_since_it_was_shown_is_refused(office: Database) -> None:  # noqa: F811
    jsmith = actor(office, "jsmith")
    shown = items(office)["CLM-4"]
    later = NOW + timedelta(minutes=3)
    call = PayerCall("Dana", "will reprocess")
    log_payer_call(office, jsmith, key(shown), call, now=later, seen=shown.updated_at)
    with pytest.raises(ServiceError, match=STALE.split(" (")[0]):  # a second keypress on the old row
        log_payer_call(office, jsmith, key(shown), call, now=later, seen=shown.updated_at)
    assert count(office, DenialAction) == 1


def test_an_approval_never_posts_more_than_is_denied_now(office: Database) -> None:  # noqa: F811
    with write_off_limit(0):
        item = items(office)["CLM-4"]
        asked = write_off(office, actor(office, "jsmith"), key(item), "no coverage", now=NOW)
        with office.writing() as session:  # a payer's later decision lowered the denied amount
            session.execute(
                update(DENIAL_ITEM_T).where(DENIAL_ITEM_T.c.id == key(item)).values(denied_cents=100)
            )
        with pytest.raises(ServiceError, match="decline it"):
            decide_write_off(office, actor(office, "sboss"), asked.action_id, approve=True, now=NOW)


def test_an_admin_acting_as_the_collector_who_asked_cannot_approve(office: Database) -> None:  # noqa: F811
    with write_off_limit(0):
        jsmith = actor(office, "jsmith")
        as_jsmith = Actor("tboss", jsmith.collector_id, Role.SUPERVISOR, acting_as="jsmith")
        asked = write_off(office, as_jsmith, key(items(office)["CLM-2"]), "no coverage", now=NOW)
        with pytest.raises(AccessDeniedError):
            decide_write_off(office, actor(office, "tboss"), asked.action_id, approve=True, now=NOW)


def test_another_collectors_item_is_not_found_when_acting_on_it(office: Database) -> None:  # noqa: F811
    with pytest.raises(NotFoundError):
        log_payer_call(
            office, actor(office, "akim"), key(items(office)["CLM-4"]), PayerCall("x", "y"), now=NOW
        )


def test_a_reversed_payment_reopens_the_item_it_had_overturned(placed: Database) -> None:  # noqa: F811
    post(placed, remittance_text([PR_DENIED]))
    paid = Clp("PCN-1", "1", "310.00", "260.00", "50.00", icn="ICN-9", cas=("PR*1*50.00",))
    post(placed, remittance_text([paid], trace="TRACE-0002"))
    assert only_item(placed).recovered_cents == 26_000
    reversal = Clp("PCN-1", "22", "-310.00", "-260.00", "-50.00", icn="ICN-9", cas=("PR*1*-50.00",))
    post(placed, remittance_text([reversal], trace="TRACE-0003"))
    item = only_item(placed)
    assert (item.status, item.outcome, item.recovered_cents) == (DenialStatus.OPEN, None, 0)
    assert (
        denial_detail(placed, actor(placed, "jsmith"), key(item), now=NOW + timedelta(days=1)).status
        == "open"
    )
