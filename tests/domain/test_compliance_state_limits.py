"""State contact limits, counted as each state counts them, and which offices they bind.

Massachusetts (940 CMR 7.04(1)(f); 209 CMR 18.16(1)(d)): two calls or texts in seven days to the
residence or mobile, two in thirty days to any other number, per debt, creditors included.
Washington (RCW 19.16.250(13)(a), (b)): collection agencies, three communications of any kind in a
week, one a week at work. A first-party office's skip list is per state: California's Rosenthal
Act and Massachusetts' regulations bind a creditor collecting its own debt.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

import pytest

from collector_tui.domain.compliance.engine import Block, Verdict, call_state, evaluate
from collector_tui.domain.compliance.facts import Contact, PhoneFacts
from collector_tui.domain.compliance.policy import CompliancePolicy, parse_policy
from collector_tui.services.law.policy import shipped_policy_text
from tests.domain.compliance_helpers import POLICY, account, action_rules, call, phone, phone_rules, utc

# Boston: EST = UTC-5. Friday 27 Nov 2026, 10:00 in Boston.
NOW = utc(2026, 11, 27, 15)
MOBILE = phone("6175550101", 1, phone_type="mobile", consent_at=utc(2026, 1, 5))
WORK = phone("6175550102", 2, phone_type="work", is_work=True)
OTHER = phone("6175550103", 3, phone_type="other")
MA = {"state": "MA", "zip_code": "02108", "phones": (MOBILE, WORK, OTHER), "has_email": True}


def dialled(moment: datetime, number: PhoneFacts, code: str = "NA", channel: str = "call") -> Contact:
    """A call (or a text) to one of the numbers above, with the disposition's counting flags."""
    found = call(moment, code, channel)
    assert hasattr(number, "phone_id") and hasattr(number, "phone_type")
    return replace(found, phone_id=number.phone_id, phone_type=number.phone_type)


def sent(moment: datetime, channel: str) -> Contact:
    return Contact(moment, channel, attempt=False, direction="out" if channel != "letter" else "none")


def limit_blocks(result: Verdict, index: int, state: str = "MA") -> list[Block]:
    return [b for b in result.phones[index].blocks if b.rule_id == f"state_limit.{state}"]


def ma_verdict(at: datetime, policy: CompliancePolicy = POLICY, **changes: object) -> Verdict:
    return evaluate(account(**MA | changes), policy, at)


# -- Massachusetts ---------------------------------------------------------------------------------


def test_two_calls_to_the_mobile_in_seven_days_stop_the_residence_and_mobile_numbers_only() -> None:
    calls = (dialled(utc(2026, 11, 24, 15), MOBILE), dialled(utc(2026, 11, 26, 15), MOBILE))
    before = ma_verdict(utc(2026, 11, 26, 14, 59), contacts=calls)  # one call so far
    assert not limit_blocks(before, 0)
    at = ma_verdict(utc(2026, 11, 26, 15), contacts=calls)
    [block] = limit_blocks(at, 0)
    assert block.until == utc(2026, 12, 1, 5)  # Nov 24 + 7 days: Dec 1, 00:00 EST
    assert "2 calls, voicemails or texts to a residence or mobile number in 7 days" in block.reason
    assert limit_blocks(at, 2)  # a number of type "other" may be a personal one: held to it
    assert not limit_blocks(at, 1)  # the work number has its own count (two in thirty days)
    assert at.phones[1].allowed and at.callable_now
    assert limit_blocks(ma_verdict(utc(2026, 12, 1, 4, 59), contacts=calls), 0)
    assert not limit_blocks(ma_verdict(utc(2026, 12, 1, 5), contacts=calls), 0)  # lifted
    state = call_state(account(**MA | {"contacts": calls}), POLICY, NOW)
    assert state.limit_until == utc(2026, 12, 1, 5) and state.work_limit_until is None
    assert state.frequency_clear_at is None  # Reg F's seven in seven is far off


