"""remittances: the payer's 835, its claims, exceptions and provider adjustments

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06

- ``insurance_claim.control_number`` (the provider's claim id, CLP01 of an 835; unique office-wide,
  since the 835 names a claim by that number alone) and ``payer_claim_number`` (the payer's ICN,
  CLP07).
- ``remittance``: one per 835 transaction set, unique on (payer id, trace number).
- ``remittance_claim``: each CLP, with the claim it matched (or NULL).
- ``remittance_exception``: a CLP that could not post (unmatched, not our claim), kept.
- ``provider_adjustment``: the PLB ledger (the provider's, never a patient's debt).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

from collector_tui.db.types import UTCDateTime

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_AUTO = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    # Plain ADD COLUMN and a unique index: no table rebuild (a batch copy would reflect the
    # expression indexes of 0009, which SQLAlchemy cannot).
    op.add_column("insurance_claim", sa.Column("control_number", _AUTO(length=38), nullable=True))
    op.add_column("insurance_claim", sa.Column("payer_claim_number", _AUTO(length=50), nullable=True))
    op.create_index("ux_insurance_claim_control_number", "insurance_claim", ["control_number"], unique=True)
    op.create_table(
        "remittance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("payer_id", _AUTO(length=80), nullable=False),
        sa.Column("payer_name", _AUTO(length=120), nullable=False),
        sa.Column("trace_number", _AUTO(length=50), nullable=False),
        sa.Column("payment_cents", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("credit_debit", _AUTO(length=1), nullable=False),
        sa.Column("method", _AUTO(length=3), nullable=False),
        sa.Column("payment_date", sa.Date(), nullable=True),
        sa.Column("production_date", sa.Date(), nullable=True),
        sa.Column("control_number", _AUTO(length=9), nullable=False),
        sa.Column("file_sha256", _AUTO(length=64), nullable=False),
        sa.Column("imported_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("run_by", _AUTO(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_remittance")),
        sa.UniqueConstraint("payer_id", "trace_number", name=op.f("uq_remittance_payer_id_trace_number")),
    )
    op.create_table(
        "remittance_claim",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("remittance_id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=True),
        sa.Column("control_number", _AUTO(length=38), nullable=False),
        sa.Column("status_code", _AUTO(length=2), nullable=False),
        sa.Column("charge_cents", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("paid_cents", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("patient_responsibility_cents", sa.BigInteger(), nullable=True),
        sa.Column("payer_claim_number", _AUTO(length=50), nullable=False),
        sa.Column("needs_review", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["claim_id"], ["insurance_claim.id"], name=op.f("fk_remittance_claim_claim_id_insurance_claim")
        ),
        sa.ForeignKeyConstraint(
            ["remittance_id"],
            ["remittance.id"],
            name=op.f("fk_remittance_claim_remittance_id_remittance"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_remittance_claim")),
    )
    op.create_index("ix_remittance_claim_remittance", "remittance_claim", ["remittance_id"])
    op.create_index("ix_remittance_claim_claim", "remittance_claim", ["claim_id"])
    op.create_table(
        "remittance_exception",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("remittance_id", sa.Integer(), nullable=False),
        sa.Column("remittance_claim_id", sa.Integer(), nullable=True),
        sa.Column("control_number", _AUTO(length=38), nullable=False),
        sa.Column("status_code", _AUTO(length=2), nullable=False),
        sa.Column("paid_cents", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("reason", _AUTO(length=200), nullable=False),
        sa.Column("resolved_at", UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["remittance_claim_id"],
            ["remittance_claim.id"],
            name=op.f("fk_remittance_exception_remittance_claim_id_remittance_claim"),
        ),
        sa.ForeignKeyConstraint(
            ["remittance_id"],
            ["remittance.id"],
            name=op.f("fk_remittance_exception_remittance_id_remittance"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_remittance_exception")),
    )
    op.create_index("ix_remittance_exception_remittance", "remittance_exception", ["remittance_id"])
    op.create_table(
        "provider_adjustment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("remittance_id", sa.Integer(), nullable=False),
        sa.Column("provider_id", _AUTO(length=80), nullable=False),
        sa.Column("fiscal_period_end", sa.Date(), nullable=False),
        sa.Column("reason_code", _AUTO(length=2), nullable=False),
        sa.Column("reference", _AUTO(length=50), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"], ["account.id"], name=op.f("fk_provider_adjustment_account_id_account")
        ),
        sa.ForeignKeyConstraint(
            ["remittance_id"],
            ["remittance.id"],
            name=op.f("fk_provider_adjustment_remittance_id_remittance"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_provider_adjustment")),
    )
    op.create_index("ix_provider_adjustment_remittance", "provider_adjustment", ["remittance_id"])


def downgrade() -> None:
    op.drop_index("ix_provider_adjustment_remittance", table_name="provider_adjustment")
    op.drop_table("provider_adjustment")
    op.drop_index("ix_remittance_exception_remittance", table_name="remittance_exception")
    op.drop_table("remittance_exception")
    op.drop_index("ix_remittance_claim_claim", table_name="remittance_claim")
    op.drop_index("ix_remittance_claim_remittance", table_name="remittance_claim")
    op.drop_table("remittance_claim")
    op.drop_table("remittance")
    op.drop_index("ux_insurance_claim_control_number", table_name="insurance_claim")
    op.drop_column("insurance_claim", "payer_claim_number")
    op.drop_column("insurance_claim", "control_number")
