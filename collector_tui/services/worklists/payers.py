"""The payers a denial is worked with: the number to dial and the policy rules that apply.

The payer table is filled by the files (``denial_items.remember_payers``: the placement file's
payer names, the 835's payer loop), which never overwrite what a person set. A supervisor or an
admin corrects it here: the phone a collector dials to work a denial (normalised to E.164, so the
workstation dials and shows it one way), a note on it ("claims line, option 3"), and the key of
the payer's rules in ``policies/denials.toml`` (``[payers.KEY]``), for a payer whose name the
rules' name fragments do not catch. Every change is one transaction and one audit event (ids and
field names only: a payer is no patient, but the log stays ids and codes).

The key decides the deadlines of items opened from now on; an open item keeps the deadlines it
was opened with (they come from the payer's notice date, which does not change).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlmodel import Session

from collector_tui.db.queries import open_denial_item
from collector_tui.db.tables import DENIAL_ITEM_T, PAYER_T
from collector_tui.domain.denial_work import payer_key
from collector_tui.domain.phones import normalize_phone
from collector_tui.services import audit
from collector_tui.services.audit import Actor
from collector_tui.services.database import Database
from collector_tui.services.errors import EntryError
from collector_tui.services.law.policy import current_denial_policy
from collector_tui.services.team.permissions import Permission, require, require_active

NAME_WIDTH = 120
NOTE_WIDTH = 120
CODE_WIDTH = 40


@dataclass(frozen=True, slots=True)
class PayerLine:
    id: int
    name: str
    code: str | None  # the policy key a person set, if any
    rules: str  # the key of the rules that apply (the code's, a name fragment's, or "default")
    identifier: str | None
    phone: str | None  # E.164
    phone_note: str | None
    open_items: int  # open denial items with this payer
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class PayerChange:
    payer: PayerLine
    added: bool
    changed: tuple[str, ...]  # the fields changed: phone, code, note


def known_payer_keys() -> tuple[str, ...]:
    """The ``[payers.KEY]`` keys of the denial policy in force, in file order."""
    return tuple(rules.key for _, rules in current_denial_policy().payers)


def _lines(session: Session, name: str | None = None) -> tuple[PayerLine, ...]:
    p, d = PAYER_T.c, DENIAL_ITEM_T.c
    # One pass over the open items (the partial worklist index), counted by payer.
    open_items = {
        str(key): int(count)
        for key, count in session.execute(
            select(func.upper(d.payer_name), func.count())
            .where(open_denial_item())
            .group_by(func.upper(d.payer_name))
        )
    }
    statement = select(p.id, p.name, p.name_key, p.code, p.identifier, p.phone, p.phone_note, p.updated_at)
    if name is not None:
        statement = statement.where(p.name_key == payer_key(name))
    policy = current_denial_policy()
    return tuple(
        PayerLine(
            id=int(row.id),
            name=row.name,
            code=row.code,
            rules=policy.rules_for(row.name, row.code).key,
            identifier=row.identifier,
            phone=row.phone,
            phone_note=row.phone_note,
            open_items=open_items.get(row.name_key, 0),
            updated_at=row.updated_at,
        )
        for row in session.execute(statement.order_by(p.name))
    )


def list_payers(db: Database, actor: Actor) -> tuple[PayerLine, ...]:
    """Every payer on file, by name (any active user: a collector dials these numbers)."""
    with db.reading() as session:
        require_active(session, actor)
        return _lines(session)


def _phone(text: str, problems: list[tuple[str, str]]) -> str | None:
    if not text.strip():
        return None  # '' clears it
    found = normalize_phone(text)
    if not found.valid:
        problems.append(("phone", "is not a dialable phone number (e.g. 800-555-0100)"))
        return None
    return found.number


def _code(text: str, problems: list[tuple[str, str]]) -> str | None:
    key = text.strip()
    if not key:
        return None  # '' clears it: the name fragments decide again
    known = known_payer_keys()
    if key not in known:
        problems.append(("code", f"'{key[:CODE_WIDTH]}' names no payer rules; known: {', '.join(known)}"))
        return None
    return key


def _payer_named(session: Session, name: str) -> Any:
    """The payer of that name, however it is cased or spaced (the files may carry one payer as
    "Acme Health Plan" and "ACME HEALTH PLAN": it is one row, ``payer.name_key``); None for none."""
    p = PAYER_T.c
    columns = (p.id, p.name, p.code, p.phone, p.phone_note)
    return session.execute(select(*columns).where(p.name_key == payer_key(name))).first()


def set_payer(
    db: Database,
    actor: Actor,
    name: str,
    *,
    now: datetime,
    phone: str | None = None,
    code: str | None = None,
    note: str | None = None,
) -> PayerChange:
    """Change a payer's phone, rules key or phone note (``''`` clears one; ``None`` leaves it), or
    add the payer when no payer has that name (the name as the claims carry it). Supervisors and
    admins; every field is checked before anything is written (``EntryError`` names each)."""
    require(actor, Permission.VIEW_TEAM, "only a supervisor or an administrator may change a payer")
    problems: list[tuple[str, str]] = []
    shown = " ".join(name.split())[:NAME_WIDTH]
    if not shown:
        problems.append(("name", "is required: the payer's name as the claims carry it"))
    values: dict[str, str | None] = {}
    if phone is not None:
        values["phone"] = _phone(phone, problems)
    if code is not None:
        values["code"] = _code(code, problems)
    if note is not None:
        values["phone_note"] = note.strip()[:NOTE_WIDTH] or None
    if problems:
        raise EntryError(problems)
    p = PAYER_T.c
    with db.writing() as session:
        require_active(session, actor)
        found = _payer_named(session, shown)
        if found is None:
            row = {
                "name": shown,
                "name_key": payer_key(shown),
                "code": None,
                "identifier": None,
                "phone": None,
                "phone_note": None,
            }
            row.update(values)
            payer_id = int(
                session.execute(insert(PAYER_T).values(**row, updated_at=now).returning(p.id)).scalar_one()
            )
            changed = tuple(sorted(field for field, value in values.items() if value is not None))
            added, payer_name = True, shown
        else:
            payer_id, payer_name, added = int(found.id), found.name, False
            changed = tuple(sorted(f for f, value in values.items() if getattr(found, f) != value))
            if changed:
                session.execute(
                    update(PAYER_T)
                    .where(p.id == payer_id)
                    .values(updated_at=now, **{f: values[f] for f in changed})
                )
        names = [{"phone_note": "note"}.get(f, f) for f in changed]
        if added or names:  # a change to nothing is no event
            action = "payer.add" if added else "payer.set"
            audit.record(session, actor, action, "payer", [payer_id], at=now, details={"fields": names})
        (line,) = _lines(session, payer_name)
    return PayerChange(line, added, tuple(names))
