"""collector_tui.domain.plan_policy: every limit of the plan policy, the state interest ceilings
and the income-based caps (pure rules, on the shipped policy unless an override says otherwise)."""

from __future__ import annotations

from datetime import date

import pytest

from collector_tui.domain.compliance.policy import PolicyError
from collector_tui.domain.plan_policy import (
    DOWN_PAYMENT,
    FIRST_PAYMENT,
    INCOME_CAP,
    INCOME_CAP_COMBINED,
    INTEREST,
    INTEREST_CAP,
    MIN_INSTALLMENT,
    TERM,
    PlanPolicy,
    PlanVerdict,
    assess_plan,
    check_plan,
    parse_plan_policy,
)
from collector_tui.domain.plan_schedule import PlanTerms, build_schedule
from collector_tui.services.law.policy import shipped_policy_text

TODAY = date(2026, 11, 27)
FIRST = date(2026, 12, 1)
SHIPPED = shipped_policy_text("plans.toml")
POLICY = parse_plan_policy(SHIPPED)


def _verdict(
    balance: int,
    *,
    count: int | None = None,
    amount: int | None = None,
    frequency: str = "monthly",
    first: date = FIRST,
    down: int = 0,
    apr_bps: int = 0,
    state: str | None = None,
    income: int | None = None,
    bill: str = "facility",
    other: int = 0,
    policy: PlanPolicy = POLICY,
    today: date = TODAY,
) -> PlanVerdict:
    terms = PlanTerms(balance, frequency, first, count, amount, down, apr_bps)
    return assess_plan(
        build_schedule(terms), policy, state, income, bill, today=today, other_plans_monthly_cents=other
    )


def _rules(verdict: PlanVerdict) -> list[str]:
    return [v.rule_id for v in verdict.violations]


def test_shipped_policy() -> None:
    assert POLICY.version == "2026.11.1"
    assert [(t.under_cents, t.max_term_months) for t in POLICY.tiers] == [
        (50000, 6),
        (200000, 12),
        (None, 36),
    ]
    assert POLICY.max_days_to_first_payment == 30
    assert POLICY.min_down_payment_percent == 0
    assert POLICY.state_interest["CO"].max_apr_bps == 300
    assert POLICY.state_interest["CA"].max_apr_bps == 0
    assert POLICY.income_caps["CO"].percent_bps == {"facility": 400, "professional": 200}
    assert POLICY.income_caps["MD"].percent_bps == {"facility": 500, "professional": 500}
    assert all(rule.citation for rule in POLICY.state_interest.values())
    assert all(rule.citation for rule in POLICY.income_caps.values())


def test_a_plan_within_policy() -> None:
    verdict = _verdict(123456, count=12)
    assert verdict.within_policy
    assert verdict.violations == ()
    assert (verdict.max_term_months, verdict.max_installments, verdict.min_installment_cents) == (
        12,
        12,
        2500,
    )
    assert verdict.income_cap is None
    assert verdict.forgivable_cents == 0


def test_check_plan_returns_rule_and_message_pairs() -> None:
    terms = PlanTerms(40000, "monthly", FIRST, installments=8)
    schedule = build_schedule(terms)
    problems = check_plan(schedule, terms, POLICY, "TX", None, "facility", today=TODAY)
    assert len(problems) == 1
    rule_id, message = problems[0]
    assert rule_id == TERM
    assert message == (
        "8 monthly installments run longer than the 6 months allowed for a balance of $400.00 "
        "(at most 6 monthly installments; office policy)"
    )
    assert check_plan(schedule, terms, POLICY, today=TODAY) == problems


def test_check_plan_wants_the_terms_the_schedule_was_built_from() -> None:
    terms = PlanTerms(40000, "monthly", FIRST, installments=4)
    with pytest.raises(ValueError, match="other terms"):
        check_plan(
            build_schedule(terms), PlanTerms(40001, "monthly", FIRST, installments=4), POLICY, today=TODAY
        )


