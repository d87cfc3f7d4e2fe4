"""Apply money movements from the billing system; balances follow, idempotent by id.

A movement no real account could have is refused, not applied: a payment larger than the
balance plus the policy's margin (``[transactions]`` in ``policies/workspace.toml``) unless the
row says it is an overpayment, and anything that would raise a balance above the ceiling a
placement may carry (``MAX_ACCOUNT_CENTS`` in ``domain/money.py``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import select
from sqlmodel import Session

from collector_tui.db.tables import ACCOUNT_T, AUDIT_T, TX_T
from collector_tui.domain.compliance.engine import money_call_inputs
from collector_tui.domain.money import MAX_ACCOUNT_CENTS, format_cents
from collector_tui.domain.money_events import TransactionRecord, balance_effect
from collector_tui.services.audit import Actor, audit_rows
from collector_tui.services.bulk import chunks, insert_rows, select_in_chunks, update_by_id
from collector_tui.services.desk.account_state import refresh_accounts
from collector_tui.services.desk.lookup import account_refs
from collector_tui.services.law.policy import current_workspace_policy
from collector_tui.vocabulary import AccountStatus, TransactionKind

PAYMENT_KINDS = frozenset({TransactionKind.PAYMENT, TransactionKind.INSURANCE_PAYMENT})


@dataclass
class TransactionResult:
    inserted: int = 0
    unchanged: int = 0
    total_cents: int = 0
    rejected: list[tuple[str, str, str]] = field(default_factory=list)  # (external id, field, reason)


def apply_transactions(
    session: Session,
    records: Sequence[TransactionRecord],
    *,
    actor: Actor,
    now: datetime,
    source: str = "import",
    batch_id: int | None = None,
    overpayment_ok: Collection[str] = frozenset(),
    overpayment_margin_cents: int | None = None,
    insurance_share: Collection[str] = frozenset(),
    insurance_shifts: Mapping[tuple[str, str], int] | None = None,
) -> TransactionResult:
    """Insert new transactions, skip ones already on file, and move the balances.

    ``overpayment_ok`` holds the external ids whose rows say they overpay on purpose; the margin
    defaults to the workspace policy's. Each limit is checked against the balance as the
    transactions before it in ``records`` left it.

    A payer's remittance moves insurance pending as well as the balance: ``insurance_share`` holds
    the external ids whose effect comes off (or, negative, back onto) what insurance is expected to
    pay, whatever their kind (a contractual adjustment writes off the payer's share, not the
    patient's), and ``insurance_shifts`` moves cents of an account (by facility and account number)
    from insurance pending to the patient's responsibility without a transaction (what a payer says
    the patient owes, once no other payer is pending).
    """
    result = TransactionResult()
    if overpayment_margin_cents is None:
        overpayment_margin_cents = current_workspace_policy().transactions.overpayment_margin_cents
    shifts = insurance_shifts or {}
    accounts = account_refs(session, [*((r.facility_code, r.account_number) for r in records), *shifts])
    current = _account_rows(session, {ref.id for ref in accounts.values()})
    posting = _Posting(_known_transactions(session, records), insurance_share=insurance_share)
    # Plain transactions first, so a reversal may undo one from the same file.
    for record in sorted(records, key=lambda r: r.kind == TransactionKind.REVERSAL):
        if record.external_id in posting.known:
            result.unchanged += 1
            continue
        account = accounts.get((record.facility_code, record.account_number))
        if account is None:
            result.rejected.append((record.external_id, "account_number", "no such account"))
            continue
        if record.kind == TransactionKind.REVERSAL:
            found = _reversal(session, record, account.id, posting)
        else:
            found = _movement(
                record,
                current[account.id].total_balance_cents + posting.moved(account.id),
                margin=overpayment_margin_cents,
                flagged=record.external_id in overpayment_ok,
            )
        if not isinstance(found, _Effect):
            result.rejected.append((record.external_id, *found))
            continue
        posting.add(record, account.id, found, actor=actor, now=now, source=source, batch_id=batch_id)
        result.inserted += 1
        result.total_cents += found.cents
    if posting.pending:
        _insert_and_learn(session, posting.pending, posting.known)
    for key, cents in shifts.items():
        ref = accounts.get(key)
        if ref is not None and cents:
            posting.deltas[ref.id]["insurance"] -= cents

    # A balance paid or insurance settled changes who is called, and when; other payments only the score.
    deltas = posting.deltas
    settled = _move_balances(session, deltas, current, now)
    refresh_accounts(session, deltas, now, call_state_of=settled)
    if deltas:
        details = {"batch": batch_id} if batch_id is not None else None
        insert_rows(
            session,
            AUDIT_T,
            audit_rows(actor, "transaction.post", "account", list(deltas), at=now, details=details),
        )
    return result


Known = dict[str, tuple[int, int, str, int]]  # external id -> (id, effect, kind, account); id 0: unwritten


class _Effect(NamedTuple):
    """What a movement does: ``cents`` on the balance, counted as ``kind`` (a reversal as what it
    undoes), undoing transaction ``reverses_id``."""

    cents: int
    kind: str
    reverses_id: int | None = None


@dataclass
class _Posting:
    """A batch being posted: its transactions known by external id (on file or in the batch), the
    rows not yet written, and how far each account's balances move."""

    known: Known
    insurance_share: Collection[str] = frozenset()  # external ids moving insurance pending
    pending: list[dict[str, Any]] = field(default_factory=list)
    reversed_ids: set[int] | None = None  # transactions a reversal undoes, loaded at the first reversal
    deltas: dict[int, dict[str, int]] = field(
        default_factory=lambda: defaultdict(lambda: {"total": 0, "insurance": 0, "patient": 0})
    )

    def moved(self, account_id: int) -> int:
        """How far the batch so far moves the account's balance (in cents)."""
        delta = self.deltas.get(account_id)
        return delta["total"] if delta else 0

    def add(
        self,
        record: TransactionRecord,
        account_id: int,
        effect: _Effect,
        *,
        actor: Actor,
        now: datetime,
        source: str,
        batch_id: int | None,
    ) -> None:
        """Queue ``record``'s row and move its account's balances by ``effect``."""
        self.pending.append(
            {
                "account_id": account_id,
                "external_id": record.external_id,
                "kind": record.kind,
                "amount_cents": effect.cents,
                "posted_at": record.posted_at,
                "method": record.method,
                "reference": record.reference,
                "reverses_id": effect.reverses_id,
                "source": source,
                "collector_id": actor.collector_id,
                "import_batch_id": batch_id,
                "created_at": now,
            }
        )
        self.known[record.external_id] = (0, effect.cents, record.kind, account_id)
        delta = self.deltas[account_id]
        delta["total"] += effect.cents
        insurance = (
            effect.kind == TransactionKind.INSURANCE_PAYMENT or record.external_id in self.insurance_share
        )
        delta["insurance" if insurance else "patient"] += effect.cents


