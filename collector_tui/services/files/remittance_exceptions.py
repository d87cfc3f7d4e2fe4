"""The 835 exception list: every CLP an imported remittance could not post, until someone resolves it.

``collector import remittance`` keeps a claim it cannot post (no claim on file with its CLP01, a
CLP02 23 "not our claim", a status it does not know) as a ``remittance_exception`` row, never
dropping it: the payer's money or word is real even when it matches nothing here. This module is
where supervisors and admins see those rows and close them, from ``collector exceptions`` and the
approval list alike, so both paths refuse and audit the same way.

Resolving takes a reason *code* from :data:`RESOLUTIONS`, not free text: the table has no column
for a note, and audit details hold ids, counts and codes only (never words a person typed, which
could carry PHI). The code goes in the ``remittance_exception.resolve`` event's details.

Rows carry the payer, the trace number and the provider's own claim number (CLP01), never a
patient's name.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Final

from sqlalchemy import func, select, update
from sqlmodel import Session

from collector_tui.db.tables import REMITTANCE_EXCEPTION_T, REMITTANCE_T
from collector_tui.domain.x12.remittance import CLAIM_STATUSES
from collector_tui.services import audit
from collector_tui.services.audit import Actor
from collector_tui.services.database import Database
from collector_tui.services.errors import EntryError, NotFoundError, ServiceError
from collector_tui.services.team.permissions import Permission, require, require_active

RESOLVE_ACTION: Final = "remittance_exception.resolve"
# Why an exception is closed, as a code (stored in the audit event) and in words (shown).
RESOLUTIONS: Final[Mapping[str, str]] = {
    "matched_by_hand": "matched to a claim by hand",
    "not_ours": "not our claim",
    "sent_back_to_payer": "sent back to the payer",
    "duplicate": "a duplicate",
    "other": "other",
}
MAX_PAGE: Final = 1_000


@dataclass(frozen=True, slots=True)
class RemittanceExceptionRow:
    """One open exception, as a supervisor reads it: the remittance it came in and the CLP it is."""

    exception_id: int
    remittance_id: int
    payer_name: str
    trace_number: str  # TRN02
    payment_date: date | None  # BPR16
    control_number: str  # CLP01: the provider's claim number as billed (no patient name)
    status_code: str  # CLP02
    paid_cents: int  # CLP04
    reason: str  # why it could not post, in words
    imported_at: datetime  # when the remittance was posted

    @property
    def status_label(self) -> str:
        """CLP02 in plain words ("not our claim, forwarded to additional payer(s)")."""
        return status_label(self.status_code)


def status_label(code: str) -> str:
    """A CLP02 code in plain words; a code the 835 reader does not know says so."""
    return CLAIM_STATUSES.get(code, f"unknown status {code}")


def resolution_codes() -> tuple[str, ...]:
    """The reason codes :func:`resolve_exception` takes, in the order to offer them."""
    return tuple(RESOLUTIONS)


def _require_supervisor(session: Session, actor: Actor) -> None:
    """The same right as the approval list (``services/team/approvals``): these wait for a supervisor."""
    require(actor, Permission.APPROVE)
    require_active(session, actor)


def open_exceptions(
    db: Database, actor: Actor, *, after: int | None = None, limit: int = 200
) -> list[RemittanceExceptionRow]:
    """The unresolved exceptions, oldest first, ``limit`` at a time: the next page starts after the
    last one's ``exception_id`` (keyset on the id, so a row resolved meanwhile shifts nothing)."""
    if not 1 <= limit <= MAX_PAGE:
        raise ServiceError(f"the page size must be 1 to {MAX_PAGE}, not {limit}")
    e, r = REMITTANCE_EXCEPTION_T.c, REMITTANCE_T.c
    query = (
        select(
            e.id,
            e.remittance_id,
            r.payer_name,
            r.trace_number,
            r.payment_date,
            e.control_number,
            e.status_code,
            e.paid_cents,
            e.reason,
            r.imported_at,
        )
        .join(REMITTANCE_T, r.id == e.remittance_id)
        .where(e.resolved_at.is_(None))
        .order_by(e.id)
        .limit(limit)
    )
    if after is not None:
        query = query.where(e.id > after)
    with db.reading() as session:
        _require_supervisor(session, actor)
        rows = session.execute(query).all()
    return [
        RemittanceExceptionRow(
            exception_id=int(row.id),
            remittance_id=int(row.remittance_id),
            payer_name=row.payer_name,
            trace_number=row.trace_number,
            payment_date=row.payment_date,
            control_number=row.control_number,
            status_code=row.status_code,
            paid_cents=int(row.paid_cents),
            reason=row.reason,
            imported_at=row.imported_at,
        )
        for row in rows
    ]


def open_exception_count(db: Database, actor: Actor) -> int:
    """How many exceptions wait (a screen's summary line, without reading them all)."""
    e = REMITTANCE_EXCEPTION_T.c
    with db.reading() as session:
        _require_supervisor(session, actor)
        query = select(func.count()).select_from(REMITTANCE_EXCEPTION_T).where(e.resolved_at.is_(None))
        found = session.execute(query).scalar_one()
    return int(found)


def resolve_exception(db: Database, actor: Actor, exception_id: int, reason: str, *, now: datetime) -> str:
    """Close one exception with a reason code from :data:`RESOLUTIONS`; returns what happened, in
    words. It leaves the open list; the audit event names it, its remittance and the code. Resolving
    one already resolved is refused: the first decision stands."""
    code = reason.strip()
    if code not in RESOLUTIONS:
        raise EntryError([("reason", f"choose one of {', '.join(RESOLUTIONS)}, not {code!r}")])
    e = REMITTANCE_EXCEPTION_T.c
    with db.writing() as session:
        _require_supervisor(session, actor)
        row = session.execute(select(e.remittance_id, e.resolved_at).where(e.id == exception_id)).first()
        if row is None:
            raise NotFoundError(f"remittance exception {exception_id} not found")
        if row.resolved_at is not None:
            raise ServiceError(f"remittance exception {exception_id} is already resolved")
        session.execute(
            update(REMITTANCE_EXCEPTION_T)
            .where(e.id == exception_id, e.resolved_at.is_(None))
            .values(resolved_at=now)
        )
        audit.record(
            session,
            actor,
            RESOLVE_ACTION,
            "remittance_exception",
            [exception_id],
            at=now,
            details={"remittance": int(row.remittance_id), "reason": code},
        )
    return f"Remittance exception {exception_id} resolved: {RESOLUTIONS[code]}"
