"""collector_tui.domain.placement: the columns that feed the compliance rules and the facility's facts.

Every problem names its column and never the cell's content; a date in the future or a value
that cannot be read rejects the row.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime

import pytest

from collector_tui.domain.fields import FieldError, RowFormat
from collector_tui.domain.placement import (
    PLACEMENT_COLUMNS,
    ComplianceFacts,
    FacilityFacts,
    Itemization,
    PhoneConsent,
    PlacementRecord,
    facility_disagreements,
    fap_policy_url_problem,
    merge_inconvenient,
    parse_placement_row,
    record_digest,
)
from tests.domain.test_placement import TODAY, valid_row

NEW_COLUMNS = (
    "delinquency_date",
    "itemization_date",
    "itemization_amount",
    "itemization_interest",
    "itemization_fees",
    "itemization_credits",
    "validation_notice_date",
    "eca_notice_date",
    "fap_application_date",
    "no_calls_at_work",
    "inconvenient_times",
    "email_opt_out",
    *(
        f"phone{n}_{suffix}"
        for n in (1, 2, 3)
        for suffix in ("consent", "consent_date", "revoked_at", "text_opt_out")
    ),
    "facility_regime",
    "facility_nonprofit",
    "facility_state",
    "facility_fap_policy_url",
)


def midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def parse_ok(**overrides: str) -> PlacementRecord:
    result = parse_placement_row(valid_row(**overrides), today=TODAY)
    assert isinstance(result, PlacementRecord), result
    return result


def errors(**overrides: str) -> dict[str, str]:
    result = parse_placement_row(valid_row(**overrides), today=TODAY)
    assert isinstance(result, list), result
    return {error.field: error.reason for error in result}


def test_every_new_column_is_a_canonical_column() -> None:
    assert set(NEW_COLUMNS) <= set(PLACEMENT_COLUMNS)
    assert len(PLACEMENT_COLUMNS) == len(set(PLACEMENT_COLUMNS))


def test_a_row_without_the_new_columns_carries_no_facts() -> None:
    record = parse_ok()
    assert record.facts == ComplianceFacts()
    assert record.facility_facts == FacilityFacts()


def test_the_account_dates_are_read() -> None:
    record = parse_ok(
        delinquency_date="2026-09-01",
        validation_notice_date="2026-11-21",
        eca_notice_date="2026-10-15",
        fap_application_date="2026-09-20",
    )
    facts = record.facts
    assert facts.delinquency_date == date(2026, 9, 1)
    assert facts.validation_notice_date == date(2026, 11, 21)
    assert facts.eca_notice_date == date(2026, 10, 15)
    assert facts.fap_application_date == date(2026, 9, 20)


@pytest.mark.parametrize(
    "column",
    [
        "delinquency_date",
        "itemization_date",
        "validation_notice_date",
        "eca_notice_date",
        "fap_application_date",
        "email_opt_out",
        "phone1_consent_date",
        "phone1_revoked_at",
        "phone1_text_opt_out",
    ],
)
@pytest.mark.parametrize(
    ("text", "reason"),
    [("2026-11-28", "is in the future"), ("2026-02-30", "not a real date"), ("soon", "not a")],
)
def test_a_date_in_the_future_or_malformed_rejects_the_row_naming_the_column(
    column: str, text: str, reason: str
) -> None:
    extra = {"phone1_consent": "yes"} if column == "phone1_consent_date" else {}
    found = errors(**{column: text}, **extra)
    assert set(found) == {column}
    assert found[column].startswith(reason) or reason in found[column]
    assert text not in found[column]  # never the cell's content


def test_the_itemization_is_read_in_cents() -> None:
    record = parse_ok(
        itemization_date="2026-08-01",
        itemization_amount="$1,610.00",
        itemization_interest="0",
        itemization_fees="25.50",
        itemization_credits="75.50",
    )
    assert record.facts.itemization == Itemization(date(2026, 8, 1), 161_000, 0, 2550, 7550)


def test_an_itemization_date_alone_is_enough() -> None:
    record = parse_ok(itemization_date="2026-08-01")
    assert record.facts.itemization == Itemization(date(2026, 8, 1), None, None, None, None)


@pytest.mark.parametrize(
    "column", ["itemization_amount", "itemization_interest", "itemization_fees", "itemization_credits"]
)
def test_an_itemization_amount_requires_the_date(column: str) -> None:
    found = errors(**{column: "10.00"})
    assert set(found) == {column}
    assert "itemization_date" in found[column]


@pytest.mark.parametrize(("text", "reason"), [("ten", "not an amount of money"), ("-5.00", "is negative")])
def test_an_itemization_amount_is_money_and_not_negative(text: str, reason: str) -> None:
    found = errors(itemization_date="2026-08-01", itemization_fees=text)
    assert set(found) == {"itemization_fees"}
    assert found["itemization_fees"].startswith(reason)


def test_the_money_unit_of_a_mapping_applies_to_the_itemization() -> None:
    row = valid_row(
        itemization_date="2026-08-01",
        itemization_amount="161000",
        total_balance="156000",
        insurance_pending="31000",
        patient_responsibility="125000",
        charges="",
        claim_billed="",
        claim_allowed="",
        claim_paid="",
        claim_patient_share="",
    )
    result = parse_placement_row(row, today=TODAY, fmt=RowFormat(money_unit="cents"))
    assert isinstance(result, PlacementRecord), result
    assert result.facts.itemization is not None and result.facts.itemization.amount_cents == 161_000


def test_the_consumers_wishes_are_read() -> None:
    record = parse_ok(
        no_calls_at_work="yes",
        inconvenient_times="mon-fri 12:00-13:00; sun 00:00-24:00",
        email_opt_out="2026-10-02",
    )
    assert record.facts.no_calls_at_work is True
    assert record.facts.inconvenient_times == "mon-fri 12:00-13:00; sun 00:00-24:00"
    assert record.facts.email_opt_out_at == midnight(date(2026, 10, 2))


@pytest.mark.parametrize("text", ["lunchtime", "mon-fri 13:00-12:00", "funday 09:00-10:00", "25:00-26:00"])
def test_inconvenient_times_use_the_engines_syntax(text: str) -> None:
    found = errors(inconvenient_times=text)
    assert set(found) == {"inconvenient_times"}
    assert text not in found["inconvenient_times"]
    assert "HH:MM-HH:MM" in found["inconvenient_times"]


@pytest.mark.parametrize("column", ["no_calls_at_work", "phone1_consent", "facility_nonprofit"])
def test_a_yes_no_column_refuses_anything_else(column: str) -> None:
    found = errors(**{column: "perhaps"})
    assert set(found) == {column}
    assert "perhaps" not in found[column]


def test_phone_consent_revocation_and_text_opt_out_are_read_per_phone() -> None:
    record = parse_ok(
        phone1_consent="yes",
        phone1_consent_date="2026-03-01",
        phone1_revoked_at="2026-11-20T14:05:00-05:00",
        phone2_consent="no",
        phone2_text_opt_out="2026-11-02",
    )
    assert [p.phone.number for p in record.phones] == ["+16145550142", "+12085550100"]
    assert record.facts.phones == (
        PhoneConsent(
            consent=True,
            consent_at=midnight(date(2026, 3, 1)),
            revoked_at=datetime(2026, 11, 20, 19, 5, tzinfo=UTC),
        ),
        PhoneConsent(text_opt_out_at=midnight(date(2026, 11, 2))),
    )
    assert record.facts.phone(0).consent and record.facts.phone(5) == PhoneConsent()


def test_a_revocation_may_be_a_date_and_consent_need_not_carry_one() -> None:
    record = parse_ok(phone1_consent="Y", phone2_revoked_at="2026-06-30")
    assert record.facts.phones == (
        PhoneConsent(consent=True),
        PhoneConsent(revoked_at=midnight(date(2026, 6, 30))),
    )


def test_a_revocation_before_the_consent_is_rejected_naming_the_field() -> None:
    found = errors(phone1_consent="yes", phone1_consent_date="2026-03-01", phone1_revoked_at="2026-02-28")
    assert set(found) == {"phone1_revoked_at"}
    assert "before" in found["phone1_revoked_at"] and "phone1_consent_date" in found["phone1_revoked_at"]


def test_a_revocation_on_the_day_of_the_consent_is_accepted() -> None:
    record = parse_ok(phone1_consent="yes", phone1_consent_date="2026-03-01", phone1_revoked_at="2026-03-01")
    assert record.facts.phones[0].revoked_at == record.facts.phones[0].consent_at


def test_a_future_revocation_timestamp_is_rejected() -> None:
    found = errors(phone1_revoked_at="2026-12-01T09:00:00Z")
    assert set(found) == {"phone1_revoked_at"}
    assert "future" in found["phone1_revoked_at"]


def test_a_revocation_timestamp_without_an_offset_is_rejected() -> None:
    found = errors(phone1_revoked_at="2026-11-01T09:00:00")
    assert set(found) == {"phone1_revoked_at"}


def test_a_consent_date_needs_the_consent() -> None:
    found = errors(phone1_consent_date="2026-03-01")
    assert set(found) == {"phone1_consent_date"}
    found = errors(phone1_consent="no", phone1_consent_date="2026-03-01")
    assert set(found) == {"phone1_consent_date"}


def test_phone_facts_without_the_phone_are_rejected() -> None:
    found = errors(phone3_consent="yes", phone3_text_opt_out="2026-11-02")
    assert set(found) == {"phone3_consent", "phone3_text_opt_out"}
    assert all("phone3" in reason for reason in found.values())


def test_the_facility_facts_are_read() -> None:
    record = parse_ok(
        facility_regime="First_Party",
        facility_nonprofit="yes",
        facility_state="oh",
        facility_fap_policy_url="https://mercy.example.org/financial-assistance",
    )
    assert record.facility_facts == FacilityFacts(
        regime="first_party",
        nonprofit=True,
        state="OH",
        fap_policy_url="https://mercy.example.org/financial-assistance",
    )
    assert parse_ok(facility_nonprofit="no").facility_facts == FacilityFacts(nonprofit=False)


@pytest.mark.parametrize(
    ("column", "text"),
    [
        ("facility_regime", "agency"),
        ("facility_state", "XX"),
        ("facility_state", "Ohio"),
        ("facility_fap_policy_url", "mercy.example.org/fap"),
        ("facility_fap_policy_url", "ftp://mercy.example.org/fap"),
        ("facility_fap_policy_url", "https:///fap"),
        ("facility_fap_policy_url", "https://mercy.example.org/a b"),
    ],
)
def test_bad_facility_facts_reject_the_row_naming_the_column(column: str, text: str) -> None:
    found = errors(**{column: text})
    assert set(found) == {column}
    assert text not in found[column]


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("https://mercy.example.org/fap", False),
        ("http://mercy.example.org", False),
        ("HTTPS://Mercy.Example.org/FAP?lang=en", False),
        ("javascript:alert(1)", True),
        ("https:///path", True),
        ("https://mercy.example.org/\x00", True),
        ("https://" + "a" * 400 + ".org", True),
    ],
)
def test_a_fap_policy_url_is_an_http_or_https_address(url: str, problem: bool) -> None:
    assert (fap_policy_url_problem(url) is not None) is problem


def test_a_closing_record_carries_no_facts() -> None:
    row = dict.fromkeys(PLACEMENT_COLUMNS, "")
    row.update(
        record_type="recall", facility_code="MERCY", account_number="A-1", delinquency_date="2026-01-01"
    )
    result = parse_placement_row(row, today=TODAY)
    assert isinstance(result, PlacementRecord)
    assert result.facts == ComplianceFacts() and result.facility_facts == FacilityFacts()


# -- the digest -------------------------------------------------------------------------------------


def test_a_row_without_the_new_columns_keeps_the_digest_it_had_before_them() -> None:
    """Accounts placed before these columns existed are not all rewritten by the next import."""
    record = parse_ok()
    before = hashlib.blake2b(repr(record[:19]).encode(), digest_size=16).hexdigest()
    assert record_digest(record) == before == record.digest


@pytest.mark.parametrize(
    "column",
    [
        ("delinquency_date", "2026-09-01"),
        ("itemization_date", "2026-08-01"),
        ("validation_notice_date", "2026-11-21"),
        ("eca_notice_date", "2026-10-15"),
        ("fap_application_date", "2026-09-20"),
        ("no_calls_at_work", "yes"),
        ("inconvenient_times", "sun 00:00-24:00"),
        ("email_opt_out", "2026-10-02"),
        ("phone1_consent", "yes"),
        ("phone2_revoked_at", "2026-10-02"),
        ("phone2_text_opt_out", "2026-10-02"),
    ],
)
def test_the_digest_changes_with_each_new_column(column: tuple[str, str]) -> None:
    assert parse_ok(**dict([column])).digest != parse_ok().digest


def test_the_itemization_amounts_change_the_digest() -> None:
    dated = parse_ok(itemization_date="2026-08-01")
    assert parse_ok(itemization_date="2026-08-01", itemization_fees="1.00").digest != dated.digest


def test_the_facility_facts_are_not_the_accounts_digest() -> None:
    """They are applied whether or not the account changed (see services/files/placements.py)."""
    assert parse_ok(facility_regime="first_party").digest == parse_ok().digest


# -- rows of one file that disagree about their facility ---------------------------------------------


def test_rows_that_disagree_about_their_facility_are_named() -> None:
    seen: dict[str, FacilityFacts] = {}
    first = parse_ok(facility_regime="first_party", facility_nonprofit="yes")
    same = parse_ok(account_number="A-2", facility_regime="first_party")
    other = parse_ok(account_number="A-3", facility_code="OTHER", facility_regime="third_party")
    silent = parse_ok(account_number="A-4")
    clash = parse_ok(account_number="A-5", facility_regime="third_party", facility_nonprofit="yes")
    assert facility_disagreements(seen, first) == []
    assert facility_disagreements(seen, same) == []
    assert facility_disagreements(seen, other) == []
    assert facility_disagreements(seen, silent) == []
    [problem] = facility_disagreements(seen, clash)
    assert problem.field == "facility_regime"
    assert "another row" in problem.reason
    assert seen == {
        "MERCY": FacilityFacts(regime="first_party", nonprofit=True),
        "OTHER": FacilityFacts(regime="third_party"),
    }
    later = parse_ok(account_number="A-6", facility_state="OH")
    assert facility_disagreements(seen, later) == []
    assert seen["MERCY"] == FacilityFacts(regime="first_party", nonprofit=True, state="OH")


def test_a_disagreeing_row_teaches_nothing() -> None:
    seen: dict[str, FacilityFacts] = {}
    facility_disagreements(seen, parse_ok(facility_regime="first_party"))
    clash = parse_ok(account_number="A-2", facility_regime="third_party", facility_state="OH")
    assert [e.field for e in facility_disagreements(seen, clash)] == ["facility_regime"]
    assert seen["MERCY"] == FacilityFacts(regime="first_party")


# -- inconvenient times from a file are added to those on file ---------------------------------------


@pytest.mark.parametrize(
    ("on_file", "given", "merged"),
    [
        (None, "sun 00:00-24:00", "sun 00:00-24:00"),
        ("mon-fri 12:00-13:00", None, "mon-fri 12:00-13:00"),
        ("mon-fri 12:00-13:00", "MON-FRI 12:00 - 13:00", "mon-fri 12:00-13:00"),
        ("mon-fri 12:00-13:00", "sun 00:00-24:00", "mon-fri 12:00-13:00; sun 00:00-24:00"),
        (
            "mon-fri 12:00-13:00",
            "mon-fri 12:00-13:00; sat 08:00-10:00",
            "mon-fri 12:00-13:00; sat 08:00-10:00",
        ),
        ("garbled", "sun 00:00-24:00", "garbled; sun 00:00-24:00"),
    ],
)
def test_merge_inconvenient(on_file: str | None, given: str | None, merged: str | None) -> None:
    assert merge_inconvenient(on_file, given) == merged


def test_field_errors_are_field_errors() -> None:
    result = parse_placement_row(valid_row(delinquency_date="x"), today=TODAY)
    assert isinstance(result, list) and all(isinstance(e, FieldError) for e in result)


def test_a_number_given_in_two_slots_has_what_both_say() -> None:
    record = parse_ok(
        phone2="(614) 555-0142",  # phone1 again
        phone1_consent="yes",
        phone2_text_opt_out="2026-11-02",
        phone3="(312) 555-0123",
        phone3_revoked_at="2026-10-01",
    )
    assert [p.phone.number for p in record.phones] == ["+16145550142", "+13125550123"]
    assert record.facts.phones == (
        PhoneConsent(consent=True, text_opt_out_at=midnight(date(2026, 11, 2))),
        PhoneConsent(revoked_at=midnight(date(2026, 10, 1))),
    )
