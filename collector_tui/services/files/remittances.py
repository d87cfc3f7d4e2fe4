"""Post a payer's remittance (one 835 transaction set) to the claims and accounts on file.

``post_remittance`` runs in the caller's transaction (one per ST) and writes:

- the ``remittance`` row, unique on the payer and the trace number (TRN02): posting one again is
  a no-op that says so (``already_posted``);
- a ``remittance_claim`` row for every CLP, matched by CLP01 to ``insurance_claim.control_number``
  (or not: ``claim_id`` NULL), and a ``remittance_exception`` for one that cannot post (no claim
  with that number, or CLP02 23, "not our claim"): kept for a person, never dropped;
- the money, through ``services/money/transactions.apply_transactions`` (balances, insurance
  pending, the call state and the score follow as for any movement):

  ====================  ==================================================================
  CLP02                 what posts
  ====================  ==================================================================
  1, 2, 3 (processed)   CLP04 as an insurance payment; contractual CO adjustments as one
                        adjustment (a CO reason that is a denial stays insurance pending); PR
                        moves from insurance pending to the patient only when no other claim
                        of the account is still pending with a payer; the claim is paid
  19, 20, 21            the same, but PR stays insurance pending and the claim pending: it was
                        forwarded to the next payer
  4 (denied)            CLP04 if any; the claim is denied and its CARC codes are recorded
  22 (reversal)         the negative amounts as they come (negative payment, negative CO, PR
                        back to insurance); the claim reopens (pending), and a denial item the
                        reversed payment had closed as overturned opens again
  23 (not our claim)    nothing: an exception
  25 (predetermination) nothing
  ====================  ==================================================================

  A negative CAS amount reverses an earlier one (it adds back). OA, PI and CR adjustments post
  nothing and mark the claim line for review (``needs_review``).
- a denial item (``services/worklists/denial_items``) for a denied claim (CLP02 4) or one that
  lost money to an adjustment that is a denial (a CO reason outside the policy's contractual ones,
  OA, PI, CR: ``domain/denial_work``); a payment on a claim with an open item closes it as
  overturned, with what was recovered. The payer (name, id, PER*CX phone) joins the payer table.
- every PLB to the ``provider_adjustment`` ledger, the provider's and never a patient's debt; a
  recoupment (a positive amount) whose reference is a claim's ICN names that claim's account
  (``account_id``) and flags it for review with a ``remittance.recoupment`` audit event.

Audit events carry ids and counts only. Nothing here names a patient.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import insert, select
from sqlmodel import Session

from collector_tui.db.tables import (
    ACCOUNT_T,
    AUDIT_T,
    CLAIM_T,
    DENIAL_T,
    FACILITY_T,
    PROVIDER_ADJUSTMENT_T,
    REMITTANCE_CLAIM_T,
    REMITTANCE_EXCEPTION_T,
    REMITTANCE_T,
)
from collector_tui.domain.denial_work import Adjusted, DenialPolicy, payer_key
from collector_tui.domain.money_events import TransactionRecord
from collector_tui.domain.x12.remittance import Adjustment, ClaimPayment, Remittance
from collector_tui.services.audit import Actor, audit_rows
from collector_tui.services.bulk import insert_rows, select_in_chunks, update_by_id
from collector_tui.services.law.policy import current_denial_policy
from collector_tui.services.money.transactions import apply_transactions
from collector_tui.services.worklists.denial_items import (
    DenialCandidate,
    close_overturned,
    open_denial_items,
    remember_payers,
    reopen_reversed,
)
from collector_tui.vocabulary import ClaimStatus, DenialCodeSet, DenialSource, TransactionKind

PROCESSED = frozenset({"1", "2", "3"})
FORWARDED = frozenset({"19", "20", "21"})
DENIED = "4"
REVERSAL = "22"
NOT_OUR_CLAIM = "23"
PREDETERMINATION = "25"
REVIEW_GROUPS = frozenset({"OA", "PI", "CR"})
SOURCE = "remittance"

NO_CLAIM = "no claim on file has this control number (CLP01)"
NOT_OURS = "the payer says this is not its claim (CLP02 23)"
UNKNOWN_STATUS = "a claim status (CLP02) this office does not post"


@dataclass
class RemittanceResult:
    """What posting one remittance did (or, ``already_posted``, that it had been done before)."""

    remittance_id: int | None = None
    already_posted: bool = False
    claims: int = 0
    matched: int = 0
    exceptions: int = 0
    review: int = 0
    transactions: int = 0
    paid_cents: int = 0  # insurance payments posted (CLP04 of the claims that posted)
    contractual_cents: int = 0  # contractual adjustments posted
    patient_responsibility_cents: int = 0  # moved from insurance pending to the patient
    unmatched: int = 0  # claims with no claim on file (CLP01)
    reversals: int = 0  # claims reversed (CLP02 22)
    denials_opened: int = 0
    denials_overturned: int = 0
    provider_adjustments: int = 0
    flagged_accounts: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class _OnFile:
    claim_id: int
    account_id: int
    facility_code: str
    account_number: str
    paid_cents: int


def post_remittance(
    session: Session, remittance: Remittance, *, file_sha256: str, actor: Actor, now: datetime
) -> RemittanceResult:
    """Post ``remittance`` in the session's transaction (see the module docstring)."""
    result = RemittanceResult()
    payer_id = remittance.payer.identifier or remittance.trace.originator
    r = REMITTANCE_T.c
    existing = session.execute(
        select(r.id).where(r.payer_id == payer_id, r.trace_number == remittance.trace.number)
    ).scalar()
    if existing is not None:
        return RemittanceResult(remittance_id=existing, already_posted=True)
    remittance_id = int(
        session.execute(
            insert(REMITTANCE_T)
            .values(
                payer_id=payer_id,
                payer_name=remittance.payer.name[:120],
                trace_number=remittance.trace.number,
                payment_cents=remittance.payment.amount_cents,
                credit_debit=remittance.payment.credit_debit,
                method=remittance.payment.method,
                payment_date=remittance.payment.payment_date,
                production_date=remittance.production_date,
                control_number=remittance.control_number,
                file_sha256=file_sha256,
                imported_at=now,
                run_by=actor.login,
            )
            .returning(REMITTANCE_T.c.id)
        ).scalar_one()
    )
    result.remittance_id = remittance_id
    on_file = _claims_on_file(session, [c.patient_control_number for c in remittance.claims])
    processed_here = {
        on_file[c.patient_control_number].claim_id
        for c in remittance.claims
        if c.patient_control_number in on_file
    }
    pending_elsewhere = _accounts_pending_elsewhere(session, on_file, processed_here)
    posted_at = datetime.combine(
        remittance.payment.payment_date or remittance.production_date or now.date(), time(), UTC
    )
    plan = _Plan(remittance_id, payer_id, remittance.trace.number, posted_at, remittance.payment.method)
    plan.policy = current_denial_policy()
    plan.payer_name = remittance.payer.name
    plan.remit_date = posted_at.date()
    for index, claim in enumerate(remittance.claims):
        plan.claim(index, claim, on_file.get(claim.patient_control_number), pending_elsewhere)

    posted = apply_transactions(
        session,
        plan.records,
        actor=actor,
        now=now,
        source=SOURCE,
        overpayment_ok=frozenset(r.external_id for r in plan.records),
        insurance_share=frozenset(r.external_id for r in plan.records),
        insurance_shifts=dict(plan.shifts),
    )
    refused = {external_id for external_id, _, _ in posted.rejected}
    for record in plan.records:
        if record.external_id in refused:
            line = plan.line_of[record.external_id]
            plan.exceptions.append((line, plan.claim_rows[line], "the account could not take this amount"))
    if plan.claim_rows:
        insert_rows(session, REMITTANCE_CLAIM_T, plan.claim_rows)
    line_ids = list(
        session.execute(
            select(REMITTANCE_CLAIM_T.c.id)
            .where(REMITTANCE_CLAIM_T.c.remittance_id == remittance_id)
            .order_by(REMITTANCE_CLAIM_T.c.id)
        ).scalars()
    )
    if plan.exceptions:
        insert_rows(
            session,
            REMITTANCE_EXCEPTION_T,
            [
                {
                    "remittance_id": remittance_id,
                    "remittance_claim_id": line_ids[line],
                    "control_number": row["control_number"],
                    "status_code": row["status_code"],
                    "paid_cents": row["paid_cents"],
                    "reason": reason,
                    "resolved_at": None,
                }
                for line, row, reason in plan.exceptions
            ],
        )
    if plan.claim_updates:
        update_by_id(session, CLAIM_T, plan.claim_updates)
    _record_denials(session, plan.denials)
    remember_payers(session, [(remittance.payer.name, payer_id, remittance.payer.phone)], now)
    reopen_reversed(session, plan.reversed_claims, actor=actor, now=now)
    overturned = close_overturned(session, plan.paid_claims, actor=actor, now=now)
    opened = open_denial_items(
        session,
        [
            replace(
                candidate,
                remittance_claim_id=line_ids[line],
                patient_cents=0 if line in plan.moved_to_patient else candidate.patient_cents,
            )
            for line, candidate in plan.candidates
            if plan.claim_rows[line]["claim_id"] is not None
        ],
        actor=actor,
        now=now,
    )
    flagged = _provider_adjustments(session, remittance, remittance_id)

    result.claims = len(remittance.claims)
    result.matched = plan.matched
    result.exceptions = len(plan.exceptions)
    result.review = sum(1 for row in plan.claim_rows if row["needs_review"])
    result.transactions = posted.inserted
    result.paid_cents = sum(
        -plan.effect[r.external_id]
        for r in plan.records
        if r.kind == TransactionKind.INSURANCE_PAYMENT and r.external_id not in refused
    )
    result.contractual_cents = sum(
        -plan.effect[r.external_id]
        for r in plan.records
        if r.kind == TransactionKind.ADJUSTMENT and r.external_id not in refused
    )
    result.patient_responsibility_cents = sum(plan.shifts.values())
    result.unmatched = sum(1 for _, _, reason in plan.exceptions if reason == NO_CLAIM)
    result.reversals = plan.reversals
    result.denials_opened = len(opened)
    result.denials_overturned = len(overturned)
    result.provider_adjustments = len(remittance.provider_adjustments)
    result.flagged_accounts = flagged
    events = audit_rows(
        actor,
        "remittance.post",
        "remittance",
        [remittance_id],
        at=now,
        details={
            "claims": result.claims,
            "matched": result.matched,
            "exceptions": result.exceptions,
            "review": result.review,
            "transactions": result.transactions,
            "provider_adjustments": result.provider_adjustments,
            "denials_opened": result.denials_opened,
            "denials_overturned": result.denials_overturned,
        },
    )
    events += audit_rows(
        actor, "remittance.recoupment", "account", flagged, at=now, details={"remittance": remittance_id}
    )
    insert_rows(session, AUDIT_T, events)
    return result


