"""collector_tui.domain.entry: what a collector types into a field, read (amounts, dates, times of
day, counts, rates, the queue's filter words). Examples, then properties (hypothesis)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from collector_tui.domain.entry import (
    AMOUNT_HINT,
    BALANCE_RANGE_HINT,
    DATE_HINT,
    TIME_HINT,
    EntryValueError,
    FilterWords,
    looks_like_date,
    parse_amount,
    parse_count,
    parse_day,
    parse_filter,
    parse_percent_bps,
    parse_time_of_day,
)
from collector_tui.domain.money import format_cents

TODAY = date(2026, 11, 27)
SECRET = "HARRIS 1971"  # what a refusal must never repeat


# -- amounts -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "cents"), [("125", 12_500), ("1,234.56", 123_456), ("$12", 1200)])
def test_an_amount_is_cents(text: str, cents: int) -> None:
    assert parse_amount(text) == cents


@pytest.mark.parametrize("text", ["", "twelve", "1.234", SECRET])
def test_an_amount_that_is_none_says_how_to_write_one(text: str) -> None:
    with pytest.raises(EntryValueError, match=r"enter dollars and cents, e\.g\. 125\.00") as refused:
        parse_amount(text)
    assert SECRET not in str(refused.value)


# -- dates ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("2026-12-04", date(2026, 12, 4)),
        ("2026-1-5", date(2026, 1, 5)),
        (" 12/04/2026 ", date(2026, 12, 4)),
        ("12/04/27", date(2027, 12, 4)),  # two digits: the 2000s
        ("12/04", date(2026, 12, 4)),  # no year: today's
        ("1/5", date(2026, 1, 5)),
    ],
)
def test_a_day_in_the_ways_collectors_write_it(text: str, day: date) -> None:
    assert looks_like_date(text)
    assert parse_day(text, TODAY) == day


@pytest.mark.parametrize("text", ["", "tomorrow", "02/30", "13/01/2026", "2026-02-30", "12/04/202", "12/4/"])
def test_a_day_that_is_none_is_refused_with_how_to_write_one(text: str) -> None:
    with pytest.raises(EntryValueError) as refused:
        parse_day(text, TODAY)
    assert str(refused.value) == DATE_HINT


def test_what_looks_like_a_date_is_told_from_days_of_the_week() -> None:
    assert looks_like_date("02/30") and looks_like_date("12/04/202")  # a date, if a wrong one
    assert not any(looks_like_date(text) for text in ("mon-fri", "weekdays", "", "12", "sat,sun"))


# -- times of day --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("14:30", 14 * 60 + 30),
        ("0:00", 0),
        ("9am", 9 * 60),
        ("2:30pm", 14 * 60 + 30),
        ("2:30 p.m.", 14 * 60 + 30),
        ("12am", 0),
        ("12pm", 12 * 60),
        ("12:05 AM", 5),
    ],
)
def test_a_time_of_day_is_minutes_after_midnight(text: str, minutes: int) -> None:
    assert parse_time_of_day(text) == minutes


def test_midnight_is_the_end_of_the_day_only_as_an_end() -> None:
    assert [parse_time_of_day(t, end=True) for t in ("24:00", "0:00", "12am")] == [1440] * 3
    assert parse_time_of_day("23:59", end=True) == 23 * 60 + 59
    with pytest.raises(EntryValueError):
        parse_time_of_day("24:00")


@pytest.mark.parametrize("text", ["", "25:00", "24:01", "9:5", "9:60", "13pm", "0am", "noon", "930", "9.30"])
def test_a_time_that_is_none_is_refused_with_how_to_write_one(text: str) -> None:
    with pytest.raises(EntryValueError) as refused:
        parse_time_of_day(text)
    assert str(refused.value) == TIME_HINT


# -- counts and rates ----------------------------------------------------------------------------


def test_a_count_is_a_whole_number_of_one_or_more_or_nothing() -> None:
    assert parse_count(" 12 ") == 12
    assert parse_count("  ") is None
    for text in ("0", "-3", "1.5", "twelve", "١٢"):  # the last: Arabic-Indic digits
        with pytest.raises(EntryValueError, match="whole number"):
            parse_count(text)


def test_a_percent_is_basis_points_from_0_to_100() -> None:
    assert [parse_percent_bps(t) for t in ("", "0", "3", "2.5", "100", "2.555")] == [
        0,
        0,
        300,
        250,
        10_000,
        255,
    ]
    for text, problem in (("-1", "between 0 and 100"), ("100.01", "between 0 and 100"), ("x", "a percent")):
        with pytest.raises(EntryValueError, match=problem):
            parse_percent_bps(text)
    for text in ("nan", "inf", "sNaN"):
        with pytest.raises(EntryValueError):
            parse_percent_bps(text)


# -- the queue's filter words --------------------------------------------------------------------


def test_the_filter_words_and_the_text_to_search() -> None:
    assert parse_filter("state:tx age:61-90 bal:100-500.50 A-10") == FilterWords(
        state="TX", age_bucket="61-90", min_balance_cents=10_000, max_balance_cents=50_050, text="A-10"
    )
    assert parse_filter("") == FilterWords()
    assert parse_filter("bal:-500 Smith") == FilterWords(max_balance_cents=50_000, text="Smith")
    assert parse_filter("BALANCE:100-") == FilterWords(min_balance_cents=10_000)


def test_a_word_that_is_not_a_filter_is_searched_as_typed() -> None:
    words = parse_filter("state:Texas age:200+ color:red LOPEZ")
    assert words == FilterWords(text="state:Texas age:200+ color:red LOPEZ")


def test_a_balance_range_that_is_not_amounts_says_so() -> None:
    with pytest.raises(EntryValueError, match=r"bal:100-500"):
        parse_filter("bal:lots")


# -- properties ----------------------------------------------------------------------------------

days = st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31))


@given(st.integers(min_value=0, max_value=10_000_000_00), st.booleans())
def test_an_amount_shown_is_read_back(cents: int, symbol: bool) -> None:
    assert parse_amount(format_cents(cents, symbol=symbol)) == cents


@given(days, days)
def test_a_day_written_any_way_is_read_back(day: date, today: date) -> None:
    assert parse_day(day.isoformat(), today) == day
    assert parse_day(f"{day.month}/{day.day}/{day.year}", today) == day
    assert parse_day(f"{day:%m/%d/%y}", today) == day
    if (day.month, day.day) != (2, 29) or today.year % 4 == 0:
        assert parse_day(f"{day:%m/%d}", today) == day.replace(year=today.year)


@given(st.integers(min_value=0, max_value=24 * 60 - 1))
def test_a_time_written_either_way_is_read_back(minutes: int) -> None:
    hour, minute = divmod(minutes, 60)
    twelve = f"{hour % 12 or 12}:{minute:02d}{'pm' if hour >= 12 else 'am'}"
    assert parse_time_of_day(f"{hour:02d}:{minute:02d}") == minutes
    assert parse_time_of_day(twelve) == minutes
    assert parse_time_of_day(twelve.upper().replace("M", ".M.")) == minutes
    assert parse_time_of_day(f"{hour}:{minute:02d}", end=True) == (minutes or 24 * 60)


REFUSALS = {
    DATE_HINT,
    TIME_HINT,
    BALANCE_RANGE_HINT,
    "enter a whole number, e.g. 12",
    "enter a percent, e.g. 3 or 2.5",
    "must be between 0 and 100",
    *(f"{why}: {AMOUNT_HINT}" for why in ("empty amount", "not a number", "more than two decimal places")),
}


@given(st.text())
@example("¹:00")  # str.isdigit takes a superscript, int() does not
@example("1:0²")
def test_every_parser_reads_the_text_or_refuses_it_in_fixed_words(text: str) -> None:
    """Total: a value or an EntryValueError (never another exception), in words that never depend on
    what was typed (it may be a consumer's detail)."""
    for parse in (
        parse_amount,
        lambda t: parse_day(t, TODAY),
        parse_time_of_day,
        lambda t: parse_time_of_day(t, end=True),
        parse_count,
        parse_percent_bps,
        parse_filter,
    ):
        refusal = None
        try:
            parse(text)
        except EntryValueError as refused:
            refusal = str(refused)
        assert refusal is None or refusal in REFUSALS


@given(
    st.sampled_from([None, "TX", "oh"]),
    st.sampled_from([None, "0-30", "120+"]),
    st.one_of(st.none(), st.integers(min_value=0, max_value=10**9)),
    st.one_of(st.none(), st.integers(min_value=0, max_value=10**9)),
    st.lists(st.from_regex(r"[A-Za-z0-9-]{1,8}", fullmatch=True), max_size=3),
)
def test_filter_words_written_are_read_back(
    state: str | None, age: str | None, low: int | None, high: int | None, rest: list[str]
) -> None:
    words = [f"state:{state}"] if state else []
    words += [f"age:{age}"] if age else []
    if low is not None or high is not None:

        def show(cents: int | None) -> str:
            return "" if cents is None else format_cents(cents, symbol=False).replace(",", "")

        words.append(f"bal:{show(low)}-{show(high)}")
    assert parse_filter(" ".join([*words, *rest])) == FilterWords(
        state=state.upper() if state else None,
        age_bucket=age,
        min_balance_cents=low,
        max_balance_cents=high,
        text=" ".join(rest) or None,
    )
