"""Installment schedules: the amortizing plan exact to the cent, and calendar due dates.

The rounding convention (also stated in docs/plans.md and the agreement text):

- the periodic rate is the annual rate divided by the periods in a year
  (weekly 52, biweekly 26, semimonthly 24, monthly 12);
- the level installment is the exact amortizing payment, ``P*r / (1 - (1+r)**-n)``
  (``P/n`` at 0%), rounded half-up to the cent;
- each period's interest is the balance times the periodic rate, rounded half-up
  to the cent;
- the final installment absorbs the remainder, so the installments sum exactly to
  the principal plus the interest and the balance ends at $0.00.

$10,000.00 in 36 monthly installments at 0% is 35 x $277.78 and a last one of $277.70.
Given an installment amount instead of a count, the plan has the fewest installments
that pay the balance, and the last is smaller (or equal).

All arithmetic is on integer cents and exact fractions; no floats touch money.
Monthly dates keep the first due date's day of month and clamp to the month's
end (Jan 31 -> Feb 28/29 -> Mar 31), via python-dateutil.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction

from dateutil.relativedelta import relativedelta

PERIODS_PER_YEAR = {"weekly": 52, "biweekly": 26, "semimonthly": 24, "monthly": 12}
FREQUENCIES = tuple(PERIODS_PER_YEAR)
MAX_INSTALLMENTS = 520  # ten years of weekly payments: anything longer is a typing error
MAX_APR_BPS = 10_000  # 100% a year


class PlanError(ValueError):
    """Plan terms the calculator cannot turn into a schedule; the message says why, in plain words."""


@dataclass(frozen=True, slots=True)
class PlanTerms:
    """What the collector enters: exactly one of ``installments`` and ``installment_cents``."""

    balance_cents: int
    frequency: str
    first_due: date
    installments: int | None = None
    installment_cents: int | None = None
    down_payment_cents: int = 0
    apr_bps: int = 0  # annual rate in basis points: 600 is 6.00%

    @property
    def principal_cents(self) -> int:
        """What the installments pay: the balance less the down payment."""
        return self.balance_cents - self.down_payment_cents


@dataclass(frozen=True, slots=True)
class ScheduleRow:
    sequence: int  # 1 for the first installment
    due_date: date
    payment_cents: int
    interest_cents: int
    principal_cents: int
    balance_after_cents: int


@dataclass(frozen=True, slots=True)
class Schedule:
    terms: PlanTerms
    rows: tuple[ScheduleRow, ...]

    @property
    def count(self) -> int:
        return len(self.rows)

    @property
    def installment_cents(self) -> int:
        """The level installment (the first; only the last may differ)."""
        return self.rows[0].payment_cents

    @property
    def largest_installment_cents(self) -> int:
        return max(row.payment_cents for row in self.rows)

    @property
    def total_interest_cents(self) -> int:
        return sum(row.interest_cents for row in self.rows)

    @property
    def total_installments_cents(self) -> int:
        """Principal plus interest: what the installments add up to."""
        return sum(row.payment_cents for row in self.rows)

    @property
    def total_paid_cents(self) -> int:
        """Everything the consumer pays: the down payment and every installment."""
        return self.terms.down_payment_cents + self.total_installments_cents

    @property
    def first_due(self) -> date:
        return self.rows[0].due_date

    @property
    def last_due(self) -> date:
        return self.rows[-1].due_date


def round_half_up(value: Fraction) -> int:
    """``value`` (cents) to the nearest cent, halves away from zero."""
    if value < 0:
        return -round_half_up(-value)
    return (2 * value.numerator + value.denominator) // (2 * value.denominator)


def periodic_rate(apr_bps: int, frequency: str) -> Fraction:
    """The annual rate divided by the periods in a year, exactly."""
    return Fraction(apr_bps, 10_000 * _periods(frequency))


def level_payment_cents(principal_cents: int, count: int, apr_bps: int, frequency: str) -> int:
    """The exact amortizing payment for ``count`` periods, rounded half-up to the cent."""
    if count < 1:
        raise PlanError("a plan needs at least one installment")
    rate = periodic_rate(apr_bps, frequency)
    if rate == 0:
        return round_half_up(Fraction(principal_cents, count))
    growth = (1 + rate) ** count
    return round_half_up(principal_cents * rate * growth / (growth - 1))


def monthly_equivalent(amount_cents: int, frequency: str) -> Fraction:
    """An installment as a monthly amount: weekly x 52/12, biweekly x 26/12, semimonthly x 2."""
    return Fraction(amount_cents * _periods(frequency), 12)


def build_schedule(terms: PlanTerms) -> Schedule:
    """The schedule for ``terms`` under the rounding convention in this module's docstring."""
    _check_terms(terms)
    principal = terms.principal_cents
    rate = periodic_rate(terms.apr_bps, terms.frequency)
    if terms.installments is not None:
        payments = _count_driven(principal, terms.installments, rate, terms.apr_bps, terms.frequency)
    else:
        assert terms.installment_cents is not None  # _check_terms saw to it
        payments = _amount_driven(principal, terms.installment_cents, rate)
    dates = due_dates(terms.first_due, len(payments), terms.frequency)
    rows: list[ScheduleRow] = []
    balance = principal
    for sequence, ((payment, interest), due) in enumerate(zip(payments, dates, strict=True), start=1):
        balance -= payment - interest
        rows.append(ScheduleRow(sequence, due, payment, interest, payment - interest, balance))
    return Schedule(terms, tuple(rows))


