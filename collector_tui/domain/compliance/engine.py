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
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

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
from collector_tui.domain.compliance.facts import AccountFacts, Contact, Hold, PhoneFacts
from collector_tui.domain.compliance.policy import (
    CompliancePolicy,
    ContactLimit,
    LimitationPeriod,
    ReportingBan,
    Statute,
)
from collector_tui.domain.geography import address_zones
from collector_tui.domain.money import format_cents
from collector_tui.vocabulary import AccountStatus, FapStatus, HoldReason, PhoneType

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
TEXT = "text"
EMAIL = "email"
PHONE_CHANNELS = frozenset({CALL, VOICEMAIL, TEXT})  # contacts made through a number
# The kinds of number a state contact limit may be about: a residence or mobile is "personal", a
# workplace "work"; a number of any other type may be either, so limits of both kinds apply to it.
PERSONAL_NUMBERS = frozenset({"home", "mobile"})
WORK_NUMBERS = frozenset({"work"})
ORALLY = "oral"  # Hold.received_via of a dispute or cease made by telephone or in person
LIMIT_ORDER = (CALL, VOICEMAIL, TEXT, EMAIL, LETTER)  # how a limit's channels are named in a reason

DEFAULT_DAY_ZONE = "America/New_York"
MAX_PHONE_ZONES = 6  # more zones than this (toll-free, non-geographic) says nothing about where


@dataclass(frozen=True, slots=True)
class Block:
    rule_id: str
    reason: str
    citation: str
    until: datetime | None  # None: until resolved
    # The reason in a few words where the rule id alone does not say it ("2 of 2 in 7 days (MA)").
    short: str = ""


@dataclass(frozen=True)
class PhoneVerdict:
    phone_id: int
    last4: str
    zones: tuple[str, ...]
    blocks: tuple[Block, ...]  # why it may not be called now
    text_blocks: tuple[Block, ...] = ()  # why it may not be texted now (when email_text was asked for)

    @property
    def allowed(self) -> bool:
        return not self.blocks

    @property
    def textable(self) -> bool:
        return not self.text_blocks


@dataclass(frozen=True)
class ActionVerdict:
    action: str
    blocks: tuple[Block, ...]
    # What the action must respect when taken (e.g. report the debt as disputed); never a refusal.
    conditions: tuple[Block, ...] = ()

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
    email_blocks: tuple[Block, ...] = ()  # why no email may be sent now (when email_text was asked for)

    @property
    def callable_now(self) -> bool:
        return any(phone.allowed for phone in self.phones)


@dataclass(frozen=True, slots=True)
class CallState:
    """What the queue stores per account to ask "callable now" in SQL."""

    held: bool  # a hold or the account's status stops every call until resolved
    frequency_clear_at: datetime | None  # calls are blocked before this moment ...
    exempt_until: datetime | None  # ... unless the consumer's direct consent still covers now
    # A state's contact limits block calls before these moments, whatever the consent: to a
    # residence or mobile number (limit_until), to any other number (work_limit_until); a number
    # of type "other" is held to both.
    limit_until: datetime | None = None
    work_limit_until: datetime | None = None


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
        # Per regime and per state: a state law binding creditors keeps a rule the office skips.
        self.skip = policy.skipped_rules(facts.regime, facts.state, self.day)

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


def _time_consented(facts: AccountFacts, group: CallGroup, rules: _Rules, now: datetime) -> bool:
    """Did the consumer, directly, consent to a call at ``now`` (12 CFR 1006.6(b)(1): the calling
    window and inconvenient times hold "absent the consumer's prior consent given directly")?

    The consent names local times (the inconvenient-times syntax). In every zone the consumer may
    be in, ``now`` must be either inside that consent or a time the window and their inconvenient
    times allow anyway; the consent lasts ``rules.window.consent_days`` from when it was given (a
    "call me at nine tonight" is not a standing permission).
    """
    if not facts.call_time_consent or facts.call_time_consent_at is None:
        return False
    if not rules.applies("window") or now < facts.call_time_consent_at:
        return False
    policy = rules.policy
    if now >= facts.call_time_consent_at + timedelta(days=policy.rule("window").int_param("consent_days")):
        return False
    try:
        consented = parse_inconvenient(facts.call_time_consent)
        avoided = parse_inconvenient(group.inconvenient)
    except InconvenientTimesError:
        return False  # an unreadable consent or inconvenient time: the stricter reading
    for name in group.zones or (rules.home,):
        if inconvenient((name,), now, consented):
            continue
        if not inside_window((name,), now, policy.window_start, policy.window_end):
            return False
        if inconvenient((name,), now, avoided):
            return False
    return True


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
    if (
        rules.applies("work")
        and facts.no_calls_at_work
        and (phone.is_work or phone.phone_type == PhoneType.WORK)
    ):
        blocks.append(rules.block("work", "the consumer asked not to be called at work", None))
    return blocks


# -- holds and frequency -------------------------------------------------------------------------


def validation_period_end(notice: date, policy: CompliancePolicy) -> date:
    """The last day of the validation period: 30 days after receipt, assumed 5 business days after sending."""
    rule = policy.rule("validation")
    received = add_business_days(notice, rule.int_param("receipt_business_days"))
    return received + timedelta(days=rule.int_param("period_days"))


def _received(hold: Hold, rules: _Rules) -> date:
    """The consumer's calendar day a dispute or a cease reached the office."""
    return _local_date(hold.placed_at, rules.home)


_HoldFound = tuple[str, frozenset[str], str, str | None]  # rule, the actions it stops, why, citation


