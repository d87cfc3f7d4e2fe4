"""denial worklist: payers, denial items and their actions; a claim's 277 status

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04

- ``payer``: the insurers the claims name, with their 835 id and the phone a collector dials.
- ``denial_item``: a denied claim to work, in one owner's worklist; at most one open per claim
  (a partial unique index), walked by score (a partial index over the open items).
- ``denial_action``: each payer call, appeal, billing task and outcome on an item.
- ``insurance_claim.accepted_date``, ``status_category``, ``status_date``: from the payer's 277.
- ``remittance_claim.payer_claim_number`` indexed: a recoupment (PLB) names a claim by its ICN.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

from collector_tui.db.types import UTCDateTime

_AUTO = sqlmodel.sql.sqltypes.AutoString

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMN and new tables: no table rebuild (a batch copy would reflect the expression
    # indexes of 0009, which SQLAlchemy cannot).
    op.create_table(
        "payer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", _AUTO(length=120), nullable=False),
        sa.Column("name_key", _AUTO(length=120), nullable=False),
        sa.Column("code", _AUTO(length=40), nullable=True),
        sa.Column("identifier", _AUTO(length=80), nullable=True),
        sa.Column("phone", _AUTO(length=20), nullable=True),
        sa.Column("phone_note", _AUTO(length=120), nullable=True),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payer")),
    )
    op.create_index("ux_payer_name_key", "payer", ["name_key"], unique=True)
    # A PLB recoupment names a claim by the payer's ICN: found among that payer's remittance lines.
    op.create_index("ix_remittance_claim_icn", "remittance_claim", ["payer_claim_number"], unique=False)
    op.create_index(
        "ix_insurance_claim_payer_claim_number", "insurance_claim", ["payer_claim_number"], unique=False
    )
    op.create_index("ix_remittance_imported", "remittance", ["imported_at"], unique=False)
    op.create_table(
        "denial_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("status", _AUTO(length=8), nullable=False),
        sa.Column("outcome", _AUTO(length=16), nullable=True),
        sa.Column("source", _AUTO(length=16), nullable=False),
        sa.Column("remittance_claim_id", sa.Integer(), nullable=True),
        sa.Column("payer_name", _AUTO(length=120), nullable=False),
        sa.Column("payer_claim_number", _AUTO(length=50), nullable=True),
        sa.Column("group_code", _AUTO(length=2), nullable=False),
        sa.Column("carc", _AUTO(length=8), nullable=False),
        sa.Column("codes", _AUTO(length=400), nullable=False),
        sa.Column("denied_cents", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("patient_cents", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("remit_date", sa.Date(), nullable=True),
        sa.Column("scenario", _AUTO(length=16), nullable=False),
        sa.Column("category", _AUTO(length=24), nullable=False),
        sa.Column("appeal_deadline", sa.Date(), nullable=True),
        sa.Column("corrected_claim_deadline", sa.Date(), nullable=True),
        sa.Column("response_due", sa.Date(), nullable=True),
        sa.Column("priority_score", sa.Integer(), nullable=False),
        sa.Column("priority_breakdown", sa.Text(), nullable=True),
        sa.Column("opened_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("worked_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("claimed_by_id", sa.Integer(), nullable=True),
        sa.Column("claimed_until", UTCDateTime(timezone=True), nullable=True),
        sa.Column("closed_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("recovered_cents", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "category IN ('eligibility', 'authorization', 'coding', 'timely_filing', 'duplicate', 'coordination', 'medical_necessity', 'missing_information', 'other')",
            name=op.f("ck_denial_item_category"),
        ),
        sa.CheckConstraint(
            "outcome IS NULL OR outcome IN ('overturned', 'upheld', 'written_off', 'moved_to_patient')",
            name=op.f("ck_denial_item_outcome"),
        ),
        sa.CheckConstraint(
            "scenario IN ('documentation', 'claim_data', 'not_covered', 'not_payable')",
            name=op.f("ck_denial_item_scenario"),
        ),
        sa.CheckConstraint("source IN ('remittance', 'placement')", name=op.f("ck_denial_item_source")),
        sa.CheckConstraint("status IN ('open', 'closed')", name=op.f("ck_denial_item_status")),
        sa.ForeignKeyConstraint(
            ["account_id"], ["account.id"], name=op.f("fk_denial_item_account_id_account")
        ),
        sa.ForeignKeyConstraint(
            ["claim_id"],
            ["insurance_claim.id"],
            name=op.f("fk_denial_item_claim_id_insurance_claim"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["claimed_by_id"], ["collector.id"], name=op.f("fk_denial_item_claimed_by_id_collector")
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["collector.id"], name=op.f("fk_denial_item_owner_id_collector")
        ),
        sa.ForeignKeyConstraint(
            ["remittance_claim_id"],
            ["remittance_claim.id"],
            name=op.f("fk_denial_item_remittance_claim_id_remittance_claim"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_denial_item")),
    )
    op.create_index("ix_denial_item_account", "denial_item", ["account_id"], unique=False)
    op.create_index("ix_denial_item_claim", "denial_item", ["claim_id"], unique=False)
    op.create_index("ix_denial_item_closed", "denial_item", ["closed_at"], unique=False)
    op.create_index("ix_denial_item_opened", "denial_item", ["opened_at"], unique=False)
    op.create_index("ix_denial_item_updated", "denial_item", ["updated_at"], unique=False)
    op.create_index(
        "ix_denial_item_worklist",
        "denial_item",
        ["owner_id", "priority_score", "id"],
        unique=False,
        sqlite_where=sa.text("status = 'open'"),
        postgresql_where=sa.text("status = 'open'"),
    )
    op.create_index(
        "ux_denial_item_open_claim",
        "denial_item",
        ["claim_id"],
        unique=True,
        sqlite_where=sa.text("status = 'open'"),
        postgresql_where=sa.text("status = 'open'"),
    )
    op.create_table(
        "denial_action",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("collector_id", sa.Integer(), nullable=True),
        sa.Column("kind", _AUTO(length=24), nullable=False),
        sa.Column("occurred_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("acted_on", sa.Date(), nullable=True),
        sa.Column("representative", _AUTO(length=80), nullable=True),
        sa.Column("reference", _AUTO(length=64), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("appeal_level", _AUTO(length=8), nullable=True),
        sa.Column("deadline", sa.Date(), nullable=True),
        sa.Column("frequency_code", _AUTO(length=1), nullable=True),
        sa.Column("other_payer", _AUTO(length=120), nullable=True),
        sa.Column("amount_cents", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("approval", _AUTO(length=8), nullable=False),
        sa.Column("logged_by", _AUTO(length=64), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("activity_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "approval IN ('none', 'pending', 'approved', 'declined')", name=op.f("ck_denial_action_approval")
        ),
        sa.CheckConstraint(
            "kind IN ('payer_call', 'appeal', 'corrected_claim', 'resubmission', 'bill_other_payer', 'move_to_patient', 'write_off', 'upheld', 'payer_response', 'overturned')",
            name=op.f("ck_denial_action_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["account_id"], ["account.id"], name=op.f("fk_denial_action_account_id_account")
        ),
        sa.ForeignKeyConstraint(
            ["activity_id"], ["activity.id"], name=op.f("fk_denial_action_activity_id_activity")
        ),
        sa.ForeignKeyConstraint(
            ["collector_id"], ["collector.id"], name=op.f("fk_denial_action_collector_id_collector")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["collector.id"], name=op.f("fk_denial_action_decided_by_id_collector")
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["denial_item.id"],
            name=op.f("fk_denial_action_item_id_denial_item"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_denial_action")),
    )
    op.create_index("ix_denial_action_approval", "denial_action", ["approval", "occurred_at"], unique=False)
    op.create_index("ix_denial_action_item", "denial_action", ["item_id", "occurred_at"], unique=False)
    op.create_index("ix_denial_action_time", "denial_action", ["occurred_at"], unique=False)
    op.create_index("ix_denial_action_kind", "denial_action", ["kind", "occurred_at"], unique=False)
    op.add_column("insurance_claim", sa.Column("accepted_date", sa.Date(), nullable=True))
    op.add_column("insurance_claim", sa.Column("status_category", _AUTO(length=4), nullable=True))
    op.add_column("insurance_claim", sa.Column("status_date", sa.Date(), nullable=True))


def downgrade() -> None:
    op.drop_table("denial_action")
    op.drop_table("denial_item")
    op.drop_table("payer")
    op.drop_index("ix_remittance_claim_icn", table_name="remittance_claim")
    op.drop_index("ix_insurance_claim_payer_claim_number", table_name="insurance_claim")
    op.drop_index("ix_remittance_imported", table_name="remittance")
    # SQLite 3.35+ drops a plain column in place.
    op.drop_column("insurance_claim", "status_date")
    op.drop_column("insurance_claim", "status_category")
    op.drop_column("insurance_claim", "accepted_date")
