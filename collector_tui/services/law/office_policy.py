"""The office's policies, kept in its database: an admin overrides a shipped policy, everyone works under it.

A policy decides what the office may do (when a consumer may be called, which plans need a
supervisor), so it cannot come from a user's environment or config file, where a collector could
loosen it for themselves. An admin stores an override per kind (``collector policy set KIND FILE``)
in ``office_setting`` under ``policy.<kind>``, as TOML merged over the shipped file; opening the
database (:func:`install_office_policies`, from ``services/database.py``) makes it this process's.
Who set it and when is the audit log's ``policy.set`` event.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import delete, select
from sqlmodel import Session

from collector_tui.db.tables import AUDIT_T, SETTING_T
from collector_tui.domain.compliance.policy import PolicyError
from collector_tui.domain.fingerprint import content_digest
from collector_tui.services import audit
from collector_tui.services.audit import Actor
from collector_tui.services.errors import AccessDeniedError, ServiceError
from collector_tui.services.law import policy
from collector_tui.services.office_settings import put_office_setting
from collector_tui.services.team.permissions import ROLE_SYSTEM, Permission, require, require_active

if TYPE_CHECKING:
    from collector_tui.services.database import Database

KINDS = tuple(policy.SHIPPED_FILES)
KEY_PREFIX = "policy."
MAX_POLICY_CHARS = 256 * 1024  # a policy file is a few kilobytes; anything this large is a mistake
SET, CLEAR = "policy.set", "policy.clear"  # audit actions
ENTITY = "office_setting"


@dataclass(frozen=True, slots=True)
class OfficePolicy:
    """One kind of policy as the database holds it: the override (None: the shipped policy) and what is
    in force with it."""

    kind: str
    override: str | None  # the office's TOML, merged over the shipped file
    override_digest: str | None
    set_by: str | None  # the login that set it, from its audit event (None: no event matches it)
    acting_as: str | None
    set_at: datetime | None
    version: str | None  # the policy in force (None when the stored override cannot be used)
    digest: str | None
    shipped_version: str
    problem: str | None = None  # why the stored override cannot be used


@dataclass(frozen=True, slots=True)
class PolicyChange:
    before: OfficePolicy
    after: OfficePolicy

    @property
    def changed(self) -> bool:
        return self.before.override != self.after.override


def policy_key(kind: str) -> str:
    if kind not in KINDS:
        raise ServiceError(f"unknown policy {kind!r}; use one of {', '.join(KINDS)}")
    return KEY_PREFIX + kind


def override_digest(text: str) -> str:
    """The digest of an override's text, as ``collector policy show`` and the audit log name it."""
    return content_digest(text)


def stored_overrides(session: Session) -> dict[str, str]:
    """The overrides this database holds, kind -> TOML text."""
    c = SETTING_T.c
    keys = {policy_key(kind): kind for kind in KINDS}
    rows = session.execute(select(c.key, c.value).where(c.key.in_(list(keys))))
    return {keys[row.key]: row.value for row in rows}


def install_office_policies(db: Database | None) -> None:
    """Make ``db``'s policies this process's (None: the shipped ones, for a database not yet at head,
    which holds none that this version can trust)."""
    if db is None:
        policy.install_overrides({})
        return
    with db.reading() as session:
        policy.install_overrides(stored_overrides(session))


def _setter(session: Session, kind: str, digest: str) -> tuple[str, str | None, datetime] | None:
    """Who set the override with ``digest`` and when: the latest ``policy.set`` event naming it."""
    e = AUDIT_T.c
    events = session.execute(
        select(e.actor, e.acting_as, e.occurred_at, e.details)
        .where(e.entity_type == ENTITY, e.entity_id.is_(None), e.action == SET)
        .order_by(e.id.desc())
    )
    for event in events:
        details = json.loads(event.details or "{}")
        if details.get("kind") == kind:
            if details.get("digest") != digest:
                return None  # stored by other means since: nobody to name
            return event.actor, event.acting_as, event.occurred_at
    return None