# --- maximum term by balance tier ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("balance", "months"),
    [(1, 6), (49999, 6), (50000, 12), (199999, 12), (200000, 36), (10_000_000_00, 36)],
)
def test_balance_tiers(balance: int, months: int) -> None:
    assert POLICY.tier(balance).max_term_months == months


@pytest.mark.parametrize(
    ("balance", "frequency", "longest"),
    [
        (49999, "monthly", 6),
        (49999, "semimonthly", 12),
        (49999, "biweekly", 13),
        (49999, "weekly", 26),
        (150000, "monthly", 12),
        (150000, "weekly", 52),
        (900000, "monthly", 36),
        (900000, "biweekly", 78),
    ],
)
def test_maximum_term(balance: int, frequency: str, longest: int) -> None:
    assert TERM not in _rules(_verdict(balance, count=longest, frequency=frequency))
    verdict = _verdict(balance, count=longest + 1, frequency=frequency)
    assert _rules(verdict) == [TERM]
    assert verdict.max_installments == longest


# --- minimum installment, scaled to the frequency -------------------------------------------------


@pytest.mark.parametrize(
    ("frequency", "minimum"),
    [("monthly", 2500), ("semimonthly", 1250), ("biweekly", 1154), ("weekly", 577)],
)
def test_minimum_installment_scales_to_the_frequency(frequency: str, minimum: int) -> None:
    assert _verdict(10000, amount=minimum, frequency=frequency).min_installment_cents == minimum
    assert MIN_INSTALLMENT not in _rules(_verdict(10000, amount=minimum, frequency=frequency))
    verdict = _verdict(10000, amount=minimum - 1, frequency=frequency)
    assert MIN_INSTALLMENT in _rules(verdict)


def test_minimum_installment_message() -> None:
    (violation,) = _verdict(10000, count=5).violations
    assert violation == (
        MIN_INSTALLMENT,
        "the installment $20.00 is below the minimum of $25.00 monthly ($25.00 a month; office policy)",
    )


def test_a_small_last_installment_and_a_single_payment_are_not_below_the_minimum() -> None:
    assert _verdict(10100, amount=2500).within_policy  # 4 x $25.00 and $1.00
    assert _verdict(1000, count=1).within_policy  # $10.00 at once


def test_a_tier_may_set_its_own_minimum() -> None:
    policy = parse_plan_policy(
        SHIPPED,
        """
        [[plan.tiers]]
        under_cents = 200000
        max_term_months = 12
        [[plan.tiers]]
        max_term_months = 36
        min_installment_monthly_cents = 10000
        """,
    )
    assert _verdict(199999, count=12, policy=policy).within_policy
    assert _rules(_verdict(1_000_000, count=36, policy=policy)) == []
    assert _rules(_verdict(300_000, count=36, policy=policy)) == [MIN_INSTALLMENT]  # $83.33 < $100


# --- days to the first payment ---------------------------------------------------------------------


def test_first_payment_within_the_days_allowed() -> None:
    assert _verdict(60000, count=6, first=date(2026, 12, 27)).within_policy  # 30 days
    verdict = _verdict(60000, count=6, first=date(2026, 12, 28))
    assert verdict.violations == (
        (FIRST_PAYMENT, "the first payment is 31 days away; at most 30 (office policy)"),
    )


def test_first_payment_in_the_past() -> None:
    assert _rules(_verdict(60000, count=6, first=date(2026, 11, 26))) == [FIRST_PAYMENT]
    assert _verdict(60000, count=6, first=TODAY).within_policy


def test_first_payment_counts_the_semimonthly_date_it_falls_on() -> None:
    # Asked for Dec 26, the plan starts Jan 1: 35 days away.
    verdict = _verdict(60000, count=12, frequency="semimonthly", first=date(2026, 12, 26))
    assert _rules(verdict) == [FIRST_PAYMENT]


