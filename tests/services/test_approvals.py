"""The approval list: compliance overrides collectors ask for, and plans proposed outside policy."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from collector_tui.db.models import AuditEvent, table_of
from collector_tui.domain.plan_schedule import PlanTerms
from collector_tui.services.database import Database
from collector_tui.services.desk.account_actions import ContactEntry, log_contact
from collector_tui.services.errors import AccessDeniedError, CallBlockedError, EntryError, ServiceError
from collector_tui.services.money.plans import PlanRequest, create_plan
from collector_tui.services.team.approvals import (
    KIND_OVERRIDE,
    KIND_PLAN,
    decide,
    list_approvals,
    request_override,
)
from tests.conftest import NOW
from tests.services.test_account_actions import _actor, _callable

CLOSED = NOW.replace(hour=10)  # no calling window is open anywhere


def test_a_blocked_call_is_requested_approved_and_then_logged_once(office: Database) -> None:
    collector, supervisor = _actor(office), _actor(office, "sreed")
    account_id, version, phone_id = _callable(office, collector)
    with pytest.raises(CallBlockedError):
        log_contact(office, collector, ContactEntry(account_id, version, "NA", phone_id), now=CLOSED)
    with pytest.raises(EntryError):
        request_override(office, collector, account_id, version, phone_id, "  ", now=CLOSED)
    asked = request_override(
        office, collector, account_id, version, phone_id, "consumer asked for a call at 5 am", now=CLOSED
    )
    assert "window" in asked.message
    with pytest.raises(AccessDeniedError):
        list_approvals(office, collector)
    (item,) = [a for a in list_approvals(office, supervisor) if a.kind == KIND_OVERRIDE]
    assert (item.account_id, item.requested_by, item.why) == (
        account_id,
        "mlopez",
        "consumer asked for a call at 5 am",
    )
    assert "window" in item.changes and "ending" in item.changes
    with pytest.raises(AccessDeniedError):
        decide(office, collector, KIND_OVERRIDE, item.id, approve=True, now=CLOSED)
    decide(office, supervisor, KIND_OVERRIDE, item.id, approve=True, now=CLOSED)
    assert not [a for a in list_approvals(office, supervisor) if a.kind == KIND_OVERRIDE]
    logged = log_contact(office, collector, ContactEntry(account_id, version, "NA", phone_id), now=CLOSED)
    assert "override recorded" in logged.message
    with office.reading() as session:
        event = session.execute(
            select(table_of(AuditEvent).c.details).where(
                table_of(AuditEvent).c.action == "contact.log", table_of(AuditEvent).c.entity_id == account_id
            )
        ).scalar_one()
    assert json.loads(event)["request"] == item.id
    with pytest.raises(CallBlockedError):  # an approval is for one call
        log_contact(office, collector, ContactEntry(account_id, logged.version, "NA", phone_id), now=CLOSED)
    with pytest.raises(ServiceError, match="not waiting"):
        decide(office, supervisor, KIND_OVERRIDE, item.id, approve=True, now=CLOSED)


def test_an_approval_expires_and_a_rejection_needs_a_reason(office: Database) -> None:
    collector, supervisor = _actor(office), _actor(office, "sreed")
    account_id, version, phone_id = _callable(office, collector)
    request_override(office, collector, account_id, version, phone_id, "late call", now=CLOSED)
    (item,) = [a for a in list_approvals(office, supervisor) if a.kind == KIND_OVERRIDE]
    with pytest.raises(EntryError):
        decide(office, supervisor, KIND_OVERRIDE, item.id, approve=False, now=CLOSED)
    decide(office, supervisor, KIND_OVERRIDE, item.id, approve=False, note="call in the window", now=CLOSED)
    with pytest.raises(CallBlockedError):
        log_contact(office, collector, ContactEntry(account_id, version, "NA", phone_id), now=CLOSED)
    request_override(office, collector, account_id, version, phone_id, "again", now=CLOSED)
    (again,) = [a for a in list_approvals(office, supervisor) if a.kind == KIND_OVERRIDE]
    decide(office, supervisor, KIND_OVERRIDE, again.id, approve=True, now=CLOSED)
    late = CLOSED + timedelta(days=1, minutes=1)  # outside the window again, and the approval has lapsed
    with pytest.raises(CallBlockedError):
        log_contact(office, collector, ContactEntry(account_id, version, "NA", phone_id), now=late)


def test_no_override_is_needed_when_the_call_is_allowed(office: Database) -> None:
    collector = _actor(office)
    account_id, version, phone_id = _callable(office, collector)
    with pytest.raises(EntryError, match="no override is needed"):
        request_override(office, collector, account_id, version, phone_id, "why not", now=NOW)


def test_plans_outside_policy_are_in_the_same_list(office: Database) -> None:
    collector, supervisor = _actor(office), _actor(office, "sreed")
    account_id, version, _ = _callable(office, collector)
    with office.reading() as session:
        from collector_tui.db.models import Account

        found = session.get(Account, account_id)
        assert found is not None
        balance = found.total_balance_cents
    terms = PlanTerms(balance, "monthly", NOW.date() + timedelta(days=5), installments=60)
    with office.writing() as session:
        from collector_tui.db.models import PaymentPlan

        plans = table_of(PaymentPlan)
        session.execute(plans.update().where(plans.c.account_id == account_id).values(status="cancelled"))
    create_plan(
        office, collector, PlanRequest(account_id, version, terms, exception_reason="fixed income"), now=NOW
    )
    (item,) = [a for a in list_approvals(office, supervisor) if a.kind == KIND_PLAN]
    assert (
        item.requested_by == "mlopez" and item.why == "fixed income" and "60 monthly payments" in item.changes
    )
    assert "approved" in decide(office, supervisor, KIND_PLAN, item.id, approve=True, now=NOW)
