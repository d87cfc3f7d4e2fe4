"""Users of the database (collectors, supervisors, admins, and operators: the nightly job's
service account), managed by admins.

A deactivated user keeps their accounts: those stay assigned to them and show
as *orphaned* (open accounts of an inactive user) until a supervisor reassigns
them; their claims are released at once, and their next start, or next action
in a session still open, is refused. The database always keeps an active admin.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row, func, insert, select, update
from sqlmodel import Session

from collector_tui.db.tables import ACCOUNT_T, COLLECTOR_T
from collector_tui.domain.office_day import DEFAULT_OFFICE_ZONE, OFFICE_ZONE_KEY, OfficeZoneError, office_zone
from collector_tui.domain.phones import format_national, normalize_phone
from collector_tui.services import audit
from collector_tui.services.audit import Actor
from collector_tui.services.database import Database
from collector_tui.services.errors import AccessDeniedError, EntryError, NotFoundError, ServiceError
from collector_tui.services.office_settings import (
    LETTERS_COLLECTOR_ADDRESS,
    LETTERS_COLLECTOR_HOURS,
    LETTERS_COLLECTOR_NAME,
    LETTERS_COLLECTOR_PHONE,
    LETTERS_COLLECTOR_WEBSITE,
    letters_sender_settings,
    office_setting,
    office_time_zone,
    put_office_setting,
)
from collector_tui.services.team.permissions import (
    ALLOW_UNASSIGNED_KEY,
    ROLE_SYSTEM,
    Permission,
    allows_unassigned,
    can,
    require,
    require_active,
)
from collector_tui.vocabulary import AccountStatus, Role

LOGIN_LIMIT = 64
NAME_LIMIT = 120


@dataclass(frozen=True, slots=True)
class UserRow:
    """A user as an admin sees them; ``orphaned_accounts`` is their open accounts while inactive."""

    id: int
    login: str
    display_name: str
    role: str
    active: bool
    case_limit: int | None
    open_accounts: int
    orphaned_accounts: int


@dataclass(frozen=True, slots=True)
class RoleChange:
    login: str
    before: str
    after: str

    @property
    def changed(self) -> bool:
        return self.before != self.after


@dataclass(frozen=True, slots=True)
class Deactivation:
    login: str
    orphaned_accounts: int  # open accounts left assigned to them, for a supervisor to reassign
    claims_released: int


def has_users(session: Session) -> bool:
    """Does the database have any user yet? (None: the first admin is still to be added.)"""
    return session.execute(select(COLLECTOR_T.c.id).limit(1)).first() is not None


def _require_manager(session: Session, actor: Actor, *, adding_role: str | None = None) -> None:
    """Admins manage users; ``system``, whoever runs ``collector users add`` in a database with no
    users yet (see :func:`~.identity.resolve_user_manager`), may only add its first admin."""
    if can(actor, Permission.MANAGE_USERS):
        require_active(session, actor)
        return
    if actor.role == ROLE_SYSTEM and adding_role is not None and not has_users(session):
        if adding_role != Role.ADMIN:
            raise AccessDeniedError("this database has no users yet: add an admin first (--role admin)")
        return
    require(actor, Permission.MANAGE_USERS)


def _check_user_fields(login: str, display_name: str, role: str, case_limit: int | None) -> None:
    if role not in Role.codes():
        raise ServiceError(f"unknown role {role!r}; use one of {', '.join(Role.codes())}")
    if not login or not login.isprintable() or " " in login:
        raise ServiceError("a login is one word")
    if len(login) > LOGIN_LIMIT:
        raise ServiceError(f"a login is at most {LOGIN_LIMIT} characters")
    if not display_name.strip() or len(display_name) > NAME_LIMIT:
        raise ServiceError(f"a user's name is 1 to {NAME_LIMIT} characters")
    if case_limit is not None and case_limit < 0:
        raise ServiceError("a case limit is a number of accounts, 0 or more")


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
    """Add an active user in the caller's transaction (admins; the demo build passes ``SYSTEM``)."""
    _require_manager(session, actor, adding_role=role)
    _check_user_fields(login, display_name, role, case_limit)
    if session.execute(select(COLLECTOR_T.c.id).where(COLLECTOR_T.c.login == login)).first() is not None:
        raise ServiceError(f"user '{login}' already exists")
    user_id = session.execute(
        insert(COLLECTOR_T)
        .values(
            login=login,
            display_name=display_name.strip(),
            role=role,
            active=True,
            case_limit=case_limit,
            created_at=now,
        )
        .returning(COLLECTOR_T.c.id)
    ).scalar_one()
    audit.record(session, actor, "user.add", "collector", [user_id], at=now, details={"role": role})
    return int(user_id)


def create_user(
    db: Database,
    actor: Actor,
    *,
    login: str,
    display_name: str,
    role: str,
    now: datetime,
    case_limit: int | None = None,
) -> UserRow:
    """:func:`add_user` in its own transaction; the new user as :func:`list_users` shows them."""
    with db.writing() as session:
        user_id = add_user(
            session, actor, login=login, display_name=display_name, role=role, now=now, case_limit=case_limit
        )
        return _rows(session, user_id)[0]


