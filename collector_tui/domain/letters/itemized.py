"""The itemized statement's content: every charge with its date, code and description, what the
payers were billed, allowed and paid, every adjustment and patient payment, and the reconciliation
from what was billed to the balance (:func:`collector_tui.domain.reconciliation.reconcile`).

A patient asks for it to see why they owe what they owe, and some states (Washington among them)
require one before collection goes on. So it is refused when the amounts on file do not come to the
balance, or there are no charge lines: a statement that does not add up answers nothing and is the
start of a dispute. For a nonprofit facility it carries the financial-assistance notice a billing
statement must carry (26 CFR 1.501(r)-4(b)(5): that assistance is available, a telephone number, and
the web address of the policy when it is on file).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from collector_tui.domain.letters.common import (
    LetterError,
    check_language,
    lines_json,
    long_date,
    money,
    require_lines,
    require_text,
)
from collector_tui.domain.letters.validation import CollectorIdentity
from collector_tui.domain.reconciliation import ClaimAmounts, Reconciliation, reconcile
from collector_tui.vocabulary import TransactionKind

KIND = "itemized_statement"
# The words a patient reads for each kind of money movement (the vocabulary's labels are the
# office's words).
_MOVEMENT_WORDS: dict[str, str] = {
    TransactionKind.PAYMENT: "Your payment",
    TransactionKind.REFUND: "Refund to you",
    TransactionKind.REVERSAL: "Payment reversed",
    TransactionKind.ADJUSTMENT: "Adjustment",
    TransactionKind.WRITE_OFF: "Adjustment (write-off)",
    TransactionKind.INSURANCE_PAYMENT: "Insurance payment",
}


@dataclass(frozen=True, slots=True)
class StatementCharge:
    service_date: date
    code: str
    description: str | None
    amount_cents: int


@dataclass(frozen=True, slots=True)
class StatementClaim:
    payer_name: str
    claim_number: str
    billed_cents: int
    allowed_cents: int
    paid_cents: int


@dataclass(frozen=True, slots=True)
class StatementMovement:
    """A transaction as stored: ``amount_cents`` is its signed effect on the balance."""

    posted_on: date
    kind: str
    amount_cents: int


@dataclass(frozen=True, slots=True)
class ItemizedStatementFacts:
    sender: CollectorIdentity
    facility_name: str
    facility_nonprofit: bool
    fap_policy_url: str | None
    guarantor_name: str
    guarantor_address: tuple[str, ...]
    patient_name: str | None
    account_number: str
    statement_date: date
    charges: tuple[StatementCharge, ...]
    claims: tuple[StatementClaim, ...]
    movements: tuple[StatementMovement, ...]
    balance_cents: int
    language: str = "en"


def statement_reconciliation(facts: ItemizedStatementFacts) -> Reconciliation:
    """From billed to the balance over the statement's own lines."""
    return reconcile(
        charges_cents=[charge.amount_cents for charge in facts.charges],
        claims=[ClaimAmounts(c.billed_cents, c.allowed_cents, c.paid_cents) for c in facts.claims],
        transactions=[(m.kind, m.amount_cents) for m in facts.movements],
        balance_cents=facts.balance_cents,
    )


def _rows(rows: Sequence[Sequence[str]]) -> str:
    return json.dumps([list(row) for row in rows], ensure_ascii=False)


def itemized_inputs(facts: ItemizedStatementFacts) -> dict[str, str]:
    """The template's inputs, refused when the lines on file do not reconcile to the balance."""
    language = check_language(facts.language)
    if language != "en":
        raise LetterError("the itemized statement is in English only for now")
    found = statement_reconciliation(facts)
    if not found.adds_up:
        raise LetterError(
            "the charges, payments and adjustments on file do not come to the balance (or there are "
            "no charge lines): an itemized statement must reconcile to the balance"
        )
    charges = [
        (long_date(c.service_date, language), c.code, (c.description or "").strip(), money(c.amount_cents))
        for c in sorted(facts.charges, key=lambda c: c.service_date)
    ]
    claims = [
        (c.payer_name, c.claim_number, money(c.billed_cents), money(c.allowed_cents), money(c.paid_cents))
        for c in facts.claims
    ]
    movements = [
        (long_date(m.posted_on, language), _MOVEMENT_WORDS.get(m.kind, m.kind), money(m.amount_cents))
        for m in sorted(facts.movements, key=lambda m: m.posted_on)
    ]
    sender = facts.sender
    fap = ""
    if facts.facility_nonprofit:
        where = (facts.fap_policy_url or "").strip()
        how = (
            f"Read the policy and apply at {where}, or call us at {sender.phone}."
            if where
            else f"Call us at {sender.phone} to ask for the policy and an application."
        )
        fap = (
            f"Financial assistance: {facts.facility_name} offers free or discounted care to patients "
            f"who qualify under its financial assistance policy. {how}"
        )
    return {
        "language": language,
        "sender_name": require_text(sender.name, "the sender's name"),
        "sender_address": lines_json(require_lines(sender.mailing_address, "the sender's address")),
        "sender_phone": require_text(sender.phone, "the sender's phone"),
        "sender_hours": require_text(sender.hours, "the sender's hours"),
        "facility_name": require_text(facts.facility_name, "the facility's name"),
        "guarantor_name": require_text(facts.guarantor_name, "the guarantor's name"),
        "guarantor_address": lines_json(require_lines(facts.guarantor_address, "the guarantor's address")),
        "patient_name": (facts.patient_name or "").strip(),
        "account_number": require_text(facts.account_number, "the account number"),
        "statement_date": long_date(facts.statement_date, language),
        "charges": _rows(charges),
        "claims": _rows(claims),
        "movements": _rows(movements),
        "total_charges": money(found.billed_cents),
        "contractual": "" if found.allowed_cents is None else money(-found.contractual_cents),
        "insurance_paid": money(-found.insurance_paid_cents),
        "adjustments": money(found.adjustments_cents),
        "patient_paid": money(-found.patient_paid_cents),
        "balance": money(found.balance_cents),
        "fap_notice": fap,
    }


__all__ = [
    "KIND",
    "ItemizedStatementFacts",
    "StatementCharge",
    "StatementClaim",
    "StatementMovement",
    "itemized_inputs",
    "statement_reconciliation",
]
