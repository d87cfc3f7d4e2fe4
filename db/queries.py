"""Read queries that need care at a million accounts: keyset pages and index-friendly filters.

The status filter is rendered as a literal: SQLite uses the partial queue
index only when the query's WHERE visibly implies the index's WHERE, which a
bound parameter does not (see ``docs/performance.md``).

The queue walks a collector's open accounts in priority order on
``ix_account_queue``, which carries every column the sections test, and stops
after a page; how a section asks about phones is the caller's (see
``collector_tui.services.worklists.queue``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, bindparam, func, literal_column, select, tuple_
from sqlalchemy.sql import ColumnElement

from collector_tui.db.tables import ACCOUNT_T, DENIAL_ITEM_T, GUARANTOR_T
from collector_tui.vocabulary import AccountStatus, DenialStatus


def open_status() -> Any:
    """``status = 'open'`` as a literal, so SQLite sees that the partial queue index applies."""
    return ACCOUNT_T.c.status == bindparam("open_status", AccountStatus.OPEN, literal_execute=True)


def open_denial_item() -> Any:
    """``denial_item.status = 'open'`` as a literal: the worklist's partial indexes then apply."""
    return DENIAL_ITEM_T.c.status == bindparam("open_item", DenialStatus.OPEN, literal_execute=True)


def queue_statement(
    collector_id: int,
    conditions: Sequence[ColumnElement[bool]] = (),
    after: tuple[int, int] | None = None,
    limit: int | None = None,
    *,
    with_guarantor: bool = True,
) -> Select[Any]:
    """Ids (and scores) of a collector's open accounts meeting ``conditions``, highest priority
    first, after a keyset cursor. Guarantor columns may appear in ``conditions`` unless
    ``with_guarantor`` is False: every account has its guarantor (a foreign key), so leaving the
    join out changes no row and spares reading a guarantor row per account (most of a count)."""
    a, g = ACCOUNT_T.c, GUARANTOR_T.c
    statement = select(a.id, a.priority_score)
    if with_guarantor:
        statement = statement.join(GUARANTOR_T, g.id == a.guarantor_id)
    statement = statement.where(a.assigned_collector_id == collector_id, open_status(), *conditions)
    if after is not None:
        # The row-value form keeps the keyset seek on the index at any depth.
        statement = statement.where(tuple_(a.priority_score, a.id) < tuple_(*after))
    statement = statement.order_by(a.priority_score.desc(), a.id.desc())
    return statement if limit is None else statement.limit(limit)


def count_open_accounts(collector_id: int, at_most: int) -> Select[Any]:
    """How many open accounts the collector has, counting no further than ``at_most`` (a bounded
    walk of one of the collector's indexes)."""
    a = ACCOUNT_T.c
    some = (
        select(literal_column("1"))
        .select_from(ACCOUNT_T)
        .where(a.assigned_collector_id == collector_id, open_status())
        .limit(at_most)
        .subquery()
    )
    return select(func.count()).select_from(some)
