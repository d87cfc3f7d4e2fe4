"""What a collector types into a field, read: amounts, dates, times of day, counts, rates, and the
words of the queue's filter.

Pure functions of the text (and of ``today``, where a date may leave out its year). Each returns
the value or refuses with :class:`EntryValueError`, whose message says how to write it and never
repeats what was typed (it may be a consumer's detail); the caller names the field, as the
workspace's forms and :mod:`collector_tui.services.desk.consumer_requests` do.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from collector_tui.domain.aging import AGE_BUCKETS
from collector_tui.domain.money import MoneyError, parse_money

MINUTES_PER_DAY = 24 * 60
DATE_HINT = "enter a date as YYYY-MM-DD or MM/DD/YYYY"
TIME_HINT = "enter a time as HH:MM (24-hour) or 2:30pm"
AMOUNT_HINT = "enter dollars and cents, e.g. 125.00"
BALANCE_RANGE_HINT = "the balance range must be amounts, e.g. bal:100-500"

_ISO_DAY = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_US_DAY = re.compile(r"(\d{1,2})/(\d{1,2})(?:/(\d{2}|\d{4}))?")
_DATE_LIKE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}|\d{1,2}/\d{1,2}(/\d{2,4})?")
_AGE_LABELS = frozenset(label for label, _, _ in AGE_BUCKETS)


class EntryValueError(ValueError):
    """The text cannot be read; the message says how to write it (never what was typed)."""


def parse_amount(text: str) -> int:
    """Dollars as typed (``125``, ``1,234.56``, ``$12``) in cents."""
    try:
        return parse_money(text)
    except MoneyError as exc:
        raise EntryValueError(f"{exc}: {AMOUNT_HINT}") from None


def looks_like_date(text: str) -> bool:
    """Is the text written as a date (``2026-12-04``, ``12/04``, ``12/04/26``), a valid one or not?"""
    return _DATE_LIKE.fullmatch(text.strip()) is not None


def parse_day(text: str, today: date) -> date:
    """``2026-12-04``, ``12/04/2026``, ``12/04/26`` (2000s) or ``12/04`` (in ``today``'s year)."""
    text = text.strip()
    try:
        if iso := _ISO_DAY.fullmatch(text):
            return date(int(iso[1]), int(iso[2]), int(iso[3]))
        if us := _US_DAY.fullmatch(text):
            year = today.year if us[3] is None else int(us[3]) + (2000 if len(us[3]) == 2 else 0)
            return date(year, int(us[1]), int(us[2]))
    except ValueError:  # no such day (02/30, month 13)
        pass
    raise EntryValueError(DATE_HINT)


def _digits(text: str) -> bool:
    """ASCII digits only: ``str.isdigit`` also takes superscripts such as ``¹``, which int() refuses."""
    return text.isascii() and text.isdigit()


def parse_time_of_day(text: str, *, end: bool = False) -> int:
    """Minutes after midnight of ``14:30``, ``2:30pm``, ``2:30 p.m.`` or ``9am``.

    As the ``end`` of a period midnight is the day's end: ``24:00``, ``0:00`` and ``12am`` are all
    1440. Otherwise ``24:00`` is refused (a moment is never the day's end).
    """
    raw = text.strip().lower().replace(" ", "").replace(".", "")
    suffix = raw[-2:] if raw.endswith(("am", "pm")) else ""
    hour, _, minute = raw.removesuffix(suffix).partition(":")
    if not _digits(hour) or len(hour) > 2 or (minute and (not _digits(minute) or len(minute) != 2)):
        raise EntryValueError(TIME_HINT)
    h, m = int(hour), int(minute or 0)
    if suffix:
        if not 1 <= h <= 12:
            raise EntryValueError(TIME_HINT)
        h = h % 12 + (12 if suffix == "pm" else 0)
    if m >= 60 or h > 24 or (h == 24 and m):
        raise EntryValueError(TIME_HINT)
    minutes = h * 60 + m
    if end and minutes == 0:
        return MINUTES_PER_DAY
    if minutes == MINUTES_PER_DAY and not end:
        raise EntryValueError(TIME_HINT)
    return minutes


def parse_count(text: str) -> int | None:
    """A whole number of one or more (``12``); None when nothing was typed."""
    text = text.strip()
    if not text:
        return None
    if not text.isascii() or not text.isdigit() or int(text) < 1:
        raise EntryValueError("enter a whole number, e.g. 12")
    return int(text)


def parse_percent_bps(text: str) -> int:
    """A percent from 0 to 100 (``3``, ``2.5``; empty is 0) in basis points (hundredths of a percent),
    rounded down."""
    try:
        value = Decimal(text.strip() or "0")
    except InvalidOperation:
        raise EntryValueError("enter a percent, e.g. 3 or 2.5") from None
    if not value.is_finite():
        raise EntryValueError("enter a percent, e.g. 3 or 2.5")
    if value < 0 or value > 100:
        raise EntryValueError("must be between 0 and 100")
    return int(value * 100)


@dataclass(frozen=True, slots=True)
class FilterWords:
    """What the queue's filter box asks for. A filter replaces the one before it, except the age
    bucket, which the ``a`` key also sets: ``age_bucket`` is None when the words name none."""

    state: str | None = None
    age_bucket: str | None = None
    min_balance_cents: int | None = None
    max_balance_cents: int | None = None
    text: str | None = None  # the rest: the start of an account number or a last name


def parse_filter(text: str) -> FilterWords:
    """``state:TX age:61-90 bal:100-500`` (either end of the range may be left out) and the rest as
    text to search, in the order typed. A ``key:value`` that is not one of those is searched too."""
    state = age = None
    low = high = None
    words = []
    for word in text.split():
        key, sep, value = word.partition(":")
        key = key.lower()
        if sep and key == "state" and len(value) == 2:
            state = value.upper()
        elif sep and key == "age" and value in _AGE_LABELS:
            age = value
        elif sep and key in ("bal", "balance"):
            start, _, stop = value.partition("-")
            try:
                low = parse_money(start) if start else None
                high = parse_money(stop) if stop else None
            except MoneyError:
                raise EntryValueError(BALANCE_RANGE_HINT) from None
        else:
            words.append(word)
    return FilterWords(state, age, low, high, " ".join(words) or None)
