"""Compliance policy: rules with citations and effective dates, read from TOML text.

The text comes from the package's ``policies/compliance.toml`` merged with the
office's override (the service reads the files); this module only parses and
checks it, so the engine stays a pure function of policy, facts and ``now``.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, time
from typing import Any

from collector_tui.domain.fingerprint import content_digest
from collector_tui.vocabulary import Regime

RULE_IDS = (
    "window",
    "inconvenient",
    "work",
    "do_not_call",
    "consent_revoked",
    "phone_status",
    "text_consent",
    "opt_out",
    "email_address",
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
    "fap_application",
    "credit_reporting",
    "credit_reporting_minimum",
    "credit_reporting_paid",
    "passive_reporting",
    "time_barred",
    "state_hospital",
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

    def bool_param(self, name: str, default: bool) -> bool:
        """A switch of the rule (``enabled``, ``written_contract``, ...), ``default`` when not given."""
        value = self.params.get(name, default)
        if not isinstance(value, bool):
            raise PolicyError(f"rules.{self.id}.{name} must be true or false")
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


# The channels a state contact limit may count, and the kinds of number it may be about:
# "personal" (a residence or a mobile), "work" (any other number, a workplace first) or "any".
# A number of type "other" may be either, so both kinds count it and stop it.
LIMIT_CHANNELS = ("call", "voicemail", "text", "email", "letter")
LIMIT_NUMBERS = ("any", "personal", "work")
LIMIT_COUNTS = ("placed", "reached")


@dataclass(frozen=True)
class ContactLimit:
    """A state's limit on how often the consumer may be contacted about one debt, counted as the
    state counts it: ``communications`` in ``days`` of the consumer's calendar (or per calendar
    week, Sunday to Saturday), of ``channels``, to ``numbers``; binding the ``regimes`` listed."""

    state: str
    citation: str
    effective: date
    communications: int
    days: int
    channels: frozenset[str]
    numbers: str = "any"
    regimes: frozenset[str] = frozenset(Regime.codes())
    calendar_week: bool = False
    # "placed": every call placed counts; "reached": only one that reached the consumer or left a message.
    counts: str = "placed"

    def in_force(self, day: date) -> bool:
        return day >= self.effective


@dataclass(frozen=True)
class StateBinding:
    """A state law that binds a creditor collecting its own debt to ``rules``: a first-party
    office's ``skip_rules`` do not reach them in that state."""

    state: str
    rules: frozenset[str]
    citation: str
    effective: date

    def in_force(self, day: date) -> bool:
        return day >= self.effective


# -- action rules: reporting bans, limitation periods, state hospital-billing laws ----------------

LIMITATION_STARTS = ("delinquency", "treatment", "referral")
HOSPITAL_EVENTS = (
    "first_statement",
    "service",
    "eca_notice",
    "validation_notice",
    "validation_period_end",
    "placement",
)
HOSPITAL_ACTIONS = ("credit_reporting", "agency_placement", "sale", "legal_action")


@dataclass(frozen=True)
class StateLaw:
    """A state law that turns a rule on in that state from its effective date."""

    state: str
    citation: str
    effective: date

    def in_force(self, day: date) -> bool:
        return day >= self.effective


@dataclass(frozen=True)
class ReportingBan:
    """A state's ban on reporting medical debt to consumer reporting agencies."""

    state: str
    citation: str
    effective: date
    services_from: date | None = None  # only debts for care on or after this day (New Jersey)
    min_balance_cents: int = 0  # under this the state bans reporting, whatever the care date
    paid: bool = False  # the state bans reporting paid medical debt, whatever the care date
    agencies_only: bool = False  # the law binds the reporting agencies, not the furnisher (Illinois)

    def in_force(self, day: date) -> bool:
        return day >= self.effective