def _open_accounts(session: Session, user_id: int | None = None) -> dict[int, int]:
    a = ACCOUNT_T.c
    query = (
        select(a.assigned_collector_id, func.count())
        .where(a.status == AccountStatus.OPEN, a.assigned_collector_id.is_not(None))
        .group_by(a.assigned_collector_id)
    )
    if user_id is not None:
        query = query.where(a.assigned_collector_id == user_id)
    return {int(owner): int(n) for owner, n in session.execute(query)}


def _rows(session: Session, user_id: int | None = None) -> list[UserRow]:
    c = COLLECTOR_T.c
    query = select(c.id, c.login, c.display_name, c.role, c.active, c.case_limit).order_by(c.login)
    if user_id is not None:
        query = query.where(c.id == user_id)
    owned = _open_accounts(session, user_id)
    rows = []
    for user in session.execute(query):
        count = owned.get(user.id, 0)
        rows.append(
            UserRow(
                user.id,
                user.login,
                user.display_name,
                user.role,
                user.active,
                user.case_limit,
                count,
                0 if user.active else count,
            )
        )
    return rows


def list_users(db: Database, actor: Actor) -> list[UserRow]:
    """Every user, by login, with their open accounts (orphaned for an inactive one). Admins only."""
    with db.reading() as session:
        _require_manager(session, actor)
        return _rows(session)


def _user(session: Session, login: str) -> Row[Any]:
    c = COLLECTOR_T.c
    user = session.execute(select(c.id, c.login, c.role, c.active).where(c.login == login)).first()
    if user is None:
        raise NotFoundError(f"no user '{login}'")
    return user


def _set_user(session: Session, user_id: int, **values: Any) -> None:
    session.execute(update(COLLECTOR_T).where(COLLECTOR_T.c.id == user_id).values(**values))


def _keep_an_admin(session: Session, user: Row[Any], doing: str) -> None:
    """Refuse to leave the database without an active admin (no one could manage users again)."""
    if user.role != Role.ADMIN or not user.active:
        return
    admins = session.execute(
        select(func.count())
        .select_from(COLLECTOR_T)
        .where(COLLECTOR_T.c.role == Role.ADMIN, COLLECTOR_T.c.active.is_(True))
    ).scalar_one()
    if admins <= 1:
        raise ServiceError(
            f"'{user.login}' is the last active administrator and cannot be {doing}; "
            "make another user an admin first"
        )


def set_role(db: Database, actor: Actor, login: str, role: str, *, now: datetime) -> RoleChange:
    """Give ``login`` another role (admins); setting the role they already have changes nothing."""
    if role not in Role.codes():
        raise ServiceError(f"unknown role {role!r}; use one of {', '.join(Role.codes())}")
    with db.writing() as session:
        _require_manager(session, actor)
        user = _user(session, login)
        before = user.role
        if before == role:
            return RoleChange(login, before, role)
        _keep_an_admin(session, user, "demoted")
        if role == Role.OPERATOR:
            _refuse_operator_with_accounts(session, user)
        _set_user(session, user.id, role=role)
        audit.record(
            session,
            actor,
            "user.set_role",
            "collector",
            [user.id],
            at=now,
            details={"from": before, "to": role},
        )
    return RoleChange(login, before, role)


def _refuse_operator_with_accounts(session: Session, user: Row[Any]) -> None:
    """An operator works no accounts: the user's open accounts must move to a collector first."""
    a = ACCOUNT_T.c
    owned = session.execute(
        select(func.count())
        .select_from(ACCOUNT_T)
        .where(a.assigned_collector_id == user.id, a.status == AccountStatus.OPEN)
    ).scalar_one()
    if owned:
        raise ServiceError(
            f"user '{user.login}' has {owned:,} open account(s); move them first "
            f"(collector assign --from {user.login} --to LOGIN), then make the user an operator"
        )


def deactivate(db: Database, actor: Actor, login: str, *, now: datetime) -> Deactivation:
    """Deactivate ``login`` (admins): no more access, claims released, accounts left orphaned."""
    a = ACCOUNT_T.c
    with db.writing() as session:
        _require_manager(session, actor)
        user = _user(session, login)
        if not user.active:
            raise ServiceError(f"user '{login}' is already inactive")
        _keep_an_admin(session, user, "deactivated")
        _set_user(session, user.id, active=False)
        claimed = a.claimed_by_id == user.id
        released = int(
            session.execute(select(func.count()).select_from(ACCOUNT_T).where(claimed)).scalar_one()
        )
        session.execute(update(ACCOUNT_T).where(claimed).values(claimed_by_id=None, claimed_at=None))
        orphaned = _open_accounts(session, user.id).get(user.id, 0)
        audit.record(
            session,
            actor,
            "user.deactivate",
            "collector",
            [user.id],
            at=now,
            details={"orphaned": orphaned, "claims_released": released},
        )
    return Deactivation(login, orphaned, released)


