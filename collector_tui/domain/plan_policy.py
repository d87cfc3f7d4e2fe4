"""The payment-plan policy: the office's limits and the state laws, and the check of a schedule.

Pure: parsed from TOML text (the shipped ``policies/plans.toml`` and an office
override, merged table by table) and applied to a schedule and the facts handed
in. A plan outside the policy is not refused here: the check names every limit
it breaks, and the caller decides (a supervisor may approve it with a reason).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from typing import Any, NamedTuple

from collector_tui.domain.adherence import DEFAULT_ADHERENCE, AdherencePolicy, AdherenceRules
from collector_tui.domain.compliance.policy import PolicyError, layered_toml
from collector_tui.domain.money import format_cents
from collector_tui.domain.plan_schedule import (
    PERIODS_PER_YEAR,
    PlanTerms,
    Schedule,
    monthly_equivalent,
    round_half_up,
)

BILL_KINDS = ("facility", "professional")

# Rule ids, as reported by check_plan and in collector.plan_quote/1.
TERM = "term"
MIN_INSTALLMENT = "min_installment"
FIRST_PAYMENT = "first_payment"
DOWN_PAYMENT = "down_payment"
INTEREST = "interest"
INTEREST_CAP = "interest_cap"
INCOME_CAP = "income_cap"
INCOME_CAP_COMBINED = "income_cap_combined"
SETTLEMENT = "settlement"  # a settlement forgives more than [settlement] allows for its balance and age

# Each rule in the words a supervisor deciding an approval reads.
RULE_LABELS = {
    TERM: "term longer than the balance's tier allows",
    MIN_INSTALLMENT: "installment below the minimum",
    FIRST_PAYMENT: "first payment too far off (or past)",
    DOWN_PAYMENT: "down payment below the minimum",
    INTEREST: "interest where the policy allows none",
    INTEREST_CAP: "interest above the cap",
    INCOME_CAP: "installment above the income-based cap",
    INCOME_CAP_COMBINED: "the household's plans above the combined income cap",
    SETTLEMENT: "forgives more than the settlement policy allows",
}


def rule_label(rule_id: str) -> str:
    """A rule id in plain words (an unknown id as itself)."""
    return RULE_LABELS.get(rule_id, rule_id)


class PlanViolation(NamedTuple):
    rule_id: str
    message: str


@dataclass(frozen=True, slots=True)
class BalanceTier:
    under_cents: int | None  # None: every balance above the previous tier
    max_term_months: int
    min_installment_monthly_cents: int


@dataclass(frozen=True, slots=True)
class StateInterest:
    state: str
    max_apr_bps: int
    citation: str
    effective: date | None
    bill_kinds: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class IncomeCapRule:
    state: str
    income: str  # what the income is, in words: "monthly household income"
    percent_bps: Mapping[str, int]  # bill kind -> share of the income
    combined_bps: int | None
    forgive_after_months: int | None
    citation: str
    effective: date | None


@dataclass(frozen=True, slots=True)
class SettlementTier:
    under_cents: int | None  # None: every balance above the previous tier
    max_forgiven_percent: tuple[int, ...]  # one per age band of SettlementPolicy.age_days


@dataclass(frozen=True, slots=True)
class SettlementPolicy:
    """``[settlement]``: the most of a balance a settlement may forgive without a supervisor, by the
    balance's tier and the account's age (days since the first statement, service or placement)."""

    age_days: tuple[int, ...]  # where each age band starts: (0, 180, 365) is under 180, 180-364, 365+
    tiers: tuple[SettlementTier, ...]
    citation: str = "office policy"

    def max_forgiven_percent(self, balance_cents: int, age_days: int | None) -> int:
        """The percent of ``balance_cents`` that may be forgiven on an account ``age_days`` old
        (an account of unknown age is in the youngest band)."""
        tier = next(t for t in self.tiers if t.under_cents is None or balance_cents < t.under_cents)
        band = sum(1 for start in self.age_days if (age_days or 0) >= start) - 1
        return tier.max_forgiven_percent[max(band, 0)]

    def max_forgiven_cents(self, balance_cents: int, age_days: int | None) -> int:
        """The most that may be forgiven, rounded down to the cent."""
        return balance_cents * self.max_forgiven_percent(balance_cents, age_days) // 100


# Without a [settlement] table nothing is forgiven without a supervisor's approval.
NO_SETTLEMENT = SettlementPolicy(age_days=(0,), tiers=(SettlementTier(None, (0,)),))


@dataclass(frozen=True)
class PlanPolicy:
    version: str
    tiers: tuple[BalanceTier, ...]
    max_days_to_first_payment: int
    default_days_to_first_payment: int
    min_down_payment_percent: int
    interest_allowed: bool
    max_apr_bps: int
    interest_citation: str
    state_interest: Mapping[str, StateInterest]
    income_caps: Mapping[str, IncomeCapRule]
    adherence: AdherencePolicy = DEFAULT_ADHERENCE  # how the nightly evaluation judges plans and promises
    settlement: SettlementPolicy = NO_SETTLEMENT  # how much a settlement may forgive without approval

    @property
    def grace_days(self) -> int:
        """Days after a due date a plan's payment still counts as on time (what the agreement says)."""
        return self.adherence.plans.grace_days

    def tier(self, balance_cents: int) -> BalanceTier:
        for tier in self.tiers:
            if tier.under_cents is None or balance_cents < tier.under_cents:
                return tier
        raise AssertionError("the last tier has no upper bound")  # parse_plan_policy sees to it


