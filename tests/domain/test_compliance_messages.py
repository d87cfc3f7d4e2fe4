"""Texts and email (12 CFR 1006.6(b)(1), (e), 1006.14(h); 47 CFR 64.1200), disputes and cease requests
(15 U.S.C. 1692g(b), 1692e(8); 12 CFR 1006.34(b)(5), 1006.6(c), 1006.14(h)), with exact moments."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from collector_tui.domain.compliance.engine import ACTIONS, COMMUNICATIONS, Verdict, call_state, evaluate
from collector_tui.domain.compliance.facts import Hold
from collector_tui.domain.compliance.policy import parse_policy
from collector_tui.services.law.policy import shipped_policy_text
from tests.domain.compliance_helpers import POLICY, account, action_rules, phone, phone_rules, utc, verdict

NOW = utc(2026, 11, 27, 16)  # Friday, 11:00 in Columbus, Ohio (EST = UTC-5)
CONSENTED = phone("6145550142", 1, phone_type="mobile", consent_at=utc(2026, 3, 1))


def text_rules(result: Verdict, index: int = 0) -> set[str]:
    return {b.rule_id for b in result.phones[index].text_blocks}


def email_rules(result: Verdict) -> set[str]:
    return {b.rule_id for b in result.email_blocks}


# -- texts -----------------------------------------------------------------------------------------


def test_a_mobile_number_with_consent_may_be_texted_and_an_address_on_file_emailed() -> None:
    result = verdict(NOW, phones=(CONSENTED,), has_email=True)
    assert result.phones[0].textable and not result.email_blocks
    assert result.actions["email_text"].allowed


@pytest.mark.parametrize(
    ("changes", "rule"),
    [
        ({"consent_at": None}, "text_consent"),  # 47 CFR 64.1200(a)(1)(iii)
        ({"phone_type": "home"}, "text_consent"),  # a text goes only to a mobile
        ({"consent_revoked_at": utc(2026, 10, 2), "consent_revoked_via": "text"}, "consent_revoked"),
        ({"do_not_call": True, "do_not_call_at": utc(2026, 10, 2)}, "do_not_call"),
        ({"text_opt_out_at": utc(2026, 11, 20, 15)}, "opt_out"),  # 1006.6(e), 1006.14(h)
        ({"status": "disconnected"}, "phone_status"),
    ],
)
def test_a_text_to_this_number_is_blocked(changes: dict[str, object], rule: str) -> None:
    mobile = phone("6145550142", 1, **{"phone_type": "mobile", "consent_at": utc(2026, 3, 1)} | changes)
    result = verdict(NOW, phones=(mobile,))
    assert rule in text_rules(result)
    assert not result.actions["email_text"].allowed  # and no email address on file
    assert {"email_address", "phones"} <= action_rules(result, "email_text")


def test_an_opt_out_counts_from_the_moment_it_was_made() -> None:
    mobile = phone("6145550142", 1, phone_type="mobile", consent_at=utc(2026, 3, 1), text_opt_out_at=NOW)
    assert "opt_out" not in text_rules(verdict(utc(2026, 11, 27, 15, 59), phones=(mobile,)))
    assert "opt_out" in text_rules(verdict(NOW, phones=(mobile,)))


def test_consent_to_text_may_be_a_business_choice_the_office_switches_off() -> None:
    manual = parse_policy(shipped_policy_text(), "[rules.text_consent]\nrequire_consent = false\n")
    mobile = phone("6145550142", 1, phone_type="mobile")
    assert "text_consent" in text_rules(verdict(NOW, phones=(mobile,)))
    assert evaluate(account(phones=(mobile,)), manual, NOW).phones[0].textable


# (moment, allowed, lifts): the calling window holds at the moment a text or an email is sent.
SENDING = [
    (utc(2026, 11, 28, 1, 59), True, None),  # Fri 20:59 EST
    (utc(2026, 11, 28, 2), False, utc(2026, 11, 28, 13)),  # Fri 21:00 EST: until Sat 08:00 EST
    (utc(2026, 11, 28, 12, 59), False, utc(2026, 11, 28, 13)),  # Sat 07:59 EST
    (utc(2026, 11, 28, 13), True, None),  # Sat 08:00 EST
]


@pytest.mark.parametrize(("at", "allowed", "lifts"), SENDING)
def test_the_calling_window_applies_to_a_text_or_an_email_when_it_is_sent(
    at: datetime, allowed: bool, lifts: datetime | None
) -> None:
    result = verdict(at, phones=(CONSENTED,), has_email=True)
    for blocks in (result.phones[0].text_blocks, result.email_blocks):
        window = [b for b in blocks if b.rule_id == "window"]
        assert (not window) == allowed
        if window:
            assert window[0].until == lifts and window[0].citation == "12 CFR 1006.6(b)(1)(i)"
    assert result.actions["email_text"].allowed == allowed


def test_an_email_waits_for_every_zone_the_consumer_may_be_in() -> None:
    # An Ohio address and a Los Angeles mobile: 08:00 Pacific is 11:00 Eastern.
    la = phone("3105550142", 1, phone_type="mobile", consent_at=utc(2026, 3, 1))
    result = verdict(utc(2026, 11, 27, 15), phones=(la,), has_email=True)  # 10:00 EST, 07:00 PST
    [block] = [b for b in result.email_blocks if b.rule_id == "window"]
    assert block.until == utc(2026, 11, 27, 16)


def test_inconvenient_times_apply_to_email() -> None:
    result = verdict(utc(2026, 11, 27, 17, 30), has_email=True, inconvenient_times="mon-fri 12:00-13:00")
    [block] = [b for b in result.email_blocks if b.rule_id == "inconvenient"]
    assert block.until == utc(2026, 11, 27, 18)


def test_an_email_opt_out_and_no_address_on_file() -> None:
    assert email_rules(verdict(NOW)) == {"email_address"}
    out = verdict(NOW, has_email=True, email_opt_out_at=utc(2026, 11, 2, 15))
    [block] = out.email_blocks
    assert block.rule_id == "opt_out" and "opted out of email on 2026-11-02" in block.reason
    assert (
        email_rules(verdict(utc(2026, 11, 2, 14, 59), has_email=True, email_opt_out_at=utc(2026, 11, 2, 15)))
        == set()
    )


def test_either_medium_open_is_enough_for_the_email_or_text_action() -> None:
    result = verdict(NOW, phones=(phone("6145550142", 1, phone_type="home"),), has_email=True)
    assert not result.phones[0].textable and result.actions["email_text"].allowed


# -- disputes --------------------------------------------------------------------------------------

HONOLULU = {"state": "HI", "zip_code": "96813", "phones": (phone("8085550111"),)}  # HST = UTC-10
NOTICE = date(
    2026, 10, 1
)  # Thu: received (assumed) Thu Oct 8, five business days later; period ends Sat Nov 7


@pytest.mark.parametrize(
    ("received", "inside"),
    [
        (utc(2026, 11, 8, 9, 59), True),  # Nov 7, 23:59 in Honolulu: the last day of the period
        (utc(2026, 11, 8, 10), False),  # Nov 8, 00:00 in Honolulu (already Nov 8 in UTC since 00:00)
    ],
)
def test_the_validation_period_is_judged_on_the_consumers_calendar(received: datetime, inside: bool) -> None:
    result = verdict(
        NOW, **HONOLULU, validation_notice_date=NOTICE, holds=(Hold("dispute", received, "written"),)
    )
    assert ("dispute" in phone_rules(result)) == inside
    assert ("dispute" in action_rules(result, "letter")) == inside
    assert "dispute_reporting" in {c.rule_id for c in result.actions["credit_reporting"].conditions}


def test_the_safe_harbor_skips_weekends_and_federal_holidays() -> None:
    from collector_tui.domain.compliance.engine import validation_period_end

    # Fri Oct 9 2026: Columbus Day (Mon Oct 12) is not a business day: received Mon Oct 19, not
    # Fri Oct 16; the period ends Wed Nov 18.
    assert validation_period_end(date(2026, 10, 9), POLICY) == date(2026, 11, 18)
    # Wed Dec 23: Christmas, then the weekend: received Thu Dec 31; the period ends Sat Jan 30 2027.
    assert validation_period_end(date(2026, 12, 23), POLICY) == date(2027, 1, 30)


def test_a_dispute_after_the_period_is_reported_as_disputed_not_banned_from_reporting() -> None:
    result = verdict(NOW, validation_notice_date=NOTICE, holds=(Hold("dispute", utc(2026, 11, 9, 15)),))
    assert "dispute_reporting" not in action_rules(result, "credit_reporting")
    [condition] = result.actions["credit_reporting"].conditions
    assert condition.rule_id == "dispute_reporting" and "only as disputed" in condition.reason
    assert condition.citation.startswith("15 U.S.C. 1692e(8)")
    assert result.phones[0].allowed and result.actions["letter"].allowed


def test_an_oral_dispute_inside_the_period_does_not_stop_collection_unless_the_office_says_so() -> None:
    holds = (Hold("dispute", utc(2026, 11, 2, 15), "oral"),)
    result = verdict(NOW, validation_notice_date=NOTICE, holds=holds)
    assert "dispute" not in phone_rules(result)  # 1692g(b) asks for it in writing
    assert {c.rule_id for c in result.actions["credit_reporting"].conditions} == {"dispute_reporting"}
    strict = parse_policy(shipped_policy_text(), "[rules.dispute]\noral_stops_collection = true\n")
    held = evaluate(account(validation_notice_date=NOTICE, holds=holds), strict, NOW)
    [block] = [b for b in held.phones[0].blocks if b.rule_id == "dispute"]
    assert "received orally on 2026-11-02" in block.reason


# -- cease -----------------------------------------------------------------------------------------


def test_only_a_written_cease_stops_every_communication() -> None:
    result = verdict(
        NOW, phones=(CONSENTED,), has_email=True, holds=(Hold("cease", utc(2026, 11, 20), "written"),)
    )
    for action in ACTIONS:
        assert ("cease" in action_rules(result, action)) == (action in COMMUNICATIONS), action
    [block] = [b for b in result.actions["letter"].blocks if b.rule_id == "cease"]
    assert "only a letter saying collection stops, or notifying of a specific remedy" in block.reason
    assert block.citation.startswith("12 CFR 1006.6(c)")


def test_an_oral_stop_calling_stops_calls_while_letters_and_email_stay_allowed() -> None:
    holds = (Hold("cease", utc(2026, 11, 20, 15), "oral"),)
    result = verdict(NOW, phones=(CONSENTED,), has_email=True, holds=holds)
    assert "cease" in phone_rules(result)
    [block] = [b for b in result.actions["call"].blocks if b.rule_id == "cease"]
    assert block.citation == "12 CFR 1006.14(h)(1)" and "letters may still be sent" in block.reason
    assert "cease" in action_rules(result, "voicemail")
    assert result.actions["letter"].allowed and result.actions["email_text"].allowed
    assert call_state(account(holds=holds), POLICY, NOW).held
    # Before it was said, nothing stops.
    assert "cease" not in phone_rules(verdict(utc(2026, 11, 20, 14, 59), holds=holds))


def test_an_office_may_stop_more_channels_on_an_oral_cease() -> None:
    policy = parse_policy(
        shipped_policy_text(), '[rules.cease]\noral_stops = ["call", "voicemail", "email_text"]\n'
    )
    result = evaluate(account(has_email=True, holds=(Hold("cease", utc(2026, 11, 20), "oral"),)), policy, NOW)
    assert "cease" in action_rules(result, "email_text") and result.actions["letter"].allowed
