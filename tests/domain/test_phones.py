"""collector_tui.domain.phones: E.164 normalisation and time zones (fictional 555-01XX lines)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from collector_tui.domain.phones import NormalizedPhone, format_national, normalize_phone


@pytest.mark.parametrize(
    "raw",
    ["(614) 555-0142", "614-555-0142", "614.555.0142", "6145550142", "1 614 555 0142", "+16145550142"],
)
def test_columbus_number_normalises_to_e164(raw: str) -> None:
    phone = normalize_phone(raw)
    assert phone == NormalizedPhone("+16145550142", valid=True, time_zones=("America/New_York",))
    assert not phone.toll_free


@pytest.mark.parametrize(
    ("raw", "e164", "zones"),
    [
        ("(208) 555-0100", "+12085550100", ("America/Boise", "America/Los_Angeles")),
        ("808-555-0199", "+18085550199", ("Pacific/Honolulu",)),
        ("787 555 0123", "+17875550123", ("America/Puerto_Rico",)),
        ("602.555.0111", "+16025550111", ("America/Phoenix",)),
    ],
)
def test_area_code_time_zones(raw: str, e164: str, zones: tuple[str, ...]) -> None:
    phone = normalize_phone(raw)
    assert phone.valid
    assert phone.number == e164
    assert phone.time_zones == zones
    assert not phone.toll_free


def test_idaho_area_code_spans_two_zones() -> None:
    zones = normalize_phone("208-555-0100").time_zones
    assert set(zones) == {"America/Boise", "America/Los_Angeles"}


@pytest.mark.parametrize("raw", ["800-555-0100", "1-888-555-0199", "(877) 555-0142"])
def test_toll_free_numbers_map_to_many_zones(raw: str) -> None:
    phone = normalize_phone(raw)
    assert phone.valid
    assert phone.toll_free
    assert len(phone.time_zones) > 6
    assert "America/New_York" in phone.time_zones
    assert "Pacific/Honolulu" in phone.time_zones
    assert "Etc/Unknown" not in phone.time_zones


def test_premium_rate_number_is_not_toll_free() -> None:
    phone = normalize_phone("900-555-0100")
    assert phone.valid
    assert not phone.toll_free


@pytest.mark.parametrize("raw", ["", "   ", "abc", "---", "()"])
def test_empty_or_digitless_input_is_invalid_and_blank(raw: str) -> None:
    assert normalize_phone(raw) == NormalizedPhone("", valid=False, time_zones=())


@pytest.mark.parametrize(
    ("raw", "kept"),
    [
        ("12", "12"),
        ("555-0142", "5550142"),  # no area code
        ("123-456-7890", "1234567890"),  # area codes never start with 1
        ("614555014299999999", "614555014299999999"),  # too long
        ("+", "+"),
    ],
)
def test_unusable_number_is_kept_as_received_digits(raw: str, kept: str) -> None:
    phone = normalize_phone(raw)
    assert phone.valid is False
    assert phone.number == kept
    assert phone.time_zones == ()
    assert not phone.toll_free


def test_region_is_used_for_numbers_without_country_code() -> None:
    assert normalize_phone("020 7946 0018", region="GB").number == "+442079460018"


def test_international_number_with_plus() -> None:
    phone = normalize_phone("+44 20 7946 0018")
    assert phone.valid
    assert phone.number == "+442079460018"
    assert phone.time_zones == ("Europe/London",)


@pytest.mark.parametrize(
    ("number", "national"),
    [
        ("+16145550142", "(614) 555-0142"),
        ("6145550142", "(614) 555-0142"),
        ("+18005550100", "(800) 555-0100"),
    ],
)
def test_format_national(number: str, national: str) -> None:
    assert format_national(number) == national


@pytest.mark.parametrize("number", ["", "garbage", "+"])
def test_format_national_returns_unparseable_input_unchanged(number: str) -> None:
    assert format_national(number) == number


def test_format_national_of_normalised_number_round_trips() -> None:
    phone = normalize_phone("614.555.0142")
    assert normalize_phone(format_national(phone.number)) == phone


@settings(deadline=None)
@given(st.text())
def test_normalize_phone_never_raises_on_text(raw: str) -> None:
    phone = normalize_phone(raw)
    assert isinstance(phone, NormalizedPhone)
    if phone.valid:
        assert phone.number.startswith("+")
    else:
        assert phone.time_zones == ()


@settings(deadline=None)
@given(st.text(alphabet="0123456789+-() .", max_size=25))
def test_normalize_phone_never_raises_on_phone_like_text(raw: str) -> None:
    phone = normalize_phone(raw)
    assert isinstance(phone, NormalizedPhone)
    assert all(ch.isdigit() or ch == "+" for ch in phone.number)