@dataclass(frozen=True, slots=True)
class IncomeCap:
    """An income-based cap as it applies to one plan."""

    state: str
    income: str
    income_cents: int
    percent_bps: int
    monthly_cap_cents: int  # the most this bill may take a month, rounded down to the cent
    installment_cap_cents: int  # the same at the plan's frequency
    combined_bps: int | None
    combined_monthly_cap_cents: int | None
    forgive_after_installments: int | None
    forgivable_cents: int  # the balance still owed when forgiveness starts (0 when none)
    citation: str


@dataclass(frozen=True)
class PlanVerdict:
    """The check of one schedule: every limit it breaks, and the limits themselves for display."""

    violations: tuple[PlanViolation, ...]
    policy_version: str
    max_term_months: int
    max_installments: int  # the term at this frequency
    min_installment_cents: int  # the minimum at this frequency
    max_apr_bps: int  # 0 when interest is not allowed
    apr_citation: str
    income_cap: IncomeCap | None

    @property
    def within_policy(self) -> bool:
        return not self.violations

    @property
    def forgivable_cents(self) -> int:
        return self.income_cap.forgivable_cents if self.income_cap else 0


# --- parsing ---------------------------------------------------------------------------------------


def _whole(section: Mapping[str, Any], where: str, key: str, default: int | None = None) -> int:
    value = section.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise PolicyError(f"{where}.{key} must be a whole number >= 0")
    return value


def _table(data: Mapping[str, Any], key: str, where: str) -> Mapping[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, Mapping):
        raise PolicyError(f"{where} must be a table")
    return value


def _citation(entry: Mapping[str, Any], where: str) -> str:
    citation = entry.get("citation")
    if not isinstance(citation, str) or not citation.strip():
        raise PolicyError(f"{where}.citation is required")
    return citation.strip()


def _effective(entry: Mapping[str, Any], where: str) -> date | None:
    value = entry.get("effective")
    if value is not None and not isinstance(value, date):
        raise PolicyError(f"{where}.effective must be a date (YYYY-MM-DD)")
    return value


def _balance_tiers(
    table: Mapping[str, Any], name: str
) -> Iterator[tuple[str, Mapping[str, Any], int | None]]:
    """``[[NAME.tiers]]`` by balance: each tier's place, table and ``under_cents`` (None for the
    last, which covers every larger balance), checked to rise."""
    entries = table.get("tiers")
    if not isinstance(entries, list) or not entries:
        raise PolicyError(f"[[{name}.tiers]] must list at least one tier")
    before: int | None = None
    for i, entry in enumerate(entries, start=1):
        where = f"{name}.tiers[{i}]"
        if not isinstance(entry, Mapping):
            raise PolicyError(f"{where} must be a table")
        last = i == len(entries)
        if last and "under_cents" in entry:
            raise PolicyError(f"{where}: the last tier covers every larger balance (no under_cents)")
        under = None if last else _whole(entry, where, "under_cents")
        if under is not None and before is not None and under <= before:
            raise PolicyError(f"{where}.under_cents must be above the tier before it")
        before = under
        yield where, entry, under


