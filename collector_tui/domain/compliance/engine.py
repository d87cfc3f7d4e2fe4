"""The compliance engine: may this number be called now, may this action be taken, and if not, why.

Pure: the verdict is a function of the policy, the account's facts and
``now``. Each block names its rule, says why in plain words, cites its source
and says when it lifts (``until``; None means until someone resolves it).

The queue asks "callable now" of a million accounts in SQL, so the engine also
splits its answer into what can be stored: per account, whether a hold stops
calls and when the frequency limits next allow one (:func:`call_state`); per
phone, whether it may ever be dialled and the time-zone group whose window
decides when (:func:`phone_call_state`). :func:`group_open` decides a group
at a moment; the SQL and the engine agree because both use these functions.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from dateutil.relativedelta import relativedelta

from collector_tui.domain.compliance.clock import (
    InconvenientTimesError,
    add_business_days,
    inconvenient,
    inside_window,
    local_midnight,
    next_moment,
    parse_inconvenient,
    zone,
)
from collector_tui.domain.compliance.facts import REGIME_FIRST_PARTY, AccountFacts, PhoneFacts
from collector_tui.domain.compliance.policy import CompliancePolicy
from collector_tui.domain.geography import address_zones

CALL = "call"
VOICEMAIL = "voicemail"
LETTER = "letter"
EMAIL_TEXT = "email_text"
CREDIT_REPORTING = "credit_reporting"
AGENCY_PLACEMENT = "agency_placement"
SALE = "sale"
LEGAL_ACTION = "legal_action"
ACTIONS = (CALL, VOICEMAIL, LETTER, EMAIL_TEXT, CREDIT_REPORTING, AGENCY_PLACEMENT, SALE, LEGAL_ACTION)
COMMUNICATIONS = frozenset({CALL, VOICEMAIL, LETTER, EMAIL_TEXT})
EVERYTHING = frozenset(ACTIONS)
# Extraordinary collection actions of 26 CFR 1.501(r)-6(b): reporting, selling the debt, suing.
ECAS = frozenset({CREDIT_REPORTING, SALE, LEGAL_ACTION})
PHONE_ACTIONS = frozenset({CALL, VOICEMAIL})

DEFAULT_DAY_ZONE = "America/New_York"
MAX_PHONE_ZONES = 6  # more zones than this (toll-free, non-geographic) says nothing about where


@dataclass(frozen=True, slots=True)
class Block:
    rule_id: str
    reason: str
    citation: str
    until: datetime | None  # None: until resolved


@dataclass(frozen=True)
class PhoneVerdict:
    phone_id: int
    last4: str
    zones: tuple[str, ...]
    blocks: tuple[Block, ...]

    @property
    def allowed(self) -> bool:
        return not self.blocks


@dataclass(frozen=True)
class ActionVerdict:
    action: str
    blocks: tuple[Block, ...]

    @property
    def allowed(self) -> bool:
        return not self.blocks


@dataclass(frozen=True)
class Verdict:
    account_id: int
    at: datetime
    policy_version: str
    phones: tuple[PhoneVerdict, ...]
    actions: dict[str, ActionVerdict] = field(default_factory=dict)
    home_zone: str = DEFAULT_DAY_ZONE  # the consumer's zone: where dates begin and lifts are shown

    @property
    def callable_now(self) -> bool:
        return any(phone.allowed for phone in self.phones)


@dataclass(frozen=True, slots=True)
class CallState:
    """What the queue stores per account to ask "callable now" in SQL."""

    held: bool  # a hold or the account's status stops every call until resolved
    frequency_clear_at: datetime | None  # calls are blocked before this moment ...
    exempt_until: datetime | None  # ... unless the consumer's direct consent still covers now


@dataclass(frozen=True, slots=True)
class CallGroup:
    """The zones whose calling window decides a phone, and the consumer's inconvenient times.

    An empty ``zones`` means the office does not apply the window rule.
    """

    zones: tuple[str, ...]
    inconvenient: str


class _Rules:
    """The policy's rules as they apply to one account on one day."""

    def __init__(self, policy: CompliancePolicy, facts: AccountFacts, now: datetime) -> None:
        self.policy = policy
        self.home = day_zone(facts)
        self.day = now.astimezone(zone(self.home)).date()  # the consumer's today
        self.skip = policy.first_party_skip if facts.regime == REGIME_FIRST_PARTY else frozenset()

    def applies(self, rule_id: str) -> bool:
        return rule_id not in self.skip and self.policy.rule(rule_id).in_force(self.day)

    def starts(self, day: date) -> datetime:
        """When a date-based rule lifts: the start of ``day`` where the consumer lives."""
        return local_midnight(day, self.home)

    def block(self, rule_id: str, reason: str, until: datetime | None, citation: str | None = None) -> Block:
        return Block(rule_id, reason, citation or self.policy.rule(rule_id).citation, until)


