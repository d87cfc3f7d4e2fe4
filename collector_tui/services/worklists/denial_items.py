"""Denial items: opened by the payers' files and the placement file, closed when a payer pays.

Every function runs in the caller's transaction (the remittance posting's, the placement
import's), so an item opens exactly when the money it is about posts. The rules (which adjustment
is a denial, what fixes it, the deadlines, the order) are ``domain/denial_work``'s; this module
reads and writes the rows:

- :func:`open_denial_items` opens one item per claim, in the owner's worklist (the account's
  collector). A claim that already has an open item gets the new decision on it instead (a payer
  that denies again after an appeal restarts the appeal clock; the codes add up). The placement
  file opens an item only for a claim that never had one, so a re-run of the same file is a no-op
  and an item a person closed stays closed.
- :func:`close_overturned` closes an open item as overturned when a later 835 pays its claim,
  recording what was recovered.
- :func:`rescore` recomputes the order of open items (their deadlines come nearer each day).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlmodel import Session

from collector_tui.db.queries import open_denial_item
from collector_tui.db.tables import ACCOUNT_T, AUDIT_T, DENIAL_ACTION_T, DENIAL_ITEM_T, PAYER_T
from collector_tui.domain.denial_work import (
    Adjusted,
    DenialFacts,
    DenialPolicy,
    denial_deadlines,
    denial_priority,
    payer_display,
    payer_key,
    principal,
)
from collector_tui.domain.phones import normalize_phone
from collector_tui.services.audit import Actor, audit_rows
from collector_tui.services.bulk import chunks, insert_rows, select_in_chunks, update_by_id
from collector_tui.services.law.policy import current_denial_policy
from collector_tui.services.office_settings import office_today
from collector_tui.vocabulary import (
    ApprovalStatus,
    DenialActionKind,
    DenialOutcome,
    DenialSource,
    DenialStatus,
)

CODES_WIDTH = 400


@dataclass(frozen=True, slots=True)
class DenialCandidate:
    """A claim a file says was denied, with what the denial is about (ids, codes and cents only)."""

    claim_id: int
    account_id: int
    payer_name: str
    payer_claim_number: str | None
    denials: tuple[Adjusted, ...]  # the adjustments that are denials (domain.denial_work.is_denial)
    codes: tuple[str, ...]  # every code to show: CO-16, PR-1, N290
    source: DenialSource
    remit_date: date | None = None
    service_date: date | None = None
    patient_cents: int = 0  # PR amounts the payer assigned the patient that have not moved yet
    remittance_claim_id: int | None = None
    denied_cents: int | None = None  # when the file states it (a placement); else the denials' sum
    appeal_deadline: date | None = None  # when the file states it
    corrected_claim_deadline: date | None = None


def facts_of(row: Any) -> DenialFacts:
    """The domain's view of a ``denial_item`` row (or a dict with its columns)."""
    get = row.get if isinstance(row, Mapping) else lambda name: getattr(row, name)
    return DenialFacts(
        denied_cents=int(get("denied_cents") or 0),
        appeal_deadline=get("appeal_deadline"),
        corrected_claim_deadline=get("corrected_claim_deadline"),
        response_due=get("response_due"),
        worked=get("worked_at") is not None,
    )


def _codes_text(codes: Iterable[str]) -> str:
    text = " ".join(dict.fromkeys(code for code in codes if code))
    return text[:CODES_WIDTH]


def _values(candidate: DenialCandidate, policy: DenialPolicy, payer_code: str | None) -> dict[str, Any]:
    """The item columns a candidate decides: the headline reason, money, scenario and deadlines."""
    head = principal(candidate.denials)
    group, reason = (head.group, head.reason) if head else _first_code(candidate.codes)
    category, scenario = policy.classify(reason)
    rules = policy.rules_for(candidate.payer_name, payer_code)
    computed = denial_deadlines(rules, candidate.remit_date, candidate.service_date)
    denied = candidate.denied_cents
    if denied is None:
        denied = sum(max(a.cents, 0) for a in candidate.denials)
    return {
        "payer_name": payer_display(candidate.payer_name)[:120],
        "payer_claim_number": (candidate.payer_claim_number or None),
        "group_code": group[:2],
        "carc": reason[:8],
        "codes": _codes_text(candidate.codes),
        "denied_cents": denied,
        "patient_cents": candidate.patient_cents,
        "remit_date": candidate.remit_date,
        "scenario": scenario,
        "category": category,
        "appeal_deadline": candidate.appeal_deadline or computed.appeal,
        "corrected_claim_deadline": candidate.corrected_claim_deadline or computed.corrected_claim,
    }


