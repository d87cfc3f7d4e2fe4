"""collector_tui/domain/zip_zones.py, the zones of every ZIP code (built by tools/build_zip_zones.py).

The table is walked whole: every zone is a US zone of the IANA tz database, every prefix is in
zones of its own states only, a split prefix keeps every zone, and the hard cases of the split
states are asserted exactly, with the calling window at exact moments.
"""

from __future__ import annotations

import re
import zoneinfo
from datetime import datetime
from importlib import resources
from pathlib import Path

import pytest

from collector_tui.domain import zip_zones
from collector_tui.domain.geography import STATE_ZONES, US_STATES, address_zones
from tests.domain.compliance_helpers import phone, utc, verdict

# The tz database's countries whose zones are the US's: the states and DC, and the territories.
TZ_COUNTRIES = {"US", "PR", "VI", "GU", "MP", "AS"}
TOLL_FREE = phone("8005550100")  # says nothing of where the consumer is: the address decides


def _tz_table(name: str) -> str | None:
    for folder in zoneinfo.TZPATH:
        path = Path(folder) / name
        if path.is_file():
            return path.read_text(encoding="utf-8")
    try:
        return resources.files("tzdata.zoneinfo").joinpath(name).read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError):
        return None


def us_tz_zones() -> set[str]:
    """The zones the tz database's zone.tab and zone1970.tab give for the US and its territories."""
    zones: set[str] = set()
    for name in ("zone.tab", "zone1970.tab"):
        text = _tz_table(name)
        if text is None:
            pytest.skip(f"no {name} on this machine (neither a system tz database nor the tzdata package)")
        for line in text.splitlines():
            if line.strip() and not line.startswith("#"):
                codes, _, zone = line.split("\t")[:3]
                if TZ_COUNTRIES & set(codes.split(",")):
                    zones.add(zone)
    return zones


# -- the whole table -----------------------------------------------------------------------------


def test_every_zone_of_the_table_is_a_us_zone_of_the_tz_database() -> None:
    us = us_tz_zones()
    used = {
        zone
        for table in (zip_zones.PREFIX_ZONES, zip_zones.ZIP_ZONES)
        for zones in table.values()
        for zone in zones
    }
    used |= {zone for zones in STATE_ZONES.values() for zone in zones}
    assert used <= us, sorted(used - us)
    for zone in used:
        zoneinfo.ZoneInfo(zone)  # loads


def test_every_mapped_prefix_maps_only_to_zones_of_its_states() -> None:
    assert len(zip_zones.PREFIX_ZONES) > 900
    assert set(zip_zones.PREFIX_STATES) == set(zip_zones.PREFIX_ZONES)
    for prefix, zones in zip_zones.PREFIX_ZONES.items():
        assert re.fullmatch(r"[0-9]{3}", prefix)
        assert zones and len(set(zones)) == len(zones), prefix
        states = zip_zones.PREFIX_STATES[prefix]
        assert states and set(states) <= US_STATES, (prefix, states)
        theirs = {zone for state in states for zone in STATE_ZONES[state]}
        assert set(zones) <= theirs, (prefix, states, zones)


def test_a_zip_code_of_its_own_is_in_a_split_prefix_and_in_no_zone_the_prefix_lacks() -> None:
    assert zip_zones.ZIP_ZONES
    for code, zones in zip_zones.ZIP_ZONES.items():
        assert re.fullmatch(r"[0-9]{5}", code)
        prefix_zones = zip_zones.PREFIX_ZONES[code[:3]]
        assert len(prefix_zones) > 1, code  # only a split prefix lists its ZIP codes
        assert zones and len(set(zones)) == len(zones), code
        assert set(zones) <= set(prefix_zones), (code, zones, prefix_zones)
        assert zones != prefix_zones, code