def test_massachusetts_counts_texts_and_a_full_count_stops_texts_too() -> None:
    contacts = (
        dialled(utc(2026, 11, 24, 15), MOBILE, channel="text"),
        dialled(utc(2026, 11, 26, 15), MOBILE),
    )
    result = evaluate(account(**MA | {"contacts": contacts}), POLICY, NOW)
    assert limit_blocks(result, 0)
    assert "state_limit.MA" in {b.rule_id for b in result.phones[0].text_blocks}
    # Reg F counts telephone calls only: one call is far from its seven.
    assert "frequency" not in phone_rules(result)


def test_two_calls_in_thirty_days_to_another_number_stop_that_number() -> None:
    calls = (dialled(utc(2026, 11, 1, 15), WORK), dialled(utc(2026, 11, 20, 15), WORK))
    assert not limit_blocks(ma_verdict(utc(2026, 11, 20, 14, 59), contacts=calls), 1)
    at = ma_verdict(utc(2026, 11, 20, 15), contacts=calls)
    [block] = limit_blocks(at, 1)
    assert block.until == utc(2026, 12, 1, 5)  # Nov 1 + 30 days: Dec 1, 00:00 EST
    assert "to a number other than a residence or mobile in 30 days" in block.reason
    assert not limit_blocks(at, 0) and limit_blocks(at, 2)
    assert not limit_blocks(ma_verdict(utc(2026, 12, 1, 5), contacts=calls), 1)
    assert call_state(account(**MA | {"contacts": calls}), POLICY, NOW).work_limit_until == utc(
        2026, 12, 1, 5
    )


def test_calls_that_could_not_connect_or_that_the_consumer_asked_for_do_not_count() -> None:
    calls = (
        dialled(utc(2026, 11, 24, 15), MOBILE, "BUSY"),
        dialled(utc(2026, 11, 26, 15), MOBILE, "REQ_INFO"),
    )
    assert not limit_blocks(ma_verdict(NOW, contacts=calls), 0)


def test_the_consumers_consent_to_more_calls_lifts_reg_f_but_not_the_state_limit() -> None:
    calls = tuple(dialled(utc(2026, 11, day, 15), MOBILE) for day in (25, 26))
    result = ma_verdict(NOW, contacts=calls, call_consent_at=utc(2026, 11, 24, 15))
    assert limit_blocks(result, 0)
    state = call_state(
        account(**MA | {"contacts": calls, "call_consent_at": utc(2026, 11, 24, 15)}), POLICY, NOW
    )
    assert state.exempt_until is not None and state.limit_until == utc(2026, 12, 2, 5)


def test_the_massachusetts_limit_applies_from_its_effective_date() -> None:
    calls = (dialled(utc(2012, 2, 28, 15), MOBILE), dialled(utc(2012, 3, 1, 15), MOBILE))
    assert not limit_blocks(ma_verdict(utc(2012, 3, 2, 4, 59), contacts=calls), 0)  # Mar 1, 23:59 EST
    [block] = limit_blocks(ma_verdict(utc(2012, 3, 2, 5), contacts=calls), 0)  # Mar 2, 00:00 EST
    assert block.until == utc(2012, 3, 6, 5)


# -- Washington ------------------------------------------------------------------------------------

# Seattle: PST = UTC-8. Friday 27 Nov 2026, 10:00 in Seattle.
WA_NOW = utc(2026, 11, 27, 18)
WA_MOBILE = phone("2065550101", 1, phone_type="mobile", consent_at=utc(2026, 1, 5))
WA_WORK = phone("2065550102", 2, phone_type="work", is_work=True)
WA = {"state": "WA", "zip_code": "98101", "phones": (WA_MOBILE, WA_WORK), "has_email": True}


