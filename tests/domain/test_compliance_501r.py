"""501(r) (26 CFR 1.501(r)-6), nonprofit facilities only: no extraordinary collection action before
the notification period ends and the written notice's 30 days have passed; an application for
financial assistance made inside the application period suspends them until it is decided."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest

from collector_tui.domain.compliance.clock import local_midnight
from collector_tui.domain.compliance.engine import ACTIONS, ECAS, day_zone, evaluate
from collector_tui.domain.compliance.facts import Hold
from collector_tui.domain.compliance.policy import parse_policy
from collector_tui.services.law.policy import shipped_policy_text
from tests.domain.compliance_helpers import POLICY, account, action_rules, utc, verdict

FIRST_STATEMENT = date(2026, 1, 1)
NOW = utc(2026, 11, 27, 16)
# The law alone: the office's pause of every action during an application switched off.
LAW = parse_policy(shipped_policy_text(), "[rules.financial_assistance]\npause_all_actions = false\n")


def _day(n: int) -> date:
    return FIRST_STATEMENT + timedelta(days=n)


def midnight(day: date) -> datetime:
    return local_midnight(day, day_zone(account()))  # Columbus, Ohio


def rules_for(action: str, at: datetime, policy: Any = POLICY, **changes: Any) -> set[str]:
    return action_rules(evaluate(account(**changes), policy, at), action)


# -- the notification period and the written notice ------------------------------------------------


@pytest.mark.parametrize(
    ("day", "notice_day", "lifts_day"),
    [
        (119, 90, 120),  # the notification period decides
        (120, 90, None),
        (125, 100, 130),  # the notice's 30 days decide
        (129, 100, 130),
        (130, 100, None),
    ],
)
def test_a_nonprofit_waits_120_days_after_the_first_statement_and_30_after_the_notice(
    day: int, notice_day: int, lifts_day: int | None
) -> None:
    changes = {
        "nonprofit": True,
        "first_statement_date": FIRST_STATEMENT,
        "eca_notice_date": _day(notice_day),
    }
    result = evaluate(account(**changes), POLICY, midnight(_day(day)) + timedelta(hours=12))
    for action in ACTIONS:
        found = [b for b in result.actions[action].blocks if b.rule_id == "eca_waiting"]
        assert bool(found) == (action in ECAS and lifts_day is not None), action
        if found and lifts_day is not None:
            assert found[0].until == midnight(_day(lifts_day))
            assert "120 days after the first post-discharge statement" in found[0].reason
            assert "30 days after the written notice" in found[0].reason


def test_the_wait_lifts_at_local_midnight() -> None:
    changes = {"nonprofit": True, "first_statement_date": FIRST_STATEMENT, "eca_notice_date": _day(100)}
    lifts = midnight(_day(130))
    assert "eca_waiting" in rules_for("sale", lifts - timedelta(minutes=1), **changes)
    assert "eca_waiting" not in rules_for("sale", lifts, **changes)


def test_with_no_notice_on_file_it_was_not_sent_and_the_reason_says_send_it() -> None:
    result = verdict(NOW, nonprofit=True, first_statement_date=date(2025, 1, 1))
    [block] = [b for b in result.actions["legal_action"].blocks if b.rule_id == "eca_waiting"]
    assert block.until is None
    assert block.reason.startswith("the written notice of the extraordinary collection actions intended")
    assert "send it" in block.reason and "30 days after it" in block.reason
    # Sent: 30 days later the actions may follow.
    sent = date(2026, 11, 1)
    later = verdict(NOW, nonprofit=True, first_statement_date=date(2025, 1, 1), eca_notice_date=sent)
    [block] = [b for b in later.actions["legal_action"].blocks if b.rule_id == "eca_waiting"]
    assert block.until == midnight(date(2026, 12, 1))
    assert "eca_waiting" not in rules_for(
        "legal_action",
        midnight(date(2026, 12, 1)),
        nonprofit=True,
        first_statement_date=date(2025, 1, 1),
        eca_notice_date=sent,
    )


def test_with_no_first_statement_on_file_the_reason_says_record_it() -> None:
    result = verdict(NOW, nonprofit=True, first_statement_date=None, eca_notice_date=date(2026, 1, 1))
    [block] = [b for b in result.actions["sale"].blocks if b.rule_id == "eca_waiting"]
    assert block.until is None and "record it" in block.reason


def test_only_nonprofit_facilities_and_never_agency_placement() -> None:
    assert "eca_waiting" not in rules_for("sale", NOW, first_statement_date=date(2025, 1, 1))
    assert rules_for("agency_placement", NOW, nonprofit=True, first_statement_date=date(2026, 11, 1)) == set()


def test_the_explanation_follows_the_policy_s_numbers() -> None:
    longer = parse_policy(shipped_policy_text(), "[rules.eca_waiting]\ndays_after_written_notice = 45\n")
    result = evaluate(
        account(nonprofit=True, first_statement_date=FIRST_STATEMENT, eca_notice_date=date(2026, 11, 1)),
        longer,
        NOW,
    )
    [block] = [b for b in result.actions["sale"].blocks if b.rule_id == "eca_waiting"]
    assert "45 days after the written notice" in block.reason and block.until == midnight(date(2026, 12, 16))


# -- an application for financial assistance -------------------------------------------------------

DONE = {"nonprofit": True, "first_statement_date": date(2025, 1, 1), "eca_notice_date": date(2025, 2, 1)}


@pytest.mark.parametrize(("applied_day", "suspends"), [(239, True), (240, True), (241, False)])
def test_an_application_suspends_ecas_only_inside_the_application_period(
    applied_day: int, suspends: bool
) -> None:
    applied = date(2025, 1, 1) + timedelta(days=applied_day)
    changes = DONE | {"fap_status": "pending", "fap_application_date": applied}
    for action in ACTIONS:
        found = "fap_application" in rules_for(action, NOW, LAW, **changes)
        assert found == (suspends and action in ECAS), action
    assert rules_for("call", NOW, LAW, **changes) == set()  # 501(r) stops no call


def test_the_suspension_bites_on_the_day_of_the_application_and_lifts_when_it_is_decided() -> None:
    applied = date(2025, 6, 2)
    changes = DONE | {"fap_status": "pending", "fap_application_date": applied}
    bites = midnight(applied)
    assert "fap_application" not in rules_for("legal_action", bites - timedelta(minutes=1), LAW, **changes)
    [block] = [b for b in evaluate(account(**changes), LAW, bites).actions["legal_action"].blocks]
    assert block.rule_id == "fap_application" and block.until is None
    assert "2025-06-02, inside the application period (it ends 2025-08-29" in block.reason
    for decided in ("approved", "denied"):
        assert rules_for("legal_action", bites, LAW, **changes | {"fap_status": decided}) == set()


def test_an_application_with_no_date_is_taken_as_inside_the_period() -> None:
    changes = DONE | {"holds": (Hold("financial_assistance", utc(2026, 11, 1)),)}
    found = [b for b in evaluate(account(**changes), LAW, NOW).actions["sale"].blocks]
    assert [b.rule_id for b in found] == ["fap_application"]
    assert "its date is not on file" in found[0].reason


def test_an_application_at_a_facility_that_is_not_nonprofit_suspends_nothing_under_501r() -> None:
    changes = DONE | {"nonprofit": False, "fap_status": "pending", "fap_application_date": date(2025, 2, 1)}
    for action in ACTIONS:
        assert not rules_for(action, NOW, LAW, **changes) & {"fap_application", "financial_assistance"}, (
            action
        )


def test_by_default_the_office_pauses_every_action_during_an_application() -> None:
    changes = DONE | {"nonprofit": False, "fap_status": "requested"}
    for action in ACTIONS:
        assert "financial_assistance" in rules_for(action, NOW, **changes), action
    [block] = [b for b in verdict(NOW, **changes).actions["letter"].blocks]
    assert "office policy" in block.reason and "office policy" in block.citation


def test_washington_law_pauses_collection_during_a_charity_care_application_whatever_the_switch() -> None:
    changes = {"state": "WA", "zip_code": "98101", "fap_status": "pending"}
    bites = local_midnight(date(2019, 7, 28), day_zone(account(**changes)))
    assert "financial_assistance" not in rules_for("letter", bites - timedelta(minutes=1), LAW, **changes)
    [block] = [b for b in evaluate(account(**changes), LAW, bites).actions["letter"].blocks]
    assert block.rule_id == "financial_assistance" and block.citation.startswith("RCW 19.16.250")
    assert rules_for("letter", bites, LAW, **changes | {"fap_status": "denied"}) == set()
