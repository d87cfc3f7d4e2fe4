"""Builders for service tests: records parsed from canonical rows, and small queries.

Records are built exactly as an import builds them: a row of strings goes
through the domain parser, and a test fails loudly if the row is invalid.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import func
from sqlmodel import SQLModel, col, select

from collector_tui.db.models import Account, AuditEvent, Facility, Guarantor, Phone, table_of
from collector_tui.domain.contact_log import ACTIVITY_COLUMNS, ActivityRecord, parse_activity_row
from collector_tui.domain.money_events import (
    TRANSACTION_COLUMNS,
    TransactionRecord,
    parse_transaction_row,
)
from collector_tui.domain.placement import PLACEMENT_COLUMNS, PlacementRecord, parse_placement_row
from collector_tui.services.audit import SYSTEM
from collector_tui.services.database import Database
from collector_tui.services.files.placements import PlacementResult, apply_placements
from collector_tui.services.law.compliance import refresh_call_state
from collector_tui.services.law.policy import load_workspace_policy
from collector_tui.services.worklists.priority import rescore
from tests.conftest import NOW, TODAY

M = TypeVar("M", bound=SQLModel)

FACILITY = "MERCY"

DISPOSITIONS = load_workspace_policy().dispositions


def placement_row(**overrides: str) -> dict[str, str]:
    """A complete, valid ``new`` row (every canonical column present), with ``overrides``."""
    row = dict.fromkeys(PLACEMENT_COLUMNS, "")
    row.update(
        record_type="new",
        facility_code=FACILITY,
        facility_name="Mercy General Hospital",
        account_number="A-1001",
        guarantor_id="G-1",
        guarantor_first_name="Jane",
        guarantor_last_name="Doe",
        guarantor_dob="1980-04-12",
        guarantor_ssn_last4="1234",
        address1="100 Main St",
        city="Columbus",
        state="oh",
        zip="43215",
        email="jane.doe@example.com",
        language="EN",
        phone1="(614) 555-0142",
        phone1_type="mobile",
        phone2="208.555.0100",
        phone2_type="home",
        patient_first_name="Tim",
        patient_last_name="Doe",
        patient_dob="2015-06-01",
        patient_relationship="child",
        service_date_from="2026-07-02",
        service_date_to="2026-07-03",
        first_statement_date="2026-08-01",
        placed_date="2026-11-20",
        total_balance="1,560.00",
        insurance_pending="310.00",
        patient_responsibility="1,250.00",
        charges="2026-07-02|99284|1250.00;2026-07-02|71046|310.00",
        claim_payer="Acme Health Plan",
        claim_number="CLM-778899",
        claim_status="denied",
        claim_billed="1560.00",
        claim_allowed="1200.00",
        claim_paid="0",
        claim_patient_share="250.00",
        claim_denial_codes="CO-197;N30",
        claim_submitted_date="2026-07-10",
        claim_timely_filing_deadline="2027-07-02",
        claim_appeal_deadline="2027-01-10",
        dispute="N",
        fap_status="none",
    )
    unknown = set(overrides) - set(PLACEMENT_COLUMNS)
    assert not unknown, f"not placement columns: {unknown}"
    row.update(overrides)
    return row


def placement(**overrides: str) -> PlacementRecord:
    """The record an import would build from ``placement_row(**overrides)``."""
    record = parse_placement_row(placement_row(**overrides), today=TODAY)
    assert isinstance(record, PlacementRecord), record
    return record


def closing(record_type: str, account_number: str, facility_code: str = FACILITY) -> PlacementRecord:
    """A recall or close record: only the key columns are filled."""
    row = dict.fromkeys(PLACEMENT_COLUMNS, "")
    row.update(record_type=record_type, facility_code=facility_code, account_number=account_number)
    record = parse_placement_row(row, today=TODAY)
    assert isinstance(record, PlacementRecord), record
    return record


def transaction(**overrides: str) -> TransactionRecord:
    """A parsed transaction row; by default a $100.00 card payment on A-1001."""
    row = dict.fromkeys(TRANSACTION_COLUMNS, "")
    row.update(
        transaction_id="T-1",
        facility_code=FACILITY,
        account_number="A-1001",
        kind="payment",
        amount="100.00",
        posted_at="2026-11-25T10:00:00Z",
        method="card",
        reference="REF-1",
    )
    assert set(overrides) <= set(TRANSACTION_COLUMNS), overrides
    row.update(overrides)
    record = parse_transaction_row(row, today=TODAY)
    assert isinstance(record, TransactionRecord), record
    return record


def activity(**overrides: str) -> ActivityRecord:
    """A parsed activity row; by default an outbound no-answer call on A-1001's mobile."""
    row = dict.fromkeys(ACTIVITY_COLUMNS, "")
    row.update(
        activity_id="C-1",
        facility_code=FACILITY,
        account_number="A-1001",
        occurred_at="2026-11-20T15:30:00Z",
        channel="call",
        direction="out",
        phone="(614) 555-0142",
        party="guarantor",
        result_code="NA",
        note="no answer",
    )
    assert set(overrides) <= set(ACTIVITY_COLUMNS), overrides
    row.update(overrides)
    record = parse_activity_row(row, today=TODAY, dispositions=DISPOSITIONS)
    assert isinstance(record, ActivityRecord), record
    return record