def test_three_communications_of_any_kind_in_a_week_stop_every_kind() -> None:
    contacts = (
        sent(utc(2026, 11, 23, 18), "letter"),
        sent(utc(2026, 11, 24, 18), "email"),
        dialled(utc(2026, 11, 25, 18), WA_MOBILE),
    )
    facts = account(**WA | {"contacts": contacts})
    before = evaluate(facts, POLICY, utc(2026, 11, 25, 17, 59))
    assert not limit_blocks(before, 0, "WA") and before.actions["letter"].allowed
    at = evaluate(facts, POLICY, utc(2026, 11, 25, 18))
    [block] = limit_blocks(at, 0, "WA")
    assert block.until == utc(2026, 11, 30, 8)  # Nov 23 + 7 days: Nov 30, 00:00 PST
    assert block.citation.startswith("RCW 19.16.250(13)")
    assert "3 calls, voicemails, texts, emails or letters in 7 days" in block.reason
    assert "state_limit.WA" in action_rules(at, "letter")
    assert "state_limit.WA" in {b.rule_id for b in at.email_blocks}
    assert not at.actions["email_text"].allowed
    assert "state_limit.WA" not in action_rules(evaluate(facts, POLICY, utc(2026, 11, 30, 8)), "letter")


def test_one_call_a_week_at_work() -> None:
    calls = (dialled(utc(2026, 11, 26, 18), WA_WORK),)
    facts = account(**WA | {"contacts": calls})
    assert not limit_blocks(evaluate(facts, POLICY, utc(2026, 11, 26, 17, 59)), 1, "WA")
    result = evaluate(facts, POLICY, WA_NOW)
    [block] = limit_blocks(result, 1, "WA")
    assert block.until == utc(2026, 12, 3, 8)  # Nov 26 + 7 days, 00:00 PST
    assert result.phones[0].allowed  # the mobile is not at work
    assert call_state(facts, POLICY, WA_NOW).work_limit_until == utc(2026, 12, 3, 8)


def test_a_single_week_may_be_read_as_the_calendar_week() -> None:
    """Business choice: "a single week" is any seven days unless the office counts calendar weeks."""
    calendar = parse_policy(shipped_policy_text(), "[state_contact_limits.WA]\ncalendar_week = true\n")
    contacts = tuple(sent(utc(2026, 11, day, 18), "letter") for day in (23, 24, 25))  # Mon-Wed
    facts = account(**WA | {"contacts": contacts})
    [block] = limit_blocks(evaluate(facts, calendar, WA_NOW), 0, "WA")
    assert block.until == utc(2026, 11, 29, 8)  # Sunday Nov 29, 00:00 PST: a new week
    assert "in a calendar week" in block.reason
    [rolling] = limit_blocks(evaluate(facts, POLICY, WA_NOW), 0, "WA")
    assert rolling.until == utc(2026, 11, 30, 8)


def test_only_calls_that_reached_the_consumer_count_when_the_office_says_so() -> None:
    reached = parse_policy(
        shipped_policy_text(),
        "[state_contact_limits.WA]\nlimits = [{ communications = 1, days = 7, "
        "channels = ['call', 'voicemail'], numbers = 'work', counts = 'reached' }]\n",
    )
    unanswered = account(**WA | {"contacts": (dialled(utc(2026, 11, 26, 18), WA_WORK),)})
    assert not limit_blocks(evaluate(unanswered, reached, WA_NOW), 1, "WA")
    message = account(**WA | {"contacts": (dialled(utc(2026, 11, 26, 18), WA_WORK, "LMVM", "voicemail"),)})
    assert limit_blocks(evaluate(message, reached, WA_NOW), 1, "WA")


def test_washington_binds_collection_agencies_not_a_creditor_collecting_its_own_debt() -> None:
    calls = (dialled(utc(2026, 11, 26, 18), WA_WORK),)
    own = account(**WA | {"contacts": calls, "regime": "first_party"})
    assert not limit_blocks(evaluate(own, POLICY, WA_NOW), 1, "WA")


# -- skip lists are per regime and per state -------------------------------------------------------

