"""The office's day: where "today" begins and ends in the office's time zone.

The office keeps one IANA time zone (the office setting ``office.time_zone``,
default :data:`DEFAULT_OFFICE_ZONE`); the team's results count "today", "this
month" and each chart day from its midnights. Stored moments are UTC, so each
local midnight is turned into the UTC moment it is (23 or 25 hours apart on the
days the clocks change).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

OFFICE_ZONE_KEY = "office.time_zone"
# Where nothing says otherwise, the office keeps Eastern time (the compliance engine's default
# day zone for a consumer whose zone is unknown is the same).
DEFAULT_OFFICE_ZONE = "America/New_York"


class OfficeZoneError(ValueError):
    """Not an IANA time zone; the message names the setting and the value."""


def office_zone(name: str) -> ZoneInfo:
    """``name`` as a time zone, or :class:`OfficeZoneError` naming ``office.time_zone``."""
    problem = f"{OFFICE_ZONE_KEY} must be an IANA time zone such as America/New_York or UTC (got {name!r})"
    if not name or name != name.strip() or name.startswith("/") or ".." in name:
        raise OfficeZoneError(problem)
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise OfficeZoneError(problem) from None


def office_date(moment: datetime, zone: ZoneInfo) -> date:
    """The office's calendar day at ``moment``."""
    return moment.astimezone(zone).date()


def day_start(day: date, zone: ZoneInfo) -> datetime:
    """The UTC moment the office's ``day`` begins (its local midnight)."""
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def day_bounds(day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """``day`` as the UTC moments [start, end) of the office's day."""
    return day_start(day, zone), day_start(day + timedelta(days=1), zone)
