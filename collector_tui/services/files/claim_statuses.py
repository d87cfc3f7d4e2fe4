"""Apply a payer's claim status reports (277, 277CA) to the claims on file.

``apply_claim_statuses`` runs in the caller's transaction and matches each reported claim by its
control number (TRN02, or REF*EJ) to ``insurance_claim.control_number``. A 277 moves no money (the
835 does that); it says where a claim stands, which a collector needs to know before calling:

- ``payer_claim_number`` takes the payer's ICN (REF*1K) when the report gives one;
- ``status_category`` and ``status_date`` take the claim's principal status (STC01-1, STC02, or
  the report's production date when STC02 is absent); a status dated before the one on file does
  not replace it, so a late or re-sent older file cannot turn the clock back;
- ``accepted_date`` takes the date of an A1 or A2 (received, accepted for processing): the proof
  the claim was filed in time. An earlier acceptance on file is never replaced by a later one;
- an F2 (finalized, denied) moves a pending claim to ``denied``; no other status changes
  ``insurance_claim.status`` (an F1 "paid" waits for the 835 that carries the money);
- a finalized status (F*) answers the claim's open denial follow-up that waits on the payer
  (``denial_item.response_due`` set): the wait is cleared, a ``payer_response`` action records
  the answer (``STC F1:65``) and the item is rescored. An acknowledgment (A*), a pending status
  or a request never does: receipt of a claim says nothing about the question a collector asked.

Claims with no match on file are counted, never written. Applying the same report again changes
nothing: every value written is the one already there, and a payer response already recorded for
an item (same reference) is not recorded twice. One ``claim_status.import`` audit event per call
carries counts and the file's digest, never a claim's or a patient's data.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from collector_tui.db.tables import AUDIT_T, CLAIM_T, DENIAL_ACTION_T, DENIAL_ITEM_T
from collector_tui.domain.office_day import office_date
from collector_tui.domain.x12.claim_status import (
    ClaimStatus as ReportedStatus,
)
from collector_tui.domain.x12.claim_status import (
    ClaimStatusReport,
    category_label,
    is_accepted,
    is_finalized,
    is_rejected,
)
from collector_tui.services.audit import Actor, audit_rows
from collector_tui.services.bulk import insert_rows, select_in_chunks, update_by_id
from collector_tui.services.office_settings import office_time_zone, office_today
from collector_tui.services.worklists.denial_items import rescore
from collector_tui.vocabulary import ApprovalStatus, ClaimStatus, DenialActionKind, DenialStatus

AUDIT_ACTION = "claim_status.import"
AUDIT_ENTITY = "claim_status_file"
DENIED = "F2"
REFERENCE_LENGTH = 64  # denial_action.reference


@dataclass
class ClaimStatusResult:
    """What applying the reports did (counts only). Category counts are over every reported claim."""

    claims: int = 0
    matched: int = 0
    unmatched: int = 0
    accepted: int = 0  # A1, A2
    rejected: int = 0  # A3, A4, A6, A7, A8
    finalized: int = 0  # F*
    updated: int = 0  # claims on file whose row changed
    accepted_dates: int = 0  # claims given (or moved to) an earlier accepted_date
    denied: int = 0  # pending claims now denied (F2)
    follow_ups_answered: int = 0  # open denial items whose wait on the payer ended


@dataclass
class _OnFile:
    """A claim's row as it is, then as the reports leave it."""

    claim_id: int
    account_id: int
    values: dict[str, Any]


_WRITTEN = ("payer_claim_number", "status_category", "status_date", "accepted_date", "status")


def apply_claim_statuses(
    session: Session,
    report: ClaimStatusReport | Sequence[ClaimStatusReport],
    *,
    file_sha256: str,
    actor: Actor,
    now: datetime,
) -> ClaimStatusResult:
    """Apply ``report`` (one, or a file's several) in the session's transaction (module docstring)."""
    reports = (report,) if isinstance(report, ClaimStatusReport) else tuple(report)
    reported = [(claim, r.production_date) for r in reports for claim in r.claims]
    result = ClaimStatusResult(claims=len(reported))
    on_file = _claims_on_file(session, [claim.control_number for claim, _ in reported])
    before = {number: dict(found.values) for number, found in on_file.items()}
    finalized: list[tuple[_OnFile, ReportedStatus, date | None]] = []
    for claim, produced in reported:
        result.accepted += is_accepted(claim.category)
        result.rejected += is_rejected(claim.category)
        result.finalized += is_finalized(claim.category)
        found = on_file.get(claim.control_number)
        if found is None:
            result.unmatched += 1
            continue
        result.matched += 1
        effective = claim.status_date or produced
        _take(found.values, claim, effective)
        if is_finalized(claim.category):
            finalized.append((found, claim, effective))

    updates = []
    for number, found in on_file.items():
        old, new = before[number], found.values
        if new == old:
            continue
        updates.append({"row_id": found.claim_id, **{key: new[key] for key in _WRITTEN}})
        result.accepted_dates += new["accepted_date"] != old["accepted_date"]
        result.denied += new["status"] != old["status"]
    if updates:
        update_by_id(session, CLAIM_T, updates)
    result.updated = len(updates)
    result.follow_ups_answered = _answer_follow_ups(session, finalized, now=now)

    details: dict[str, int | str] = {
        "claims": result.claims,
        "matched": result.matched,
        "unmatched": result.unmatched,
        "accepted": result.accepted,
        "rejected": result.rejected,
        "finalized": result.finalized,
        "updated": result.updated,
        "denied": result.denied,
        "follow_ups_answered": result.follow_ups_answered,
        "reports": len(reports),
        "file_sha256": file_sha256,
    }
    insert_rows(
        session, AUDIT_T, audit_rows(actor, AUDIT_ACTION, AUDIT_ENTITY, [None], at=now, details=details)
    )
    return result


