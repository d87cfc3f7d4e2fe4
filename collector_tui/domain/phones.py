"""Phone numbers: parse, validate, normalise to E.164 and find their time zones.

phonenumbers costs ~35 us a number; imports see the same numbers again and
again (households, re-imports), so results are cached per distinct number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import phonenumbers
from phonenumbers import timezone as phone_timezone

_UNKNOWN_ZONE = "Etc/Unknown"
_NON_DIGITS = re.compile(r"[^\d+]")


@dataclass(frozen=True, slots=True)
class NormalizedPhone:
    """A phone as stored: E.164 when usable, the digits as received otherwise."""

    number: str
    valid: bool
    time_zones: tuple[str, ...]

    @property
    def toll_free(self) -> bool:
        # phonenumbers maps a toll-free number to every zone of the plan.
        return len(self.time_zones) > 6


def normalize_phone(raw: str, region: str = "US") -> NormalizedPhone:
    """Normalise ``raw``; an unusable number is kept (``valid=False``), never dropped."""
    compact = _NON_DIGITS.sub("", raw.strip())
    return _normalize_compact(compact, region)


@lru_cache(maxsize=262_144)
def _normalize_compact(compact: str, region: str) -> NormalizedPhone:
    if not compact:
        return NormalizedPhone(number="", valid=False, time_zones=())
    try:
        parsed = phonenumbers.parse(compact, region)
    except phonenumbers.NumberParseException:
        return NormalizedPhone(number=compact, valid=False, time_zones=())
    if not phonenumbers.is_valid_number(parsed):
        return NormalizedPhone(number=compact, valid=False, time_zones=())
    e164 = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    zones = tuple(
        zone for zone in phone_timezone.time_zones_for_number(parsed) if zone != _UNKNOWN_ZONE
    )
    return NormalizedPhone(number=e164, valid=True, time_zones=zones)


def format_national(number: str, region: str = "US") -> str:
    """``+16145550142`` -> ``(614) 555-0142``; anything unparseable is returned as is."""
    try:
        parsed = phonenumbers.parse(number, region)
    except phonenumbers.NumberParseException:
        return number
    return str(phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL))