def _first_code(codes: Sequence[str]) -> tuple[str, str]:
    """(group, reason) of the first adjustment code among ``codes`` ("CO-16"), else a bare remark."""
    for code in codes:
        group, dash, reason = code.partition("-")
        if dash and reason:
            return group, reason
    return ("OA", codes[0]) if codes else ("OA", "?")


def _one_per_claim(candidates: Sequence[DenialCandidate]) -> list[DenialCandidate]:
    """One candidate per claim: a claim a file names twice (two CLPs) counts its last decision,
    with every code of both."""
    merged: dict[int, DenialCandidate] = {}
    for candidate in candidates:
        before = merged.get(candidate.claim_id)
        if before is not None:
            candidate = replace(candidate, codes=(*before.codes, *candidate.codes))
        merged[candidate.claim_id] = candidate
    return list(merged.values())


def _moved_to_patient(session: Session, item_ids: Sequence[int]) -> dict[int, int]:
    """What each item already moved to the patient (its move-to-patient actions), in cents."""
    e = DENIAL_ACTION_T.c
    moved: dict[int, int] = {}
    for row in select_in_chunks(
        session,
        lambda part: (
            select(e.item_id, func.sum(e.amount_cents).label("cents"))
            .where(e.item_id.in_(part), e.kind == DenialActionKind.MOVE_TO_PATIENT)
            .group_by(e.item_id)
        ),
        item_ids,
    ):
        moved[int(row.item_id)] = int(row.cents)
    return moved


def reopen_reversed(session: Session, claim_ids: Sequence[int], *, actor: Actor, now: datetime) -> list[int]:
    """A payment reversed (CLP02 22) undoes an overturn: the claim's item that closed as overturned
    opens again, with nothing recovered, unless the claim already has another open item."""
    d = DENIAL_ITEM_T.c
    rows = list(
        select_in_chunks(
            session,
            lambda part: select(d.id, d.claim_id, d.status, d.outcome).where(d.claim_id.in_(part)),
            claim_ids,
        )
    )
    has_open = {row.claim_id for row in rows if row.status == DenialStatus.OPEN}
    latest: dict[int, Any] = {}
    for row in rows:
        if row.claim_id not in latest or row.id > latest[row.claim_id].id:
            latest[row.claim_id] = row
    reopened = sorted(
        int(row.id)
        for claim, row in latest.items()
        if claim not in has_open and row.outcome == DenialOutcome.OVERTURNED
    )
    if reopened:
        update_by_id(
            session,
            DENIAL_ITEM_T,
            [
                {
                    "row_id": item,
                    "status": DenialStatus.OPEN,
                    "outcome": None,
                    "recovered_cents": 0,
                    "closed_at": None,
                    "updated_at": now,
                }
                for item in reopened
            ],
        )
        insert_rows(session, AUDIT_T, audit_rows(actor, "denial.reopen", "denial_item", reopened, at=now))
        rescore(session, office_today(session, now), item_ids=reopened)
    return reopened


def _payer_codes(session: Session, keys: Iterable[str]) -> dict[str, str | None]:
    """The rules key a person gave each payer (by ``payer_key``), where one did."""
    p = PAYER_T.c
    return {
        row.name_key: row.code
        for row in select_in_chunks(
            session, lambda part: select(p.name_key, p.code).where(p.name_key.in_(part)), keys
        )
    }