@dataclass(frozen=True)
class LimitationPeriod:
    """One limitation period for suing on medical debt: years from what starts it."""

    years: int
    starts: str  # one of LIMITATION_STARTS
    citation: str
    written_years: int | None = None  # a longer period for a signed contract (applied only when assumed)
    effective: date | None = None  # for actions commenced on or after it (None: long in force)

    def in_force(self, day: date) -> bool:
        return self.effective is None or day >= self.effective

    def length(self, written_contract: bool) -> int:
        return self.written_years if written_contract and self.written_years else self.years


@dataclass(frozen=True)
class Statute:
    """A state's limitation periods for medical debt: it is time-barred once any period in force has run."""

    state: str
    periods: tuple[LimitationPeriod, ...]
    payment_restarts: bool = False  # a payment after delinquency starts the period again (default: no)


@dataclass(frozen=True)
class HospitalRule:
    """A state hospital-billing law: ``actions`` wait until ``days`` after the account's ``after`` event."""

    state: str
    actions: tuple[str, ...]  # of HOSPITAL_ACTIONS
    days: int
    after: str  # one of HOSPITAL_EVENTS
    citation: str
    effective: date
    until: date | None = None  # superseded on this day
    regime: str | None = None  # only accounts of this regime (None: every account)
    unless_fap: str | None = None  # the wait ends early once fap_status is this (e.g. denied)
    # A standing bar rather than a wait: the actions are barred while the balance is at or below
    # this many cents (Maryland: no suit for $500 or less); days and after do not apply.
    balance_at_most_cents: int | None = None

    def in_force(self, day: date) -> bool:
        return day >= self.effective and (self.until is None or day < self.until)


@dataclass(frozen=True)
class CompliancePolicy:
    version: str
    rules: Mapping[str, Rule]
    window_start: time
    window_end: time
    unknown_location_zones: tuple[str, ...]
    state_frequency: Mapping[str, StateRule]
    credit_reporting_bans: Mapping[str, ReportingBan]
    itemized_statement_states: Mapping[str, StateLaw]
    statutes: Mapping[str, Statute]
    hospital_rules: Mapping[str, tuple[HospitalRule, ...]]
    fap_pause_states: Mapping[str, StateLaw]
    first_party_skip: frozenset[str]
    # State contact limits by state (state_contact_limits, and the simple state_frequency form).
    contact_limits: Mapping[str, tuple[ContactLimit, ...]] = field(default_factory=dict)
    # A first-party office's skip list in a state, replacing skip_rules there.
    first_party_state_skip: Mapping[str, frozenset[str]] = field(default_factory=dict)
    # States whose law binds a creditor to rules a first-party office might skip.
    first_party_bound: Mapping[str, StateBinding] = field(default_factory=dict)

    def rule(self, rule_id: str) -> Rule:
        return self.rules[rule_id]

    @property
    def statute_years(self) -> Mapping[str, int]:
        """Each state's shortest limitation period in years (no written contract assumed)."""
        return {state: min(p.years for p in s.periods) for state, s in self.statutes.items()}

    def skipped_rules(self, regime: str, state: str | None, day: date) -> frozenset[str]:
        """The rules the office does not apply to a debt of ``regime`` owed in ``state`` on ``day``.

        Per regime and per state: a third-party collector is bound by every rule; the provider's
        own office skips its ``skip_rules`` (or the state's own list), except the rules a state's
        law binds creditors to from the day that law took effect (``first_party_bound``).
        """
        if regime != Regime.FIRST_PARTY:
            return frozenset()
        key = (state or "").upper()
        skip = self.first_party_state_skip.get(key, self.first_party_skip)
        bound = self.first_party_bound.get(key)
        if bound is not None and bound.in_force(day):
            skip = skip - bound.rules
        return skip

    def effective_dates(self) -> frozenset[date]:
        """Every day a rule or a state's variation takes effect."""
        states: list[StateRule | ReportingBan | StateLaw] = [
            *self.state_frequency.values(),
            *self.credit_reporting_bans.values(),
            *self.itemized_statement_states.values(),
            *self.fap_pause_states.values(),
        ]
        limits = [limit.effective for found in self.contact_limits.values() for limit in found]
        bound = [binding.effective for binding in self.first_party_bound.values()]
        return (
            frozenset(rule.effective for rule in self.rules.values())
            | {s.effective for s in states}
            | {*limits, *bound}
        )

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
    return _entry(data.get(key, {}), key)