def _dispute_holds(facts: AccountFacts, rules: _Rules) -> list[_HoldFound]:
    """A dispute (or a request for the original creditor) that stops collection: one in writing
    inside the validation period, judged on the consumer's calendar (15 U.S.C. 1692g(b)); one made
    orally only if the office says so (rules.dispute.oral_stops_collection)."""
    policy = rules.policy
    notice = facts.validation_notice_date
    period_end = validation_period_end(notice, policy) if notice else None
    oral_stops = policy.rule("dispute").bool_param("oral_stops_collection", False)
    found: list[_HoldFound] = []
    for reason, rule_id, what in (
        ("dispute", "dispute", "a dispute"),
        ("original_creditor", "original_creditor", "a request for the original creditor"),
    ):
        stopping = [
            hold
            for hold in facts.holds
            if hold.reason == reason
            and (hold.received_via != ORALLY or oral_stops)
            and (period_end is None or _received(hold, rules) <= period_end)
        ]
        if not stopping:
            continue
        hold = min(stopping, key=lambda h: h.placed_at)
        how = "orally" if hold.received_via == ORALLY else "in writing"
        inside = (
            f"inside the validation period (it ends {period_end:%Y-%m-%d})"
            if period_end
            else "with no validation notice on file"
        )
        found.append(
            (
                rule_id,
                EVERYTHING,
                f"{what} was received {how} on {_received(hold, rules):%Y-%m-%d}, {inside}: "
                "collection stops until verification is sent",
                None,
            )
        )
    return found


def _dispute_conditions(facts: AccountFacts, rules: _Rules) -> list[Block]:
    """A disputed debt may still be reported, but only as disputed (15 U.S.C. 1692e(8))."""
    disputes = [hold for hold in facts.holds if hold.reason == HoldReason.DISPUTE]
    if not disputes or not rules.applies("dispute_reporting"):
        return []
    first = min(disputes, key=lambda h: h.placed_at)
    return [
        rules.block(
            "dispute_reporting",
            f"the consumer disputes the debt (since {_received(first, rules):%Y-%m-%d}): "
            "report it only as disputed",
            None,
        )
    ]


def _cease_holds(facts: AccountFacts, rules: _Rules) -> list[_HoldFound]:
    """A cease in writing stops every communication but the letters 1006.6(c)(1) allows; an oral
    "stop calling" restricts the medium (1006.14(h)): the actions of rules.cease.oral_stops."""
    ceases = [hold for hold in facts.holds if hold.reason == HoldReason.CEASE]
    written = facts.cease_communication or any(h.received_via != ORALLY for h in ceases)
    if written:
        return [
            (
                "cease",
                COMMUNICATIONS,
                "the consumer asked in writing that we stop communicating: only a letter saying "
                "collection stops, or notifying of a specific remedy, may be sent",
                None,
            )
        ]
    if not ceases:
        return []
    cease = rules.policy.rule("cease")
    stops = frozenset(cease.params.get("oral_stops", [CALL, VOICEMAIL]))
    said = min(_received(h, rules) for h in ceases)
    what = "calling" if stops <= PHONE_ACTIONS else "contacting them by " + ", ".join(sorted(stops))
    still = "letters may still be sent" if LETTER not in stops else "the office stops letters too"
    return [
        (
            "cease",
            stops,
            f"the consumer asked us on {said:%Y-%m-%d}, orally, to stop {what}: {still}",
            str(cease.params.get("oral_citation") or cease.citation),
        )
    ]


def _hold_blocks(facts: AccountFacts, rules: _Rules) -> list[tuple[frozenset[str], Block]]:
    """Every hold on the account with the actions it stops; all last until resolved."""
    found: list[tuple[frozenset[str], Block]] = []

    def add(rule_id: str, actions: frozenset[str], reason: str, citation: str | None = None) -> None:
        if rules.applies(rule_id):
            found.append((actions, rules.block(rule_id, reason, None, citation)))

    if facts.status != "open":
        add("account_status", EVERYTHING, f"the account is {facts.status}")
    reasons = {hold.reason: hold for hold in facts.holds}
    for rule_id, actions, reason, citation in _dispute_holds(facts, rules) + _cease_holds(facts, rules):
        add(rule_id, actions, reason, citation)
    if "attorney" in reasons or facts.attorney_represented:
        add("attorney", COMMUNICATIONS, "the consumer is represented by an attorney: contact the attorney")
    if "bankruptcy" in reasons or facts.bankruptcy:
        add("bankruptcy", EVERYTHING, "the guarantor filed for bankruptcy")
    if "deceased" in reasons or facts.deceased:
        add("deceased", EVERYTHING, "the guarantor is deceased: work the estate through a supervisor")
    found += _fap_hold(facts, rules)
    if "nsa_dispute" in reasons:
        add("nsa_dispute", EVERYTHING, "a No Surprises Act payment dispute is pending")
    if "insurance_pending" in reasons or facts.insurance_pending_cents > 0 or facts.claims_unresolved:
        add("insurance_pending", EVERYTHING, "insurance is still pending or under appeal")
    elif facts.claims_contractual:
        add(
            "insurance_pending",
            EVERYTHING,
            "the payer denied the claim as contractual (CO): the patient may not be billed for it; "
            "work the denial with the payer",
        )
    found += _itemized_hold(facts, rules)
    if "supervisor" in reasons:
        add("supervisor_hold", EVERYTHING, "a supervisor put the account on hold")
    return found


