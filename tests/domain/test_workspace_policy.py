"""The promise-to-pay policy and the card-number guard (pure rules)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from collector_tui.domain.compliance.policy import PolicyError
from collector_tui.domain.workspace_policy import (
    PromisePolicy,
    looks_like_card_number,
    parse_workspace_policy,
    promise_problems,
)
from collector_tui.services.law.policy import shipped_policy_text
from collector_tui.vocabulary import HoldReason

RULES = PromisePolicy(max_days_out=30, min_cents=2500, min_percent_of_balance=10, one_open_at_a_time=True)
TODAY = date(2026, 11, 27)
HOLDS = HoldReason.codes()


def test_shipped_policy_parses() -> None:
    policy = parse_workspace_policy(shipped_policy_text("workspace.toml"), hold_reasons=HoldReason.codes())
    assert policy.promise.max_days_out == 30
    assert policy.rework_after == timedelta(hours=4)


def test_an_acceptable_promise() -> None:
    assert (
        promise_problems(5000, TODAY + timedelta(days=3), balance_cents=40_000, today=TODAY, policy=RULES)
        == []
    )


@pytest.mark.parametrize(
    ("amount", "due", "balance", "field", "words"),
    [
        (0, TODAY, 10_000, "amount", "more than $0.00"),
        (20_000, TODAY, 10_000, "amount", "more than the balance"),
        (2400, TODAY, 10_000, "amount", "at least $25.00"),
        (4000, TODAY, 100_000, "amount", "at least $100.00"),  # 10% of $1,000
        (5000, TODAY - timedelta(days=1), 10_000, "due", "in the past"),
        (5000, TODAY + timedelta(days=31), 10_000, "due", "more than 30 days"),
    ],
)
def test_promises_outside_policy(amount: int, due: date, balance: int, field: str, words: str) -> None:
    problems = promise_problems(amount, due, balance_cents=balance, today=TODAY, policy=RULES)
    assert (field, next(m for f, m in problems if f == field)) and any(words in m for _, m in problems)


def test_the_whole_small_balance_is_always_acceptable() -> None:
    assert promise_problems(1000, TODAY, balance_cents=1000, today=TODAY, policy=RULES) == []


def test_one_open_promise_at_a_time() -> None:
    problems = promise_problems(5000, TODAY, balance_cents=10_000, today=TODAY, policy=RULES, open_promises=1)
    assert problems == [("amount", "a promise is already pending on this account")]


@given(st.integers(1, 10_000_000), st.integers(1, 10_000_000))
def test_the_floor_never_exceeds_the_balance(amount: int, balance: int) -> None:
    problems = promise_problems(amount, TODAY, balance_cents=balance, today=TODAY, policy=RULES)
    if amount == balance:
        assert problems == []


@pytest.mark.parametrize(
    "text", ["4111111111111111", "4111 1111 1111 1111", "4111-1111-1111-1111", "ref 5500005555555559"]
)
def test_card_numbers_are_recognised(text: str) -> None:
    assert looks_like_card_number(text)


@pytest.mark.parametrize("text", ["", "CONF-12345", "4111111111111112", "123456789012", "AUTH 998877"])
def test_references_that_are_not_card_numbers(text: str) -> None:
    assert not looks_like_card_number(text)


def test_bad_values_are_refused() -> None:
    text = shipped_policy_text("workspace.toml")
    with pytest.raises(PolicyError, match="min_percent_of_balance"):
        parse_workspace_policy(
            text, "[promise]\nmin_percent_of_balance = 150", hold_reasons=HoldReason.codes()
        )
    with pytest.raises(PolicyError, match="rework_after_hours"):
        parse_workspace_policy(text, "[queue]\nrework_after_hours = -1", hold_reasons=HOLDS)
