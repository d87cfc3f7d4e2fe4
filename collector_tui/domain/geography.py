"""US states, ZIP codes and the time zones an address may be in."""

from __future__ import annotations

import re
from functools import lru_cache

# Time zones a consumer in each state (or territory) may be in; the first is the
# zone most of the state keeps. States split between zones list every zone.
STATE_ZONES: dict[str, tuple[str, ...]] = {
    "AL": ("America/Chicago",),
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
    "MI": ("America/Detroit", "America/Chicago"),
    "MN": ("America/Chicago",),
    "MS": ("America/Chicago",),
    "MO": ("America/Chicago",),
    "MT": ("America/Denver",),
    "NE": ("America/Chicago", "America/Denver"),
    "NV": ("America/Los_Angeles", "America/Denver"),
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
}
US_STATES = frozenset(STATE_ZONES)

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


# ZIP prefixes (first three digits) of split states whose zone is known from
# the prefix alone; prefixes not listed keep every zone of the state. Sources:
# USPS sectional centers against the zone boundaries of 49 CFR part 71.
ZIP_PREFIX_ZONES: dict[str, tuple[str, ...]] = {
    # Florida: the panhandle west of the Apalachicola River keeps Central time.
    **dict.fromkeys(
        ("320", "321", "322", "323", "327", "328", "329", "330", "331", "332", "333"), ("America/New_York",)
    ),
    **dict.fromkeys(
        ("334", "335", "336", "337", "338", "339", "341", "342", "344", "346", "347", "349"),
        ("America/New_York",),
    ),
    **dict.fromkeys(("324", "325"), ("America/Chicago",)),
    # Indiana: the Evansville and Gary corners keep Central time.
    **dict.fromkeys(
        ("460", "461", "462", "470", "471", "472", "473", "474", "478", "479"),
        ("America/Indiana/Indianapolis",),
    ),
    **dict.fromkeys(("476", "477", "463", "464"), ("America/Chicago",)),
    # Idaho: the panhandle keeps Pacific time.
    **dict.fromkeys(("832", "833", "834", "836", "837"), ("America/Boise",)),
    **dict.fromkeys(("835", "838"), ("America/Los_Angeles",)),
    # Texas keeps Central time but for El Paso and Hudspeth counties (Mountain): 799 and 885 are
    # El Paso's; 798 mixes El Paso's county with Central Big Bend towns (Alpine, Marfa), so keeps both.
    **dict.fromkeys(("733", *(str(prefix) for prefix in range(750, 798))), ("America/Chicago",)),
    "799": ("America/Denver",),
    "885": ("America/Denver",),
    # Arizona outside the Navajo Nation keeps no daylight saving time.
    **dict.fromkeys(("850", "852", "853", "855", "856", "857", "859"), ("America/Phoenix",)),
    # Alaska: the Aleutians west of 169.5 W keep Hawaii-Aleutian time; the rest Alaska time.
    **dict.fromkeys(("995", "996", "997", "998", "999"), ("America/Anchorage",)),
}


@lru_cache(maxsize=65_536)
def address_zones(state: str | None, zip_code: str | None) -> tuple[str, ...]:
    """Every zone an address may be in: the state's zones, narrowed by the ZIP code where it decides."""
    zones = state_zones(state)
    if len(zones) > 1 and zip_code and len(zip_code) >= 3:
        narrowed = ZIP_PREFIX_ZONES.get(zip_code[:3])
        if narrowed and set(narrowed) <= set(zones):
            return narrowed
    return zones
