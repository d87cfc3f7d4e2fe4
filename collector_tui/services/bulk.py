"""Executemany helpers: services write batches through Core, never one ORM object a row."""

from __future__ import annotations

import gc
import json
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import closing, contextmanager
from datetime import date
from operator import itemgetter
from typing import Any, TypeVar

from sqlalchemy import Date, Table, bindparam, func, insert, literal_column, select, update
from sqlalchemy.engine import Dialect
from sqlalchemy.sql import Executable
from sqlalchemy.types import TypeEngine
from sqlmodel import Session

CHUNK = 500  # keeps IN lists well under SQLite's bound-parameter limit
T = TypeVar("T")


def chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def select_in_chunks(
    session: Session, build: Callable[[Any], Executable], values: Iterable[Any]
) -> Iterator[Any]:
    """Every row of ``build(values)``, where ``build`` uses its argument as ``column.in_(...)``.

    The statement is built once and run per chunk of values: building
    ``in_(list)`` anew coerces every element. On SQLite a chunk of ids or
    strings travels as one JSON parameter (``IN (SELECT value FROM
    json_each(?))``); elsewhere, and for other values, as an expanding one.
    """
    ordered = sorted(set(values))
    if not ordered:
        return
    if _SQLITE_JSON and session.get_bind().dialect.name == "sqlite" and all(_json_safe(v) for v in ordered):
        # One JSON text instead of a parameter per value: SQLite reads it with json_each, and
        # SQLAlchemy need not render and convert each value (~4x faster per lookup).
        listed = build(select(literal_column("value")).select_from(func.json_each(bindparam(IN_JSON))))
        for part in chunks(ordered, JSON_CHUNK):
            yield from session.execute(listed, {IN_JSON: json.dumps(part)})
        return
    statement = build(bindparam(IN_VALUES, expanding=True))
    for part in chunks(ordered):
        yield from session.execute(statement, {IN_VALUES: list(part)})


IN_VALUES = "in_values"
IN_JSON = "in_json"
JSON_CHUNK = 2000


def _json_safe(value: object) -> bool:
    """A value json_each hands back unchanged: a 64-bit integer, or text without a NUL."""
    if type(value) is int:
        return -(2**63) <= value < 2**63
    return type(value) is str and "\x00" not in value


def _sqlite_has_json() -> bool:
    """JSON is built into SQLite since 3.38 and into most earlier builds; ask rather than assume."""
    try:
        with closing(sqlite3.connect(":memory:")) as conn:
            return conn.execute("SELECT value FROM json_each('[1]')").fetchall() == [(1,)]
    except sqlite3.Error:
        return False


_SQLITE_JSON = _sqlite_has_json()
Processor = Callable[[Any], Any] | None
Plan = tuple[str, bool, tuple[str, ...], tuple[Processor, ...]]
_PLANS: dict[tuple[str, Table, tuple[str, ...], str], Plan] = {}


def _plan(kind: str, table: Table, keys: tuple[str, ...], dialect: Dialect) -> Plan:
    """SQL text, parameter order and each parameter's bind processor, built once per shape."""
    cache_key = (kind, table, keys, dialect.name)
    plan = _PLANS.get(cache_key)
    if plan is not None:
        return plan
    if kind == "insert":
        compiled = insert(table).compile(dialect=dialect, column_keys=list(keys))
        names = {key: key for key in keys}
    else:
        columns = [key for key in keys if key != "row_id"]
        statement = (
            update(table)
            .where(table.c.id == bindparam("row_id", type_=table.c.id.type))
            .values({key: bindparam(f"new_{key}", type_=table.c[key].type) for key in columns})
        )
        compiled = statement.compile(dialect=dialect)
        names = {"row_id": "row_id", **{f"new_{key}": key for key in columns}}
    params = tuple(compiled.positiontup or ()) if compiled.positional else tuple(names)
    order = tuple(names[name] for name in params)
    processors = tuple(
        _bind_processor(table.c["id" if key == "row_id" else key].type, dialect) for key in order
    )
    plan = (str(compiled), compiled.positional, params, processors)
    _PLANS[cache_key] = plan
    return plan