def _tiers(plan: Mapping[str, Any], default_minimum: int) -> tuple[BalanceTier, ...]:
    tiers: list[BalanceTier] = []
    for where, entry, under in _balance_tiers(plan, "plan"):
        months = _whole(entry, where, "max_term_months")
        if months < 1:
            raise PolicyError(f"{where}.max_term_months must be at least 1")
        minimum = _whole(entry, where, "min_installment_monthly_cents", default_minimum)
        tiers.append(BalanceTier(under, months, minimum))
    return tuple(tiers)


def _state_interest(interest: Mapping[str, Any]) -> dict[str, StateInterest]:
    rules: dict[str, StateInterest] = {}
    for state, entry in _table(interest, "states", "interest.states").items():
        where = f"interest.states.{state}"
        if not isinstance(entry, Mapping):
            raise PolicyError(f"{where} must be a table")
        kinds = entry.get("bill_kinds", list(BILL_KINDS))
        if not isinstance(kinds, list) or not kinds or any(k not in BILL_KINDS for k in kinds):
            raise PolicyError(f"{where}.bill_kinds must list some of {', '.join(BILL_KINDS)}")
        rules[state.upper()] = StateInterest(
            state=state.upper(),
            max_apr_bps=_whole(entry, where, "max_apr_bps"),
            citation=_citation(entry, where),
            effective=_effective(entry, where),
            bill_kinds=tuple(kinds),
        )
    return rules


def _income_caps(data: Mapping[str, Any]) -> dict[str, IncomeCapRule]:
    rules: dict[str, IncomeCapRule] = {}
    for state, entry in _table(data, "income_caps", "income_caps").items():
        where = f"income_caps.{state}"
        if not isinstance(entry, Mapping):
            raise PolicyError(f"{where} must be a table")
        percents = {kind: _whole(entry, where, f"{kind}_bps") for kind in BILL_KINDS}
        combined = entry.get("combined_bps")
        forgive = entry.get("forgive_after_months")
        income = entry.get("income", "monthly household income")
        if not isinstance(income, str) or not income:
            raise PolicyError(f"{where}.income must say what income is meant")
        rules[state.upper()] = IncomeCapRule(
            state=state.upper(),
            income=income,
            percent_bps=percents,
            combined_bps=None if combined is None else _whole(entry, where, "combined_bps"),
            forgive_after_months=None if forgive is None else _whole(entry, where, "forgive_after_months"),
            citation=_citation(entry, where),
            effective=_effective(entry, where),
        )
        if rules[state.upper()].forgive_after_months == 0:
            raise PolicyError(f"{where}.forgive_after_months must be at least 1")
    return rules


def _adherence(data: Mapping[str, Any]) -> AdherencePolicy:
    """``[adherence]``: tolerance and grace for both, with ``[adherence.plans]`` and
    ``[adherence.promises]`` setting their own (and how many late installments break them)."""
    table = _table(data, "adherence", "[adherence]")
    defaults = DEFAULT_ADHERENCE
    tolerance = _whole(table, "adherence", "tolerance_cents", defaults.plans.tolerance_cents)
    grace = _whole(table, "adherence", "grace_days", defaults.plans.grace_days)
    found: dict[str, AdherenceRules] = {}
    for kind, default in (("plans", defaults.plans), ("promises", defaults.promises)):
        where = f"adherence.{kind}"
        section = _table(table, kind, f"[{where}]")
        found[kind] = AdherenceRules(
            tolerance_cents=_whole(section, where, "tolerance_cents", tolerance),
            grace_days=_whole(section, where, "grace_days", grace),
            broken_after=_whole(section, where, "broken_after", default.broken_after),
        )
    if found["plans"].broken_after < 1:
        raise PolicyError("adherence.plans.broken_after must be at least 1")
    if found["promises"].broken_after != 1:
        raise PolicyError(
            "adherence.promises.broken_after must be 1: a promise is one payment, broken when it is late"
        )
    return AdherencePolicy(plans=found["plans"], promises=found["promises"])