def _known_transactions(session: Session, records: Sequence[TransactionRecord]) -> Known:
    """The transactions on file that ``records`` are, or reverse."""
    external_ids = [r.external_id for r in records] + [
        r.reverses_external_id for r in records if r.reverses_external_id
    ]
    known: Known = {}
    c = TX_T.c
    for part in chunks(sorted(set(external_ids))):
        for row in session.execute(
            select(c.external_id, c.id, c.amount_cents, c.kind, c.account_id).where(
                c.external_id.in_(list(part))
            )
        ):
            known[row.external_id] = (row.id, row.amount_cents, row.kind, row.account_id)
    return known


def _reversal(
    session: Session, record: TransactionRecord, account_id: int, posting: _Posting
) -> _Effect | tuple[str, str]:
    """What a reversal undoes, or why it cannot (the field and the reason)."""
    target = posting.known.get(record.reverses_external_id or "")
    if posting.pending and target is not None and target[0] == 0:
        # The original is in this batch and not yet written: write it to learn its id.
        _insert_and_learn(session, posting.pending, posting.known)
        posting.pending = []
    if posting.reversed_ids is None:
        posting.reversed_ids = _already_reversed(session, posting.known)
    original = posting.known.get(record.reverses_external_id or "")
    if original is None or original[3] != account_id or original[2] == TransactionKind.REVERSAL:
        return ("reverses_transaction_id", "reverses a transaction that does not exist on this account")
    if original[0] in posting.reversed_ids:
        return ("reverses_transaction_id", "that transaction is already reversed")
    posting.reversed_ids.add(original[0])
    return _Effect(-original[1], original[2], original[0])