def _periods(frequency: str) -> int:
    try:
        return PERIODS_PER_YEAR[frequency]
    except KeyError:
        raise PlanError(f"unknown frequency {frequency!r} (use {', '.join(FREQUENCIES)})") from None


def _check_terms(terms: PlanTerms) -> None:
    _periods(terms.frequency)
    if terms.balance_cents <= 0:
        raise PlanError("the balance must be more than $0.00")
    if terms.down_payment_cents < 0:
        raise PlanError("the down payment cannot be negative")
    if terms.principal_cents <= 0:
        raise PlanError("the down payment pays the whole balance: no plan is needed")
    if not 0 <= terms.apr_bps <= MAX_APR_BPS:
        raise PlanError("the interest rate must be between 0% and 100% a year")
    if (terms.installments is None) == (terms.installment_cents is None):
        raise PlanError("give either the number of installments or the installment amount, not both")
    if terms.installments is not None and not 1 <= terms.installments <= MAX_INSTALLMENTS:
        raise PlanError(f"the number of installments must be between 1 and {MAX_INSTALLMENTS}")
    if terms.installment_cents is not None and terms.installment_cents <= 0:
        raise PlanError("the installment must be more than $0.00")


def _count_driven(
    principal: int, count: int, rate: Fraction, apr_bps: int, frequency: str
) -> list[tuple[int, int]]:
    """(payment, interest) for ``count`` level payments, the last absorbing the remainder."""
    level = level_payment_cents(principal, count, apr_bps, frequency)
    payments: list[tuple[int, int]] = []
    balance = principal
    for _ in range(count - 1):
        interest = round_half_up(balance * rate)
        payments.append((level, interest))
        balance += interest - level
    interest = round_half_up(balance * rate)
    last = balance + interest
    if last <= 0:
        raise PlanError(
            f"{count} installments are too many for this balance: "
            "the rounded installments would pay it off early"
        )
    payments.append((last, interest))
    return payments


def _amount_driven(principal: int, amount: int, rate: Fraction) -> list[tuple[int, int]]:
    """(payment, interest) for the fewest payments of ``amount`` that pay ``principal``."""
    if round_half_up(principal * rate) >= amount:
        raise PlanError("the installment does not cover the interest: the balance would never go down")
    payments: list[tuple[int, int]] = []
    balance = principal
    while True:
        interest = round_half_up(balance * rate)
        if balance + interest <= amount:
            payments.append((balance + interest, interest))
            return payments
        if len(payments) == MAX_INSTALLMENTS - 1:
            raise PlanError(f"the installment is too small: the plan would need more than {MAX_INSTALLMENTS}")
        payments.append((amount, interest))
        balance += interest - amount


def level_installments(principal_cents: int, count: int) -> list[int]:
    """``count`` payments of principal/count rounded half-up; the last absorbs the rest.

    $10,000.00 in 36 gives 35 x $277.78 and a last payment of $277.70.
    """
    if count < 1:
        raise ValueError("a plan needs at least one installment")
    if principal_cents < 0:
        raise ValueError("a plan cannot pay a negative balance")
    level = (2 * principal_cents + count) // (2 * count)  # half-up
    amounts = [level] * (count - 1)
    amounts.append(principal_cents - level * (count - 1))
    if amounts[-1] < 0:
        # Rounding up made the others overshoot: fall back to rounding down.
        level = principal_cents // count
        amounts = [level] * (count - 1) + [principal_cents - level * (count - 1)]
    return amounts


def due_dates(first: date, count: int, frequency: str) -> list[date]:
    """The ``count`` due dates of a plan starting on ``first``."""
    if frequency == "weekly":
        return [first + timedelta(weeks=i) for i in range(count)]
    if frequency == "biweekly":
        return [first + timedelta(weeks=2 * i) for i in range(count)]
    if frequency == "monthly":
        return [first + relativedelta(months=i) for i in range(count)]
    if frequency == "semimonthly":
        return _semimonthly(first, count)
    raise ValueError(f"unknown frequency {frequency!r}")


def _semimonthly(first: date, count: int) -> list[date]:
    """The 1st and 15th of each month, starting on the first of those on or after ``first``."""
    dates: list[date] = []
    current = first.replace(day=1) if first.day == 1 else None
    if current is None:
        current = first.replace(day=15) if first.day <= 15 else first.replace(day=1) + relativedelta(months=1)
    while len(dates) < count:
        dates.append(current)
        current = (
            current.replace(day=15) if current.day == 1 else current.replace(day=1) + relativedelta(months=1)
        )
    return dates
