"""collector_tui.domain.plan_schedule: the calculator's inputs, amount-driven plans and its refusals."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import pytest

from collector_tui.domain.plan_schedule import (
    MAX_INSTALLMENTS,
    PlanError,
    PlanTerms,
    build_schedule,
    level_payment_cents,
    monthly_equivalent,
    periodic_rate,
    round_half_up,
)

FIRST = date(2026, 12, 1)


def test_amount_driven_plan_ends_with_a_smaller_installment() -> None:
    schedule = build_schedule(PlanTerms(123456, "monthly", FIRST, installment_cents=10000))
    assert [r.payment_cents for r in schedule.rows] == [10000] * 12 + [3456]
    assert schedule.last_due == date(2027, 12, 1)
    assert schedule.total_installments_cents == 123456


def test_amount_driven_plan_that_divides_evenly_ends_equal() -> None:
    schedule = build_schedule(PlanTerms(30000, "monthly", FIRST, installment_cents=10000))
    assert [r.payment_cents for r in schedule.rows] == [10000, 10000, 10000]


def test_amount_driven_plan_with_interest() -> None:
    schedule = build_schedule(PlanTerms(10000, "monthly", FIRST, installment_cents=1701, apr_bps=700))
    # The same payment as the 6-installment reference, so the same rows, the last $17.00.
    assert [r.payment_cents for r in schedule.rows] == [1701] * 5 + [1700]
    assert schedule.total_interest_cents == 205


def test_an_amount_above_the_balance_is_one_installment_of_the_balance() -> None:
    schedule = build_schedule(PlanTerms(8740, "weekly", FIRST, installment_cents=50000))
    assert [r.payment_cents for r in schedule.rows] == [8740]


def test_one_installment_at_interest_pays_one_period() -> None:
    schedule = build_schedule(PlanTerms(120000, "monthly", FIRST, installments=1, apr_bps=1200))
    assert [(r.payment_cents, r.interest_cents) for r in schedule.rows] == [(121200, 1200)]


def test_down_payment_comes_off_the_principal() -> None:
    schedule = build_schedule(PlanTerms(123456, "monthly", FIRST, installments=12, down_payment_cents=23456))
    assert schedule.terms.principal_cents == 100000
    assert [r.payment_cents for r in schedule.rows] == [8333] * 11 + [8337]
    assert schedule.total_paid_cents == 123456


def test_semimonthly_plan_falls_on_the_1st_and_15th() -> None:
    schedule = build_schedule(PlanTerms(60000, "semimonthly", date(2026, 12, 3), installments=4))
    assert [r.due_date for r in schedule.rows] == [
        date(2026, 12, 15),
        date(2027, 1, 1),
        date(2027, 1, 15),
        date(2027, 2, 1),
    ]
    assert schedule.first_due == date(2026, 12, 15)


def test_monthly_plan_clamps_to_the_month_end() -> None:
    schedule = build_schedule(PlanTerms(40000, "monthly", date(2027, 1, 31), installments=4))
    assert [r.due_date for r in schedule.rows] == [
        date(2027, 1, 31),
        date(2027, 2, 28),
        date(2027, 3, 31),
        date(2027, 4, 30),
    ]


@pytest.mark.parametrize(
    ("frequency", "apr_bps", "rate"),
    [
        ("weekly", 520, Fraction(1, 1000)),
        ("biweekly", 2600, Fraction(1, 100)),
        ("semimonthly", 600, Fraction(1, 400)),
        ("monthly", 600, Fraction(1, 200)),
        ("monthly", 0, Fraction(0)),
    ],
)
def test_periodic_rate_is_the_annual_rate_over_the_periods(
    frequency: str, apr_bps: int, rate: Fraction
) -> None:
    assert periodic_rate(apr_bps, frequency) == rate


@pytest.mark.parametrize(
    ("amount", "frequency", "monthly"),
    [
        (1200, "weekly", Fraction(5200)),
        (1200, "biweekly", Fraction(2600)),
        (1200, "semimonthly", Fraction(2400)),
        (1200, "monthly", Fraction(1200)),
        (577, "weekly", Fraction(577 * 52, 12)),
    ],
)
def test_monthly_equivalent(amount: int, frequency: str, monthly: Fraction) -> None:
    assert monthly_equivalent(amount, frequency) == monthly


@pytest.mark.parametrize(
    ("value", "cents"),
    [
        (Fraction(1, 2), 1),
        (Fraction(3, 2), 2),
        (Fraction(5, 2), 3),  # half-up, not to even
        (Fraction(249, 100), 2),
        (Fraction(0), 0),
        (Fraction(-1, 2), -1),
    ],
)
def test_round_half_up(value: Fraction, cents: int) -> None:
    assert round_half_up(value) == cents


def test_level_payment_at_zero_and_at_interest() -> None:
    assert level_payment_cents(1_000_000, 36, 0, "monthly") == 27778
    assert level_payment_cents(123456, 12, 600, "monthly") == 10625


@pytest.mark.parametrize(
    ("terms", "words"),
    [
        (PlanTerms(0, "monthly", FIRST, installments=3), "balance must be more"),
        (PlanTerms(1000, "monthly", FIRST, installments=3, down_payment_cents=-1), "negative"),
        (PlanTerms(1000, "monthly", FIRST, installments=3, down_payment_cents=1000), "whole balance"),
        (PlanTerms(1000, "daily", FIRST, installments=3), "unknown frequency"),
        (PlanTerms(1000, "monthly", FIRST), "not both"),
        (PlanTerms(1000, "monthly", FIRST, installments=3, installment_cents=500), "not both"),
        (PlanTerms(1000, "monthly", FIRST, installments=0), "between 1 and"),
        (PlanTerms(100_000, "weekly", FIRST, installments=MAX_INSTALLMENTS + 1), "between 1 and"),
        (PlanTerms(1000, "monthly", FIRST, installment_cents=0), "more than $0.00"),
        (PlanTerms(1000, "monthly", FIRST, installments=3, apr_bps=-1), "between 0% and 100%"),
        (PlanTerms(1000, "monthly", FIRST, installments=3, apr_bps=10_001), "between 0% and 100%"),
        (PlanTerms(15, "monthly", FIRST, installments=10), "too many for this balance"),
        (PlanTerms(100_000, "monthly", FIRST, installment_cents=1000, apr_bps=1200), "does not cover"),
        (PlanTerms(10_000_000, "weekly", FIRST, installment_cents=1000), "too small"),
    ],
)
def test_terms_the_calculator_refuses(terms: PlanTerms, words: str) -> None:
    with pytest.raises(PlanError, match=words.replace("$", r"\$")):
        build_schedule(terms)
