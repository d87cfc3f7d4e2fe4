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


# What the office's letters say of the office (12 CFR 1006.34(c)(2)(i): the debt collector's name
# and the mailing address at which it accepts disputes; the phone and hours of 1006.34(d)(3)(i)).
# The address is its lines, one per line of the value. ``letters.collector_website`` may be unset.
LETTERS_COLLECTOR_NAME = "letters.collector_name"
LETTERS_COLLECTOR_ADDRESS = "letters.collector_address"
LETTERS_COLLECTOR_PHONE = "letters.collector_phone"
LETTERS_COLLECTOR_HOURS = "letters.collector_hours"
LETTERS_COLLECTOR_WEBSITE = "letters.collector_website"
LETTERS_REQUIRED = (
    LETTERS_COLLECTOR_NAME,
    LETTERS_COLLECTOR_ADDRESS,
    LETTERS_COLLECTOR_PHONE,
    LETTERS_COLLECTOR_HOURS,
)
# A demo database's letters come from nobody: values no one could take for a real agency (the
# 555-01xx numbers are reserved for fiction; ZZ is no state).
DEMO_LETTERS_SENDER = {
    LETTERS_COLLECTOR_NAME: "Example Collections (demo, fictional)",
    LETTERS_COLLECTOR_ADDRESS: "PO Box 0000\nNowhere, ZZ 00000",
    LETTERS_COLLECTOR_PHONE: "(555) 010-0199",
    LETTERS_COLLECTOR_HOURS: "Monday to Friday, 8 a.m. to 6 p.m. Eastern",
}


def letters_sender_settings(session: Session, *, demo: bool) -> dict[str, str]:
    """The ``letters.*`` settings that are set (a demo database: the fictional ones where unset).
    Which are missing is for the caller to say: a letter without them is refused."""
    found = {
        key: value
        for key in (*LETTERS_REQUIRED, LETTERS_COLLECTOR_WEBSITE)
        if (value := office_setting(session, key)) is not None and value.strip()
    }
    return {**DEMO_LETTERS_SENDER, **found} if demo else found