def _frequency_blocks(facts: AccountFacts, rules: _Rules) -> list[Block]:
    """Reg F's call-frequency presumptions (12 CFR 1006.14(b)(2)), each with the local midnight it
    lifts at (whatever ``now`` is), worded from the policy's numbers.

    Placed calls count (a busy signal, a call the consumer asked for, a call inside the consumer's
    consent window do not). Only a telephone conversation with the consumer about the debt starts
    the days without calls: a wrong number or a third party is neither. A state's own limits are
    :func:`_limit_blocks`'s: they apply beside these, never instead of them.
    """
    policy = rules.policy
    home = rules.home
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
    frequency = policy.rule("frequency")
    limit, days = frequency.int_param("attempts"), frequency.int_param("days")
    placed = sorted(
        (_local_date(c.occurred_at, home) for c in counted if c.attempt and c.channel in (CALL, VOICEMAIL)),
        reverse=True,
    )
    if rules.applies("frequency") and limit >= 1 and len(placed) >= limit:
        oldest = placed[limit - 1]
        lifts = local_midnight(oldest + timedelta(days=days), home)
        recent = sum(1 for day in placed if day > rules.day - timedelta(days=days))
        blocks.append(
            rules.block(
                "frequency",
                f"call {recent} of {limit} in {days} days already placed on this debt "
                f"(the first of them on {oldest:%Y-%m-%d})",
                lifts,
            )
        )
        blocks[-1] = replace(blocks[-1], short=f"{recent} of {limit} in {days} days")
    quiet = policy.rule("conversation").int_param("days")
    talks = [_local_date(c.occurred_at, home) for c in counted if c.conversation and c.right_party]
    if rules.applies("conversation") and talks and quiet >= 1:
        last = max(talks)
        lifts = local_midnight(last + timedelta(days=quiet), home)
        today = (rules.day - last).days + 1
        blocks.append(
            rules.block(
                "conversation",
                f"spoke with the consumer about this debt on {last:%Y-%m-%d}: no calls for {quiet} days "
                f"(day {today} of {quiet})",
                lifts,
            )
        )
    return blocks


def _number_kinds(phone_type: str | None) -> frozenset[str]:
    """What a number of ``phone_type`` is to a state contact limit: a residence or mobile is
    "personal", a workplace "work"; any other type (or none known) may be either."""
    if phone_type in PERSONAL_NUMBERS:
        return frozenset({"personal"})
    if phone_type in WORK_NUMBERS:
        return frozenset({"work"})
    return frozenset({"personal", "work"})


def _limit_reaches(limit: ContactLimit, channel: str, phone_type: str | None) -> bool:
    """Does ``limit`` count (and, once reached, stop) a ``channel`` contact with a ``phone_type`` number?"""
    if channel not in limit.channels:
        return False
    return (
        channel not in PHONE_CHANNELS or limit.numbers == "any" or limit.numbers in _number_kinds(phone_type)
    )


def _initiated(contact: Contact, limit: ContactLimit) -> bool:
    """Is ``contact`` a communication the office initiated, as ``limit`` counts them?

    A call counts when placed (not a busy signal, not one the consumer asked for); under
    ``counts = "reached"`` only when it reached someone or left a message. A text, an email or a
    letter counts when sent; one from the consumer never does.
    """
    if contact.channel in (CALL, VOICEMAIL):
        if not contact.attempt:
            return False
        return limit.counts == "placed" or contact.conversation or contact.channel == VOICEMAIL
    return contact.direction != "in"


_CHANNEL_WORDS = {CALL: "calls", VOICEMAIL: "voicemails", TEXT: "texts", EMAIL: "emails", LETTER: "letters"}
_NUMBER_WORDS = {
    "any": "",
    "personal": " to a residence or mobile number",
    "work": " to a number other than a residence or mobile",
}


def _limit_blocks(facts: AccountFacts, rules: _Rules) -> list[tuple[ContactLimit, Block]]:
    """Each state contact limit this debt has reached, counted as the state counts it, with the
    local midnight it lifts at; limits of another regime or not yet in force are left out."""
    found: list[tuple[ContactLimit, Block]] = []
    for limit in rules.policy.contact_limits.get((facts.state or "").upper(), ()):
        if facts.regime not in limit.regimes or not limit.in_force(rules.day):
            continue
        days = sorted(
            (
                _local_date(c.occurred_at, rules.home)
                for c in facts.contacts
                if _initiated(c, limit) and _limit_reaches(limit, c.channel, c.phone_type)
            ),
            reverse=True,
        )
        if limit.calendar_week:
            since = rules.day - timedelta(days=(rules.day.weekday() + 1) % 7)  # this week's Sunday
            count = sum(1 for day in days if day >= since)
            if count < limit.communications:
                continue
            lifts = local_midnight(since + timedelta(days=7), rules.home)
            period = "in a calendar week"
        else:
            if len(days) < limit.communications:
                continue
            since = days[limit.communications - 1]
            lifts = local_midnight(since + timedelta(days=limit.days), rules.home)
            count = sum(1 for day in days if day > rules.day - timedelta(days=limit.days))
            period = f"in {limit.days} days"
        words = [_CHANNEL_WORDS[c] for c in LIMIT_ORDER if c in limit.channels]
        what = words[0] if len(words) == 1 else f"{', '.join(words[:-1])} or {words[-1]}"
        reason = (
            f"{limit.state} allows {limit.communications} {what}{_NUMBER_WORDS[limit.numbers]} {period} "
            f"on each debt: {count} made since {since:%Y-%m-%d}"
        )
        short = f"{count} of {limit.communications} {period} ({limit.state})"
        found.append((limit, Block(f"state_limit.{limit.state}", reason, limit.citation, lifts, short)))
    return found


def _stops_calls(limit: ContactLimit, phone_type: str | None) -> bool:
    return _limit_reaches(limit, CALL, phone_type) or _limit_reaches(limit, VOICEMAIL, phone_type)


