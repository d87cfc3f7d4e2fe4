"""Who may do what: the one place a role's rights are decided.

Every service asks here before it reads or changes what a role limits, and the
CLI and the screens only call services, so a refusal is the same on every path.
The role is the actor's effective one: an admin acting as a collector has a
collector's rights. An ``operator`` is the nightly job's service account, a user
like any other: it may run the nightly commands (imports, ``collector refresh``,
``collector plans evaluate``) and export, and nothing else: it opens and works
no account and is never given any (``services/worklists/assignments.py``). Everyone who
runs a command is a user of the database; the one exception is ``system``, the
login that adds the first admin to a database with no users yet
(``services/team/users.py``), which carries no permission at all.

Which accounts a collector may open and work: their own, and those assigned to
nobody unless the office turns that off (office setting ``allow_unassigned``,
``"0"`` or ``"1"``; on when absent; ``collector users unassigned off``).
Supervisors and admins may open and work any account.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any, Final

from sqlalchemy import false, or_, select
from sqlalchemy.sql import ColumnElement
from sqlmodel import Session

from collector_tui.db.tables import ACCOUNT_T, COLLECTOR_T
from collector_tui.services.audit import Actor
from collector_tui.services.errors import AccessDeniedError, NotFoundError
from collector_tui.services.office_settings import office_setting
from collector_tui.vocabulary import Role

ROLE_SYSTEM: Final = "system"  # whoever adds the first admin to a database with no users; no permissions
ALLOW_UNASSIGNED_KEY = "allow_unassigned"


class Permission(StrEnum):
    WORK_OWN_ACCOUNTS = "work_own_accounts"  # open and change the accounts assigned to you
    WORK_UNASSIGNED = "work_unassigned"  # ... and those assigned to nobody, if the office allows it
    VIEW_ANY_ACCOUNT = "view_any_account"  # open and find any account
    WORK_ANY_ACCOUNT = "work_any_account"  # change any account
    VIEW_TEAM = "view_team"  # another collector's queue, the team's results
    REASSIGN = "reassign"  # move accounts between collectors; see the orphaned ones
    APPROVE = "approve"  # approve or decline what a collector may not decide alone
    RELEASE_HOLD = "release_hold"
    OVERRIDE_COMPLIANCE = "override_compliance"  # log a call the compliance rules block, with a reason
    READ_AUDIT_LOG = "read_audit_log"
    EXPORT = "export"
    RUN_NIGHTLY = "run_nightly"  # imports, refresh, plans evaluate: every command of the nightly run
    MANAGE_USERS = "manage_users"
    ACT_AS = "act_as"  # --as another user (anyone may in a demo database)


_COLLECTOR = frozenset({Permission.WORK_OWN_ACCOUNTS, Permission.WORK_UNASSIGNED})
_SUPERVISOR = _COLLECTOR | {
    Permission.VIEW_ANY_ACCOUNT,
    Permission.WORK_ANY_ACCOUNT,
    Permission.VIEW_TEAM,
    Permission.REASSIGN,
    Permission.APPROVE,
    Permission.RELEASE_HOLD,
    Permission.OVERRIDE_COMPLIANCE,
    Permission.READ_AUDIT_LOG,
    Permission.EXPORT,
}
GRANTS: Mapping[str, frozenset[Permission]] = {
    Role.COLLECTOR: _COLLECTOR,
    Role.SUPERVISOR: _SUPERVISOR,
    Role.ADMIN: _SUPERVISOR | {Permission.MANAGE_USERS, Permission.ACT_AS, Permission.RUN_NIGHTLY},
    Role.OPERATOR: frozenset({Permission.RUN_NIGHTLY, Permission.EXPORT}),
}

# Who may, and what, in the words of a refusal.
_SUPERVISORS = "a supervisor or an administrator"
_WHO: Mapping[Permission, str] = {
    Permission.MANAGE_USERS: "an administrator",
    Permission.ACT_AS: "an administrator",
    Permission.WORK_OWN_ACCOUNTS: "a user",
    Permission.WORK_UNASSIGNED: "a user",
    Permission.RUN_NIGHTLY: "an operator or an administrator",
    Permission.EXPORT: "an operator, a supervisor or an administrator",
}
_DOING: Mapping[Permission, str] = {
    Permission.WORK_OWN_ACCOUNTS: "work accounts",
    Permission.WORK_UNASSIGNED: "work unassigned accounts",
    Permission.VIEW_ANY_ACCOUNT: "open another collector's account",
    Permission.WORK_ANY_ACCOUNT: "change another collector's account",
    Permission.VIEW_TEAM: "see the team's work",
    Permission.REASSIGN: "reassign accounts",
    Permission.APPROVE: "approve or decline",
    Permission.RELEASE_HOLD: "release a hold",
    Permission.OVERRIDE_COMPLIANCE: "override the compliance rules",
    Permission.READ_AUDIT_LOG: "read the audit log",
    Permission.EXPORT: "export",
    Permission.RUN_NIGHTLY: "run the nightly jobs (imports, refresh, plans evaluate)",
    Permission.MANAGE_USERS: "manage users",
    Permission.ACT_AS: "act as another user",
}


def allowed(role: str, permission: Permission) -> bool:
    """Does ``role`` carry ``permission``? (An unknown role carries nothing.)"""
    return permission in GRANTS.get(role, frozenset())


def can(actor: Actor, permission: Permission) -> bool:
    return allowed(actor.role, permission)


def refusal(actor: Actor, permission: Permission) -> str:
    """The plain refusal: who may, and who the actor is (a login and a role, never PHI)."""
    who = actor.acting_as or actor.login
    return f"only {_WHO.get(permission, _SUPERVISORS)} may {_DOING[permission]} (you are {who}, {actor.role})"


def require(actor: Actor, permission: Permission, message: str | None = None) -> None:
    """Refuse with :class:`AccessDeniedError` unless the actor's role carries ``permission``."""
    if not can(actor, permission):
        raise AccessDeniedError(message or refusal(actor, permission))


