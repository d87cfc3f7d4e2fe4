"""collector_tui.domain.denial_work: which adjustments are denials, their deadlines and their order."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from collector_tui.domain.compliance.policy import PolicyError
from collector_tui.domain.denial_work import (
    FROM_SERVICE,
    Adjusted,
    DenialFacts,
    denial_alarms,
    denial_deadlines,
    denial_priority,
    nearest_deadline,
    parse_denial_policy,
    past_all_deadlines,
    principal,
    response_due,
)
from collector_tui.services.law.policy import shipped_policy_text
from collector_tui.vocabulary import DenialCategory, DenialScenario

SHIPPED = shipped_policy_text("denials.toml")
POLICY = parse_denial_policy(SHIPPED)
TODAY = date(2026, 12, 4)
WARN = POLICY.warn_days


def facts(
    cents: int = 50_000,
    appeal: date | None = None,
    corrected: date | None = None,
    answer: date | None = None,
    worked: bool = True,
) -> DenialFacts:
    return DenialFacts(cents, appeal, corrected, answer, worked)


# ---- what is a denial -------------------------------------------------------------------------


@pytest.mark.parametrize("reason", ["1", "2", "3", "96", "204", "16"])
def test_the_patients_share_is_never_a_denial(reason: str) -> None:
    assert not POLICY.is_denial("PR", reason)


@pytest.mark.parametrize("reason", ["45", "253", "59", "131"])
def test_a_contractual_co_reason_is_the_contract(reason: str) -> None:
    assert not POLICY.is_denial("CO", reason)


@pytest.mark.parametrize(
    "code", ["CO-16", "CO-29", "CO-50", "CO-97", "CO-197", "PI-45", "PI-16", "OA-18", "CR-16"]
)
def test_the_issues_examples_are_denials(code: str) -> None:
    group, _, reason = code.partition("-")
    assert POLICY.is_denial(group, reason)


def test_oa_23_is_bookkeeping_not_a_denial() -> None:
    assert not POLICY.is_denial("OA", "23")
    assert POLICY.is_denial("oa", "18")  # case does not matter


def test_an_office_can_count_another_co_reason_as_contractual() -> None:
    policy = parse_denial_policy(SHIPPED, '[defaults]\ncontractual_reasons = ["45", "97"]\n')
    assert not policy.is_denial("CO", "97")
    assert policy.is_denial("CO", "59")  # the override replaces the list


# ---- what fixes it ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reason", "category", "scenario"),
    [
        ("16", DenialCategory.MISSING_INFORMATION, DenialScenario.CLAIM_DATA),
        ("197", DenialCategory.AUTHORIZATION, DenialScenario.DOCUMENTATION),
        ("50", DenialCategory.MEDICAL_NECESSITY, DenialScenario.NOT_COVERED),
        ("97", DenialCategory.CODING, DenialScenario.NOT_SEPARATELY_PAYABLE),
        ("29", DenialCategory.TIMELY_FILING, DenialScenario.CLAIM_DATA),
        ("18", DenialCategory.DUPLICATE, DenialScenario.NOT_SEPARATELY_PAYABLE),
        ("22", DenialCategory.COORDINATION, DenialScenario.DOCUMENTATION),
        ("27", DenialCategory.ELIGIBILITY, DenialScenario.NOT_COVERED),
    ],
)
def test_each_reason_names_what_fixes_it_under_a_core_scenario(
    reason: str, category: str, scenario: str
) -> None:
    assert POLICY.classify(reason) == (category, scenario)


def test_a_reason_the_policy_does_not_map_keeps_the_defaults() -> None:
    assert POLICY.classify("9999") == (DenialCategory.OTHER, DenialScenario.CLAIM_DATA)


def test_every_mapped_reason_has_a_plain_text_for_the_collector() -> None:
    from collector_tui.domain.denials import parse_denial_glossary

    glossary = parse_denial_glossary(shipped_policy_text("denial_codes.toml"))
    missing = sorted(reason for reason in POLICY.reasons if not glossary.explain(reason).known)
    assert missing == []


# ---- deadlines ----------------------------------------------------------------------------------


def test_medicare_by_name_appeals_in_120_days_from_presumed_receipt() -> None:
    rules = POLICY.rules_for("MEDICARE PART B OF OHIO")
    assert rules.key == "medicare" and "405.942" in rules.citation
    remit = date(2026, 11, 20)
    deadlines = denial_deadlines(rules, remit, date(2026, 7, 2))
    assert deadlines.appeal == remit + timedelta(days=5 + 120) == date(2027, 3, 25)
    # One calendar year from the date of service (42 CFR 424.44(a)(1)), not from the remittance.
    assert rules.corrected_claim_from == FROM_SERVICE
    assert deadlines.corrected_claim == date(2027, 7, 2)


def test_a_payer_not_named_gets_the_defaults_from_the_remittance_date() -> None:
    rules = POLICY.rules_for("Acme Health Plan")
    assert rules.key == "default"
    deadlines = denial_deadlines(rules, date(2026, 11, 20), date(2026, 7, 2))
    assert deadlines.appeal == date(2026, 11, 20) + timedelta(days=180)
    assert deadlines.corrected_claim == date(2026, 11, 20) + timedelta(days=90)


def test_the_payer_tables_code_wins_over_the_name() -> None:
    assert POLICY.rules_for("Acme Health Plan", "medicaid").key == "medicaid"
    assert POLICY.rules_for("Medicare Advantage by Acme", "unknown-key").key == "medicare"


def test_without_dates_there_are_no_deadlines() -> None:
    deadlines = denial_deadlines(POLICY.defaults, None, None)
    assert (deadlines.appeal, deadlines.corrected_claim) == (None, None)


def test_the_payers_answer_is_due_its_usual_days_after_the_action() -> None:
    assert response_due(POLICY.rules_for("Medicare"), TODAY) == TODAY + timedelta(days=60)
    assert response_due(POLICY.defaults, TODAY) == TODAY + timedelta(days=30)


def test_a_leap_day_deadline_counts_calendar_days() -> None:
    deadlines = denial_deadlines(POLICY.defaults, date(2027, 9, 2), None)
    assert deadlines.appeal == date(2028, 2, 29)  # a leap day is a day like any other


# ---- the headline reason ------------------------------------------------------------------------


def test_the_headline_is_the_adjustment_that_took_the_most() -> None:
    small, big = Adjusted("CO", "16", 1_000), Adjusted("CO", "97", 9_000)
    assert principal([small, big]) == big
    assert principal([Adjusted("CO", "16", 0), Adjusted("OA", "18", 0)]) == Adjusted("CO", "16", 0)
    assert principal([]) is None


# ---- order and alarms: before the warning, at it, at the deadline, after ---------------------


def test_the_day_before_the_warning_window_has_no_alarm() -> None:
    item = facts(appeal=TODAY + timedelta(days=WARN + 1))
    assert denial_alarms(item, POLICY, TODAY) == ()
    names = [f.name for f in denial_priority(item, POLICY, TODAY).factors]
    assert "deadline near" not in names


def test_the_first_day_of_the_warning_window_raises_the_alarm() -> None:
    when = TODAY + timedelta(days=WARN)
    item = facts(appeal=when)
    assert denial_alarms(item, POLICY, TODAY) == (f"appeal deadline in {WARN} days ({when.isoformat()})",)
    near = denial_priority(item, POLICY, TODAY)
    before = denial_priority(item, POLICY, TODAY - timedelta(days=1))
    assert near.points - before.points == POLICY.scoring["warn_points"] + POLICY.scoring["deadline_per_day"]


def test_on_the_deadline_it_is_most_urgent() -> None:
    item = facts(appeal=TODAY)
    factors = {f.name: f for f in denial_priority(item, POLICY, TODAY).factors}
    assert factors["appeal deadline"].points == POLICY.scoring["deadline_points"]
    assert factors["appeal deadline"].value == f"0 days ({TODAY.isoformat()})"
    assert denial_alarms(item, POLICY, TODAY) == (f"appeal deadline in 0 days ({TODAY.isoformat()})",)


def test_the_day_after_the_deadline_it_is_past_and_reported() -> None:
    item = facts(appeal=TODAY - timedelta(days=1))
    factors = {f.name: f for f in denial_priority(item, POLICY, TODAY).factors}
    assert factors["appeal deadline"].points == 0
    assert denial_alarms(item, POLICY, TODAY) == (
        f"appeal deadline passed {(TODAY - timedelta(days=1)).isoformat()}",
    )
    assert past_all_deadlines(item, TODAY)
    assert not past_all_deadlines(facts(appeal=TODAY), TODAY)
    assert not past_all_deadlines(facts(), TODAY)  # no deadline known: not "past" it


def test_a_passed_appeal_leaves_the_corrected_claim_deadline_as_the_nearest() -> None:
    item = facts(appeal=TODAY - timedelta(days=3), corrected=TODAY + timedelta(days=40))
    assert nearest_deadline(item, TODAY) == ("corrected claim", TODAY + timedelta(days=40))
    assert not past_all_deadlines(item, TODAY)


def test_an_overdue_payer_answer_counts_from_the_day_after_it_was_due() -> None:
    due_today = facts(answer=TODAY)
    assert denial_alarms(due_today, POLICY, TODAY) == ()
    overdue = facts(answer=TODAY - timedelta(days=1))
    assert denial_alarms(overdue, POLICY, TODAY) == (
        f"no payer answer since it was due {(TODAY - timedelta(days=1)).isoformat()}",
    )
    assert "payer answer overdue" in [f.name for f in denial_priority(overdue, POLICY, TODAY).factors]


def test_money_counts_a_point_per_ten_dollars_up_to_the_cap() -> None:
    assert denial_priority(facts(cents=12_345), POLICY, TODAY).factors[0].points == 12
    capped = denial_priority(facts(cents=10**9), POLICY, TODAY).factors[0]
    assert capped.points == POLICY.scoring["money_max"]
    assert denial_priority(facts(cents=-500), POLICY, TODAY).factors[0].points == 0


def test_a_new_item_says_so_in_its_factors() -> None:
    names = [f.name for f in denial_priority(facts(worked=False), POLICY, TODAY).factors]
    assert "not worked yet" in names


cents = st.integers(min_value=0, max_value=10**8)
days = st.integers(min_value=0, max_value=400)


@given(cents, cents, days)
def test_more_money_never_lowers_the_score(a: int, b: int, left: int) -> None:
    low, high = sorted((a, b))
    when = TODAY + timedelta(days=left)
    assert (
        denial_priority(facts(cents=low, appeal=when), POLICY, TODAY).points
        <= denial_priority(facts(cents=high, appeal=when), POLICY, TODAY).points
    )


@given(cents, days, days)
def test_a_nearer_deadline_never_lowers_the_score(money: int, a: int, b: int) -> None:
    near, far = sorted((a, b))
    assert (
        denial_priority(facts(cents=money, appeal=TODAY + timedelta(days=far)), POLICY, TODAY).points
        <= denial_priority(facts(cents=money, appeal=TODAY + timedelta(days=near)), POLICY, TODAY).points
    )


@given(cents, st.integers(min_value=-400, max_value=400), st.booleans())
def test_the_score_is_the_sum_of_its_named_factors(money: int, left: int, worked: bool) -> None:
    priority = denial_priority(
        facts(cents=money, appeal=TODAY + timedelta(days=left), worked=worked), POLICY, TODAY
    )
    assert priority.points == sum(f.points for f in priority.factors) >= 0
    assert priority.score == priority.points  # no tier: the denied money and the deadline decide


# ---- the policy file ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("override", "names"),
    [
        ("[defaults]\nappeal_days = -1\n", "defaults.appeal_days"),
        ("[defaults]\ncorrected_claim_from = 'tomorrow'\n", "corrected_claim_from"),
        ("[reasons.16]\ncategory = 'luck'\nscenario = 'claim_data'\n", "reasons.16.category"),
        ("[reasons.16]\ncategory = 'coding'\nscenario = 'vibes'\n", "reasons.16.scenario"),
        ("[payers.x]\nnames = 'MEDICARE'\n", "payers.x.names"),
        ("[scoring]\nmoney_max = 'lots'\n", "scoring.money_max"),
        ("[defaults]\ncontractual_reasons = [45]\n", "defaults.contractual_reasons"),
    ],
)
def test_a_bad_override_names_its_key(override: str, names: str) -> None:
    with pytest.raises(PolicyError, match=names.replace(".", r"\.")):
        parse_denial_policy(SHIPPED, override)


def test_a_payer_inherits_what_it_does_not_say_from_the_defaults() -> None:
    policy = parse_denial_policy(SHIPPED, "[payers.acme]\nnames = ['ACME']\nappeal_days = 60\n")
    rules = policy.rules_for("Acme Health Plan")
    assert (rules.key, rules.appeal_days, rules.corrected_claim_days) == (
        "acme",
        60,
        POLICY.defaults.corrected_claim_days,
    )


def test_the_shipped_policy_cites_its_sources() -> None:
    assert "42 CFR 405.942" in SHIPPED and "42 CFR 424.44" in SHIPPED
