"""State hospital-billing laws as data with their dates: California's waits after initial billing
(Health & Safety Code 127425), Colorado's waits before an action that needs the courts (C.R.S.
6-20-203), Florida's, Maryland's and New Jersey's before extraordinary collection actions,
Washington's wait before an agency reports, and the itemized-statement pauses of Colorado and
Washington."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest

from collector_tui.domain.compliance.clock import local_midnight
from collector_tui.domain.compliance.engine import ACTIONS, day_zone, evaluate, validation_period_end
from collector_tui.domain.compliance.facts import Hold
from collector_tui.domain.compliance.policy import PolicyError, parse_policy
from collector_tui.services.law.policy import shipped_policy_text
from tests.domain.compliance_helpers import POLICY, account, action_rules, phone_rules, utc

CALIFORNIA = {"state": "CA", "zip_code": "95814"}
COLORADO = {"state": "CO", "zip_code": "80202"}
FLORIDA = {"state": "FL", "zip_code": "32301"}
MARYLAND = {"state": "MD", "zip_code": "21201"}
NEW_JERSEY = {"state": "NJ", "zip_code": "08608"}
WASHINGTON = {"state": "WA", "zip_code": "98101"}


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


def hospital_blocks(action: str, at: datetime, law: str, **changes: Any) -> list[Any]:
    return [
        b
        for b in evaluate(account(**changes), POLICY, at).actions[action].blocks
        if b.rule_id == f"state_hospital.{law}"
    ]


# -- Florida: Fla. Stat. 395.3011 ------------------------------------------------------------------


def test_florida_waits_30_days_after_the_written_notice_of_collection_action() -> None:
    changes = FLORIDA | {"first_statement_date": date(2026, 1, 5), "eca_notice_date": date(2026, 11, 2)}
    lifts = midnight(date(2026, 12, 2), **changes)  # 30 days after the notice, 00:00 EST
    assert lifts == utc(2026, 12, 2, 5)
    for action in ("credit_reporting", "sale", "legal_action"):
        [block] = hospital_blocks(action, lifts - timedelta(minutes=1), "FL", **changes)
        assert block.until == lifts and "395.3011(2)(e)" in block.citation
        assert hospital_blocks(action, lifts, "FL", **changes) == []
    assert hospital_blocks("letter", lifts - timedelta(days=5), "FL", **changes) == []


def test_florida_s_wait_bites_from_1_july_2024_and_needs_the_notice_and_the_bill() -> None:
    changes = FLORIDA | {"first_statement_date": None}
    bites = midnight(date(2024, 7, 1), **changes)
    assert hospital_blocks("legal_action", bites - timedelta(minutes=1), "FL", **changes) == []
    blocks = hospital_blocks("legal_action", bites, "FL", **changes)
    assert {b.citation.split(" (")[0] for b in blocks} == {
        "Fla. Stat. 395.3011(2)(b)",
        "Fla. Stat. 395.3011(2)(e)",
    }
    assert all(b.until is None and "not on file" in b.reason for b in blocks)


# -- Maryland: Health-General 19-214.2 (HB 268, 2025) --------------------------------------------------


def test_maryland_no_suit_before_240_days_after_the_initial_bill() -> None:
    changes = MARYLAND | {"first_statement_date": date(2026, 2, 1)}
    lifts = midnight(date(2026, 9, 29), **changes)  # 240 days later, 00:00 EDT
    assert lifts == utc(2026, 9, 29, 4)
    [block] = hospital_blocks("legal_action", lifts - timedelta(minutes=1), "MD", **changes)
    assert block.until == lifts and "HB 268" in block.citation and "240 days" in block.reason
    assert hospital_blocks("legal_action", lifts, "MD", **changes) == []


def test_maryland_s_240_days_bite_from_1_october_2025() -> None:
    changes = MARYLAND | {"first_statement_date": date(2025, 5, 1)}
    bites = midnight(date(2025, 10, 1), **changes)
    assert hospital_blocks("legal_action", bites - timedelta(minutes=1), "MD", **changes) == []
    [block] = hospital_blocks("legal_action", bites, "MD", **changes)
    assert block.until == midnight(date(2025, 12, 27), **changes)


def test_maryland_never_sues_for_500_dollars_or_less() -> None:
    at = utc(2026, 11, 27, 18)
    old = MARYLAND | {"first_statement_date": date(2025, 1, 2)}
    [block] = hospital_blocks("legal_action", at, "MD", **old | {"total_balance_cents": 50_000})
    assert block.until is None and "$500.00 or less" in block.reason
    assert hospital_blocks("legal_action", at, "MD", **old | {"total_balance_cents": 50_001}) == []
    assert hospital_blocks("sale", at, "MD", **old | {"total_balance_cents": 100}) == []
    before = midnight(date(2025, 10, 1), **old) - timedelta(minutes=1)
    assert hospital_blocks("legal_action", before, "MD", **old | {"total_balance_cents": 100}) == []


# -- New Jersey: P.L.2024, c.48 ------------------------------------------------------------------------


def test_new_jersey_waits_120_days_after_the_first_bill_and_30_after_the_notice() -> None:
    changes = NEW_JERSEY | {"first_statement_date": date(2026, 6, 1), "eca_notice_date": date(2026, 9, 15)}
    lifts = midnight(date(2026, 10, 15), **changes)  # the later: 30 days after the notice
    blocks = hospital_blocks("sale", midnight(date(2026, 9, 28), **changes), "NJ", **changes)
    assert sorted(b.until for b in blocks) == [midnight(date(2026, 9, 29), **changes), lifts]
    [block] = hospital_blocks("credit_reporting", lifts - timedelta(minutes=1), "NJ", **changes)
    assert block.until == lifts and "c.48" in block.citation
    assert hospital_blocks("legal_action", lifts, "NJ", **changes) == []


def test_new_jersey_s_wait_bites_from_22_july_2025() -> None:
    changes = NEW_JERSEY | {"first_statement_date": date(2025, 6, 1), "eca_notice_date": date(2025, 6, 2)}
    bites = midnight(date(2025, 7, 22), **changes)
    assert hospital_blocks("legal_action", bites - timedelta(minutes=1), "NJ", **changes) == []
    [block] = hospital_blocks("legal_action", bites, "NJ", **changes)
    assert block.until == midnight(date(2025, 9, 29), **changes)  # 120 days after 2025-06-01


# -- Washington: RCW 19.16.250 (SHB 1531) ------------------------------------------------------------


def test_washington_agencies_waited_180_days_after_placement_before_reporting() -> None:
    changes = WASHINGTON | {"placed_date": date(2024, 3, 1), "delinquency_date": date(2023, 1, 1)}
    lifts = midnight(date(2024, 8, 28), **changes)  # 180 days after placement, 00:00 PDT
    [block] = hospital_blocks("credit_reporting", lifts - timedelta(minutes=1), "WA", **changes)
    assert block.until == lifts and "SHB 1531" in block.citation and "placement" in block.reason
    assert hospital_blocks("credit_reporting", lifts, "WA", **changes) == []
    first_party = changes | {"regime": "first_party"}
    assert hospital_blocks("credit_reporting", lifts - timedelta(days=1), "WA", **first_party) == []


def test_washington_s_wait_gives_way_to_its_ban_on_27_july_2025() -> None:
    changes = WASHINGTON | {"placed_date": date(2025, 7, 1)}
    ends = midnight(date(2025, 7, 27), **changes)
    assert hospital_blocks("credit_reporting", ends - timedelta(minutes=1), "WA", **changes) != []
    assert hospital_blocks("credit_reporting", ends, "WA", **changes) == []
    result = evaluate(account(**changes), POLICY, ends)
    assert "state_ban.WA" in action_rules(result, "credit_reporting")


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
        (
            '[[state_hospital.NV]]\nactions = ["sale"]\nbalance_at_most_cents = -1\ncitation = "x"\n'
            "effective = 2020-01-01",
            "state_hospital.NV[0].balance_at_most_cents",
        ),
        ("[rules.itemized_statement.states]\nNV = 3", "rules.itemized_statement.states.NV"),
    ],
)
def test_a_bad_state_hospital_entry_is_refused_naming_the_key(override: str, message: str) -> None:
    with pytest.raises(
        PolicyError, match=message.replace(".", r"\.").replace("[", r"\[").replace("]", r"\]")
    ):
        parse_policy(shipped_policy_text(), override)
