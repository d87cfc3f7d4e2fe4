"""Parsing one CSV row's text fields, collecting every problem instead of stopping at one.

A :class:`RowReader` wraps the row; each ``text``/``date``/``money``/... call
returns a value or ``None`` and records a :class:`FieldError` naming the field.
Error reasons never repeat the cell's content: it may be PHI.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import NamedTuple

from collector_tui.domain.money import MAX_ACCOUNT_CENTS, MoneyError, parse_money

EARLIEST_DATE = date(1900, 1, 1)
_TRUE = frozenset({"y", "yes", "true", "t", "1", "x"})
_FALSE = frozenset({"", "n", "no", "false", "f", "0"})


class FieldError(NamedTuple):
    """One problem with one field of one row: what the reject file records."""

    field: str
    reason: str


# C0 controls but tab, line feed and carriage return; DEL; C1 controls (U+0080-U+009F). A NUL
# truncates text in C libraries and PostgreSQL refuses it; the rest are invisible on a screen.
# Also the Unicode bidirectional overrides and isolates (U+202A-U+202E, U+2066-U+2069), which make
# a screen show text in another order than it is stored ("Trojan Source").
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# The same and tab, line feed, carriage return and the Unicode line and paragraph separators
# (U+2028, U+2029): a code, a name or an amount never holds one.
_CONTROL_OR_BREAK = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
CONTROL_REASON = "contains a control character (such as NUL or DEL), which no field may hold"
BREAK_REASON = "contains a line break or tab, which only a free-text field (an activity note) may hold"


def control_character_errors(
    cells: Mapping[str, str | None], *, read: Collection[str], free_text: Collection[str] = ()
) -> list[FieldError]:
    """The fields among ``read`` holding a control character, each named once, never quoted.

    ``free_text`` fields may hold tab, line feed and carriage return. The whole row is searched
    at once first, for anything either rule refuses: nearly every row is clean, and a placement
    row has ~70 cells.
    """
    if not _CONTROL_OR_BREAK.search("".join(value for value in cells.values() if value)):
        return []
    errors = []
    for name, value in cells.items():
        if not value or name not in read:
            continue
        if _CONTROL.search(value):
            errors.append(FieldError(name, CONTROL_REASON))
        elif name not in free_text and _CONTROL_OR_BREAK.search(value):
            errors.append(FieldError(name, BREAK_REASON))
    return errors


ISO_DATE_FORMATS: tuple[str, ...] = ("%Y-%m-%d",)
ISO_DATETIME_FORMATS: tuple[str, ...] = ("%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%d %H:%M:%S%z")


class RowFormat(NamedTuple):
    """How a source system writes dates and money (see ``--mapping``)."""

    date_formats: tuple[str, ...] = ISO_DATE_FORMATS
    datetime_formats: tuple[str, ...] = ISO_DATETIME_FORMATS
    money_unit: str = "dollars"


@dataclass
class RowReader:
    """Reads typed values out of one row of strings, remembering what was wrong."""

    row: Mapping[str, str | None]
    today: date
    fmt: RowFormat = field(default_factory=RowFormat)
    errors: list[FieldError] = field(default_factory=list)
    _cells: dict[str, str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        # Strip every cell once: a placement row is read ~70 times.
        self._cells = {name: value.strip() for name, value in self.row.items() if value}

    def fail(self, name: str, reason: str) -> None:
        self.errors.append(FieldError(name, reason))

    def raw(self, name: str) -> str:
        return self._cells.get(name, "")

    def text(self, name: str, *, required: bool = False, max_length: int = 200) -> str | None:
        value = self.raw(name)
        if not value:
            if required:
                self.fail(name, "required")
            return None
        if len(value) > max_length:
            self.fail(name, f"longer than {max_length} characters")
            return None
        return value

    def choice(self, name: str, choices: tuple[str, ...], *, default: str | None = None) -> str | None:
        value = self.raw(name).lower()
        if not value:
            if default is None:
                self.fail(name, "required")
            return default
        if value not in choices:
            self.fail(name, f"must be one of {', '.join(choices)}")
            return default
        return value

    def flag(self, name: str) -> bool:
        value = self.raw(name).lower()
        if value in _TRUE:
            return True
        if value not in _FALSE:
            self.fail(name, "must be Y or N")
        return False

    def date(
        self,
        name: str,
        *,
        required: bool = False,
        not_future: bool = True,
        earliest: date = EARLIEST_DATE,
        latest: date | None = None,
        text: str | None = None,
        prefix: str = "",
    ) -> date | None:
        """The date in column ``name`` (or in ``text``, a part of it; errors start with ``prefix``)."""
        value = self.raw(name) if text is None else text
        if not value:
            if required:
                self.fail(name, prefix + "required")
            return None
        parsed = _parse_date(value, self.fmt.date_formats)
        if parsed is None:
            self.fail(name, prefix + "not a real date in the expected format")
            return None
        if not_future and parsed > self.today:
            self.fail(name, prefix + "is in the future")
            return None
        if parsed < earliest:
            self.fail(name, f"{prefix}is before {earliest.isoformat()}")
            return None
        if latest is not None and parsed > latest:
            self.fail(name, f"{prefix}is after {latest.isoformat()}")
            return None
        return parsed

    def timestamp(self, name: str, *, required: bool = False) -> datetime | None:
        """A moment with an explicit offset (or ``Z``), returned in UTC."""
        value = self.raw(name)
        if not value:
            if required:
                self.fail(name, "required")
            return None
        text = value[:-1] + "+00:00" if value.endswith("Z") else value
        if self.fmt.datetime_formats == ISO_DATETIME_FORMATS:
            try:
                moment = datetime.fromisoformat(text)
            except ValueError:
                moment = None
            if moment is not None and moment.tzinfo is not None:
                return moment.astimezone(UTC)
        for pattern in self.fmt.datetime_formats:
            try:
                moment = datetime.strptime(text, pattern)  # noqa: DTZ007 (offset checked below)
            except ValueError:
                continue
            if moment.tzinfo is None:
                self.fail(name, "has no UTC offset")
                return None
            return moment.astimezone(UTC)
        self.fail(name, "not a timestamp with an offset (e.g. 2026-11-27T14:05:00-05:00)")
        return None

    def money(
        self,
        name: str,
        *,
        required: bool = False,
        allow_negative: bool = False,
        maximum: int = MAX_ACCOUNT_CENTS,
        text: str | None = None,
        prefix: str = "",
    ) -> int | None:
        """Cents in column ``name`` (or in ``text``, a part of it; errors start with ``prefix``)."""
        value = self.raw(name) if text is None else text
        if not value:
            if required:
                self.fail(name, prefix + "required")
            return None
        try:
            cents = parse_money(value, unit=self.fmt.money_unit)
        except MoneyError as exc:
            self.fail(name, f"{prefix}not an amount of money ({exc})")
            return None
        if cents < 0 and not allow_negative:
            self.fail(name, prefix + "is negative")
            return None
        if abs(cents) > maximum:
            self.fail(name, prefix + "is larger than any plausible amount")
            return None
        return cents


def _parse_date(value: str, patterns: tuple[str, ...]) -> date | None:
    if patterns[0] == "%Y-%m-%d" and len(value) == 10 and value[4] == "-" and value[7] == "-":
        # ISO dates are the common case; fromisoformat is ~100x faster than strptime.
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    for pattern in patterns:
        try:
            # strptime with a date-only pattern; naive is right for a calendar date.
            return datetime.strptime(value, pattern).date()  # noqa: DTZ007
        except ValueError:
            continue
    return None