# --- minimum down payment ---------------------------------------------------------------------------


def test_minimum_down_payment() -> None:
    policy = parse_plan_policy(SHIPPED, "[plan]\nmin_down_payment_percent = 10\n")
    assert _verdict(123456, count=12, down=12346, policy=policy).within_policy  # 10% rounded up
    verdict = _verdict(123456, count=12, down=12345, policy=policy)
    assert verdict.violations == (
        (DOWN_PAYMENT, "the down payment $123.45 is below the 10% minimum of $123.46 (office policy)"),
    )
    assert _verdict(123456, count=12).within_policy  # the shipped policy asks for none


# --- interest ---------------------------------------------------------------------------------------


def test_interest_up_to_the_office_ceiling() -> None:
    assert _verdict(123456, count=12, apr_bps=600, state="TX").within_policy
    verdict = _verdict(123456, count=12, apr_bps=601, state="TX")
    assert verdict.violations == ((INTEREST_CAP, "6.01% a year is above the 6% allowed (office policy)"),)


def test_no_interest_when_the_office_allows_none() -> None:
    policy = parse_plan_policy(SHIPPED, "[interest]\nallowed = false\n")
    assert _verdict(123456, count=12, policy=policy).within_policy
    verdict = _verdict(123456, count=12, apr_bps=100, policy=policy)
    assert verdict.violations == ((INTEREST, "the office policy does not allow interest on a plan"),)
    assert verdict.max_apr_bps == 0


def test_colorado_caps_interest_at_three_percent() -> None:
    assert _verdict(123456, count=12, apr_bps=300, state="CO").within_policy
    verdict = _verdict(123456, count=12, apr_bps=301, state="co")
    assert _rules(verdict) == [INTEREST_CAP]
    assert "above the 3% allowed (CO: C.R.S. 5-12-101" in verdict.violations[0].message
    assert verdict.max_apr_bps == 300


def test_a_state_rule_applies_from_its_effective_date() -> None:
    before = _verdict(
        123456, count=12, apr_bps=500, state="CO", first=date(2023, 8, 1), today=date(2023, 8, 1)
    )
    assert before.within_policy
    assert before.max_apr_bps == 600


def test_california_allows_no_interest_on_hospital_bills() -> None:
    verdict = _verdict(123456, count=12, apr_bps=1, state="CA")
    assert _rules(verdict) == [INTEREST_CAP]
    assert "Cal. Health & Safety Code 127425" in verdict.violations[0].message
    assert _verdict(123456, count=12, apr_bps=600, state="CA", bill="professional").within_policy


def test_a_state_ceiling_above_the_office_ceiling_does_not_raise_it() -> None:
    policy = parse_plan_policy(SHIPPED, "[interest.states.CO]\nmax_apr_bps = 1000\n")
    verdict = _verdict(123456, count=12, apr_bps=700, state="CO", policy=policy)
    assert verdict.violations == ((INTEREST_CAP, "7% a year is above the 6% allowed (office policy)"),)


# --- income-based caps ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("bill", "cap"),
    [("facility", 12000), ("professional", 6000)],  # 4% and 2% of $3,000.00
)
def test_colorado_income_cap_by_bill(bill: str, cap: int) -> None:
    within = _verdict(1_000_000, amount=cap, state="CO", income=300000, bill=bill)
    assert within.within_policy
    assert within.income_cap is not None
    assert within.income_cap.monthly_cap_cents == cap
    above = _verdict(1_000_000, amount=cap + 1, state="CO", income=300000, bill=bill)
    assert _rules(above) == [INCOME_CAP]
    assert "C.R.S. 25.5-3-503" in above.violations[0].message


