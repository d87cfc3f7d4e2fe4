"""Call frequency (12 CFR 1006.14(b)): 7 placed calls in 7 days, 7 days after a conversation."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest

from collector_tui.domain.compliance.clock import local_midnight
from collector_tui.domain.compliance.engine import call_state, contact_lookback, evaluate
from collector_tui.domain.compliance.facts import Contact, Hold
from collector_tui.domain.compliance.policy import parse_policy
from collector_tui.domain.contact_log import parse_activity_row
from collector_tui.services.law.policy import shipped_policy_text
from tests.domain.compliance_helpers import DISPOSITIONS, POLICY, account, call, phone_rules, utc, verdict

NOW = utc(2026, 11, 27, 15)  # Friday, 10:00 in Columbus, Ohio (EST)


def _daily(code: str, first_day: int, last_day: int) -> tuple[Contact, ...]:
    """One call a day at 15:00 UTC on November ``first_day``..``last_day``."""
    return tuple(call(utc(2026, 11, day, 15), code) for day in range(first_day, last_day + 1))


def test_the_seventh_attempt_is_allowed() -> None:
    result = verdict(NOW, contacts=_daily("NA", 21, 26))  # six calls this week
    assert result.phones[0].allowed


def test_the_eighth_attempt_is_blocked_until_the_oldest_leaves_the_seven_days() -> None:
    contacts = (*_daily("NA", 21, 26), call(utc(2026, 11, 27, 14), "LMVM"))  # voicemail counts as a call
    result = verdict(NOW, contacts=contacts)
    [block] = [b for b in result.phones[0].blocks if b.rule_id == "frequency"]
    assert block.citation == "12 CFR 1006.14(b)(2)(i)"
    # Calls on Nov 21..27: Nov 21 leaves the window at local midnight starting Nov 28 (05:00 UTC).
    assert block.until == utc(2026, 11, 28, 5)
    assert not result.actions["call"].allowed and not result.actions["voicemail"].allowed
    assert verdict(utc(2026, 11, 28, 15), contacts=contacts).phones[0].allowed


def test_busy_and_disconnected_results_do_not_count() -> None:
    contacts = (
        *_daily("NA", 21, 25),
        call(utc(2026, 11, 26, 15), "BUSY"),
        call(utc(2026, 11, 27, 14), "DISC"),
    )
    assert verdict(NOW, contacts=contacts).phones[0].allowed
    # The import marks them the same way: not an attempt.
    row = {
        "activity_id": "X1",
        "facility_code": "SMR",
        "account_number": "A1",
        "occurred_at": "2026-11-26T15:00:00Z",
        "channel": "call",
        "direction": "out",
        "phone": "6145550142",
        "result_code": "BUSY",
    }
    parsed = parse_activity_row(row, today=date(2026, 11, 27), dispositions=DISPOSITIONS)
    assert not isinstance(parsed, list) and not parsed.counts_as_attempt


def test_a_call_on_day_seven_after_a_conversation_is_blocked_and_on_day_eight_allowed() -> None:
    talked = (call(utc(2026, 11, 20, 15), "RPC_CB"),)  # Friday Nov 20 is day 1
    day7 = verdict(utc(2026, 11, 26, 15), contacts=talked)
    [block] = [b for b in day7.phones[0].blocks if b.rule_id == "conversation"]
    assert block.until == utc(2026, 11, 27, 5)  # Nov 27 00:00 EST
    assert block.citation == "12 CFR 1006.14(b)(2)(ii)"
    assert verdict(utc(2026, 11, 27, 15), contacts=talked).phones[0].allowed


def test_an_inbound_call_is_not_an_attempt_but_its_conversation_counts() -> None:
    contacts = (call(utc(2026, 11, 21, 16), "INBOUND"), *_daily("NA", 21, 26))
    result = verdict(NOW, contacts=contacts)
    # Seven calls this week would be the limit if the inbound one counted; only the conversation binds.
    assert phone_rules(result) == {"conversation"}


def test_calls_at_the_consumers_request_are_excluded() -> None:
    contacts = (*_daily("NA", 21, 26), call(utc(2026, 11, 27, 14), "REQ_INFO"))
    assert verdict(NOW, contacts=contacts).phones[0].allowed


def test_direct_consent_lifts_the_limits_for_seven_days() -> None:
    contacts = (*_daily("NA", 21, 26), call(utc(2026, 11, 27, 14), "NA"))
    consent = utc(2026, 11, 25, 16)
    # The calls after the consent do not count, and calls now are covered by it.
    assert verdict(NOW, contacts=contacts, call_consent_at=consent).phones[0].allowed
    # Seven days later the consent no longer covers a call, but the calls it covered still do not count.
    assert verdict(utc(2026, 12, 2, 15), contacts=contacts, call_consent_at=consent).phones[0].allowed


def test_massachusetts_allows_two_calls_in_seven_days() -> None:
    ma = {"state": "MA", "zip_code": "02108"}
    one = verdict(NOW, contacts=_daily("NA", 25, 25), **ma)
    assert one.phones[0].allowed
    two = verdict(NOW, contacts=_daily("NA", 25, 26), **ma)
    # The state's own limit, beside Reg F's (which two calls do not reach).
    [block] = [b for b in two.phones[0].blocks if b.rule_id == "state_limit.MA"]
    assert block.citation.startswith("940 CMR 7.04(1)(f)")
    assert block.until == utc(2026, 12, 2, 5)  # Nov 25 + 7 days, 00:00 EST
    assert "frequency" not in phone_rules(two)
    # The same two calls in Ohio are fine.
    assert verdict(NOW, contacts=_daily("NA", 25, 26)).phones[0].allowed


def test_the_provider_office_may_skip_the_frequency_rules() -> None:
    from dataclasses import replace

    own_office = replace(POLICY, first_party_skip=frozenset({"frequency", "conversation"}))
    facts = account(regime="first_party", contacts=(*_daily("NA", 20, 27), call(utc(2026, 11, 26), "RPC_CB")))
    from collector_tui.domain.compliance.engine import evaluate

    assert evaluate(facts, own_office, NOW).phones[0].allowed
    assert not evaluate(replace(facts, regime="third_party"), own_office, NOW).phones[0].allowed


def test_call_state_stores_when_the_limits_lift() -> None:
    contacts = (
        *_daily("NA", 21, 26),
        call(utc(2026, 11, 27, 14), "NA"),
        call(utc(2026, 11, 24, 15), "RPC_CB"),
    )
    state = call_state(account(contacts=contacts), POLICY, NOW)
    assert not state.held
    # The conversation on Nov 24 binds longer (to Dec 1) than the seventh call (to Nov 28).
    assert state.frequency_clear_at == utc(2026, 12, 1, 5)
    assert state.exempt_until is None
    consent = utc(2026, 11, 27, 9)
    assert call_state(account(call_consent_at=consent), POLICY, NOW).exempt_until == consent + timedelta(
        days=7
    )


# -- a conversation is with the consumer; the moment decides; the words come from the policy -----


@pytest.mark.parametrize(
    ("code", "starts"), [("WRONG", False), ("3RD", False), ("RPC_CB", True), ("INBOUND", True)]
)
def test_only_a_conversation_with_the_consumer_starts_the_seven_days(code: str, starts: bool) -> None:
    """12 CFR 1006.14(b)(2)(ii): "a telephone conversation with the person": a wrong number or a
    third party is no conversation with the consumer."""
    talked = (call(utc(2026, 11, 26, 15), code),)  # Thu Nov 26, 10:00 EST: day 1
    before = verdict(utc(2026, 11, 26, 14, 59), contacts=talked)  # the moment before: not yet said
    assert "conversation" not in phone_rules(before)
    at = verdict(utc(2026, 11, 26, 15), contacts=talked)
    assert ("conversation" in phone_rules(at)) == starts
    if starts:
        [block] = [b for b in at.phones[0].blocks if b.rule_id == "conversation"]
        assert block.until == utc(2026, 12, 3, 5)  # Dec 3 00:00 EST, the first day after the seven
        assert "conversation" in phone_rules(verdict(utc(2026, 12, 3, 4, 59), contacts=talked))
    assert "conversation" not in phone_rules(verdict(utc(2026, 12, 3, 5), contacts=talked))


def test_a_verdict_at_a_past_moment_counts_nothing_dated_after_it() -> None:
    """``collector compliance --at``: what happened later does not count (the seventh call, a cease)."""
    contacts = _daily("NA", 21, 27)  # seven calls, the last at 15:00 on Nov 27
    holds = (Hold("cease", utc(2026, 11, 27, 16)),)
    before = verdict(utc(2026, 11, 27, 14, 59), contacts=contacts, holds=holds)
    assert phone_rules(before) == set()  # six calls so far, no cease yet
    at = verdict(utc(2026, 11, 27, 15), contacts=contacts, holds=holds)
    assert phone_rules(at) == {"frequency"}
    later = verdict(utc(2026, 11, 27, 16), contacts=contacts, holds=holds)
    assert phone_rules(later) == {"frequency", "cease"}
    # The stored call state reads everything on file: a contact dated later is never left out.
    assert call_state(
        account(contacts=contacts), POLICY, utc(2026, 11, 27, 14, 59)
    ).frequency_clear_at == utc(2026, 11, 28, 5)


def test_the_reasons_are_worded_from_the_policys_numbers() -> None:
    office = parse_policy(
        shipped_policy_text(), "[rules.frequency]\nattempts = 3\ndays = 5\n[rules.conversation]\ndays = 4\n"
    )
    facts = account(contacts=_daily("NA", 25, 27))
    [block] = evaluate(facts, office, NOW).phones[0].blocks
    assert block.reason.startswith("call 3 of 3 in 5 days already placed on this debt")
    assert block.until == utc(2026, 11, 30, 5)  # Nov 25 + 5 days
    talked = account(contacts=(call(utc(2026, 11, 26, 15), "RPC_CB"),))
    [block] = evaluate(talked, office, NOW).phones[0].blocks
    assert "no calls for 4 days (day 2 of 4)" in block.reason
    assert block.until == utc(2026, 11, 30, 5)  # Nov 26 + 4 days


ZONES_OF_CONSUMERS = ("Pacific/Guam", "America/New_York", "America/Chicago", "America/Los_Angeles",
                      "America/Anchorage", "Pacific/Honolulu", "Pacific/Pago_Pago")  # fmt: skip


@pytest.mark.parametrize("zone_name", ZONES_OF_CONSUMERS)
def test_the_look_back_reaches_the_first_day_of_every_window(zone_name: str) -> None:
    """The history is read from the longest window any limit in force counts (Massachusetts' 30
    days), so that no limit counts fewer days than it says, at any hour in any zone."""
    lookback = contact_lookback(POLICY)
    windows = [POLICY.rule("frequency").int_param("days"), POLICY.rule("conversation").int_param("days")]
    windows += [limit.days for limits in POLICY.contact_limits.values() for limit in limits]
    assert max(windows) == 30
    for hour in range(0, 24 * 2, 1):
        now = utc(2026, 11, 27) + timedelta(hours=hour, minutes=59)
        today = now.astimezone(ZoneInfo(zone_name)).date()
        for days in windows:
            first = local_midnight(today - timedelta(days=days - 1), zone_name)  # the window's first moment
            assert first >= now - lookback, (zone_name, now, days)