# -- where the consumer is ---------------------------------------------------------------------


def geographic_zones(phone: PhoneFacts) -> tuple[str, ...]:
    """The phone's zones when they say where the consumer is (not toll-free, not every zone)."""
    if phone.toll_free or not phone.valid or len(phone.time_zones) > MAX_PHONE_ZONES:
        return ()
    return phone.time_zones


def candidate_zones(phone: PhoneFacts, facts: AccountFacts, policy: CompliancePolicy) -> tuple[str, ...]:
    """Every zone the consumer may be in when reached at ``phone``: the phone's and the address's."""
    zones = set(geographic_zones(phone)) | set(address_zones(facts.state, facts.zip_code))
    return tuple(sorted(zones)) if zones else policy.unknown_location_zones


def day_zone(facts: AccountFacts) -> str:
    """The zone whose calendar days the frequency limits count in: the consumer's home zone."""
    zones = address_zones(facts.state, facts.zip_code)
    if zones:
        return zones[0]
    for phone in facts.phones:
        if geographic_zones(phone):
            return geographic_zones(phone)[0]
    return DEFAULT_DAY_ZONE


# -- phones --------------------------------------------------------------------------------------


def _call_group(phone: PhoneFacts, facts: AccountFacts, rules: _Rules) -> CallGroup:
    policy = rules.policy
    zones = candidate_zones(phone, facts, policy) if rules.applies("window") else ()
    spec = (facts.inconvenient_times or "").strip() if rules.applies("inconvenient") else ""
    return CallGroup(zones, spec)


_GROUP_MEMO: dict[tuple[CallGroup, datetime], tuple[CompliancePolicy, tuple[Block, ...]]] = {}
_GROUP_MEMO_SIZE = 4096


def _group_blocks(group: CallGroup, policy: CompliancePolicy, now: datetime) -> list[Block]:
    """The window and inconvenient-time blocks of a group at ``now``, each with when it lifts.

    Every account on a page is evaluated at the same ``now`` and shares a
    handful of groups, so the answer is remembered per (group, now, policy).
    """
    memo = _GROUP_MEMO.get((group, now))
    if memo is not None and memo[0] is policy:
        return list(memo[1])
    blocks = _compute_group_blocks(group, policy, now)
    if len(_GROUP_MEMO) >= _GROUP_MEMO_SIZE:
        _GROUP_MEMO.clear()
    _GROUP_MEMO[(group, now)] = (policy, tuple(blocks))
    return blocks


def _compute_group_blocks(group: CallGroup, policy: CompliancePolicy, now: datetime) -> list[Block]:
    window = policy.rule("window")
    start, end = policy.window_start, policy.window_end
    try:
        periods = parse_inconvenient(group.inconvenient)
    except InconvenientTimesError:
        return [
            Block(
                "inconvenient",
                "the consumer's inconvenient times could not be read; fix them before calling",
                policy.rule("inconvenient").citation,
                None,
            )
        ]
    zones = group.zones or ("UTC",)

    def in_window(moment: datetime) -> bool:
        return not group.zones or inside_window(group.zones, moment, start, end)

    def convenient(moment: datetime) -> bool:
        return not inconvenient(zones, moment, periods)

    boundaries = [start.hour * 60 + start.minute] + [p.end_minute for p in periods] + [0]
    blocks: list[Block] = []
    if not in_window(now) or not convenient(now):
        lifts = next_moment(now, zones, lambda m: in_window(m) and convenient(m), boundaries)
        if not in_window(now):
            blocks.append(
                Block(
                    "window",
                    f"outside {start:%H:%M}-{end:%H:%M} local time in {_zone_list(group.zones)}",
                    window.citation,
                    lifts,
                )
            )
        if not convenient(now):
            blocks.append(
                Block(
                    "inconvenient",
                    "the consumer said this time is inconvenient",
                    policy.rule("inconvenient").citation,
                    lifts,
                )
            )
    return blocks


