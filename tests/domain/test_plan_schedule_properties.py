"""Properties of every schedule the calculator makes (hypothesis).

For any terms it accepts: the installments sum exactly to principal plus
interest, each is positive, all but the last are equal, due dates strictly
increase and the balance ends at zero. The last installment differs from the
others by less than the number of installments in cents at 0%; with interest
the roundings compound, and the bound is the sum of the growth factors (see
``test_with_interest_two_half_cents_can_make_the_gap_equal_the_count``).
"""

from __future__ import annotations

import itertools
from datetime import date
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from collector_tui.domain.plan_schedule import (
    FREQUENCIES,
    PERIODS_PER_YEAR,
    PlanTerms,
    Schedule,
    build_schedule,
    level_installments,
    level_payment_cents,
    periodic_rate,
    round_half_up,
)

MAX_BALANCE = 10_000_000_00  # the largest balance an account may carry
dates = st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31))


@st.composite
def count_terms(draw: st.DrawFn, max_apr_bps: int = 3600) -> PlanTerms:
    """Up to three years of installments at up to 36% a year, each installment at least n cents."""
    frequency = draw(st.sampled_from(FREQUENCIES))
    count = draw(st.integers(min_value=1, max_value=3 * PERIODS_PER_YEAR[frequency]))
    balance = draw(st.integers(min_value=count * count, max_value=MAX_BALANCE))
    down = draw(st.integers(min_value=0, max_value=balance - count * count))
    return PlanTerms(
        balance_cents=balance,
        frequency=frequency,
        first_due=draw(dates),
        installments=count,
        down_payment_cents=down,
        apr_bps=draw(st.integers(min_value=0, max_value=max_apr_bps)),
    )


def _sums_exactly_and_ends_at_zero(schedule: Schedule) -> None:
    terms = schedule.terms
    rows = schedule.rows
    assert sum(r.payment_cents for r in rows) == terms.principal_cents + schedule.total_interest_cents
    assert schedule.total_paid_cents == terms.balance_cents + schedule.total_interest_cents
    assert sum(r.principal_cents for r in rows) == terms.principal_cents
    assert rows[-1].balance_after_cents == 0
    assert all(r.payment_cents > 0 for r in rows)
    assert all(r.balance_after_cents > 0 for r in rows[:-1])
    assert [r.sequence for r in rows] == list(range(1, len(rows) + 1))
    assert all(a.due_date < b.due_date for a, b in itertools.pairwise(rows))
    assert (schedule.first_due, schedule.last_due) == (rows[0].due_date, rows[-1].due_date)
    # Each period's interest is the balance still owed times the periodic rate, rounded half-up.
    rate = periodic_rate(terms.apr_bps, terms.frequency)
    owed = terms.principal_cents
    for row in rows:
        assert row.interest_cents == round_half_up(owed * rate)
        assert row.payment_cents == row.interest_cents + row.principal_cents
        owed -= row.principal_cents
        assert row.balance_after_cents == owed


@settings(max_examples=300, deadline=None)
@given(count_terms())
def test_count_driven_schedules(terms: PlanTerms) -> None:
    schedule = build_schedule(terms)
    _sums_exactly_and_ends_at_zero(schedule)
    assert terms.installments is not None
    n = terms.installments
    assert schedule.count == n
    level = level_payment_cents(terms.principal_cents, n, terms.apr_bps, terms.frequency)
    assert all(r.payment_cents == level for r in schedule.rows[:-1])
    # The gap is a sum of n roundings (each under a cent), each grown by the interest after it.
    rate = periodic_rate(terms.apr_bps, terms.frequency)
    bound = sum((1 + rate) ** k for k in range(n))
    assert abs(schedule.rows[-1].payment_cents - level) < bound