def _entry(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise PolicyError(f"{where} must be a table")
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
    for state, value in _table(data, key).items():
        where = f"{key}.{state}"
        entry = _entry(value, where)
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


def _names(value: Any, allowed: tuple[str, ...] | frozenset[str], where: str) -> frozenset[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v in allowed for v in value):
        raise PolicyError(f"{where} must list some of: {', '.join(sorted(allowed))}")
    return frozenset(value)


def _contact_limits(
    data: Mapping[str, Any], legacy: Mapping[str, StateRule]
) -> dict[str, tuple[ContactLimit, ...]]:
    """``state_contact_limits``, each state with its ``limits``; and each ``state_frequency`` entry
    (the simple form: calls and voicemails to any number, every regime) as one more limit."""
    found: dict[str, list[ContactLimit]] = {}
    for state, value in _table(data, "state_contact_limits").items():
        where = f"state_contact_limits.{state}"
        entry = _entry(value, where)
        citation = _citation(entry, where)
        effective = _date(entry.get("effective"), f"{where}.effective")
        regimes = _names(entry.get("regimes", list(Regime.codes())), Regime.codes(), f"{where}.regimes")
        calendar_week = _switch(entry, "calendar_week", where)
        limits = entry.get("limits")
        if not isinstance(limits, list) or not limits:
            raise PolicyError(f"{where}.limits must list the state's limits")
        for n, item in enumerate(limits, start=1):
            at = f"{where}.limits[{n}]"
            limit = _entry(item, at)
            count = _whole(limit, "communications", at, 0, least=1)
            days = _whole(limit, "days", at, 7, least=1)
            numbers = limit.get("numbers", "any")
            if numbers not in LIMIT_NUMBERS:
                raise PolicyError(f"{at}.numbers must be one of {', '.join(LIMIT_NUMBERS)}")
            counts = limit.get("counts", "placed")
            if counts not in LIMIT_COUNTS:
                raise PolicyError(f"{at}.counts must be one of {', '.join(LIMIT_COUNTS)}")
            found.setdefault(state.upper(), []).append(
                ContactLimit(
                    state=state.upper(),
                    citation=citation,
                    effective=effective,
                    communications=count,
                    days=7 if calendar_week else days,
                    channels=_names(
                        limit.get("channels", ["call", "voicemail"]), LIMIT_CHANNELS, f"{at}.channels"
                    ),
                    numbers=str(numbers),
                    regimes=regimes,
                    calendar_week=calendar_week,
                    counts=str(counts),
                )
            )
    for rule in legacy.values():
        found.setdefault(rule.state, []).append(
            ContactLimit(
                state=rule.state,
                citation=rule.citation,
                effective=rule.effective,
                communications=rule.attempts,
                days=rule.days,
                channels=frozenset({"call", "voicemail"}),
            )
        )
    return {state: tuple(limits) for state, limits in found.items()}


def _first_party(
    data: Mapping[str, Any],
) -> tuple[frozenset[str], dict[str, frozenset[str]], dict[str, StateBinding]]:
    """``regimes.first_party``: the rules the provider's own office skips (``skip_rules``; per
    state, ``skip_by_state``) and the states whose law binds a creditor to some of them anyway
    (``bound_by_state``)."""
    table = _table(_table(data, "regimes"), "first_party")
    where = "regimes.first_party"
    skip = table.get("skip_rules", [])
    if not isinstance(skip, list) or not set(skip) <= set(RULE_IDS):
        raise PolicyError(f"{where}.skip_rules must list rule ids")
    by_state: dict[str, frozenset[str]] = {}
    for state, rules in _table(table, "skip_by_state").items():
        by_state[state.upper()] = _names(rules, RULE_IDS, f"{where}.skip_by_state.{state}")
    bound: dict[str, StateBinding] = {}
    for state, value in _table(table, "bound_by_state").items():
        at = f"{where}.bound_by_state.{state}"
        entry = _entry(value, at)
        citation = _citation(entry, at)
        bound[state.upper()] = StateBinding(
            state=state.upper(),
            rules=_names(entry.get("rules"), RULE_IDS, f"{at}.rules"),
            citation=citation,
            effective=_date(entry.get("effective"), f"{at}.effective"),
        )
    return frozenset(skip), by_state, bound


# The actions an oral "stop calling" may stop (rules.cease.oral_stops).
ORAL_CEASE_ACTIONS = ("call", "voicemail", "email_text", "letter")


def _check_contact_rules(rules: Mapping[str, Rule]) -> None:
    """The switches of the contact rules (disputes, cease, texts), checked when the policy is read."""
    rules["dispute"].bool_param("oral_stops_collection", False)
    rules["text_consent"].bool_param("require_consent", True)
    stops = rules["cease"].params.get("oral_stops", ["call", "voicemail"])
    _names(stops, ORAL_CEASE_ACTIONS, "rules.cease.oral_stops")
    oral = rules["cease"].params.get("oral_citation", rules["cease"].citation)
    if not isinstance(oral, str) or not oral:
        raise PolicyError("rules.cease.oral_citation must be a citation")


def policy_from_mapping(data: Mapping[str, Any]) -> CompliancePolicy:
    rules_table = _table(data, "rules")
    rules: dict[str, Rule] = {}
    for rule_id in RULE_IDS:
        entry = rules_table.get(rule_id)
        if not isinstance(entry, Mapping):
            raise PolicyError(f"rules.{rule_id} is missing")
        citation = _citation(entry, f"rules.{rule_id}")
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
    ):
        for name in names:
            rules[rule_id].int_param(name)  # checked now, not in the middle of a call
    _check_action_rules(rules)
    _check_contact_rules(rules)
    skip, skip_by_state, bound = _first_party(data)
    state_frequency = _state_rules(data, "state_frequency", limits=True)
    return CompliancePolicy(
        version=str(data.get("version") or "unversioned"),
        rules=rules,
        window_start=start,
        window_end=end,
        unknown_location_zones=tuple(zones),
        state_frequency=state_frequency,
        credit_reporting_bans=_reporting_bans(data),
        itemized_statement_states=_state_laws(rules["itemized_statement"], "states"),
        statutes=_statutes(data, rules["time_barred"].citation),
        hospital_rules=_hospital_rules(data),
        fap_pause_states=_state_laws(rules["financial_assistance"], "states"),
        first_party_skip=skip,
        contact_limits=_contact_limits(data, state_frequency),
        first_party_state_skip=skip_by_state,
        first_party_bound=bound,
    )