@pytest.mark.parametrize(
    ("frequency", "largest_within"),
    [("weekly", 2769), ("biweekly", 5538), ("semimonthly", 6000), ("monthly", 12000)],
)
def test_the_income_cap_counts_the_monthly_equivalent(frequency: str, largest_within: int) -> None:
    """$27.69 weekly is $119.99 a month (x 52/12); $27.70 is $120.03."""
    ok = _verdict(500_000, amount=largest_within, frequency=frequency, state="CO", income=300000)
    assert INCOME_CAP not in _rules(ok)
    assert ok.income_cap is not None
    assert ok.income_cap.installment_cap_cents == largest_within
    over = _verdict(500_000, amount=largest_within + 1, frequency=frequency, state="CO", income=300000)
    assert INCOME_CAP in _rules(over)


def test_the_income_cap_message() -> None:
    verdict = _verdict(1_000_000, amount=2770, frequency="weekly", state="CO", income=300000)
    assert verdict.violations == (
        (
            INCOME_CAP,
            "the installment $27.70 is $120.03 a month, above the cap of $120.00 a month ($27.69 weekly) "
            "(4% of monthly household income $3,000.00; CO: C.R.S. 25.5-3-503(1)(b), (c) "
            "(HB21-1198, Hospital Discounted Care))",
        ),
    )


def test_the_income_cap_counts_a_larger_last_installment() -> None:
    # $3,600.04 in 30: 29 x $120.00 and a last $120.04, above a $120.00 cap.
    verdict = _verdict(360004, count=30, state="CO", income=300000)
    assert _rules(verdict) == [INCOME_CAP]


def test_colorado_combined_cap_with_the_household_s_other_plans() -> None:
    assert _verdict(1_000_000, amount=12000, state="CO", income=300000, other=6000).within_policy
    verdict = _verdict(1_000_000, amount=12000, state="CO", income=300000, other=6001)
    assert _rules(verdict) == [INCOME_CAP_COMBINED]
    assert (
        "above the combined cap of $180.00 (6% of monthly household income" in verdict.violations[0].message
    )


def test_colorado_forgives_what_is_left_after_36_months_of_payments() -> None:
    verdict = _verdict(1_000_000, amount=12000, state="CO", income=300000)
    assert verdict.within_policy  # 84 installments, but collection ends after 36
    assert verdict.income_cap is not None
    assert verdict.income_cap.forgive_after_installments == 36
    assert verdict.forgivable_cents == 1_000_000 - 36 * 12000


def test_forgiveness_counts_months_at_every_frequency() -> None:
    verdict = _verdict(1_000_000, amount=2769, frequency="weekly", state="CO", income=300000)
    assert verdict.income_cap is not None
    assert verdict.income_cap.forgive_after_installments == 156
    assert verdict.forgivable_cents == 1_000_000 - 156 * 2769
    assert verdict.within_policy


def test_forgiveness_with_interest_is_the_balance_still_owed() -> None:
    verdict = _verdict(1_000_000, amount=12000, apr_bps=300, state="CO", income=300000)
    assert verdict.income_cap is not None
    schedule = build_schedule(PlanTerms(1_000_000, "monthly", FIRST, installment_cents=12000, apr_bps=300))
    assert verdict.forgivable_cents == schedule.rows[35].balance_after_cents
    assert verdict.forgivable_cents > 1_000_000 - 36 * 12000  # interest slowed the principal down


def test_nothing_forgiven_when_the_plan_ends_sooner() -> None:
    verdict = _verdict(300000, amount=12000, state="CO", income=300000)
    assert verdict.forgivable_cents == 0
    assert verdict.within_policy


def test_without_forgiveness_a_long_capped_plan_breaks_the_term() -> None:
    verdict = _verdict(1_000_000, amount=12000, state="MD", income=300000)
    assert _rules(verdict) == [TERM]  # 84 months
    assert verdict.forgivable_cents == 0


def test_maryland_caps_at_five_percent_of_wages_for_any_bill() -> None:
    for bill in ("facility", "professional"):
        assert _verdict(300000, amount=15000, state="MD", income=300000, bill=bill).within_policy
        verdict = _verdict(300000, amount=15001, state="MD", income=300000, bill=bill)
        assert _rules(verdict) == [INCOME_CAP]
        assert (
            "5% of gross monthly wages $3,000.00; MD: Md. Code, Health-Gen." in verdict.violations[0].message
        )