def reactivate(db: Database, actor: Actor, login: str, *, now: datetime) -> UserRow:
    """Let ``login`` in again (admins); accounts still assigned to them are theirs again."""
    with db.writing() as session:
        _require_manager(session, actor)
        user = _user(session, login)
        if user.active:
            raise ServiceError(f"user '{login}' is already active")
        _set_user(session, user.id, active=True)
        audit.record(session, actor, "user.reactivate", "collector", [user.id], at=now)
        return _rows(session, user.id)[0]


def orphaned_account_count(db: Database, actor: Actor) -> int:
    """Open accounts assigned to an inactive user: work nobody does until it is reassigned."""
    require(actor, Permission.REASSIGN)
    a, c = ACCOUNT_T.c, COLLECTOR_T.c
    with db.reading() as session:
        require_active(session, actor)
        return int(
            session.execute(
                select(func.count())
                .select_from(ACCOUNT_T)
                .join(COLLECTOR_T, c.id == a.assigned_collector_id)
                .where(a.status == AccountStatus.OPEN, c.active.is_(False))
            ).scalar_one()
        )


def office_allows_unassigned(db: Database) -> bool:
    """May collectors open and work accounts assigned to nobody? (see :mod:`.permissions`)"""
    with db.reading() as session:
        return allows_unassigned(session)


def set_allow_unassigned(db: Database, actor: Actor, allow: bool, *, now: datetime) -> bool:
    """Let collectors work unassigned accounts, or not (admins); returns the setting before."""
    with db.writing() as session:
        _require_manager(session, actor)
        before = allows_unassigned(session)
        _put_setting(session, actor, ALLOW_UNASSIGNED_KEY, "1" if allow else "0", now)
    return before


def _put_setting(session: Session, actor: Actor, key: str, value: str, now: datetime) -> None:
    """Write one office setting with its audit event (the caller has checked the actor)."""
    put_office_setting(session, key, value)
    audit.record(
        session,
        actor,
        "office.setting",
        "office_setting",
        [None],
        at=now,
        details={"key": key, "value": value},
    )


def office_zone_name(db: Database) -> str:
    """The office's time zone, where "today" begins for the team's results (any user)."""
    with db.reading() as session:
        return str(office_time_zone(session))


def set_office_zone(db: Database, actor: Actor, name: str, *, now: datetime) -> str:
    """Set the office's time zone (admins) to an IANA name; returns the zone before."""
    try:
        office_zone(name)
    except OfficeZoneError as exc:
        raise ServiceError(str(exc)) from None
    with db.writing() as session:
        _require_manager(session, actor)
        before = office_setting(session, OFFICE_ZONE_KEY) or DEFAULT_OFFICE_ZONE
        _put_setting(session, actor, OFFICE_ZONE_KEY, name, now)
    return before


@dataclass(frozen=True, slots=True)
class LettersSender:
    """What the office's letters say of the office, as an admin sets it (None: leave as it is)."""

    name: str | None = None
    address_lines: tuple[str, ...] | None = None
    phone: str | None = None
    hours: str | None = None
    website: str | None = None


SENDER_WIDTH = 200


def letters_sender(db: Database) -> dict[str, str]:
    """The ``letters.*`` settings on file (any user), by key; a key never set is absent."""
    with db.reading() as session:
        return letters_sender_settings(session, demo=False)


def set_letters_sender(db: Database, actor: Actor, sender: LettersSender, *, now: datetime) -> list[str]:
    """Set (admins) what the letters say of the office; returns the keys changed. Each value is
    checked before anything is written: a phone must be dialable, an address needs at least one
    line. One audit event per key, naming the key only (the values are the office's, not a code)."""
    problems: list[tuple[str, str]] = []
    values: dict[str, str] = {}
    for key, text, field in (
        (LETTERS_COLLECTOR_NAME, sender.name, "name"),
        (LETTERS_COLLECTOR_HOURS, sender.hours, "hours"),
        (LETTERS_COLLECTOR_WEBSITE, sender.website, "website"),
    ):
        if text is not None:
            values[key] = " ".join(text.split())[:SENDER_WIDTH]
            if not values[key] and key != LETTERS_COLLECTOR_WEBSITE:
                problems.append((field, "cannot be empty"))
    if sender.address_lines is not None:
        lines = [" ".join(line.split())[:SENDER_WIDTH] for line in sender.address_lines if line.strip()]
        if not lines:
            problems.append(("address", "needs at least one line"))
        values[LETTERS_COLLECTOR_ADDRESS] = "\n".join(lines)
    if sender.phone is not None:
        found = normalize_phone(sender.phone)
        if not found.valid:
            problems.append(("phone", "is not a dialable phone number (e.g. 800-555-0100)"))
        else:
            values[LETTERS_COLLECTOR_PHONE] = format_national(found.number)
    if problems:
        raise EntryError(problems)
    changed: list[str] = []
    with db.writing() as session:
        _require_manager(session, actor)
        for key, value in values.items():
            if (office_setting(session, key) or "") == value:
                continue
            put_office_setting(session, key, value)
            audit.record(
                session, actor, "office.setting", "office_setting", [None], at=now, details={"key": key}
            )
            changed.append(key)
    return changed
