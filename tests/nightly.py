"""The login running the tests, made a user of a test database: the nightly commands (imports,
refresh, plans evaluate, exports) refuse a login that is no user of the database."""

from __future__ import annotations

from sqlalchemy import insert, select

from collector_tui.db.models import Collector, table_of
from collector_tui.services.database import open_database
from collector_tui.services.team.identity import os_login
from collector_tui.vocabulary import Role
from tests.conftest import NOW

COLLECTOR_T = table_of(Collector)


def add_os_login(url: str, role: str = Role.OPERATOR) -> str:
    """Make the OS login an active ``role`` user of the database at ``url`` (a ``sqlite:///``
    URL or a file path) and return the login; a no-op if it is one already.

    A plain insert, without the ``user.add`` audit event: tests count the rows an import writes.
    """
    login = os_login()
    db = open_database(url if "://" in url else f"sqlite:///{url}")
    try:
        with db.writing() as session:
            known = session.execute(select(COLLECTOR_T.c.id).where(COLLECTOR_T.c.login == login)).first()
            if known is None:
                session.execute(
                    insert(COLLECTOR_T).values(
                        login=login, display_name="Test runner", role=role, active=True, created_at=NOW
                    )
                )
    finally:
        db.close()
    return login