def test_no_income_cap_without_income_or_a_state_rule() -> None:
    assert _verdict(1_000_000, count=12, state="CO").income_cap is None
    assert _verdict(1_000_000, count=12, state="TX", income=300000).income_cap is None
    assert _verdict(1_000_000, count=12, income=300000).income_cap is None
    before = _verdict(
        1_000_000, count=12, state="CO", income=300000, first=date(2022, 8, 1), today=date(2022, 8, 1)
    )
    assert before.income_cap is None


def test_an_unknown_bill_kind() -> None:
    with pytest.raises(ValueError, match="unknown bill kind"):
        _verdict(10000, count=2, bill="dental")


def test_every_violation_at_once() -> None:
    policy = parse_plan_policy(SHIPPED, "[plan]\nmin_down_payment_percent = 50\n")
    verdict = _verdict(
        40000,
        count=24,
        frequency="monthly",
        first=date(2027, 3, 1),
        apr_bps=700,
        state="CO",
        income=10000,
        other=1000,
        policy=policy,
    )
    assert _rules(verdict) == [
        TERM,
        MIN_INSTALLMENT,
        FIRST_PAYMENT,
        DOWN_PAYMENT,
        INTEREST_CAP,
        INCOME_CAP,
        INCOME_CAP_COMBINED,
    ]


# --- the policy file --------------------------------------------------------------------------------


def test_an_override_changes_only_what_it_names() -> None:
    policy = parse_plan_policy(SHIPPED, "version = 'office-1'\n[plan]\nmax_days_to_first_payment = 45\n")
    assert policy.version == "office-1"
    assert policy.max_days_to_first_payment == 45
    assert policy.tiers == POLICY.tiers
    assert policy.income_caps == POLICY.income_caps


@pytest.mark.parametrize(
    ("override", "words"),
    [
        ("[plan]\nmax_days_to_first_payment = -1\n", "plan.max_days_to_first_payment"),
        ("[plan]\nmin_down_payment_percent = 101\n", "at most 100"),
        ("[plan]\ndefault_days_to_first_payment = 31\n", "default_days_to_first_payment"),
        ("[plan]\ntiers = []\n", "at least one tier"),
        ("[[plan.tiers]]\nunder_cents = 500\nmax_term_months = 6\n", "no under_cents"),
        (
            "[[plan.tiers]]\nunder_cents = 500\nmax_term_months = 6\n[[plan.tiers]]\nunder_cents = 400\n"
            "max_term_months = 6\n[[plan.tiers]]\nmax_term_months = 6\n",
            "above the tier before",
        ),
        ("[[plan.tiers]]\nmax_term_months = 0\n", "at least 1"),
        ("[interest]\nallowed = 'yes'\n", "true or false"),
        ("[interest.states.NY]\nmax_apr_bps = 200\n", "interest.states.NY.citation"),
        ("[interest.states.CO]\nbill_kinds = ['dental']\n", "bill_kinds"),
        ("[interest.states.CO]\neffective = 'soon'\n", "effective must be a date"),
        ("[income_caps.NY]\nfacility_bps = 100\ncitation = 'x'\n", "income_caps.NY.professional_bps"),
        ("[income_caps.CO]\nforgive_after_months = 0\n", "at least 1"),
        ("[plan\n", "not valid TOML"),
    ],
)
def test_policy_errors_name_the_key(override: str, words: str) -> None:
    with pytest.raises(PolicyError, match=words):
        parse_plan_policy(SHIPPED, override)


def test_the_plan_table_is_required() -> None:
    with pytest.raises(PolicyError, match=r"\[plan\] is missing"):
        parse_plan_policy("version = '1'\n")
