"""Local time at the consumer: the calling window, inconvenient times, business days.

A consumer may be in several zones (an area code that spans two, a state
split by a zone line, a number moved across the country). A moment is
convenient only if it is convenient in every zone the consumer may be in, so
every check here takes a tuple of zones and must hold in all of them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DAY_SETS = {"daily": tuple(range(7)), "weekdays": tuple(range(5)), "weekends": (5, 6)}
_PERIOD = re.compile(r"^(?:(?P<days>[a-z,\-]+)\s+)?(?P<start>\d{1,2}:\d{2})\s*-\s*(?P<end>\d{1,2}:\d{2})$")


class InconvenientTimesError(ValueError):
    """The consumer's inconvenient times are not in the ``[days] HH:MM-HH:MM; ...`` form."""


@dataclass(frozen=True, slots=True)
class Period:
    """A weekly period of local time: ``weekdays`` (0 = Monday), minutes from midnight, end exclusive."""

    weekdays: tuple[int, ...]
    start_minute: int
    end_minute: int

    def covers(self, local: datetime) -> bool:
        minute = local.hour * 60 + local.minute
        return local.weekday() in self.weekdays and self.start_minute <= minute < self.end_minute


@lru_cache(maxsize=4096)
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def _minutes(text: str) -> int:
    hours, minutes = (int(part) for part in text.split(":"))
    if not (0 <= hours <= 24 and 0 <= minutes < 60) or (hours == 24 and minutes):
        raise InconvenientTimesError(f"{text} is not a time of day")
    return hours * 60 + minutes


def _weekdays(text: str | None) -> tuple[int, ...]:
    if not text:
        return _DAY_SETS["daily"]
    days: set[int] = set()
    for part in text.split(","):
        if part in _DAY_SETS:
            days.update(_DAY_SETS[part])
        elif "-" in part:
            first, _, last = part.partition("-")
            if first not in WEEKDAYS or last not in WEEKDAYS:
                raise InconvenientTimesError(f"{part} is not a range of days (mon-fri)")
            a, b = WEEKDAYS.index(first), WEEKDAYS.index(last)
            days.update(range(a, b + 1) if a <= b else [*range(a, 7), *range(0, b + 1)])
        elif part in WEEKDAYS:
            days.add(WEEKDAYS.index(part))
        else:
            raise InconvenientTimesError(f"{part} is not a day (mon..sun, weekdays, weekends, daily)")
    return tuple(sorted(days))


@lru_cache(maxsize=1024)
def parse_inconvenient(text: str | None) -> tuple[Period, ...]:
    """``"mon-fri 12:00-13:00; sun 00:00-24:00"``: the consumer's inconvenient periods (local time)."""
    if not text or not text.strip():
        return ()
    periods = []
    for item in text.lower().split(";"):
        item = item.strip()
        if not item:
            continue
        match = _PERIOD.match(item)
        if match is None:
            raise InconvenientTimesError(f"'{item}' is not '[days] HH:MM-HH:MM'")
        start, end = _minutes(match["start"]), _minutes(match["end"])
        if start >= end:
            raise InconvenientTimesError(f"'{item}' ends before it starts")
        periods.append(Period(_weekdays(match["days"]), start, end))
    return tuple(periods)


def inside_window(zones: Iterable[str], moment: datetime, start: time, end: time) -> bool:
    """True when ``moment`` is within [start, end) local time in every zone."""
    for name in zones:
        local = moment.astimezone(zone(name)).time()
        if not (start <= local < end):
            return False
    return True


def inconvenient(zones: Iterable[str], moment: datetime, periods: tuple[Period, ...]) -> bool:
    """True when ``moment`` falls in one of the periods in any zone the consumer may be in."""
    if not periods:
        return False
    return any(p.covers(moment.astimezone(zone(name))) for name in zones for p in periods)


def _local_instants(zones: Iterable[str], day: date, minutes: Iterable[int]) -> list[datetime]:
    instants = []
    for name in zones:
        tz = zone(name)
        for minute in minutes:
            local = datetime.combine(day, time()) + timedelta(minutes=minute)
            instants.append(local.replace(tzinfo=tz).astimezone(UTC))
    return instants


def next_moment(
    after: datetime,
    zones: tuple[str, ...],
    allowed: Callable[[datetime], bool],
    boundaries: Iterable[int],
    *,
    days: int = 9,
) -> datetime | None:
    """The first moment at or after ``after`` where ``allowed`` holds, or None within ``days``.

    Whether a moment is allowed changes only at a local boundary (the window
    opening, an inconvenient period ending) in one of the zones, so those
    instants are the only candidates to try.
    """
    if allowed(after):
        return after
    minutes = sorted(set(boundaries))
    start_day = after.astimezone(UTC).date() - timedelta(days=1)
    candidates = sorted(
        {
            instant
            for offset in range(days + 2)
            for instant in _local_instants(zones, start_day + timedelta(days=offset), minutes)
            if instant > after
        }
    )
    return next((instant for instant in candidates if allowed(instant)), None)


def local_midnight(day: date, zone_name: str) -> datetime:
    """The UTC instant the local ``day`` begins in ``zone_name``."""
    return datetime.combine(day, time(), tzinfo=zone(zone_name)).astimezone(UTC)


@lru_cache(maxsize=64)
def _federal_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("US", years=year))


def is_business_day(day: date) -> bool:
    """Not a Saturday, Sunday or federal legal public holiday (the Reg F business day)."""
    return day.weekday() < 5 and day not in _federal_holidays(day.year)


def add_business_days(day: date, count: int) -> date:
    current = day
    while count > 0:
        current += timedelta(days=1)
        if is_business_day(current):
            count -= 1
    return current
