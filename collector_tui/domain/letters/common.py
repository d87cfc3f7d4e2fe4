"""What every letter shares: its languages, its refusal, dates and money as the reader reads them."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from typing import Literal

from collector_tui.domain.money import format_cents

Language = Literal["en", "es"]
LANGUAGES: tuple[Language, ...] = ("en", "es")

_MONTHS: dict[str, tuple[str, ...]] = {
    "en": (
        "January", "February", "March", "April", "May", "June",
        "July", "August", "September", "October", "November", "December",
    ),
    "es": (
        "enero", "febrero", "marzo", "abril", "mayo", "junio",
        "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre",
    ),
}  # fmt: skip


class LetterError(ValueError):
    """The facts cannot make this letter (the message names the fact, never a person or an amount)."""


def check_language(language: str) -> Language:
    """``language`` as a letter language, or a refusal naming the ones there are."""
    for known in LANGUAGES:
        if language == known:
            return known
    raise LetterError(f"no letter in language {language!r}: use one of {', '.join(LANGUAGES)}")


def long_date(day: date, language: str) -> str:
    """The date written out as the reader's language writes it: "January 5, 2027" /
    "5 de enero de 2027". Never 01/05/2027, which a reader abroad reads as the 1st of May."""
    month = _MONTHS[check_language(language)][day.month - 1]
    if language == "es":
        return f"{day.day} de {month} de {day.year}"
    return f"{month} {day.day}, {day.year}"


def money(cents: int) -> str:
    """``$1,234.56``: the amount as the letters print it (both languages, as the CFPB's Spanish
    model form does)."""
    return format_cents(cents)


def lines_json(lines: Sequence[str]) -> str:
    """A list of text lines as the one string a template input must be (``sys.inputs`` holds
    strings only; the template decodes it with ``json(bytes(...))``)."""
    return json.dumps(list(lines), ensure_ascii=False)


def require_text(value: str, what: str) -> str:
    """``value`` stripped, or a refusal naming ``what`` when it is blank."""
    text = value.strip()
    if not text:
        raise LetterError(f"{what} is blank")
    return text


def require_lines(lines: Sequence[str], what: str) -> tuple[str, ...]:
    """The non-blank lines of an address, or a refusal when none is left."""
    kept = tuple(line.strip() for line in lines if line.strip())
    if not kept:
        raise LetterError(f"{what} is blank")
    return kept
