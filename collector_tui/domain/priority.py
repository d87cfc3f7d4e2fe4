"""The priority of an account in the call queue: named factors, each with its value and points.

Pure: a function of the policy, the account's facts and ``now``. The score
and its breakdown are stored on the account and recomputed when an event
touches it and in the nightly run, so the queue never scores on screen.

Ordering is by tier, then score: a timed callback that is due comes first,
then a promise due today or recently broken (or a recently broken payment
plan, which counts the same way), then everything else.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from collector_tui.domain.aging import age_bucket
from collector_tui.domain.compliance.policy import PolicyError, layered_toml

TIER_CALLBACK = 0
TIER_PROMISE = 1
TIER_REST = 2
TIER_NAMES = {TIER_CALLBACK: "callback due", TIER_PROMISE: "promise due or broken", TIER_REST: "by score"}
# The tier is folded into the stored score so one index orders the queue: higher sorts first.
TIER_WEIGHT = 1_000_000


@dataclass(frozen=True)
class PriorityPolicy:
    version: str
    values: Mapping[str, Mapping[str, int]]

    def get(self, table: str, key: str) -> int:
        return self.values[table][key]


_REQUIRED = {
    "balance": ("per_tenfold", "max_points"),
    "age": ("0-30", "31-60", "61-90", "91-120", "120+"),
    "promise": ("due_today", "broken", "broken_days"),
    "callback": ("due",),
    "contact": ("per_day", "max_points"),
    "payments": ("per_payment", "max_points", "window_days"),
    "new_placement": ("points", "days"),
}


def parse_priority_policy(text: str, *overrides: str) -> PriorityPolicy:
    data = layered_toml(text, *overrides)
    values: dict[str, dict[str, int]] = {}
    for table, keys in _REQUIRED.items():
        section = data.get(table)
        if not isinstance(section, Mapping):
            raise PolicyError(f"[{table}] is missing")
        values[table] = {}
        for key in keys:
            value = section.get(key)
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise PolicyError(f"{table}.{key} must be a whole number >= 0")
            values[table][key] = value
    return PriorityPolicy(version=str(data.get("version") or "unversioned"), values=values)


@dataclass(frozen=True, slots=True)
class PriorityFacts:
    patient_balance_cents: int
    age_days: int | None
    placed_date: date | None
    last_contact_at: datetime | None
    callback_at: datetime | None  # the account's next-action time
    next_promise_due: date | None  # earliest pending promise
    last_broken_promise: date | None  # due date of the latest broken promise
    recent_payments: int  # payments in the policy's window
    last_broken_plan: date | None = None  # due date of the late installment that broke the latest plan


@dataclass(frozen=True, slots=True)
class Factor:
    name: str
    value: str
    points: int


@dataclass(frozen=True, slots=True)
class Priority:
    tier: int
    points: int
    factors: tuple[Factor, ...]

    @property
    def score(self) -> int:
        """What the queue sorts by (higher first): the tier, then the points."""
        return (TIER_REST - self.tier) * TIER_WEIGHT + self.points

    def breakdown_json(self) -> str:
        return json.dumps([[f.name, f.value, f.points] for f in self.factors], separators=(",", ":"))


def factors_from_json(text: str | None) -> tuple[Factor, ...]:
    if not text:
        return ()
    return tuple(Factor(str(name), str(value), int(points)) for name, value, points in json.loads(text))


def _dollars(cents: int) -> str:
    return f"${cents / 100:,.2f}"


def score(facts: PriorityFacts, policy: PriorityPolicy, now: datetime) -> Priority:
    today = now.date()
    factors: list[Factor] = []

    dollars = max(facts.patient_balance_cents, 0) / 100
    balance = min(
        policy.get("balance", "max_points"),
        round(policy.get("balance", "per_tenfold") * math.log10(dollars)) if dollars >= 1 else 0,
    )
    factors.append(Factor("balance", _dollars(facts.patient_balance_cents), balance))

    bucket = age_bucket(facts.age_days)
    factors.append(Factor("age", bucket, policy.values["age"].get(bucket, 0)))

    tier = TIER_REST
    if facts.callback_at is not None and facts.callback_at <= now:
        tier = TIER_CALLBACK
        factors.append(
            Factor("callback due", f"{facts.callback_at:%Y-%m-%d %H:%M} UTC", policy.get("callback", "due"))
        )
    if facts.next_promise_due is not None and facts.next_promise_due <= today:
        tier = min(tier, TIER_PROMISE)
        label = "today" if facts.next_promise_due == today else f"overdue since {facts.next_promise_due}"
        factors.append(Factor("promise due", label, policy.get("promise", "due_today")))
    broken_days = policy.get("promise", "broken_days")
    if facts.last_broken_promise is not None and today - facts.last_broken_promise <= timedelta(
        days=broken_days
    ):
        tier = min(tier, TIER_PROMISE)
        factors.append(
            Factor("promise broken", str(facts.last_broken_promise), policy.get("promise", "broken"))
        )
    # A broken payment plan is a broken promise to pay in installments: the same points and window.
    if facts.last_broken_plan is not None and today - facts.last_broken_plan <= timedelta(days=broken_days):
        tier = min(tier, TIER_PROMISE)
        factors.append(Factor("plan broken", str(facts.last_broken_plan), policy.get("promise", "broken")))

    cap = policy.get("contact", "max_points")
    if facts.last_contact_at is None:
        factors.append(Factor("days since contact", "never", cap))
    else:
        days = max(0, (now - facts.last_contact_at).days)
        factors.append(
            Factor("days since contact", str(days), min(cap, days * policy.get("contact", "per_day")))
        )

    if facts.recent_payments:
        points = min(
            policy.get("payments", "max_points"),
            facts.recent_payments * policy.get("payments", "per_payment"),
        )
        window = policy.get("payments", "window_days")
        factors.append(Factor("payments", f"{facts.recent_payments} in {window} days", points))

    new_days = policy.get("new_placement", "days")
    if (
        facts.last_contact_at is None
        and facts.placed_date is not None
        and (today - facts.placed_date).days <= new_days
    ):
        factors.append(
            Factor("new placement", f"placed {facts.placed_date}", policy.get("new_placement", "points"))
        )

    return Priority(tier=tier, points=sum(f.points for f in factors), factors=tuple(factors))
