"""Money as integer cents; ``Decimal`` only at the edges (parsing, display)."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

MAX_ACCOUNT_CENTS = 10_000_000_00  # $10,000,000.00: anything above is a file error, not a debt
_PLAIN_DOLLARS = re.compile(r"([0-9]{1,13})\.([0-9]{2})")
# Digits, at most one point; no exponents, underscores or non-ASCII digits.
_AMOUNT = re.compile(r"[-+]?[0-9]{1,15}(\.[0-9]+)?|[-+]?\.[0-9]+")


class MoneyError(ValueError):
    """Text that is not an amount of money."""


def parse_money(text: str, *, unit: str = "dollars") -> int:
    """Parse ``"1,234.56"``, ``"$12"`` or (with ``unit="cents"``) ``"123456"`` into cents.

    Dollar amounts may carry at most two decimals; a third decimal is an
    error rather than a silent rounding.
    """
    plain = _PLAIN_DOLLARS.fullmatch(text) if unit == "dollars" else None
    if plain is not None:  # the common "1234.56": integer arithmetic, no Decimal
        return int(plain.group(1)) * 100 + int(plain.group(2))
    cleaned = text.strip().replace(",", "").replace("$", "")
    negative = False
    if cleaned.startswith("(") and cleaned.endswith(")"):
        negative, cleaned = True, cleaned[1:-1]
    if not cleaned:
        raise MoneyError("empty amount")
    if not _AMOUNT.fullmatch(cleaned) or (negative and cleaned[0] in "-+"):
        raise MoneyError("not a number")
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        raise MoneyError("not a number") from None
    if unit == "cents":
        if amount != amount.to_integral_value():
            raise MoneyError("cents must be a whole number")
        cents = int(amount)
    elif unit == "dollars":
        exponent = amount.as_tuple().exponent
        if isinstance(exponent, int) and exponent < -2:
            raise MoneyError("more than two decimal places")
        cents = int((amount * 100).to_integral_value(rounding=ROUND_HALF_UP))
    else:
        raise MoneyError(f"unknown money unit {unit!r}")
    return -cents if negative else cents


def format_cents(cents: int, *, symbol: bool = True) -> str:
    """``123456`` -> ``"$1,234.56"``; negatives as ``"-$12.00"``."""
    sign = "-" if cents < 0 else ""
    dollars, rest = divmod(abs(cents), 100)
    prefix = "$" if symbol else ""
    return f"{sign}{prefix}{dollars:,}.{rest:02d}"


def cents_to_decimal(cents: int) -> Decimal:
    """Cents as an exact dollar ``Decimal`` (for files written back to billing)."""
    return (Decimal(cents) / 100).quantize(Decimal("0.01"))