def open_denial_items(
    session: Session, candidates: Sequence[DenialCandidate], *, actor: Actor, now: datetime
) -> list[int]:
    """Open (or bring up to date) an item for each candidate; returns the ids of the items opened."""
    if not candidates:
        return []
    policy = current_denial_policy()
    today = office_today(session, now)
    d, a = DENIAL_ITEM_T.c, ACCOUNT_T.c
    claim_ids = sorted({c.claim_id for c in candidates})
    existing: dict[int, Any] = {}
    ever: set[int] = set()
    for row in select_in_chunks(
        session,
        lambda part: select(d.id, d.claim_id, d.status, d.codes, d.worked_at, d.response_due).where(
            d.claim_id.in_(part)
        ),
        claim_ids,
    ):
        ever.add(row.claim_id)
        if row.status == DenialStatus.OPEN:
            existing[row.claim_id] = row
    owners = {
        row.id: row.assigned_collector_id
        for row in select_in_chunks(
            session,
            lambda part: select(a.id, a.assigned_collector_id).where(a.id.in_(part)),
            {c.account_id for c in candidates},
        )
    }
    payer_codes = _payer_codes(session, {payer_key(c.payer_name)[:120] for c in candidates})
    moved = _moved_to_patient(session, [row.id for row in existing.values()])
    candidates = _one_per_claim(candidates)
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    for candidate in candidates:
        if candidate.source == DenialSource.PLACEMENT and candidate.claim_id in ever:
            continue
        values = _values(candidate, policy, payer_codes.get(payer_key(candidate.payer_name)[:120]))
        open_row = existing.get(candidate.claim_id)
        if open_row is not None:
            values["codes"] = _codes_text([*open_row.codes.split(), *candidate.codes])
            # A share already moved to the patient is not the payer's to move again.
            values["patient_cents"] = max(0, values["patient_cents"] - moved.get(open_row.id, 0))
            facts = DenialFacts(
                values["denied_cents"],
                values["appeal_deadline"],
                values["corrected_claim_deadline"],
                open_row.response_due,
                open_row.worked_at is not None,
            )
            priority = denial_priority(facts, policy, today)
            updates.append(
                {
                    "row_id": open_row.id,
                    **values,
                    "remittance_claim_id": candidate.remittance_claim_id,
                    "priority_score": priority.score,
                    "priority_breakdown": priority.breakdown_json(),
                    "updated_at": now,
                }
            )
            continue
        ever.add(candidate.claim_id)
        facts = DenialFacts(
            values["denied_cents"], values["appeal_deadline"], values["corrected_claim_deadline"], None, False
        )
        priority = denial_priority(facts, policy, today)
        inserts.append(
            {
                "claim_id": candidate.claim_id,
                "account_id": candidate.account_id,
                "owner_id": owners.get(candidate.account_id),
                "status": DenialStatus.OPEN,
                "outcome": None,
                "source": candidate.source,
                "remittance_claim_id": candidate.remittance_claim_id,
                **values,
                "response_due": None,
                "priority_score": priority.score,
                "priority_breakdown": priority.breakdown_json(),
                "opened_at": now,
                "worked_at": None,
                "claimed_by_id": None,
                "claimed_until": None,
                "closed_at": None,
                "recovered_cents": 0,
                "updated_at": now,
            }
        )
    if updates:
        update_by_id(session, DENIAL_ITEM_T, updates)
    if not inserts:
        return []
    insert_rows(session, DENIAL_ITEM_T, inserts)
    opened = [
        int(row.id)
        for row in select_in_chunks(
            session,
            lambda part: select(d.id).where(d.claim_id.in_(part), d.status == DenialStatus.OPEN),
            [row["claim_id"] for row in inserts],
        )
    ]
    insert_rows(
        session,
        AUDIT_T,
        audit_rows(actor, "denial.open", "denial_item", sorted(opened), at=now),
    )
    return sorted(opened)


def close_overturned(session: Session, paid: Mapping[int, int], *, actor: Actor, now: datetime) -> list[int]:
    """Close the open item of each claim in ``paid`` (claim id -> cents a later 835 paid) as
    overturned, with the amount recovered; returns the items closed."""
    claims = sorted(claim for claim, cents in paid.items() if cents > 0)
    if not claims:
        return []
    d = DENIAL_ITEM_T.c
    rows = list(
        select_in_chunks(
            session,
            lambda part: select(d.id, d.claim_id, d.account_id).where(
                d.claim_id.in_(part), open_denial_item()
            ),
            claims,
        )
    )
    if not rows:
        return []
    update_by_id(
        session,
        DENIAL_ITEM_T,
        [
            {
                "row_id": row.id,
                "status": DenialStatus.CLOSED,
                "outcome": DenialOutcome.OVERTURNED,
                "recovered_cents": paid[row.claim_id],
                "closed_at": now,
                "claimed_by_id": None,
                "claimed_until": None,
                "updated_at": now,
            }
            for row in rows
        ],
    )
    insert_rows(
        session,
        DENIAL_ACTION_T,
        [
            {
                "item_id": row.id,
                "account_id": row.account_id,
                "collector_id": None,
                "kind": DenialActionKind.OVERTURNED,
                "occurred_at": now,
                "amount_cents": paid[row.claim_id],
                "approval": "none",
            }
            for row in rows
        ],
    )
    closed = sorted(int(row.id) for row in rows)
    # A write-off still waiting for a supervisor has nothing left to decide: the payer paid.
    e = DENIAL_ACTION_T.c
    for part in chunks(closed):
        session.execute(
            update(DENIAL_ACTION_T)
            .where(
                e.item_id.in_(list(part)),
                e.kind == DenialActionKind.WRITE_OFF,
                e.approval == ApprovalStatus.PENDING,
            )
            .values(approval=ApprovalStatus.DECLINED, decided_at=now)
        )
    insert_rows(session, AUDIT_T, audit_rows(actor, "denial.overturned", "denial_item", closed, at=now))
    return closed


