"""The calling window (8:00-21:00 in every zone the consumer may be in), with exact moments."""

from __future__ import annotations

from datetime import datetime

import pytest

from collector_tui.domain.compliance.clock import InconvenientTimesError, parse_inconvenient
from tests.domain.compliance_helpers import phone, phone_rules, utc, verdict

IDAHO_208 = phone("2085550123")  # America/Boise and America/Los_Angeles
TOLL_FREE = phone("8005550100")  # phonenumbers gives every zone of the plan
NEW_YORK = phone("5185550100")
PHOENIX = phone("6025550111")


@pytest.mark.parametrize(
    ("case", "changes", "at", "allowed", "lifts"),
    [
        # An area code that spans two zones: the later-opening (Pacific) and the
        # earlier-closing (Mountain) both bind. Standard time: MST = UTC-7, PST = UTC-8.
        ("208 at 08:30 MST / 07:30 PST", {"state": None, "zip_code": None, "phones": (IDAHO_208,)},
         utc(2026, 11, 27, 15, 30), False, utc(2026, 11, 27, 16)),
        ("208 at 08:00 PST", {"state": None, "zip_code": None, "phones": (IDAHO_208,)},
         utc(2026, 11, 27, 16), True, None),
        ("208 at 20:59 MST", {"state": None, "zip_code": None, "phones": (IDAHO_208,)},
         utc(2026, 11, 28, 3, 59), True, None),
        ("208 at 21:00 MST / 20:00 PST", {"state": None, "zip_code": None, "phones": (IDAHO_208,)},
         utc(2026, 11, 28, 4), False, utc(2026, 11, 28, 16)),
        # A toll-free number says nothing about where; the Hawaii address decides (HST = UTC-10).
        ("toll-free, Hawaii address, 05:00 HST", {"state": "HI", "zip_code": "96813", "phones": (TOLL_FREE,)},
         utc(2026, 11, 27, 15), False, utc(2026, 11, 27, 18)),
        ("toll-free, Hawaii address, 08:00 HST", {"state": "HI", "zip_code": "96813", "phones": (TOLL_FREE,)},
         utc(2026, 11, 27, 18), True, None),
        ("toll-free, Hawaii address, 21:00 HST", {"state": "HI", "zip_code": "96813", "phones": (TOLL_FREE,)},
         utc(2026, 11, 28, 7), False, utc(2026, 11, 28, 18)),
        # Nothing known: the window safe in every contiguous zone, 08:00 Pacific to 21:00 Eastern.
        ("unknown, 09:00 EST / 06:00 PST", {"state": None, "zip_code": None, "phones": (TOLL_FREE,)},
         utc(2026, 11, 27, 14), False, utc(2026, 11, 27, 16)),
        ("unknown, 20:30 EST / 17:30 PST", {"state": None, "zip_code": None, "phones": (TOLL_FREE,)},
         utc(2026, 11, 28, 1, 30), True, None),
        ("unknown, 21:00 EST", {"state": None, "zip_code": None, "phones": (TOLL_FREE,)},
         utc(2026, 11, 28, 2), False, utc(2026, 11, 28, 16)),
        # Arizona keeps no daylight saving time: in July Phoenix is UTC-7 while Denver is UTC-6.
        ("Phoenix in July, 07:59 MST", {"state": "AZ", "zip_code": "85004", "phones": (PHOENIX,)},
         utc(2026, 7, 15, 14, 59), False, utc(2026, 7, 15, 15)),
        ("Phoenix in July, 08:00 MST", {"state": "AZ", "zip_code": "85004", "phones": (PHOENIX,)},
         utc(2026, 7, 15, 15), True, None),
        ("Phoenix in July, 20:30 MST (21:30 in Denver)",
         {"state": "AZ", "zip_code": "85004", "phones": (PHOENIX,)},
         utc(2026, 7, 16, 3, 30), True, None),
        ("Window Rock (the Navajo Nation keeps DST) in July, 20:30 MST = 21:30 MDT",
         {"state": "AZ", "zip_code": "86515", "phones": (PHOENIX,)},
         utc(2026, 7, 16, 3, 30), False, utc(2026, 7, 16, 15)),
        # The Sundays the clocks change, in New York (EST = UTC-5, EDT = UTC-4).
        ("Sat Mar 7, 07:30 EST", {"state": "NY", "zip_code": "12207", "phones": (NEW_YORK,)},
         utc(2026, 3, 7, 12, 30), False, utc(2026, 3, 7, 13)),
        ("Sun Mar 8 (DST began), 08:30 EDT", {"state": "NY", "zip_code": "12207", "phones": (NEW_YORK,)},
         utc(2026, 3, 8, 12, 30), True, None),
        ("Sun Mar 8, 07:30 EDT", {"state": "NY", "zip_code": "12207", "phones": (NEW_YORK,)},
         utc(2026, 3, 8, 11, 30), False, utc(2026, 3, 8, 12)),
        ("Sun Mar 8, 21:00 EDT", {"state": "NY", "zip_code": "12207", "phones": (NEW_YORK,)},
         utc(2026, 3, 9, 1), False, utc(2026, 3, 9, 12)),
        ("Sat Oct 31, 08:30 EDT", {"state": "NY", "zip_code": "12207", "phones": (NEW_YORK,)},
         utc(2026, 10, 31, 12, 30), True, None),
        ("Sun Nov 1 (DST ended), 07:30 EST", {"state": "NY", "zip_code": "12207", "phones": (NEW_YORK,)},
         utc(2026, 11, 1, 12, 30), False, utc(2026, 11, 1, 13)),
        ("Sun Nov 1, 20:30 EST", {"state": "NY", "zip_code": "12207", "phones": (NEW_YORK,)},
         utc(2026, 11, 2, 1, 30), True, None),
        ("Sun Nov 1, 21:00 EST", {"state": "NY", "zip_code": "12207", "phones": (NEW_YORK,)},
         utc(2026, 11, 2, 2), False, utc(2026, 11, 2, 13)),
        # The Florida panhandle: an 850 number (Eastern) at a Pensacola address (Central).
        ("850 phone, Pensacola address, 08:30 EST / 07:30 CST",
         {"state": "FL", "zip_code": "32502", "phones": (phone("8505550123"),)},
         utc(2026, 11, 27, 13, 30), False, utc(2026, 11, 27, 14)),
    ],
)  # fmt: skip
def test_calling_window(
    case: str, changes: dict[str, object], at: datetime, allowed: bool, lifts: datetime | None
) -> None:
    result = verdict(at, **changes)
    blocks = [b for b in result.phones[0].blocks if b.rule_id == "window"]
    assert (not blocks) == allowed, case
    if not allowed:
        assert blocks[0].until == lifts, case
        assert blocks[0].citation == "12 CFR 1006.6(b)(1)(i)"


