"""Building facts for the compliance tests: one account, its phones and its history."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from collector_tui.domain.compliance.engine import Verdict, evaluate
from collector_tui.domain.compliance.facts import AccountFacts, Contact, PhoneFacts
from collector_tui.domain.compliance.policy import CompliancePolicy, parse_policy
from collector_tui.domain.phones import normalize_phone
from collector_tui.services.law.policy import load_workspace_policy, shipped_policy_text

POLICY: CompliancePolicy = parse_policy(shipped_policy_text())

DISPOSITIONS = load_workspace_policy().dispositions


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def phone(number: str, phone_id: int = 1, **changes: Any) -> PhoneFacts:
    normalized = normalize_phone(number)
    values: dict[str, Any] = {
        "phone_id": phone_id,
        "number": normalized.number,
        "valid": normalized.valid,
        "time_zones": normalized.time_zones,
    }
    values.update(changes)
    return PhoneFacts(**values)


def call(moment: datetime, code: str = "NA", channel: str = "call") -> Contact:
    """A logged call with the disposition's own counting flags (as the activity log stores them)."""
    d = DISPOSITIONS[code]
    return Contact(moment, channel, attempt=d.attempt, conversation=d.conversation, right_party=d.right_party)


def account(**changes: Any) -> AccountFacts:
    values: dict[str, Any] = {
        "account_id": 1,
        "state": "OH",
        "zip_code": "43215",
        "total_balance_cents": 100_000,
        "first_statement_date": date(2025, 1, 10),
        "phones": (phone("6145550142"),),
    }
    values.update(changes)
    return AccountFacts(**values)


def verdict(at: datetime, **changes: Any) -> Verdict:
    return evaluate(account(**changes), POLICY, at)


def rules_of(blocks: Any) -> set[str]:
    return {block.rule_id for block in blocks}


def phone_rules(result: Verdict, index: int = 0) -> set[str]:
    return rules_of(result.phones[index].blocks)


def action_rules(result: Verdict, action: str) -> set[str]:
    return rules_of(result.actions[action].blocks)
