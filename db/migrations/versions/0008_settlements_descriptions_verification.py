"""settlements, charge descriptions, right-party verification

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04

- ``payment_plan.kind`` (``plan`` or ``settlement``), ``forgiven_cents`` and ``settlement_reason``:
  a settlement accepts less than the balance; what it forgives posts as an adjustment only when
  it is paid as agreed.
- ``charge.description``: the billing system's plain words for each procedure code.
- ``activity.verification``: on a call, whether the caller proved to be the right party
  (``verified``, ``refused``, ``failed``) before the debt was discussed.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_AUTO = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    with op.batch_alter_table("payment_plan", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kind", sa.String(length=16), server_default="plan", nullable=False))
        batch_op.add_column(
            sa.Column("forgiven_cents", sa.BigInteger(), server_default=sa.text("0"), nullable=False)
        )
        batch_op.add_column(sa.Column("settlement_reason", _AUTO(length=400), nullable=True))
        batch_op.create_check_constraint(op.f("ck_payment_plan_kind"), "kind IN ('plan', 'settlement')")
    with op.batch_alter_table("charge", schema=None) as batch_op:
        batch_op.add_column(sa.Column("description", _AUTO(length=120), nullable=True))
    with op.batch_alter_table("activity", schema=None) as batch_op:
        batch_op.add_column(sa.Column("verification", _AUTO(length=8), nullable=True))
        batch_op.create_check_constraint(
            op.f("ck_activity_verification"), "verification IN ('verified', 'refused', 'failed')"
        )


def downgrade() -> None:
    with op.batch_alter_table("activity", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_activity_verification"), type_="check")
        batch_op.drop_column("verification")
    with op.batch_alter_table("charge", schema=None) as batch_op:
        batch_op.drop_column("description")
    with op.batch_alter_table("payment_plan", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_payment_plan_kind"), type_="check")
        batch_op.drop_column("settlement_reason")
        batch_op.drop_column("forgiven_cents")
        batch_op.drop_column("kind")