def place(db: Database, records: Sequence[PlacementRecord], *, now: datetime = NOW) -> PlacementResult:
    """Apply ``records`` in one write transaction, as the system."""
    with db.writing() as session:
        return apply_placements(session, records, actor=SYSTEM, now=now)


def all_rows(db: Database, model: type[M], *where: Any) -> list[M]:
    with db.reading() as session:
        statement = select(model)
        for condition in where:
            statement = statement.where(condition)
        return list(session.exec(statement.order_by(table_of(model).c.id)).all())


def count(db: Database, model: type[SQLModel], *where: Any) -> int:
    with db.reading() as session:
        statement = select(func.count()).select_from(model)
        for condition in where:
            statement = statement.where(condition)
        return int(session.exec(statement).one())


def account(db: Database, number: str, facility_code: str = FACILITY) -> Account:
    with db.reading() as session:
        return session.exec(
            select(Account)
            .join(Facility, col(Facility.id) == col(Account.facility_id))
            .where(Facility.code == facility_code, Account.account_number == number)
        ).one()


def audit_events(db: Database, action: str | None = None) -> list[AuditEvent]:
    if action is None:
        return all_rows(db, AuditEvent)
    return all_rows(db, AuditEvent, AuditEvent.action == action)


def stale_rows(db: Database, now: datetime = NOW) -> int:
    """Rows a full recompute of every account's call state (with phones) and score would still change."""
    with db.writing() as session:
        ids = [int(a.id or 0) for a in all_rows(db, Account)]
        return refresh_call_state(session, ids, now) + rescore(session, ids, now)


def guarantor_of(db: Database, account_id: int) -> Guarantor:
    """The guarantor of account ``account_id``, detached from its session."""
    with db.reading() as session:
        account = session.get(Account, account_id)
        assert account is not None
        found = session.get(Guarantor, account.guarantor_id)
        assert found is not None
        session.expunge(found)
        return found


def phone_record(db: Database, phone_id: int) -> Phone:
    """The phone ``phone_id``, detached from its session."""
    with db.reading() as session:
        found = session.get(Phone, phone_id)
        assert found is not None
        session.expunge(found)
        return found


def event_details(db: Database, action: str, account_id: int) -> list[dict[str, Any]]:
    """The parsed details of every ``action`` audit event on account ``account_id``."""
    audit = table_of(AuditEvent).c
    with db.reading() as session:
        rows = session.execute(
            select(audit.details).where(audit.action == action, audit.entity_id == account_id)
        ).scalars()
        return [json.loads(row or "{}") for row in rows]
