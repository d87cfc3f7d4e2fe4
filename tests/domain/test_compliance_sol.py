"""Time-barred debt: no legal action, and no threat of one, once a state's limitation period for
medical debt has run (12 CFR 1006.26(b)); each period from what starts it, on the consumer's
calendar, at the moment before it bars the debt and the moment it does."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import given, settings
from hypothesis import strategies as st

from collector_tui.domain.compliance.clock import local_midnight
from collector_tui.domain.compliance.engine import ACTIONS, day_zone, evaluate
from collector_tui.domain.compliance.policy import PolicyError, parse_policy
from collector_tui.services.law.policy import shipped_policy_text
from tests.domain.compliance_helpers import POLICY, account, utc

STATES = {
    *("AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID", "IL", "IN", "IA", "KS"),
    *("KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM", "NY", "NC"),
    *("ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV", "WI", "WY"),
}


def midnight(day: date, **changes: Any) -> datetime:
    return local_midnight(day, day_zone(account(**changes)))


def barred(at: datetime, policy: Any = POLICY, **changes: Any) -> Any:
    """The time_barred block on legal action at ``at``, or None."""
    result = evaluate(account(**changes), policy, at)
    found = [b for b in result.actions["legal_action"].blocks if b.rule_id == "time_barred"]
    for action in ACTIONS:
        if action != "legal_action":
            assert all(b.rule_id != "time_barred" for b in result.actions[action].blocks), action
    return found[0] if found else None


def test_every_state_and_dc_has_a_cited_period() -> None:
    assert set(POLICY.statutes) >= STATES
    for state, statute in POLICY.statutes.items():
        assert statute.periods, state
        for period in statute.periods:
            assert period.citation and period.years >= 2, state
            assert period.written_years is None or period.written_years >= period.years, state
        assert not statute.payment_restarts, state  # shipped: no payment ever restarts a period
    assert POLICY.rule("time_barred").int_param("default_years") == min(POLICY.statute_years.values())


def test_the_period_runs_from_delinquency_and_bars_the_debt_at_local_midnight_of_its_anniversary() -> None:
    texas = {"state": "TX", "zip_code": "78701", "delinquency_date": date(2022, 11, 27)}
    bars = midnight(date(2026, 11, 27), **texas)
    assert bars == utc(2026, 11, 27, 6)  # 00:00 CST
    assert barred(bars - timedelta(minutes=1), **texas) is None
    block = barred(bars, **texas)
    assert block.until is None
    assert block.citation.startswith("12 CFR 1006.26(b); Tex. Civ. Prac. & Rem. Code 16.004")
    assert "4-year period from the delinquency date (2022-11-27) ended 2026-11-27" in block.reason
    assert "threaten" in block.reason
    assert barred(bars + timedelta(days=3650), **texas) is not None  # it never lifts


def test_a_payment_does_not_restart_the_period_unless_the_state_is_marked_so() -> None:
    texas = {"state": "TX", "zip_code": "78701", "delinquency_date": date(2022, 1, 10)}
    paid = texas | {"last_payment_date": date(2025, 6, 1)}
    at = midnight(date(2026, 1, 10), **texas)
    assert barred(at, **paid) is not None
    marked = parse_policy(shipped_policy_text(), "[statute_of_limitations.TX]\npayment_restarts = true\n")
    assert barred(at, marked, **paid) is None
    assert barred(midnight(date(2029, 6, 1), **texas) - timedelta(minutes=1), marked, **paid) is None
    block = barred(midnight(date(2029, 6, 1), **texas), marked, **paid)
    assert "from the last payment (2025-06-01)" in block.reason
    # A payment dated after the moment decided has not happened yet.
    assert barred(at, marked, **texas | {"last_payment_date": date(2026, 2, 1)}) is not None


SINGLE = sorted(
    state
    for state, statute in POLICY.statutes.items()
    if [p.starts for p in statute.periods] == ["delinquency"]
)


@given(
    state=st.sampled_from(SINGLE),
    delinquent=st.dates(min_value=date(2019, 1, 1), max_value=date(2030, 12, 31)),
)
@settings(max_examples=200, deadline=None)
def test_a_debt_is_barred_from_local_midnight_of_the_anniversary_and_not_a_minute_before(
    state: str, delinquent: date
) -> None:
    changes = {"state": state, "zip_code": None, "delinquency_date": delinquent}
    ends = delinquent + relativedelta(years=POLICY.statute_years[state])
    bars = max(midnight(ends, **changes), midnight(date(2021, 11, 30), **changes))
    assert barred(bars - timedelta(minutes=1), **changes) is None
    assert barred(bars, **changes) is not None


def test_without_a_delinquency_date_the_earlier_first_statement_starts_it() -> None:
    changes = {"state": "NC", "zip_code": "27601", "first_statement_date": date(2023, 2, 1)}
    assert barred(midnight(date(2026, 2, 1), **changes) - timedelta(minutes=1), **changes) is None
    assert "first statement" in barred(midnight(date(2026, 2, 1), **changes), **changes).reason


def test_with_no_date_at_all_legal_action_waits_for_one() -> None:
    block = barred(utc(2026, 11, 27, 16), state="OH", first_statement_date=None)
    assert block.until is None and "the delinquency date is not on file" in block.reason


def test_a_29_february_start_ends_on_28_february_the_earlier_day() -> None:
    changes = {"state": "NC", "zip_code": "27601", "delinquency_date": date(2024, 2, 29)}
    assert barred(midnight(date(2027, 2, 28), **changes) - timedelta(minutes=1), **changes) is None
    assert barred(midnight(date(2027, 2, 28), **changes), **changes) is not None


@pytest.mark.parametrize(
    ("state", "zip_code", "years"),
    [("OH", "43215", 4), ("CA", "95814", 2), ("WA", "98101", 3), ("AZ", "85004", 3), ("RI", "02903", 10)],
)
def test_the_oral_contract_or_open_account_period_applies_by_default(
    state: str, zip_code: str, years: int
) -> None:
    changes = {"state": state, "zip_code": zip_code, "delinquency_date": date(2020, 3, 10)}
    ends = date(2020 + years, 3, 10)
    assert barred(midnight(ends, **changes) - timedelta(minutes=1), **changes) is None
    assert f"{years}-year period" in barred(midnight(ends, **changes), **changes).reason


def test_the_written_contract_period_is_a_switch() -> None:
    changes = {"state": "CA", "zip_code": "95814", "delinquency_date": date(2023, 1, 10)}
    at = midnight(date(2025, 6, 1), **changes)
    assert "Cal. Code Civ. Proc. 339" in barred(at, **changes).citation
    written = parse_policy(shipped_policy_text(), "[rules.time_barred]\nwritten_contract = true\n")
    assert barred(at, written, **changes) is None
    assert barred(midnight(date(2027, 1, 10), **changes), written, **changes) is not None


def test_an_unknown_state_gets_the_shortest_period() -> None:
    changes = {"state": "ZZ", "zip_code": None, "delinquency_date": date(2024, 11, 1)}
    assert barred(utc(2026, 10, 31, 12), **changes) is None
    assert "an unknown state" not in barred(utc(2026, 11, 2, 12), **changes).reason
    assert "ZZ (no period on file for it)" in barred(utc(2026, 11, 2, 12), **changes).reason
    assert "an unknown state" in barred(utc(2026, 11, 2, 12), **changes | {"state": None}).reason


# -- New York: three years from treatment (CPLR 213-d, in force 2020-04-03) ------------------------

NEW_YORK = {"state": "NY", "zip_code": "12207", "first_statement_date": date(2016, 7, 1)}


def test_new_york_213_d_bars_old_treatment_from_the_day_it_took_effect() -> None:
    # Reg F's rule dates from 2021-11-30; moved earlier here to watch 213-d take effect on its own day.
    earlier = parse_policy(shipped_policy_text(), "[rules.time_barred]\neffective = 2019-01-01\n")
    changes = NEW_YORK | {"service_date_from": date(2016, 6, 1), "delinquency_date": date(2016, 9, 1)}
    bites = midnight(date(2020, 4, 3), **changes)
    assert barred(bites - timedelta(minutes=1), earlier, **changes) is None  # six years from delinquency
    block = barred(bites, earlier, **changes)
    assert block.citation.endswith("N.Y. CPLR 213-d")
    assert "3-year period from the date of treatment (2016-06-01) ended 2019-06-01" in block.reason


def test_new_york_counts_three_years_from_the_first_date_of_treatment_not_delinquency() -> None:
    changes = NEW_YORK | {
        "first_statement_date": date(2021, 4, 10),
        "service_date_from": date(2021, 3, 15),
        "service_date_to": date(2021, 3, 20),
        "delinquency_date": date(2021, 6, 1),
    }
    ends = midnight(date(2024, 3, 15), **changes)
    assert barred(ends - timedelta(minutes=1), **changes) is None
    assert barred(ends, **changes) is not None


def test_new_york_without_a_treatment_date_waits_for_one() -> None:
    changes = NEW_YORK | {"first_statement_date": date(2025, 4, 10), "delinquency_date": date(2025, 6, 1)}
    block = barred(utc(2026, 11, 27, 16), **changes)
    assert "the date of treatment is not on file" in block.reason and "213-d" in block.citation


def test_a_facility_in_new_york_brings_its_period_to_a_consumer_elsewhere() -> None:
    changes = {
        "state": "PA",
        "zip_code": "19103",
        "facility_state": "NY",
        "service_date_from": date(2022, 5, 2),
        "delinquency_date": date(2022, 9, 1),
    }
    assert "213-d" in barred(midnight(date(2025, 5, 2), **changes), **changes).citation
    assert barred(midnight(date(2025, 5, 2), **changes), **changes | {"facility_state": "PA"}) is None


# -- Florida: three years from referral for a chapter 395 facility (HB 7089, 2024-07-01) ------------


def test_florida_counts_three_years_from_the_earliest_a_referral_can_be() -> None:
    changes = {
        "state": "FL",
        "zip_code": "33101",
        "first_statement_date": date(2024, 8, 1),
        "delinquency_date": date(2024, 9, 1),
    }
    ends = midnight(date(2027, 8, 1), **changes)
    assert barred(ends - timedelta(minutes=1), **changes) is None
    assert "first statement (the earliest a referral can be)" in barred(ends, **changes).reason


def test_time_barred_debt_is_a_reg_f_rule_from_30_november_2021() -> None:
    changes = {"state": "NC", "zip_code": "27601", "delinquency_date": date(2015, 1, 1)}
    bites = midnight(date(2021, 11, 30), **changes)
    assert barred(bites - timedelta(minutes=1), **changes) is None
    assert barred(bites, **changes) is not None


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ('[statute_of_limitations]\nTX = "four"', "statute_of_limitations.TX must be a number of years"),
        ("[statute_of_limitations.TX]\nyears = 0", "statute_of_limitations.TX.years"),
        ('[statute_of_limitations.TX]\nstarts = "whenever"', "statute_of_limitations.TX.starts"),
        ("[statute_of_limitations.TX]\nwritten_years = 2", "statute_of_limitations.TX.written_years"),
        ("[statute_of_limitations.NY]\nperiods = []", "statute_of_limitations.NY.periods"),
        ("[rules.time_barred]\ndefault_years = 0", "rules.time_barred.default_years"),
        ('[rules.time_barred]\nwritten_contract = "no"', "rules.time_barred.written_contract"),
    ],
)
def test_a_bad_limitation_period_is_refused_naming_the_key(override: str, message: str) -> None:
    with pytest.raises(PolicyError, match=message.replace(".", r"\.")):
        parse_policy(shipped_policy_text(), override)


def test_the_earlier_number_form_still_reads() -> None:
    policy = parse_policy(shipped_policy_text(), "[statute_of_limitations]\nTX = 5\n")
    [period] = policy.statutes["TX"].periods
    assert period.years == 5 and period.starts == "delinquency" and period.citation == "12 CFR 1006.26(b)"