class _Plan:
    """The rows one remittance's claims become, worked out before anything is written."""

    def __init__(
        self, remittance_id: int, payer_id: str, trace: str, posted_at: datetime, method: str
    ) -> None:
        self.remittance_id = remittance_id
        self._stem = f"{payer_id}|{trace}"
        self.posted_at = posted_at
        self.method = method[:16]
        self.records: list[TransactionRecord] = []
        self.effect: dict[str, int] = {}  # external id -> what it does to the balance
        self.line_of: dict[str, int] = {}  # external id -> index of its claim line
        self.shifts: dict[tuple[str, str], int] = defaultdict(int)
        self.claim_rows: list[dict[str, Any]] = []
        self.exceptions: list[tuple[int, dict[str, Any], str]] = []
        self.claim_updates: list[dict[str, Any]] = []
        self.denials: list[dict[str, Any]] = []
        self.matched = 0
        self.paid_so_far: dict[int, int] = {}
        self.policy: DenialPolicy | None = None
        self.payer_name = ""
        self.remit_date: date | None = None
        self.candidates: list[tuple[int, DenialCandidate]] = []  # (claim line, candidate)
        self.paid_claims: dict[int, int] = {}  # claim id -> paid by this remittance (overturns)
        self.reversals = 0
        self.reversed_claims: list[int] = []
        self._claim_key = ""
        self.moved_to_patient: set[int] = set()  # claim lines whose PR went to the patient

    def claim(
        self, index: int, claim: ClaimPayment, found: _OnFile | None, pending_elsewhere: set[int]
    ) -> None:
        status = claim.status_code
        adjustments = claim.all_adjustments()
        row = {
            "remittance_id": self.remittance_id,
            "claim_id": found.claim_id if found else None,
            "control_number": claim.patient_control_number[:38],
            "status_code": status[:2],
            "charge_cents": claim.charge_cents,
            "paid_cents": claim.payment_cents,
            "patient_responsibility_cents": claim.patient_responsibility_cents,
            "payer_claim_number": claim.payer_claim_control_number[:50],
            "needs_review": any(a.group in REVIEW_GROUPS for a in adjustments),
        }
        self.claim_rows.append(row)
        if status == NOT_OUR_CLAIM:
            self.exceptions.append((index, row, NOT_OURS))
            return
        if found is None:
            self.exceptions.append((index, row, NO_CLAIM))
            return
        self.matched += 1
        if status == PREDETERMINATION:
            return
        known = PROCESSED | FORWARDED | {DENIED, REVERSAL}
        if status not in known:
            self.exceptions.append((index, row, UNKNOWN_STATUS))
            return
        key = (found.facility_code, found.account_number)
        icn = claim.payer_claim_control_number or None
        # The claim payment's own identity (the TRN02, CLP01, CLP07, CLP02): the same
        # payment listed again posts nothing, wherever it stands in the file.
        self._claim_key = f"{claim.patient_control_number}|{claim.payer_claim_control_number}|{status}"
        self._post(index, key, TransactionKind.INSURANCE_PAYMENT, claim.payment_cents, icn, "paid")
        # A claim paid twice in one file (a reversal and its correction) adds up in order.
        paid = self.paid_so_far.get(found.claim_id, found.paid_cents) + claim.payment_cents
        self.paid_so_far[found.claim_id] = paid
        update: dict[str, Any] = {"row_id": found.claim_id, "payer_claim_number": icn, "paid_cents": paid}
        self._denial(index, claim, found, status)
        if status == DENIED:
            update["status"] = ClaimStatus.DENIED
            self.denials += [
                {
                    "claim_id": found.claim_id,
                    "code_set": DenialCodeSet.CARC,
                    "group_code": a.group,
                    "code": a.reason,
                }
                for a in adjustments
                if a.group != "PR"
            ]
        else:
            contractual = sum(a.amount_cents for a in adjustments if self._contractual(a))
            self._post(index, key, TransactionKind.ADJUSTMENT, contractual, icn, "co")
            patient = sum(a.amount_cents for a in adjustments if a.group == "PR")
            if status == REVERSAL:
                update["status"] = ClaimStatus.PENDING
                self.shifts[key] += patient  # negative: back to insurance
                self.reversals += 1
                self.reversed_claims.append(found.claim_id)
            else:
                # Forwarded to the next payer (19, 20, 21): the claim still waits on a payer.
                update["status"] = ClaimStatus.PENDING if status in FORWARDED else ClaimStatus.PAID
                if status in PROCESSED and found.account_id not in pending_elsewhere:
                    self.shifts[key] += patient
                    self.moved_to_patient.add(index)
                if claim.payment_cents > 0:
                    self.paid_claims[found.claim_id] = (
                        self.paid_claims.get(found.claim_id, 0) + claim.payment_cents
                    )
        self.claim_updates.append(update)

    def _contractual(self, adjustment: Adjustment) -> bool:
        """A CO adjustment of a contractual reason (one that is a denial stays insurance pending)."""
        if adjustment.group != "CO":
            return False
        return self.policy is None or not self.policy.is_denial(adjustment.group, adjustment.reason)

    def _denial(self, index: int, claim: ClaimPayment, found: _OnFile, status: str) -> None:
        """The claim's denial candidate, when it was denied or lost money to a denial adjustment."""
        if self.policy is None or status not in PROCESSED | FORWARDED | {DENIED}:
            return
        adjustments = claim.all_adjustments()
        denials = tuple(
            Adjusted(a.group, a.reason, a.amount_cents)
            for a in adjustments
            if self.policy.is_denial(a.group, a.reason)
        )
        if status != DENIED and sum(a.cents for a in denials) <= 0:
            return
        patient = sum(a.amount_cents for a in adjustments if a.group == "PR")
        services = [s.service_date for s in claim.services if s.service_date is not None]
        statement = next((d.on for d in claim.dates if d.qualifier == "232"), None)
        self.candidates.append(
            (
                index,
                DenialCandidate(
                    claim_id=found.claim_id,
                    account_id=found.account_id,
                    payer_name=self.payer_name,
                    payer_claim_number=claim.payer_claim_control_number or None,
                    denials=denials,
                    codes=(*(f"{a.group}-{a.reason}" for a in adjustments), *claim.all_remarks()),
                    source=DenialSource.REMITTANCE,
                    remit_date=self.remit_date,
                    service_date=min(services) if services else statement,
                    # PR the posting leaves with insurance (a denied claim, another payer pending).
                    patient_cents=max(patient, 0),
                ),
            )
        )

    def _post(
        self, index: int, key: tuple[str, str], kind: str, cents: int, icn: str | None, part: str
    ) -> None:
        if not cents:
            return
        digest = hashlib.blake2b(
            f"{self._stem}|{self._claim_key}|{part}".encode(), digest_size=16
        ).hexdigest()
        external_id = f"835-{digest}"
        self.records.append(
            TransactionRecord(
                external_id=external_id,
                facility_code=key[0],
                account_number=key[1],
                kind=kind,
                amount_cents=cents,
                posted_at=self.posted_at,
                method=self.method,
                reference=icn,
                reverses_external_id=None,
            )
        )
        self.effect[external_id] = -cents
        self.line_of[external_id] = index