def open_item_ids(session: Session, *, after: int, limit: int) -> list[int]:
    """The next ``limit`` open items after id ``after``, by id: the nightly rescore's batches."""
    d = DENIAL_ITEM_T.c
    return [
        int(i)
        for i in session.execute(
            select(d.id).where(open_denial_item(), d.id > after).order_by(d.id).limit(limit)
        ).scalars()
    ]


def rescore(session: Session, today: date, *, item_ids: Sequence[int] | None = None) -> int:
    """Recompute the score of open items (``item_ids``, or every open item); returns how many changed."""
    policy = current_denial_policy()
    d = DENIAL_ITEM_T.c
    columns = (
        d.id,
        d.denied_cents,
        d.appeal_deadline,
        d.corrected_claim_deadline,
        d.response_due,
        d.worked_at,
        d.priority_score,
        d.priority_breakdown,
    )
    if item_ids is None:
        rows: Iterable[Any] = session.execute(select(*columns).where(open_denial_item()))
    else:
        rows = select_in_chunks(
            session,
            lambda part: select(*columns).where(d.id.in_(part), d.status == DenialStatus.OPEN),
            item_ids,
        )
    changed: list[dict[str, Any]] = []
    for row in rows:
        priority = denial_priority(facts_of(row), policy, today)
        breakdown = priority.breakdown_json()
        if priority.score != row.priority_score or breakdown != row.priority_breakdown:
            changed.append(
                {"row_id": row.id, "priority_score": priority.score, "priority_breakdown": breakdown}
            )
    if changed:
        update_by_id(session, DENIAL_ITEM_T, changed)
    return len(changed)


def follow_account_owners(session: Session, account_ids: Sequence[int], now: datetime) -> None:
    """The open items of accounts that changed hands follow them (each item is in its account's
    owner's worklist); a lease on a moved item ends."""
    d, a = DENIAL_ITEM_T.c, ACCOUNT_T.c
    owner = select(a.assigned_collector_id).where(a.id == d.account_id).scalar_subquery()
    for part in chunks(sorted(set(account_ids))):
        session.execute(
            update(DENIAL_ITEM_T)
            .where(d.account_id.in_(list(part)), open_denial_item())
            .values(owner_id=owner, claimed_by_id=None, claimed_until=None, updated_at=now)
        )


def remember_payers(session: Session, payers: Iterable[tuple[str, str, str]], now: datetime) -> None:
    """Add the payers (name, identifier, phone) not yet on file, one per ``payer_key`` however the
    files spell them; fill an identifier or a phone the table lacks. Nothing here overwrites what
    a person set."""
    wanted: dict[str, tuple[str, str, str]] = {}  # key -> (name, identifier, phone)
    for name, identifier, phone in payers:
        key = payer_key(name)[:120]
        if key and key not in wanted:
            dialable = normalize_phone(phone).number if phone.strip() else ""
            wanted[key] = (payer_display(name)[:120], identifier.strip()[:80], dialable[:20])
    if not wanted:
        return
    p = PAYER_T.c
    known = {
        row.name_key: row
        for row in select_in_chunks(
            session,
            lambda part: select(p.id, p.name_key, p.identifier, p.phone).where(p.name_key.in_(part)),
            wanted,
        )
    }
    fresh = [
        {
            "name": name,
            "name_key": key,
            "code": None,
            "identifier": identifier or None,
            "phone": phone or None,
            "phone_note": None,
            "updated_at": now,
        }
        for key, (name, identifier, phone) in wanted.items()
        if key not in known
    ]
    if fresh:
        insert_rows(session, PAYER_T, fresh)
    filled = [
        {
            "row_id": row.id,
            "identifier": row.identifier or wanted[key][1] or None,
            "phone": row.phone or wanted[key][2] or None,
            "updated_at": now,
        }
        for key, row in known.items()
        if (not row.identifier and wanted[key][1]) or (not row.phone and wanted[key][2])
    ]
    if filled:
        update_by_id(session, PAYER_T, filled)
