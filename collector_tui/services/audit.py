"""Audit events: written in the same transaction as the change they record."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlmodel import Session

from collector_tui.db.tables import AUDIT_T
from collector_tui.services.bulk import insert_rows
from collector_tui.vocabulary import Role

DetailValue = int | str | bool | None | list[int] | list[str]


@dataclass(frozen=True, slots=True)
class Actor:
    """Who is acting: the login that is accountable, and whom they act as (admins, demo)."""

    login: str
    collector_id: int | None
    # A stored role, or "system": whoever adds the first admin to a database with no users.
    role: Role | Literal["system"]
    acting_as: str | None = None
    display_name: str = ""


SYSTEM = Actor(login="system", collector_id=None, role=Role.ADMIN, display_name="System")


def audit_rows(
    actor: Actor,
    action: str,
    entity_type: str,
    entity_ids: Iterable[int | None],
    *,
    at: datetime,
    details: Mapping[str, DetailValue] | None = None,
) -> list[dict[str, Any]]:
    text = json.dumps(dict(details), sort_keys=True) if details else None
    return [
        {
            "occurred_at": at,
            "actor": actor.login,
            "acting_as": actor.acting_as,
            "action": action,
            "entity_type": entity_type,
            "entity_id": entity_id,
            "details": text,
        }
        for entity_id in entity_ids
    ]


def record(
    session: Session,
    actor: Actor,
    action: str,
    entity_type: str,
    entity_ids: Iterable[int | None],
    *,
    at: datetime,
    details: Mapping[str, DetailValue] | None = None,
) -> None:
    """Write one audit event per entity id (ids, counts and codes only in ``details``)."""

    insert_rows(
        session,
        AUDIT_T,
        audit_rows(actor, action, entity_type, entity_ids, at=at, details=details),
    )
