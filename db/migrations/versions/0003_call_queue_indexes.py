"""indexes for the call queue's two plans

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27

The queue walks a collector's open accounts in priority order; its "call now"
section asks each one "a dialable phone in an open call group?" by probing the
guarantor's phones or, when few groups are open, against the list of guarantors
with such a phone (see ``collector_tui.services.worklists.queue``):

- ``ix_account_queue`` also carries what the sections test (the guarantor, the
  stored call state, the rework and callback moments, the status), so the walk
  reads the index alone: a row per step made "not callable now" at 17:00 read
  ~5,000 account rows (~20 MB, more than the page cache) for one page;
- ``ix_phone_dialable``: the probe, read from the index alone;
- ``ix_phone_call_group``: the phones of the open groups, for the list.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

QUEUE_KEY = ["assigned_collector_id", "priority_score", "id"]
QUEUE_TESTED = [
    "guarantor_id",
    "call_held",
    "call_frequency_clear_at",
    "call_exempt_until",
    "last_worked_at",
    "next_action_at",
    "status",  # the call clause tests it too (SQLite does not see the index's WHERE imply that)
]


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
    op.drop_index("ix_account_queue", table_name="account")
    _queue_index(QUEUE_KEY + QUEUE_TESTED)
    op.create_index(
        "ix_phone_call_group", "phone", ["call_group_id", "dialable", "guarantor_id"], unique=False
    )
    op.create_index("ix_phone_dialable", "phone", ["guarantor_id", "dialable", "call_group_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_phone_dialable", table_name="phone")
    op.drop_index("ix_phone_call_group", table_name="phone")
    op.drop_index("ix_account_queue", table_name="account")
    _queue_index(QUEUE_KEY)
