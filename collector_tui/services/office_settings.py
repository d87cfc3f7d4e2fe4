"""The office's settings: short key/value facts kept in ``office_setting``.

Whether this is a demo database and its default users, whether collectors may
work unassigned accounts, the policies an admin stored, when every account's
call state was last worked out, the office's time zone (``office.time_zone``). Read and
written through Core, as every table (:mod:`collector_tui.db.tables`).
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlmodel import Session

from collector_tui.db.tables import SETTING_T
from collector_tui.domain.office_day import (
    DEFAULT_OFFICE_ZONE,
    OFFICE_ZONE_KEY,
    OfficeZoneError,
    office_date,
    office_zone,
)
from collector_tui.services.bulk import put_row
from collector_tui.services.errors import ServiceError


def office_setting(session: Session, key: str) -> str | None:
    """The setting's value, or None when it was never set."""
    found = session.execute(select(SETTING_T.c.value).where(SETTING_T.c.key == key)).scalar_one_or_none()
    return None if found is None else str(found)


def put_office_setting(session: Session, key: str, value: str) -> None:
    """Set ``key`` to ``value``, whether or not it was set before."""
    put_row(session, SETTING_T, {"key": key}, {"value": value})


def office_time_zone(session: Session) -> ZoneInfo:
    """The office's time zone (``office.time_zone``; America/New_York when never set).

    A stored value that is no time zone (written by hand) is refused, naming the key, rather than
    counting "today" in a zone nobody chose.
    """
    name = office_setting(session, OFFICE_ZONE_KEY) or DEFAULT_OFFICE_ZONE
    try:
        return office_zone(name)
    except OfficeZoneError as exc:
        raise ServiceError(f"{exc}; an admin sets it with `collector office time-zone ZONE`") from None


def office_today(session: Session, now: datetime) -> date:
    """The office's day at ``now`` (in its time zone): what "today" means for deadlines and alarms."""
    return office_date(now, office_time_zone(session))