def test_a_split_prefix_is_never_narrowed_to_one_zone() -> None:
    # Every zone a ZIP code of the prefix is in is one of the prefix's, so a ZIP code the table
    # does not list (or does not know) keeps them all.
    for code, zones in zip_zones.ZIP_ZONES.items():
        assert set(zones) <= set(zip_zones.PREFIX_ZONES[code[:3]])
    split = {prefix for prefix, zones in zip_zones.PREFIX_ZONES.items() if len(zones) > 1}
    assert {"323", "324", "463", "475", "498", "499", "798", "799", "979", "995"} <= split
    for prefix in split:
        listed = {code for code in zip_zones.ZIP_ZONES if code.startswith(prefix)}
        assert listed, prefix


def test_the_states_table_is_the_zones_the_zip_codes_are_in() -> None:
    # geography.STATE_ZONES is written by hand; the ZIP codes' zones must be exactly its zones,
    # most of the state first, for every state and territory the workstation knows.
    assert set(zip_zones.STATE_ZONES) == US_STATES
    for state, zones in STATE_ZONES.items():
        assert set(zip_zones.STATE_ZONES[state]) == set(zones), state
        assert zip_zones.STATE_ZONES[state][0] == zones[0], state


def test_the_table_says_where_it_comes_from_and_how_to_rebuild_it() -> None:
    assert "zipcodes" in zip_zones.SOURCE and "timezonefinder" in zip_zones.SOURCE
    assert "tz database" in zip_zones.SOURCE
    assert zip_zones.__doc__ is not None
    assert "tools/build_zip_zones.py" in zip_zones.__doc__ and "'.[zones]'" in zip_zones.__doc__
    assert (Path(__file__).resolve().parents[2] / "tools" / "build_zip_zones.py").is_file()


# -- the split states ----------------------------------------------------------------------------

EASTERN, CENTRAL, MOUNTAIN, PACIFIC = (
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
)
INDIANA, DETROIT, MENOMINEE, BOISE = (
    "America/Indiana/Indianapolis",
    "America/Detroit",
    "America/Menominee",
    "America/Boise",
)


@pytest.mark.parametrize(
    ("prefix", "zones"),
    [
        # Indiana: Indianapolis is Eastern; Gary's corner (Lake, Porter) is Central.
        ("460", (INDIANA,)), ("461", (INDIANA,)), ("462", (INDIANA,)),
        ("464", (CENTRAL,)),
        ("463", (CENTRAL, INDIANA)),  # LaPorte, Starke (Central) and the Eastern counties beside them
        ("476", (CENTRAL, INDIANA)),  # Evansville
        # Florida: the panhandle west of the Apalachicola is Central.
        ("320", (EASTERN,)), ("321", (EASTERN,)), ("322", (EASTERN,)),
        ("323", (EASTERN, CENTRAL)),  # Tallahassee, and the Apalachicola's Central bank
        ("324", (CENTRAL, EASTERN)),  # Panama City, and Gulf County's Eastern part
        ("325", (CENTRAL,)),  # Pensacola
        # Michigan: the Upper Peninsula's counties on the Wisconsin line are Central.
        ("480", (DETROIT,)), ("498", (DETROIT, MENOMINEE)), ("499", (DETROIT, MENOMINEE)),
        # Texas: El Paso and Hudspeth counties are Mountain.
        ("885", (MOUNTAIN,)), ("799", (MOUNTAIN, CENTRAL)), ("798", (CENTRAL, MOUNTAIN)),
        ("750", (CENTRAL,)), ("790", (CENTRAL,)), ("797", (CENTRAL,)),
        # Idaho: the north (Lewiston 835, Coeur d'Alene 838) is Pacific, Boise (836, 837) Mountain.
        ("835", (PACIFIC, BOISE)), ("838", (PACIFIC,)), ("836", (BOISE, PACIFIC)), ("837", (BOISE,)),
        # Oregon: Malheur County (979) is Mountain, but for its south.
        ("979", (BOISE, PACIFIC)), ("970", (PACIFIC,)),
        # Alaska: the Aleutians west of 169.5 W keep Hawaii-Aleutian time.
        ("995", ("America/Anchorage", "America/Adak")),
        ("996", ("America/Anchorage",)), ("997", ("America/Anchorage",)),
        ("998", ("America/Anchorage",)), ("999", ("America/Anchorage",)),
        # Arizona: the Navajo Nation keeps daylight saving time.
        ("850", ("America/Phoenix",)), ("865", (MOUNTAIN, "America/Phoenix")),
        # Hawaii shares 967 with American Samoa, Guam 969 with the Northern Mariana Islands.
        ("967", ("Pacific/Honolulu", "Pacific/Pago_Pago")), ("969", ("Pacific/Guam", "Pacific/Saipan")),
    ],
)  # fmt: skip
def test_prefixes_of_the_split_states(prefix: str, zones: tuple[str, ...]) -> None:
    assert zip_zones.PREFIX_ZONES[prefix] == zones


