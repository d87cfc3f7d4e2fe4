"""What an account search means: a phone in any format, a name either way round, an account
number, a birth date. Pure: the service (``services/desk/search.py``) turns each reading into one
indexed query.

A query may be read several ways at once (``6025550124`` is a phone number and could be the start
of an account number); the service looks each reading up and merges what it finds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

# Shown in the search box: what may be typed.
SEARCH_HINT = "Find an account: phone (any format, or last 4), name (either order), account number, DOB"

MIN_PHONE_DIGITS = 4  # the last four digits of a number are the least a caller's number narrows to
_PHONE_SHAPE = re.compile(r"^[\d\s().+\-]+$")
_ACCOUNT_SHAPE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9\-_/.]*$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_US_DATE = re.compile(r"^(\d{1,2})[/-](\d{1,2})[/-](\d{4})$")
_NAME_PART = re.compile(r"[^\W\d_](?:[^\W\d_]|['\-])*")
# SQLite's upper() changes ASCII letters only, so the service compares names upper-cased this way.
_ASCII_UPPER = {code: code - 32 for code in range(ord("a"), ord("z") + 1)}


@dataclass(frozen=True, slots=True)
class NameGuess:
    """A last name and (maybe) a first name, each a prefix, upper-cased as the index holds them."""

    last: str
    first: str | None = None


@dataclass(frozen=True, slots=True)
class AccountQuery:
    """Every way the typed text may be read; empty when it names nothing that can be looked up."""

    phone_digits: str | None = None  # the national digits typed (a whole number, or its end)
    account_prefix: str | None = None  # the start of an account number, as typed and upper-cased
    names: tuple[NameGuess, ...] = ()
    born: date | None = None

    @property
    def empty(self) -> bool:
        return not (self.phone_digits or self.account_prefix or self.names or self.born)


def ascii_upper(text: str) -> str:
    """Upper-case the ASCII letters only (what SQLite's ``upper()`` does)."""
    return text.translate(_ASCII_UPPER)


def parse_birth_date(text: str) -> date | None:
    """``1984-03-07``, ``03/07/1984`` or ``3-7-1984``; None for anything else."""
    iso = _ISO_DATE.match(text)
    us = _US_DATE.match(text)
    try:
        if iso:
            return date(int(iso[1]), int(iso[2]), int(iso[3]))
        if us:
            return date(int(us[3]), int(us[1]), int(us[2]))
    except ValueError:
        return None
    return None


def phone_digits(text: str) -> str | None:
    """The national digits of something shaped like a phone number or its end: ``(602) 555-0124``,
    ``602.555.0124``, ``+16025550124`` and ``16025550124`` give ``6025550124``; ``0124`` gives
    ``0124``. None when it is not phone-shaped or has fewer than four digits."""
    if not _PHONE_SHAPE.match(text):
        return None
    digits = "".join(ch for ch in text if ch.isdigit())
    if len(digits) < MIN_PHONE_DIGITS or "+" in text.lstrip()[1:]:
        return None
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]  # the NANP country code, with or without its +
    if len(digits) > 10:
        return None  # stored numbers are ten national digits after +1
    return digits


def _names(text: str) -> tuple[NameGuess, ...]:
    if "," in text:  # LAST, FIRST: the order is given
        last, _, first = text.partition(",")
        last_parts, first_parts = _NAME_PART.findall(last), _NAME_PART.findall(first)
        if not last_parts:
            return ()
        return (
            NameGuess(
                ascii_upper(" ".join(last_parts)), ascii_upper(first_parts[0]) if first_parts else None
            ),
        )
    parts = [ascii_upper(p) for p in _NAME_PART.findall(text)]
    if not parts:
        return ()
    if len(parts) == 1:
        return (NameGuess(parts[0]),)
    # Either order: "Emily Rivera" (first last) or "rivera emily" (last first); with a middle name
    # or a two-word last name the outer words are the first and last names.
    guesses = (
        NameGuess(parts[-1], parts[0]),
        NameGuess(parts[0], parts[1]),
        NameGuess(" ".join(parts[1:]), parts[0]),
    )
    return tuple(dict.fromkeys(guesses))


def parse_account_query(raw: str) -> AccountQuery:
    """Every reading of ``raw``: a birth date is only a birth date; digits may be a phone and an
    account number; words are a name, either order (``LAST, FIRST`` fixes the order). Never raises."""
    text = " ".join(raw.split())
    if len(text) < 2:
        return AccountQuery()
    born = parse_birth_date(text)
    if born is not None:
        return AccountQuery(born=born)
    has_digit = any(ch.isdigit() for ch in text)
    account = ascii_upper(text) if has_digit and _ACCOUNT_SHAPE.match(text) else None
    names = () if has_digit else _names(text)
    return AccountQuery(phone_digits=phone_digits(text), account_prefix=account, names=names)


__all__ = [
    "MIN_PHONE_DIGITS",
    "SEARCH_HINT",
    "AccountQuery",
    "NameGuess",
    "ascii_upper",
    "parse_account_query",
    "parse_birth_date",
    "phone_digits",
]
