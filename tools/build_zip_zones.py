"""Build collector_tui/domain/zip_zones.py: the time zones every US ZIP code may be in.

The calling window (12 CFR 1006.6(b)(1)(i)) is judged in the consumer's local time, in every zone
the consumer may be in; collector_tui/domain/geography.py reads the table this script writes.

Sources, all shipped inside PyPI packages (nothing is downloaded at run time):

- the ``zipcodes`` package's dataset: every ZIP code with its state, coordinates and listed zone;
- ``timezonefinder`` with ``timezonefinder-data`` (the timezone-boundary-builder zone polygons):
  the zone at a ZIP's coordinates and at points around them;
- the IANA tz database that ``zoneinfo`` reads (zone.tab): which zones are US zones, and which of
  them keep the same clock.

A ZIP code may be in every zone that is

- the zone at its coordinates, or the zone the dataset lists for it (where the two disagree the
  source is uncertain, and the ZIP code keeps both);
- the zone at a point on rings around its coordinates, out to RING_SHARE of the distance to its
  RING_NEIGHBOUR-th nearest other post office (RING_MIN_KM to RING_MAX_KM: rural ZIP codes are
  large), when a post office of the same state within STATE_NEAR ring radii is on that zone's
  clock (so that a state line which is also a zone line, Alabama's with Georgia, adds nothing):
  a ZIP code near a zone line inside its state keeps both;
- the zone at a ZIP code of the same prefix within the ring.

Zones that keep the same clock over CLOCK_YEARS are one zone: each state's is named by the zone
most of the state's ZIP codes are in (Indiana's counties on their own tz zones are
America/Indiana/Indianapolis or America/Chicago, North Dakota's America/Chicago).

A 3-digit prefix all of whose ZIP codes are in the same zones maps to them; a prefix split between
zones maps to every zone of it, and each of its ZIP codes whose zones are fewer is listed on its
own. A ZIP code without coordinates in a split prefix keeps the prefix's zones.

Usage (from the repository root):

    pip install -e '.[zones]'
    python tools/build_zip_zones.py           # writes collector_tui/domain/zip_zones.py
    python tools/build_zip_zones.py --check   # exits 1 when the file is not what it would write
"""

from __future__ import annotations

import argparse
import math
import sys
import textwrap
import zoneinfo
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from importlib.metadata import version
from pathlib import Path

import zipcodes
from timezonefinder import TimezoneFinder

OUTPUT = Path(__file__).resolve().parent.parent / "collector_tui" / "domain" / "zip_zones.py"

# Countries of the tz database's zone.tab whose zones are US zones: the states, DC and the
# territories the workstation knows.
TZ_COUNTRIES = frozenset({"US", "PR", "VI", "GU", "MP", "AS"})
# Codes the dataset has that are no US state or territory the workstation knows: military post
# offices (Armed Forces Americas, Europe, Pacific) and the freely associated states.
SKIPPED_STATES = frozenset({"AA", "AE", "AP", "FM", "MH", "PW"})

RING_MIN_KM = 5.0
RING_MAX_KM = 30.0
RING_SHARE = 0.6  # of the distance to the RING_NEIGHBOUR-th nearest other post office
RING_NEIGHBOUR = 4
RING_BEARINGS = 16
RING_STEPS = (0.25, 0.5, 0.75, 1.0)
STATE_NEAR = 3.0  # rings: another clock counts when the state keeps it within this many ring radii
SAME_PLACE_KM = 0.5  # post office boxes at the same office as a street ZIP code
CLOCK_YEARS = (2020, 2040)
EARTH_KM = 6371.0088


@dataclass
class Zip:
    code: str
    state: str
    lat: float | None
    lng: float | None
    listed: str | None  # the zone the dataset lists
    at: str | None = None  # the zone at the coordinates
    near: set[str] = field(default_factory=set)  # zones on the rings and of near ZIP codes
    ring_km: float = RING_MIN_KM
    zones: tuple[str, ...] = ()

    @property
    def prefix(self) -> str:
        return self.code[:3]


def tz_table_zones() -> set[str]:
    """The zones zone.tab and zone1970.tab give for the US and its territories."""
    zones: set[str] = set()
    for name in ("zone.tab", "zone1970.tab"):
        for line in _tz_file(name).splitlines():
            if line.startswith("#") or not line.strip():
                continue
            codes, _, zone = line.split("\t")[:3]
            if TZ_COUNTRIES & set(codes.split(",")):
                zones.add(zone)
    return zones


