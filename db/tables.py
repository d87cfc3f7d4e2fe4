"""Every table, once, as a SQLAlchemy Core ``Table``: the way services reach the database.

The rule: services read and write through Core statements over these tables
(set-based selects, keyset pages, executemany batch writes through
``services/bulk.py``) and never load, add or merge ORM objects. Why: the office
has a million accounts and imports hundreds of thousands of rows a night; an ORM
object costs about twenty times a raw row (``docs/performance.md``), and its
identity map and autoflush hide when SQL is sent. A Core statement says exactly
what reaches the database, and one way everywhere means one way to review.

The SQLModel classes in :mod:`collector_tui.db.models` stay the schema's
definition (Alembic's migrations are checked against them) and give these
tables their columns and types; a service imports a model class only to name a
type. Outside the services, the import runner keeps its one ``import_batch`` row
per file as an ORM object, and the demo builder adds its few settings the same
way: single rows, where an object is no cost.
"""

from __future__ import annotations

from sqlalchemy import Table

from collector_tui.db.models import (
    Account,
    AccountHold,
    AccountTransaction,
    Activity,
    AssignmentHistory,
    AuditEvent,
    CallGroup,
    Charge,
    ClaimDenial,
    Collector,
    DenialAction,
    DenialItem,
    ExportWatermark,
    Facility,
    Guarantor,
    ImportBatch,
    Installment,
    InsuranceClaim,
    OfficeSetting,
    OverrideRequest,
    Patient,
    Payer,
    PaymentPlan,
    Phone,
    Promise,
    ProviderAdjustment,
    Remittance,
    RemittanceClaim,
    RemittanceException,
    table_of,
)

ACCOUNT_T: Table = table_of(Account)
ACTIVITY_T: Table = table_of(Activity)
AUDIT_T: Table = table_of(AuditEvent)
CALL_GROUP_T: Table = table_of(CallGroup)
CHARGE_T: Table = table_of(Charge)
CLAIM_T: Table = table_of(InsuranceClaim)
COLLECTOR_T: Table = table_of(Collector)
DENIAL_T: Table = table_of(ClaimDenial)
DENIAL_ACTION_T: Table = table_of(DenialAction)
DENIAL_ITEM_T: Table = table_of(DenialItem)
FACILITY_T: Table = table_of(Facility)
GUARANTOR_T: Table = table_of(Guarantor)
HISTORY_T: Table = table_of(AssignmentHistory)
HOLD_T: Table = table_of(AccountHold)
IMPORT_BATCH_T: Table = table_of(ImportBatch)
INSTALLMENT_T: Table = table_of(Installment)
OVERRIDE_REQUEST_T: Table = table_of(OverrideRequest)
PATIENT_T: Table = table_of(Patient)
PAYER_T: Table = table_of(Payer)
PHONE_T: Table = table_of(Phone)
PLAN_T: Table = table_of(PaymentPlan)
PROMISE_T: Table = table_of(Promise)
PROVIDER_ADJUSTMENT_T: Table = table_of(ProviderAdjustment)
REMITTANCE_T: Table = table_of(Remittance)
REMITTANCE_CLAIM_T: Table = table_of(RemittanceClaim)
REMITTANCE_EXCEPTION_T: Table = table_of(RemittanceException)
SETTING_T: Table = table_of(OfficeSetting)
TX_T: Table = table_of(AccountTransaction)
WATERMARK_T: Table = table_of(ExportWatermark)