def _settlement(data: Mapping[str, Any]) -> SettlementPolicy:
    """``[settlement]``: ``age_days`` (where each age band starts, from 0, rising) and
    ``[[settlement.tiers]]`` by balance, each with one ``max_forgiven_percent`` per age band."""
    if "settlement" not in data:
        return NO_SETTLEMENT
    table = _table(data, "settlement", "[settlement]")
    ages = table.get("age_days", [0])
    if (
        not isinstance(ages, list)
        or not ages
        or any(not isinstance(a, int) or isinstance(a, bool) for a in ages)
        or ages[0] != 0
        or any(later <= earlier for earlier, later in itertools.pairwise(ages))
    ):
        raise PolicyError("settlement.age_days must list whole days rising from 0, e.g. [0, 180, 365]")
    tiers: list[SettlementTier] = []
    for where, entry, under in _balance_tiers(table, "settlement"):
        percents = entry.get("max_forgiven_percent")
        if (
            not isinstance(percents, list)
            or len(percents) != len(ages)
            or any(not isinstance(p, int) or isinstance(p, bool) or not 0 <= p <= 100 for p in percents)
        ):
            raise PolicyError(
                f"{where}.max_forgiven_percent must list {len(ages)} whole percents from 0 to 100, "
                "one for each band of settlement.age_days"
            )
        tiers.append(SettlementTier(under, tuple(percents)))
    citation = table.get("citation", "office policy")
    if not isinstance(citation, str) or not citation.strip():
        raise PolicyError("settlement.citation must say where the limits come from")
    return SettlementPolicy(age_days=tuple(ages), tiers=tuple(tiers), citation=citation.strip())


def assess_settlement(
    policy: SettlementPolicy, balance_cents: int, forgiven_cents: int, age_days: int | None
) -> list[PlanViolation]:
    """The settlement limit ``forgiven_cents`` of ``balance_cents`` breaks, if any (empty: within it)."""
    if forgiven_cents <= 0:
        return []
    percent = policy.max_forgiven_percent(balance_cents, age_days)
    most = policy.max_forgiven_cents(balance_cents, age_days)
    if forgiven_cents <= most:
        return []
    age = "of unknown age" if age_days is None else f"{age_days} days old"
    return [
        PlanViolation(
            SETTLEMENT,
            f"forgiving {format_cents(forgiven_cents)} of {format_cents(balance_cents)} is more than the "
            f"{percent}% ({format_cents(most)}) allowed for this balance on an account {age} "
            f"({policy.citation})",
        )
    ]


def parse_plan_policy(text: str, *overrides: str) -> PlanPolicy:
    """The policy in ``text`` with each override text merged on top, in order."""
    data = layered_toml(text, *overrides)
    plan = data.get("plan")
    if not isinstance(plan, Mapping):
        raise PolicyError("[plan] is missing")
    interest = _table(data, "interest", "[interest]")
    allowed = interest.get("allowed", False)
    if not isinstance(allowed, bool):
        raise PolicyError("interest.allowed must be true or false")
    percent = _whole(plan, "plan", "min_down_payment_percent", 0)
    if percent > 100:
        raise PolicyError("plan.min_down_payment_percent must be at most 100")
    max_days = _whole(plan, "plan", "max_days_to_first_payment")
    default_days = _whole(plan, "plan", "default_days_to_first_payment", min(14, max_days))
    if default_days > max_days:
        raise PolicyError("plan.default_days_to_first_payment must be at most max_days_to_first_payment")
    return PlanPolicy(
        version=str(data.get("version") or "unversioned"),
        tiers=_tiers(plan, _whole(plan, "plan", "min_installment_monthly_cents")),
        max_days_to_first_payment=max_days,
        default_days_to_first_payment=default_days,
        min_down_payment_percent=percent,
        interest_allowed=allowed,
        max_apr_bps=_whole(interest, "interest", "max_apr_bps", 0),
        interest_citation=str(interest.get("citation") or "office policy"),
        state_interest=_state_interest(interest),
        income_caps=_income_caps(data),
        adherence=_adherence(data),
        settlement=_settlement(data),
    )


# --- checking --------------------------------------------------------------------------------------


def _percent(bps: int) -> str:
    """600 -> "6%", 625 -> "6.25%"."""
    whole, rest = divmod(bps, 100)
    return f"{whole}%" if not rest else f"{whole}.{rest:02d}".rstrip("0") + "%"


def _in_force(effective: date | None, today: date) -> bool:
    return effective is None or today >= effective