# -- parsing the action rules (credit reporting, 501(r), limitation periods, state hospital laws) --

# Keys of rules.credit_reporting before its parts became rules of their own.
_MOVED_CREDIT_PARAMS = {
    "min_balance_cents": "rules.credit_reporting_minimum.min_balance_cents",
    "days_after_letter": "rules.passive_reporting.days_after_letter",
    "days_after_delinquency": "rules.credit_reporting.wait_years (calendar years, not days)",
}


def _check_action_rules(rules: Mapping[str, Rule]) -> None:
    for name, home in _MOVED_CREDIT_PARAMS.items():
        if name in rules["credit_reporting"].params:
            raise PolicyError(f"rules.credit_reporting.{name} is now {home}")
    for rule_id, names in (
        (
            "eca_waiting",
            ("days_after_first_statement", "days_after_written_notice", "application_period_days"),
        ),
        ("credit_reporting", ("wait_years",)),
        ("credit_reporting_minimum", ("min_balance_cents",)),
        ("passive_reporting", ("days_after_letter",)),
        ("time_barred", ("default_years",)),
    ):
        for name in names:
            rules[rule_id].int_param(name)
    if rules["time_barred"].int_param("default_years") < 1:
        raise PolicyError("rules.time_barred.default_years must be at least 1")
    for rule_id, name, default in (
        ("credit_reporting", "enabled", True),
        ("credit_reporting_minimum", "enabled", True),
        ("credit_reporting_paid", "enabled", True),
        ("financial_assistance", "pause_all_actions", True),
        ("time_barred", "written_contract", False),
    ):
        rules[rule_id].bool_param(name, default)