@pytest.mark.parametrize(
    ("state", "zip_code", "zones"),
    [
        # Indiana
        ("IN", "46402", (CENTRAL,)),  # Gary
        ("IN", "46320", (CENTRAL,)),  # Hammond
        ("IN", "46383", (CENTRAL,)),  # Valparaiso
        ("IN", "46534", (CENTRAL,)),  # Knox, Starke County
        ("IN", "46996", (INDIANA,)),  # Winamac, Pulaski County (Eastern)
        ("IN", "46204", (INDIANA,)),  # Indianapolis
        ("IN", "47708", (CENTRAL,)),  # Evansville
        ("IN", "47586", (CENTRAL,)),  # Tell City, Perry County
        ("IN", "47501", (INDIANA,)),  # Washington, Daviess County (Eastern)
        # Florida
        ("FL", "32501", (CENTRAL,)),  # Pensacola
        ("FL", "32401", (CENTRAL,)),  # Panama City
        ("FL", "32428", (CENTRAL,)),  # Chipley
        ("FL", "32301", (EASTERN,)),  # Tallahassee
        ("FL", "32202", (EASTERN,)),  # Jacksonville
        ("FL", "32456", (EASTERN, CENTRAL)),  # Port St. Joe, by the zone line in Gulf County
        # Kentucky
        ("KY", "40202", (EASTERN,)),  # Louisville
        ("KY", "40601", (EASTERN,)),  # Frankfort
        ("KY", "42101", (CENTRAL,)),  # Bowling Green
        ("KY", "42001", (CENTRAL,)),  # Paducah
        ("KY", "40143", (CENTRAL,)),  # Hardinsburg, Breckinridge County: Central in an Eastern prefix
        ("KY", "42602", (CENTRAL, EASTERN)),  # Albany, Clinton County, by the zone line
        # Tennessee
        ("TN", "37203", (CENTRAL,)),  # Nashville
        ("TN", "38103", (CENTRAL,)),  # Memphis
        ("TN", "37902", (EASTERN,)),  # Knoxville
        ("TN", "37402", (EASTERN,)),  # Chattanooga
        ("TN", "38555", (CENTRAL,)),  # Crossville, Cumberland County: Central in an Eastern prefix
        ("TN", "37347", (CENTRAL,)),  # Jasper, Marion County: Central beside Chattanooga
        # Michigan
        ("MI", "48201", (DETROIT,)),  # Detroit
        ("MI", "49855", (DETROIT,)),  # Marquette
        ("MI", "49783", (DETROIT,)),  # Sault Ste. Marie
        ("MI", "49801", (MENOMINEE,)),  # Iron Mountain, Dickinson County
        ("MI", "49858", (MENOMINEE,)),  # Menominee
        ("MI", "49938", (MENOMINEE,)),  # Ironwood, Gogebic County
        # North Dakota
        ("ND", "58102", (CENTRAL,)),  # Fargo
        ("ND", "58501", (CENTRAL,)),  # Bismarck
        ("ND", "58554", (CENTRAL,)),  # Mandan, Morton County
        ("ND", "58601", (MOUNTAIN,)),  # Dickinson
        ("ND", "58623", (MOUNTAIN,)),  # Bowman
        ("ND", "58801", (CENTRAL,)),  # Williston
        # South Dakota
        ("SD", "57701", (MOUNTAIN,)),  # Rapid City
        ("SD", "57401", (CENTRAL,)),  # Aberdeen
        ("SD", "57501", (CENTRAL, MOUNTAIN)),  # Pierre, across the Missouri from Mountain time
        # Nebraska
        ("NE", "68102", (CENTRAL,)),  # Omaha
        ("NE", "69101", (CENTRAL,)),  # North Platte
        ("NE", "69153", (MOUNTAIN,)),  # Ogallala
        ("NE", "69361", (MOUNTAIN,)),  # Scottsbluff
        # Kansas
        ("KS", "67601", (CENTRAL,)),  # Hays
        ("KS", "67735", (MOUNTAIN,)),  # Goodland, Sherman County
        ("KS", "67878", (MOUNTAIN, CENTRAL)),  # Syracuse, Hamilton County, by the zone line
        # Oregon
        ("OR", "97201", (PACIFIC,)),  # Portland
        ("OR", "97914", (BOISE,)),  # Ontario, Malheur County
        ("OR", "97918", (BOISE,)),  # Vale
        ("OR", "97720", (PACIFIC,)),  # Burns
        # Idaho
        ("ID", "83702", (BOISE,)),  # Boise
        ("ID", "83201", (BOISE,)),  # Pocatello
        ("ID", "83814", (PACIFIC,)),  # Coeur d'Alene
        ("ID", "83501", (PACIFIC,)),  # Lewiston
        ("ID", "83530", (PACIFIC,)),  # Grangeville, Idaho County
        ("ID", "83549", (BOISE, PACIFIC)),  # Riggins, on the Salmon River, the zone line
        # Texas
        ("TX", "79901", (MOUNTAIN,)),  # El Paso
        ("TX", "79843", (CENTRAL,)),  # Marfa
        ("TX", "79851", (MOUNTAIN,)),  # Sierra Blanca, Hudspeth County
        # Alaska
        ("AK", "99501", ("America/Anchorage",)),  # Anchorage
        ("AK", "99801", ("America/Anchorage",)),  # Juneau (the tz database's own zone, same clock)
        ("AK", "99546", ("America/Adak",)),  # Adak
        ("AK", "99547", ("America/Adak",)),  # Atka
        ("AK", "99638", ("America/Anchorage",)),  # Nikolski, east of 169.5 W
        # Arizona
        ("AZ", "85004", ("America/Phoenix",)),  # Phoenix
        ("AZ", "86001", ("America/Phoenix",)),  # Flagstaff, outside the Navajo Nation
        ("AZ", "86515", (MOUNTAIN,)),  # Window Rock, the Navajo Nation's capital
        ("AZ", "86033", (MOUNTAIN,)),  # Kayenta
        ("AZ", "86039", ("America/Phoenix", MOUNTAIN)),  # Kykotsmovi, the Hopi (no DST) inside the Navajo
        # Nevada: West Wendover keeps Mountain time (and the dataset lists Pacific: both).
        ("NV", "89883", (MOUNTAIN, PACIFIC)),
        ("NV", "89101", (PACIFIC,)),
        # Alabama: Phenix City keeps Eastern time by custom (and the dataset lists Central: both).
        ("AL", "36867", (EASTERN, CENTRAL)),
        ("AL", "35203", (CENTRAL,)),  # Birmingham
        # The territories
        ("AS", "96799", ("Pacific/Pago_Pago",)),
        ("MP", "96950", ("Pacific/Saipan",)),
        ("GU", "96910", ("Pacific/Guam",)),
        ("HI", "96813", ("Pacific/Honolulu",)),
    ],
)
def test_hard_cases(state: str, zip_code: str, zones: tuple[str, ...]) -> None:
    assert address_zones(state, zip_code) == zones