def contact_lookback(policy: CompliancePolicy) -> timedelta:
    """How far back the contact limits read the history: the longest window any rule counts (Reg
    F's seven days, a state's thirty), with a day more for the consumer's calendar and one for the
    zones, so that no limit counts fewer days than it says."""
    windows = [policy.rule("frequency").int_param("days"), policy.rule("conversation").int_param("days")]
    windows += [limit.days for limits in policy.contact_limits.values() for limit in limits]
    return timedelta(days=max(windows) + 2)


def as_of(facts: AccountFacts, now: datetime) -> AccountFacts:
    """The facts as they stood at ``now``: nothing dated after it counts (``--at`` in the past)."""

    def before(moment: datetime | None) -> datetime | None:
        return moment if moment is not None and moment <= now else None

    contacts = tuple(c for c in facts.contacts if c.occurred_at <= now)
    holds = tuple(h for h in facts.holds if h.placed_at <= now)
    phones = tuple(
        replace(
            p,
            do_not_call=p.do_not_call and (p.do_not_call_at is None or p.do_not_call_at <= now),
            consent_revoked_at=before(p.consent_revoked_at),
            consent_revoked_via=p.consent_revoked_via if before(p.consent_revoked_at) else None,
            consent_at=before(p.consent_at),
            text_opt_out_at=before(p.text_opt_out_at),
        )
        for p in facts.phones
    )
    notice = facts.validation_notice_date
    today = now.astimezone(zone(day_zone(facts))).date()
    changed = (
        len(contacts) != len(facts.contacts)
        or len(holds) != len(facts.holds)
        or phones != facts.phones
        or before(facts.call_consent_at) != facts.call_consent_at
        or before(facts.call_time_consent_at) != facts.call_time_consent_at
        or before(facts.email_opt_out_at) != facts.email_opt_out_at
        or before(facts.first_right_party_contact_at) != facts.first_right_party_contact_at
        or before(facts.first_letter_at) != facts.first_letter_at
        or (notice is not None and notice > today)
    )
    if not changed:
        return facts
    return replace(
        facts,
        contacts=contacts,
        holds=holds,
        phones=phones,
        call_consent_at=before(facts.call_consent_at),
        call_time_consent=facts.call_time_consent if before(facts.call_time_consent_at) else None,
        call_time_consent_at=before(facts.call_time_consent_at),
        email_opt_out_at=before(facts.email_opt_out_at),
        first_right_party_contact_at=before(facts.first_right_party_contact_at),
        first_letter_at=before(facts.first_letter_at),
        validation_notice_date=notice if notice is None or notice <= today else None,
    )


def _local_date(moment: datetime, zone_name: str) -> date:
    return moment.astimezone(zone(zone_name)).date()


# Bump when a change to this engine or to the geography it reads would store a different call
# state for any account: the nightly refresh then recomputes every account's.
# 3: a state's own contact limits by kind of number; right-party conversations.
# 4: every ZIP code's zones from published data (collector_tui/domain/zip_zones.py).
# 5: a balance left contractual by a CO-group denial holds the account (insurance).
CALL_STATE_REVISION = 5


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
    """What the queue stores of the account at ``now``: it holds the moments the limits lift.

    Everything on file counts, even a contact or a hold dated after ``now`` (a dialer's clock
    ahead of ours): the stored state may then be stricter than the verdict until that moment,
    never looser. Consent dated after ``now`` does not count: it covers nothing yet.
    """
    if facts.call_consent_at is not None and facts.call_consent_at > now:
        facts = replace(facts, call_consent_at=None)
    rules = _Rules(policy, facts, now)
    held = any(CALL in actions for actions, _ in _hold_blocks(facts, rules))
    lifts = [b.until for b in _frequency_blocks(facts, rules) if b.until is not None]
    exempt = None
    if facts.call_consent_at is not None and rules.applies("consent_window"):
        exempt = facts.call_consent_at + timedelta(days=policy.rule("consent_window").int_param("days"))
    personal: list[datetime] = []
    work: list[datetime] = []
    for limit, block in _limit_blocks(facts, rules):
        if block.until is None or not (CALL in limit.channels or VOICEMAIL in limit.channels):
            continue
        if limit.numbers in ("any", "personal"):
            personal.append(block.until)
        if limit.numbers in ("any", "work"):
            work.append(block.until)
    return CallState(
        held=held,
        frequency_clear_at=max(lifts) if lifts else None,
        exempt_until=exempt,
        limit_until=max(personal, default=None),
        work_limit_until=max(work, default=None),
    )


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


# -- actions beyond calls: 501(r), credit reporting, time-barred debt, state hospital laws ------
#
# The safe reading throughout: a date the rule needs and the account lacks blocks the action with
# a reason naming the date to record; a fallback date is used only when it can only be earlier
# (a limitation period then ends sooner) or later (a wait then lasts longer) than the true one.

FAP_PENDING = (FapStatus.REQUESTED, FapStatus.PENDING)
_ACTION_WORDS = {
    CREDIT_REPORTING: "report it to a credit bureau",
    AGENCY_PLACEMENT: "place it with an agency",
    SALE: "sell the debt",
    LEGAL_ACTION: "take legal action",
}


def _states(facts: AccountFacts) -> list[str]:
    """The consumer's state, then the facility's: a state's law applies when either is in it."""
    found: list[str] = []
    for state in (facts.state, facts.facility_state):
        if state and state.upper() not in found:
            found.append(state.upper())
    return found


def _on_file(day: date | None, rules: _Rules) -> date | None:
    """A dated event as known on the consumer's today: one dated later has not happened yet."""
    return day if day is not None and day <= rules.day else None


