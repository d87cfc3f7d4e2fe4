"""The ``[settlement]`` policy: how much a settlement may forgive without a supervisor, by balance tier
and account age, and the PolicyErrors that name the key an office got wrong."""

from __future__ import annotations

import pytest

from collector_tui.domain.compliance.policy import PolicyError
from collector_tui.domain.plan_policy import (
    NO_SETTLEMENT,
    SETTLEMENT,
    assess_settlement,
    parse_plan_policy,
)
from collector_tui.services.law.policy import shipped_policy_text

SHIPPED = shipped_policy_text("plans.toml")
POLICY = parse_plan_policy(SHIPPED).settlement


@pytest.mark.parametrize(
    ("balance", "age", "percent"),
    [
        (40_000, 10, 0),  # under $500.00, young: nothing without approval
        (40_000, 200, 10),
        (40_000, 400, 20),
        (150_000, 179, 5),
        (150_000, 180, 15),
        (311_196, 365, 30),
        (311_196, None, 10),  # an account of unknown age is in the youngest band
    ],
)
def test_the_shipped_limit_by_balance_tier_and_age(balance: int, age: int | None, percent: int) -> None:
    assert POLICY.max_forgiven_percent(balance, age) == percent
    assert POLICY.max_forgiven_cents(balance, age) == balance * percent // 100


def test_forgiving_more_than_the_limit_names_the_rule_and_the_limit() -> None:
    assert assess_settlement(POLICY, 311_196, 31_119, 10) == []  # 10% of $3,111.96 is $311.19
    [violation] = assess_settlement(POLICY, 311_196, 31_120, 10)
    assert violation.rule_id == SETTLEMENT
    assert "$311.20 of $3,111.96" in violation.message and "10% ($311.19)" in violation.message
    assert "10 days old" in violation.message


def test_without_a_settlement_table_nothing_is_forgiven_without_approval() -> None:
    before, _, rest = SHIPPED.partition("[settlement]")
    without = before + rest[rest.index("# How `collector plans evaluate`") :]
    assert parse_plan_policy(without).settlement == NO_SETTLEMENT
    assert NO_SETTLEMENT.max_forgiven_cents(1_000_000, 999) == 0


@pytest.mark.parametrize(
    ("override", "key"),
    [
        ("[settlement]\nage_days = [30, 180]\n", "settlement.age_days"),
        ("[settlement]\nage_days = [0, 180, 90]\n", "settlement.age_days"),
        ("[settlement]\nage_days = [0, 180]\n", "settlement.tiers[1].max_forgiven_percent"),
        ("[[settlement.tiers]]\nunder_cents = 1\nmax_forgiven_percent = [0, 0, 0]\n", "settlement.tiers[1]"),
        (
            "[[settlement.tiers]]\nunder_cents = 100\nmax_forgiven_percent = [0, 0, 0]\n"
            "[[settlement.tiers]]\nmax_forgiven_percent = [0, 101, 0]\n",
            "settlement.tiers[2].max_forgiven_percent",
        ),
        (
            "[[settlement.tiers]]\nunder_cents = 100\nmax_forgiven_percent = [0, 0, 0]\n"
            "[[settlement.tiers]]\nunder_cents = 50\nmax_forgiven_percent = [0, 0, 0]\n"
            "[[settlement.tiers]]\nmax_forgiven_percent = [0, 0, 0]\n",
            "settlement.tiers[2].under_cents",
        ),
        ("[settlement]\ncitation = ''\n", "settlement.citation"),
    ],
)
def test_a_bad_settlement_policy_names_the_key(override: str, key: str) -> None:
    with pytest.raises(PolicyError, match=key.replace("[", r"\[").replace("]", r"\]")):
        parse_plan_policy(SHIPPED, override)
