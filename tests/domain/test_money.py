"""collector_tui.domain.money: parsing and formatting amounts as integer cents."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from collector_tui.domain.money import (
    MAX_ACCOUNT_CENTS,
    MoneyError,
    cents_to_decimal,
    format_cents,
    parse_money,
)


@pytest.mark.parametrize(
    ("text", "cents"),
    [
        ("0", 0),
        ("12", 1200),
        ("12.5", 1250),
        ("12.50", 1250),
        ("0.01", 1),
        (".5", 50),
        ("1,234.56", 123456),
        ("1,000,000.00", 100000000),
        ("$12", 1200),
        ("$1,234.56", 123456),
        ("  $7.05  ", 705),
        ("-12.34", -1234),
        ("-$1,234.56", -123456),
        ("(12.34)", -1234),
        ("($1,234.56)", -123456),
        ("+5", 500),
    ],
)
def test_parse_money_dollars(text: str, cents: int) -> None:
    assert parse_money(text) == cents
    assert parse_money(text, unit="dollars") == cents


@pytest.mark.parametrize(
    ("text", "cents"),
    [
        ("0", 0),
        ("123456", 123456),
        ("1,234", 1234),
        ("$99", 99),
        ("(250)", -250),
        ("-250", -250),
        ("12.00", 12),
    ],
)
def test_parse_money_cents(text: str, cents: int) -> None:
    assert parse_money(text, unit="cents") == cents


@pytest.mark.parametrize("text", ["12.5", "0.01", "(1.50)"])
def test_parse_money_cents_rejects_fractions(text: str) -> None:
    with pytest.raises(MoneyError):
        parse_money(text, unit="cents")


@pytest.mark.parametrize("text", ["1.001", "0.005", "12.345", "1.000", "$1,234.567"])
def test_parse_money_rejects_more_than_two_decimals(text: str) -> None:
    with pytest.raises(MoneyError, match="two decimal"):
        parse_money(text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "$",
        "()",
        "abc",
        "12abc",
        "1 2",
        "1.2.3",
        "--5",
        "(12",
        "12)",
        "twelve dollars",
        "NaN",
        "nan",
        "sNaN",
        "Infinity",
        "-Infinity",
        "inf",
        "(Infinity)",
    ],
)
def test_parse_money_rejects_garbage(text: str) -> None:
    with pytest.raises(MoneyError):
        parse_money(text)


def test_money_error_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        parse_money("garbage")


def test_parse_money_rejects_unknown_unit() -> None:
    with pytest.raises(MoneyError, match="unit"):
        parse_money("12", unit="euros")


def test_parse_money_huge_exponent_is_a_money_error() -> None:
    with pytest.raises(MoneyError):
        parse_money("1e1000000")


def test_parse_money_parenthesised_negative_does_not_flip_sign() -> None:
    try:
        cents = parse_money("(-5.00)")
    except MoneyError:
        return  # rejecting the double negative is fine
    assert cents < 0


@pytest.mark.parametrize(
    ("cents", "text"),
    [
        (0, "$0.00"),
        (5, "$0.05"),
        (100, "$1.00"),
        (123456, "$1,234.56"),
        (100000000, "$1,000,000.00"),
        (-5, "-$0.05"),
        (-1200, "-$12.00"),
        (-123456, "-$1,234.56"),
    ],
)
def test_format_cents(cents: int, text: str) -> None:
    assert format_cents(cents) == text


def test_format_cents_without_symbol() -> None:
    assert format_cents(123456, symbol=False) == "1,234.56"
    assert format_cents(-1200, symbol=False) == "-12.00"


def test_cents_to_decimal() -> None:
    assert str(cents_to_decimal(123456)) == "1234.56"
    assert str(cents_to_decimal(-5)) == "-0.05"
    assert str(cents_to_decimal(0)) == "0.00"


def test_max_account_cents_is_ten_million_dollars() -> None:
    assert format_cents(MAX_ACCOUNT_CENTS) == "$10,000,000.00"


@settings(deadline=None)
@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_format_cents_round_trips_through_parse_money(cents: int) -> None:
    assert parse_money(format_cents(cents)) == cents
    assert parse_money(format_cents(cents, symbol=False)) == cents


@settings(deadline=None)
@given(st.text(max_size=40))
def test_parse_money_only_raises_money_error(text: str) -> None:
    try:
        cents = parse_money(text)
    except MoneyError:
        return
    assert isinstance(cents, int)