def _treatment(facts: AccountFacts) -> tuple[date | None, date | None]:
    """The first and the last date of service (one of them stands for both when alone)."""
    first = facts.service_date_from or facts.service_date_to
    last = facts.service_date_to or facts.service_date_from
    return first, last


def _days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


def _fap_pending(facts: AccountFacts) -> bool:
    return facts.fap_status in FAP_PENDING or any(h.reason == "financial_assistance" for h in facts.holds)


def _fap_hold(facts: AccountFacts, rules: _Rules) -> list[tuple[frozenset[str], Block]]:
    """A pending financial-assistance application: every action waits by office policy
    (rules.financial_assistance.pause_all_actions), or where the consumer's state pauses collection."""
    if not _fap_pending(facts) or not rules.applies("financial_assistance"):
        return []
    policy = rules.policy
    if policy.rule("financial_assistance").bool_param("pause_all_actions", True):
        reason = (
            "a financial-assistance application is pending: office policy pauses every action "
            "until it is decided"
        )
        return [(EVERYTHING, rules.block("financial_assistance", reason, None))]
    state = (facts.state or "").upper()
    law = policy.fap_pause_states.get(state)
    if law is None or not law.in_force(rules.day):
        return []
    reason = f"a financial-assistance application is pending: {state} pauses collection until it is decided"
    return [(EVERYTHING, rules.block("financial_assistance", reason, None, law.citation))]


def _itemized_hold(facts: AccountFacts, rules: _Rules) -> list[tuple[frozenset[str], Block]]:
    """An itemized statement was asked for, in a state whose law pauses collection until it is sent."""
    if not any(h.reason == "itemized_statement" for h in facts.holds):
        return []
    state = (facts.state or "").upper()
    law = rules.policy.itemized_statement_states.get(state)
    if law is None or not law.in_force(rules.day) or not rules.applies("itemized_statement"):
        return []
    reason = f"an itemized statement was requested; {state} pauses collection until it is sent"
    return [(EVERYTHING, rules.block("itemized_statement", reason, None, law.citation))]


def _eca_blocks(facts: AccountFacts, rules: _Rules) -> list[Block]:
    """26 CFR 1.501(r)-6, nonprofit facilities only: the waits before an extraordinary collection
    action, and the suspension an application made in the application period brings."""
    if not facts.nonprofit:
        return []
    return _eca_waiting(facts, rules) + _fap_suspension(facts, rules)


def _eca_waiting(facts: AccountFacts, rules: _Rules) -> list[Block]:
    """Not before the notification period ends (days after the first post-discharge statement) and
    the written notice's deadline (days after the notice). With no notice on file it was not sent."""
    if not rules.applies("eca_waiting"):
        return []
    rule = rules.policy.rule("eca_waiting")
    period = rule.int_param("days_after_first_statement")
    notice_wait = rule.int_param("days_after_written_notice")
    statement, notice = facts.first_statement_date, facts.eca_notice_date
    if statement is None:
        reason = (
            "the date of the first post-discharge billing statement is not on file: record it; a "
            f"nonprofit hospital takes no extraordinary collection action before {_days(period)} after it"
        )
        return [rules.block("eca_waiting", reason, None)]
    period_ends = statement + timedelta(days=period)
    if notice is None:
        reason = (
            "the written notice of the extraordinary collection actions intended has not been sent: "
            f"send it; they may follow {_days(notice_wait)} after it, and not before {period_ends:%Y-%m-%d} "
            f"({_days(period)} after the first post-discharge statement of {statement:%Y-%m-%d})"
        )
        return [rules.block("eca_waiting", reason, None)]
    earliest = max(period_ends, notice + timedelta(days=notice_wait))
    if rules.day >= earliest:
        return []
    reason = (
        f"a nonprofit hospital may not take this action before {earliest:%Y-%m-%d}: "
        f"{_days(period)} after the first post-discharge statement ({statement:%Y-%m-%d}) and "
        f"{_days(notice_wait)} after the written notice ({notice:%Y-%m-%d})"
    )
    return [rules.block("eca_waiting", reason, rules.starts(earliest))]


def _fap_suspension(facts: AccountFacts, rules: _Rules) -> list[Block]:
    """An application made inside the application period (which ends application_period_days after
    the first post-discharge statement) suspends extraordinary collection actions until decided."""
    if not _fap_pending(facts) or not rules.applies("fap_application"):
        return []
    if facts.fap_application_date is not None and _on_file(facts.fap_application_date, rules) is None:
        return []  # applied after the moment decided
    applied = facts.fap_application_date
    statement = facts.first_statement_date
    days = rules.policy.rule("eca_waiting").int_param("application_period_days")
    until_decided = "extraordinary collection actions are suspended until it is decided"
    if applied is None:
        reason = (
            "a financial-assistance application is pending and its date is not on file: taken as made "
            f"inside the application period, {until_decided}"
        )
    elif statement is None:
        reason = (
            f"a financial-assistance application made {applied:%Y-%m-%d} is pending and no first "
            f"post-discharge statement is on file, so the application period is still open: {until_decided}"
        )
    else:
        period_ends = statement + timedelta(days=days)
        if applied > period_ends:
            return []  # after the application period: 501(r) suspends nothing
        reason = (
            f"a financial-assistance application made {applied:%Y-%m-%d}, inside the application period "
            f"(it ends {period_ends:%Y-%m-%d}, {_days(days)} after the first post-discharge statement): "
            f"{until_decided}"
        )
    return [rules.block("fap_application", reason, None)]


def reportable_from(delinquent: date, years: int) -> date:
    """The first day medical debt first delinquent on ``delinquent`` may be reported, ``years`` later
    on the calendar (not 365 days): the anniversary, or 1 March for a 29 February with none."""
    anniversary = delinquent + relativedelta(years=years)
    if (delinquent.month, delinquent.day) == (2, 29) and anniversary.day != 29:
        anniversary += timedelta(days=1)
    return anniversary


