"""operator role and plan policy digests

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03

The nightly service account becomes a user with the ``operator`` role (imports, refresh, plan
checks and exports check the caller's role like every other command), and a payment plan records
the digest of the plan policy it was judged under.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ROLES_BEFORE = "role IN ('collector', 'supervisor', 'admin')"
_ROLES_AFTER = "role IN ('collector', 'supervisor', 'admin', 'operator')"


def _set_roles(old: str, new: str) -> None:
    # SQLite rebuilds ``collector`` (batch mode) to change its CHECK; db.migrate runs migrations
    # with foreign keys off and checks every reference before it commits.
    with op.batch_alter_table("collector", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_collector_role"), type_="check")
        batch_op.create_check_constraint(op.f("ck_collector_role"), new)


def upgrade() -> None:
    _set_roles(_ROLES_BEFORE, _ROLES_AFTER)
    with op.batch_alter_table("payment_plan", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("policy_digest", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("payment_plan", schema=None) as batch_op:
        batch_op.drop_column("policy_digest")
    op.execute("UPDATE collector SET active = 0, role = 'collector' WHERE role = 'operator'")
    _set_roles(_ROLES_AFTER, _ROLES_BEFORE)
