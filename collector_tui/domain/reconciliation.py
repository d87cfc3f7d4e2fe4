""" "Why do I owe this?": one line per encounter from what was billed to what is owed.

billed (the charge lines) − what the payer's contract took off (billed − allowed, when a claim
says what was allowed) − insurance paid (the claims' paid amounts and insurance payments posted
since) ± adjustments (adjustments and write-offs posted) − what the patient paid (payments, net
of refunds and reversals) = the balance. When the amounts on file do not come to the balance, the
line says by how much and what is missing, never a sum that silently does not add up.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from collector_tui.vocabulary import TransactionKind

_ADJUSTMENTS = (TransactionKind.ADJUSTMENT, TransactionKind.WRITE_OFF)
_PATIENT = (TransactionKind.PAYMENT, TransactionKind.REFUND, TransactionKind.REVERSAL)


@dataclass(frozen=True, slots=True)
class ClaimAmounts:
    billed_cents: int
    allowed_cents: int
    paid_cents: int


@dataclass(frozen=True, slots=True)
class Reconciliation:
    """Amounts as positive numbers of what they took off the bill (adjustments: signed, + adds)."""

    billed_cents: int
    allowed_cents: int | None  # None: no claim says what the payer allowed
    contractual_cents: int  # billed - allowed, when allowed is known
    insurance_paid_cents: int
    adjustments_cents: int  # the balance effect of adjustments and write-offs (negative: taken off)
    patient_paid_cents: int
    balance_cents: int
    unexplained_cents: int  # balance - what the amounts on file come to; 0 when it adds up
    missing: tuple[str, ...]  # what is not on file, in words

    @property
    def adds_up(self) -> bool:
        return self.unexplained_cents == 0 and not self.missing


def reconcile(
    *,
    charges_cents: Iterable[int],
    claims: Iterable[ClaimAmounts],
    transactions: Iterable[tuple[str, int]],
    balance_cents: int,
) -> Reconciliation:
    """The encounter's amounts, and whether they come to ``balance_cents``. ``transactions`` are
    (kind, signed effect on the balance) as stored: a $50 payment is ``("payment", -5000)``."""
    charges = list(charges_cents)
    claim_list = list(claims)
    moves = list(transactions)
    missing: list[str] = []
    billed = sum(charges)
    if not charges:
        billed = sum(c.billed_cents for c in claim_list)
        missing.append("no charge lines" + (" (billed taken from the claims)" if claim_list else ""))
    allowed: int | None = None
    contractual = 0
    if claim_list:
        allowed = sum(c.allowed_cents for c in claim_list)
        contractual = max(0, billed - allowed)
    insurance = sum(c.paid_cents for c in claim_list) - sum(
        amount for kind, amount in moves if kind == TransactionKind.INSURANCE_PAYMENT
    )
    adjustments = sum(amount for kind, amount in moves if kind in _ADJUSTMENTS)
    patient = -sum(amount for kind, amount in moves if kind in _PATIENT)
    expected = billed - contractual - insurance + adjustments - patient
    unexplained = balance_cents - expected
    if unexplained:
        missing.append(
            "the amounts on file do not come to the balance: a payment or adjustment made before "
            "placement, or the payer's allowed amount, is not on file"
        )
    return Reconciliation(
        billed_cents=billed,
        allowed_cents=allowed,
        contractual_cents=contractual,
        insurance_paid_cents=insurance,
        adjustments_cents=adjustments,
        patient_paid_cents=patient,
        balance_cents=balance_cents,
        unexplained_cents=unexplained,
        missing=tuple(missing),
    )


__all__ = ["ClaimAmounts", "Reconciliation", "reconcile"]