# -- the calling window --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("case", "state", "zip_code", "at", "allowed", "lifts"),
    [
        # Van Horn, Texas (Culberson County, Central, by Hudspeth's Mountain line), July: CDT is UTC-5,
        # MDT UTC-6. The window opens at 08:00 in the later zone, Mountain, and closes at 21:00 Central.
        ("Van Horn 08:59 CDT / 07:59 MDT", "TX", "79855", utc(2026, 7, 15, 13, 59), False,
         utc(2026, 7, 15, 14)),
        ("Van Horn 09:00 CDT / 08:00 MDT", "TX", "79855", utc(2026, 7, 15, 14), True, None),
        ("Van Horn 20:59 CDT", "TX", "79855", utc(2026, 7, 16, 1, 59), True, None),
        ("Van Horn 21:00 CDT / 20:00 MDT", "TX", "79855", utc(2026, 7, 16, 2), False, utc(2026, 7, 16, 14)),
        ("Alpine (Central only) 08:00 CDT", "TX", "79830", utc(2026, 7, 15, 13), True, None),
        ("a 798 ZIP code the data does not know: both", "TX", "79898", utc(2026, 7, 15, 13, 30), False,
         utc(2026, 7, 15, 14)),
        # Riggins, Idaho: Mountain and Pacific; 08:00 PDT is 15:00 UTC.
        ("Riggins 08:30 MDT / 07:30 PDT", "ID", "83549", utc(2026, 7, 15, 14, 30), False,
         utc(2026, 7, 15, 15)),
        ("Boise 08:30 MDT", "ID", "83702", utc(2026, 7, 15, 14, 30), True, None),
        # Gary (Central) and Indianapolis (Eastern) in November: 13:30 UTC is 07:30 CST, 08:30 EST.
        ("Gary 07:30 CST", "IN", "46402", utc(2026, 11, 27, 13, 30), False, utc(2026, 11, 27, 14)),
        ("Indianapolis 08:30 EST", "IN", "46204", utc(2026, 11, 27, 13, 30), True, None),
        # Adak keeps Hawaii-Aleutian time: in July HDT is UTC-9, AKDT UTC-8.
        ("Adak 07:30 HDT", "AK", "99546", utc(2026, 7, 15, 16, 30), False, utc(2026, 7, 15, 17)),
        ("Anchorage 08:30 AKDT", "AK", "99501", utc(2026, 7, 15, 16, 30), True, None),
        # Arizona in July: MST is UTC-7 in Flagstaff; the Navajo Nation keeps MDT, UTC-6.
        ("Window Rock 21:30 MDT", "AZ", "86515", utc(2026, 7, 16, 3, 30), False, utc(2026, 7, 16, 14)),
        ("Flagstaff 20:30 MST", "AZ", "86001", utc(2026, 7, 16, 3, 30), True, None),
        # American Samoa (SST, UTC-11) and the Northern Mariana Islands (ChST, UTC+10).
        ("Pago Pago 07:59 SST", "AS", "96799", utc(2026, 7, 15, 18, 59), False, utc(2026, 7, 15, 19)),
        ("Pago Pago 08:00 SST", "AS", "96799", utc(2026, 7, 15, 19), True, None),
        ("Saipan 07:30 ChST", "MP", "96950", utc(2026, 7, 14, 21, 30), False, utc(2026, 7, 14, 22)),
        ("Saipan 08:00 ChST", "MP", "96950", utc(2026, 7, 14, 22), True, None),
    ],
)  # fmt: skip
def test_the_calling_window_where_the_zip_code_says(
    case: str, state: str, zip_code: str, at: datetime, allowed: bool, lifts: datetime | None
) -> None:
    result = verdict(at, state=state, zip_code=zip_code, phones=(TOLL_FREE,))
    blocks = [b for b in result.phones[0].blocks if b.rule_id == "window"]
    assert (not blocks) == allowed, case
    if not allowed:
        assert blocks[0].until == lifts, case
