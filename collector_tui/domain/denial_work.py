"""Denials as work: which adjustments are denials, what fixes them, their deadlines and their order.

Pure: the denial policy (``policies/denials.toml``, read by the service), the item's facts and
``today`` in, values out.

- **Is it a denial?** A PR adjustment is the patient's share and never one. A CO adjustment is
  the contract (a fee-schedule reduction) when its reason is one of the policy's
  ``contractual_reasons``; any other CO reason (CO-16, CO-29, CO-50, CO-97, CO-197, ...) is money
  the payer refused and may be recovered. OA, PI and CR adjustments are denials unless the policy
  lists them in ``not_denials`` (OA-23, a prior payer's adjudication, is bookkeeping).
- **What fixes it**: each reason maps to a category (eligibility, authorization, coding, timely
  filing, duplicate, coordination of benefits, medical necessity, missing information) and to one
  of the four CAQH CORE business scenarios, the worklist's top level. A reason the policy does not
  map keeps its code and falls to the policy's default category ("other").
- **Deadlines** come from the payer's rules (policy data with a default): the appeal deadline runs
  from the remittance date plus the presumed days for the notice to arrive (Medicare presumes 5,
  42 CFR 405.942(a)(1)); the corrected-claim deadline from the remittance date or, for payers whose
  timely-filing limit counts from the date of service (Medicare's one calendar year,
  42 CFR 424.44(a)(1)), from the service date.
- **Order**: the denied money, then how near the nearest open deadline is, then an overdue payer
  answer, as named factors (the same "why this item, why now" breakdown as the call queue).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from collector_tui.domain.compliance.policy import PolicyError, layered_toml
from collector_tui.domain.priority import TIER_REST, Factor, Priority
from collector_tui.vocabulary import DenialCategory, DenialScenario

PATIENT_GROUP = "PR"
CONTRACT_GROUP = "CO"
FROM_REMIT = "remit"
FROM_SERVICE = "service"
_RULE_KEYS = (
    "receipt_days",
    "appeal_days",
    "second_appeal_days",
    "corrected_claim_days",
    "response_days",
)
_SCORING_KEYS = (
    "per_ten_dollars",
    "money_max",
    "deadline_points",
    "deadline_per_day",
    "warn_points",
    "response_overdue_points",
    "never_worked_points",
)


@dataclass(frozen=True, slots=True)
class PayerRules:
    """A payer's appeal and filing limits, in days (the policy's defaults for a payer not named)."""

    key: str
    receipt_days: int  # days presumed for the payer's notice to arrive
    appeal_days: int  # first-level appeal, from the notice's receipt
    second_appeal_days: int  # a further level, from the first decision
    corrected_claim_days: int
    corrected_claim_from: str  # FROM_REMIT or FROM_SERVICE
    response_days: int  # the payer's usual time to answer an appeal or a call
    citation: str = ""


@dataclass(frozen=True, slots=True)
class DenialPolicy:
    version: str
    defaults: PayerRules
    payers: tuple[tuple[tuple[str, ...], PayerRules], ...]  # (name fragments, rules), in file order
    warn_days: int
    write_off_limit_cents: int  # a collector writes off up to this much; beyond, a supervisor approves
    contractual_reasons: frozenset[str]
    not_denials: frozenset[str]  # "OA-23": group-reason pairs that are never denials
    reasons: Mapping[str, tuple[str, str]]  # reason -> (category, scenario)
    default_category: str
    default_scenario: str
    scoring: Mapping[str, int] = field(default_factory=dict)

    def rules_for(self, payer_name: str, code: str | None = None) -> PayerRules:
        """The rules of the payer named ``code`` (its policy key) or whose name holds a fragment."""
        if code:
            for _, rules in self.payers:
                if rules.key == code:
                    return rules
        name = payer_name.upper()
        for fragments, rules in self.payers:
            if any(fragment in name for fragment in fragments):
                return rules
        return self.defaults

    def is_denial(self, group: str, reason: str) -> bool:
        """Whether an adjustment of ``group``-``reason`` is money the payer refused (see the module)."""
        group, reason = group.upper(), reason.upper()
        if group == PATIENT_GROUP:
            return False
        if group == CONTRACT_GROUP:
            return reason not in self.contractual_reasons
        return f"{group}-{reason}" not in self.not_denials

    def classify(self, reason: str) -> tuple[str, str]:
        """(category, scenario) of a reason code; the policy's defaults when it has no entry."""
        return self.reasons.get(reason.upper(), (self.default_category, self.default_scenario))


