"""Helpers for import tests: CSV files written byte-for-byte, table counts, and the CLI."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from typer.testing import CliRunner, Result

from collector_tui.cli.main import app
from collector_tui.db.engine import sqlite_path
from collector_tui.domain.placement import PLACEMENT_COLUMNS
from tests.nightly import add_os_login
from tests.services.builders import placement_row

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "fixtures" / "sample"
TABLES = ("account", "guarantor", "import_batch", "audit_event", "account_transaction", "activity")
REJECTS_HEADER = ["file", "line", "field", "reason"]

_runner = CliRunner()


def csv_line(cells: Sequence[str]) -> str:
    """One CSV record as text, as the csv module writes it (``\\r\\n`` ending)."""
    buffer = io.StringIO()
    csv.writer(buffer).writerow(cells)
    return buffer.getvalue()


def write_table(path: Path, header: Sequence[str], records: Iterable[Sequence[str]]) -> Path:
    """A UTF-8 CSV file: ``header``, then each record as a list of cells (any width)."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(records)
    return path


def write_rows(
    path: Path,
    rows: Iterable[Mapping[str, str]],
    *,
    columns: Sequence[str] = PLACEMENT_COLUMNS,
    trailer: Sequence[str] | None = None,
) -> Path:
    """Rows given as dicts, written in ``columns`` order; optionally a trailer record last."""
    records: list[Sequence[str]] = [[row.get(name, "") for name in columns] for row in rows]
    if trailer is not None:
        records.append(trailer)
    return write_table(path, columns, records)


def write_bytes(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def placements(count: int, prefix: str = "A-") -> list[dict[str, str]]:
    """``count`` valid, distinct ``new`` rows (own account number and guarantor each)."""
    return [
        placement_row(account_number=f"{prefix}{n:04d}", guarantor_id=f"G-{prefix}{n:04d}")
        for n in range(1, count + 1)
    ]


def db_file(db_url: str) -> Path:
    path = sqlite_path(db_url)
    assert path is not None
    return path


def counts(db_url: str) -> dict[str, int]:
    """Rows in the tables an import writes, read with plain sqlite3 (no app code)."""
    conn = sqlite3.connect(db_file(db_url))
    try:
        return {table: int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]) for table in TABLES}
    finally:
        conn.close()


def query(db_url: str, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(db_file(db_url))
    try:
        return list(conn.execute(sql, params).fetchall())
    finally:
        conn.close()


def empty_counts() -> dict[str, int]:
    return dict.fromkeys(TABLES, 0)


def read_rejects(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        assert header == REJECTS_HEADER
        return [dict(zip(header, row, strict=True)) for row in reader]


def rejected_fields(path: Path) -> dict[int, set[str]]:
    """Reject file as line -> the fields named for it."""
    fields: dict[int, set[str]] = {}
    for row in read_rejects(path):
        fields.setdefault(int(row["line"]), set()).add(row["field"])
    return fields


def cli(db_url: str, *args: str) -> Result:
    """``collector --db <file> ARGS`` in-process (the CLI reads the real clock), as the OS login
    made an operator of the database first (imports are for operators; see tests/cli/test_os_users.py
    and tests/importing/test_access.py for who else may not)."""
    add_os_login(db_url)
    return _runner.invoke(app, ["--db", str(db_file(db_url)), *args])


def cli_import(db_url: str, kind: str, file: Path, *options: str) -> Result:
    return cli(db_url, "import", kind, str(file), *options)


def json_summary(result: Result) -> dict[str, Any]:
    data = json.loads(result.stdout)
    assert isinstance(data, dict)
    return data