def group_open(group: CallGroup, policy: CompliancePolicy, now: datetime) -> bool:
    """May a phone of this group be dialled at ``now`` as far as local time goes?"""
    return not _group_blocks(group, policy, now)


def _zone_list(zones: Iterable[str]) -> str:
    names = [z.split("/")[-1].replace("_", " ") for z in zones]
    return ", ".join(names) if names else "every zone"


def phone_call_state(
    phone: PhoneFacts, facts: AccountFacts, policy: CompliancePolicy, now: datetime
) -> tuple[bool, CallGroup]:
    """What the queue stores per phone: may it be dialled at all, and the group whose window decides when."""
    rules = _Rules(policy, facts, now)
    return not _phone_blocks(phone, facts, rules), _call_group(phone, facts, rules)


def _phone_blocks(phone: PhoneFacts, facts: AccountFacts, rules: _Rules) -> list[Block]:
    blocks: list[Block] = []
    if rules.applies("do_not_call") and phone.do_not_call:
        when = f" on {phone.do_not_call_at:%Y-%m-%d}" if phone.do_not_call_at else ""
        blocks.append(
            rules.block("do_not_call", f"the consumer asked not to be called at this number{when}", None)
        )
    if rules.applies("consent_revoked") and phone.consent_revoked_at is not None:
        how = f" by {phone.consent_revoked_via}" if phone.consent_revoked_via else ""
        blocks.append(
            rules.block(
                "consent_revoked",
                f"consent to call this number was revoked{how} on {phone.consent_revoked_at:%Y-%m-%d}",
                None,
            )
        )
    if rules.applies("phone_status") and (not phone.valid or phone.status != "ok"):
        state = "not a valid number" if not phone.valid else f"marked {phone.status}"
        blocks.append(rules.block("phone_status", f"this number is {state}", None))
    if rules.applies("work") and facts.no_calls_at_work and (phone.is_work or phone.phone_type == "work"):
        blocks.append(rules.block("work", "the consumer asked not to be called at work", None))
    return blocks


# -- holds and frequency -------------------------------------------------------------------------


def validation_period_end(notice: date, policy: CompliancePolicy) -> date:
    """The last day of the validation period: 30 days after receipt, assumed 5 business days after sending."""
    rule = policy.rule("validation")
    received = add_business_days(notice, rule.int_param("receipt_business_days"))
    return received + timedelta(days=rule.int_param("period_days"))


def _hold_blocks(facts: AccountFacts, rules: _Rules) -> list[tuple[frozenset[str], Block]]:
    """Every hold on the account with the actions it stops; all last until resolved."""
    policy = rules.policy
    found: list[tuple[frozenset[str], Block]] = []

    def add(rule_id: str, actions: frozenset[str], reason: str, citation: str | None = None) -> None:
        if rules.applies(rule_id):
            found.append((actions, rules.block(rule_id, reason, None, citation)))

    if facts.status != "open":
        add("account_status", EVERYTHING, f"the account is {facts.status}")
    reasons = {hold.reason: hold for hold in facts.holds}
    period_end = (
        validation_period_end(facts.validation_notice_date, policy) if facts.validation_notice_date else None
    )
    for reason, rule_id, what in (
        ("dispute", "dispute", "a written dispute"),
        ("original_creditor", "original_creditor", "a request for the original creditor"),
    ):
        hold = reasons.get(reason)
        if hold is None:
            continue
        received = hold.placed_at.astimezone(UTC).date()
        if period_end is None or received <= period_end:
            inside = "inside the validation period" if period_end else "with no validation notice on file"
            add(
                rule_id,
                EVERYTHING,
                f"{what} was received {received:%Y-%m-%d}, {inside}: "
                "collection stops until verification is sent",
            )
        else:
            add(
                "dispute_reporting",
                frozenset({CREDIT_REPORTING}),
                f"{what} was received {received:%Y-%m-%d}, after the validation period: "
                "the debt may not be reported while disputed",
            )
    if "cease" in reasons or facts.cease_communication:
        add("cease", COMMUNICATIONS, "the consumer asked us to stop communicating")
    if "attorney" in reasons or facts.attorney_represented:
        add("attorney", COMMUNICATIONS, "the consumer is represented by an attorney: contact the attorney")
    if "bankruptcy" in reasons or facts.bankruptcy:
        add("bankruptcy", EVERYTHING, "the guarantor filed for bankruptcy")
    if "deceased" in reasons or facts.deceased:
        add("deceased", EVERYTHING, "the guarantor is deceased: work the estate through a supervisor")
    if "financial_assistance" in reasons or facts.fap_status in ("requested", "pending"):
        add("financial_assistance", EVERYTHING, "a financial-assistance application is pending")
    if "nsa_dispute" in reasons:
        add("nsa_dispute", EVERYTHING, "a No Surprises Act payment dispute is pending")
    if "insurance_pending" in reasons or facts.insurance_pending_cents > 0 or facts.claims_unresolved:
        add("insurance_pending", EVERYTHING, "insurance is still pending or under appeal")
    if "itemized_statement" in reasons and facts.state:
        citation = policy.itemized_statement_states.get(facts.state.upper())
        if citation:
            add(
                "itemized_statement",
                EVERYTHING,
                f"an itemized statement was requested; {facts.state.upper()} "
                "pauses collection until it is sent",
                citation,
            )
    if "supervisor" in reasons:
        add("supervisor_hold", EVERYTHING, "a supervisor put the account on hold")
    return found


