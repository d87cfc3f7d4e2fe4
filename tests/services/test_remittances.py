"""collector_tui.services.files.remittances: an 835 posted to the claims on file, on a real SQLite file."""

from __future__ import annotations

from dataclasses import replace

import pytest

from collector_tui.db.models import (
    AccountTransaction,
    ClaimDenial,
    InsuranceClaim,
    ProviderAdjustment,
    Remittance,
    RemittanceClaim,
    RemittanceException,
)
from collector_tui.domain.x12.remittance import read_835
from collector_tui.services.audit import SYSTEM
from collector_tui.services.database import Database
from collector_tui.services.files.remittances import NO_CLAIM, NOT_OURS, RemittanceResult, post_remittance
from collector_tui.vocabulary import ClaimStatus, TransactionKind
from tests.conftest import NOW
from tests.services.builders import account, all_rows, audit_events, count, place, placement
from tests.services.remittance_files import Clp, remittance_text

# The default placement: $1,560.00 owed, $310.00 of it insurance pending.
TOTAL, INSURANCE = 156_000, 31_000
# Processed: $310.00 billed, $200.00 paid, $60.00 contractual, $50.00 the patient's.
PAID = Clp("PCN-1", "1", "310.00", "200.00", "50.00", cas=("CO*45*60.00", "PR*1*50.00"))


@pytest.fixture
def placed(db: Database) -> Database:
    place(db, [placement(claim_status="pending", claim_control_number="PCN-1")])
    return db


def post(db: Database, text: str) -> list[RemittanceResult]:
    results = []
    for remittance in read_835(text):
        with db.writing() as session:
            results.append(post_remittance(session, remittance, file_sha256="0" * 64, actor=SYSTEM, now=NOW))
    return results


def claim(db: Database) -> InsuranceClaim:
    (row,) = all_rows(db, InsuranceClaim)
    return row


def test_a_processed_claim_posts_the_payment_and_the_contractual_adjustment(placed: Database) -> None:
    (result,) = post(placed, remittance_text([PAID]))
    assert (result.matched, result.exceptions, result.transactions) == (1, 0, 2)
    assert (result.paid_cents, result.contractual_cents) == (20_000, 6_000)
    a = account(placed, "A-1001")
    assert a.total_balance_cents == TOTAL - 26_000
    # No other payer is pending: what is left of the claim is the patient's.
    assert a.insurance_pending_cents == 0
    assert a.patient_responsibility_cents == TOTAL - 26_000
    kinds = sorted((t.kind, t.amount_cents) for t in all_rows(placed, AccountTransaction))
    assert kinds == [(TransactionKind.ADJUSTMENT, -6_000), (TransactionKind.INSURANCE_PAYMENT, -20_000)]
    row = claim(placed)
    assert (row.status, row.payer_claim_number, row.paid_cents) == (ClaimStatus.PAID, "ICN-1", 20_000)
    (line,) = all_rows(placed, RemittanceClaim)
    assert (line.claim_id, line.status_code, line.needs_review) == (row.id, "1", False)
    assert audit_events(placed, "remittance.post")


def test_patient_responsibility_stays_with_insurance_while_another_payer_is_pending(db: Database) -> None:
    place(db, [placement(claim_status="pending", claim_control_number="PCN-1")])
    a = account(db, "A-1001")
    with db.writing() as session:
        from collector_tui.db.tables import CLAIM_T

        session.execute(
            CLAIM_T.insert().values(
                account_id=a.id, payer_name="Second Plan", claim_number="CLM-2", status="pending"
            )
        )
    post(db, remittance_text([PAID]))
    a = account(db, "A-1001")
    assert a.insurance_pending_cents == INSURANCE - 26_000  # the $50.00 PR waits for the other payer


@pytest.mark.parametrize("status", ["19", "20", "21"])
def test_processed_and_forwarded_keeps_the_patient_share_insurance_pending(
    placed: Database, status: str
) -> None:
    post(placed, remittance_text([Clp("PCN-1", status, "310.00", "200.00", "50.00", cas=PAID.cas)]))
    a = account(placed, "A-1001")
    assert a.total_balance_cents == TOTAL - 26_000
    assert a.insurance_pending_cents == INSURANCE - 26_000