OWN_OFFICE = parse_policy(
    shipped_policy_text(), '[regimes.first_party]\nskip_rules = ["frequency", "conversation", "work"]\n'
)


def test_a_first_party_office_skips_reg_f_but_stays_bound_by_massachusetts() -> None:
    calls = tuple(dialled(utc(2026, 11, day, 15), MOBILE) for day in range(21, 28))  # seven calls
    own = account(**MA | {"contacts": calls, "regime": "first_party", "no_calls_at_work": True})
    result = evaluate(own, OWN_OFFICE, NOW)
    assert "frequency" not in phone_rules(result)  # Reg F binds debt collectors; the office skips it
    assert limit_blocks(result, 0)  # 940 CMR 7.04(1)(f) binds creditors
    assert "work" in phone_rules(result, 1)  # so does its rule on calls at work
    in_ohio = account(**MA | {"state": "OH", "zip_code": "43215", "contacts": calls, "regime": "first_party"})
    assert phone_rules(evaluate(in_ohio, OWN_OFFICE, NOW)) == set()


def test_a_first_party_office_in_california_is_bound_to_the_fdcpa_by_the_rosenthal_act() -> None:
    calls = tuple(call(utc(2026, 11, day, 22)) for day in range(21, 28))  # 14:00 PST, seven calls
    own = account(
        state="CA", zip_code="90012", phones=(phone("2135550101"),), contacts=calls, regime="first_party"
    )
    result = evaluate(own, OWN_OFFICE, utc(2026, 11, 27, 23))
    [block] = [b for b in result.phones[0].blocks if b.rule_id == "frequency"]
    assert block.citation == "12 CFR 1006.14(b)(2)(i)"
    # Cal. Civ. Code 1788.17 has bound creditors to 15 U.S.C. 1692b-1692j since 2000-01-01.
    assert "frequency" in OWN_OFFICE.skipped_rules("first_party", "CA", date(1999, 12, 31))
    assert "frequency" not in OWN_OFFICE.skipped_rules("first_party", "CA", date(2000, 1, 1))
    assert OWN_OFFICE.skipped_rules("third_party", "OH", date(2026, 11, 27)) == frozenset()


def test_a_state_may_have_its_own_skip_list() -> None:
    policy = parse_policy(
        shipped_policy_text(),
        '[regimes.first_party]\nskip_rules = ["frequency"]\n[regimes.first_party.skip_by_state]\nTX = []\n',
    )
    assert policy.skipped_rules("first_party", "OH", date(2026, 11, 27)) == {"frequency"}
    assert policy.skipped_rules("first_party", "TX", date(2026, 11, 27)) == frozenset()


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("[state_contact_limits.MA]\nlimits = []", "state_contact_limits.MA.limits"),
        (
            "[state_contact_limits.MA]\nlimits = [{ communications = 2, days = 7, numbers = 'home' }]",
            "state_contact_limits.MA.limits[1].numbers",
        ),
        (
            "[state_contact_limits.MA]\nlimits = [{ communications = 2, channels = ['fax'] }]",
            "state_contact_limits.MA.limits[1].channels",
        ),
        ("[state_contact_limits.WA]\nregimes = ['agency']", "state_contact_limits.WA.regimes"),
        ("[regimes.first_party.bound_by_state.CA]\nrules = ['nap']", "bound_by_state.CA.rules"),
        ('[rules.cease]\noral_stops = ["fax"]', "rules.cease.oral_stops"),
        ('[rules.text_consent]\nrequire_consent = "yes"', "rules.text_consent.require_consent"),
    ],
)
def test_a_bad_limit_or_switch_is_refused_naming_the_key(override: str, message: str) -> None:
    from collector_tui.domain.compliance.policy import PolicyError

    with pytest.raises(PolicyError, match=message.replace("[", r"\[").replace("]", r"\]")):
        parse_policy(shipped_policy_text(), override)