def _optional_date(entry: Mapping[str, Any], key: str, where: str) -> date | None:
    value = entry.get(key)
    return None if value is None else _date(value, f"{where}.{key}")


def _whole(entry: Mapping[str, Any], key: str, where: str, default: int, *, least: int = 0) -> int:
    value = entry.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool) or value < least:
        raise PolicyError(f"{where}.{key} must be a whole number >= {least}")
    return value


def _switch(entry: Mapping[str, Any], key: str, where: str) -> bool:
    value = entry.get(key, False)
    if not isinstance(value, bool):
        raise PolicyError(f"{where}.{key} must be true or false")
    return value


def _citation(entry: Mapping[str, Any], where: str, default: str = "") -> str:
    citation = entry.get("citation", default)
    if not isinstance(citation, str) or not citation:
        raise PolicyError(f"{where}.citation is required")
    return citation


def _state_laws(rule: Rule, key: str) -> dict[str, StateLaw]:
    """``rules.<id>.<key>``: a table of states, each a table with citation and effective (or, the
    earlier form, a citation alone, in force from the rule's own date)."""
    where = f"rules.{rule.id}.{key}"
    table = rule.params.get(key, {})
    if not isinstance(table, Mapping):
        raise PolicyError(f"{where} must be a table of states")
    laws: dict[str, StateLaw] = {}
    for state, entry in table.items():
        at = f"{where}.{state}"
        if isinstance(entry, str) and entry:
            law = StateLaw(state.upper(), entry, rule.effective)
        elif isinstance(entry, Mapping):
            law = StateLaw(
                state.upper(), _citation(entry, at), _date(entry.get("effective"), f"{at}.effective")
            )
        else:
            raise PolicyError(f"{at} must be a table with citation and effective")
        laws[law.state] = law
    return laws


def _reporting_bans(data: Mapping[str, Any]) -> dict[str, ReportingBan]:
    bans: dict[str, ReportingBan] = {}
    for state, value in _table(data, "credit_reporting_bans").items():
        where = f"credit_reporting_bans.{state}"
        entry = _entry(value, where)
        ban = ReportingBan(
            state=state.upper(),
            citation=_citation(entry, where),
            effective=_date(entry.get("effective"), f"{where}.effective"),
            services_from=_optional_date(entry, "services_from", where),
            min_balance_cents=_whole(entry, "min_balance_cents", where, 0),
            paid=_switch(entry, "paid", where),
            agencies_only=_switch(entry, "agencies_only", where),
        )
        bans[ban.state] = ban
    return bans


def _period(entry: Mapping[str, Any], where: str, default_citation: str) -> LimitationPeriod:
    years = entry.get("years")
    if not isinstance(years, int) or isinstance(years, bool) or years < 1:
        raise PolicyError(f"{where}.years must be a number of years")
    starts = entry.get("starts", "delinquency")
    if starts not in LIMITATION_STARTS:
        raise PolicyError(f"{where}.starts must be one of {', '.join(LIMITATION_STARTS)}")
    written = entry.get("written_years")
    if written is not None and (not isinstance(written, int) or isinstance(written, bool) or written < years):
        raise PolicyError(f"{where}.written_years must be a number of years >= years")
    return LimitationPeriod(
        years=years,
        starts=str(starts),
        citation=_citation(entry, where, default_citation),
        written_years=written,
        effective=_optional_date(entry, "effective", where),
    )


