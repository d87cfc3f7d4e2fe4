"""State hospital-billing laws as data with their dates: California's waits after initial billing
(Health & Safety Code 127425), Colorado's waits before an action that needs the courts (C.R.S.
6-20-203), and the itemized-statement pauses of Colorado and Washington."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest

from collector_tui.domain.compliance.clock import local_midnight
from collector_tui.domain.compliance.engine import ACTIONS, day_zone, evaluate, validation_period_end
from collector_tui.domain.compliance.facts import Hold
from collector_tui.domain.compliance.policy import PolicyError, parse_policy
from collector_tui.services.policy import shipped_policy_text
from tests.domain.compliance_helpers import POLICY, account, action_rules, phone_rules, utc

CALIFORNIA = {"state": "CA", "zip_code": "95814"}
COLORADO = {"state": "CO", "zip_code": "80202"}


def midnight(day: date, **changes: Any) -> datetime:
    return local_midnight(day, day_zone(account(**changes)))


def hospital_block(action: str, at: datetime, law: str, **changes: Any) -> Any:
    found = [
        b
        for b in evaluate(account(**changes), POLICY, at).actions[action].blocks
        if b.rule_id == f"state_hospital.{law}"
    ]
    return found[0] if found else None


# -- California: Health & Safety Code 127425 ---------------------------------------------------------


def test_california_no_suit_before_180_days_after_initial_billing() -> None:
    changes = CALIFORNIA | {"first_statement_date": date(2026, 3, 1)}
    lifts = midnight(date(2026, 8, 28), **changes)  # 180 days later, 00:00 PDT
    assert lifts == utc(2026, 8, 28, 7)
    block = hospital_block("legal_action", lifts - timedelta(minutes=1), "CA", **changes)
    assert (
        block.until == lifts
        and "AB 1020" in block.citation
        and "180 days after the first statement" in block.reason
    )
    assert hospital_block("legal_action", lifts, "CA", **changes) is None
    assert hospital_block("letter", lifts - timedelta(days=30), "CA", **changes) is None  # letters are fine


def test_california_s_wait_was_150_days_until_ab_1020_made_it_180_from_2022() -> None:
    changes = CALIFORNIA | {"first_statement_date": date(2021, 8, 1)}
    assert hospital_block("legal_action", midnight(date(2021, 12, 29), **changes), "CA", **changes) is None
    assert hospital_block(
        "legal_action", midnight(date(2021, 12, 28), **changes), "CA", **changes
    ).until == midnight(date(2021, 12, 29), **changes)
    bites = midnight(date(2022, 1, 1), **changes)
    assert hospital_block("legal_action", bites - timedelta(minutes=1), "CA", **changes) is None
    assert hospital_block("legal_action", bites, "CA", **changes).until == midnight(
        date(2022, 1, 28), **changes
    )


def test_california_s_credit_reporting_wait_before_its_ban() -> None:
    changes = CALIFORNIA | {"first_statement_date": date(2024, 6, 1)}
    at = midnight(date(2024, 10, 1), **changes)
    assert hospital_block("credit_reporting", at, "CA", **changes).until == midnight(
        date(2024, 11, 28), **changes
    )
    later = midnight(date(2025, 1, 1), **changes)
    assert "state_ban.CA" in action_rules(evaluate(account(**changes), POLICY, later), "credit_reporting")


def test_california_no_sale_before_180_days_unless_found_ineligible() -> None:
    changes = CALIFORNIA | {"first_statement_date": date(2026, 3, 1)}
    block = hospital_block("sale", utc(2026, 6, 1, 19), "CA", **changes)
    assert block.until == midnight(date(2026, 8, 28), **changes) and "127425(a)" in block.citation
    assert hospital_block("sale", utc(2026, 6, 1, 19), "CA", **changes | {"fap_status": "denied"}) is None


def test_a_california_facility_brings_its_law_to_a_consumer_elsewhere() -> None:
    changes = {
        "state": "NV",
        "zip_code": "89501",
        "facility_state": "CA",
        "first_statement_date": date(2026, 9, 1),
    }
    assert hospital_block("legal_action", utc(2026, 11, 27, 20), "CA", **changes) is not None


def test_without_the_first_statement_california_waits_for_it() -> None:
    block = hospital_block(
        "legal_action", utc(2026, 11, 27, 20), "CA", **CALIFORNIA | {"first_statement_date": None}
    )
    assert block.until is None and "not on file" in block.reason


# -- Colorado: C.R.S. 6-20-203 -------------------------------------------------------------------


def test_colorado_waits_182_days_after_the_last_date_of_service_before_legal_action() -> None:
    changes = COLORADO | {
        "service_date_from": date(2026, 3, 1),
        "service_date_to": date(2026, 3, 4),
        "validation_notice_date": date(2026, 3, 10),
        "first_statement_date": date(2026, 3, 20),
    }
    lifts = midnight(date(2026, 9, 2), **changes)  # 182 days after 2026-03-04, 00:00 MDT
    block = hospital_block("legal_action", lifts - timedelta(minutes=1), "CO", **changes)
    assert block.until == lifts and "6-20-203(2)" in block.citation
    assert hospital_block("legal_action", lifts, "CO", **changes) is None
    assert hospital_block("credit_reporting", lifts - timedelta(days=1), "CO", **changes) is None


def test_colorado_s_182_days_bite_from_1_june_2022() -> None:
    changes = COLORADO | {"service_date_from": date(2022, 5, 1), "validation_notice_date": date(2022, 5, 2)}
    bites = midnight(date(2022, 6, 1), **changes)
    assert hospital_block("legal_action", bites - timedelta(minutes=1), "CO", **changes) is None
    assert hospital_block("legal_action", bites, "CO", **changes).until == midnight(
        date(2022, 10, 30), **changes
    )


def test_colorado_providers_give_30_days_notice_of_collection_actions() -> None:
    changes = COLORADO | {"regime": "first_party", "service_date_from": date(2025, 1, 1)}
    block = hospital_block("legal_action", utc(2026, 11, 27, 19), "CO", **changes)
    assert block.until is None and "6-20-203(3)(a)" in block.citation and "not on file" in block.reason
    notice = changes | {"eca_notice_date": date(2026, 11, 10)}
    assert hospital_block("legal_action", utc(2026, 11, 27, 19), "CO", **notice).until == midnight(
        date(2026, 12, 10), **notice
    )


def test_colorado_collectors_wait_30_days_after_the_validation_notice_and_the_end_of_validation() -> None:
    notice = date(2026, 10, 1)
    changes = COLORADO | {"service_date_from": date(2025, 1, 1), "validation_notice_date": notice}
    ends = validation_period_end(notice, POLICY)  # the last day of the validation period
    assert ends > notice + timedelta(days=30)
    block = hospital_block("legal_action", midnight(ends, **changes), "CO", **changes)
    assert block.until == midnight(ends + timedelta(days=1), **changes) and "5-16-109(2)" in block.citation
    assert (
        hospital_block("legal_action", midnight(ends + timedelta(days=1), **changes), "CO", **changes) is None
    )


# -- itemized statements -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("where", "effective", "citation"),
    [
        ({"state": "WA", "zip_code": "98101"}, date(2019, 7, 28), "RCW 19.16.250"),
        (COLORADO, date(2023, 8, 7), "C.R.S. 5-16-109"),
    ],
)
def test_an_itemized_statement_request_pauses_collection_from_the_state_s_date(
    where: dict[str, str], effective: date, citation: str
) -> None:
    changes = where | {"holds": (Hold("itemized_statement", utc(2019, 1, 1)),)}
    bites = midnight(effective, **changes)
    before = evaluate(account(**changes), POLICY, bites - timedelta(minutes=1))
    assert all("itemized_statement" not in action_rules(before, a) for a in ACTIONS)
    during = evaluate(account(**changes), POLICY, bites + timedelta(hours=14))
    for action in ACTIONS:
        [block] = [b for b in during.actions[action].blocks if b.rule_id == "itemized_statement"]
        assert block.until is None and block.citation.startswith(citation)
    assert "itemized_statement" in phone_rules(during)


def test_an_itemized_statement_request_pauses_nothing_in_other_states() -> None:
    changes = {"state": "TX", "zip_code": "78701", "holds": (Hold("itemized_statement", utc(2026, 11, 1)),)}
    result = evaluate(account(**changes), POLICY, utc(2026, 11, 27, 18))
    assert all("itemized_statement" not in action_rules(result, a) for a in ACTIONS)


def test_the_earlier_form_of_itemized_states_still_reads() -> None:
    policy = parse_policy(shipped_policy_text(), '[rules.itemized_statement.states]\nNV = "a Nevada law"\n')
    assert policy.itemized_statement_states["NV"].effective == policy.rule("itemized_statement").effective


@pytest.mark.parametrize(
    ("override", "message"),
    [
        (
            '[[state_hospital.NV]]\nactions = ["call"]\ndays = 1\nafter = "service"',
            "state_hospital.NV[0].actions",
        ),
        ('[[state_hospital.NV]]\nactions = ["sale"]\ndays = 1\nafter = "soon"', "state_hospital.NV[0].after"),
        (
            '[[state_hospital.NV]]\nactions = ["sale"]\ndays = 1\nafter = "service"\neffective = 2020-01-01',
            "state_hospital.NV[0].citation",
        ),
        ("[state_hospital]\nNV = 3", "state_hospital.NV must be a list of tables"),
        ("[rules.itemized_statement.states]\nNV = 3", "rules.itemized_statement.states.NV"),
    ],
)
def test_a_bad_state_hospital_entry_is_refused_naming_the_key(override: str, message: str) -> None:
    with pytest.raises(
        PolicyError, match=message.replace(".", r"\.").replace("[", r"\[").replace("]", r"\]")
    ):
        parse_policy(shipped_policy_text(), override)
