"""Phone numbers: parse, validate, normalise to E.164 and find their time zones.

phonenumbers costs ~35 us a number; imports see the same numbers again and
again (households, re-imports), so results are cached per distinct number.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

import phonenumbers
from phonenumbers import timezone as phone_timezone

_UNKNOWN_ZONE = "Etc/Unknown"
_NON_DIGITS = re.compile(r"[^\d+]")


class NormalizedPhone(NamedTuple):
    """A phone as stored: E.164 when usable, the digits as received otherwise."""

    number: str
    valid: bool
    time_zones: tuple[str, ...]
    toll_free: bool = False


def normalize_phone(raw: str, region: str = "US") -> NormalizedPhone:
    """Normalise ``raw``; an unusable number is kept (``valid=False``), never dropped.

    A plain ten-digit NANP number is answered from a cache keyed by its area
    code and exchange: validity and time zones depend on those alone, and an
    office's numbers share few of them.
    """
    compact = _NON_DIGITS.sub("", raw.strip())
    nanp = _nanp_digits(compact) if region == "US" else None
    if nanp is None:
        return _normalize_compact(compact, region)
    prefix = _normalize_compact(nanp[:6] + "0100", region)  # a representative line number
    if not prefix.valid:
        return _normalize_compact(compact, region)
    return NormalizedPhone("+1" + nanp, True, prefix.time_zones, prefix.toll_free)


def _nanp_digits(compact: str) -> str | None:
    """The ten national digits of a NANP number, or None if it is not plainly one."""
    if compact.startswith("+1"):
        compact = compact[2:]
    elif compact.startswith("+"):
        return None
    elif len(compact) == 11 and compact.startswith("1"):
        compact = compact[1:]
    if len(compact) != 10 or not compact.isdigit():
        return None
    if compact[0] in "01" or compact[3] in "01":
        return None  # area codes and exchanges never start with 0 or 1
    return compact


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
    zones = tuple(zone for zone in phone_timezone.time_zones_for_number(parsed) if zone != _UNKNOWN_ZONE)
    toll_free = phonenumbers.number_type(parsed) == phonenumbers.PhoneNumberType.TOLL_FREE
    return NormalizedPhone(number=e164, valid=True, time_zones=zones, toll_free=toll_free)


def format_national(number: str, region: str = "US") -> str:
    """``+16145550142`` -> ``(614) 555-0142``; anything unparseable is returned as is."""
    try:
        parsed = phonenumbers.parse(number, region)
    except phonenumbers.NumberParseException:
        return number
    return str(phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL))
