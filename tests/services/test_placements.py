"""collector_tui.services.files.placements: applying placement records to a real SQLite file."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import insert
from sqlmodel import col

from collector_tui.db.models import (
    Account,
    AccountHold,
    AssignmentHistory,
    Charge,
    ClaimDenial,
    Collector,
    Facility,
    Guarantor,
    InsuranceClaim,
    Patient,
    Phone,
    table_of,
)
from collector_tui.services.audit import SYSTEM
from collector_tui.services.database import Database
from collector_tui.services.files.placements import RecordRejection
from collector_tui.services.team.users import add_user
from collector_tui.vocabulary import AccountStatus, ClaimStatus, HoldReason, PhoneStatus
from tests.conftest import NOW
from tests.services.builders import (
    account,
    all_rows,
    audit_events,
    closing,
    count,
    place,
    placement,
)

LATER = NOW + timedelta(days=1)


def second_account() -> dict[str, str]:
    """Overrides for a second, unrelated account (another guarantor, one phone, no claim)."""
    return {
        "account_number": "A-2002",
        "guarantor_id": "G-2",
        "guarantor_first_name": "Bob",
        "guarantor_last_name": "Roe",
        "guarantor_dob": "1975-01-30",
        "state": "IL",
        "zip": "60601",
        "email": "",
        "phone1": "(312) 555-0123",
        "phone1_type": "home",
        "phone2": "",
        "phone2_type": "",
        "patient_first_name": "",
        "patient_last_name": "",
        "patient_dob": "",
        "patient_relationship": "",
        "total_balance": "200.00",
        "insurance_pending": "",
        "patient_responsibility": "",
        "charges": "2026-06-01|99213|200.00",
        "claim_payer": "",
        "claim_number": "",
        "claim_status": "",
        "claim_billed": "",
        "claim_allowed": "",
        "claim_paid": "",
        "claim_patient_share": "",
        "claim_denial_codes": "",
        "claim_submitted_date": "",
        "claim_timely_filing_deadline": "",
        "claim_appeal_deadline": "",
    }


# --- a batch of new records -------------------------------------------------------------------


def test_new_records_insert_accounts_and_everything_they_carry(db: Database) -> None:
    result = place(db, [placement(), placement(**second_account())])

    assert (result.inserted, result.updated, result.unchanged, result.closed) == (2, 0, 0, 0)
    assert result.rejected == []
    assert result.total_cents == 156_000 + 20_000

    facilities = all_rows(db, Facility)
    assert [(f.code, f.name) for f in facilities] == [("MERCY", "Mercy General Hospital")]

    first, second = account(db, "A-1001"), account(db, "A-2002")
    assert set(result.account_ids) == {first.id, second.id}
    assert (first.total_balance_cents, first.insurance_pending_cents, first.patient_responsibility_cents) == (
        156_000,
        31_000,
        125_000,
    )
    assert (second.total_balance_cents, second.insurance_pending_cents) == (20_000, 0)
    assert second.patient_responsibility_cents == 20_000
    assert first.status == second.status == AccountStatus.OPEN
    assert first.version == 1
    assert first.placed_date == date(2026, 11, 20)
    assert first.time_zone == "America/New_York"
    assert second.time_zone == "America/Chicago"
    assert first.created_at == first.updated_at == NOW
    assert first.placement_digest

    guarantors = {g.external_id: g for g in all_rows(db, Guarantor)}
    assert set(guarantors) == {"G-1", "G-2"}
    jane = guarantors["G-1"]
    assert (jane.first_name, jane.last_name, jane.date_of_birth) == ("Jane", "Doe", date(1980, 4, 12))
    assert (jane.state, jane.zip_code, jane.language, jane.ssn_last4) == ("OH", "43215", "en", "1234")
    assert first.guarantor_id == jane.id
    assert second.guarantor_id == guarantors["G-2"].id

    patients = {(p.first_name, p.last_name): p for p in all_rows(db, Patient)}
    assert set(patients) == {("Tim", "Doe"), ("Bob", "Roe")}
    tim = patients[("Tim", "Doe")]
    assert (tim.guarantor_id, tim.date_of_birth, tim.relationship_to_guarantor) == (
        jane.id,
        date(2015, 6, 1),
        "child",
    )
    bob = patients[("Bob", "Roe")]  # no patient columns: the guarantor was the patient
    assert (bob.relationship_to_guarantor, bob.date_of_birth) == ("self", date(1975, 1, 30))
    assert first.patient_id == tim.id
    assert second.patient_id == bob.id

    phones = {(p.guarantor_id, p.number): p for p in all_rows(db, Phone)}
    assert set(phones) == {
        (jane.id, "+16145550142"),
        (jane.id, "+12085550100"),
        (guarantors["G-2"].id, "+13125550123"),
    }
    mobile = phones[(jane.id, "+16145550142")]
    assert (mobile.phone_type, mobile.valid, mobile.time_zones) == ("mobile", True, "America/New_York")
    assert (mobile.source, mobile.status, mobile.consent_to_call_mobile) == (
        "placement",
        PhoneStatus.OK,
        False,
    )

    charges = all_rows(db, Charge, Charge.account_id == first.id)
    assert [(c.line_number, c.service_date, c.procedure_code, c.amount_cents) for c in charges] == [
        (1, date(2026, 7, 2), "99284", 125_000),
        (2, date(2026, 7, 2), "71046", 31_000),
    ]
    assert count(db, Charge, Charge.account_id == second.id) == 1

    claims = all_rows(db, InsuranceClaim)
    assert len(claims) == 1
    claim = claims[0]
    assert (claim.account_id, claim.payer_name, claim.claim_number, claim.status) == (
        first.id,
        "Acme Health Plan",
        "CLM-778899",
        ClaimStatus.DENIED,
    )
    assert (claim.billed_cents, claim.allowed_cents, claim.paid_cents, claim.patient_share_cents) == (
        156_000,
        120_000,
        0,
        25_000,
    )
    assert claim.appeal_deadline == date(2027, 1, 10)
    denials = {(d.code_set, d.group_code, d.code) for d in all_rows(db, ClaimDenial)}
    assert denials == {("CARC", "CO", "197"), ("RARC", None, "N30")}
    assert {d.claim_id for d in all_rows(db, ClaimDenial)} == {claim.id}

    assert count(db, AccountHold) == 0  # dispute N
    assert count(db, AssignmentHistory) == 0  # no collector_login


def test_each_inserted_account_gets_one_placement_insert_audit_event(db: Database) -> None:
    result = place(db, [placement(), placement(**second_account())])

    # Each placed claim is denied, so each also opens a denial item (tests/services/test_denial_items.py).
    events = [e for e in audit_events(db) if e.action != "denial.open"]
    assert [e.action for e in events] == ["placement.insert", "placement.insert"]
    assert sorted(e.entity_id for e in events if e.entity_id is not None) == sorted(result.account_ids)
    assert {(e.actor, e.entity_type, e.occurred_at, e.details) for e in events} == {
        (SYSTEM.login, "account", NOW, None)
    }


def test_collector_login_assigns_to_an_active_collector_and_records_history(db: Database) -> None:
    with db.writing() as session:
        jsmith = add_user(session, SYSTEM, login="jsmith", display_name="J Smith", role="collector", now=NOW)

    place(
        db,
        [
            placement(collector_login="jsmith"),
            placement(**{**second_account(), "collector_login": "nobody"}),
        ],
    )

    assigned, unknown = account(db, "A-1001"), account(db, "A-2002")
    assert assigned.assigned_collector_id == jsmith
    assert unknown.assigned_collector_id is None
    history = all_rows(db, AssignmentHistory)
    assert [
        (h.account_id, h.from_collector_id, h.to_collector_id, h.assigned_by, h.assigned_at, h.reason)
        for h in history
    ] == [(assigned.id, None, jsmith, "system", NOW, "placement")]


def test_an_inactive_collector_is_not_assigned(db: Database) -> None:
    with db.writing() as session:
        add_user(session, SYSTEM, login="gone", display_name="Gone", role="collector", now=NOW)
    with db.writing() as session:
        gone = session.get(Collector, 1)
        assert gone is not None
        gone.active = False
        session.add(gone)

    place(db, [placement(collector_login="gone")])

    assert account(db, "A-1001").assigned_collector_id is None
    assert count(db, AssignmentHistory) == 0


def test_an_operator_is_not_assigned(db: Database) -> None:
    with db.writing() as session:
        add_user(session, SYSTEM, login="nightly", display_name="Nightly run", role="operator", now=NOW)

    place(db, [placement(collector_login="nightly")])

    assert account(db, "A-1001").assigned_collector_id is None
    assert count(db, AssignmentHistory) == 0


# --- re-import and updates --------------------------------------------------------------------


def test_reimporting_the_same_records_changes_nothing(db: Database) -> None:
    records = [placement(), placement(**second_account())]
    place(db, records)
    before = {a.id: (a.version, a.updated_at, a.placement_digest) for a in all_rows(db, Account)}
    events_before = len(audit_events(db))
    counts_before = [count(db, m) for m in (Guarantor, Patient, Phone, Charge, InsuranceClaim, ClaimDenial)]

    result = place(db, records, now=LATER)

    assert result.unchanged == len(records)
    assert (result.inserted, result.updated, result.closed, result.total_cents) == (0, 0, 0, 0)
    assert result.account_ids == []
    assert result.rejected == []
    assert len(audit_events(db)) == events_before
    after = {a.id: (a.version, a.updated_at, a.placement_digest) for a in all_rows(db, Account)}
    assert after == before
    assert [count(db, m) for m in (Guarantor, Patient, Phone, Charge, InsuranceClaim, ClaimDenial)] == (
        counts_before
    )


def test_an_update_with_a_new_balance_updates_the_account_and_replaces_charges(db: Database) -> None:
    place(db, [placement()])
    original = account(db, "A-1001")

    result = place(
        db,
        [
            placement(
                record_type="update",
                total_balance="1000.00",
                insurance_pending="0.00",
                patient_responsibility="1000.00",
                charges="2026-07-02|99284|1000.00",
            )
        ],
        now=LATER,
    )

    assert (result.inserted, result.updated, result.unchanged) == (0, 1, 0)
    assert result.account_ids == [original.id]
    assert result.total_cents == 100_000
    updated = account(db, "A-1001")
    assert updated.id == original.id
    assert updated.version == original.version + 1
    assert (updated.total_balance_cents, updated.insurance_pending_cents) == (100_000, 0)
    assert updated.patient_responsibility_cents == 100_000
    assert updated.updated_at == LATER
    assert updated.created_at == NOW
    assert updated.placement_digest != original.placement_digest
    charges = all_rows(db, Charge, Charge.account_id == original.id)
    assert [(c.line_number, c.procedure_code, c.amount_cents) for c in charges] == [(1, "99284", 100_000)]
    # The claim and its denials are updated in place, not duplicated.
    assert count(db, InsuranceClaim) == 1
    assert count(db, ClaimDenial) == 2
    assert count(db, Guarantor) == count(db, Patient) == 1
    assert count(db, Phone) == 2
    updates = audit_events(db, "placement.update")
    assert [(e.entity_id, e.occurred_at) for e in updates] == [(original.id, LATER)]
    assert len(audit_events(db, "placement.insert")) == 1


def test_changed_claim_denials_are_replaced(db: Database) -> None:
    place(db, [placement()])
    place(db, [placement(record_type="update", claim_denial_codes="PR-1;M86", claim_status="appealed")])

    claims = all_rows(db, InsuranceClaim)
    assert [c.status for c in claims] == [ClaimStatus.APPEALED]
    denials = {(d.code_set, d.group_code, d.code) for d in all_rows(db, ClaimDenial)}
    assert denials == {("CARC", "PR", "1"), ("RARC", None, "M86")}


def test_a_household_shares_one_guarantor(db: Database) -> None:
    spouse_account = placement(
        account_number="A-1002",
        patient_first_name="",
        patient_last_name="",
        patient_dob="",
        patient_relationship="",
        total_balance="80.00",
        insurance_pending="",
        patient_responsibility="",
        charges="2026-05-01|99213|80.00",
        claim_payer="",
        claim_number="",
    )
    result = place(db, [placement(), spouse_account])

    assert result.inserted == 2
    guarantors = all_rows(db, Guarantor)
    assert [g.external_id for g in guarantors] == ["G-1"]
    accounts = all_rows(db, Account)
    assert {a.guarantor_id for a in accounts} == {guarantors[0].id}
    assert count(db, Phone) == 2  # the same two numbers on both rows, stored once
    patients = {(p.first_name, p.relationship_to_guarantor) for p in all_rows(db, Patient)}
    assert patients == {("Tim", "child"), ("Jane", "self")}


def test_a_patient_without_a_birth_date_is_not_duplicated_on_reimport(db: Database) -> None:
    place(db, [placement(patient_dob="")])
    [patient] = all_rows(db, Patient)
    assert patient.date_of_birth is None

    result = place(
        db,
        [placement(patient_dob="", total_balance="1,500.00", insurance_pending="250.00")],
        now=LATER,
    )

    assert result.updated == 1
    assert [p.id for p in all_rows(db, Patient)] == [patient.id]
    updated = account(db, "A-1001")
    assert updated.total_balance_cents == 150_000
    assert updated.patient_id == patient.id


def test_household_accounts_for_one_undated_patient_share_one_patient(db: Database) -> None:
    place(db, [placement(patient_dob=""), placement(account_number="A-1002", patient_dob="")])

    [patient] = all_rows(db, Patient)
    assert {a.patient_id for a in all_rows(db, Account)} == {patient.id}


# --- dispute holds ----------------------------------------------------------------------------


def open_dispute_holds(db: Database) -> list[AccountHold]:
    return all_rows(
        db,
        AccountHold,
        AccountHold.reason == HoldReason.DISPUTE,
        col(AccountHold.released_at).is_(None),
    )


def test_dispute_flag_opens_a_placement_hold_and_n_releases_it(db: Database) -> None:
    place(db, [placement(dispute="Y")])
    acct = account(db, "A-1001")

    [hold] = all_rows(db, AccountHold)
    assert (hold.account_id, hold.reason, hold.source) == (acct.id, HoldReason.DISPUTE, "placement")
    assert (hold.placed_at, hold.placed_by_id, hold.released_at) == (NOW, None, None)

    place(db, [placement(dispute="Y")], now=LATER)  # unchanged: still one hold
    assert count(db, AccountHold) == 1

    result = place(db, [placement(dispute="N")], now=LATER)

    assert result.updated == 1
    [released] = all_rows(db, AccountHold)
    assert released.id == hold.id
    assert released.released_at == LATER
    assert open_dispute_holds(db) == []


def test_a_dispute_hold_from_the_workstation_is_not_released_by_the_file(db: Database) -> None:
    place(db, [placement(dispute="N")])
    acct = account(db, "A-1001")
    with db.writing() as session:
        session.execute(
            insert(table_of(AccountHold)).values(
                account_id=acct.id,
                reason=HoldReason.DISPUTE,
                placed_at=NOW,
                placed_by_id=None,
                released_at=None,
                source="tui",
            )
        )

    # A changed record (new balance) still saying N must leave the collector's hold alone.
    result = place(db, [placement(dispute="N", total_balance="1,500.00", insurance_pending="250.00")])

    assert result.updated == 1
    [hold] = open_dispute_holds(db)
    assert (hold.source, hold.released_at) == ("tui", None)

    # And a Y does not add a second dispute hold beside the open one.
    place(db, [placement(dispute="Y")], now=LATER)
    assert [h.source for h in open_dispute_holds(db)] == ["tui"]


# --- recall and close -------------------------------------------------------------------------


def test_recall_and_close_records_end_the_accounts(db: Database) -> None:
    place(db, [placement(), placement(**second_account())])
    first, second = account(db, "A-1001"), account(db, "A-2002")

    result = place(db, [closing("recall", "A-1001"), closing("close", "A-2002")], now=LATER)

    assert result.closed == 2
    assert (result.inserted, result.updated, result.unchanged) == (0, 0, 0)
    assert result.rejected == []
    recalled, closed = account(db, "A-1001"), account(db, "A-2002")
    assert (recalled.status, recalled.closed_at, recalled.version) == (
        AccountStatus.RECALLED,
        LATER,
        first.version + 1,
    )
    assert (closed.status, closed.closed_at, closed.version) == (
        AccountStatus.CLOSED,
        LATER,
        second.version + 1,
    )
    assert recalled.total_balance_cents == first.total_balance_cents  # the balance is kept
    assert [e.entity_id for e in audit_events(db, "placement.recall")] == [first.id]
    assert [e.entity_id for e in audit_events(db, "placement.close")] == [second.id]


def test_a_recall_for_an_unknown_account_is_rejected_not_raised(db: Database) -> None:
    place(db, [placement()])
    events_before = len(audit_events(db))

    result = place(db, [closing("recall", "A-9999")], now=LATER)

    assert result.rejected == [
        RecordRejection(("MERCY", "A-9999"), "account_number", "no such account to recall")
    ]
    assert (result.closed, result.unchanged, result.inserted, result.updated) == (0, 0, 0, 0)
    assert account(db, "A-1001").status == AccountStatus.OPEN
    assert count(db, Account) == 1
    assert len(audit_events(db)) == events_before


def test_recalling_twice_is_unchanged_the_second_time(db: Database) -> None:
    place(db, [placement()])
    place(db, [closing("recall", "A-1001")], now=NOW)
    version = account(db, "A-1001").version
    events_before = len(audit_events(db))

    result = place(db, [closing("recall", "A-1001")], now=LATER)

    assert (result.unchanged, result.closed) == (1, 0)
    recalled = account(db, "A-1001")
    assert (recalled.status, recalled.version, recalled.closed_at) == (AccountStatus.RECALLED, version, NOW)
    assert len(audit_events(db)) == events_before


# --- odd but valid rows -----------------------------------------------------------------------


def test_an_invalid_phone_is_kept_as_invalid_and_does_not_reject_the_account(db: Database) -> None:
    result = place(db, [placement(phone2="12")])

    assert (result.inserted, result.rejected) == (1, [])
    phones = {p.number: p for p in all_rows(db, Phone)}
    assert set(phones) == {"+16145550142", "12"}
    assert (phones["12"].valid, phones["12"].time_zones) == (False, "")
    assert phones["+16145550142"].valid is True


def test_a_zero_balance_record_is_placed_as_paid(db: Database) -> None:
    result = place(
        db,
        [
            placement(
                total_balance="0.00",
                insurance_pending="",
                patient_responsibility="",
                charges="",
                claim_payer="",
                claim_number="",
            )
        ],
    )

    assert result.inserted == 1
    paid = account(db, "A-1001")
    assert paid.status == AccountStatus.PAID
    assert (paid.total_balance_cents, paid.insurance_pending_cents, paid.patient_responsibility_cents) == (
        0,
        0,
        0,
    )
    assert paid.closed_at is None


def test_a_rejected_recall_at_an_unknown_facility_writes_nothing(db: Database) -> None:
    result = place(db, [closing("recall", "A-404", facility_code="NOPE")])
    assert [r.key for r in result.rejected] == [("NOPE", "A-404")]
    assert count(db, Facility) == 0


def test_a_new_claim_on_an_existing_account_keeps_both_claims_and_its_own_codes(db: Database) -> None:
    place(db, [placement()])
    place(db, [placement(record_type="update", claim_number="CLM-2", claim_denial_codes="CO-16;M51")])
    claims = {c.claim_number: c.id for c in all_rows(db, InsuranceClaim)}
    assert len(claims) == 2
    codes_by_claim = {(d.claim_id, d.code) for d in all_rows(db, ClaimDenial)}
    assert (claims["CLM-2"], "16") in codes_by_claim
    assert (claims["CLM-2"], "M51") in codes_by_claim
    assert {code for claim_id, code in codes_by_claim if claim_id != claims["CLM-2"]} == {"197", "N30"}
