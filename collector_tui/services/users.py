"""Users of the workstation (collectors, supervisors, admins)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert
from sqlmodel import Session, select

from collector_tui.services import audit
from collector_tui.services.audit import Actor
from collector_tui.services.errors import ServiceError
from db import codes
from db.models import Collector, table_of

COLLECTOR_T = table_of(Collector)


def add_user(
    session: Session,
    actor: Actor,
    *,
    login: str,
    display_name: str,
    role: str,
    now: datetime,
    case_limit: int | None = None,
) -> int:
    if role not in codes.ROLES:
        raise ServiceError(f"unknown role {role!r}; use one of {', '.join(codes.ROLES)}")
    if not login or not login.isprintable() or " " in login:
        raise ServiceError("a login is one word")
    if session.exec(select(Collector.id).where(Collector.login == login)).first() is not None:
        raise ServiceError(f"user '{login}' already exists")
    user_id = session.execute(
        insert(COLLECTOR_T)
        .values(
            login=login,
            display_name=display_name,
            role=role,
            active=True,
            case_limit=case_limit,
            created_at=now,
        )
        .returning(COLLECTOR_T.c.id)
    ).scalar_one()
    audit.record(session, actor, "user.add", "collector", [user_id], at=now, details={"role": role})
    return int(user_id)
