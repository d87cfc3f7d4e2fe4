"""Reading an account search: phones in any format, names either way round, dates, numbers."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from collector_tui.domain.account_search import NameGuess, parse_account_query, phone_digits


def test_a_phone_in_any_format_reads_as_its_ten_digits() -> None:
    for typed in ("(602) 555-0124", "6025550124", "+16025550124", "1-602-555-0124", "602.555.0124"):
        assert parse_account_query(typed).phone_digits == "6025550124", typed
    assert parse_account_query("0124").phone_digits == "0124"
    assert parse_account_query("555-0124").phone_digits == "5550124"
    assert phone_digits("012") is None


def test_a_name_either_way_round_and_any_case() -> None:
    assert NameGuess("RIVERA", "EMILY") in parse_account_query("rivera emily").names
    assert NameGuess("RIVERA", "EMILY") in parse_account_query("Emily Rivera").names
    assert parse_account_query("RIVERA, EM").names == (NameGuess("RIVERA", "EM"),)
    assert parse_account_query("rivera").names == (NameGuess("RIVERA"),)


def test_birth_dates_and_account_numbers() -> None:
    assert parse_account_query("1984-03-07").born == date(1984, 3, 7)
    assert parse_account_query("03/07/1984").born == date(1984, 3, 7)
    assert parse_account_query("1984-03-07").phone_digits is None  # a date is only a date
    query = parse_account_query("a-1000123")
    assert query.account_prefix == "A-1000123" and not query.names
    assert parse_account_query("x").empty


@given(
    st.from_regex(r"[2-9]\d{2}[2-9]\d{6}", fullmatch=True),
    st.sampled_from(["{}", "({}) {}-{}", "+1{}", "1-{}-{}-{}"]),
)
def test_every_format_of_a_number_reads_the_same(number: str, shape: str) -> None:
    parts = (number[:3], number[3:6], number[6:])
    typed = shape.format(number) if shape.count("{}") == 1 else shape.format(*parts)
    assert parse_account_query(typed).phone_digits == number


@given(
    st.from_regex(r"[A-Za-z]{2,12}", fullmatch=True),
    st.from_regex(r"[A-Za-z]{2,12}", fullmatch=True),
)
def test_both_orders_of_a_name_share_the_reading(first: str, last: str) -> None:
    wanted = NameGuess(last.upper(), first.upper())
    assert wanted in parse_account_query(f"{first} {last}").names
    assert wanted in parse_account_query(f"{last.lower()} {first.upper()}").names
    assert parse_account_query(f"{last}, {first}").names == (wanted,)


@given(st.text(max_size=40))
def test_any_text_is_read_without_raising(text: str) -> None:
    parse_account_query(text)
