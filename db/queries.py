"""Read queries that need care at a million accounts: keyset pages and index-friendly filters.

The status filter is rendered as a literal: SQLite uses the partial queue
index only when the query's WHERE visibly implies the index's WHERE, which a
bound parameter does not (see ``shared/PERFORMANCE.md``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, bindparam, select, tuple_
from sqlalchemy.sql import ColumnElement

from db import codes
from db.models import Account, Guarantor, table_of

ACCOUNT_T = table_of(Account)
GUARANTOR_T = table_of(Guarantor)


def open_status() -> Any:
    """``status = 'open'`` as a literal, so SQLite sees that the partial queue index applies."""
    return ACCOUNT_T.c.status == bindparam("open_status", codes.ACCOUNT_OPEN, literal_execute=True)


def queue_statement(
    collector_id: int,
    conditions: Sequence[ColumnElement[bool]] = (),
    after: tuple[int, int] | None = None,
    limit: int | None = None,
) -> Select[Any]:
    """Ids (and scores) of a collector's open accounts meeting ``conditions``, highest priority
    first, after a keyset cursor. Guarantor columns may appear in ``conditions``."""
    a, g = ACCOUNT_T.c, GUARANTOR_T.c
    statement = (
        select(a.id, a.priority_score)
        .join(GUARANTOR_T, g.id == a.guarantor_id)
        .where(a.assigned_collector_id == collector_id, open_status(), *conditions)
    )
    if after is not None:
        # The row-value form keeps the keyset seek on the index at any depth.
        statement = statement.where(tuple_(a.priority_score, a.id) < tuple_(*after))
    statement = statement.order_by(a.priority_score.desc(), a.id.desc())
    return statement if limit is None else statement.limit(limit)
