"""Credit reporting: the credit bureaus' medical-debt policy (a year by the calendar, under $500,
paid), Reg F's passive-reporting rule and the state bans, each at the moment before it bites, the
moment it bites and the moment it lifts (on the consumer's calendar)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from collector_tui.domain.compliance.clock import local_midnight
from collector_tui.domain.compliance.engine import day_zone, evaluate, reportable_from
from collector_tui.domain.compliance.policy import PolicyError, parse_policy
from collector_tui.services.law.policy import shipped_policy_text
from tests.domain.compliance_helpers import POLICY, account, action_rules, phone, utc

# Reportable on its face: a year past delinquency, over $500, spoken to, Texas (no state ban).
REPORTABLE: dict[str, Any] = {
    "state": "TX",
    "zip_code": "78701",  # Austin: Central time
    "total_balance_cents": 100_000,
    "first_statement_date": date(2024, 5, 1),
    "delinquency_date": date(2024, 6, 1),
    "first_right_party_contact_at": utc(2024, 7, 5, 16),
    "phones": (phone("5125550100"),),
}
NOW = utc(2026, 11, 27, 16)


def midnight(day: date, **changes: Any) -> datetime:
    """The UTC moment ``day`` begins where the consumer lives."""
    return local_midnight(day, day_zone(account(**REPORTABLE | changes)))


def reporting(at: datetime, policy: Any = POLICY, **changes: Any) -> set[str]:
    return action_rules(evaluate(account(**REPORTABLE | changes), policy, at), "credit_reporting")


def blocks(at: datetime, **changes: Any) -> dict[str, Any]:
    result = evaluate(account(**REPORTABLE | changes), POLICY, at)
    return {b.rule_id: b for b in result.actions["credit_reporting"].blocks}


def test_a_reportable_account_may_be_reported() -> None:
    assert reporting(NOW) == set()


# -- one year after delinquency, by the calendar ---------------------------------------------------


def test_reporting_waits_until_the_anniversary_of_delinquency_at_local_midnight() -> None:
    changes = {"delinquency_date": date(2025, 1, 15)}
    lifts = midnight(date(2026, 1, 15), **changes)
    assert lifts == utc(2026, 1, 15, 6)  # 00:00 CST in Austin
    [block] = [b for b in blocks(lifts - timedelta(minutes=1), **changes).values()]
    assert block.rule_id == "credit_reporting" and block.until == lifts
    assert "2025-01-15" in block.reason and "2026-01-15" in block.reason
    assert reporting(lifts, **changes) == set()


def test_the_year_is_a_calendar_year_not_365_days() -> None:
    # 2023-03-01 + 365 days is 2024-02-29 (a leap year): still inside the year.
    changes = {"delinquency_date": date(2023, 3, 1), "first_right_party_contact_at": utc(2023, 3, 5)}
    assert "credit_reporting" in reporting(
        midnight(date(2024, 2, 29), **changes) + timedelta(hours=12), **changes
    )
    assert reporting(midnight(date(2024, 3, 1), **changes), **changes) == set()


def test_a_29_february_delinquency_is_a_year_old_on_1_march() -> None:
    changes = {"delinquency_date": date(2024, 2, 29)}
    assert reportable_from(date(2024, 2, 29), 1) == date(2025, 3, 1)
    assert reportable_from(date(2024, 2, 29), 4) == date(2028, 2, 29)
    late_on_the_28th = midnight(date(2025, 3, 1), **changes) - timedelta(minutes=1)
    assert blocks(late_on_the_28th, **changes)["credit_reporting"].until == midnight(
        date(2025, 3, 1), **changes
    )
    assert reporting(midnight(date(2025, 3, 1), **changes), **changes) == set()


@given(delinquent=st.dates(min_value=date(2019, 1, 1), max_value=date(2031, 12, 31)))
@settings(max_examples=300, deadline=None)
def test_the_reportable_day_is_never_earlier_than_the_calendar_year(delinquent: date) -> None:
    earliest = reportable_from(delinquent, 1)
    assert earliest >= delinquent + timedelta(days=365)
    try:
        anniversary = delinquent.replace(year=delinquent.year + 1)
    except ValueError:  # 29 February
        anniversary = date(delinquent.year + 1, 3, 1)
    assert earliest == anniversary
    lifts = midnight(earliest, delinquency_date=delinquent)
    at = max(lifts - timedelta(minutes=1), utc(2022, 7, 1, 12))
    if at < lifts:
        assert blocks(at, delinquency_date=delinquent)["credit_reporting"].until == lifts
    assert "credit_reporting" not in reporting(lifts, delinquency_date=delinquent)


def test_the_year_s_wait_is_the_bureaus_policy_from_1_july_2022() -> None:
    changes = {"delinquency_date": date(2022, 3, 1), "first_right_party_contact_at": utc(2022, 3, 5)}
    assert "credit_reporting" not in reporting(
        midnight(date(2022, 7, 1), **changes) - timedelta(minutes=1), **changes
    )
    assert "credit_reporting" in reporting(midnight(date(2022, 7, 1), **changes), **changes)
    assert "credit_reporting" not in reporting(midnight(date(2023, 3, 1), **changes), **changes)


def test_without_the_delinquency_date_nothing_is_reported() -> None:
    block = blocks(NOW, delinquency_date=None)["credit_reporting"]
    assert block.until is None and "date of first delinquency is not on file" in block.reason


def test_the_bureaus_policy_is_a_switch() -> None:
    off = parse_policy(
        shipped_policy_text(),
        "[rules.credit_reporting]\nenabled = false\n[rules.credit_reporting_minimum]\nenabled = false\n"
        "[rules.credit_reporting_paid]\nenabled = false\n",
    )
    assert reporting(NOW, off, delinquency_date=date(2026, 11, 1)) == set()
    assert reporting(NOW, off, delinquency_date=None, total_balance_cents=100) == set()
    assert reporting(NOW, off, total_balance_cents=0) == set()


def test_the_old_days_after_delinquency_key_is_refused_naming_its_new_home() -> None:
    with pytest.raises(
        PolicyError, match=r"days_after_delinquency is now rules\.credit_reporting\.wait_years"
    ):
        parse_policy(shipped_policy_text(), "[rules.credit_reporting]\ndays_after_delinquency = 365\n")
    with pytest.raises(PolicyError, match=r"min_balance_cents is now rules\.credit_reporting_minimum"):
        parse_policy(shipped_policy_text(), "[rules.credit_reporting]\nmin_balance_cents = 1\n")
    with pytest.raises(PolicyError, match=r"rules\.credit_reporting\.enabled must be true or false"):
        parse_policy(shipped_policy_text(), '[rules.credit_reporting]\nenabled = "yes"\n')


# -- under $500 and paid ---------------------------------------------------------------------------


@pytest.mark.parametrize(("cents", "allowed"), [(49_999, False), (49_900, False), (50_000, True)])
def test_medical_debt_under_500_dollars_is_not_reported(cents: int, allowed: bool) -> None:
    assert (reporting(NOW, total_balance_cents=cents) == set()) == allowed
    if not allowed:
        assert blocks(NOW, total_balance_cents=cents)["credit_reporting_minimum"].reason == (
            "medical debt under $500.00 is not reported"
        )


def test_the_500_dollar_floor_took_effect_on_11_april_2023() -> None:
    changes = {"total_balance_cents": 40_000, "delinquency_date": date(2022, 1, 1)}
    bites = midnight(date(2023, 4, 11), **changes)
    assert "credit_reporting_minimum" not in reporting(bites - timedelta(minutes=1), **changes)
    assert "credit_reporting_minimum" in reporting(bites, **changes)


def test_paid_medical_debt_is_never_reported() -> None:
    assert "credit_reporting_paid" in reporting(NOW, total_balance_cents=0, status="paid")
    changes = {"total_balance_cents": 0, "delinquency_date": date(2021, 1, 1)}
    bites = midnight(date(2022, 7, 1), **changes)
    assert "credit_reporting_paid" not in reporting(bites - timedelta(minutes=1), **changes)
    assert "credit_reporting_paid" in reporting(bites, **changes)


# -- Reg F: no reporting before communicating (12 CFR 1006.30(a)(1)) ---------------------------------


def test_reporting_needs_a_conversation_or_a_letter_fourteen_days_old() -> None:
    silent = {"first_right_party_contact_at": None}
    block = blocks(NOW, **silent)["passive_reporting"]
    assert block.until is None and block.citation == "12 CFR 1006.30(a)(1)" and "14 days" in block.reason
    mailed = utc(2026, 11, 20, 16)
    lettered = silent | {"first_letter_at": mailed}
    before_mailing = blocks(mailed - timedelta(seconds=1), **lettered)["passive_reporting"]
    assert before_mailing.until is None  # no letter yet at that moment
    assert blocks(NOW, **lettered)["passive_reporting"].until == mailed + timedelta(days=14)
    assert reporting(mailed + timedelta(days=14) - timedelta(seconds=1), **lettered) == {"passive_reporting"}
    assert reporting(mailed + timedelta(days=14), **lettered) == set()


def test_a_conversation_after_the_moment_decided_does_not_count() -> None:
    talk = utc(2026, 12, 1, 16)
    assert "passive_reporting" in reporting(NOW, first_right_party_contact_at=talk)
    assert reporting(talk, first_right_party_contact_at=talk) == set()


def test_passive_reporting_is_reg_f_from_30_november_2021() -> None:
    changes = {"first_right_party_contact_at": None, "delinquency_date": date(2020, 1, 1)}
    bites = midnight(date(2021, 11, 30), **changes)
    assert "passive_reporting" not in reporting(bites - timedelta(minutes=1), **changes)
    assert "passive_reporting" in reporting(bites, **changes)


# -- state bans ------------------------------------------------------------------------------------

BANS = [
    ("CO", date(2023, 8, 7)),
    ("NY", date(2023, 12, 13)),
    ("CT", date(2024, 7, 1)),
    ("VA", date(2024, 7, 1)),
    ("NJ", date(2024, 7, 22)),
    ("MN", date(2024, 10, 1)),
    ("CA", date(2025, 1, 1)),
    ("RI", date(2025, 1, 1)),
    ("IL", date(2025, 1, 1)),
    ("VT", date(2025, 7, 1)),
    ("WA", date(2025, 7, 27)),
    ("ME", date(2025, 9, 24)),
    ("MD", date(2025, 10, 1)),
    ("DE", date(2025, 10, 27)),
    ("OR", date(2026, 1, 1)),
]


def test_the_shipped_bans_are_exactly_these() -> None:
    assert {state: ban.effective for state, ban in POLICY.credit_reporting_bans.items()} == dict(BANS)


@pytest.mark.parametrize(("state", "effective"), BANS)
def test_a_state_ban_bites_at_local_midnight_of_its_effective_day_and_never_lifts(
    state: str, effective: date
) -> None:
    changes: dict[str, Any] = {
        "state": state,
        "zip_code": None,
        "delinquency_date": date(2021, 1, 1),
        "service_date_from": effective,  # New Jersey's ban covers care from its effective day
    }
    bites = midnight(effective, **changes)
    assert f"state_ban.{state}" not in reporting(bites - timedelta(minutes=1), **changes)
    ban = blocks(bites, **changes)[f"state_ban.{state}"]
    assert ban.until is None and ban.citation == POLICY.credit_reporting_bans[state].citation
    assert f"since {effective:%Y-%m-%d}" in ban.reason
    assert f"state_ban.{state}" in reporting(bites + timedelta(days=3650), **changes)


def test_a_ban_in_the_facility_s_state_binds_too() -> None:
    assert "state_ban.NY" in reporting(NOW, facility_state="NY")
    assert not any(rule.startswith("state_ban.") for rule in reporting(NOW, facility_state="TX"))


def test_illinois_binds_the_reporting_agencies() -> None:
    ban = blocks(NOW, state="IL", zip_code="62701")["state_ban.IL"]
    assert "bars consumer reporting agencies" in ban.reason


@pytest.mark.parametrize(
    ("changes", "banned", "says"),
    [
        ({"service_date_from": date(2024, 7, 21)}, False, ""),
        ({"service_date_from": date(2024, 7, 22)}, True, "care on or after 2024-07-22"),
        ({"service_date_from": date(2024, 7, 1), "service_date_to": date(2024, 7, 30)}, True, "2024-07-30"),
        ({}, True, "date of service is not on file"),
        ({"service_date_from": date(2023, 1, 1), "total_balance_cents": 49_999}, True, "under $500.00"),
        ({"service_date_from": date(2023, 1, 1), "total_balance_cents": 0, "status": "paid"}, True, "paid"),
    ],
)
def test_new_jersey_bans_care_from_22_july_2024_and_small_or_paid_debt_whatever_its_date(
    changes: dict[str, Any], banned: bool, says: str
) -> None:
    found = blocks(NOW, state="NJ", zip_code="07102", **changes)
    assert ("state_ban.NJ" in found) == banned
    if banned:
        assert says in found["state_ban.NJ"].reason


def test_new_jersey_s_floor_is_law_even_with_the_bureaus_policy_off() -> None:
    off = parse_policy(shipped_policy_text(), "[rules.credit_reporting_minimum]\nenabled = false\n")
    changes = {
        "state": "NJ",
        "zip_code": "07102",
        "service_date_from": date(2023, 1, 1),
        "eca_notice_date": date(2025, 6, 1),  # New Jersey's notice before collection actions, long past
    }
    assert reporting(NOW, off, total_balance_cents=30_000, **changes) == {"state_ban.NJ"}
