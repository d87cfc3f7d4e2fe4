"""Dealing accounts to collectors: to one, or balanced across several by count or by balance.

Pure and deterministic: the same accounts and collectors give the same deal.

Balanced means the collectors' caseloads *after* the deal are level, not that
each gets an equal share of the accounts moved: a collector who already holds
fewer accounts (or less money) receives more. Each target's ``open_count`` and
``open_balance_cents`` are what it holds *besides* the accounts being dealt.

The deal has two passes:

1. **Stays.** An account already owned by one of the targets stays with it while
   that target is below the water level ``L`` (the load every target would reach
   if the total could be poured in evenly) and has room under its case limit, so
   rebalancing a team moves as few accounts as it can.
2. **Greedy.** Every other account goes, in turn, to the target with the lowest
   load that still has room (ties: fewer accounts, then the order the targets
   were given). By count the accounts go in id order; by balance the largest
   first (longest-processing-time first), which keeps the spread small.

What that guarantees (and ``tests/domain/test_distribution.py`` checks): every
account is placed once or reported unplaced, and one is unplaced only when every
target is at its case limit; no target passes its limit; and every target that
received an account ends within one account of the lightest target that still
has room: within 1 by count, within the largest balance dealt by amount. A
negative balance (a credit) weighs nothing when balancing by amount.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import NamedTuple

BY_COUNT = "count"
BY_AMOUNT = "amount"
BALANCE_BY = (BY_COUNT, BY_AMOUNT)


class Movable(NamedTuple):
    """An account to deal: its id, balance, and current owner (None: nobody)."""

    account_id: int
    balance_cents: int
    owner_id: int | None = None


@dataclass(frozen=True, slots=True)
class Target:
    """A collector who may receive accounts, with what they already hold."""

    collector_id: int
    open_count: int = 0
    open_balance_cents: int = 0
    case_limit: int | None = None  # most open accounts they may hold; None: no limit

    @property
    def room(self) -> int | None:
        """How many accounts may still be given to them; None when unlimited."""
        return None if self.case_limit is None else max(0, self.case_limit - self.open_count)


@dataclass(frozen=True)
class Distribution:
    """Where each account goes (stays included: owner and new owner alike) and what did not fit."""

    placed: Mapping[int, int]  # account id -> collector id
    unplaced: tuple[int, ...]  # account ids no target had room for


def weight(account: Movable, by: str) -> int:
    """What an account adds to a caseload when balancing ``by`` count or amount."""
    return 1 if by == BY_COUNT else max(0, account.balance_cents)


def base_load(target: Target, by: str) -> int:
    return target.open_count if by == BY_COUNT else target.open_balance_cents


def water_level(bases: Sequence[int], total: int) -> Fraction:
    """The level ``L`` at which ``sum(max(0, L - base))`` equals ``total``: pouring evenly."""
    ordered = sorted(bases)
    poured = 0
    for k, base in enumerate(ordered, start=1):
        poured += base
        level = Fraction(total + poured, k)
        if k == len(ordered) or level <= ordered[k]:
            return level
    raise ValueError("no targets")


def distribute(accounts: Sequence[Movable], targets: Sequence[Target], by: str = BY_COUNT) -> Distribution:
    """Deal ``accounts`` to ``targets`` (see the module's description); one target is a plain move."""
    if by not in BALANCE_BY:
        raise ValueError(f"balance by {by!r}: use one of {', '.join(BALANCE_BY)}")
    if not targets:
        raise ValueError("no collectors to deal to")
    index_of = {t.collector_id: i for i, t in enumerate(targets)}
    if len(index_of) != len(targets):
        raise ValueError("a collector is named twice")
    if by == BY_COUNT:
        ordered = sorted(accounts, key=lambda a: a.account_id)
    else:
        ordered = sorted(accounts, key=lambda a: (-max(0, a.balance_cents), a.account_id))
    weights = [weight(a, by) for a in ordered]
    loads = [base_load(t, by) for t in targets]
    counts = [0] * len(targets)
    rooms = [t.room for t in targets]
    level = math.floor(water_level(loads, sum(weights)))  # loads are whole: x <= L iff x <= floor(L)
    placed: dict[int, int] = {}

    pool: list[int] = []  # positions in ``ordered`` left for the greedy pass
    for position, account in enumerate(ordered):
        owner = index_of.get(account.owner_id) if account.owner_id is not None else None
        if (
            owner is not None
            and _fits(rooms[owner], counts[owner])
            and loads[owner] + weights[position] <= level
        ):
            placed[account.account_id] = targets[owner].collector_id
            loads[owner] += weights[position]
            counts[owner] += 1
        else:
            pool.append(position)

    # (load, accounts received, order given): the lightest target with room first.
    heap = [(loads[i], counts[i], i) for i in range(len(targets)) if _fits(rooms[i], counts[i])]
    heapq.heapify(heap)
    unplaced: list[int] = []
    for position in pool:
        account_id = ordered[position].account_id
        if not heap:
            unplaced.append(account_id)
            continue
        load, count, i = heapq.heappop(heap)
        placed[account_id] = targets[i].collector_id
        load += weights[position]
        count += 1
        if _fits(rooms[i], count):
            heapq.heappush(heap, (load, count, i))
    return Distribution(placed, tuple(unplaced))


def _fits(room: int | None, given: int) -> bool:
    return room is None or given < room
