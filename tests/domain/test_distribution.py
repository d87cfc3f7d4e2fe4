"""Dealing accounts to collectors: examples, then the rules for any input (hypothesis)."""

from __future__ import annotations

from collections import Counter
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from collector_tui.domain.distribution import (
    BALANCE_BY,
    BY_AMOUNT,
    BY_COUNT,
    Distribution,
    Movable,
    Target,
    base_load,
    distribute,
    water_level,
    weight,
)


def _given(result: Distribution) -> Counter[int]:
    return Counter(result.placed.values())


def test_one_target_takes_everything() -> None:
    accounts = [Movable(i, 100 * i, owner_id=9) for i in range(1, 6)]
    result = distribute(accounts, [Target(1)])
    assert result.placed == dict.fromkeys(range(1, 6), 1)
    assert result.unplaced == ()


def test_by_count_levels_caseloads_not_shares() -> None:
    """The collector who holds fewer receives more: the caseloads end level."""
    accounts = [Movable(i, 1000) for i in range(1, 11)]
    result = distribute(accounts, [Target(1, open_count=6), Target(2, open_count=0)])
    assert _given(result) == {1: 2, 2: 8}  # both end with 8


def test_by_count_is_even_when_nobody_holds_anything() -> None:
    accounts = [Movable(i, i) for i in range(1, 11)]
    assert _given(distribute(accounts, [Target(1), Target(2), Target(3)])) == {1: 4, 2: 3, 3: 3}


def test_by_amount_spreads_the_money() -> None:
    balances = [90_000, 50_000, 40_000, 30_000, 20_000, 10_000]
    accounts = [Movable(i, b) for i, b in enumerate(balances, start=1)]
    result = distribute(accounts, [Target(1), Target(2)], by=BY_AMOUNT)
    totals = Counter[int]()
    for account in accounts:
        totals[result.placed[account.account_id]] += account.balance_cents
    assert totals == {1: 120_000, 2: 120_000}


def test_by_amount_ties_go_to_the_collector_with_fewer_accounts() -> None:
    accounts = [Movable(i, 0) for i in range(1, 7)]
    assert _given(distribute(accounts, [Target(1), Target(2)], by=BY_AMOUNT)) == {1: 3, 2: 3}


def test_case_limits_are_respected_and_the_rest_is_reported() -> None:
    accounts = [Movable(i, 500) for i in range(1, 11)]
    targets = [Target(1, open_count=3, case_limit=5), Target(2, case_limit=4)]
    result = distribute(accounts, targets)
    assert _given(result) == {1: 2, 2: 4}
    assert result.unplaced == (7, 8, 9, 10)  # by count, in id order


def test_a_collector_over_the_limit_already_gets_nothing() -> None:
    result = distribute([Movable(1, 5), Movable(2, 5)], [Target(1, open_count=9, case_limit=5), Target(2)])
    assert result.placed == {1: 2, 2: 2}


def test_rebalancing_a_team_moves_as_few_accounts_as_it_can() -> None:
    owned = [Movable(i, 100, owner_id=1) for i in range(1, 9)] + [Movable(9, 100, owner_id=2)]
    result = distribute(owned, [Target(1), Target(2), Target(3)])
    assert _given(result) == {1: 3, 2: 3, 3: 3}
    moved = [a for a in owned if result.placed[a.account_id] != a.owner_id]
    assert len(moved) == 5  # 8-3 leave collector 1; collector 2 keeps its one


def test_refuses_nonsense() -> None:
    with pytest.raises(ValueError, match="no collectors"):
        distribute([Movable(1, 1)], [])
    with pytest.raises(ValueError, match="twice"):
        distribute([Movable(1, 1)], [Target(1), Target(1)])
    with pytest.raises(ValueError, match="balance by"):
        distribute([Movable(1, 1)], [Target(1)], by="luck")


