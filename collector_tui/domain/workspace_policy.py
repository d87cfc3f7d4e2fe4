"""The workspace's policy: disposition codes, the promise-to-pay rules, when a worked account returns,
and how far an imported payment may exceed the balance.

Pure: parsed from TOML text (the shipped file and an office override, merged
table by table) and applied to values handed in.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from collector_tui.domain.compliance.policy import PolicyError, layered_toml
from collector_tui.domain.dispositions import Disposition, parse_dispositions
from collector_tui.domain.money import format_cents


@dataclass(frozen=True, slots=True)
class PromisePolicy:
    max_days_out: int
    min_cents: int
    min_percent_of_balance: int
    one_open_at_a_time: bool


@dataclass(frozen=True, slots=True)
class TransactionPolicy:
    """Sanity limits on the transactions import (``[transactions]`` in ``policies/workspace.toml``)."""

    overpayment_margin_cents: int  # a payment may exceed the balance by this much without overpayment = Y


@dataclass(frozen=True)
class WorkspacePolicy:
    version: str
    dispositions: Mapping[str, Disposition]
    promise: PromisePolicy
    rework_after: timedelta
    transactions: TransactionPolicy

    def disposition(self, code: str) -> Disposition | None:
        return self.dispositions.get(code.strip().upper())


def _whole(section: Mapping[str, Any], where: str, key: str) -> int:
    value = section.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise PolicyError(f"{where}.{key} must be a whole number >= 0")
    return value


def _section(data: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    section = data.get(key)
    if not isinstance(section, Mapping):
        raise PolicyError(f"[{key}] is missing")
    return section


def parse_workspace_policy(text: str, *overrides: str, hold_reasons: tuple[str, ...]) -> WorkspacePolicy:
    data = layered_toml(text, *overrides)
    promise = _section(data, "promise")
    one_open = promise.get("one_open_at_a_time", True)
    if not isinstance(one_open, bool):
        raise PolicyError("promise.one_open_at_a_time must be true or false")
    percent = _whole(promise, "promise", "min_percent_of_balance")
    if percent > 100:
        raise PolicyError("promise.min_percent_of_balance must be at most 100")
    queue = _section(data, "queue")
    transactions = _section(data, "transactions")
    return WorkspacePolicy(
        version=str(data.get("version") or "unversioned"),
        dispositions=parse_dispositions(data, hold_reasons),
        promise=PromisePolicy(
            max_days_out=_whole(promise, "promise", "max_days_out"),
            min_cents=_whole(promise, "promise", "min_cents"),
            min_percent_of_balance=percent,
            one_open_at_a_time=one_open,
        ),
        rework_after=timedelta(hours=_whole(queue, "queue", "rework_after_hours")),
        transactions=TransactionPolicy(
            overpayment_margin_cents=_whole(transactions, "transactions", "overpayment_margin_cents")
        ),
    )


def promise_problems(
    amount_cents: int,
    due: date,
    *,
    balance_cents: int,
    today: date,
    policy: PromisePolicy,
    open_promises: int = 0,
) -> list[tuple[str, str]]:
    """Why a promise breaks the policy, as (field, message) pairs; empty when it is acceptable.

    ``today`` is the consumer's (or office's) calendar day the promise is taken on.
    """
    problems: list[tuple[str, str]] = []
    if amount_cents <= 0:
        problems.append(("amount", "must be more than $0.00"))
    elif amount_cents > balance_cents:
        problems.append(("amount", f"is more than the balance ({format_cents(balance_cents)})"))
    else:
        floor = max(policy.min_cents, -(-balance_cents * policy.min_percent_of_balance // 100))
        floor = min(floor, balance_cents)  # the whole balance is always acceptable
        if amount_cents < floor:
            problems.append(("amount", f"must be at least {format_cents(floor)} under the promise policy"))
    if due < today:
        problems.append(("due", "is in the past"))
    elif due > today + timedelta(days=policy.max_days_out):
        problems.append(("due", f"is more than {policy.max_days_out} days away"))
    if policy.one_open_at_a_time and open_promises:
        problems.append(("amount", "a promise is already pending on this account"))
    return problems


def looks_like_card_number(text: str) -> bool:
    """True when ``text`` holds 13-19 digits that pass the Luhn check: card numbers are never stored."""
    digits = [int(ch) for ch in text if ch.isdigit()]
    run = "".join(ch if ch.isdigit() else " " for ch in text.replace("-", "").replace(" ", ""))
    if not any(13 <= len(part) <= 19 for part in run.split()) or not 13 <= len(digits) <= 19:
        return False
    total = 0
    for i, digit in enumerate(reversed(digits)):
        if i % 2:
            digit *= 2
            digit -= 9 if digit > 9 else 0
        total += digit
    return total % 10 == 0