def _frequency_blocks(facts: AccountFacts, rules: _Rules) -> list[Block]:
    """The call-frequency limits, each with the local midnight it lifts at (whatever ``now`` is)."""
    policy = rules.policy
    home = day_zone(facts)
    consent = facts.call_consent_at
    consent_days = timedelta(days=policy.rule("consent_window").int_param("days"))

    def excluded(moment: datetime) -> bool:
        return (
            rules.applies("consent_window")
            and consent is not None
            and consent <= moment < consent + consent_days
        )

    blocks: list[Block] = []
    counted = [c for c in facts.contacts if not excluded(c.occurred_at)]
    attempts = sorted(
        (_local_date(c.occurred_at, home) for c in counted if c.attempt and c.channel in (CALL, VOICEMAIL)),
        reverse=True,
    )
    state_rule = policy.state_frequency.get((facts.state or "").upper())
    if state_rule is not None and state_rule.in_force(rules.day) and rules.applies("frequency"):
        limit, days, citation = state_rule.attempts, state_rule.days, state_rule.citation
        label = f"{facts.state} allows {limit} calls in {days} days"
    else:
        rule = policy.rule("frequency")
        limit, days, citation = rule.int_param("attempts"), rule.int_param("days"), rule.citation
        label = f"{limit} calls in {days} days"
    if rules.applies("frequency") and len(attempts) >= limit:
        lifts = local_midnight(attempts[limit - 1] + timedelta(days=days), home)
        blocks.append(rules.block("frequency", f"{label} already placed on this debt", lifts, citation))
    talks = [_local_date(c.occurred_at, home) for c in counted if c.conversation]
    if rules.applies("conversation") and talks:
        last = max(talks)
        lifts = local_midnight(last + timedelta(days=policy.rule("conversation").int_param("days")), home)
        blocks.append(
            rules.block(
                "conversation",
                f"spoke with the consumer about this debt on {last:%Y-%m-%d} (day 1 of 7)",
                lifts,
            )
        )
    return blocks


def _local_date(moment: datetime, zone_name: str) -> date:
    return moment.astimezone(zone(zone_name)).date()


# Bump when a change to this engine or to the geography it reads would store a different call
# state for any account: the nightly refresh then recomputes every account's.
CALL_STATE_REVISION = 2


def call_state_fingerprint(policy: CompliancePolicy) -> str:
    """What a stored call state was worked out under: this engine's revision and the policy."""
    return f"{CALL_STATE_REVISION}:{policy.digest()}"


# A rule takes effect on the consumer's own calendar: first in Guam, last in American Samoa.
FIRST_DAY_ZONE = "Pacific/Guam"
LAST_DAY_ZONE = "Pacific/Pago_Pago"


def call_state_day(now: datetime) -> date:
    """The last day every consumer has reached at ``now``: a rule dated on or before it was in
    force for all of them when the call state was worked out."""
    return now.astimezone(zone(LAST_DAY_ZONE)).date()