def test_water_level() -> None:
    assert water_level([0, 0], 10) == 5
    assert water_level([6, 0], 10) == 8
    assert water_level([20, 0], 10) == 10
    assert water_level([0, 0, 0], 10) == Fraction(10, 3)


# --- any input -------------------------------------------------------------------------------

targets_st = st.lists(
    st.builds(
        Target,
        collector_id=st.integers(1, 8),
        open_count=st.integers(0, 30),
        open_balance_cents=st.integers(0, 2_000_000),
        case_limit=st.none() | st.integers(0, 40),
    ),
    min_size=1,
    max_size=5,
    unique_by=lambda t: t.collector_id,
)


accounts_st = st.lists(
    st.builds(
        Movable,
        account_id=st.integers(1, 10_000),
        balance_cents=st.integers(-50_000, 1_000_000),
        owner_id=st.none() | st.integers(1, 10),  # a target, someone else, or nobody
    ),
    max_size=80,
    unique_by=lambda a: a.account_id,
)
deals = st.tuples(accounts_st, targets_st, st.sampled_from(BALANCE_BY))


@settings(max_examples=300, deadline=None)
@given(deals)
def test_every_account_is_placed_once_or_reported(deal: tuple[list[Movable], list[Target], str]) -> None:
    accounts, targets, by = deal
    result = distribute(accounts, targets, by)
    assert set(result.placed).isdisjoint(result.unplaced)
    assert sorted([*result.placed, *result.unplaced]) == sorted(a.account_id for a in accounts)
    assert len(set(result.unplaced)) == len(result.unplaced)
    assert set(result.placed.values()) <= {t.collector_id for t in targets}


@settings(max_examples=300, deadline=None)
@given(deals)
def test_case_limits_hold_and_only_full_teams_leave_accounts(
    deal: tuple[list[Movable], list[Target], str],
) -> None:
    accounts, targets, by = deal
    result = distribute(accounts, targets, by)
    given_to = _given(result)
    for target in targets:
        if target.room is not None:
            assert given_to[target.collector_id] <= target.room
    if result.unplaced:
        assert all(t.room is not None and given_to[t.collector_id] == t.room for t in targets)


@settings(max_examples=300, deadline=None)
@given(deals)
def test_receivers_end_within_one_account_of_the_lightest(
    deal: tuple[list[Movable], list[Target], str],
) -> None:
    """Count: within 1 of the lightest collector with room; amount: within the largest balance."""
    accounts, targets, by = deal
    result = distribute(accounts, targets, by)
    by_id = {a.account_id: a for a in accounts}
    loads = {t.collector_id: base_load(t, by) for t in targets}
    given_to = _given(result)
    for account_id, collector_id in result.placed.items():
        loads[collector_id] += weight(by_id[account_id], by)
    with_room = [t for t in targets if t.room is None or given_to[t.collector_id] < t.room]
    if not with_room:
        return
    lightest = min(loads[t.collector_id] for t in with_room)
    heaviest_account = max((weight(a, by) for a in accounts), default=0)
    for target in targets:
        if given_to[target.collector_id]:
            assert loads[target.collector_id] - lightest <= heaviest_account


@settings(max_examples=200, deadline=None)
@given(deals)
def test_the_same_deal_whatever_the_input_order(deal: tuple[list[Movable], list[Target], str]) -> None:
    accounts, targets, by = deal
    assert distribute(accounts, targets, by) == distribute(list(reversed(accounts)), targets, by)


@settings(max_examples=200, deadline=None)
@given(deals)
def test_by_count_the_moved_accounts_split_within_one(deal: tuple[list[Movable], list[Target], str]) -> None:
    """With empty caseloads and no limits, a count deal is an even split of the accounts."""
    accounts, targets, _ = deal
    empty = [Target(t.collector_id) for t in targets]
    moving = [a._replace(owner_id=None) for a in accounts]
    given_to = _given(distribute(moving, empty, BY_COUNT))
    shares = [given_to[t.collector_id] for t in empty]
    assert max(shares) - min(shares) <= 1