def _claims_on_file(session: Session, numbers: Sequence[str]) -> dict[str, _OnFile]:
    """The claims whose control numbers are ``numbers``, with their accounts."""
    c, a, f = CLAIM_T.c, ACCOUNT_T.c, FACILITY_T.c
    return {
        row.control_number: _OnFile(row.id, row.account_id, row.code, row.account_number, row.paid_cents)
        for row in select_in_chunks(
            session,
            lambda part: (
                select(c.id, c.control_number, c.account_id, c.paid_cents, a.account_number, f.code)
                .join(ACCOUNT_T, a.id == c.account_id)
                .join(FACILITY_T, f.id == a.facility_id)
                .where(c.control_number.in_(part))
            ),
            sorted(set(numbers)),
        )
    }


def _accounts_pending_elsewhere(
    session: Session, on_file: dict[str, _OnFile], processed_here: set[int]
) -> set[int]:
    """The accounts with a claim still pending with a payer, other than those this remittance settles."""
    c = CLAIM_T.c
    accounts = {found.account_id for found in on_file.values()}
    return {
        row.account_id
        for row in select_in_chunks(
            session,
            lambda part: select(c.id, c.account_id).where(
                c.account_id.in_(part), c.status.in_([ClaimStatus.PENDING, ClaimStatus.APPEALED])
            ),
            sorted(accounts),
        )
        if row.id not in processed_here
    }


