"""Read queries that need care at a million accounts: keyset pages and index-friendly filters.

The status filter is rendered as a literal: SQLite uses the partial queue
index only when the query's WHERE visibly implies the index's WHERE, which a
bound parameter does not (see ``shared/PERFORMANCE.md``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, bindparam, func, select, tuple_
from sqlalchemy.engine import RowMapping
from sqlmodel import Session

from db import codes
from db.models import Account, Facility, Guarantor, table_of

ACCOUNT_T = table_of(Account)
GUARANTOR_T = table_of(Guarantor)
FACILITY_T = table_of(Facility)


def open_status() -> Any:
    """``status = 'open'`` as a literal, so SQLite sees that the partial queue index applies."""
    return ACCOUNT_T.c.status == bindparam("open_status", codes.ACCOUNT_OPEN, literal_execute=True)


def queue_page_statement(collector_id: int, after: tuple[int, int] | None, limit: int) -> Select[Any]:
    """A collector's open accounts, highest priority first, after a keyset cursor."""
    a, g, f = ACCOUNT_T.c, GUARANTOR_T.c, FACILITY_T.c
    statement = (
        select(
            a.id,
            a.account_number,
            f.code.label("facility_code"),
            g.last_name,
            g.first_name,
            a.total_balance_cents,
            a.first_statement_date,
            a.service_date_from,
            a.placed_date,
            a.status,
            a.priority_score,
        )
        .join(GUARANTOR_T, g.id == a.guarantor_id)
        .join(FACILITY_T, f.id == a.facility_id)
        .where(a.assigned_collector_id == collector_id, open_status())
    )
    if after is not None:
        # The row-value form keeps the keyset seek on the index at any depth.
        statement = statement.where(tuple_(a.priority_score, a.id) < tuple_(*after))
    return statement.order_by(a.priority_score.desc(), a.id.desc()).limit(limit)


def queue_page(
    session: Session, collector_id: int, after: tuple[int, int] | None, limit: int
) -> Sequence[RowMapping]:
    return session.execute(queue_page_statement(collector_id, after, limit)).mappings().all()


def count_open(session: Session, collector_id: int) -> int:
    a = ACCOUNT_T.c
    statement = (
        select(func.count())
        .select_from(ACCOUNT_T)
        .where(a.assigned_collector_id == collector_id, open_status())
    )
    return int(session.execute(statement).scalar_one())
