"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import collector_tui.db.types

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("occurred_at", collector_tui.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("acting_as", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("action", sqlmodel.sql.sqltypes.AutoString(length=48), nullable=False),
        sa.Column("entity_type", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=True),
        sa.Column("details", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_event")),
    )
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.create_index("ix_audit_event_entity", ["entity_type", "entity_id"], unique=False)
        batch_op.create_index("ix_audit_event_time", ["occurred_at"], unique=False)

    op.create_table(
        "collector",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("login", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("display_name", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("case_limit", sa.Integer(), nullable=True),
        sa.Column("created_at", collector_tui.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("role IN ('collector', 'supervisor', 'admin')", name=op.f("ck_collector_role")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_collector")),
        sa.UniqueConstraint("login", name=op.f("uq_collector_login")),
    )
    op.create_table(
        "export_watermark",
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("exported_through", collector_tui.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", collector_tui.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_export_watermark")),
    )
    op.create_table(
        "facility",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("state", sqlmodel.sql.sqltypes.AutoString(length=2), nullable=True),
        sa.Column("nonprofit", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_facility")),
        sa.UniqueConstraint("code", name=op.f("uq_facility_code")),
    )
    op.create_table(
        "guarantor",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("external_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("first_name", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("last_name", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("date_of_birth", sa.Date(), nullable=True),
        sa.Column("ssn_last4", sqlmodel.sql.sqltypes.AutoString(length=4), nullable=True),
        sa.Column("address1", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("address2", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("city", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True),
        sa.Column("state", sqlmodel.sql.sqltypes.AutoString(length=2), nullable=True),
        sa.Column("zip_code", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("language", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("deceased", sa.Boolean(), nullable=False),
        sa.Column("bankruptcy", sa.Boolean(), nullable=False),
        sa.Column("attorney_represented", sa.Boolean(), nullable=False),
        sa.Column("cease_communication", sa.Boolean(), nullable=False),
        sa.Column("no_calls_at_work", sa.Boolean(), nullable=False),
        sa.Column("inconvenient_times", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("created_at", collector_tui.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", collector_tui.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guarantor")),
        sa.UniqueConstraint("external_id", name=op.f("uq_guarantor_external_id")),
    )
    with op.batch_alter_table("guarantor", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_guarantor_date_of_birth"), ["date_of_birth"], unique=False)
        batch_op.create_index(batch_op.f("ix_guarantor_last_name"), ["last_name"], unique=False)

    op.create_table(
        "import_batch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("file_name", sqlmodel.sql.sqltypes.AutoString(length=400), nullable=False),
        sa.Column("file_sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("run_by", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("started_at", collector_tui.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", collector_tui.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("rows_read", sa.Integer(), nullable=False),
        sa.Column("rows_inserted", sa.Integer(), nullable=False),
        sa.Column("rows_updated", sa.Integer(), nullable=False),
        sa.Column("rows_unchanged", sa.Integer(), nullable=False),
        sa.Column("rows_rejected", sa.Integer(), nullable=False),
        sa.Column("rows_closed", sa.Integer(), nullable=False),
        sa.Column("last_line_applied", sa.Integer(), nullable=False),
        sa.Column("total_cents", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("message", sqlmodel.sql.sqltypes.AutoString(length=400), nullable=True),
        sa.CheckConstraint(
            "status IN ('running', 'completed', 'incomplete', 'failed')",
            name=op.f("ck_import_batch_status"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_batch")),
    )
    with op.batch_alter_table("import_batch", schema=None) as batch_op:
        batch_op.create_index("ix_import_batch_file", ["kind", "file_sha256"], unique=False)

    op.create_table(
        "office_setting",
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_office_setting")),
    )
    op.create_table(
        "patient",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("guarantor_id", sa.Integer(), nullable=False),
        sa.Column("first_name", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("last_name", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("date_of_birth", sa.Date(), nullable=True),
        sa.Column("relationship_to_guarantor", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["guarantor_id"], ["guarantor.id"], name=op.f("fk_patient_guarantor_id_guarantor")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patient")),
        sa.UniqueConstraint(
            "guarantor_id",
            "last_name",
            "first_name",
            "date_of_birth",
            name=op.f("uq_patient_guarantor_id_last_name_first_name_date_of_birth"),
        ),
    )
    op.create_table(
        "phone",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("guarantor_id", sa.Integer(), nullable=False),
        sa.Column("number", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("phone_type", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("valid", sa.Boolean(), nullable=False),
        sa.Column("time_zones", sqlmodel.sql.sqltypes.AutoString(length=400), nullable=False),
        sa.Column("consent_to_call_mobile", sa.Boolean(), nullable=False),
        sa.Column("do_not_call", sa.Boolean(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("is_work", sa.Boolean(), nullable=False),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("created_at", collector_tui.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "phone_type IN ('mobile', 'home', 'work', 'other')", name=op.f("ck_phone_phone_type")
        ),
        sa.CheckConstraint("status IN ('ok', 'wrong', 'disconnected')", name=op.f("ck_phone_status")),
        sa.ForeignKeyConstraint(
            ["guarantor_id"], ["guarantor.id"], name=op.f("fk_phone_guarantor_id_guarantor")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_phone")),
        sa.UniqueConstraint("guarantor_id", "number", name=op.f("uq_phone_guarantor_id_number")),
    )
    op.create_table(
        "account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("facility_id", sa.Integer(), nullable=False),
        sa.Column("account_number", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("guarantor_id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=True),
        sa.Column("service_date_from", sa.Date(), nullable=True),
        sa.Column("service_date_to", sa.Date(), nullable=True),
        sa.Column("first_statement_date", sa.Date(), nullable=True),
        sa.Column("placed_date", sa.Date(), nullable=False),
        sa.Column("total_balance_cents", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("insurance_pending_cents", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column(
            "patient_responsibility_cents",
            sa.BigInteger(),
            server_default=sa.text("0"),
            nullable=False,
        ),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("fap_status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("time_zone", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column("assigned_collector_id", sa.Integer(), nullable=True),
        sa.Column("priority_score", sa.Integer(), server_default="0", nullable=False),
        sa.Column("priority_breakdown", sa.Text(), nullable=True),
        sa.Column("next_action_at", collector_tui.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_contact_at", collector_tui.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_worked_at", collector_tui.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("validation_notice_date", sa.Date(), nullable=True),
        sa.Column("claimed_by_id", sa.Integer(), nullable=True),
        sa.Column("claimed_at", collector_tui.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("placement_digest", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("created_at", collector_tui.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", collector_tui.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("closed_at", collector_tui.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "fap_status IN ('none', 'requested', 'pending', 'approved', 'denied')",
            name=op.f("ck_account_fap_status"),
        ),
        sa.CheckConstraint(
            "status IN ('open', 'paid', 'closed', 'recalled')", name=op.f("ck_account_status")
        ),
        sa.ForeignKeyConstraint(
            ["assigned_collector_id"],
            ["collector.id"],
            name=op.f("fk_account_assigned_collector_id_collector"),
        ),
        sa.ForeignKeyConstraint(
            ["claimed_by_id"], ["collector.id"], name=op.f("fk_account_claimed_by_id_collector")
        ),
        sa.ForeignKeyConstraint(
            ["facility_id"], ["facility.id"], name=op.f("fk_account_facility_id_facility")
        ),
        sa.ForeignKeyConstraint(
            ["guarantor_id"], ["guarantor.id"], name=op.f("fk_account_guarantor_id_guarantor")
        ),
        sa.ForeignKeyConstraint(["patient_id"], ["patient.id"], name=op.f("fk_account_patient_id_patient")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account")),
        sa.UniqueConstraint(
            "facility_id", "account_number", name=op.f("uq_account_facility_id_account_number")
        ),
    )
    with op.batch_alter_table("account", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_account_account_number"), ["account_number"], unique=False)
        batch_op.create_index(
            "ix_account_caseload", ["assigned_collector_id", "status", "time_zone"], unique=False
        )
        batch_op.create_index("ix_account_guarantor", ["guarantor_id"], unique=False)
        batch_op.create_index(
            "ix_account_next_action", ["assigned_collector_id", "next_action_at"], unique=False
        )
        batch_op.create_index(
            "ix_account_queue",
            ["assigned_collector_id", "priority_score", "id"],
            unique=False,
            sqlite_where=sa.text("status = 'open'"),
            postgresql_where=sa.text("status = 'open'"),
        )

    op.create_table(
        "account_hold",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
        sa.Column("placed_at", collector_tui.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("placed_by_id", sa.Integer(), nullable=True),
        sa.Column("released_at", collector_tui.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.CheckConstraint(
            "reason IN ('dispute', 'cease', 'bankruptcy', 'attorney', 'deceased', 'financial_assistance', 'insurance_pending', 'supervisor')",
            name=op.f("ck_account_hold_reason"),
        ),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["account.id"],
            name=op.f("fk_account_hold_account_id_account"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["placed_by_id"], ["collector.id"], name=op.f("fk_account_hold_placed_by_id_collector")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_hold")),
    )
    with op.batch_alter_table("account_hold", schema=None) as batch_op:
        batch_op.create_index("ix_account_hold_open", ["account_id", "reason", "released_at"], unique=False)

    op.create_table(
        "account_transaction",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("external_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("posted_at", collector_tui.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("method", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
        sa.Column("reference", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("reverses_id", sa.Integer(), nullable=True),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("collector_id", sa.Integer(), nullable=True),
        sa.Column("import_batch_id", sa.Integer(), nullable=True),
        sa.Column("created_at", collector_tui.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('payment', 'adjustment', 'insurance_payment', 'refund', 'write_off', 'reversal')",
            name=op.f("ck_account_transaction_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["account_id"], ["account.id"], name=op.f("fk_account_transaction_account_id_account")
        ),
        sa.ForeignKeyConstraint(
            ["collector_id"],
            ["collector.id"],
            name=op.f("fk_account_transaction_collector_id_collector"),
        ),
        sa.ForeignKeyConstraint(
            ["import_batch_id"],
            ["import_batch.id"],
            name=op.f("fk_account_transaction_import_batch_id_import_batch"),
        ),
        sa.ForeignKeyConstraint(
            ["reverses_id"],
            ["account_transaction.id"],
            name=op.f("fk_account_transaction_reverses_id_account_transaction"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_transaction")),
        sa.UniqueConstraint("external_id", name=op.f("uq_account_transaction_external_id")),
    )
    with op.batch_alter_table("account_transaction", schema=None) as batch_op:
        batch_op.create_index("ix_account_transaction_account", ["account_id", "posted_at"], unique=False)
        batch_op.create_index("ix_account_transaction_created", ["created_at"], unique=False)

    op.create_table(
        "activity",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("collector_id", sa.Integer(), nullable=True),
        sa.Column("occurred_at", collector_tui.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("direction", sqlmodel.sql.sqltypes.AutoString(length=4), nullable=False),
        sa.Column("phone_id", sa.Integer(), nullable=True),
        sa.Column("party", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
        sa.Column("outcome_code", sqlmodel.sql.sqltypes.AutoString(length=24), nullable=True),
        sa.Column("counts_as_attempt", sa.Boolean(), nullable=False),
        sa.Column("counts_as_conversation", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("external_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("import_batch_id", sa.Integer(), nullable=True),
        sa.Column("created_at", collector_tui.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "channel IN ('call', 'voicemail', 'letter', 'email', 'text', 'note', 'system')",
            name=op.f("ck_activity_channel"),
        ),
        sa.CheckConstraint("direction IN ('out', 'in', 'none')", name=op.f("ck_activity_direction")),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"], name=op.f("fk_activity_account_id_account")),
        sa.ForeignKeyConstraint(
            ["collector_id"], ["collector.id"], name=op.f("fk_activity_collector_id_collector")
        ),
        sa.ForeignKeyConstraint(
            ["import_batch_id"],
            ["import_batch.id"],
            name=op.f("fk_activity_import_batch_id_import_batch"),
        ),
        sa.ForeignKeyConstraint(["phone_id"], ["phone.id"], name=op.f("fk_activity_phone_id_phone")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activity")),
        sa.UniqueConstraint("external_id", name=op.f("uq_activity_external_id")),
    )
    with op.batch_alter_table("activity", schema=None) as batch_op:
        batch_op.create_index("ix_activity_account_time", ["account_id", "occurred_at"], unique=False)
        batch_op.create_index("ix_activity_created", ["created_at"], unique=False)
        batch_op.create_index("ix_activity_phone_time", ["phone_id", "occurred_at"], unique=False)

    op.create_table(
        "assignment_history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("from_collector_id", sa.Integer(), nullable=True),
        sa.Column("to_collector_id", sa.Integer(), nullable=True),
        sa.Column("assigned_by", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("assigned_at", collector_tui.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"], ["account.id"], name=op.f("fk_assignment_history_account_id_account")
        ),
        sa.ForeignKeyConstraint(
            ["from_collector_id"],
            ["collector.id"],
            name=op.f("fk_assignment_history_from_collector_id_collector"),
        ),
        sa.ForeignKeyConstraint(
            ["to_collector_id"],
            ["collector.id"],
            name=op.f("fk_assignment_history_to_collector_id_collector"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assignment_history")),
    )
    with op.batch_alter_table("assignment_history", schema=None) as batch_op:
        batch_op.create_index("ix_assignment_history_account", ["account_id", "assigned_at"], unique=False)

    op.create_table(
        "charge",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("line_number", sa.Integer(), nullable=False),
        sa.Column("service_date", sa.Date(), nullable=False),
        sa.Column("procedure_code", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["account.id"],
            name=op.f("fk_charge_account_id_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_charge")),
        sa.UniqueConstraint("account_id", "line_number", name=op.f("uq_charge_account_id_line_number")),
    )
    op.create_table(
        "insurance_claim",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("payer_name", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("claim_number", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("billed_cents", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("allowed_cents", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("paid_cents", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("patient_share_cents", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("submitted_date", sa.Date(), nullable=True),
        sa.Column("timely_filing_deadline", sa.Date(), nullable=True),
        sa.Column("appeal_deadline", sa.Date(), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'paid', 'denied', 'appealed')",
            name=op.f("ck_insurance_claim_status"),
        ),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["account.id"],
            name=op.f("fk_insurance_claim_account_id_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_insurance_claim")),
        sa.UniqueConstraint(
            "account_id", "claim_number", name=op.f("uq_insurance_claim_account_id_claim_number")
        ),
    )
    with op.batch_alter_table("insurance_claim", schema=None) as batch_op:
        batch_op.create_index(
            "ix_insurance_claim_appeal_deadline", ["status", "appeal_deadline"], unique=False
        )

    op.create_table(
        "payment_plan",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("collector_id", sa.Integer(), nullable=True),
        sa.Column("principal_cents", sa.BigInteger(), nullable=False),
        sa.Column("down_payment_cents", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("interest_rate_bps", sa.Integer(), nullable=False),
        sa.Column("frequency", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("installment_count", sa.Integer(), nullable=False),
        sa.Column("installment_cents", sa.BigInteger(), nullable=False),
        sa.Column("first_due_date", sa.Date(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("policy_exception_reason", sqlmodel.sql.sqltypes.AutoString(length=400), nullable=True),
        sa.Column("approved_by_id", sa.Integer(), nullable=True),
        sa.Column("approved_at", collector_tui.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", collector_tui.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "frequency IN ('weekly', 'biweekly', 'semimonthly', 'monthly')",
            name=op.f("ck_payment_plan_frequency"),
        ),
        sa.CheckConstraint(
            "status IN ('proposed', 'active', 'completed', 'broken', 'cancelled')",
            name=op.f("ck_payment_plan_status"),
        ),
        sa.ForeignKeyConstraint(
            ["account_id"], ["account.id"], name=op.f("fk_payment_plan_account_id_account")
        ),
        sa.ForeignKeyConstraint(
            ["approved_by_id"],
            ["collector.id"],
            name=op.f("fk_payment_plan_approved_by_id_collector"),
        ),
        sa.ForeignKeyConstraint(
            ["collector_id"], ["collector.id"], name=op.f("fk_payment_plan_collector_id_collector")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_plan")),
    )
    with op.batch_alter_table("payment_plan", schema=None) as batch_op:
        batch_op.create_index("ix_payment_plan_account", ["account_id", "status"], unique=False)

    op.create_table(
        "promise",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("collector_id", sa.Integer(), nullable=True),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("created_at", collector_tui.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", collector_tui.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'kept', 'broken', 'cancelled')", name=op.f("ck_promise_status")
        ),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"], name=op.f("fk_promise_account_id_account")),
        sa.ForeignKeyConstraint(
            ["collector_id"], ["collector.id"], name=op.f("fk_promise_collector_id_collector")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_promise")),
    )
    with op.batch_alter_table("promise", schema=None) as batch_op:
        batch_op.create_index("ix_promise_account", ["account_id"], unique=False)
        batch_op.create_index("ix_promise_due", ["status", "due_date"], unique=False)

    op.create_table(
        "claim_denial",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("code_set", sqlmodel.sql.sqltypes.AutoString(length=4), nullable=False),
        sa.Column("group_code", sqlmodel.sql.sqltypes.AutoString(length=2), nullable=True),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.CheckConstraint("code_set IN ('CARC', 'RARC')", name=op.f("ck_claim_denial_code_set")),
        sa.ForeignKeyConstraint(
            ["claim_id"],
            ["insurance_claim.id"],
            name=op.f("fk_claim_denial_claim_id_insurance_claim"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claim_denial")),
        sa.UniqueConstraint(
            "claim_id", "code_set", "code", name=op.f("uq_claim_denial_claim_id_code_set_code")
        ),
    )
    op.create_table(
        "installment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("paid_cents", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.CheckConstraint(
            "status IN ('scheduled', 'paid', 'partial', 'missed')",
            name=op.f("ck_installment_status"),
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["payment_plan.id"],
            name=op.f("fk_installment_plan_id_payment_plan"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_installment")),
        sa.UniqueConstraint("plan_id", "sequence", name=op.f("uq_installment_plan_id_sequence")),
    )
    with op.batch_alter_table("installment", schema=None) as batch_op:
        batch_op.create_index("ix_installment_due", ["status", "due_date"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("installment", schema=None) as batch_op:
        batch_op.drop_index("ix_installment_due")

    op.drop_table("installment")
    op.drop_table("claim_denial")
    with op.batch_alter_table("promise", schema=None) as batch_op:
        batch_op.drop_index("ix_promise_due")
        batch_op.drop_index("ix_promise_account")

    op.drop_table("promise")
    with op.batch_alter_table("payment_plan", schema=None) as batch_op:
        batch_op.drop_index("ix_payment_plan_account")

    op.drop_table("payment_plan")
    with op.batch_alter_table("insurance_claim", schema=None) as batch_op:
        batch_op.drop_index("ix_insurance_claim_appeal_deadline")

    op.drop_table("insurance_claim")
    op.drop_table("charge")
    with op.batch_alter_table("assignment_history", schema=None) as batch_op:
        batch_op.drop_index("ix_assignment_history_account")

    op.drop_table("assignment_history")
    with op.batch_alter_table("activity", schema=None) as batch_op:
        batch_op.drop_index("ix_activity_phone_time")
        batch_op.drop_index("ix_activity_created")
        batch_op.drop_index("ix_activity_account_time")

    op.drop_table("activity")
    with op.batch_alter_table("account_transaction", schema=None) as batch_op:
        batch_op.drop_index("ix_account_transaction_created")
        batch_op.drop_index("ix_account_transaction_account")

    op.drop_table("account_transaction")
    with op.batch_alter_table("account_hold", schema=None) as batch_op:
        batch_op.drop_index("ix_account_hold_open")

    op.drop_table("account_hold")
    with op.batch_alter_table("account", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_account_queue",
            sqlite_where=sa.text("status = 'open'"),
            postgresql_where=sa.text("status = 'open'"),
        )
        batch_op.drop_index("ix_account_next_action")
        batch_op.drop_index("ix_account_guarantor")
        batch_op.drop_index("ix_account_caseload")
        batch_op.drop_index(batch_op.f("ix_account_account_number"))

    op.drop_table("account")
    op.drop_table("phone")
    op.drop_table("patient")
    op.drop_table("office_setting")
    with op.batch_alter_table("import_batch", schema=None) as batch_op:
        batch_op.drop_index("ix_import_batch_file")

    op.drop_table("import_batch")
    with op.batch_alter_table("guarantor", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_guarantor_last_name"))
        batch_op.drop_index(batch_op.f("ix_guarantor_date_of_birth"))

    op.drop_table("guarantor")
    op.drop_table("facility")
    op.drop_table("export_watermark")
    op.drop_table("collector")
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_event_time")
        batch_op.drop_index("ix_audit_event_entity")

    op.drop_table("audit_event")
