"""Executemany helpers: services write batches through Core, never one ORM object a row."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, TypeVar

from sqlalchemy import Table, bindparam, insert, update
from sqlalchemy.engine import Dialect
from sqlalchemy.sql import Executable
from sqlmodel import Session

CHUNK = 500  # keeps IN lists well under SQLite's bound-parameter limit
T = TypeVar("T")


def chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def select_in_chunks(
    session: Session, build: Callable[[list[Any]], Executable], values: Iterable[Any]
) -> Iterator[Any]:
    """Run ``build(part)`` for each chunk of ``values`` and yield every row."""
    ordered = sorted(set(values))
    for part in chunks(ordered):
        yield from session.execute(build(list(part)))


Processor = Callable[[Any], Any] | None
_PLANS: dict[
    tuple[Table, tuple[str, ...], str], tuple[str, bool, tuple[str, ...], tuple[Processor, ...]]
] = {}


def _insert_plan(
    table: Table, keys: tuple[str, ...], dialect: Dialect
) -> tuple[str, bool, tuple[str, ...], tuple[Processor, ...]]:
    """The INSERT's SQL text, parameter order and each column's bind processor, built once."""
    cache_key = (table, keys, dialect.name)
    plan = _PLANS.get(cache_key)
    if plan is None:
        compiled = insert(table).compile(dialect=dialect, column_keys=list(keys))
        order = tuple(compiled.positiontup or keys) if compiled.positional else keys
        processors = tuple(table.c[key].type.dialect_impl(dialect).bind_processor(dialect) for key in order)
        plan = (str(compiled), compiled.positional, order, processors)
        _PLANS[cache_key] = plan
    return plan


def insert_rows(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert ``rows`` (all with the same keys) as one driver-level executemany.

    Core's executemany spends most of its time building parameters; sending
    pre-processed tuples to the driver is ~3x faster (``shared/PERFORMANCE.md``).
    Column types still convert every value (dates, UTC timestamps, booleans).
    """
    if not rows:
        return
    connection = session.connection()
    sql, positional, order, processors = _insert_plan(table, tuple(rows[0]), connection.dialect)
    convert = [(i, process) for i, process in enumerate(processors) if process is not None]
    values = [list(map(row.__getitem__, order)) for row in rows]
    for i, process in convert:
        for row_values in values:
            if row_values[i] is not None:
                row_values[i] = process(row_values[i])
    params: list[Any] = (
        [tuple(v) for v in values] if positional else [dict(zip(order, v, strict=True)) for v in values]
    )
    connection.exec_driver_sql(sql, params)


def update_by_id(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    """Executemany ``UPDATE table SET ... WHERE id = :row_id`` (same keys in every row)."""
    if not rows:
        return
    columns = [key for key in rows[0] if key != "row_id"]
    statement = (
        update(table)
        .where(table.c.id == bindparam("row_id"))
        .values({name: bindparam(name) for name in columns})
    )
    session.connection().execute(statement, rows)
