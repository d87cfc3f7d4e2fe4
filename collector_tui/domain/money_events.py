"""Transaction records from the billing system, and what each does to a balance."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import NamedTuple

from collector_tui.domain.fields import FieldError, RowFormat, RowReader

TRANSACTION_KINDS = (
    "payment",
    "adjustment",
    "insurance_payment",
    "refund",
    "write_off",
    "reversal",
)
METHODS = ("cash", "check", "card", "ach", "eft", "other")
TRANSACTION_COLUMNS: tuple[str, ...] = (
    "transaction_id",
    "facility_code",
    "account_number",
    "kind",
    "amount",
    "posted_at",
    "method",
    "reference",
    "reverses_transaction_id",
)
_REDUCES_BALANCE = frozenset({"payment", "adjustment", "insurance_payment", "write_off"})


class TransactionRecord(NamedTuple):
    external_id: str
    facility_code: str
    account_number: str
    kind: str
    amount_cents: int  # as written in the file; see balance_effect
    posted_at: datetime
    method: str | None
    reference: str | None
    reverses_external_id: str | None

    @property
    def key(self) -> str:
        return self.external_id


def balance_effect(kind: str, amount_cents: int) -> int:
    """Signed change to the balance: payments lower it, refunds raise it.

    Reversals take the opposite of the transaction they reverse, so they are
    resolved against the stored original, not here.
    """
    if kind in _REDUCES_BALANCE:
        return -amount_cents
    if kind == "refund":
        return amount_cents
    raise ValueError(f"the effect of a {kind} depends on what it reverses")


def parse_transaction_row(
    row: Mapping[str, str | None], *, today: date, fmt: RowFormat | None = None
) -> TransactionRecord | list[FieldError]:
    """Validate one row; ``today`` is the current UTC date (timestamps are compared in UTC)."""
    reader = RowReader(row, today, fmt or RowFormat())
    external_id = reader.text("transaction_id", required=True, max_length=64)
    facility = reader.text("facility_code", required=True, max_length=32)
    account = reader.text("account_number", required=True, max_length=40)
    kind = reader.choice("kind", TRANSACTION_KINDS)
    amount = reader.money("amount", required=True, allow_negative=kind == "adjustment")
    posted_at = reader.timestamp("posted_at", required=True)
    method = reader.choice("method", METHODS, default="other") if reader.raw("method") else None
    reverses = reader.text("reverses_transaction_id", max_length=64)
    if kind == "reversal" and reverses is None:
        reader.fail("reverses_transaction_id", "required for a reversal")
    if amount == 0:
        reader.fail("amount", "is zero")
    if posted_at is not None and posted_at.date() > today:
        reader.fail("posted_at", "is in the future")
    if reader.errors:
        return reader.errors
    assert external_id and facility and account and kind and amount is not None and posted_at
    return TransactionRecord(
        external_id,
        facility,
        account,
        kind,
        amount,
        posted_at,
        method,
        reader.text("reference", max_length=64),
        reverses,
    )
