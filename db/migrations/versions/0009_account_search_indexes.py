"""indexes for finding an account by what a caller says

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05

An inbound caller gives a name (either way round, any case) or a phone number (whole, or its last
four digits); at a million accounts each must be one index search, never a scan
(``collector_tui.services.desk.search``):

- ``ix_guarantor_name``: ``upper(last_name), upper(first_name)``, for a name prefix in any case;
- ``ix_phone_last_four``: the last four characters of the stored (E.164) number; a longer end or
  the whole number is then checked on the rows found.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_guarantor_name", "guarantor", [sa.text("upper(last_name)"), sa.text("upper(first_name)")]
    )
    op.create_index("ix_phone_last_four", "phone", [sa.text("substr(number, length(number) - 3)")])


def downgrade() -> None:
    op.drop_index("ix_phone_last_four", table_name="phone")
    op.drop_index("ix_guarantor_name", table_name="guarantor")