def call_state_outdated(
    policy: CompliancePolicy, computed_under: str | None, computed_on: date | None, now: datetime
) -> str | None:
    """Why the stored call state must be recomputed at ``now``, or None while it is true.

    It was worked out under ``computed_under`` (a :func:`call_state_fingerprint`)
    when every consumer had reached ``computed_on`` (:func:`call_state_day`):
    another engine revision, a changed policy, or a rule that has since taken
    effect for any consumer makes it stale (time alone does not: it holds the
    moments limits lift). A rule's first day is due until a run after it had
    begun everywhere.
    """
    if computed_under is None or computed_on is None:
        return "it has never been recomputed for every account"
    if computed_under.partition(":")[0] != str(CALL_STATE_REVISION):
        return "this version decides who may be called differently"
    if computed_under != call_state_fingerprint(policy):
        return "the compliance policy changed"
    first_today = now.astimezone(zone(FIRST_DAY_ZONE)).date()
    if any(computed_on < day <= first_today for day in policy.effective_dates()):
        return "a compliance rule took effect"
    return None


def money_call_inputs(status: str, insurance_pending_cents: int) -> tuple[str, bool]:
    """What :func:`call_state` reads of an account's money: its status and whether insurance is pending.

    A payment or adjustment that leaves these as they were leaves the call
    state as it was, so posting it need not recompute the call state.
    """
    return status, insurance_pending_cents > 0


def call_state(facts: AccountFacts, policy: CompliancePolicy, now: datetime) -> CallState:
    rules = _Rules(policy, facts, now)
    held = any(CALL in actions for actions, _ in _hold_blocks(facts, rules))
    lifts = [b.until for b in _frequency_blocks(facts, rules) if b.until is not None]
    exempt = None
    if facts.call_consent_at is not None and rules.applies("consent_window"):
        exempt = facts.call_consent_at + timedelta(days=policy.rule("consent_window").int_param("days"))
    return CallState(held=held, frequency_clear_at=max(lifts) if lifts else None, exempt_until=exempt)


def _exempt(facts: AccountFacts, rules: _Rules, now: datetime) -> bool:
    consent = facts.call_consent_at
    if consent is None or not rules.applies("consent_window"):
        return False
    return consent <= now < consent + timedelta(days=rules.policy.rule("consent_window").int_param("days"))


def _account_call_blocks(facts: AccountFacts, rules: _Rules, now: datetime) -> list[Block]:
    blocks = [block for actions, block in _hold_blocks(facts, rules) if CALL in actions]
    if not _exempt(facts, rules, now):
        blocks += [b for b in _frequency_blocks(facts, rules) if b.until is not None and now < b.until]
    return blocks


# -- actions beyond calls ------------------------------------------------------------------------


def _eca_blocks(facts: AccountFacts, rules: _Rules) -> list[Block]:
    """501(r): a nonprofit facility waits 120 days after the first statement and 30 after the notice."""
    if not facts.nonprofit or not rules.applies("eca_waiting"):
        return []
    rule = rules.policy.rule("eca_waiting")
    if facts.first_statement_date is None:
        return [rules.block("eca_waiting", "the first post-discharge statement date is not on file", None)]
    if facts.eca_notice_date is None:
        return [
            rules.block(
                "eca_waiting",
                "the written notice of extraordinary collection actions has not been sent",
                None,
            )
        ]
    earliest = max(
        facts.first_statement_date + timedelta(days=rule.int_param("days_after_first_statement")),
        facts.eca_notice_date + timedelta(days=rule.int_param("days_after_written_notice")),
    )
    if rules.day < earliest:
        return [
            rules.block(
                "eca_waiting",
                f"a nonprofit hospital may not take this action before {earliest:%Y-%m-%d} "
                f"(120 days after the first statement, 30 after the written notice)",
                rules.starts(earliest),
            )
        ]
    return []