def _record_denials(session: Session, denials: list[dict[str, Any]]) -> None:
    """The denial codes not already on their claims."""
    if not denials:
        return
    d = DENIAL_T.c
    have = {
        (row.claim_id, row.code_set, row.code)
        for row in select_in_chunks(
            session,
            lambda part: select(d.claim_id, d.code_set, d.code).where(d.claim_id.in_(part)),
            sorted({row["claim_id"] for row in denials}),
        )
    }
    fresh: list[dict[str, Any]] = []
    for row in denials:
        key = (row["claim_id"], row["code_set"], row["code"])
        if key not in have:
            have.add(key)
            fresh.append(row)
    if fresh:
        insert_rows(session, DENIAL_T, fresh)


def _recouped_accounts(session: Session, remittance: Remittance, icns: Sequence[str]) -> dict[str, int]:
    """The account each recouped ICN names, for this payer only: among the claims its own
    remittances named by that ICN, else the claims on file with that ICN and this payer's name. An
    ICN that names claims of several accounts names none (no account is flagged by a guess)."""
    if not icns:
        return {}
    c, rc, r = CLAIM_T.c, REMITTANCE_CLAIM_T.c, REMITTANCE_T.c
    payer_id = remittance.payer.identifier or remittance.trace.originator
    found: dict[str, set[int]] = defaultdict(set)
    for row in select_in_chunks(
        session,
        lambda part: (
            select(rc.payer_claim_number, c.account_id)
            .join(REMITTANCE_T, r.id == rc.remittance_id)
            .join(CLAIM_T, c.id == rc.claim_id)
            .where(r.payer_id == payer_id, rc.payer_claim_number.in_(part))
        ),
        icns,
    ):
        found[row.payer_claim_number].add(int(row.account_id))
    named = payer_key(remittance.payer.name)
    for row in select_in_chunks(
        session,
        lambda part: select(c.payer_claim_number, c.account_id, c.payer_name).where(
            c.payer_claim_number.in_(part)
        ),
        [icn for icn in icns if icn not in found],
    ):
        if payer_key(row.payer_name) == named:
            found[row.payer_claim_number].add(int(row.account_id))
    return {icn: next(iter(accounts)) for icn, accounts in found.items() if len(accounts) == 1}


def _provider_adjustments(session: Session, remittance: Remittance, remittance_id: int) -> list[int]:
    """Write the PLB ledger lines; returns the accounts a recoupment names (flagged for review)."""
    lines = remittance.provider_adjustments
    if not lines:
        return []
    references = sorted({line.reference for line in lines if line.reference and line.amount_cents > 0})
    account_of = _recouped_accounts(session, remittance, references)
    rows: list[dict[str, Any]] = [
        {
            "remittance_id": remittance_id,
            "provider_id": line.provider_id[:80],
            "fiscal_period_end": line.fiscal_period_end,
            "reason_code": line.reason[:2],
            "reference": line.reference[:50],
            "amount_cents": line.amount_cents,
            "account_id": account_of.get(line.reference) if line.amount_cents > 0 else None,
        }
        for line in lines
    ]
    insert_rows(session, PROVIDER_ADJUSTMENT_T, rows)
    return sorted({int(row["account_id"]) for row in rows if row["account_id"] is not None})
