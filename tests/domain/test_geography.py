"""collector_tui.domain.geography: states, ZIP codes and state time zones."""

from __future__ import annotations

import pytest

from collector_tui.domain.geography import (
    STATE_ZONES,
    US_STATES,
    ZIP_PREFIX_ZONES,
    address_zones,
    is_us_state,
    is_zip_code,
    primary_zone,
    state_zones,
)


@pytest.mark.parametrize(
    "code", ["OH", "oh", "Oh", "CA", "DC", "PR", "VI", "GU", "AS", "MP", "as", "AK", "HI"]
)
def test_is_us_state_accepts_states_and_territories(code: str) -> None:
    assert is_us_state(code)


@pytest.mark.parametrize("code", ["", "ZZ", "XX", "O", "OHI", "Ohio", "UK", " OH"])
def test_is_us_state_rejects_other_codes(code: str) -> None:
    assert not is_us_state(code)


def test_states_table_has_fifty_states_dc_and_territories() -> None:
    # The territories: Puerto Rico, the Virgin Islands, Guam, the Northern Mariana Islands, American Samoa.
    assert len(US_STATES) == 50 + 1 + 5
    assert all(len(code) == 2 and code.isupper() for code in US_STATES)
    assert all(zones for zones in STATE_ZONES.values())


@pytest.mark.parametrize("text", ["12345", "00501", "43215-1234", "99950-0000"])
def test_is_zip_code_accepts_zip_and_zip4(text: str) -> None:
    assert is_zip_code(text)


@pytest.mark.parametrize(
    "text",
    ["", "1234", "123456", "12345-67", "12345-", "12345-67890", "1234a", "ABCDE", "12345 6789"],
)
def test_is_zip_code_rejects_other_text(text: str) -> None:
    assert not is_zip_code(text)


def test_is_zip_code_rejects_trailing_newline() -> None:
    assert not is_zip_code("12345\n")


@pytest.mark.parametrize("text", ["\uff11\uff12\uff13\uff14\uff15", "\u0661\u0662\u0663\u0664\u0665"])
def test_is_zip_code_rejects_non_ascii_digits(text: str) -> None:
    assert not is_zip_code(text)


@pytest.mark.parametrize(
    ("state", "zones"),
    [
        ("OH", ("America/New_York",)),
        ("oh", ("America/New_York",)),
        ("ID", ("America/Boise", "America/Los_Angeles")),
        ("AZ", ("America/Phoenix", "America/Denver")),
        ("HI", ("Pacific/Honolulu",)),
        ("PR", ("America/Puerto_Rico",)),
        ("IN", ("America/Indiana/Indianapolis", "America/Chicago")),
        ("MI", ("America/Detroit", "America/Menominee")),
        ("AL", ("America/Chicago", "America/New_York")),
        ("AS", ("Pacific/Pago_Pago",)),
        ("MP", ("Pacific/Saipan",)),
        ("GU", ("Pacific/Guam",)),
    ],
)
def test_state_zones(state: str, zones: tuple[str, ...]) -> None:
    assert state_zones(state) == zones
    assert primary_zone(state) == zones[0]


@pytest.mark.parametrize("state", [None, "", "ZZ", "Ohio"])
def test_unknown_state_has_no_zones(state: str | None) -> None:
    assert state_zones(state) == ()
    assert primary_zone(state) is None


@pytest.mark.parametrize(
    ("zip_code", "zones"),
    [
        ("77071", ("America/Chicago",)),  # Houston
        ("78701", ("America/Chicago",)),  # Austin
        ("79701", ("America/Chicago",)),  # Midland
        ("73301", ("America/Chicago",)),  # Austin (IRS)
        ("79901", ("America/Denver",)),  # El Paso
        ("79901-1234", ("America/Denver",)),  # ZIP+4
        ("88510", ("America/Denver",)),  # El Paso post office boxes
        ("79843", ("America/Chicago",)),  # Marfa (Central) shares 798 with El Paso County: its own entry
        ("79830", ("America/Chicago",)),  # Alpine
        ("79851", ("America/Denver",)),  # Sierra Blanca, Hudspeth County (Mountain)
        ("79855", ("America/Chicago", "America/Denver")),  # Van Horn, Culberson County, by the Hudspeth line
        ("79898", ("America/Chicago", "America/Denver")),  # a 798 ZIP code the data does not know
        (None, ("America/Chicago", "America/Denver")),
        ("", ("America/Chicago", "America/Denver")),
    ],
)
def test_a_texas_address_is_central_but_for_the_el_paso_corner(
    zip_code: str | None, zones: tuple[str, ...]
) -> None:
    assert address_zones("TX", zip_code) == zones


def test_a_prefix_the_table_does_not_know_keeps_every_zone_of_the_state() -> None:
    assert "000" not in ZIP_PREFIX_ZONES
    assert address_zones("IN", "00012") == state_zones("IN")
    assert address_zones("in", "00012") == state_zones("IN")


def test_an_unknown_state_has_no_zones_whatever_its_zip_code() -> None:
    assert address_zones("ZZ", "46402") == ()
    assert address_zones(None, "46402") == ()


def test_a_zip_code_outside_its_state_adds_its_zones_to_the_states() -> None:
    # An Ohio address with a Gary (Central) ZIP code: the consumer may be in either.
    assert address_zones("OH", "46402") == ("America/New_York", "America/Chicago")
    # Alta, Wyoming has an Idaho prefix (834): its own entry says Mountain (America/Denver).
    assert address_zones("WY", "83414") == ("America/Denver",)


def test_a_single_zone_state_keeps_its_zone() -> None:
    assert address_zones("OH", "43215") == ("America/New_York",)
    assert address_zones("HI", "96813") == ("Pacific/Honolulu",)
    assert address_zones("PR", "00901") == ("America/Puerto_Rico",)
    assert address_zones("VI", "00802") == ("America/St_Thomas",)