def payer_key(name: str) -> str:
    """One payer however a file spells its case and spacing: the payer table's key."""
    return " ".join(name.split()).upper()


def payer_display(name: str) -> str:
    """A payer's name as shown: the file's own spelling, with single spaces."""
    return " ".join(name.split())


def _whole(value: Any, where: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise PolicyError(f"{where} must be a whole number >= 0")
    return value


def _rules(key: str, entry: Mapping[str, Any], base: PayerRules | None, where: str) -> PayerRules:
    values: dict[str, int] = {}
    for name in _RULE_KEYS:
        if name in entry:
            values[name] = _whole(entry[name], f"{where}.{name}")
        elif base is not None:
            values[name] = getattr(base, name)
        else:
            raise PolicyError(f"{where}.{name} is missing")
    basis = entry.get("corrected_claim_from", base.corrected_claim_from if base else FROM_REMIT)
    if basis not in (FROM_REMIT, FROM_SERVICE):
        raise PolicyError(f"{where}.corrected_claim_from must be {FROM_REMIT!r} or {FROM_SERVICE!r}")
    citation = entry.get("citation", "")
    return PayerRules(key=key, corrected_claim_from=basis, citation=str(citation), **values)


def _codes(value: Any, where: str) -> frozenset[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise PolicyError(f"{where} must be a list of codes")
    return frozenset(v.strip().upper() for v in value)


def parse_denial_policy(text: str, *overrides: str) -> DenialPolicy:
    """The denial policy in ``text`` with each override merged on top."""
    data = layered_toml(text, *overrides)
    defaults = data.get("defaults")
    if not isinstance(defaults, Mapping):
        raise PolicyError("[defaults] is missing")
    base = _rules("default", defaults, None, "defaults")
    categories, scenarios = set(DenialCategory.codes()), set(DenialScenario.codes())
    default_category = str(defaults.get("category", DenialCategory.OTHER))
    default_scenario = str(defaults.get("scenario", DenialScenario.CLAIM_DATA))
    if default_category not in categories or default_scenario not in scenarios:
        raise PolicyError("defaults.category or defaults.scenario is not a known one")
    payers: list[tuple[tuple[str, ...], PayerRules]] = []
    for key, entry in (data.get("payers") or {}).items():
        if not isinstance(entry, Mapping):
            raise PolicyError(f"payers.{key} must be a table")
        names = entry.get("names", [])
        if not isinstance(names, list) or not all(isinstance(n, str) and n.strip() for n in names):
            raise PolicyError(f"payers.{key}.names must be a list of name fragments")
        payers.append(
            (tuple(n.strip().upper() for n in names), _rules(str(key), entry, base, f"payers.{key}"))
        )
    reasons: dict[str, tuple[str, str]] = {}
    for code, entry in (data.get("reasons") or {}).items():
        if not isinstance(entry, Mapping):
            raise PolicyError(f"reasons.{code} must be a table with category and scenario")
        category, scenario = entry.get("category"), entry.get("scenario")
        if category not in categories:
            raise PolicyError(f"reasons.{code}.category must be one of {', '.join(sorted(categories))}")
        if scenario not in scenarios:
            raise PolicyError(f"reasons.{code}.scenario must be one of {', '.join(sorted(scenarios))}")
        reasons[str(code).upper()] = (str(category), str(scenario))
    scoring_table = data.get("scoring")
    if not isinstance(scoring_table, Mapping):
        raise PolicyError("[scoring] is missing")
    scoring = {key: _whole(scoring_table.get(key), f"scoring.{key}") for key in _SCORING_KEYS}
    if scoring["per_ten_dollars"] == 0 and scoring["deadline_points"] == 0:
        raise PolicyError("scoring: money and deadlines cannot both count for nothing")
    return DenialPolicy(
        version=str(data.get("version") or "unversioned"),
        defaults=base,
        payers=tuple(payers),
        warn_days=_whole(defaults.get("warn_days"), "defaults.warn_days"),
        write_off_limit_cents=_whole(defaults.get("write_off_limit_cents"), "defaults.write_off_limit_cents"),
        contractual_reasons=_codes(defaults.get("contractual_reasons", []), "defaults.contractual_reasons"),
        not_denials=_codes(defaults.get("not_denials", []), "defaults.not_denials"),
        reasons=reasons,
        default_category=default_category,
        default_scenario=default_scenario,
        scoring=scoring,
    )


@dataclass(frozen=True, slots=True)
class Deadlines:
    appeal: date | None
    corrected_claim: date | None


def denial_deadlines(rules: PayerRules, remit_date: date | None, service_date: date | None) -> Deadlines:
    """The appeal and corrected-claim deadlines of a denial notice dated ``remit_date``."""
    appeal = (
        None if remit_date is None else remit_date + timedelta(days=rules.receipt_days + rules.appeal_days)
    )
    start = service_date if rules.corrected_claim_from == FROM_SERVICE else remit_date
    corrected = None if start is None else start + timedelta(days=rules.corrected_claim_days)
    return Deadlines(appeal=appeal, corrected_claim=corrected)


def response_due(rules: PayerRules, acted_on: date) -> date:
    """When the payer's answer to an appeal or a call is due: its usual days after the action."""
    return acted_on + timedelta(days=rules.response_days)


@dataclass(frozen=True, slots=True)
class Adjusted:
    """One adjustment as the worklist weighs it (a CAS triple, claim or service level)."""

    group: str
    reason: str
    cents: int


def principal(adjustments: Iterable[Adjusted]) -> Adjusted | None:
    """The adjustment that took the most money (the first of equals): the item's headline."""
    best: Adjusted | None = None
    for adjustment in adjustments:
        if best is None or adjustment.cents > best.cents:
            best = adjustment
    return best


@dataclass(frozen=True, slots=True)
class DenialFacts:
    denied_cents: int
    appeal_deadline: date | None
    corrected_claim_deadline: date | None
    response_due: date | None
    worked: bool


def nearest_deadline(facts: DenialFacts, today: date) -> tuple[str, date] | None:
    """The nearest deadline not yet passed ("appeal" or "corrected claim"), else the latest passed."""
    named = [
        (when, name)
        for name, when in (
            ("appeal", facts.appeal_deadline),
            ("corrected claim", facts.corrected_claim_deadline),
        )
        if when is not None
    ]
    if not named:
        return None
    ahead = sorted(pair for pair in named if pair[0] >= today)
    when, name = ahead[0] if ahead else max(named)
    return name, when


def _dollars(cents: int) -> str:
    return f"${cents / 100:,.2f}"


def denial_priority(facts: DenialFacts, policy: DenialPolicy, today: date) -> Priority:
    """The item's score and the factors that make it (see the module)."""
    points = policy.scoring
    factors = [
        Factor(
            "denied",
            _dollars(facts.denied_cents),
            min(points["money_max"], max(facts.denied_cents, 0) // 1000 * points["per_ten_dollars"]),
        )
    ]
    nearest = nearest_deadline(facts, today)
    if nearest is not None:
        name, when = nearest
        days = (when - today).days
        if days < 0:
            factors.append(Factor(f"{name} deadline", f"passed {when.isoformat()}", 0))
        else:
            urgency = max(0, points["deadline_points"] - points["deadline_per_day"] * days)
            factors.append(Factor(f"{name} deadline", f"{days} days ({when.isoformat()})", urgency))
            if days <= policy.warn_days:
                factors.append(
                    Factor("deadline near", f"within {policy.warn_days} days", points["warn_points"])
                )
    if facts.response_due is not None and facts.response_due < today:
        factors.append(
            Factor(
                "payer answer overdue",
                f"due {facts.response_due.isoformat()}",
                points["response_overdue_points"],
            )
        )
    if not facts.worked:
        factors.append(Factor("not worked yet", "new", points["never_worked_points"]))
    return Priority(tier=TIER_REST, points=sum(f.points for f in factors), factors=tuple(factors))


def denial_alarms(facts: DenialFacts, policy: DenialPolicy, today: date) -> tuple[str, ...]:
    """What needs a person's eye now, in words: a deadline near or passed, an overdue payer answer."""
    alarms: list[str] = []
    for name, when in (
        ("appeal", facts.appeal_deadline),
        ("corrected claim", facts.corrected_claim_deadline),
    ):
        if when is None:
            continue
        days = (when - today).days
        if days < 0:
            alarms.append(f"{name} deadline passed {when.isoformat()}")
        elif days <= policy.warn_days:
            alarms.append(f"{name} deadline in {days} day{'s' if days != 1 else ''} ({when.isoformat()})")
    if facts.response_due is not None and facts.response_due < today:
        alarms.append(f"no payer answer since it was due {facts.response_due.isoformat()}")
    return tuple(alarms)


def past_all_deadlines(facts: DenialFacts, today: date) -> bool:
    """Every deadline the item has is behind it: aged past its deadline (the report's goal is zero)."""
    known = [d for d in (facts.appeal_deadline, facts.corrected_claim_deadline) if d is not None]
    return bool(known) and all(d < today for d in known)