def tz_version() -> str:
    for line in _tz_file("tzdata.zi").splitlines()[:3]:
        if line.startswith("# version "):
            return line.removeprefix("# version ").strip()
    return "unknown"


def _tz_file(name: str) -> str:
    for folder in zoneinfo.TZPATH:
        path = Path(folder) / name
        if path.is_file():
            return path.read_text(encoding="utf-8")
    from importlib import resources  # the tzdata package, where the system has no tz database

    return resources.files("tzdata.zoneinfo").joinpath(name).read_text(encoding="utf-8")


class Clocks:
    """Which zones keep the same clock: the same UTC offset at every hour of CLOCK_YEARS.

    ``key(zone)`` is the same small number for zones that keep the same clock.
    """

    def __init__(self) -> None:
        self._ids: dict[tuple[int, ...], int] = {}
        self._keys: dict[str, int] = {}

    def key(self, zone: str) -> int:
        if zone not in self._keys:
            tz = zoneinfo.ZoneInfo(zone)
            start = datetime(CLOCK_YEARS[0], 1, 1, tzinfo=UTC)
            hours = int((datetime(CLOCK_YEARS[1], 1, 1, tzinfo=UTC) - start) / timedelta(hours=1))
            offsets = []
            for hour in range(hours):
                offset = (start + timedelta(hours=hour)).astimezone(tz).utcoffset()
                assert offset is not None
                offsets.append(int(offset.total_seconds()))
            self._keys[zone] = self._ids.setdefault(tuple(offsets), len(self._ids))
        return self._keys[zone]


def load_zips(us_zones: set[str]) -> list[Zip]:
    rows = []
    for record in zipcodes.list_all():  # type: ignore[no-untyped-call]  # unannotated in zipcodes 3.0.0
        state = str(record["state"])
        if state in SKIPPED_STATES:
            continue
        lat, lng = float(record["lat"] or 0), float(record["long"] or 0)
        listed = str(record["timezone"] or "")
        rows.append(
            Zip(
                code=str(record["zip_code"]),
                state=state,
                lat=lat if (lat, lng) != (0.0, 0.0) else None,
                lng=lng if (lat, lng) != (0.0, 0.0) else None,
                listed=listed if listed in us_zones else None,
            )
        )
    return rows


