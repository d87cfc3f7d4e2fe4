"""Facilities: the hospitals and clinics whose accounts the office works, and what the rules read of them.

A facility's compliance regime (``third_party``, an agency, or ``first_party``, the provider's own
business office), whether it is a nonprofit hospital (the 501(r) rules), its state and the address
of its financial-assistance policy are set by an admin with ``collector facilities add|set``, or by
the placement file's ``facility_*`` columns (``services/files/placements.py``). Every change is one
``facility.add`` or ``facility.set`` audit event naming each field changed, from and to, in the
transaction that makes it. The stored call state reads the facility's regime, nonprofit status and
state, so a change to one of them recomputes the call state of the facility's open accounts at
once, in batches, in the same transaction: the queue is right the moment the change commits.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, insert, select, update
from sqlmodel import Session

from collector_tui.db.tables import ACCOUNT_T, FACILITY_T
from collector_tui.domain.geography import is_us_state
from collector_tui.domain.placement import fap_policy_url_problem
from collector_tui.services import audit
from collector_tui.services.audit import Actor
from collector_tui.services.database import Database
from collector_tui.services.errors import AccessDeniedError, NotFoundError, ServiceError
from collector_tui.services.law.compliance import refresh_call_state
from collector_tui.services.team.permissions import ROLE_SYSTEM, Permission, require, require_active
from collector_tui.vocabulary import AccountStatus, Regime

CODE_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,31}")
NAME_LIMIT = 200
RECOMPUTE_BATCH = 2000  # accounts whose call state is recomputed per step
FIELDS = ("name", "regime", "nonprofit", "state", "fap_policy_url")
# What the stored call state reads of a facility: a change recomputes its accounts.
RULE_FIELDS = frozenset({"regime", "nonprofit", "state"})

FacilityValue = str | bool | None
_YES_NO = {"yes": True, "y": True, "true": True, "no": False, "n": False, "false": False}


class FacilityFieldError(ServiceError):
    """A value a facility cannot take: ``field`` (one of :data:`FIELDS`, or ``code``) and why."""

    def __init__(self, field_name: str, reason: str) -> None:
        super().__init__(f"{field_name} {reason}")
        self.field = field_name
        self.reason = reason


@dataclass(frozen=True, slots=True)
class FacilityRow:
    id: int
    code: str
    name: str
    regime: str
    nonprofit: bool
    state: str | None
    fap_policy_url: str | None
    open_accounts: int


@dataclass(frozen=True, slots=True)
class FacilityChange:
    """What a change did: each field changed (before, after) and how many accounts were recomputed."""

    facility: FacilityRow
    changes: Mapping[str, tuple[FacilityValue, FacilityValue]] = field(default_factory=dict)
    recomputed: int = 0
    created: bool = False

    @property
    def changed(self) -> bool:
        return self.created or bool(self.changes)


def _require_admin(session: Session, actor: Actor) -> None:
    """The office's facilities are an office setting: whoever manages users and settings sets them."""
    who = actor.acting_as or actor.login
    require(
        actor,
        Permission.MANAGE_USERS,
        f"only an administrator may change the office's facilities (you are {who}, {actor.role})",
    )
    require_active(session, actor)


def _require_user(session: Session, actor: Actor) -> None:
    if actor.role == ROLE_SYSTEM:
        raise AccessDeniedError("only a user of this database may list its facilities")
    require_active(session, actor)


def check_code(code: str) -> str:
    if CODE_PATTERN.fullmatch(code) is None:
        raise FacilityFieldError(
            "code", "must be 1 to 32 letters, digits, '.', '_' or '-', starting with one"
        )
    return code


