"""The office's settings: short key/value facts kept in ``office_setting``.

Whether this is a demo database and its default users, whether collectors may
work unassigned accounts, the policies an admin stored, when every account's
call state was last worked out. Read and written through Core, as every table
(:mod:`collector_tui.db.tables`).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import Session

from collector_tui.db.tables import SETTING_T
from collector_tui.services.bulk import put_row


def office_setting(session: Session, key: str) -> str | None:
    """The setting's value, or None when it was never set."""
    found = session.execute(select(SETTING_T.c.value).where(SETTING_T.c.key == key)).scalar_one_or_none()
    return None if found is None else str(found)


def put_office_setting(session: Session, key: str, value: str) -> None:
    """Set ``key`` to ``value``, whether or not it was set before."""
    put_row(session, SETTING_T, {"key": key}, {"value": value})