def test_the_window_is_checked_per_phone() -> None:
    # 15:30 UTC: 10:30 in New York, 07:30 in Los Angeles. An Ohio address: only the Ohio phone may be dialled.
    result = verdict(utc(2026, 11, 27, 15, 30), phones=(phone("6145550142", 1), phone("3105550142", 2)))
    assert result.phones[0].allowed
    assert "window" in phone_rules(result, 1)
    assert result.callable_now
    assert result.actions["call"].allowed


def test_inconvenient_times_block_in_any_zone_and_say_when_they_end() -> None:
    # Friday 27 Nov 17:30 UTC is 12:30 EST, inside "mon-fri 12:00-13:00".
    result = verdict(utc(2026, 11, 27, 17, 30), inconvenient_times="mon-fri 12:00-13:00")
    [block] = [b for b in result.phones[0].blocks if b.rule_id == "inconvenient"]
    assert block.until == utc(2026, 11, 27, 18)
    # Saturday is not in the period.
    assert verdict(utc(2026, 11, 28, 17, 30), inconvenient_times="mon-fri 12:00-13:00").phones[0].allowed


def test_an_inconvenient_period_that_meets_the_window_lifts_when_both_allow() -> None:
    # "daily 08:00-10:00" at 07:00 EST: the window opens at 08:00, but the consumer's period runs to 10:00.
    result = verdict(utc(2026, 11, 27, 12), inconvenient_times="daily 08:00-10:00")
    assert phone_rules(result) == {"window"}
    assert result.phones[0].blocks[0].until == utc(2026, 11, 27, 15)