def checked_values(values: Mapping[str, FacilityValue]) -> dict[str, FacilityValue]:
    """``values`` normalised (a state in capitals, an empty state or address cleared), or the first
    :class:`FacilityFieldError`. Keys not in :data:`FIELDS` are refused: nothing else is set here."""
    checked: dict[str, FacilityValue] = {}
    for name, value in values.items():
        if name not in FIELDS:
            raise FacilityFieldError(name, "is not a facility field")
        if name == "name":
            text = str(value or "").strip()
            if not text or len(text) > NAME_LIMIT or not text.isprintable():
                raise FacilityFieldError("name", f"must be 1 to {NAME_LIMIT} printable characters")
            checked[name] = text
        elif name == "regime":
            if value not in Regime.codes():
                raise FacilityFieldError("regime", f"must be {' or '.join(sorted(Regime.codes()))}")
            checked[name] = value
        elif name == "nonprofit":
            answer = _YES_NO.get(value.strip().lower()) if isinstance(value, str) else value
            if not isinstance(answer, bool):
                raise FacilityFieldError("nonprofit", "must be yes or no")
            checked[name] = answer
        elif name == "state":
            text = str(value or "").strip().upper()
            if text and not (len(text) == 2 and is_us_state(text)):
                raise FacilityFieldError("state", "must be a two-letter US state or territory code")
            checked[name] = text or None
        else:
            text = str(value or "").strip()
            problem = fap_policy_url_problem(text) if text else None
            if problem is not None:
                raise FacilityFieldError("fap_policy_url", problem)
            checked[name] = text or None
    return checked


def _open_accounts(session: Session, facility_id: int | None = None) -> dict[int, int]:
    a = ACCOUNT_T.c
    query = select(a.facility_id, func.count()).where(a.status == AccountStatus.OPEN).group_by(a.facility_id)
    if facility_id is not None:
        query = query.where(a.facility_id == facility_id)
    return {int(f_id): int(n) for f_id, n in session.execute(query)}


def _rows(session: Session, facility_id: int | None = None) -> list[FacilityRow]:
    c = FACILITY_T.c
    query = select(c.id, c.code, c.name, c.regime, c.nonprofit, c.state, c.fap_policy_url).order_by(c.code)
    if facility_id is not None:
        query = query.where(c.id == facility_id)
    counts = _open_accounts(session, facility_id)
    return [
        FacilityRow(
            int(row.id),
            row.code,
            row.name,
            row.regime,
            bool(row.nonprofit),
            row.state,
            row.fap_policy_url,
            counts.get(int(row.id), 0),
        )
        for row in session.execute(query)
    ]


def list_facilities(db: Database, actor: Actor) -> list[FacilityRow]:
    """Every facility, by code, with its open accounts (any user of the database)."""
    with db.reading() as session:
        _require_user(session, actor)
        return _rows(session)


def _facility_id(session: Session, code: str) -> int:
    found = session.execute(select(FACILITY_T.c.id).where(FACILITY_T.c.code == code)).scalar_one_or_none()
    if found is None:
        raise NotFoundError(f"no facility '{code}'; add it with collector facilities add")
    return int(found)


