"""Installment schedules: level amounts that sum exactly, and calendar due dates.

Monthly dates keep the first due date's day of month and clamp to the
month's end (Jan 31 -> Feb 28/29 -> Mar 31), via python-dateutil.
"""

from __future__ import annotations

from datetime import date, timedelta

from dateutil.relativedelta import relativedelta


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