def _cra_policy(rules: _Rules, rule_id: str) -> bool:
    """A rule of the nationwide credit bureaus' policy, in force and switched on (it is not law)."""
    return rules.applies(rule_id) and rules.policy.rule(rule_id).bool_param("enabled", True)


def _credit_blocks(facts: AccountFacts, rules: _Rules, now: datetime) -> list[Block]:
    policy = rules.policy
    blocks: list[Block] = []
    balance = facts.total_balance_cents
    if _cra_policy(rules, "credit_reporting_paid") and (balance <= 0 or facts.status == AccountStatus.PAID):
        blocks.append(rules.block("credit_reporting_paid", "paid medical debt is not reported", None))
    if _cra_policy(rules, "credit_reporting_minimum"):
        minimum = policy.rule("credit_reporting_minimum").int_param("min_balance_cents")
        if 0 < balance < minimum:
            reason = f"medical debt under {format_cents(minimum)} is not reported"
            blocks.append(rules.block("credit_reporting_minimum", reason, None))
    if _cra_policy(rules, "credit_reporting"):
        blocks += _reporting_wait(facts, rules)
    blocks += _passive_reporting(facts, rules, now)
    blocks += _reporting_bans(facts, rules)
    return blocks


def _reporting_wait(facts: AccountFacts, rules: _Rules) -> list[Block]:
    years = rules.policy.rule("credit_reporting").int_param("wait_years")
    wait = f"{years} year" if years == 1 else f"{years} years"
    delinquent = facts.delinquency_date
    if delinquent is None:
        reason = (
            f"the date of first delinquency is not on file: record it; medical debt waits {wait} after "
            "it, and a furnisher must report it (15 U.S.C. 1681s-2(a)(5))"
        )
        return [rules.block("credit_reporting", reason, None)]
    earliest = reportable_from(delinquent, years)
    if rules.day >= earliest:
        return []
    reason = (
        f"medical debt is reported only {wait} after the date of first delinquency "
        f"({delinquent:%Y-%m-%d}), by the calendar: from {earliest:%Y-%m-%d}"
    )
    return [rules.block("credit_reporting", reason, rules.starts(earliest))]


def _passive_reporting(facts: AccountFacts, rules: _Rules, now: datetime) -> list[Block]:
    """12 CFR 1006.30(a)(1): speak with the consumer, or mail a letter and wait for it to bounce."""
    if not rules.applies("passive_reporting"):
        return []
    spoke = facts.first_right_party_contact_at
    if spoke is not None and spoke <= now:
        return []
    days = rules.policy.rule("passive_reporting").int_param("days_after_letter")
    letter = facts.first_letter_at if facts.first_letter_at and facts.first_letter_at <= now else None
    if letter is None:
        reason = (
            f"speak with the consumer about the debt, or mail a letter and wait {_days(days)} for a notice "
            "that it could not be delivered, before reporting"
        )
        return [rules.block("passive_reporting", reason, None)]
    lifts = letter + timedelta(days=days)
    if now >= lifts:
        return []
    reason = (
        f"wait {_days(days)} after the first letter ({_local_date(letter, rules.home):%Y-%m-%d}) "
        "for a notice that it could not be delivered"
    )
    return [rules.block("passive_reporting", reason, lifts)]


def _reporting_bans(facts: AccountFacts, rules: _Rules) -> list[Block]:
    """Every ban in force in the consumer's or the facility's state that covers this debt."""
    blocks: list[Block] = []
    for state in _states(facts):
        ban = rules.policy.credit_reporting_bans.get(state)
        if ban is None or not ban.in_force(rules.day):
            continue
        reason = _ban_reason(ban, facts)
        if reason is not None:
            blocks.append(rules.block(f"state_ban.{ban.state}", reason, None, ban.citation))
    return blocks


def _ban_reason(ban: ReportingBan, facts: AccountFacts) -> str | None:
    since = f"(since {ban.effective:%Y-%m-%d})"
    what = (
        "bars consumer reporting agencies from reporting medical debt"
        if ban.agencies_only
        else "bans reporting medical debt"
    )
    if ban.services_from is None:
        return f"{ban.state} {what} {since}"
    if ban.paid and (facts.total_balance_cents <= 0 or facts.status == AccountStatus.PAID):
        return f"{ban.state} bans reporting paid medical debt {since}"
    if 0 < facts.total_balance_cents < ban.min_balance_cents:
        return f"{ban.state} bans reporting medical debt under {format_cents(ban.min_balance_cents)} {since}"
    covered = f"{what} for care on or after {ban.services_from:%Y-%m-%d} {since}"
    _, last = _treatment(facts)
    if last is None:
        return f"{ban.state} {covered}, and the date of service is not on file"
    if last >= ban.services_from:
        return f"{ban.state} {covered}: this care was on {last:%Y-%m-%d}"
    return None


def _limitation_start(
    period: LimitationPeriod, facts: AccountFacts, statute: Statute, rules: _Rules
) -> tuple[date | None, str]:
    """What starts ``period`` for this debt, and its name (the name alone when it is not on file)."""
    first_service, _ = _treatment(facts)
    if period.starts == "treatment":
        return first_service, "the date of treatment"
    if period.starts == "referral":  # no referral date on file: the earliest it can have been
        for day, name in (
            (facts.first_statement_date, "the first statement (the earliest a referral can be)"),
            (first_service, "the date of treatment (the earliest a referral can be)"),
        ):
            if day is not None:
                return day, name
        return None, "the first statement date"
    start: tuple[date | None, str] = (None, "the delinquency date")
    for day, name in (
        (facts.delinquency_date, "the delinquency date"),
        (facts.first_statement_date, "the first statement (no delinquency date on file)"),
        (first_service, "the date of treatment (no delinquency date on file)"),
    ):
        if day is not None:
            start = (day, name)
            break
    paid = _on_file(facts.last_payment_date, rules)
    if statute.payment_restarts and start[0] is not None and paid is not None and paid > start[0]:
        return paid, "the last payment"
    return start


