"""Who is at the keyboard: the operating-system login, matched to an active user of the database.

Every command acts as a user: the workstation and the interactive commands through
:func:`resolve_actor`, the nightly ones (imports, refresh, plans evaluate, exports) through
:func:`resolve_operator`, which also checks the role's permission. The one login that needs no
user is whoever adds the first admin to a database with no users (:func:`resolve_user_manager`).

A demo database has one rule for every command, the workstation, the interactive and the
nightly ones alike: you act as the demo user ``--as`` names, else as the demo's default user
(the collector ``mlopez``); the operating-system login plays no part (the demo's people are
invented). A command that user may not run is refused like anywhere else, and the refusal names
the demo users who may (``--as nightly`` for the nightly commands, ``--as sreed`` for the audit
log): :func:`demo_hint`. ``collector demo --build-only`` lists the demo's users and roles.
"""

from __future__ import annotations

import dataclasses
import os
from typing import Any

from sqlalchemy import Row, select
from sqlmodel import Session

from collector_tui.db.tables import COLLECTOR_T
from collector_tui.db.types import utc_now
from collector_tui.services import audit
from collector_tui.services.audit import Actor
from collector_tui.services.database import Database
from collector_tui.services.errors import AccessDeniedError
from collector_tui.services.office_settings import office_setting
from collector_tui.services.team.permissions import (
    ROLE_SYSTEM,
    Permission,
    allowed,
    refusal,
    require,
    require_active,
)

DEMO_KEY = "demo"
DEMO_DEFAULT_LOGIN_KEY = "demo_default_login"
DEMO_OPERATOR_LOGIN_KEY = "demo_operator_login"  # the demo's nightly user (collector_tui/demo/build.py)


def os_login() -> str:
    """The operating-system account running the process, from the real user id's entry in the
    user database: never from USER or LOGNAME, which anyone can set (``USER=admin collector``
    must not make anyone an admin). A user id with no entry (a bare container) is refused."""
    try:
        import pwd
    except ImportError:
        raise AccessDeniedError("this system has no user database to say who you are") from None
    uid = os.getuid()
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        raise AccessDeniedError(
            f"user id {uid} has no entry in this system's user database, so it has no login; "
            "run collector as a named account"
        ) from None


def is_demo(session: Session) -> bool:
    return office_setting(session, DEMO_KEY) == "1"


def _user(session: Session, login: str) -> Row[Any] | None:
    """The user ``login`` (what an :class:`Actor` is made of, and whether they are active)."""
    c = COLLECTOR_T.c
    return session.execute(
        select(c.id, c.login, c.role, c.display_name, c.active).where(c.login == login)
    ).first()


def _active(session: Session, login: str) -> Row[Any] | None:
    collector = _user(session, login)
    if collector is None or not collector.active:
        return None
    return collector


def _no_access(session: Session, login: str) -> str:
    """Why ``login`` may not open this database, and what to do about it (no PHI: a login only)."""
    known = _user(session, login)
    if known is None:
        return f"login '{login}' is not an active user of this database; ask an administrator to add you"
    return f"login '{login}' has been deactivated in this database; ask an administrator to reactivate it"


def demo_users(session: Session) -> list[tuple[str, str, str]]:
    """The demo's active users as (login, role, name), the default user first, then by role and
    login (the demo's staff are invented: no PHI)."""
    c = COLLECTOR_T.c
    default = office_setting(session, DEMO_DEFAULT_LOGIN_KEY)
    rows = session.execute(select(c.login, c.role, c.display_name).where(c.active)).all()
    order = {role: n for n, role in enumerate(("collector", "supervisor", "admin", "operator"))}
    return sorted(
        ((str(r.login), str(r.role), str(r.display_name)) for r in rows),
        key=lambda user: (user[0] != default, order.get(user[1], len(order)), user[0]),
    )


def demo_default_login(session: Session) -> str | None:
    """Whom every command acts as in a demo database without ``--as``."""
    return office_setting(session, DEMO_DEFAULT_LOGIN_KEY)


def demo_hint(db: Database, permission: Permission | None = None) -> str | None:
    """In a demo database, what to add to a refusal: the demo users who may (all when no
    ``permission`` is named) and how to act as one; None elsewhere."""
    with db.reading() as session:
        if not is_demo(session):
            return None
        users = demo_users(session)
    may = [login for login, role, _ in users if permission is None or allowed(role, permission)]
    if not may:
        return None
    choices = " or ".join(f"--as {login}" for login in may[:3])
    return f"in this demo database, use {choices} (collector demo --build-only lists its users)"


def resolve_actor(db: Database, *, login: str | None = None, act_as: str | None = None) -> Actor:
    """The acting user; ``act_as`` only in demo databases or for an admin, and audited.

    In a demo database: the ``act_as`` demo user, else the demo's default user, whatever the
    login (the one rule of the module docstring)."""
    with db.reading() as session:
        if is_demo(session):
            target = act_as or office_setting(session, DEMO_DEFAULT_LOGIN_KEY) or login or os_login()
            collector = _active(session, target)
            if collector is None:
                if _user(session, target) is not None:
                    raise AccessDeniedError(_no_access(session, target))
                raise AccessDeniedError(f"no active demo user '{target}' in this database")
            return Actor(collector.login, collector.id, collector.role, display_name=collector.display_name)
    real_login = login or os_login()
    with db.reading() as session:
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
    db: Database, *, permission: Permission, login: str | None = None, act_as: str | None = None
) -> Actor:
    """The actor of a nightly command (an import, refresh, plans evaluate, an export): the login's
    active user, as in :func:`resolve_actor`, whose role must carry ``permission`` (an operator's
    or an admin's for the nightly jobs; a collector is refused before anything is read or written).

    In a demo database the actor is :func:`resolve_actor`'s, as for every other command (its
    default user is a collector, who may not): the refusal names the demo users who may
    (``--as nightly``, the demo's operator).
    """
    actor = resolve_actor(db, login=login, act_as=act_as)
    if not allowed(actor.role, permission):
        hint = demo_hint(db, permission)
        message = refusal(actor, permission)
        raise AccessDeniedError(message if hint is None else f"{message}; {hint}")
    return actor


def nightly_job_actor(actor: Actor) -> Actor:
    """Whom a nightly job's rows and audit events name: the caller's login (and ``--as`` user),
    but no collector: the billing system's payments and the plan checks' timeline lines are
    nobody's work here, so their collector stays empty whoever runs the job."""
    return dataclasses.replace(actor, collector_id=None)


def resolve_user_manager(db: Database, *, login: str | None = None, act_as: str | None = None) -> Actor:
    """The actor of ``collector users``: the login's user, as in :func:`resolve_actor`; in a
    database with no users yet, whoever runs it there (the service account that owns the
    database) acts as ``system`` under its own name, which may only add the first admin
    (``services/team/users.py``)."""
    real_login = login or os_login()
    from collector_tui.services.team.users import has_users  # users builds on this module's actors

    with db.reading() as session:
        empty = not has_users(session)
    if empty and (act_as is None or act_as == real_login):
        return Actor(real_login, None, ROLE_SYSTEM, display_name="first admin")
    return resolve_actor(db, login=real_login, act_as=act_as)
