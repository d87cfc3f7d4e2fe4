"""state contact limits in the stored call state

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03

A state's limits on contacting the consumer about a debt are counted by the kind of number
(Massachusetts: two calls or texts in seven days to the residence or mobile, two in thirty to any
other number; Washington: one a week at work), and the consumer's consent to more calls does not
lift them. The queue asks "callable now" in SQL, so each account keeps when they lift:

- ``account.call_limit_until``: calls to a residence or mobile number are blocked before it;
- ``account.call_work_limit_until``: calls to any other number are blocked before it (a number of
  type "other" is held to both);
- ``ix_account_queue`` carries them, so the queue's walk still reads the index alone;
- ``ix_phone_dialable`` carries the phone's type, so the probe still reads the index alone.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import collector_tui.db.types

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_UTC = collector_tui.db.types.UTCDateTime
QUEUE = [
    "assigned_collector_id",
    "priority_score",
    "id",
    "guarantor_id",
    "call_held",
    "call_frequency_clear_at",
    "call_exempt_until",
    "last_worked_at",
    "next_action_at",
    "status",
]
LIMITS = ["call_limit_until", "call_work_limit_until"]
PROBE = ["guarantor_id", "dialable", "call_group_id"]


def _queue_index(columns: list[str]) -> None:
    op.create_index(
        "ix_account_queue",
        "account",
        columns,
        unique=False,
        sqlite_where=sa.text("status = 'open'"),
        postgresql_where=sa.text("status = 'open'"),
    )


def upgrade() -> None:
    with op.batch_alter_table("account", schema=None) as batch_op:
        for name in LIMITS:
            batch_op.add_column(sa.Column(name, _UTC(timezone=True), nullable=True))
    op.drop_index("ix_account_queue", table_name="account")
    _queue_index(QUEUE + LIMITS)
    op.drop_index("ix_phone_dialable", table_name="phone")
    op.create_index("ix_phone_dialable", "phone", [*PROBE, "phone_type"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_phone_dialable", table_name="phone")
    op.create_index("ix_phone_dialable", "phone", PROBE, unique=False)
    op.drop_index("ix_account_queue", table_name="account")
    _queue_index(QUEUE)
    with op.batch_alter_table("account", schema=None) as batch_op:
        for name in reversed(LIMITS):
            batch_op.drop_column(name)