def allows_unassigned(session: Session) -> bool:
    """May collectors open and work accounts assigned to nobody? (office setting; on by default)"""
    value = office_setting(session, ALLOW_UNASSIGNED_KEY)
    return value is None or value.strip() != "0"


def may_work_account(actor: Actor, owner_id: int | None, *, unassigned_allowed: bool) -> bool:
    """May the actor change an account owned by ``owner_id`` (None: assigned to nobody)?"""
    return _may(actor, owner_id, Permission.WORK_ANY_ACCOUNT, unassigned_allowed)


def may_view_account(actor: Actor, owner_id: int | None, *, unassigned_allowed: bool) -> bool:
    """May the actor open (or find) an account owned by ``owner_id``?"""
    return _may(actor, owner_id, Permission.VIEW_ANY_ACCOUNT, unassigned_allowed)


def _may(actor: Actor, owner_id: int | None, any_account: Permission, unassigned_allowed: bool) -> bool:
    if can(actor, any_account):
        return True
    if owner_id is None:
        return unassigned_allowed and can(actor, Permission.WORK_UNASSIGNED)
    return owner_id == actor.collector_id and can(actor, Permission.WORK_OWN_ACCOUNTS)


def viewable_accounts_clause(
    actor: Actor, owner_column: Any, *, unassigned_allowed: bool
) -> ColumnElement[bool] | None:
    """The SQL form of :func:`may_view_account` over an account's owner column (None: every account)."""
    if can(actor, Permission.VIEW_ANY_ACCOUNT):
        return None
    parts: list[ColumnElement[bool]] = []
    if actor.collector_id is not None and can(actor, Permission.WORK_OWN_ACCOUNTS):
        parts.append(owner_column == actor.collector_id)
    if unassigned_allowed and can(actor, Permission.WORK_UNASSIGNED):
        parts.append(owner_column.is_(None))
    return or_(*parts) if parts else false()


def require_active(session: Session, actor: Actor) -> None:
    """Refuse an actor whose user was deactivated after their session began.

    Actors that are not a user (``system`` adding the first admin, the demo build's in-process
    actor, a nightly job's actor, whose user :func:`~.identity.resolve_operator` checked) pass; so
    does a user id the database does not hold, which only hand-made test actors carry.
    """
    c = COLLECTOR_T.c
    ids = [actor.collector_id] if actor.collector_id is not None else []
    logins = [actor.login] if actor.acting_as is not None else []  # the admin behind an --as session
    if not ids and not logins:
        return
    rows = session.execute(select(c.login, c.active).where(or_(c.id.in_(ids), c.login.in_(logins)))).all()
    for row in rows:
        if not row.active:
            raise AccessDeniedError(
                f"user '{row.login}' has been deactivated; ask an administrator to reactivate it"
            )


def require_account_work(session: Session, actor: Actor, account_id: int, owner_id: int | None) -> None:
    """Refuse a change to account ``account_id`` (owned by ``owner_id``) the actor may not make."""
    require_active(session, actor)
    if may_work_account(actor, owner_id, unassigned_allowed=allows_unassigned(session)):
        return
    if owner_id is None:
        raise AccessDeniedError(
            f"account {account_id} is assigned to nobody, and this office lets only supervisors "
            "work unassigned accounts"
        )
    raise AccessDeniedError(f"account {account_id} is assigned to another collector")


def require_account_view(session: Session, actor: Actor, account_id: int, *, refusal: str) -> int | None:
    """Refuse an account the actor may not open, as the workspace does (``services/desk/accounts.py``):
    with :class:`NotFoundError` and ``refusal``, the caller's words for an account that does not
    exist, so a refusal tells nothing about the account. Returns its owner's id."""
    require_active(session, actor)
    owner = session.execute(
        select(ACCOUNT_T.c.assigned_collector_id).where(ACCOUNT_T.c.id == account_id)
    ).scalar_one_or_none()
    if not may_view_account(actor, owner, unassigned_allowed=allows_unassigned(session)):
        raise NotFoundError(refusal)
    return None if owner is None else int(owner)
