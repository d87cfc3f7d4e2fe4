"""collector_tui.domain.placement: validating one placement row."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from collector_tui.domain.fields import FieldError, RowFormat
from collector_tui.domain.placement import (
    KEY_COLUMNS,
    PLACEMENT_COLUMNS,
    REQUIRED_COLUMNS,
    ChargeInput,
    DenialInput,
    PlacementRecord,
    missing_columns,
    parse_placement_row,
    record_digest,
    unknown_columns,
)

TODAY = date(2026, 11, 27)


def valid_row(**overrides: str) -> dict[str, str]:
    """A complete, valid ``new`` row; every canonical column present."""
    row = dict.fromkeys(PLACEMENT_COLUMNS, "")
    row.update(
        record_type="new",
        facility_code="MERCY",
        facility_name="Mercy General Hospital",
        account_number="A-100234",
        guarantor_id="G-5501",
        guarantor_first_name="Jane",
        guarantor_last_name="Doe",
        guarantor_dob="1980-04-12",
        guarantor_ssn_last4="1234",
        address1="100 Main St",
        address2="Apt 2",
        city="Columbus",
        state="oh",
        zip="43215-1234",
        email="jane.doe@example.com",
        language="EN",
        phone1="(614) 555-0142",
        phone1_type="mobile",
        phone2="208.555.0100",
        phone2_type="",
        phone3="",
        phone3_type="",
        patient_first_name="Tim",
        patient_last_name="Doe",
        patient_dob="2015-06-01",
        patient_relationship="child",
        service_date_from="2026-07-02",
        service_date_to="2026-07-03",
        first_statement_date="2026-08-01",
        placed_date="2026-11-20",
        total_balance="$1,560.00",
        insurance_pending="310.00",
        patient_responsibility="1,250.00",
        charges="2026-07-02|99284|1250.00;2026-07-02|71046|310.00",
        claim_payer="Acme Health Plan",
        claim_number="CLM-778899",
        claim_status="denied",
        claim_billed="1560.00",
        claim_allowed="1200.00",
        claim_paid="0",
        claim_patient_share="250.00",
        claim_denial_codes="CO-197;N30",
        claim_submitted_date="2026-07-10",
        claim_timely_filing_deadline="2027-07-02",
        claim_appeal_deadline="2027-01-10",
        dispute="N",
        bankruptcy="no",
        attorney="",
        deceased="0",
        cease="false",
        fap_status="requested",
        collector_login="jsmith",
    )
    row.update(overrides)
    return row


def parse(row: dict[str, str]) -> PlacementRecord | list[FieldError]:
    return parse_placement_row(row, today=TODAY)


def parse_ok(row: dict[str, str]) -> PlacementRecord:
    result = parse(row)
    assert isinstance(result, PlacementRecord), result
    return result


def error_fields(row: dict[str, str]) -> set[str]:
    result = parse(row)
    assert isinstance(result, list), result
    assert result
    assert all(isinstance(error, FieldError) for error in result)
    return {error.field for error in result}


def test_valid_row_parses() -> None:
    record = parse_ok(valid_row())
    assert record.record_type == "new"
    assert record.key == ("MERCY", "A-100234")
    assert record.facility_name == "Mercy General Hospital"
    assert record.total_balance_cents == 156000
    assert record.insurance_pending_cents == 31000
    assert record.patient_responsibility_cents == 125000
    assert record.placed_date == date(2026, 11, 20)
    assert record.service_date_from == date(2026, 7, 2)
    assert record.service_date_to == date(2026, 7, 3)
    assert record.first_statement_date == date(2026, 8, 1)
    assert record.dispute is False
    assert record.fap_status == "requested"
    assert record.collector_login == "jsmith"


def test_valid_row_guarantor_and_patient() -> None:
    record = parse_ok(valid_row())
    g = record.guarantor
    assert g is not None
    assert (g.external_id, g.first_name, g.last_name) == ("G-5501", "Jane", "Doe")
    assert g.date_of_birth == date(1980, 4, 12)
    assert g.ssn_last4 == "1234"
    assert g.state == "OH"
    assert g.zip_code == "43215-1234"
    assert g.language == "en"
    assert (g.deceased, g.bankruptcy, g.attorney_represented, g.cease_communication) == (
        False,
        False,
        False,
        False,
    )
    p = record.patient
    assert p is not None
    assert (p.first_name, p.last_name, p.date_of_birth, p.relationship) == (
        "Tim",
        "Doe",
        date(2015, 6, 1),
        "child",
    )


def test_valid_row_phones_are_normalised() -> None:
    phones = parse_ok(valid_row()).phones
    assert [p.phone.number for p in phones] == ["+16145550142", "+12085550100"]
    assert [p.phone_type for p in phones] == ["mobile", "home"]  # blank type defaults to home
    assert all(p.phone.valid for p in phones)
    assert phones[0].phone.time_zones == ("America/New_York",)


def test_valid_row_charges() -> None:
    assert parse_ok(valid_row()).charges == (
        ChargeInput(1, date(2026, 7, 2), "99284", 125000),
        ChargeInput(2, date(2026, 7, 2), "71046", 31000),
    )


def test_valid_row_claim() -> None:
    claim = parse_ok(valid_row()).claim
    assert claim is not None
    assert claim.payer_name == "Acme Health Plan"
    assert claim.claim_number == "CLM-778899"
    assert claim.status == "denied"
    assert (claim.billed_cents, claim.allowed_cents, claim.paid_cents) == (156000, 120000, 0)
    assert claim.patient_share_cents == 25000
    assert claim.denials == (
        DenialInput("CARC", "CO", "197"),
        DenialInput("RARC", None, "N30"),
    )
    assert claim.submitted_date == date(2026, 7, 10)
    assert claim.timely_filing_deadline == date(2027, 7, 2)
    assert claim.appeal_deadline == date(2027, 1, 10)


def test_minimal_row_with_only_required_columns() -> None:
    row = {
        "record_type": "NEW",
        "facility_code": "MERCY",
        "account_number": "A1",
        "guarantor_id": "G1",
        "guarantor_first_name": "Jane",
        "guarantor_last_name": "Doe",
        "placed_date": "2026-11-20",
        "total_balance": "99.99",
    }
    assert set(row) == set(REQUIRED_COLUMNS)
    record = parse_ok(row)
    assert record.record_type == "new"
    assert record.total_balance_cents == 9999
    assert record.insurance_pending_cents == 0
    assert record.patient_responsibility_cents == 9999
    assert record.phones == ()
    assert record.charges == ()
    assert record.claim is None
    assert record.fap_status == "none"
    assert record.guarantor is not None
    assert record.guarantor.language == "en"
    # No patient columns: the guarantor was the patient.
    assert record.patient is not None
    assert (record.patient.first_name, record.patient.relationship) == ("Jane", "self")


def test_update_row_parses() -> None:
    assert parse_ok(valid_row(record_type="update")).record_type == "update"


def test_balance_split_inferred_from_one_part() -> None:
    record = parse_ok(valid_row(insurance_pending=""))
    assert record.insurance_pending_cents == 31000
    record = parse_ok(valid_row(patient_responsibility=""))
    assert record.patient_responsibility_cents == 125000


def test_flags_accept_yes_values() -> None:
    record = parse_ok(valid_row(dispute="Y", bankruptcy="yes", attorney="x", deceased="1", cease="T"))
    assert record.dispute
    g = record.guarantor
    assert g is not None
    assert g.bankruptcy
    assert g.attorney_represented
    assert g.deceased
    assert g.cease_communication


def test_invalid_phone_does_not_reject_the_row() -> None:
    record = parse_ok(valid_row(phone1="12"))
    first = record.phones[0]
    assert first.phone.number == "12"
    assert first.phone.valid is False
    assert first.phone_type == "mobile"


def test_duplicate_phones_are_kept_once() -> None:
    record = parse_ok(valid_row(phone2="614-555-0142", phone3="+1 614 555 0142"))
    assert [p.phone.number for p in record.phones] == ["+16145550142"]


# --- one bad input, one named field ---------------------------------------------------


@pytest.mark.parametrize("column", REQUIRED_COLUMNS)
def test_missing_required_field(column: str) -> None:
    assert column in error_fields(valid_row(**{column: ""}))


@pytest.mark.parametrize("column", REQUIRED_COLUMNS)
def test_absent_required_column(column: str) -> None:
    row = valid_row()
    del row[column]
    assert column in error_fields(row)


@pytest.mark.parametrize("value", ["create", "NEWW", "delete"])
def test_bad_record_type(value: str) -> None:
    assert error_fields(valid_row(record_type=value)) == {"record_type"}


@pytest.mark.parametrize(
    "column", ["service_date_from", "placed_date", "guarantor_dob", "first_statement_date"]
)
def test_impossible_date(column: str) -> None:
    assert column in error_fields(valid_row(**{column: "2026-02-30"}))


@pytest.mark.parametrize("value", ["11/20/2026", "2026-13-01", "yesterday"])
def test_unparseable_placed_date(value: str) -> None:
    assert error_fields(valid_row(placed_date=value)) == {"placed_date"}


def test_future_guarantor_dob() -> None:
    assert error_fields(valid_row(guarantor_dob="2026-11-28")) == {"guarantor_dob"}


def test_guarantor_dob_today_is_allowed() -> None:
    record = parse_ok(valid_row(guarantor_dob="2026-11-27"))
    assert record.guarantor is not None
    assert record.guarantor.date_of_birth == TODAY


def test_service_dates_out_of_order() -> None:
    row = valid_row(service_date_from="2026-07-03", service_date_to="2026-07-02")
    assert error_fields(row) == {"service_date_to"}


def test_negative_balance() -> None:
    row = valid_row(total_balance="-1560.00", insurance_pending="", patient_responsibility="")
    assert error_fields(row) == {"total_balance"}


def test_parenthesised_negative_balance() -> None:
    row = valid_row(total_balance="(1560.00)", insurance_pending="", patient_responsibility="")
    assert error_fields(row) == {"total_balance"}


def test_absurd_balance() -> None:
    row = valid_row(total_balance="$20,000,000.00", insurance_pending="", patient_responsibility="")
    assert error_fields(row) == {"total_balance"}


def test_ten_million_balance_is_the_limit() -> None:
    row = valid_row(total_balance="$10,000,000.00", insurance_pending="", patient_responsibility="")
    assert parse_ok(row).total_balance_cents == 10_000_000_00


def test_balance_with_three_decimals() -> None:
    row = valid_row(total_balance="1560.001", insurance_pending="", patient_responsibility="")
    assert error_fields(row) == {"total_balance"}


def test_total_is_not_the_sum_of_its_parts() -> None:
    assert error_fields(valid_row(total_balance="1560.01")) == {"total_balance"}


def test_patient_share_larger_than_total() -> None:
    row = valid_row(total_balance="100.00", insurance_pending="", patient_responsibility="150.00")
    assert error_fields(row) == {"total_balance"}


@pytest.mark.parametrize("value", ["ZZ", "XX", "OHI"])
def test_bad_state(value: str) -> None:
    assert error_fields(valid_row(state=value)) == {"state"}


@pytest.mark.parametrize("value", ["1234", "123456", "12345-67", "ABCDE"])
def test_bad_zip(value: str) -> None:
    assert error_fields(valid_row(zip=value)) == {"zip"}


@pytest.mark.parametrize("value", ["123", "12345", "12a4", "abcd"])
def test_bad_ssn_last4(value: str) -> None:
    assert error_fields(valid_row(guarantor_ssn_last4=value)) == {"guarantor_ssn_last4"}


@pytest.mark.parametrize("value", ["\u0661\u0662\u0663\u0664", "\u00b9\u00b2\u00b3\u2074"])
def test_ssn_last4_rejects_non_ascii_digits(value: str) -> None:
    assert error_fields(valid_row(guarantor_ssn_last4=value)) == {"guarantor_ssn_last4"}


@pytest.mark.parametrize("column", ["dispute", "bankruptcy", "attorney", "deceased", "cease"])
def test_bad_flag_value(column: str) -> None:
    assert error_fields(valid_row(**{column: "maybe"})) == {column}


def test_bad_email() -> None:
    assert error_fields(valid_row(email="jane.example.com")) == {"email"}


def test_bad_phone_type() -> None:
    assert error_fields(valid_row(phone1_type="pager")) == {"phone1_type"}


def test_patient_with_only_one_name() -> None:
    assert error_fields(valid_row(patient_last_name="")) == {"patient_last_name"}


@pytest.mark.parametrize(
    "charges",
    [
        "2026-07-02|99284",
        "2026-07-02|99284|1250.00|x|y",
        "2026-07-02|99284|1250.00|" + "x" * 121,
        "2026-07-02||1250.00",
        "2026-02-30|99284|1250.00",
        "2026-07-02|99284|12.50.0",
        "2026-07-02|99-284|1250.00",
        "2026-07-02|99284|1250.00;garbage",
    ],
)
def test_bad_charges(charges: str) -> None:
    assert error_fields(valid_row(charges=charges)) == {"charges"}


@pytest.mark.parametrize("codes", ["XX-197", "CO-", "CO-45-2", "CO-1234567890"])
def test_bad_denial_codes(codes: str) -> None:
    assert error_fields(valid_row(claim_denial_codes=codes)) == {"claim_denial_codes"}


def test_denial_code_forms() -> None:
    claim = parse_ok(valid_row(claim_denial_codes=" pr-1 ; MA130;;45 ")).claim
    assert claim is not None
    assert claim.denials == (
        DenialInput("CARC", "PR", "1"),
        DenialInput("RARC", None, "MA130"),
        DenialInput("CARC", None, "45"),
    )


def test_claim_needs_a_number() -> None:
    assert error_fields(valid_row(claim_number="")) == {"claim_number"}


def test_claim_deadline_too_far_ahead() -> None:
    row = valid_row(claim_appeal_deadline="2032-01-01")
    assert error_fields(row) == {"claim_appeal_deadline"}


def test_several_errors_are_all_reported() -> None:
    row = valid_row(state="ZZ", zip="1234", dispute="maybe", guarantor_last_name="")
    assert error_fields(row) == {"state", "zip", "dispute", "guarantor_last_name"}


def test_errors_never_repeat_the_cell_content() -> None:
    secret = "999-88-7777-SECRET"
    result = parse(valid_row(guarantor_ssn_last4=secret, zip=secret, state=secret))
    assert isinstance(result, list)
    assert all(secret not in error.reason for error in result)


# --- recall and close ------------------------------------------------------------------


@pytest.mark.parametrize("record_type", ["recall", "close", "CLOSE"])
def test_recall_and_close_need_only_the_key(record_type: str) -> None:
    row = {"record_type": record_type, "facility_code": "MERCY", "account_number": "A1"}
    assert set(row) == set(KEY_COLUMNS)
    record = parse_ok(row)
    assert record.record_type == record_type.lower()
    assert record.key == ("MERCY", "A1")
    assert record.guarantor is None
    assert record.patient is None
    assert record.total_balance_cents == 0


def test_recall_ignores_the_other_columns() -> None:
    record = parse_ok(valid_row(record_type="recall", state="ZZ", total_balance="garbage"))
    assert record.guarantor is None
    assert record.claim is None


@pytest.mark.parametrize("column", ["facility_code", "account_number"])
def test_recall_without_key(column: str) -> None:
    row = {"record_type": "recall", "facility_code": "MERCY", "account_number": "A1"}
    row[column] = ""
    assert error_fields(row) == {column}


# --- digest -------------------------------------------------------------------------------


def test_record_digest_is_stable_for_equal_records() -> None:
    first = parse_ok(valid_row())
    second = parse_ok(valid_row())
    assert first == second
    assert first is not second
    assert record_digest(first) == record_digest(second)
    assert len(record_digest(first)) == 32


def test_record_digest_changes_with_the_balance() -> None:
    before = parse_ok(valid_row())
    after = parse_ok(valid_row(total_balance="1,560.01", patient_responsibility="1250.01"))
    assert record_digest(before) != record_digest(after)
    assert record_digest(before) != record_digest(before._replace(total_balance_cents=1))


def test_record_digest_ignores_formatting_differences() -> None:
    plain = parse_ok(valid_row())
    styled = parse_ok(valid_row(total_balance="1560", phone1="614.555.0142", state="OH"))
    assert record_digest(plain) == record_digest(styled)


# --- headers ----------------------------------------------------------------------------


def test_missing_columns() -> None:
    assert missing_columns(list(PLACEMENT_COLUMNS)) == []
    assert missing_columns(REQUIRED_COLUMNS) == []
    assert missing_columns([]) == list(REQUIRED_COLUMNS)
    header = [c for c in PLACEMENT_COLUMNS if c not in ("total_balance", "guarantor_id")]
    assert missing_columns(header) == ["guarantor_id", "total_balance"]


def test_unknown_columns() -> None:
    assert unknown_columns(PLACEMENT_COLUMNS) == []
    assert unknown_columns(["record_type", "Balance", "notes", "zip"]) == ["Balance", "notes"]


def test_columns_tables_are_consistent() -> None:
    assert len(set(PLACEMENT_COLUMNS)) == len(PLACEMENT_COLUMNS)
    assert set(REQUIRED_COLUMNS) <= set(PLACEMENT_COLUMNS)
    assert set(KEY_COLUMNS) <= set(REQUIRED_COLUMNS)


# --- formats and robustness -------------------------------------------------------------


def test_row_format_cents_and_us_dates() -> None:
    fmt = RowFormat(date_formats=("%m/%d/%Y",), money_unit="cents")
    row = valid_row(
        guarantor_dob="04/12/1980",
        patient_dob="06/01/2015",
        service_date_from="07/02/2026",
        service_date_to="07/03/2026",
        first_statement_date="08/01/2026",
        placed_date="11/20/2026",
        total_balance="156000",
        insurance_pending="31000",
        patient_responsibility="125000",
        charges="07/02/2026|99284|125000;07/02/2026|71046|31000",
        claim_billed="156000",
        claim_allowed="120000",
        claim_paid="0",
        claim_patient_share="25000",
        claim_submitted_date="07/10/2026",
        claim_timely_filing_deadline="07/02/2027",
        claim_appeal_deadline="01/10/2027",
    )
    result = parse_placement_row(row, today=TODAY, fmt=fmt)
    assert isinstance(result, PlacementRecord), result
    assert result == parse_ok(valid_row())


def test_huge_exponent_balance_is_a_field_error() -> None:
    row = valid_row(total_balance="1e1000000", insurance_pending="", patient_responsibility="")
    assert error_fields(row) == {"total_balance"}


def _check_result(result: PlacementRecord | list[FieldError]) -> None:
    if isinstance(result, PlacementRecord):
        return
    assert isinstance(result, list)
    assert result
    assert all(isinstance(error, FieldError) for error in result)
    assert all(error.field for error in result)


@settings(deadline=None)
@given(st.dictionaries(st.sampled_from(PLACEMENT_COLUMNS), st.text()))
def test_parse_placement_row_never_raises(row: dict[str, str]) -> None:
    _check_result(parse_placement_row(row, today=TODAY))


@settings(deadline=None)
@given(st.dictionaries(st.sampled_from(PLACEMENT_COLUMNS), st.text(max_size=30), max_size=8))
def test_parse_placement_row_never_raises_near_a_valid_row(overrides: dict[str, str]) -> None:
    _check_result(parse_placement_row(valid_row(**overrides), today=TODAY))