@pytest.mark.parametrize("status", ["2", "3"])
def test_processed_as_secondary_or_tertiary_posts_like_primary(placed: Database, status: str) -> None:
    post(placed, remittance_text([Clp("PCN-1", status, "310.00", "200.00", "50.00", cas=PAID.cas)]))
    assert account(placed, "A-1001").insurance_pending_cents == 0


def test_a_denial_records_the_codes_and_posts_nothing(placed: Database) -> None:
    (result,) = post(placed, remittance_text([Clp("PCN-1", "4", "310.00", "0", "", cas=("CO*197*310.00",))]))
    assert result.transactions == 0
    row = claim(placed)
    assert row.status == ClaimStatus.DENIED
    codes = {(d.group_code, d.code) for d in all_rows(placed, ClaimDenial)}
    assert ("CO", "197") in codes
    assert account(placed, "A-1001").total_balance_cents == TOTAL


def test_a_reversal_posts_negative_amounts_and_reopens_the_claim(placed: Database) -> None:
    post(placed, remittance_text([PAID]))
    reversal = Clp("PCN-1", "22", "-310.00", "-200.00", "-50.00", cas=("CO*45*-60.00", "PR*1*-50.00"))
    post(placed, remittance_text([reversal], trace="TRACE-0002"))
    a = account(placed, "A-1001")
    assert a.total_balance_cents == TOTAL
    assert a.insurance_pending_cents == INSURANCE
    assert claim(placed).status == ClaimStatus.PENDING
    assert sum(t.amount_cents for t in all_rows(placed, AccountTransaction)) == 0


def test_not_our_claim_is_an_exception(placed: Database) -> None:
    (result,) = post(placed, remittance_text([Clp("PCN-1", "23", "310.00", "0")]))
    assert (result.exceptions, result.transactions) == (1, 0)
    (exception,) = all_rows(placed, RemittanceException)
    assert exception.reason == NOT_OURS
    assert account(placed, "A-1001").total_balance_cents == TOTAL


def test_a_predetermination_posts_nothing(placed: Database) -> None:
    (result,) = post(placed, remittance_text([Clp("PCN-1", "25", "310.00", "0", cas=("CO*45*310.00",))]))
    assert (result.matched, result.transactions, result.exceptions) == (1, 0, 0)
    assert account(placed, "A-1001").total_balance_cents == TOTAL
    assert claim(placed).status == ClaimStatus.PENDING


def test_other_and_payer_initiated_adjustments_are_flagged_not_posted(placed: Database) -> None:
    clp = Clp("PCN-1", "1", "310.00", "200.00", "", cas=("CO*45*60.00", "OA*23*30.00", "PI*94*20.00"))
    (result,) = post(placed, remittance_text([clp]))
    assert (result.review, result.contractual_cents) == (1, 6_000)
    (line,) = all_rows(placed, RemittanceClaim)
    assert line.needs_review


def test_a_negative_cas_reverses_an_earlier_one(placed: Database) -> None:
    clp = Clp("PCN-1", "1", "310.00", "200.00", "", cas=("CO*45*130.00", "CO*45*-20.00"))
    (result,) = post(placed, remittance_text([clp]))
    assert result.contractual_cents == 11_000
    assert account(placed, "A-1001").total_balance_cents == TOTAL - 31_000


def test_an_unmatched_claim_is_kept_as_an_exception(placed: Database) -> None:
    stranger = Clp("PCN-404", "1", "100.00", "100.00", icn="ICN-404")
    (result,) = post(placed, remittance_text([PAID, stranger]))
    assert (result.claims, result.matched, result.exceptions) == (2, 1, 1)
    (exception,) = all_rows(placed, RemittanceException)
    assert (exception.control_number, exception.reason, exception.paid_cents) == ("PCN-404", NO_CLAIM, 10_000)
    lines = all_rows(placed, RemittanceClaim)
    assert sorted(line.claim_id is None for line in lines) == [False, True]


def test_the_same_remittance_twice_is_a_no_op(placed: Database) -> None:
    text = remittance_text([PAID])
    post(placed, text)
    before = (count(placed, AccountTransaction), account(placed, "A-1001").total_balance_cents)
    (again,) = post(placed, text)
    assert again.already_posted
    assert (count(placed, AccountTransaction), account(placed, "A-1001").total_balance_cents) == before
    assert count(placed, Remittance) == 1