def _execute(session: Session, kind: str, table: Table, rows: list[dict[str, Any]]) -> None:
    """Send ``rows`` (all with the same keys) to the driver as one executemany.

    Core's executemany spends most of its time building parameters; sending
    pre-processed tuples to the driver is ~3x faster (``docs/performance.md``).
    Column types still convert every value (dates, UTC timestamps, booleans);
    a value repeated down a column (a batch's ``now``) is converted once.
    """
    if not rows:
        return
    connection = session.connection()
    sql, positional, params, processors = _plan(kind, table, tuple(rows[0]), connection.dialect)
    keys = tuple(name.removeprefix("new_") if kind == "update" else name for name in params)
    # Work column by column: itemgetter and zip do the row <-> column turns in C.
    pick = itemgetter(*keys)
    columns = (
        list(zip(*(pick(row) for row in rows), strict=True))
        if len(keys) > 1
        else [tuple(row[keys[0]] for row in rows)]
    )
    for i, process in enumerate(processors):
        if process is not None:
            columns[i] = _converted(columns[i], process)
    tuples = list(zip(*columns, strict=True))
    if positional:
        connection.exec_driver_sql(sql, tuples)
    else:
        connection.exec_driver_sql(sql, [dict(zip(params, values, strict=True)) for values in tuples])


def _bind_processor(column_type: TypeEngine[Any], dialect: Dialect) -> Processor:
    """The column type's own converter, except plain dates on SQLite.

    SQLite stores a ``Date`` as ``YYYY-MM-DD``, which ``date.isoformat`` (C)
    writes ~20x faster than SQLAlchemy's Python formatter.
    """
    if dialect.name == "sqlite" and type(column_type) is Date:
        return date.isoformat
    processor: Processor = column_type.dialect_impl(dialect).bind_processor(dialect)
    return processor


def _converted(column: tuple[Any, ...], process: Callable[[Any], Any]) -> tuple[Any, ...]:
    """Apply a bind processor down a column; a value repeated (a batch's ``now``) converts once."""
    out: list[Any] = []
    previous: Any = object()
    converted: Any = None
    for value in column:
        if value is None:
            out.append(None)
            continue
        if value is not previous:
            previous, converted = value, process(value)
        out.append(converted)
    return tuple(out)


def insert_rows(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    """INSERT ``rows`` (all with the same keys) in one driver-level executemany."""
    _execute(session, "insert", table, rows)


def update_by_id(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    """``UPDATE table SET ... WHERE id = :row_id`` for each row (same keys in every row)."""
    _execute(session, "update", table, rows)


def put_row(session: Session, table: Table, key: dict[str, Any], values: dict[str, Any]) -> None:
    """Write the one row of ``table`` whose primary key is ``key``: its ``values`` updated when it
    is on file, else the row inserted (what ``Session.merge`` did, as two Core statements)."""
    where = [table.c[name] == value for name, value in key.items()]
    on_file = session.execute(select(literal_column("1")).select_from(table).where(*where)).first()
    if on_file is None:
        session.execute(insert(table).values({**key, **values}))
    else:
        session.execute(update(table).where(*where).values(values))


# Young objects collected every 50,000 allocations instead of 700, and full passes rarely.
BULK_GC_THRESHOLD = (50_000, 20, 100)
_bulk_lock = threading.Lock()
_bulk_depth = 0
_usual_threshold: tuple[int, int, int] = gc.get_threshold()


@contextmanager
def rare_collections() -> Iterator[None]:
    """Run the cyclic garbage collector rarely while writing in bulk.

    A bulk write allocates millions of short-lived objects that reference
    counting frees; at Python's default thresholds the collector also keeps
    walking every live object (SQLAlchemy's, the batch's) many times a
    second. Building the 100,000-account demo took a fifth less time without
    it. The setting is the process's: the first of overlapping bulk writes
    sets it, the last restores it. A forked parsing worker inherits it.
    """
    global _bulk_depth, _usual_threshold
    with _bulk_lock:
        if _bulk_depth == 0:
            _usual_threshold = gc.get_threshold()
            gc.set_threshold(*BULK_GC_THRESHOLD)
        _bulk_depth += 1
    try:
        yield
    finally:
        with _bulk_lock:
            _bulk_depth -= 1
            if _bulk_depth == 0:
                gc.set_threshold(*_usual_threshold)