def shown(value: FacilityValue) -> str:
    """A facility value as a person reads it (yes/no, none)."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return value


def recompute_call_state(
    session: Session, facility_ids: Iterable[int], now: datetime, *, batch: int = RECOMPUTE_BATCH
) -> int:
    """Recompute the stored call state of every open account of the facilities (and their
    guarantors' phones), ``batch`` accounts at a time, in the caller's transaction; returns how
    many accounts were recomputed."""
    a = ACCOUNT_T.c
    wanted = sorted(set(facility_ids))
    seen = 0
    last_id = 0
    while wanted:
        ids = [
            int(i)
            for i in session.execute(
                select(a.id)
                .where(a.id > last_id, a.facility_id.in_(wanted), a.status == AccountStatus.OPEN)
                .order_by(a.id)
                .limit(batch)
            ).scalars()
        ]
        if not ids:
            break
        refresh_call_state(session, ids, now)
        seen += len(ids)
        last_id = ids[-1]
    return seen


def update_facility(
    session: Session,
    actor: Actor,
    facility_id: int,
    values: Mapping[str, FacilityValue],
    *,
    now: datetime,
    batch_id: int | None = None,
) -> FacilityChange:
    """Set ``values`` on the facility in the caller's transaction, audited as ``facility.set``.

    The caller checks who may (an admin, or the nightly import of a placement file). Values the
    facility already has change nothing and write no event. A change of what the call state
    reads (:data:`RULE_FIELDS`) recomputes the facility's open accounts here.
    """
    checked = checked_values(values)
    [before] = _rows(session, facility_id)
    changes = {
        name: (getattr(before, name), value)
        for name, value in checked.items()
        if getattr(before, name) != value
    }
    if not changes:
        return FacilityChange(before)
    session.execute(
        update(FACILITY_T)
        .where(FACILITY_T.c.id == facility_id)
        .values({name: after for name, (_, after) in changes.items()})
    )
    recomputed = recompute_call_state(session, [facility_id], now) if RULE_FIELDS & set(changes) else 0
    details: dict[str, audit.DetailValue] = {"code": before.code}
    details.update({name: f"{shown(old)} -> {shown(new)}" for name, (old, new) in changes.items()})
    details["accounts_recomputed"] = recomputed
    if batch_id is not None:
        details["batch"] = batch_id
    audit.record(session, actor, "facility.set", "facility", [facility_id], at=now, details=details)
    [after] = _rows(session, facility_id)
    return FacilityChange(after, changes, recomputed)


def add_facility(
    db: Database,
    actor: Actor,
    code: str,
    *,
    name: str | None,
    now: datetime,
    regime: str | None = None,
    nonprofit: bool | str | None = None,
    state: str | None = None,
    fap_policy_url: str | None = None,
) -> FacilityChange:
    """Add a facility (admins), audited as ``facility.add`` with the values it starts with."""
    given = {"regime": regime, "nonprofit": nonprofit, "state": state, "fap_policy_url": fap_policy_url}
    with db.writing() as session:
        _require_admin(session, actor)
        check_code(code)
        if name is None:
            raise FacilityFieldError("name", "is required: the facility's name")
        values = checked_values({"name": name, **{k: v for k, v in given.items() if v is not None}})
        if session.execute(select(FACILITY_T.c.id).where(FACILITY_T.c.code == code)).first() is not None:
            raise ServiceError(f"facility '{code}' already exists; change it with collector facilities set")
        row = {
            "code": code,
            "name": values["name"],
            "regime": values.get("regime", Regime.THIRD_PARTY),
            "nonprofit": values.get("nonprofit", False),
            "state": values.get("state"),
            "fap_policy_url": values.get("fap_policy_url"),
        }
        facility_id = int(
            session.execute(insert(FACILITY_T).values(row).returning(FACILITY_T.c.id)).scalar_one()
        )
        details: dict[str, audit.DetailValue] = {
            "code": code,
            **{name: shown(row[name]) for name in FIELDS},
        }
        audit.record(session, actor, "facility.add", "facility", [facility_id], at=now, details=details)
        [added] = _rows(session, facility_id)
    return FacilityChange(added, created=True)


def set_facility(
    db: Database,
    actor: Actor,
    code: str,
    *,
    now: datetime,
    name: str | None = None,
    regime: str | None = None,
    nonprofit: bool | str | None = None,
    state: str | None = None,
    fap_policy_url: str | None = None,
) -> FacilityChange:
    """Change a facility (admins; an empty ``state`` or ``fap_policy_url`` clears it)."""
    given = {
        "name": name,
        "regime": regime,
        "nonprofit": nonprofit,
        "state": state,
        "fap_policy_url": fap_policy_url,
    }
    with db.writing() as session:
        _require_admin(session, actor)
        values = checked_values({k: v for k, v in given.items() if v is not None})
        if not values:
            raise ServiceError(
                "nothing to change: give --name, --regime, --nonprofit, --state or --fap-policy-url"
            )
        return update_facility(session, actor, _facility_id(session, code), values, now=now)
