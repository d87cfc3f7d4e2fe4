"""collector_tui.domain.plan_schedule: level installments and due dates."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from collector_tui.domain.plan_schedule import due_dates, level_installments


def test_ten_thousand_dollars_in_36() -> None:
    amounts = level_installments(1_000_000, 36)
    assert len(amounts) == 36
    assert amounts[:35] == [27778] * 35
    assert amounts[-1] == 27770
    assert sum(amounts) == 1_000_000


@pytest.mark.parametrize(
    ("principal", "count", "expected"),
    [
        (0, 1, [0]),
        (0, 3, [0, 0, 0]),
        (500, 1, [500]),
        (1000, 4, [250, 250, 250, 250]),
        (100, 3, [33, 33, 34]),
        (200, 3, [67, 67, 66]),
        (13, 8, [1, 1, 1, 1, 1, 1, 1, 6]),  # rounding up would overshoot: falls back to down
    ],
)
def test_level_installments_examples(principal: int, count: int, expected: list[int]) -> None:
    assert level_installments(principal, count) == expected


@pytest.mark.parametrize("count", [0, -1])
def test_level_installments_needs_one_installment(count: int) -> None:
    with pytest.raises(ValueError, match="at least one"):
        level_installments(1000, count)


def test_level_installments_rejects_negative_principal() -> None:
    with pytest.raises(ValueError, match="negative"):
        level_installments(-1, 3)


@settings(deadline=None)
@given(
    principal=st.integers(min_value=0, max_value=10_000_000_00),
    count=st.integers(min_value=1, max_value=120),
)
def test_level_installments_properties(principal: int, count: int) -> None:
    amounts = level_installments(principal, count)
    assert len(amounts) == count
    assert sum(amounts) == principal
    assert all(amount >= 0 for amount in amounts)
    assert len(set(amounts[:-1])) <= 1  # at most the last differs


def test_monthly_clamps_to_month_end_in_common_year() -> None:
    assert due_dates(date(2027, 1, 31), 4, "monthly") == [
        date(2027, 1, 31),
        date(2027, 2, 28),
        date(2027, 3, 31),
        date(2027, 4, 30),
    ]


def test_monthly_clamps_to_leap_day() -> None:
    assert due_dates(date(2028, 1, 31), 3, "monthly") == [
        date(2028, 1, 31),
        date(2028, 2, 29),
        date(2028, 3, 31),
    ]


def test_monthly_keeps_day_of_month_across_year_end() -> None:
    assert due_dates(date(2026, 11, 15), 4, "monthly") == [
        date(2026, 11, 15),
        date(2026, 12, 15),
        date(2027, 1, 15),
        date(2027, 2, 15),
    ]


@pytest.mark.parametrize(("frequency", "days"), [("weekly", 7), ("biweekly", 14)])
def test_weekly_and_biweekly_spacing(frequency: str, days: int) -> None:
    first = date(2026, 12, 28)
    dates = due_dates(first, 10, frequency)
    assert len(dates) == 10
    assert dates[0] == first
    assert all(b - a == timedelta(days=days) for a, b in itertools.pairwise(dates))
    assert {d.weekday() for d in dates} == {first.weekday()}


@pytest.mark.parametrize(
    ("first", "expected_start"),
    [
        (date(2026, 12, 1), date(2026, 12, 1)),
        (date(2026, 12, 10), date(2026, 12, 15)),
        (date(2026, 12, 15), date(2026, 12, 15)),
        (date(2026, 12, 16), date(2027, 1, 1)),
        (date(2026, 12, 31), date(2027, 1, 1)),
    ],
)
def test_semimonthly_starts_on_next_1st_or_15th(first: date, expected_start: date) -> None:
    dates = due_dates(first, 6, "semimonthly")
    assert dates[0] == expected_start
    assert dates[0] >= first


def test_semimonthly_alternates_1st_and_15th() -> None:
    assert due_dates(date(2026, 12, 10), 5, "semimonthly") == [
        date(2026, 12, 15),
        date(2027, 1, 1),
        date(2027, 1, 15),
        date(2027, 2, 1),
        date(2027, 2, 15),
    ]


@settings(deadline=None)
@given(
    first=st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)),
    count=st.integers(min_value=1, max_value=48),
)
def test_semimonthly_properties(first: date, count: int) -> None:
    dates = due_dates(first, count, "semimonthly")
    assert len(dates) == count
    assert dates[0] >= first
    assert dates[0] - first < timedelta(days=17)
    assert all(d.day in (1, 15) for d in dates)
    assert all(a.day != b.day for a, b in itertools.pairwise(dates))
    assert dates == sorted(set(dates))


@settings(deadline=None)
@given(
    first=st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)),
    count=st.integers(min_value=1, max_value=48),
)
def test_monthly_properties(first: date, count: int) -> None:
    dates = due_dates(first, count, "monthly")
    assert len(dates) == count
    assert dates[0] == first
    for i, due in enumerate(dates):
        months = first.month - 1 + i
        assert (due.year, due.month) == (first.year + months // 12, months % 12 + 1)
        assert due.day == first.day or (due.day < first.day and (due + timedelta(days=1)).day == 1)


@pytest.mark.parametrize("frequency", ["weekly", "biweekly", "monthly", "semimonthly"])
def test_zero_count_gives_no_dates(frequency: str) -> None:
    assert due_dates(date(2026, 12, 1), 0, frequency) == []


@pytest.mark.parametrize("frequency", ["daily", "Monthly", ""])
def test_unknown_frequency(frequency: str) -> None:
    with pytest.raises(ValueError, match="unknown frequency"):
        due_dates(date(2026, 12, 1), 3, frequency)
