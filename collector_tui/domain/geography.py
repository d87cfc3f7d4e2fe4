"""US states, ZIP codes and the time zones an address may be in."""

from __future__ import annotations

import re
from functools import lru_cache

from collector_tui.domain import zip_zones

# Time zones a consumer in each state (or territory) may be in; the first is the
# zone most of the state keeps. States split between zones list every zone. Zones
# that keep the same clock are named once, by the zone most of the state's ZIP codes
# are in (Indiana's counties on tz zones of their own are Indianapolis or Chicago):
# tests/domain/test_geography.py checks this table against the ZIP codes' zones
# (collector_tui/domain/zip_zones.py).
STATE_ZONES: dict[str, tuple[str, ...]] = {
    # Phenix City and its neighbours on the Georgia line keep Eastern time by custom.
    "AL": ("America/Chicago", "America/New_York"),
    "AK": ("America/Anchorage", "America/Adak"),
    "AZ": ("America/Phoenix", "America/Denver"),  # the Navajo Nation keeps DST
    "AR": ("America/Chicago",),
    "CA": ("America/Los_Angeles",),
    "CO": ("America/Denver",),
    "CT": ("America/New_York",),
    "DE": ("America/New_York",),
    "DC": ("America/New_York",),
    "FL": ("America/New_York", "America/Chicago"),
    "GA": ("America/New_York",),
    "HI": ("Pacific/Honolulu",),
    "ID": ("America/Boise", "America/Los_Angeles"),
    "IL": ("America/Chicago",),
    "IN": ("America/Indiana/Indianapolis", "America/Chicago"),
    "IA": ("America/Chicago",),
    "KS": ("America/Chicago", "America/Denver"),
    "KY": ("America/New_York", "America/Chicago"),
    "LA": ("America/Chicago",),
    "ME": ("America/New_York",),
    "MD": ("America/New_York",),
    "MA": ("America/New_York",),
    "MI": ("America/Detroit", "America/Menominee"),  # the Wisconsin line's counties: Central
    "MN": ("America/Chicago",),
    "MS": ("America/Chicago",),
    "MO": ("America/Chicago",),
    "MT": ("America/Denver",),
    "NE": ("America/Chicago", "America/Denver"),
    "NV": ("America/Los_Angeles", "America/Denver"),  # West Wendover and Jackpot: Mountain
    "NH": ("America/New_York",),
    "NJ": ("America/New_York",),
    "NM": ("America/Denver",),
    "NY": ("America/New_York",),
    "NC": ("America/New_York",),
    "ND": ("America/Chicago", "America/Denver"),
    "OH": ("America/New_York",),
    "OK": ("America/Chicago",),
    "OR": ("America/Los_Angeles", "America/Boise"),
    "PA": ("America/New_York",),
    "RI": ("America/New_York",),
    "SC": ("America/New_York",),
    "SD": ("America/Chicago", "America/Denver"),
    "TN": ("America/Chicago", "America/New_York"),
    "TX": ("America/Chicago", "America/Denver"),
    "UT": ("America/Denver",),
    "VT": ("America/New_York",),
    "VA": ("America/New_York",),
    "WA": ("America/Los_Angeles",),
    "WV": ("America/New_York",),
    "WI": ("America/Chicago",),
    "WY": ("America/Denver",),
    "PR": ("America/Puerto_Rico",),
    "VI": ("America/St_Thomas",),
    "GU": ("Pacific/Guam",),
    "MP": ("Pacific/Saipan",),
    "AS": ("Pacific/Pago_Pago",),
}
US_STATES = frozenset(STATE_ZONES)
_STATE_ZONE_SETS = {code: frozenset(zones) for code, zones in STATE_ZONES.items()}

_ZIP = re.compile(r"[0-9]{5}(-[0-9]{4})?")


def is_us_state(code: str) -> bool:
    return code.upper() in US_STATES


def is_zip_code(text: str) -> bool:
    """Five digits, optionally followed by a dash and four more (ZIP+4)."""
    return _ZIP.fullmatch(text) is not None


def state_zones(state: str | None) -> tuple[str, ...]:
    """Every zone an address in ``state`` may be in; empty when unknown."""
    if not state:
        return ()
    return STATE_ZONES.get(state.upper(), ())


def primary_zone(state: str | None) -> str | None:
    zones = state_zones(state)
    return zones[0] if zones else None


# Every zone the ZIP codes of each 3-digit prefix may be in, and the ZIP codes of
# split prefixes whose zones are fewer: generated from published data by
# tools/build_zip_zones.py (its header names the sources and their versions).
ZIP_PREFIX_ZONES: dict[str, tuple[str, ...]] = zip_zones.PREFIX_ZONES
ZIP_ZONES: dict[str, tuple[str, ...]] = zip_zones.ZIP_ZONES


@lru_cache(maxsize=65_536)
def address_zones(state: str | None, zip_code: str | None) -> tuple[str, ...]:
    """Every zone an address may be in: its ZIP code's zones, else its state's.

    The ZIP code decides through its own entry, else its prefix's: a prefix split
    between zones has every zone of it, so a ZIP code the table does not list keeps
    them all. A prefix the table does not know keeps every zone of the state; a ZIP
    code in a zone its state does not have (the address disagrees with itself) adds
    its zones to the state's.
    """
    zones = state_zones(state)
    if not state or not zones or not zip_code:
        return zones
    found = ZIP_ZONES.get(zip_code[:5]) or ZIP_PREFIX_ZONES.get(zip_code[:3])
    if found is None:
        return zones
    if _STATE_ZONE_SETS[state.upper()].issuperset(found):
        return found
    return tuple(dict.fromkeys((*zones, *found)))