def _time_barred(facts: AccountFacts, rules: _Rules) -> list[Block]:
    """12 CFR 1006.26(b): no legal action (nor the threat of one) once any limitation period in force
    in the consumer's state, or the facility's, has run; with no state, the shortest of any state."""
    if not rules.applies("time_barred"):
        return []
    policy = rules.policy
    rule = policy.rule("time_barred")
    written = rule.bool_param("written_contract", False)
    places: list[tuple[str, Statute]] = []
    wanted = [(facts.state or "").upper()]  # an unknown consumer state gets the shortest period
    if facts.facility_state and facts.facility_state.upper() not in wanted:
        wanted.append(facts.facility_state.upper())
    for state in wanted:
        statute = policy.statutes.get(state)
        if statute is None:
            shortest = LimitationPeriod(
                rule.int_param("default_years"), "delinquency", "the shortest period of any state"
            )
            statute = Statute(state, (shortest,))
            state = f"{state} (no period on file for it)" if state else "an unknown state"
        places.append((state, statute))
    barred: list[tuple[date, str, LimitationPeriod, int, date, str]] = []
    missing: list[tuple[str, LimitationPeriod, str]] = []
    for where, statute in places:
        for period in statute.periods:
            if not period.in_force(rules.day):
                continue
            start, name = _limitation_start(period, facts, statute, rules)
            if start is None:
                missing.append((where, period, name))
                continue
            years = period.length(written)
            ends = start + relativedelta(years=years)
            if rules.day >= ends:
                barred.append((ends, where, period, years, start, name))
    if barred:
        ends, where, period, years, start, name = min(barred, key=lambda found: found[0])
        reason = (
            f"the debt is time-barred in {where}: the {years}-year period from {name} "
            f"({start:%Y-%m-%d}) ended {ends:%Y-%m-%d}; no legal action, and no letter or call "
            "may threaten one"
        )
        return [rules.block("time_barred", reason, None, f"{rule.citation}; {period.citation}")]
    if missing:
        where, period, name = missing[0]
        reason = (
            f"{name} is not on file: record it to check the {period.length(written)}-year limitation "
            f"period in {where} before any legal action"
        )
        return [rules.block("time_barred", reason, None, f"{rule.citation}; {period.citation}")]
    return []


_EVENT_WORDS = {
    "first_statement": "the first statement",
    "service": "the last date of service",
    "eca_notice": "the written notice of the collection actions intended",
    "validation_notice": "the validation notice",
    "validation_period_end": "the validation period",
    "placement": "the placement with the agency",
}


def _hospital_event(after: str, facts: AccountFacts, policy: CompliancePolicy) -> date | None:
    if after == "first_statement":
        return facts.first_statement_date
    if after == "service":
        return _treatment(facts)[1]
    if after == "eca_notice":
        return facts.eca_notice_date
    if after == "placement":
        return facts.placed_date
    notice = facts.validation_notice_date
    if after == "validation_notice" or notice is None:
        return notice
    return validation_period_end(notice, policy) + timedelta(days=1)  # the day after it ends