def _state(session: Session, kind: str) -> OfficePolicy:
    text = stored_overrides(session).get(kind)
    shipped = policy.effective_policy(kind)
    if text is None:
        digest = policy.policy_digest(shipped)
        return OfficePolicy(kind, None, None, None, None, None, shipped.version, digest, shipped.version)
    setter = _setter(session, kind, override_digest(text))
    by, acting_as, at = setter if setter is not None else (None, None, None)
    stored = OfficePolicy(kind, text, override_digest(text), by, acting_as, at, None, None, shipped.version)
    try:
        effective = policy.effective_policy(kind, text)
    except PolicyError as exc:
        return replace(stored, problem=str(exc))
    return replace(stored, version=effective.version, digest=policy.policy_digest(effective))


def _require_user(session: Session, actor: Actor) -> None:
    if actor.role == ROLE_SYSTEM:
        raise AccessDeniedError("only a user of this database may read its policies")
    require_active(session, actor)


def _require_admin(actor: Actor) -> None:
    """The office's policies are an office setting: whoever manages users and settings sets them."""
    who = actor.acting_as or actor.login
    require(
        actor,
        Permission.MANAGE_USERS,
        f"only an administrator may set the office's policies (you are {who}, {actor.role})",
    )


def office_policy(db: Database, actor: Actor, kind: str) -> OfficePolicy:
    """The ``kind`` policy of this office: the override, who set it when, and what is in force (any user)."""
    policy_key(kind)
    with db.reading() as session:
        _require_user(session, actor)
        return _state(session, kind)


def set_office_policy(
    db: Database, actor: Actor, kind: str, text: str, *, source: str, now: datetime
) -> PolicyChange:
    """Store ``text`` as the office's ``kind`` override (admins), audited in the same transaction.

    It is parsed merged over the shipped file first: one that cannot be used is refused with a
    message naming ``source`` (the file it came from), and nothing is stored. Setting the override
    already in force changes nothing.
    """
    key = policy_key(kind)
    _require_admin(actor)
    if len(text) > MAX_POLICY_CHARS:
        raise ServiceError(f"{source}: a policy file is at most {MAX_POLICY_CHARS // 1024} KiB")
    try:
        effective = policy.effective_policy(kind, text)
    except PolicyError as exc:
        raise ServiceError(f"{source}: {exc}") from None
    with db.writing() as session:
        require_active(session, actor)
        before = _state(session, kind)
        if before.override == text:
            return PolicyChange(before, before)
        put_office_setting(session, key, text)
        audit.record(
            session,
            actor,
            SET,
            ENTITY,
            [None],
            at=now,
            details={
                "kind": kind,
                "digest": override_digest(text),
                "policy_digest": policy.policy_digest(effective),
                "version": effective.version,
            },
        )
        after = _state(session, kind)
    install_office_policies(db)
    return PolicyChange(before, after)


def clear_office_policy(db: Database, actor: Actor, kind: str, *, now: datetime) -> PolicyChange:
    """Drop the office's ``kind`` override (admins): the shipped policy is in force again. Audited."""
    key = policy_key(kind)
    _require_admin(actor)
    with db.writing() as session:
        require_active(session, actor)
        before = _state(session, kind)
        if before.override is None:
            return PolicyChange(before, before)
        session.execute(delete(SETTING_T).where(SETTING_T.c.key == key))
        shipped = policy.effective_policy(kind)
        audit.record(
            session,
            actor,
            CLEAR,
            ENTITY,
            [None],
            at=now,
            details={
                "kind": kind,
                "digest": before.override_digest,
                "policy_digest": policy.policy_digest(shipped),
                "version": shipped.version,
            },
        )
        after = _state(session, kind)
    install_office_policies(db)
    return PolicyChange(before, after)
