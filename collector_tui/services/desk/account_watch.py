"""Is the account on screen still the one the collector loaded? (a version number, nothing else)."""

from __future__ import annotations

from sqlalchemy import select

from collector_tui.db.tables import ACCOUNT_T
from collector_tui.services.database import Database


def account_version(db: Database, account_id: int) -> int | None:
    """The account's current version (None if it is gone): cheap enough to ask every few seconds."""
    with db.reading() as session:
        found = session.execute(select(ACCOUNT_T.c.version).where(ACCOUNT_T.c.id == account_id)).scalar()
    return None if found is None else int(found)
