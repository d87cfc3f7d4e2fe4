"""How old a debt is, in the buckets collectors talk in."""

from __future__ import annotations

from datetime import date

AGE_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("0-30", 0, 30),
    ("31-60", 31, 60),
    ("61-90", 61, 90),
    ("91-120", 91, 120),
    ("120+", 121, None),
)


def age_in_days(since: date | None, today: date) -> int | None:
    """Days from the first statement (or service date) to ``today``; never negative."""
    if since is None:
        return None
    return max(0, (today - since).days)


def age_bucket(days: int | None) -> str:
    """The bucket label for an age in days; ``"-"`` when the age is unknown."""
    if days is None:
        return "-"
    days = max(0, days)
    for label, low, high in AGE_BUCKETS:
        if days >= low and (high is None or days <= high):
            return label
    return AGE_BUCKETS[-1][0]
