"""Holds, 501(r) extraordinary collection actions, credit reporting, time-barred debt, phone flags."""

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
    assert "dispute_reporting" in action_rules(result, "credit_reporting")


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
    result = verdict(NOW, phones=(phone("6145550142", **changes), phone("6145550143", 2)))
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


# -- 501(r) extraordinary collection actions -----------------------------------------------------

FIRST_STATEMENT = date(2026, 1, 1)


def _day(n: int) -> date:
    return date.fromordinal(FIRST_STATEMENT.toordinal() + n)


@pytest.mark.parametrize(
    ("day", "notice_day", "allowed", "lifts_day"),
    [
        (119, 90, False, 120),
        (120, 90, True, None),
        (121, 90, True, None),
        (125, 100, False, 130),
        (129, 100, False, 130),
        (130, 100, True, None),
    ],
)
def test_a_nonprofit_waits_120_days_after_the_first_statement_and_30_after_the_notice(
    day: int, notice_day: int, allowed: bool, lifts_day: int | None
) -> None:
    at = utc(_day(day).year, _day(day).month, _day(day).day, 16)
    result = verdict(
        at, nonprofit=True, first_statement_date=FIRST_STATEMENT, eca_notice_date=_day(notice_day)
    )
    for action in ("sale", "legal_action"):
        blocks = [b for b in result.actions[action].blocks if b.rule_id == "eca_waiting"]
        assert (not blocks) == allowed, action
        if lifts_day is not None:
            lifts = _day(lifts_day)
            assert blocks[0].until == utc(lifts.year, lifts.month, lifts.day, 4)  # 00:00 EDT
    # Placement with an outside agency is not an extraordinary collection action.
    assert result.actions["agency_placement"].allowed


def test_a_nonprofit_sends_the_written_notice_first() -> None:
    result = verdict(NOW, nonprofit=True, first_statement_date=date(2025, 1, 1))
    assert "eca_waiting" in action_rules(result, "sale")
    assert "eca_waiting" not in action_rules(verdict(NOW, first_statement_date=date(2025, 1, 1)), "sale")


# -- credit reporting ----------------------------------------------------------------------------


def test_a_reportable_account_may_be_reported() -> None:
    assert verdict(NOW, **REPORTABLE).actions["credit_reporting"].allowed


@pytest.mark.parametrize(("cents", "allowed"), [(49_999, False), (49_900, False), (50_000, True)])
def test_medical_debt_under_500_dollars_is_not_reported(cents: int, allowed: bool) -> None:
    result = verdict(NOW, **REPORTABLE | {"total_balance_cents": cents})
    assert result.actions["credit_reporting"].allowed == allowed


def test_paid_debt_is_never_reported() -> None:
    result = verdict(NOW, **REPORTABLE | {"total_balance_cents": 0, "status": "paid"})
    assert "credit_reporting_paid" in action_rules(result, "credit_reporting")


def test_reporting_waits_a_year_after_delinquency() -> None:
    result = verdict(NOW, **REPORTABLE | {"first_statement_date": date(2026, 1, 15)})
    [block] = result.actions["credit_reporting"].blocks
    assert block.until == utc(2027, 1, 15, 6)  # 00:00 CST in Austin


def test_reporting_needs_a_conversation_or_a_letter_fourteen_days_old() -> None:
    silent = REPORTABLE | {"first_right_party_contact_at": None}
    assert not verdict(NOW, **silent).actions["credit_reporting"].allowed
    lettered = verdict(NOW, **silent | {"first_letter_at": utc(2026, 11, 20, 16)})
    [block] = lettered.actions["credit_reporting"].blocks
    assert block.until == utc(2026, 12, 4, 16)
    assert (
        verdict(NOW, **silent | {"first_letter_at": utc(2026, 11, 13, 16)})
        .actions["credit_reporting"]
        .allowed
    )


@pytest.mark.parametrize(
    ("state", "zip_code", "at", "banned"),
    [
        ("CO", "80202", NOW, True),
        ("TX", "78701", NOW, False),
        ("CO", "80202", utc(2023, 8, 6, 18), False),  # the day before Colorado's ban took effect
        ("NY", "12207", NOW, True),
        ("CA", "95814", NOW, True),
        ("MD", "21201", NOW, True),
        ("WA", "98101", NOW, True),
    ],
)
def test_states_that_ban_reporting_medical_debt(state: str, zip_code: str, at: object, banned: bool) -> None:
    result = verdict(
        at, **REPORTABLE | {"state": state, "zip_code": zip_code, "first_statement_date": date(2021, 1, 1)}
    )  # type: ignore[arg-type]
    bans = [b for b in result.actions["credit_reporting"].blocks if b.rule_id.startswith("state_ban.")]
    assert bool(bans) == banned
    if banned:
        assert bans[0].until is None and bans[0].citation


# -- time-barred debt ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "last_payment", "barred"),
    [
        ("TX", date(2022, 11, 1), True),  # four years ended 2026-11-01
        ("TX", date(2022, 11, 27), True),  # the limit ends today
        ("TX", date(2022, 11, 28), False),  # ... tomorrow
        ("TX", date(2023, 1, 1), False),
        ("OH", date(2022, 11, 1), False),  # six years
        ("ZZ", date(2023, 11, 1), True),  # unknown state: the shortest limit, three years
    ],
)
def test_legal_action_on_time_barred_debt_is_always_blocked(
    state: str, last_payment: date, barred: bool
) -> None:
    result = verdict(NOW, state=state, zip_code=None, last_payment_date=last_payment)
    assert ("time_barred" in action_rules(result, "legal_action")) == barred
    assert "time_barred" not in action_rules(result, "letter")
