"""Who is at the keyboard: the operating-system login, matched to an active collector."""

from __future__ import annotations

import getpass

from sqlmodel import Session, select

from collector_tui.services import audit
from collector_tui.services.audit import Actor
from collector_tui.services.database import Database
from collector_tui.services.errors import AccessDeniedError
from db import codes
from db.models import Collector, OfficeSetting
from db.types import utc_now

DEMO_KEY = "demo"
DEMO_DEFAULT_LOGIN_KEY = "demo_default_login"


def os_login() -> str:
    return getpass.getuser()


def office_setting(session: Session, key: str) -> str | None:
    row = session.get(OfficeSetting, key)
    return None if row is None else row.value


def is_demo(session: Session) -> bool:
    return office_setting(session, DEMO_KEY) == "1"


def _active(session: Session, login: str) -> Collector | None:
    collector = session.exec(select(Collector).where(Collector.login == login)).first()
    if collector is None or not collector.active:
        return None
    return collector


def resolve_actor(db: Database, *, login: str | None = None, act_as: str | None = None) -> Actor:
    """The acting user; ``act_as`` only in demo databases or for an admin, and audited."""
    real_login = login or os_login()
    with db.reading() as session:
        if is_demo(session):
            target = act_as or office_setting(session, DEMO_DEFAULT_LOGIN_KEY) or real_login
            collector = _active(session, target)
            if collector is None:
                raise AccessDeniedError(f"no active demo user '{target}' in this database")
            return Actor(collector.login, collector.id, collector.role, display_name=collector.display_name)
        me = _active(session, real_login)
        if me is None:
            raise AccessDeniedError(
                f"login '{real_login}' is not an active user of this database; "
                "ask an administrator to add you"
            )
        if act_as is None or act_as == real_login:
            return Actor(me.login, me.id, me.role, display_name=me.display_name)
        if me.role != codes.ROLE_ADMIN:
            raise AccessDeniedError("only an administrator may act as another user")
        other = _active(session, act_as)
        if other is None:
            raise AccessDeniedError(f"no active user '{act_as}'")
        actor = Actor(me.login, other.id, other.role, acting_as=other.login, display_name=other.display_name)
    with db.writing() as session:
        audit.record(session, actor, "session.act_as", "collector", [other.id], at=utc_now())
    return actor


def actor_for_queue(db: Database, me: Actor, login: str | None) -> Actor:
    """Whose queue ``me`` may read: their own, or anyone's for a supervisor or admin."""
    if login is None or login == me.login:
        return me
    if me.role not in (codes.ROLE_SUPERVISOR, codes.ROLE_ADMIN):
        raise AccessDeniedError("only a supervisor or an administrator may see another collector's queue")
    with db.reading() as session:
        other = _active(session, login)
        if other is None:
            raise AccessDeniedError(f"no active user '{login}'")
        return Actor(other.login, other.id, other.role, display_name=other.display_name)
