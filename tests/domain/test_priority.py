"""The queue's priority: named factors with their values and points, and the tiers that sort first."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from collector_tui.domain.compliance.policy import PolicyError
from collector_tui.domain.priority import (
    TIER_CALLBACK,
    TIER_PROMISE,
    TIER_REST,
    PriorityFacts,
    factors_from_json,
    parse_priority_policy,
    score,
)
from collector_tui.services.law.policy import shipped_policy_text

POLICY = parse_priority_policy(shipped_policy_text("priority.toml"))
NOW = datetime(2026, 11, 27, 15, tzinfo=UTC)
BASE = PriorityFacts(
    patient_balance_cents=100_000,  # $1,000
    age_days=75,
    placed_date=date(2026, 9, 1),
    last_contact_at=datetime(2026, 11, 17, 15, tzinfo=UTC),
    callback_at=None,
    next_promise_due=None,
    last_broken_promise=None,
    recent_payments=0,
)


def points(facts: PriorityFacts) -> dict[str, int]:
    return {f.name: f.points for f in score(facts, POLICY, NOW).factors}


def test_every_factor_is_named_with_its_value_and_points() -> None:
    result = score(BASE, POLICY, NOW)
    assert [(f.name, f.value, f.points) for f in result.factors] == [
        ("balance", "$1,000.00", 36),  # 12 per tenfold: log10(1000) = 3
        ("age", "61-90", 16),
        ("days since contact", "10", 10),
    ]
    assert result.points == 62 and result.tier == TIER_REST
    assert factors_from_json(result.breakdown_json()) == result.factors


def test_balance_has_diminishing_returns_and_a_cap() -> None:
    small = points(replace(BASE, patient_balance_cents=10_000))["balance"]  # $100
    medium = points(replace(BASE, patient_balance_cents=100_000))["balance"]  # $1,000
    large = points(replace(BASE, patient_balance_cents=1_000_000))["balance"]  # $10,000
    assert (small, medium, large) == (24, 36, 48)
    assert points(replace(BASE, patient_balance_cents=10**12))["balance"] == 60
    assert points(replace(BASE, patient_balance_cents=50))["balance"] == 0


@pytest.mark.parametrize(
    ("days", "bucket", "expected"),
    [(5, "0-30", 4), (45, "31-60", 10), (100, "91-120", 20), (400, "120+", 14)],
)
def test_age_buckets(days: int, bucket: str, expected: int) -> None:
    [age] = [f for f in score(replace(BASE, age_days=days), POLICY, NOW).factors if f.name == "age"]
    assert (age.value, age.points) == (bucket, expected)


def test_a_due_callback_sorts_first_then_promises_then_the_rest() -> None:
    callback = score(replace(BASE, callback_at=datetime(2026, 11, 27, 14, tzinfo=UTC)), POLICY, NOW)
    promise = score(
        replace(BASE, next_promise_due=date(2026, 11, 27), patient_balance_cents=10**10), POLICY, NOW
    )
    rich = score(replace(BASE, patient_balance_cents=10**10, age_days=100), POLICY, NOW)
    assert (callback.tier, promise.tier, rich.tier) == (TIER_CALLBACK, TIER_PROMISE, TIER_REST)
    assert callback.score > promise.score > rich.score
    # A callback later today is not due yet.
    later = score(replace(BASE, callback_at=datetime(2026, 11, 27, 18, tzinfo=UTC)), POLICY, NOW)
    assert later.tier == TIER_REST


def test_a_promise_broken_in_the_last_two_weeks_counts() -> None:
    assert points(replace(BASE, last_broken_promise=date(2026, 11, 13)))["promise broken"] == 30
    assert "promise broken" not in points(replace(BASE, last_broken_promise=date(2026, 11, 12)))


def test_never_contacted_new_placements_come_up() -> None:
    fresh = points(replace(BASE, last_contact_at=None, placed_date=date(2026, 11, 20)))
    assert fresh["days since contact"] == 30 and fresh["new placement"] == 25
    assert "new placement" not in points(replace(BASE, last_contact_at=None, placed_date=date(2026, 10, 1)))


def test_recent_payments_count_up_to_a_cap() -> None:
    assert points(replace(BASE, recent_payments=2))["payments"] == 12
    assert points(replace(BASE, recent_payments=9))["payments"] == 18


@given(
    cents=st.integers(min_value=-(10**9), max_value=10**12),
    age=st.none() | st.integers(min_value=0, max_value=5000),
    payments=st.integers(min_value=0, max_value=50),
)
def test_the_score_is_the_sum_of_its_factors(cents: int, age: int | None, payments: int) -> None:
    result = score(
        replace(BASE, patient_balance_cents=cents, age_days=age, recent_payments=payments), POLICY, NOW
    )
    assert result.points == sum(f.points for f in result.factors)
    assert all(f.points >= 0 for f in result.factors)


def test_an_override_changes_a_weight_and_a_bad_one_is_refused() -> None:
    office = parse_priority_policy(shipped_policy_text("priority.toml"), '[age]\n"120+" = 30\n')
    assert office.get("age", "120+") == 30 and office.get("age", "0-30") == 4
    with pytest.raises(PolicyError, match=r"balance\.per_tenfold"):
        parse_priority_policy(shipped_policy_text("priority.toml"), "[balance]\nper_tenfold = -1\n")
