"""Holds and phone flags. 501(r), credit reporting, time-barred debt and state hospital-billing
laws have their own files: test_compliance_501r.py, test_compliance_credit.py,
test_compliance_sol.py, test_compliance_state_hospital.py."""

from __future__ import annotations

from datetime import date

import pytest

from collector_tui.domain.compliance.engine import ACTIONS, COMMUNICATIONS, validation_period_end
from collector_tui.domain.compliance.facts import Hold
from tests.domain.compliance_helpers import POLICY, action_rules, phone, phone_rules, utc, verdict

NOW = utc(2026, 11, 27, 16)  # 11:00 in Ohio
# Reportable on its face: old, over $500, spoken to, Texas (no state ban).
REPORTABLE = {
    "state": "TX",
    "zip_code": "78701",
    "first_statement_date": date(2024, 6, 1),
    "first_right_party_contact_at": utc(2025, 1, 5, 16),
    "phones": (phone("5125550100"),),
}


# -- the validation period and disputes ----------------------------------------------------------


def test_the_validation_period_ends_thirty_days_after_assumed_receipt() -> None:
    # Sent Thu Oct 1 2026: five business days later is Thu Oct 8; thirty days after, Sat Nov 7.
    assert validation_period_end(date(2026, 10, 1), POLICY) == date(2026, 11, 7)
    # Sent Fri Nov 20: Thanksgiving (Nov 26) is not a business day, so receipt is Mon Nov 30.
    assert validation_period_end(date(2026, 11, 20), POLICY) == date(2026, 12, 30)


def test_a_dispute_inside_the_validation_period_stops_collection_until_verified() -> None:
    result = verdict(
        NOW, validation_notice_date=date(2026, 10, 1), holds=(Hold("dispute", utc(2026, 11, 7, 20)),)
    )
    for action in ACTIONS:
        assert "dispute" in action_rules(result, action), action
    [block] = [b for b in result.actions["letter"].blocks if b.rule_id == "dispute"]
    assert block.until is None and block.citation.startswith("12 CFR 1006.38")
    assert "dispute" in phone_rules(result)


def test_a_dispute_after_the_validation_period_stops_reporting_but_not_calls() -> None:
    result = verdict(
        NOW, validation_notice_date=date(2026, 10, 1), holds=(Hold("dispute", utc(2026, 11, 9, 15)),)
    )
    assert result.phones[0].allowed
    assert result.actions["letter"].allowed
    # Reported only as disputed (15 U.S.C. 1692e(8)): a condition of reporting, not a ban.
    assert "dispute_reporting" not in action_rules(result, "credit_reporting")
    assert {c.rule_id for c in result.actions["credit_reporting"].conditions} == {"dispute_reporting"}


def test_a_dispute_with_no_notice_on_file_is_treated_as_inside_the_period() -> None:
    result = verdict(NOW, holds=(Hold("dispute", utc(2026, 11, 9, 15)),))
    assert "dispute" in phone_rules(result)


def test_a_request_for_the_original_creditor_is_a_hold_like_a_dispute() -> None:
    result = verdict(
        NOW, validation_notice_date=date(2026, 11, 2), holds=(Hold("original_creditor", utc(2026, 11, 20)),)
    )
    assert "original_creditor" in phone_rules(result)


# -- the other holds -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "rule", "blocked"),
    [
        ({"cease_communication": True}, "cease", COMMUNICATIONS),
        ({"holds": (Hold("cease", utc(2026, 11, 1)),)}, "cease", COMMUNICATIONS),
        ({"attorney_represented": True}, "attorney", COMMUNICATIONS),
        ({"bankruptcy": True}, "bankruptcy", frozenset(ACTIONS)),
        ({"deceased": True}, "deceased", frozenset(ACTIONS)),
        ({"fap_status": "pending"}, "financial_assistance", frozenset(ACTIONS)),
        ({"fap_status": "requested"}, "financial_assistance", frozenset(ACTIONS)),
        ({"holds": (Hold("nsa_dispute", utc(2026, 11, 1)),)}, "nsa_dispute", frozenset(ACTIONS)),
        ({"insurance_pending_cents": 5000}, "insurance_pending", frozenset(ACTIONS)),
        ({"claims_unresolved": True}, "insurance_pending", frozenset(ACTIONS)),
        ({"holds": (Hold("supervisor", utc(2026, 11, 1)),)}, "supervisor_hold", frozenset(ACTIONS)),
        ({"status": "recalled"}, "account_status", frozenset(ACTIONS)),
        (
            {"state": "CO", "zip_code": "80202", "holds": (Hold("itemized_statement", utc(2026, 11, 1)),)},
            "itemized_statement",
            frozenset(ACTIONS),
        ),
    ],
)
def test_holds_block_their_actions_until_resolved(
    changes: dict[str, object], rule: str, blocked: frozenset[str]
) -> None:
    result = verdict(NOW, **REPORTABLE | changes)
    for action in ACTIONS:
        assert (rule in action_rules(result, action)) == (action in blocked), action
    assert all(b.until is None for b in result.actions["letter"].blocks if b.rule_id == rule)
    assert (rule in phone_rules(result)) == ("call" in blocked)


def test_an_itemized_statement_request_pauses_collection_only_where_state_law_says() -> None:
    hold = (Hold("itemized_statement", utc(2026, 11, 1)),)
    assert verdict(NOW, **REPORTABLE | {"holds": hold}).phones[0].allowed  # Texas


# -- phones --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "rule"),
    [
        ({"do_not_call": True, "do_not_call_at": utc(2026, 10, 2)}, "do_not_call"),
        ({"consent_revoked_at": utc(2026, 10, 2), "consent_revoked_via": "letter"}, "consent_revoked"),
        ({"status": "wrong"}, "phone_status"),
        ({"status": "disconnected"}, "phone_status"),
        ({"valid": False}, "phone_status"),
    ],
)
def test_a_number_can_be_blocked_on_its_own(changes: dict[str, object], rule: str) -> None:
    result = verdict(NOW, phones=(phone("6145550142", 1, **changes), phone("6145550143", 2)))
    [block] = result.phones[0].blocks
    assert block.rule_id == rule and block.until is None
    assert result.phones[1].allowed and result.actions["call"].allowed


def test_revoked_consent_says_when_and_how() -> None:
    result = verdict(
        NOW, phones=(phone("6145550142", consent_revoked_at=utc(2026, 10, 2), consent_revoked_via="letter"),)
    )
    assert "revoked by letter on 2026-10-02" in result.phones[0].blocks[0].reason
    assert not result.actions["call"].allowed


def test_no_calls_at_work() -> None:
    work = phone("6145550142", phone_type="work", is_work=True)
    assert verdict(NOW, phones=(work,)).phones[0].allowed
    result = verdict(NOW, phones=(work,), no_calls_at_work=True)
    assert phone_rules(result) == {"work"}


def test_no_phone_on_file() -> None:
    result = verdict(NOW, phones=())
    assert action_rules(result, "call") == {"phones"}
    assert not result.callable_now