def payer_response_reference(claim: ReportedStatus) -> str:
    """``STC F1:65``: what a payer response action names, and how a second one is recognised."""
    return f"STC {claim.category}:{claim.status_code}"[:REFERENCE_LENGTH]


def _take(values: dict[str, Any], claim: ReportedStatus, on: date) -> None:
    """Change ``values`` (one claim's row) as ``claim``'s status, effective ``on``, says."""
    if claim.payer_claim_number:
        values["payer_claim_number"] = claim.payer_claim_number
    if values["status_date"] is None or on >= values["status_date"]:
        values["status_category"], values["status_date"] = claim.category, on
    if is_accepted(claim.category) and (values["accepted_date"] is None or on < values["accepted_date"]):
        values["accepted_date"] = on
    if claim.category == DENIED and values["status"] == ClaimStatus.PENDING:
        values["status"] = ClaimStatus.DENIED


def _claims_on_file(session: Session, numbers: Sequence[str]) -> dict[str, _OnFile]:
    c = CLAIM_T.c
    return {
        row.control_number: _OnFile(row.id, row.account_id, {key: getattr(row, key) for key in _WRITTEN})
        for row in select_in_chunks(
            session,
            lambda part: select(c.id, c.account_id, c.control_number, *(c[key] for key in _WRITTEN)).where(
                c.control_number.in_(part)
            ),
            numbers,
        )
    }


def _answer_follow_ups(
    session: Session, finalized: Sequence[tuple[_OnFile, ReportedStatus, date | None]], *, now: datetime
) -> int:
    """Clear the wait of each open denial item a finalized status answers, recording the answer.

    A status dated before the item was last worked answers an older question (a 277 sent again
    late): the wait the collector set since stays."""
    if not finalized:
        return 0
    i, a = DENIAL_ITEM_T.c, DENIAL_ACTION_T.c
    waiting = {
        row.claim_id: row
        for row in select_in_chunks(
            session,
            lambda part: select(i.id, i.claim_id, i.account_id, i.worked_at).where(
                i.claim_id.in_(part), i.status == DenialStatus.OPEN, i.response_due.is_not(None)
            ),
            [found.claim_id for found, _, _ in finalized],
        )
    }
    if not waiting:
        return 0
    recorded = {
        (row.item_id, row.reference)
        for row in select_in_chunks(
            session,
            lambda part: select(a.item_id, a.reference).where(
                a.item_id.in_(part), a.kind == DenialActionKind.PAYER_RESPONSE
            ),
            [row.id for row in waiting.values()],
        )
    }
    answered: set[int] = set()
    cleared: list[dict[str, Any]] = []
    actions: list[dict[str, Any]] = []
    zone = office_time_zone(session)
    for found, claim, effective in finalized:
        item = waiting.get(found.claim_id)
        reference = payer_response_reference(claim)
        if item is None or (item.id, reference) in recorded:
            continue
        if (
            effective is not None
            and item.worked_at is not None
            and effective < office_date(item.worked_at, zone)
        ):
            continue
        recorded.add((item.id, reference))
        if item.id not in answered:
            answered.add(item.id)
            cleared.append({"row_id": item.id, "response_due": None, "updated_at": now})
        actions.append(
            {
                "item_id": item.id,
                "account_id": item.account_id,
                "collector_id": None,
                "kind": DenialActionKind.PAYER_RESPONSE,
                "occurred_at": now,
                "reference": reference,
                "note": category_label(claim.category),
                "amount_cents": 0,
                "approval": ApprovalStatus.NOT_NEEDED,
            }
        )
    update_by_id(session, DENIAL_ITEM_T, cleared)
    insert_rows(session, DENIAL_ACTION_T, actions)
    # The wait was part of the item's place in the worklist: its score follows the answer.
    rescore(session, office_today(session, now), item_ids=[row["row_id"] for row in cleared])
    return len(cleared)
