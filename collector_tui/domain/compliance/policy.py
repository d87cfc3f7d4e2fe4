"""Compliance policy: rules with citations and effective dates, read from TOML text.

The text comes from the package's ``policies/compliance.toml`` merged with the
office's override (the service reads the files); this module only parses and
checks it, so the engine stays a pure function of policy, facts and ``now``.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, time
from typing import Any

from collector_tui.domain.fingerprint import content_digest

RULE_IDS = (
    "window",
    "inconvenient",
    "work",
    "do_not_call",
    "consent_revoked",
    "phone_status",
    "frequency",
    "conversation",
    "consent_window",
    "account_status",
    "dispute",
    "dispute_reporting",
    "original_creditor",
    "validation",
    "cease",
    "attorney",
    "bankruptcy",
    "deceased",
    "financial_assistance",
    "nsa_dispute",
    "insurance_pending",
    "itemized_statement",
    "supervisor_hold",
    "eca_waiting",
    "credit_reporting",
    "credit_reporting_paid",
    "time_barred",
)


class PolicyError(ValueError):
    """The policy text cannot be used; the message names the key."""


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    citation: str
    effective: date
    params: Mapping[str, Any]

    def in_force(self, day: date) -> bool:
        return day >= self.effective

    def int_param(self, name: str) -> int:
        value = self.params.get(name)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise PolicyError(f"rules.{self.id}.{name} must be a whole number >= 0")
        return value


@dataclass(frozen=True)
class StateRule:
    """A state's variation: a limit (calls per days), a ban, with its citation and date."""

    state: str
    citation: str
    effective: date
    attempts: int = 0
    days: int = 0

    def in_force(self, day: date) -> bool:
        return day >= self.effective


@dataclass(frozen=True)
class CompliancePolicy:
    version: str
    rules: Mapping[str, Rule]
    window_start: time
    window_end: time
    unknown_location_zones: tuple[str, ...]
    state_frequency: Mapping[str, StateRule]
    credit_reporting_bans: Mapping[str, StateRule]
    itemized_statement_states: Mapping[str, str]  # state -> citation
    statute_years: Mapping[str, int]
    first_party_skip: frozenset[str]

    def rule(self, rule_id: str) -> Rule:
        return self.rules[rule_id]

    def effective_dates(self) -> frozenset[date]:
        """Every day a rule or a state's variation takes effect."""
        states = [*self.state_frequency.values(), *self.credit_reporting_bans.values()]
        return frozenset(rule.effective for rule in self.rules.values()) | {s.effective for s in states}

    def digest(self) -> str:
        """A fingerprint of the policy's content, the same in every process (for "has it changed?")."""
        return content_digest(self)


def merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """``override`` on top of ``base``, table by table (an override names only what it changes)."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def layered_toml(text: str, *overrides: str) -> dict[str, Any]:
    """The TOML in ``text`` with each override text merged on top, in order (every policy file's shape)."""
    try:
        data = tomllib.loads(text)
        for extra in overrides:
            data = merge(data, tomllib.loads(extra))
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(f"not valid TOML ({exc})") from None
    return data


def parse_policy(text: str, *overrides: str) -> CompliancePolicy:
    """The policy in ``text`` with each override text merged on top, in order."""
    return policy_from_mapping(layered_toml(text, *overrides))


def _table(data: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, Mapping):
        raise PolicyError(f"{key} must be a table")
    return value


def _date(value: Any, where: str) -> date:
    if not isinstance(value, date):
        raise PolicyError(f"{where} must be a date (YYYY-MM-DD)")
    return value


def _clock(value: Any, where: str) -> time:
    try:
        return time.fromisoformat(str(value))
    except ValueError:
        raise PolicyError(f"{where} must be a time of day (HH:MM)") from None


def _state_rules(data: Mapping[str, Any], key: str, *, limits: bool) -> dict[str, StateRule]:
    rules: dict[str, StateRule] = {}
    for state, entry in _table(data, key).items():
        where = f"{key}.{state}"
        if not isinstance(entry, Mapping):
            raise PolicyError(f"{where} must be a table")
        rule = StateRule(
            state=state.upper(),
            citation=str(entry.get("citation") or ""),
            effective=_date(entry.get("effective"), f"{where}.effective"),
            attempts=int(entry.get("attempts", 0)),
            days=int(entry.get("days", 0)),
        )
        if not rule.citation:
            raise PolicyError(f"{where}.citation is required")
        if limits and (rule.attempts < 1 or rule.days < 1):
            raise PolicyError(f"{where} needs attempts >= 1 and days >= 1")
        rules[rule.state] = rule
    return rules


def policy_from_mapping(data: Mapping[str, Any]) -> CompliancePolicy:
    rules_table = _table(data, "rules")
    rules: dict[str, Rule] = {}
    for rule_id in RULE_IDS:
        entry = rules_table.get(rule_id)
        if not isinstance(entry, Mapping):
            raise PolicyError(f"rules.{rule_id} is missing")
        citation = entry.get("citation")
        if not isinstance(citation, str) or not citation:
            raise PolicyError(f"rules.{rule_id}.citation is required")
        rules[rule_id] = Rule(
            id=rule_id,
            title=str(entry.get("title") or rule_id),
            citation=citation,
            effective=_date(entry.get("effective"), f"rules.{rule_id}.effective"),
            params=dict(entry),
        )
    unknown = set(rules_table) - set(RULE_IDS)
    if unknown:
        raise PolicyError(f"unknown rule(s): {', '.join(sorted(unknown))}")
    window = rules["window"].params
    zones = window.get("unknown_location_zones")
    if not isinstance(zones, list) or not zones or not all(isinstance(z, str) for z in zones):
        raise PolicyError("rules.window.unknown_location_zones must list time zones")
    start = _clock(window.get("start"), "rules.window.start")
    end = _clock(window.get("end"), "rules.window.end")
    if start >= end:
        raise PolicyError("rules.window.start must be before rules.window.end")
    for rule_id, names in (
        ("frequency", ("attempts", "days")),
        ("conversation", ("days",)),
        ("consent_window", ("days",)),
        ("validation", ("receipt_business_days", "period_days")),
        (
            "eca_waiting",
            ("days_after_first_statement", "days_after_written_notice", "application_period_days"),
        ),
        ("credit_reporting", ("min_balance_cents", "days_after_delinquency", "days_after_letter")),
        ("time_barred", ("default_years",)),
    ):
        for name in names:
            rules[rule_id].int_param(name)  # checked now, not in the middle of a call
    itemized = rules["itemized_statement"].params.get("states", {})
    if not isinstance(itemized, Mapping):
        raise PolicyError("rules.itemized_statement.states must be a table of state = citation")
    statute = _table(data, "statute_of_limitations")
    for state, years in statute.items():
        if not isinstance(years, int) or years < 1:
            raise PolicyError(f"statute_of_limitations.{state} must be a number of years")
    skip = _table(_table(data, "regimes"), "first_party").get("skip_rules", [])
    if not isinstance(skip, list) or not set(skip) <= set(RULE_IDS):
        raise PolicyError("regimes.first_party.skip_rules must list rule ids")
    return CompliancePolicy(
        version=str(data.get("version") or "unversioned"),
        rules=rules,
        window_start=start,
        window_end=end,
        unknown_location_zones=tuple(zones),
        state_frequency=_state_rules(data, "state_frequency", limits=True),
        credit_reporting_bans=_state_rules(data, "credit_reporting_bans", limits=False),
        itemized_statement_states={str(k).upper(): str(v) for k, v in itemized.items()},
        statute_years={str(k).upper(): int(v) for k, v in statute.items()},
        first_party_skip=frozenset(skip),
    )