def _hospital_blocks(facts: AccountFacts, rules: _Rules, action: str) -> list[Block]:
    """The state hospital-billing laws (state_hospital) of the consumer's and the facility's states."""
    if action not in _ACTION_WORDS or not rules.applies("state_hospital"):
        return []
    blocks: list[Block] = []
    for state in _states(facts):
        for law in rules.policy.hospital_rules.get(state, ()):
            if action not in law.actions or not law.in_force(rules.day):
                continue
            if (law.regime is not None and law.regime != facts.regime) or (
                law.unless_fap is not None and facts.fap_status == law.unless_fap
            ):
                continue
            rule_id = f"state_hospital.{state}"
            if law.balance_at_most_cents is not None:
                if facts.total_balance_cents <= law.balance_at_most_cents:
                    limit = format_cents(law.balance_at_most_cents)
                    reason = f"{state}: do not {_ACTION_WORDS[action]} while the balance is {limit} or less"
                    blocks.append(rules.block(rule_id, reason, None, law.citation))
                continue
            event = _hospital_event(law.after, facts, rules.policy)
            what = _EVENT_WORDS[law.after]
            wait = f"{_days(law.days)} after {what}" if law.days else f"the end of {what}"
            if event is None:
                reason = f"{state}: do not {_ACTION_WORDS[action]} before {wait}, and its date is not on file"
                blocks.append(rules.block(rule_id, reason, None, law.citation))
                continue
            earliest = event + timedelta(days=law.days)
            if rules.day < earliest:
                reason = f"{state}: do not {_ACTION_WORDS[action]} before {earliest:%Y-%m-%d} ({wait})"
                blocks.append(rules.block(rule_id, reason, rules.starts(earliest), law.citation))
    return blocks


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
    facts = as_of(facts, now)
    rules = _Rules(policy, facts, now)
    holds = _hold_blocks(facts, rules)
    account_call = _account_call_blocks(facts, rules, now)
    limits = [(limit, b) for limit, b in _limit_blocks(facts, rules) if b.until is not None and now < b.until]
    messages = EMAIL_TEXT in actions_wanted  # texts and email are worked out only when asked for
    account_text = [block for acts, block in holds if EMAIL_TEXT in acts]
    phones = []
    for phone in facts.phones:
        group = _call_group(phone, facts, rules)
        own = _phone_blocks(phone, facts, rules)
        timing = _group_blocks(group, policy, now)  # for a call, and for a text at the moment it is sent
        if timing and _time_consented(facts, group, rules, now):
            timing = []  # the consumer's own consent to this time (1006.6(b)(1))
        limited = [b for limit, b in limits if _stops_calls(limit, phone.phone_type)]
        texts: list[Block] = []
        if messages:
            texts = own + _text_blocks(phone, rules) + timing
            texts += [b for limit, b in limits if _limit_reaches(limit, TEXT, phone.phone_type)]
            texts += account_text
        phones.append(
            PhoneVerdict(
                phone.phone_id,
                phone.last4,
                group.zones,
                tuple(own + timing + limited + account_call),
                tuple(texts),
            )
        )
    email: list[Block] = []
    if messages:
        email = _email_blocks(facts, rules, now) + [b for limit, b in limits if EMAIL in limit.channels]
        email += account_text
    actions: dict[str, ActionVerdict] = {}
    for action in actions_wanted:
        blocks = [block for acts, block in holds if action in acts]
        if action in PHONE_ACTIONS:
            blocks = list(account_call)
            if not phones or all(set(p.blocks) - set(account_call) for p in phones):
                blocks.append(_no_phone_block(phones, account_call))
        if action == LETTER:
            blocks += [b for limit, b in limits if LETTER in limit.channels]
        if action == EMAIL_TEXT:
            blocks = _message_blocks(phones, email, account_text)
        if action in ECAS:
            blocks += _eca_blocks(facts, rules)
        if action == CREDIT_REPORTING:
            blocks += _credit_blocks(facts, rules, now)
        if action == LEGAL_ACTION:
            blocks += _time_barred(facts, rules)
        blocks += _hospital_blocks(facts, rules, action)
        conditions = _dispute_conditions(facts, rules) if action == CREDIT_REPORTING else []
        actions[action] = ActionVerdict(action, tuple(blocks), tuple(conditions))
    return Verdict(facts.account_id, now, policy.version, tuple(phones), actions, rules.home, tuple(email))


# -- texts and email ------------------------------------------------------------------------------


def _text_blocks(phone: PhoneFacts, rules: _Rules) -> list[Block]:
    """What stops a text to ``phone`` beyond what stops a call to it (a do-not-call request,
    revoked consent, a bad status, no contact at work): a number not on file as a mobile, no
    consent to text it (47 CFR 64.1200(a)(1)(iii)), an opt-out of texts to it (1006.6(e), 1006.14(h))."""
    blocks: list[Block] = []
    if rules.applies("text_consent"):
        if phone.phone_type != "mobile":
            blocks.append(
                rules.block(
                    "text_consent",
                    f"texts go only to a mobile number; this one is on file as {phone.phone_type}",
                    None,
                )
            )
        elif (
            rules.policy.rule("text_consent").bool_param("require_consent", True) and phone.consent_at is None
        ):
            blocks.append(
                rules.block("text_consent", "no consent to text this mobile number is on file", None)
            )
    if rules.applies("opt_out") and phone.text_opt_out_at is not None:
        when = _local_date(phone.text_opt_out_at, rules.home)
        blocks.append(
            rules.block("opt_out", f"the consumer opted out of texts to this number on {when:%Y-%m-%d}", None)
        )
    return blocks


def _email_zones(facts: AccountFacts, policy: CompliancePolicy) -> tuple[str, ...]:
    """Every zone the consumer may be in when an email reaches them: the address's and every number's."""
    zones = set(address_zones(facts.state, facts.zip_code))
    for phone in facts.phones:
        zones |= set(geographic_zones(phone))
    return tuple(sorted(zones)) if zones else policy.unknown_location_zones


def _email_blocks(facts: AccountFacts, rules: _Rules, now: datetime) -> list[Block]:
    """What stops an email now: no address on file, the consumer's opt-out (1006.6(e), 1006.14(h)),
    and the calling window and inconvenient times at the moment it is sent (1006.6(b)(1))."""
    blocks: list[Block] = []
    if rules.applies("email_address") and not facts.has_email:
        blocks.append(rules.block("email_address", "no email address is on file", None))
    if rules.applies("opt_out") and facts.email_opt_out_at is not None:
        when = _local_date(facts.email_opt_out_at, rules.home)
        blocks.append(rules.block("opt_out", f"the consumer opted out of email on {when:%Y-%m-%d}", None))
    zones = _email_zones(facts, rules.policy) if rules.applies("window") else ()
    spec = (facts.inconvenient_times or "").strip() if rules.applies("inconvenient") else ""
    return blocks + _group_blocks(CallGroup(zones, spec), rules.policy, now)


def _message_blocks(phones: list[PhoneVerdict], email: list[Block], account: list[Block]) -> list[Block]:
    """The email_text action: allowed when an email, or a text to some number, may be sent now;
    otherwise the account's blocks, the email's own, and when the first text could go."""
    if not email or any(phone.textable for phone in phones):
        return []
    blocks = list(account) + [b for b in email if b not in account]
    lifts: list[datetime] = []
    for phone in phones:
        own = [b for b in phone.text_blocks if b not in account]
        if own and all(b.until is not None for b in own):
            lifts.append(max(b.until for b in own if b.until is not None))
    reason = "no number on file may be texted now" if phones else "no phone number on file to text"
    return [*blocks, Block("phones", reason, "see each phone", min(lifts, default=None))]


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