def _installments_in(months: int, frequency: str) -> int:
    """How many installments at ``frequency`` it takes to cover ``months`` months (rounded up)."""
    return math.ceil(Fraction(months * PERIODS_PER_YEAR[frequency], 12))


def _apr_limit(policy: PlanPolicy, state: str | None, bill_kind: str, today: date) -> tuple[int, str]:
    """The highest annual rate allowed, and where that limit comes from."""
    cap, citation = policy.max_apr_bps, policy.interest_citation
    rule = policy.state_interest.get(state.upper()) if state else None
    if rule and _in_force(rule.effective, today) and bill_kind in rule.bill_kinds and rule.max_apr_bps <= cap:
        cap, citation = rule.max_apr_bps, f"{rule.state}: {rule.citation}"
    return (cap if policy.interest_allowed else 0), citation


def _income_cap(
    schedule: Schedule,
    policy: PlanPolicy,
    state: str | None,
    income_cents: int | None,
    bill_kind: str,
    today: date,
    other_plans_monthly_cents: int,
) -> tuple[IncomeCap | None, list[PlanViolation]]:
    rule = policy.income_caps.get(state.upper()) if state else None
    if income_cents is None or rule is None or not _in_force(rule.effective, today):
        return None, []
    frequency = schedule.terms.frequency
    periods = PERIODS_PER_YEAR[frequency]
    bps = rule.percent_bps[bill_kind]
    monthly_cap = Fraction(income_cents * bps, 10_000)
    combined_cap = None if rule.combined_bps is None else Fraction(income_cents * rule.combined_bps, 10_000)
    forgive_at = None
    forgivable = 0
    if rule.forgive_after_months is not None:
        forgive_at = _installments_in(rule.forgive_after_months, frequency)
        if forgive_at < schedule.count:  # what is still owed then; no later interest accrues
            forgivable = schedule.rows[forgive_at - 1].balance_after_cents
    cap = IncomeCap(
        state=rule.state,
        income=rule.income,
        income_cents=income_cents,
        percent_bps=bps,
        monthly_cap_cents=math.floor(monthly_cap),
        installment_cap_cents=math.floor(monthly_cap * 12 / periods),
        combined_bps=rule.combined_bps,
        combined_monthly_cap_cents=None if combined_cap is None else math.floor(combined_cap),
        forgive_after_installments=forgive_at,
        forgivable_cents=forgivable,
        citation=rule.citation,
    )
    violations: list[PlanViolation] = []
    largest = schedule.largest_installment_cents
    monthly = monthly_equivalent(largest, frequency)
    where = f"{_percent(bps)} of {rule.income} {format_cents(income_cents)}; {rule.state}: {rule.citation}"
    if monthly > monthly_cap:
        per = "" if frequency == "monthly" else f" ({format_cents(cap.installment_cap_cents)} {frequency})"
        violations.append(
            PlanViolation(
                INCOME_CAP,
                f"the installment {format_cents(largest)} is {format_cents(round_half_up(monthly))} a month, "
                f"above the cap of {format_cents(cap.monthly_cap_cents)} a month{per} ({where})",
            )
        )
    if (
        combined_cap is not None
        and other_plans_monthly_cents
        and monthly + other_plans_monthly_cents > combined_cap
    ):
        violations.append(
            PlanViolation(
                INCOME_CAP_COMBINED,
                f"with {format_cents(other_plans_monthly_cents)} a month on the household's other bills, "
                f"the plans take {format_cents(round_half_up(monthly + other_plans_monthly_cents))} a month, "
                f"above the combined cap of {format_cents(math.floor(combined_cap))} "
                f"({_percent(rule.combined_bps or 0)} of {rule.income}; {rule.state}: {rule.citation})",
            )
        )
    return cap, violations


