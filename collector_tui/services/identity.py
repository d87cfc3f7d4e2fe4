"""Who is at the keyboard: the operating-system login, matched to an active collector."""

from __future__ import annotations

import getpass
import os

from sqlmodel import Session, select

from collector_tui.services import audit
from collector_tui.services.audit import Actor
from collector_tui.services.database import Database
from collector_tui.services.errors import AccessDeniedError
from collector_tui.services.permissions import ROLE_SYSTEM, Permission, allowed, require, require_active
from db.models import Collector, OfficeSetting
from db.types import utc_now

DEMO_KEY = "demo"
DEMO_DEFAULT_LOGIN_KEY = "demo_default_login"


def os_login() -> str:
    """The operating-system account running the process, from the real user id: not from USER or
    LOGNAME, which anyone can set (``USER=admin collector`` must not make anyone an admin)."""
    try:
        import pwd

        return pwd.getpwuid(os.getuid()).pw_name
    except (ImportError, KeyError):  # no passwd entry (a bare container) or not POSIX
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


def _no_access(session: Session, login: str) -> str:
    """Why ``login`` may not open this database, and what to do about it (no PHI: a login only)."""
    known = session.exec(select(Collector.active).where(Collector.login == login)).first()
    if known is None:
        return f"login '{login}' is not an active user of this database; ask an administrator to add you"
    return f"login '{login}' has been deactivated in this database; ask an administrator to reactivate it"


def resolve_actor(db: Database, *, login: str | None = None, act_as: str | None = None) -> Actor:
    """The acting user; ``act_as`` only in demo databases or for an admin, and audited."""
    real_login = login or os_login()
    with db.reading() as session:
        if is_demo(session):
            target = act_as or office_setting(session, DEMO_DEFAULT_LOGIN_KEY) or real_login
            collector = _active(session, target)
            if collector is None:
                known = session.exec(select(Collector.id).where(Collector.login == target)).first()
                if known is not None:
                    raise AccessDeniedError(_no_access(session, target))
                raise AccessDeniedError(f"no active demo user '{target}' in this database")
            return Actor(collector.login, collector.id, collector.role, display_name=collector.display_name)
        me = _active(session, real_login)
        if me is None:
            raise AccessDeniedError(_no_access(session, real_login))
        if act_as is None or act_as == real_login:
            return Actor(me.login, me.id, me.role, display_name=me.display_name)
        if not allowed(me.role, Permission.ACT_AS):
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
    require(
        me, Permission.VIEW_TEAM, "only a supervisor or an administrator may see another collector's queue"
    )
    with db.reading() as session:
        require_active(session, me)
        other = _active(session, login)
        if other is None:
            raise AccessDeniedError(f"no active user '{login}'")
        return Actor(other.login, other.id, other.role, display_name=other.display_name)


def resolve_operator(
    db: Database, *, purpose: str, login: str | None = None, act_as: str | None = None
) -> Actor:
    """The actor of a scripted command (a nightly export, the first admin of a new database).

    A login that is a user of the database acts as that user, with that user's rights (a
    collector may not export), and ``act_as`` works as in :func:`resolve_actor`; a deactivated
    user is refused. A login that is no user at all, i.e. the service account that owns the
    database and runs the nightly job, acts as ``system`` under its own name (see
    :mod:`.permissions` for what ``system`` may do). Demo databases follow the same rule: the
    demo's default user is for the workstation, not for scripts.
    """
    real_login = login or os_login()
    if act_as is not None and act_as != real_login:
        return resolve_actor(db, login=real_login, act_as=act_as)
    with db.reading() as session:
        known = session.exec(select(Collector).where(Collector.login == real_login)).first()
        if known is None:
            return Actor(real_login, None, ROLE_SYSTEM, display_name=purpose)
        if not known.active:
            raise AccessDeniedError(_no_access(session, real_login))
        return Actor(known.login, known.id, known.role, display_name=known.display_name)