def _statutes(data: Mapping[str, Any], default_citation: str) -> dict[str, Statute]:
    """``[statute_of_limitations]``: per state, a number of years (from delinquency), one period as
    a table, or ``periods`` (the debt is time-barred once any of them has run)."""
    statutes: dict[str, Statute] = {}
    for state, entry in _table(data, "statute_of_limitations").items():
        where = f"statute_of_limitations.{state}"
        if isinstance(entry, int) and not isinstance(entry, bool) and entry >= 1:
            statute = Statute(state.upper(), (LimitationPeriod(entry, "delinquency", default_citation),))
        elif isinstance(entry, Mapping):
            periods = entry.get("periods")
            found: tuple[LimitationPeriod, ...]
            if periods is None:
                found = (_period(entry, where, default_citation),)
            elif isinstance(periods, list) and periods and all(isinstance(p, Mapping) for p in periods):
                found = tuple(
                    _period(p, f"{where}.periods[{i}]", default_citation) for i, p in enumerate(periods)
                )
            else:
                raise PolicyError(f"{where}.periods must list tables with years and citation")
            statute = Statute(state.upper(), found, _switch(entry, "payment_restarts", where))
        else:
            raise PolicyError(f"{where} must be a number of years or a table with years and citation")
        statutes[statute.state] = statute
    return statutes


def _hospital_rules(data: Mapping[str, Any]) -> dict[str, tuple[HospitalRule, ...]]:
    """``[[state_hospital.XX]]``: each state's hospital-billing waits, as a list of tables."""
    found: dict[str, tuple[HospitalRule, ...]] = {}
    for state, entries in _table(data, "state_hospital").items():
        where = f"state_hospital.{state}"
        if not isinstance(entries, list) or not all(isinstance(e, Mapping) for e in entries):
            raise PolicyError(f"{where} must be a list of tables ([[{where}]])")
        rules: list[HospitalRule] = []
        for i, entry in enumerate(entries):
            at = f"{where}[{i}]"
            actions = entry.get("actions")
            if not isinstance(actions, list) or not actions or not set(actions) <= set(HOSPITAL_ACTIONS):
                raise PolicyError(f"{at}.actions must list some of {', '.join(HOSPITAL_ACTIONS)}")
            floor = entry.get("balance_at_most_cents")
            if floor is not None and (isinstance(floor, bool) or not isinstance(floor, int) or floor < 0):
                raise PolicyError(f"{at}.balance_at_most_cents must be a whole number of cents")
            after = entry.get("after", "first_statement" if floor is not None else None)
            if after not in HOSPITAL_EVENTS:
                raise PolicyError(f"{at}.after must be one of {', '.join(HOSPITAL_EVENTS)}")
            regime = entry.get("regime")
            if regime is not None and regime not in Regime.codes():
                raise PolicyError(f"{at}.regime must be one of {', '.join(Regime.codes())}")
            unless = entry.get("unless_fap")
            if unless is not None and not isinstance(unless, str):
                raise PolicyError(f"{at}.unless_fap must be a financial-assistance status")
            rule = HospitalRule(
                state=state.upper(),
                actions=tuple(actions),
                days=_whole(entry, "days", at, 0),
                after=str(after),
                citation=_citation(entry, at),
                effective=_date(entry.get("effective"), f"{at}.effective"),
                until=_optional_date(entry, "until", at),
                regime=regime,
                unless_fap=unless,
                balance_at_most_cents=floor,
            )
            if rule.until is not None and rule.until <= rule.effective:
                raise PolicyError(f"{at}.until must be after its effective date")
            rules.append(rule)
        found[state.upper()] = tuple(rules)
    return found