def distance_km(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_KM * math.asin(math.sqrt(a))


def offset_point(lat: float, lng: float, km: float, bearing: float) -> tuple[float, float]:
    d = km / EARTH_KM
    p1, l1 = math.radians(lat), math.radians(lng)
    p2 = math.asin(math.sin(p1) * math.cos(d) + math.cos(p1) * math.sin(d) * math.cos(bearing))
    l2 = l1 + math.atan2(
        math.sin(bearing) * math.sin(d) * math.cos(p1), math.cos(d) - math.sin(p1) * math.sin(p2)
    )
    return math.degrees(p2), (math.degrees(l2) + 540.0) % 360.0 - 180.0


class Places:
    """The ZIP codes with coordinates, found by place."""

    CELL = 0.5  # degrees

    def __init__(self, rows: Iterable[Zip]) -> None:
        self._grid: dict[tuple[int, int], list[tuple[float, float, Zip]]] = defaultdict(list)
        for row in rows:
            if row.lat is not None and row.lng is not None:
                self._grid[self._cell(row.lat, row.lng)].append((row.lat, row.lng, row))

    def _cell(self, lat: float, lng: float) -> tuple[int, int]:
        return int(lat // self.CELL), int(lng // self.CELL)

    def within(self, lat: float, lng: float, km: float) -> list[tuple[float, Zip]]:
        """The ZIP codes within ``km`` of a point, nearest first."""
        reach_lat = math.ceil(km / 111.0 / self.CELL)
        reach_lng = math.ceil(km / (111.0 * max(math.cos(math.radians(lat)), 0.05)) / self.CELL)
        cy, cx = self._cell(lat, lng)
        found = []
        for y in range(cy - reach_lat, cy + reach_lat + 1):
            for x in range(cx - reach_lng, cx + reach_lng + 1):
                for other_lat, other_lng, other in self._grid.get((y, x), ()):
                    distance = distance_km(lat, lng, other_lat, other_lng)
                    if distance <= km:
                        found.append((distance, other))
        return sorted(found, key=lambda pair: (pair[0], pair[1].code))


def locate(rows: list[Zip], finder: TimezoneFinder, us_zones: set[str], clocks: Clocks) -> None:
    """The zone at each ZIP code's coordinates, and the zones near them."""

    def zone_at(lat: float, lng: float) -> str | None:
        zone = finder.timezone_at(lng=lng, lat=lat)
        return zone if zone in us_zones else None

    places = Places(rows)
    for row in rows:
        if row.lat is not None and row.lng is not None:
            row.at = zone_at(row.lat, row.lng)
    for row in rows:
        if row.lat is None or row.lng is None:
            continue
        others = [
            (km, other)
            for km, other in places.within(row.lat, row.lng, RING_MAX_KM / RING_SHARE)
            if other is not row
        ]
        offices: list[float] = []  # the distance to each other post office, nearest first
        for km, _ in others:
            if km > SAME_PLACE_KM and (not offices or km - offices[-1] > SAME_PLACE_KM):
                offices.append(km)
        reach = offices[RING_NEIGHBOUR - 1] if len(offices) >= RING_NEIGHBOUR else RING_MAX_KM / RING_SHARE
        row.ring_km = min(max(RING_SHARE * reach, RING_MIN_KM), RING_MAX_KM)
        own = {clocks.key(zone) for zone in (row.at, row.listed) if zone}
        seen: set[str] = set()
        for step in RING_STEPS:
            for n in range(RING_BEARINGS):
                lat, lng = offset_point(row.lat, row.lng, row.ring_km * step, 2 * math.pi * n / RING_BEARINGS)
                zone = zone_at(lat, lng)
                if zone is not None and clocks.key(zone) not in own:
                    seen.add(zone)
        if seen:
            # Another clock near the ZIP code counts when it is its state's there: when a post
            # office of the state on that clock is near (not a neighbouring state's, across a
            # state line that is also a zone line).
            state_near = {
                clocks.key(other.at)
                for _, other in places.within(row.lat, row.lng, STATE_NEAR * row.ring_km)
                if other.state == row.state and other.at
            }
            row.near |= {zone for zone in seen if clocks.key(zone) in state_near}
        row.near |= {
            other.at for km, other in others if km <= row.ring_km and other.prefix == row.prefix and other.at
        }


def assign(rows: list[Zip], clocks: Clocks) -> dict[str, tuple[str, ...]]:
    """Each ZIP code's zones, one name per clock; returns each state's zones, most ZIP codes first."""
    names: dict[str, Counter[str]] = defaultdict(Counter)  # state -> zone -> ZIP codes
    for row in rows:
        for zone in {row.at, row.listed} - {None}:
            assert zone is not None
            names[row.state][zone] += 1
    # state -> clock -> the name of the zone most of the state's ZIP codes on that clock are in
    canonical: dict[str, dict[int, str]] = {}
    for state, counts in names.items():
        canonical[state] = {}
        for zone, _ in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
            canonical[state].setdefault(clocks.key(zone), zone)
    prefix_clocks: dict[str, set[int]] = defaultdict(set)
    for row in rows:
        prefix_clocks[row.prefix] |= {clocks.key(zone) for zone in {row.at, row.listed} - {None} if zone}

    for row in rows:
        own = canonical.get(row.state, {})
        allowed = set(own) | prefix_clocks[row.prefix]
        found: dict[int, str] = {}
        for zone in (row.at, row.listed, *sorted(row.near)):
            if zone is None:
                continue
            key = clocks.key(zone)
            if key in allowed and key not in found:
                found[key] = own.get(key, zone)
        row.zones = tuple(found.values())

    totals: dict[str, Counter[str]] = defaultdict(Counter)
    for row in rows:
        for i, zone in enumerate(row.zones):
            totals[row.state][zone] += 2 if i == 0 else 1
    return {
        state: tuple(z for z, _ in sorted(counts.items(), key=lambda item: (-item[1], item[0])))
        for state, counts in sorted(totals.items())
    }


@dataclass
class Table:
    prefixes: dict[str, tuple[str, ...]]
    prefix_states: dict[str, tuple[str, ...]]
    zips: dict[str, tuple[str, ...]]
    states: dict[str, tuple[str, ...]]
    read: int = 0
    unsure: int = 0


def tabulate(rows: list[Zip], states: dict[str, tuple[str, ...]]) -> Table:
    by_prefix: dict[str, list[Zip]] = defaultdict(list)
    for row in rows:
        if row.zones:
            by_prefix[row.prefix].append(row)
    table = Table({}, {}, {}, states, read=len(rows), unsure=sum(1 for row in rows if len(row.zones) > 1))
    for prefix, members in sorted(by_prefix.items()):
        table.prefix_states[prefix] = tuple(sorted({row.state for row in members}))
        if len({row.zones for row in members}) == 1:
            table.prefixes[prefix] = members[0].zones
            continue
        homes = Counter(row.zones[0] for row in members)
        anywhere = Counter(zone for row in members for zone in row.zones)
        union = tuple(sorted(anywhere, key=lambda zone: (-homes[zone], -anywhere[zone], zone)))
        table.prefixes[prefix] = union
        for row in members:
            if row.lat is not None and row.zones != union:
                table.zips[row.code] = row.zones
    return table


def render(table: Table, source: str) -> tuple[str, str]:
    """The module's text, and a summary of what it holds."""
    split = [prefix for prefix, zones in table.prefixes.items() if len(zones) > 1]
    summary = (
        f"{table.read} ZIP codes read, {table.unsure} of them kept in more than one zone; "
        f"{len(table.prefixes)} prefixes, {len(split)} of them split between zones, whose "
        f"{len(table.zips)} ZIP codes in fewer (or other) zones than their prefix are listed on their own."
    )
    lines = [
        '"""The time zones of US ZIP codes. Generated by tools/build_zip_zones.py: do not edit by hand.',
        "",
        *textwrap.wrap(f"Built from {source}.", 100),
        "",
        *textwrap.wrap(summary, 100),
        "",
        "Rebuild (from the repository root): pip install -e '.[zones]' && python tools/build_zip_zones.py",
        "docs/compliance.md ('ZIP codes and time zones') says how the zones are found.",
        '"""',
        "",
        "from __future__ import annotations",
        "",
        "SOURCE = (",
        *(f"    {_quote(part)}" for part in textwrap.wrap(source, 90, drop_whitespace=False)),
        ")",
        "",
        "# Each 3-digit prefix: every zone its ZIP codes may be in, the zone most of them are in first.",
        *_mapping("PREFIX_ZONES", table.prefixes),
        "",
        "# The ZIP codes of split prefixes whose zones are not the prefix's.",
        *_mapping("ZIP_ZONES", table.zips),
        "",
        "# The states (and territories) each prefix's ZIP codes are in.",
        *_mapping("PREFIX_STATES", table.prefix_states),
        "",
        "# Each state's zones, as the ZIP codes give them: the zone most of its ZIP codes are in first.",
        *_mapping("STATE_ZONES", table.states),
    ]
    return "\n".join(lines) + "\n", summary


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _mapping(name: str, values: dict[str, tuple[str, ...]]) -> Iterable[str]:
    yield f"{name}: dict[str, tuple[str, ...]] = {{"
    for key, zones in values.items():
        items = ", ".join(_quote(zone) for zone in zones)
        line = f"    {_quote(key)}: ({items}{',' if len(zones) == 1 else ''}),"
        if len(line) <= 110:
            yield line
        else:
            yield f"    {_quote(key)}: ("
            yield from (f"        {_quote(zone)}," for zone in zones)
            yield "    ),"
    yield "}"


def build() -> tuple[str, str]:
    us_zones = tz_table_zones()
    rows = load_zips(us_zones)
    clocks = Clocks()
    locate(rows, TimezoneFinder(), us_zones, clocks)
    states = assign(rows, clocks)
    source = (
        f"the zipcodes dataset (PyPI zipcodes {version('zipcodes')}), the timezone-boundary-builder zone "
        f"polygons (PyPI timezonefinder {version('timezonefinder')}, timezonefinder-data "
        f"{version('timezonefinder-data')}) and the IANA tz database {tz_version()}"
    )
    return render(tabulate(rows, states), source)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--check", action="store_true", help="exit 1 when the file is not what it would write"
    )
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    text, summary = build()
    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
        if current != text:
            sys.stderr.write(f"{args.output} is out of date: run tools/build_zip_zones.py\n")
            return 1
        return 0
    args.output.write_text(text, encoding="utf-8")
    sys.stdout.write(f"wrote {args.output}: {summary}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