def assess_plan(
    schedule: Schedule,
    policy: PlanPolicy,
    state: str | None = None,
    income_cents: int | None = None,
    bill_kind: str = "facility",
    *,
    today: date,
    other_plans_monthly_cents: int = 0,
) -> PlanVerdict:
    """Check ``schedule`` against ``policy`` for a consumer in ``state``, quoted on ``today``.

    ``income_cents`` is the consumer's monthly income (the state rule says which
    income), entered only when an income-based cap applies to them;
    ``other_plans_monthly_cents`` is what the household already pays a month on
    other bills under the same cap (for a combined cap).
    """
    if bill_kind not in BILL_KINDS:
        raise ValueError(f"unknown bill kind {bill_kind!r} (use {', '.join(BILL_KINDS)})")
    terms = schedule.terms
    frequency = terms.frequency
    periods = PERIODS_PER_YEAR[frequency]
    tier = policy.tier(terms.balance_cents)
    violations: list[PlanViolation] = []

    cap, income_violations = _income_cap(
        schedule, policy, state, income_cents, bill_kind, today, other_plans_monthly_cents
    )
    # Where the law forgives what is left after so many payments, the plan ends there.
    counted = schedule.count
    if cap is not None and cap.forgive_after_installments is not None:
        counted = min(counted, cap.forgive_after_installments)
    max_installments = tier.max_term_months * periods // 12
    if counted * 12 > tier.max_term_months * periods:
        violations.append(
            PlanViolation(
                TERM,
                f"{counted} {frequency} installments run longer than the {tier.max_term_months} months "
                f"allowed for a balance of {format_cents(terms.balance_cents)} "
                f"(at most {max_installments} {frequency} installments; office policy)",
            )
        )
    minimum = _minimum_at(tier.min_installment_monthly_cents, frequency)
    if schedule.count > 1 and schedule.installment_cents < minimum:
        violations.append(
            PlanViolation(
                MIN_INSTALLMENT,
                f"the installment {format_cents(schedule.installment_cents)} is below the minimum of "
                f"{format_cents(minimum)} {frequency} "
                f"({format_cents(tier.min_installment_monthly_cents)} a month; office policy)",
            )
        )
    days = (schedule.first_due - today).days
    if days < 0:
        violations.append(
            PlanViolation(FIRST_PAYMENT, f"the first payment date {schedule.first_due} is past")
        )
    elif days > policy.max_days_to_first_payment:
        violations.append(
            PlanViolation(
                FIRST_PAYMENT,
                f"the first payment is {days} days away; at most {policy.max_days_to_first_payment} "
                "(office policy)",
            )
        )
    required = -(-terms.balance_cents * policy.min_down_payment_percent // 100)
    if terms.down_payment_cents < required:
        violations.append(
            PlanViolation(
                DOWN_PAYMENT,
                f"the down payment {format_cents(terms.down_payment_cents)} is below the "
                f"{policy.min_down_payment_percent}% minimum of {format_cents(required)} (office policy)",
            )
        )
    max_apr, apr_citation = _apr_limit(policy, state, bill_kind, today)
    if terms.apr_bps > 0 and not policy.interest_allowed:
        violations.append(PlanViolation(INTEREST, "the office policy does not allow interest on a plan"))
    elif terms.apr_bps > max_apr:
        violations.append(
            PlanViolation(
                INTEREST_CAP,
                f"{_percent(terms.apr_bps)} a year is above the {_percent(max_apr)} allowed ({apr_citation})",
            )
        )
    violations.extend(income_violations)
    return PlanVerdict(
        violations=tuple(violations),
        policy_version=policy.version,
        max_term_months=tier.max_term_months,
        max_installments=max_installments,
        min_installment_cents=minimum,
        max_apr_bps=max_apr,
        apr_citation=apr_citation,
        income_cap=cap,
    )


def check_plan(
    schedule: Schedule,
    terms: PlanTerms,
    policy: PlanPolicy,
    state: str | None = None,
    income_cents: int | None = None,
    bill_kind: str = "facility",
    *,
    today: date,
    other_plans_monthly_cents: int = 0,
) -> list[PlanViolation]:
    """Every limit the plan breaks, as (rule_id, plain message); empty means within policy."""
    if schedule.terms != terms:
        raise ValueError("the schedule was built from other terms")
    verdict = assess_plan(
        schedule,
        policy,
        state,
        income_cents,
        bill_kind,
        today=today,
        other_plans_monthly_cents=other_plans_monthly_cents,
    )
    return list(verdict.violations)


def _minimum_at(monthly_cents: int, frequency: str) -> int:
    """A monthly minimum at ``frequency``, rounded half-up: $25.00 a month is $5.77 weekly."""
    periods = PERIODS_PER_YEAR[frequency]
    return (2 * monthly_cents * 12 + periods) // (2 * periods)