def test_unreadable_inconvenient_times_block_until_fixed() -> None:
    result = verdict(utc(2026, 11, 27, 16), inconvenient_times="after lunch")
    [block] = result.phones[0].blocks
    assert block.rule_id == "inconvenient" and block.until is None


@pytest.mark.parametrize(
    ("text", "expected_days"),
    [("mon-fri 12:00-13:00", (0, 1, 2, 3, 4)), ("weekends 00:00-24:00", (5, 6)),
     ("sat,sun 09:00-10:00", (5, 6)), ("fri-mon 18:00-19:00", (0, 4, 5, 6)),
     ("10:00-11:00", (0, 1, 2, 3, 4, 5, 6))],
)  # fmt: skip
def test_inconvenient_times_syntax(text: str, expected_days: tuple[int, ...]) -> None:
    [period] = parse_inconvenient(text)
    assert period.weekdays == expected_days


@pytest.mark.parametrize("text", ["mon-fri", "13:00-12:00", "someday 10:00-11:00", "mon 25:00-26:00"])
def test_inconvenient_times_errors(text: str) -> None:
    with pytest.raises(InconvenientTimesError):
        parse_inconvenient(text)


# The consumer's own consent to a time (12 CFR 1006.6(b)(1): "absent the consumer's prior consent
# given directly"): "call me at 21:30 on Fridays", said on Wed 25 Nov 2026 in New York (EST = UTC-5).
CONSENT = {
    "state": "NY",
    "zip_code": "12207",
    "phones": (NEW_YORK,),
    "call_time_consent": "fri 21:15-21:45",
    "call_time_consent_at": utc(2026, 11, 25, 17),
}


@pytest.mark.parametrize(
    ("case", "at", "allowed"),
    [
        ("Fri 21:14 EST, a minute before the consented time", utc(2026, 11, 28, 2, 14), False),
        ("Fri 21:15 EST, the consented time begins", utc(2026, 11, 28, 2, 15), True),
        ("Fri 21:44 EST, still inside it", utc(2026, 11, 28, 2, 44), True),
        ("Fri 21:45 EST, it has ended", utc(2026, 11, 28, 2, 45), False),
        ("the next Friday 21:30, past the 7 days a consent lasts", utc(2026, 12, 5, 2, 30), False),
    ],
)
def test_a_consent_to_a_time_lifts_the_window_only_then(case: str, at: datetime, allowed: bool) -> None:
    result = verdict(at, **CONSENT)
    assert result.phones[0].allowed is allowed, case
    if not allowed:
        assert "window" in phone_rules(result)


def test_a_consent_given_after_the_moment_does_not_count() -> None:
    result = verdict(utc(2026, 11, 28, 2, 30), **{**CONSENT, "call_time_consent_at": utc(2026, 11, 28, 3)})
    assert not result.phones[0].allowed


def test_a_consent_is_judged_in_every_zone_the_consumer_may_be_in() -> None:
    """Idaho's 208 spans Mountain and Pacific. Fri 21:30 MST is 20:30 PST: consented in Mountain,
    inside the window in Pacific, so callable; Fri 22:30 MST (21:30 PST) is consented in Pacific
    but outside both the window and the consent in Mountain, so not."""
    consent = {"call_time_consent": "fri 21:15-21:45", "call_time_consent_at": utc(2026, 11, 25, 17)}
    idaho = {"state": None, "zip_code": None, "phones": (IDAHO_208,), **consent}
    assert verdict(utc(2026, 11, 28, 4, 30), **idaho).phones[0].allowed
    assert not verdict(utc(2026, 11, 28, 5, 30), **idaho).phones[0].allowed


def test_a_consent_does_not_lift_a_time_the_consumer_said_is_inconvenient_elsewhere() -> None:
    changes = {**CONSENT, "inconvenient_times": "fri 20:00-20:30"}
    assert not verdict(utc(2026, 11, 28, 1, 15), **changes).phones[0].allowed  # 20:15, not consented
    assert verdict(utc(2026, 11, 28, 2, 30), **changes).phones[0].allowed  # 21:30, consented
