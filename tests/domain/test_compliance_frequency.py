"""Call frequency (12 CFR 1006.14(b)): 7 placed calls in 7 days, 7 days after a conversation."""

from __future__ import annotations

from datetime import date, timedelta

from collector_tui.domain.compliance.engine import call_state
from collector_tui.domain.contact_log import parse_activity_row
from tests.domain.compliance_helpers import DISPOSITIONS, POLICY, account, call, phone_rules, utc, verdict

NOW = utc(2026, 11, 27, 15)  # Friday, 10:00 in Columbus, Ohio (EST)


def _daily(code: str, first_day: int, last_day: int) -> tuple:  # type: ignore[type-arg]
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
    [block] = [b for b in two.phones[0].blocks if b.rule_id == "frequency"]
    assert block.citation == "940 CMR 7.04(1)(f)"
    assert block.until == utc(2026, 12, 2, 5)  # Nov 25 + 7 days, 00:00 EST
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