@settings(max_examples=300, deadline=None)
@given(count_terms(max_apr_bps=0))
def test_at_zero_percent_the_last_differs_by_less_than_the_count(terms: PlanTerms) -> None:
    schedule = build_schedule(terms)
    assert terms.installments is not None
    n = terms.installments
    payments = [r.payment_cents for r in schedule.rows]
    assert abs(payments[-1] - payments[0]) < n
    assert abs(payments[-1] - payments[0]) <= n // 2  # n roundings of at most half a cent
    assert schedule.total_interest_cents == 0
    assert payments == level_installments(terms.principal_cents, n)  # the existing helper agrees


def test_with_interest_two_half_cents_can_make_the_gap_equal_the_count() -> None:
    """$1,586.00 in 2 monthly installments at 3%: both roundings land on a half cent.

    The exact payment is $795.97499 (rounded down to $795.97), the first month's
    interest $3.965 (rounded up to $3.97) and the second's $1.985 (up to $1.99):
    the last installment is 2 cents more, not less than 2. The convention is kept;
    the bound is 1 + 1.0025 cents, the sum of the growth factors.
    """
    schedule = build_schedule(PlanTerms(158_600, "monthly", date(2027, 1, 15), installments=2, apr_bps=300))
    assert [r.payment_cents for r in schedule.rows] == [79597, 79599]
    assert [r.interest_cents for r in schedule.rows] == [397, 199]
    rate = Fraction(3, 1200)
    assert abs(79599 - 79597) < 1 + (1 + rate)


@st.composite
def amount_terms(draw: st.DrawFn) -> PlanTerms:
    frequency = draw(st.sampled_from(FREQUENCIES))
    balance = draw(st.integers(min_value=1, max_value=MAX_BALANCE))
    down = draw(st.integers(min_value=0, max_value=balance - 1))
    apr_bps = draw(st.integers(min_value=0, max_value=3600))
    principal = balance - down
    first_interest = round_half_up(principal * periodic_rate(apr_bps, frequency))
    # At most about 300 installments, and more than the first period's interest.
    least = max(first_interest + 1, -(-principal // 300) + first_interest)
    amount = draw(st.integers(min_value=least, max_value=max(least, principal + first_interest + 100)))
    return PlanTerms(
        balance_cents=balance,
        frequency=frequency,
        first_due=draw(dates),
        installment_cents=amount,
        down_payment_cents=down,
        apr_bps=apr_bps,
    )


@settings(max_examples=300, deadline=None)
@given(amount_terms())
def test_amount_driven_schedules(terms: PlanTerms) -> None:
    schedule = build_schedule(terms)
    _sums_exactly_and_ends_at_zero(schedule)
    amount = terms.installment_cents
    assert amount is not None
    assert all(r.payment_cents == amount for r in schedule.rows[:-1])
    assert 0 < schedule.rows[-1].payment_cents <= amount
    # The fewest installments: one fewer would leave something owed.
    if schedule.count > 1:
        assert schedule.rows[-2].balance_after_cents > 0


@settings(max_examples=200, deadline=None)
@given(count_terms())
def test_a_count_plan_quoted_again_by_its_amount(terms: PlanTerms) -> None:
    """Entering the level installment as the amount gives the same plan, or one tiny extra installment.

    When the last installment is at most the level one the two plans are the same;
    when it is more (the level was rounded down), n level payments leave a few cents.
    """
    schedule = build_schedule(terms)
    again = build_schedule(
        PlanTerms(
            terms.balance_cents,
            terms.frequency,
            terms.first_due,
            installment_cents=schedule.installment_cents,
            down_payment_cents=terms.down_payment_cents,
            apr_bps=terms.apr_bps,
        )
    )
    if schedule.rows[-1].payment_cents <= schedule.installment_cents:
        assert again.rows == schedule.rows
    else:
        assert again.count == schedule.count + 1
        assert again.rows[:-2] == schedule.rows[:-1]
        gap = schedule.rows[-1].payment_cents - schedule.installment_cents
        assert again.rows[-1].payment_cents == gap + again.rows[-1].interest_cents