def _movement(
    record: TransactionRecord, balance: int, *, margin: int, flagged: bool
) -> _Effect | tuple[str, str]:
    """What a movement does to a balance of ``balance`` cents, or why it cannot be real."""
    effect = balance_effect(record.kind, record.amount_cents)
    problem = _beyond_limits(record.kind, effect, balance, margin=margin, flagged=flagged)
    if problem is not None:
        return ("amount", problem)
    return _Effect(effect, record.kind)


def _beyond_limits(kind: str, effect: int, balance: int, *, margin: int, flagged: bool) -> str | None:
    """Why a movement of ``effect`` cents on an account owing ``balance`` cannot be real, or None.

    The reason never names the amount or the balance: a reject file is mailed around.
    """
    if kind in PAYMENT_KINDS and -effect > balance + margin and not flagged:
        return (
            f"is more than the account's balance plus the {format_cents(margin)} margin; "
            "if it really was overpaid, say overpayment = Y"
        )
    if effect > 0 and balance + effect > MAX_ACCOUNT_CENTS:
        return (
            f"would raise the balance above {format_cents(MAX_ACCOUNT_CENTS)}, "
            "larger than any plausible balance"
        )
    return None


def _account_rows(session: Session, ids: Collection[int]) -> dict[int, Any]:
    """The balances, status and version of the accounts ``ids``, read once per batch."""
    c = ACCOUNT_T.c
    current: dict[int, Any] = {}
    for part in chunks(sorted(ids)):
        for row in session.execute(
            select(
                c.id,
                c.total_balance_cents,
                c.insurance_pending_cents,
                c.patient_responsibility_cents,
                c.status,
                c.version,
            ).where(c.id.in_(list(part)))
        ):
            current[row.id] = row
    return current


def _insert_and_learn(
    session: Session, rows: list[dict[str, Any]], known: dict[str, tuple[int, int, str, int]]
) -> None:
    """Insert ``rows`` and record their new ids, so later reversals can point at them."""
    insert_rows(session, TX_T, rows)
    c = TX_T.c
    for row in select_in_chunks(
        session,
        lambda ids: select(c.external_id, c.id, c.amount_cents, c.kind, c.account_id).where(
            c.external_id.in_(ids)
        ),
        [r["external_id"] for r in rows],
    ):
        known[row.external_id] = (row.id, row.amount_cents, row.kind, row.account_id)


def _already_reversed(session: Session, known: dict[str, tuple[int, int, str, int]]) -> set[int]:
    """Ids among ``known`` transactions that a stored reversal already undoes."""
    c = TX_T.c
    return {
        row.reverses_id
        for row in select_in_chunks(
            session,
            lambda ids: select(c.reverses_id).where(c.reverses_id.in_(ids)),
            [tx_id for tx_id, _, _, _ in known.values() if tx_id],
        )
    }


def _move_balances(
    session: Session, deltas: dict[int, dict[str, int]], current: dict[int, Any], now: datetime
) -> list[int]:
    """Move each account's balances (``current``, as read before) by its delta; returns the accounts
    whose call state may change."""
    updates = []
    settled = []
    for account_id, delta in deltas.items():
        row = current[account_id]
        total = row.total_balance_cents + delta["total"]
        # Insurance pending can never exceed what is owed; the rest is the patient's.
        insurance = max(0, min(row.insurance_pending_cents + delta["insurance"], total))
        status = row.status
        if status == AccountStatus.OPEN and total <= 0:
            status = AccountStatus.PAID
        elif status == AccountStatus.PAID and total > 0:
            status = AccountStatus.OPEN
        if money_call_inputs(status, insurance) != money_call_inputs(row.status, row.insurance_pending_cents):
            settled.append(account_id)
        updates.append(
            {
                "row_id": account_id,
                "total_balance_cents": total,
                "insurance_pending_cents": insurance,
                "patient_responsibility_cents": total - insurance,
                "status": status,
                "version": row.version + 1,
                "updated_at": now,
            }
        )
    update_by_id(session, ACCOUNT_T, updates)
    return settled
