"""What a new account's row stores that follows from its placement record alone, worked out ahead.

An import parses in a second process while this one writes. A new
placement's call state, its phones' dialling state and its priority need no
database, only the record, the facility's regime and the moment, so the
parsing process works them out too (see ``importing.kinds``). The writer
uses them only when they were worked out for the facility's regime and the
batch's moment, and works them out itself otherwise.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from collector_tui.db.tables import FACILITY_T
from collector_tui.domain.compliance.engine import CallGroup, phone_call_state
from collector_tui.domain.compliance.policy import CompliancePolicy
from collector_tui.domain.fingerprint import content_digest
from collector_tui.domain.placement import PlacementRecord
from collector_tui.domain.priority import PriorityPolicy
from collector_tui.services.law.compliance import new_account_call_values, placement_facts
from collector_tui.services.law.policy import current_policy, current_priority_policy
from collector_tui.services.worklists.priority import new_account_priority
from collector_tui.vocabulary import AccountStatus, Regime

FacilityRules = tuple[bool, str, str | None]  # (nonprofit, compliance regime, state)
# What a facility that a placement file creates gets (the table's defaults).
NEW_FACILITY: FacilityRules = (False, Regime.THIRD_PARTY, None)


@dataclass(frozen=True)  # no slots: unpickled from the worker by a dict update, not per field
class PlacementValues:
    now: datetime  # what they were worked out for: the moment, the facility's rules and the policies
    facility: FacilityRules
    policies: str  # policy_fingerprint()
    account: Mapping[str, Any]  # a new account's call-state and priority columns
    phones: tuple[tuple[bool, CallGroup], ...]  # dialable and call group of each of the record's phones


def new_account_status(record: PlacementRecord) -> str:
    return AccountStatus.OPEN if record.total_balance_cents > 0 else AccountStatus.PAID


def placement_values(record: PlacementRecord, now: datetime, facility: FacilityRules) -> PlacementValues:
    """Work out the values of an opening record (one with a guarantor) placed at ``now``."""
    policy = current_policy()
    facts = placement_facts(
        record,
        nonprofit=facility[0],
        regime=facility[1],
        facility_state=facility[2],
        now=now,
        status=new_account_status(record),
    )
    return PlacementValues(
        now=now,
        facility=facility,
        policies=policy_fingerprint(),
        account={**new_account_call_values(facts, now, policy), **new_account_priority(record, now)},
        phones=tuple(_one_of_each(phone_call_state(phone, facts, policy, now)) for phone in facts.phones),
    )


_GROUPS: dict[CallGroup, CallGroup] = {}


def _one_of_each(state: tuple[bool, CallGroup]) -> tuple[bool, CallGroup]:
    """One object per distinct call group (an office has a handful): a chunk pickles each once."""
    dialable, group = state
    return dialable, _GROUPS.setdefault(group, group)


def usable(values: PlacementValues | None, now: datetime, facility: FacilityRules) -> bool:
    """Were ``values`` worked out for this moment, this facility's rules and the policies in force?"""
    return (
        values is not None
        and values.now == now
        and values.facility == facility
        and values.policies == policy_fingerprint()
    )


_FINGERPRINT: list[tuple[CompliancePolicy, PriorityPolicy, str]] = []


def policy_fingerprint() -> str:
    """A digest of the compliance and priority policies in force, worked out once per pair.

    The pair is kept with its digest, so a policy replaced (another database's
    office policies installed, or ``use_policy`` in a test) is never mistaken
    for the one before it. A forked worker inherits both.
    """
    compliance, priority = current_policy(), current_priority_policy()
    if not _FINGERPRINT or _FINGERPRINT[0][0] is not compliance or _FINGERPRINT[0][1] is not priority:
        digest = content_digest((compliance, priority))
        _FINGERPRINT[:] = [(compliance, priority, digest)]
    return _FINGERPRINT[0][2]


def facility_rules_by_code(session: Session) -> dict[str, FacilityRules]:
    """Each facility's rules, for working values out ahead (a facility not here is a new one).

    Read before the parsing worker starts, with the policies' fingerprint, so
    the worker inherits both.
    """
    policy_fingerprint()
    c = FACILITY_T.c
    return {
        row.code: (row.nonprofit, row.regime, row.state)
        for row in session.execute(select(c.code, c.nonprofit, c.regime, c.state))
    }