def _credit_blocks(facts: AccountFacts, rules: _Rules, now: datetime) -> list[Block]:
    policy = rules.policy
    rule = policy.rule("credit_reporting")
    blocks: list[Block] = []
    if rules.applies("credit_reporting_paid") and (facts.total_balance_cents <= 0 or facts.status == "paid"):
        blocks.append(rules.block("credit_reporting_paid", "paid medical debt is never reported", None))
    if not rules.applies("credit_reporting"):
        return blocks
    minimum = rule.int_param("min_balance_cents")
    if 0 < facts.total_balance_cents < minimum:
        blocks.append(
            rules.block("credit_reporting", f"medical debt under ${minimum // 100:,} is not reported", None)
        )
    delinquent = facts.delinquency_date or facts.first_statement_date
    if delinquent is None:
        blocks.append(rules.block("credit_reporting", "the delinquency date is not on file", None))
    else:
        earliest = delinquent + timedelta(days=rule.int_param("days_after_delinquency"))
        if rules.day < earliest:
            blocks.append(
                rules.block(
                    "credit_reporting",
                    f"medical debt is reported only a year after delinquency ({earliest:%Y-%m-%d})",
                    rules.starts(earliest),
                )
            )
    if facts.first_right_party_contact_at is None:
        wait = timedelta(days=rule.int_param("days_after_letter"))
        if facts.first_letter_at is None:
            blocks.append(
                rules.block(
                    "credit_reporting",
                    "speak with the consumer or mail a letter (and wait 14 days) before reporting",
                    None,
                    "12 CFR 1006.30(a)(1)",
                )
            )
        elif now < facts.first_letter_at + wait:
            blocks.append(
                rules.block(
                    "credit_reporting",
                    "wait 14 days after the first letter for a notice that it could not be delivered",
                    facts.first_letter_at + wait,
                    "12 CFR 1006.30(a)(1)",
                )
            )
    ban = policy.credit_reporting_bans.get((facts.state or "").upper())
    if ban is not None and ban.in_force(rules.day):
        blocks.append(
            rules.block(
                f"state_ban.{ban.state}",
                f"{ban.state} bans reporting medical debt (since {ban.effective:%Y-%m-%d})",
                None,
                ban.citation,
            )
        )
    return blocks


def _time_barred(facts: AccountFacts, rules: _Rules) -> list[Block]:
    if not rules.applies("time_barred"):
        return []
    policy = rules.policy
    default = policy.rule("time_barred").int_param("default_years")
    years = policy.statute_years.get((facts.state or "").upper(), default)
    start = facts.last_payment_date or facts.delinquency_date or facts.first_statement_date
    if start is None:
        return [
            rules.block(
                "time_barred", "no delinquency or payment date to check the statute of limitations", None
            )
        ]
    expires = start + relativedelta(years=years)
    if rules.day >= expires:
        where = facts.state or "an unknown state"
        return [
            rules.block(
                "time_barred",
                f"the debt is time-barred in {where} ({years}-year limit ended {expires:%Y-%m-%d})",
                None,
            )
        ]
    return []


# -- the verdict ---------------------------------------------------------------------------------


def evaluate(
    facts: AccountFacts,
    policy: CompliancePolicy,
    now: datetime,
    actions_wanted: tuple[str, ...] = ACTIONS,
) -> Verdict:
    """Every phone's verdict and each wanted action's (all eight by default) at ``now`` (a UTC moment)."""
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    rules = _Rules(policy, facts, now)
    holds = _hold_blocks(facts, rules)
    account_call = _account_call_blocks(facts, rules, now)
    phones = []
    for phone in facts.phones:
        group = _call_group(phone, facts, rules)
        blocks = _phone_blocks(phone, facts, rules) + _group_blocks(group, policy, now)
        phones.append(
            PhoneVerdict(
                phone.phone_id,
                phone.last4,
                group.zones,
                tuple(blocks + account_call),
            )
        )
    actions: dict[str, ActionVerdict] = {}
    for action in actions_wanted:
        blocks = [block for acts, block in holds if action in acts]
        if action in PHONE_ACTIONS:
            blocks = list(account_call)
            if not phones or all(set(p.blocks) - set(account_call) for p in phones):
                blocks.append(_no_phone_block(phones, account_call))
        if action in ECAS:
            blocks += _eca_blocks(facts, rules)
        if action == CREDIT_REPORTING:
            blocks += _credit_blocks(facts, rules, now)
        if action == LEGAL_ACTION:
            blocks += _time_barred(facts, rules)
        actions[action] = ActionVerdict(action, tuple(blocks))
    return Verdict(facts.account_id, now, policy.version, tuple(phones), actions, rules.home)


def _no_phone_block(phones: list[PhoneVerdict], account_blocks: list[Block]) -> Block:
    """Every number is blocked: the call lifts when the first number's own blocks all lift."""
    if not phones:
        return Block("phones", "no phone number on file", "office policy", None)
    lifts: list[datetime] = []
    for phone in phones:
        own = [b for b in phone.blocks if b not in account_blocks]
        if own and all(b.until is not None for b in own):
            lifts.append(max(b.until for b in own if b.until is not None))
    return Block("phones", "no number on file may be called now", "see each phone", min(lifts, default=None))
