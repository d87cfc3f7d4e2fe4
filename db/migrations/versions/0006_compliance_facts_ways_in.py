"""compliance facts: ways in

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03

The facts the compliance engine reads that nothing could set: a facility's financial-assistance
policy address; the Reg F itemization and the financial-assistance application date of an
account; the times a consumer consented to be called and an email opt-out; a phone's consent
date and text opt-out; whether a dispute or a cease came orally or in writing.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import collector_tui.db.types

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_AUTO = sqlmodel.sql.sqltypes.AutoString
_UTC = collector_tui.db.types.UTCDateTime


def upgrade() -> None:
    with op.batch_alter_table("facility", schema=None) as batch_op:
        batch_op.add_column(sa.Column("fap_policy_url", _AUTO(length=400), nullable=True))
    with op.batch_alter_table("guarantor", schema=None) as batch_op:
        batch_op.add_column(sa.Column("call_time_consent", _AUTO(length=200), nullable=True))
        batch_op.add_column(sa.Column("call_time_consent_at", _UTC(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("email_opt_out_at", _UTC(timezone=True), nullable=True))
    with op.batch_alter_table("phone", schema=None) as batch_op:
        batch_op.add_column(sa.Column("consent_at", _UTC(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("text_opt_out_at", _UTC(timezone=True), nullable=True))
    with op.batch_alter_table("account", schema=None) as batch_op:
        batch_op.add_column(sa.Column("itemization_date", sa.Date(), nullable=True))
        for name in ("amount", "interest", "fees", "credits"):
            batch_op.add_column(sa.Column(f"itemization_{name}_cents", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("fap_application_date", sa.Date(), nullable=True))
    with op.batch_alter_table("account_hold", schema=None) as batch_op:
        batch_op.add_column(sa.Column("received_via", _AUTO(length=8), nullable=True))
        batch_op.create_check_constraint(
            op.f("ck_account_hold_received_via"), "received_via IN ('oral', 'written')"
        )


def downgrade() -> None:
    with op.batch_alter_table("account_hold", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_account_hold_received_via"), type_="check")
        batch_op.drop_column("received_via")
    with op.batch_alter_table("account", schema=None) as batch_op:
        batch_op.drop_column("fap_application_date")
        for name in ("credits", "fees", "interest", "amount"):
            batch_op.drop_column(f"itemization_{name}_cents")
        batch_op.drop_column("itemization_date")
    with op.batch_alter_table("phone", schema=None) as batch_op:
        batch_op.drop_column("text_opt_out_at")
        batch_op.drop_column("consent_at")
    with op.batch_alter_table("guarantor", schema=None) as batch_op:
        batch_op.drop_column("email_opt_out_at")
        batch_op.drop_column("call_time_consent_at")
        batch_op.drop_column("call_time_consent")
    with op.batch_alter_table("facility", schema=None) as batch_op:
        batch_op.drop_column("fap_policy_url")