def test_a_recoupment_goes_to_the_provider_ledger_and_flags_the_account(placed: Database) -> None:
    post(placed, remittance_text([PAID]))
    balance = account(placed, "A-1001").total_balance_cents
    (result,) = post(
        placed, remittance_text([], trace="TRACE-0003", plb=(("WO:ICN-1", "25.00"),), bpr_amount="-25.00")
    )
    a = account(placed, "A-1001")
    assert result.flagged_accounts == [a.id]
    (line,) = all_rows(placed, ProviderAdjustment)
    assert (line.reason_code, line.reference, line.amount_cents, line.account_id) == (
        "WO",
        "ICN-1",
        2_500,
        a.id,
    )
    assert a.total_balance_cents == balance  # never the patient's debt
    assert audit_events(placed, "remittance.recoupment")


def test_placement_keeps_the_claim_numbers_an_835_names(db: Database) -> None:
    place(db, [placement(claim_control_number="PCN-1", claim_payer_claim_number="ICN 77/1")])
    row = claim(db)
    assert (row.control_number, row.payer_claim_number) == ("PCN-1", "ICN 77/1")


def test_a_control_number_another_claim_holds_is_rejected(db: Database) -> None:
    place(db, [placement(claim_control_number="PCN-1")])
    result = place(db, [placement(account_number="A-1002", guarantor_id="G-2", claim_control_number="PCN-1")])
    assert [(r.field, r.reason) for r in result.rejected] == [
        ("claim_control_number", "another claim has this control number")
    ]
    # The same account re-sent with its own number is fine.
    again = place(db, [placement(claim_control_number="PCN-1", claim_billed="1600.00")])
    assert not again.rejected


def test_a_control_number_with_other_characters_is_refused() -> None:
    from collector_tui.domain.placement import parse_placement_row
    from tests.conftest import TODAY
    from tests.services.builders import placement_row

    problems = parse_placement_row(placement_row(claim_control_number="PCN*1"), today=TODAY)
    assert isinstance(problems, list)
    assert [p.field for p in problems] == ["claim_control_number"]


def test_a_claim_without_the_new_numbers_keeps_its_digest() -> None:
    """An upgrade must not make every account with a claim look changed to the next placement file."""
    record = placement()
    assert record.claim is not None
    assert "control_number" not in repr(record.claim)
    numbered = placement(claim_control_number="PCN-1")
    assert numbered.claim is not None and "control_number='PCN-1'" in repr(numbered.claim)
    assert numbered.digest != record.digest


def test_a_recoupment_names_an_account_only_through_this_payers_claims(db: Database) -> None:
    # Two payers gave claims of two accounts the same ICN: each payer's recoupment flags its own.
    place(
        db,
        [
            placement(claim_status="pending", claim_control_number="PCN-1"),
            placement(
                account_number="A-2002",
                guarantor_id="G-2",
                claim_status="pending",
                claim_control_number="PCN-2",
                claim_payer="Other Plan",
            ),
        ],
    )
    post(db, remittance_text([PAID]))
    other = replace(PAID, control_number="PCN-2")
    post(db, remittance_text([other], trace="T-2", payer="OTHER PLAN", payer_id="PAYER-Y"))
    recoup = (("WO:ICN-1", "25.00"),)
    (first,) = post(db, remittance_text([], trace="T-3", plb=recoup, bpr_amount="-25.00"))
    (second,) = post(
        db,
        remittance_text(
            [], trace="T-4", plb=recoup, bpr_amount="-25.00", payer="OTHER PLAN", payer_id="PAYER-Y"
        ),
    )
    assert first.flagged_accounts == [account(db, "A-1001").id]
    assert second.flagged_accounts == [account(db, "A-2002").id]


def test_a_recoupment_whose_icn_names_several_accounts_flags_none(db: Database) -> None:
    place(
        db,
        [
            placement(claim_status="pending", claim_payer_claim_number="ICN-1"),
            placement(account_number="A-2002", guarantor_id="G-2", claim_payer_claim_number="ICN-1"),
        ],
    )
    text = remittance_text(
        [], trace="T-5", plb=(("WO:ICN-1", "25.00"),), bpr_amount="-25.00", payer="Acme Health Plan"
    )
    (result,) = post(db, text)
    assert result.flagged_accounts == []
    (line,) = all_rows(db, ProviderAdjustment)
    assert (line.reference, line.account_id) == ("ICN-1", None)  # kept on the ledger, no guess
