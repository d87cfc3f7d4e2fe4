"""collector_tui.domain.aging: age in days and the collector's aging buckets."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest

from collector_tui.domain.aging import AGE_BUCKETS, age_bucket, age_in_days

TODAY = date(2026, 11, 27)


def test_age_in_days() -> None:
    assert age_in_days(TODAY, TODAY) == 0
    assert age_in_days(date(2026, 11, 26), TODAY) == 1
    assert age_in_days(date(2026, 10, 28), TODAY) == 30
    assert age_in_days(date(2025, 11, 27), TODAY) == 365


def test_age_in_days_crosses_leap_day() -> None:
    assert age_in_days(date(2028, 2, 28), date(2028, 3, 1)) == 2


def test_age_in_days_is_never_negative() -> None:
    assert age_in_days(TODAY + timedelta(days=10), TODAY) == 0


def test_age_in_days_unknown_start() -> None:
    assert age_in_days(None, TODAY) is None


@pytest.mark.parametrize(
    ("days", "bucket"),
    [
        (0, "0-30"),
        (1, "0-30"),
        (30, "0-30"),
        (31, "31-60"),
        (60, "31-60"),
        (61, "61-90"),
        (90, "61-90"),
        (91, "91-120"),
        (120, "91-120"),
        (121, "120+"),
        (10_000, "120+"),
        (None, "-"),
    ],
)
def test_age_bucket_boundaries(days: int | None, bucket: str) -> None:
    assert age_bucket(days) == bucket


def test_buckets_are_contiguous() -> None:
    for (_, _, high), (_, low, _) in itertools.pairwise(AGE_BUCKETS):
        assert high is not None
        assert low == high + 1
    assert AGE_BUCKETS[0][1] == 0
    assert AGE_BUCKETS[-1][2] is None


def test_age_bucket_of_age_in_days() -> None:
    assert age_bucket(age_in_days(TODAY - timedelta(days=45), TODAY)) == "31-60"
    assert age_bucket(age_in_days(TODAY + timedelta(days=45), TODAY)) == "0-30"
