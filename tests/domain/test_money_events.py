"""collector_tui.domain.money_events: transaction rows and their effect on a balance."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from collector_tui.domain.fields import FieldError
from collector_tui.domain.money_events import (
    TRANSACTION_COLUMNS,
    TransactionRecord,
    balance_effect,
    parse_transaction_row,
)

TODAY = date(2026, 11, 27)


def valid_row(**overrides: str) -> dict[str, str]:
    row = {
        "transaction_id": "T-9001",
        "facility_code": "MERCY",
        "account_number": "A-100234",
        "kind": "payment",
        "amount": "$50.00",
        "posted_at": "2026-11-20T14:05:00-05:00",
        "method": "card",
        "reference": "AUTH-4421",
        "reverses_transaction_id": "",
    }
    row.update(overrides)
    return row


def parse_ok(row: dict[str, str]) -> TransactionRecord:
    result = parse_transaction_row(row, today=TODAY)
    assert isinstance(result, TransactionRecord), result
    return result


def error_fields(row: dict[str, str]) -> set[str]:
    result = parse_transaction_row(row, today=TODAY)
    assert isinstance(result, list), result
    assert result
    return {error.field for error in result}


def test_valid_payment() -> None:
    record = parse_ok(valid_row())
    assert record == TransactionRecord(
        external_id="T-9001",
        facility_code="MERCY",
        account_number="A-100234",
        kind="payment",
        amount_cents=5000,
        posted_at=datetime(2026, 11, 20, 19, 5, tzinfo=UTC),
        method="card",
        reference="AUTH-4421",
        reverses_external_id=None,
    )
    assert record.key == "T-9001"
    assert record.posted_at.utcoffset() is not None


def test_zulu_timestamp_and_space_separator() -> None:
    assert parse_ok(valid_row(posted_at="2026-11-20T19:05:00Z")).posted_at == datetime(
        2026, 11, 20, 19, 5, tzinfo=UTC
    )
    assert parse_ok(valid_row(posted_at="2026-11-20 14:05:00-0500")).posted_at == datetime(
        2026, 11, 20, 19, 5, tzinfo=UTC
    )


def test_method_is_optional() -> None:
    record = parse_ok(valid_row(method="", reference=""))
    assert record.method is None
    assert record.reference is None


def test_kind_is_case_insensitive() -> None:
    assert parse_ok(valid_row(kind="Insurance_Payment")).kind == "insurance_payment"


def test_valid_reversal() -> None:
    record = parse_ok(valid_row(kind="reversal", reverses_transaction_id="T-9000"))
    assert record.kind == "reversal"
    assert record.reverses_external_id == "T-9000"


def test_reversal_without_original_is_an_error() -> None:
    assert error_fields(valid_row(kind="reversal")) == {"reverses_transaction_id"}


def test_negative_adjustment_is_allowed() -> None:
    record = parse_ok(valid_row(kind="adjustment", amount="(25.00)"))
    assert record.amount_cents == -2500
    assert balance_effect(record.kind, record.amount_cents) == 2500


@pytest.mark.parametrize("kind", ["payment", "refund", "insurance_payment", "write_off"])
def test_negative_amount_rejected_for_other_kinds(kind: str) -> None:
    assert error_fields(valid_row(kind=kind, amount="-25.00")) == {"amount"}


@pytest.mark.parametrize(
    "posted_at",
    ["2026-11-20T14:05:00", "2026-11-20 14:05:00", "2026-11-20", "yesterday", "1732111500"],
)
def test_timestamp_without_offset_is_an_error(posted_at: str) -> None:
    assert error_fields(valid_row(posted_at=posted_at)) == {"posted_at"}


def test_future_posting_is_an_error() -> None:
    assert error_fields(valid_row(posted_at="2026-12-01T09:00:00-05:00")) == {"posted_at"}


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"transaction_id": ""}, "transaction_id"),
        ({"facility_code": ""}, "facility_code"),
        ({"account_number": ""}, "account_number"),
        ({"kind": ""}, "kind"),
        ({"kind": "donation"}, "kind"),
        ({"amount": ""}, "amount"),
        ({"amount": "0.00"}, "amount"),
        ({"amount": "fifty"}, "amount"),
        ({"amount": "50.001"}, "amount"),
        ({"amount": "20000000.00"}, "amount"),
        ({"posted_at": ""}, "posted_at"),
        ({"method": "bitcoin"}, "method"),
    ],
)
def test_bad_field(overrides: dict[str, str], field: str) -> None:
    assert error_fields(valid_row(**overrides)) == {field}


@pytest.mark.parametrize(
    ("kind", "amount", "effect"),
    [
        ("payment", 5000, -5000),
        ("insurance_payment", 5000, -5000),
        ("adjustment", 5000, -5000),
        ("adjustment", -2500, 2500),
        ("write_off", 100, -100),
        ("refund", 5000, 5000),
    ],
)
def test_balance_effect(kind: str, amount: int, effect: int) -> None:
    assert balance_effect(kind, amount) == effect


def test_balance_effect_of_a_reversal_needs_the_original() -> None:
    with pytest.raises(ValueError, match="reverses"):
        balance_effect("reversal", 5000)


@settings(deadline=None)
@given(st.dictionaries(st.sampled_from(TRANSACTION_COLUMNS), st.text()))
def test_parse_transaction_row_never_raises(row: dict[str, str]) -> None:
    result = parse_transaction_row(row, today=TODAY)
    if not isinstance(result, TransactionRecord):
        assert result
        assert all(isinstance(error, FieldError) for error in result)
