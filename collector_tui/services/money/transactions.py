"""Apply money movements from the billing system; balances follow, idempotent by id.

A movement no real account could have is refused, not applied: a payment larger than the
balance plus the policy's margin (``[transactions]`` in ``policies/workspace.toml``) unless the
row says it is an overpayment, and anything that would raise a balance above the ceiling a
placement may carry (``MAX_ACCOUNT_CENTS`` in ``domain/money.py``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from collector_tui.db import codes
from collector_tui.db.models import Account, AccountTransaction, AuditEvent, table_of
from collector_tui.domain.compliance.engine import money_call_inputs
from collector_tui.domain.money import MAX_ACCOUNT_CENTS, format_cents
from collector_tui.domain.money_events import TransactionRecord, balance_effect
from collector_tui.services.audit import Actor, audit_rows
from collector_tui.services.bulk import chunks, insert_rows, select_in_chunks, update_by_id
from collector_tui.services.desk.account_state import refresh_accounts
from collector_tui.services.desk.lookup import account_refs
from collector_tui.services.law.policy import current_workspace_policy

TX_T = table_of(AccountTransaction)
ACCOUNT_T = table_of(Account)
AUDIT_T = table_of(AuditEvent)
PAYMENT_KINDS = frozenset({codes.TX_PAYMENT, codes.TX_INSURANCE_PAYMENT})


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
) -> TransactionResult:
    """Insert new transactions, skip ones already on file, and move the balances.

    ``overpayment_ok`` holds the external ids whose rows say they overpay on purpose; the margin
    defaults to the workspace policy's. Each limit is checked against the balance as the
    transactions before it in ``records`` left it.
    """
    result = TransactionResult()
    if overpayment_margin_cents is None:
        overpayment_margin_cents = current_workspace_policy().transactions.overpayment_margin_cents
    accounts = account_refs(session, ((r.facility_code, r.account_number) for r in records))
    current = _account_rows(session, {ref.id for ref in accounts.values()})
    external_ids = [r.external_id for r in records] + [
        r.reverses_external_id for r in records if r.reverses_external_id
    ]
    known: dict[str, tuple[int, int, str, int]] = {}  # external id -> (id, effect, kind, account)
    c = TX_T.c
    for part in chunks(sorted(set(external_ids))):
        for row in session.execute(
            select(c.external_id, c.id, c.amount_cents, c.kind, c.account_id).where(
                c.external_id.in_(list(part))
            )
        ):
            known[row.external_id] = (row.id, row.amount_cents, row.kind, row.account_id)

    deltas: dict[int, dict[str, int]] = defaultdict(lambda: {"total": 0, "insurance": 0, "patient": 0})
    # Plain transactions first, so a reversal may undo one from the same file.
    ordered = sorted(records, key=lambda r: r.kind == codes.TX_REVERSAL)
    pending: list[dict[str, Any]] = []
    reversed_ids: set[int] | None = None  # loaded at the first reversal
    for record in ordered:
        if record.external_id in known:
            result.unchanged += 1
            continue
        account = accounts.get((record.facility_code, record.account_number))
        if account is None:
            result.rejected.append((record.external_id, "account_number", "no such account"))
            continue
        reverses_id: int | None = None
        if record.kind == codes.TX_REVERSAL:
            target = known.get(record.reverses_external_id or "")
            if pending and target is not None and target[0] == 0:
                # The original is in this batch and not yet written: write it to learn its id.
                _insert_and_learn(session, pending, known)
                pending = []
            if reversed_ids is None:
                reversed_ids = _already_reversed(session, known)
            original = known.get(record.reverses_external_id or "")
            if original is None or original[3] != account.id or original[2] == codes.TX_REVERSAL:
                result.rejected.append(
                    (
                        record.external_id,
                        "reverses_transaction_id",
                        "reverses a transaction that does not exist on this account",
                    )
                )
                continue
            if original[0] in reversed_ids:
                result.rejected.append(
                    (record.external_id, "reverses_transaction_id", "that transaction is already reversed")
                )
                continue
            reversed_ids.add(original[0])
            reverses_id, effect, kind_moved = original[0], -original[1], original[2]
        else:
            effect, kind_moved = balance_effect(record.kind, record.amount_cents), record.kind
            moved = deltas.get(account.id)
            balance = current[account.id].total_balance_cents + (moved["total"] if moved else 0)
            problem = _beyond_limits(
                record.kind,
                effect,
                balance,
                margin=overpayment_margin_cents,
                flagged=record.external_id in overpayment_ok,
            )
            if problem is not None:
                result.rejected.append((record.external_id, "amount", problem))
                continue
        pending.append(
            {
                "account_id": account.id,
                "external_id": record.external_id,
                "kind": record.kind,
                "amount_cents": effect,
                "posted_at": record.posted_at,
                "method": record.method,
                "reference": record.reference,
                "reverses_id": reverses_id,
                "source": source,
                "collector_id": actor.collector_id,
                "import_batch_id": batch_id,
                "created_at": now,
            }
        )
        known[record.external_id] = (0, effect, record.kind, account.id)
        delta = deltas[account.id]
        delta["total"] += effect
        delta["insurance" if kind_moved == codes.TX_INSURANCE_PAYMENT else "patient"] += effect
        result.inserted += 1
        result.total_cents += effect
    if pending:
        _insert_and_learn(session, pending, known)

    # A balance paid or insurance settled changes who is called, and when; other payments only the score.
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
        if status == codes.ACCOUNT_OPEN and total <= 0:
            status = codes.ACCOUNT_PAID
        elif status == codes.ACCOUNT_PAID and total > 0:
            status = codes.ACCOUNT_OPEN
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
