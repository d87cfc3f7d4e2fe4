"""Exports: streamed, atomic, private files; watermarks that move only after a complete file."""

from __future__ import annotations

import csv
import io
import json
import re
import stat
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import update
from sqlmodel import select
from typer.testing import CliRunner

from collector_tui.cli.main import app
from collector_tui.db.models import (
    Account,
    AccountTransaction,
    Activity,
    AuditEvent,
    Collector,
    ExportWatermark,
    Facility,
    table_of,
)
from collector_tui.demo.build import load_demo_office
from collector_tui.demo.generator import DemoOffice
from collector_tui.services.audit import SYSTEM
from collector_tui.services.database import Database
from collector_tui.services.files import exports
from collector_tui.services.files.exports import export, neutralise
from collector_tui.services.files.output_files import OutputFileError
from tests.conftest import NOW, TODAY

LATER = NOW + timedelta(minutes=5)  # rows written at NOW have settled by then
# The demo office files no appeal and asks billing for nothing: those kinds have their own office,
# with every check below made on them too, in tests/exporting/test_denial_exports.py.
DEMO_KINDS = sorted(set(exports.KINDS) - {"appeals", "billing-tasks"})


@pytest.fixture
def office(db: Database) -> Database:
    load_demo_office(db, DemoOffice(accounts=300, seed=3, as_of=TODAY), now=NOW)
    return db


def _csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_transactions_export_as_csv_with_dollars_and_utc(office: Database) -> None:
    out = io.StringIO()
    result = export(office, "transactions", actor=SYSTEM, now=LATER, stdout=out)
    rows = _csv(out.getvalue())
    assert result.rows == len(rows) > 0
    assert set(rows[0]) == set(exports.KINDS["transactions"].columns)
    assert all(row["posted_at"].endswith("Z") for row in rows)
    assert all("." in row["amount"] for row in rows)


def test_jsonl_lines_parse(office: Database) -> None:
    out = io.StringIO()
    result = export(office, "activities", actor=SYSTEM, now=LATER, fmt="jsonl", stdout=out)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert len(lines) == result.rows > 0
    assert {"account_number", "result_code", "occurred_at"} <= set(lines[0])


@pytest.mark.parametrize("kind", DEMO_KINDS)
def test_every_kind_exports(office: Database, kind: str, tmp_path: Path) -> None:
    result = export(office, kind, actor=SYSTEM, now=LATER, out=tmp_path / f"{kind}.csv")
    assert result.rows > 0
    assert len(_csv((tmp_path / f"{kind}.csv").read_text(encoding="utf-8"))) == result.rows


def test_formula_cells_are_neutralised_in_csv_only(office: Database) -> None:
    with office.writing() as session:
        activity = session.exec(select(Activity)).first()
        assert activity is not None
        activity.note = '=HYPERLINK("http://x","click")'
        session.add(activity)
    out = io.StringIO()
    export(office, "activities", actor=SYSTEM, now=LATER, stdout=out)
    notes = [row["note"] for row in _csv(out.getvalue())]
    assert '\'=HYPERLINK("http://x","click")' in notes
    assert neutralise("-12") == "'-12"
    assert neutralise("@SUM(A1)") == "'@SUM(A1)"
    assert neutralise("plain") == "plain"
    assert neutralise(5) == 5


def test_file_is_written_privately_and_atomically(office: Database, tmp_path: Path) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    target = folder / "activities.csv"
    export(office, "activities", actor=SYSTEM, now=LATER, out=target)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert [p.name for p in folder.iterdir()] == ["activities.csv"]


def test_a_failed_write_leaves_no_file_and_keeps_the_watermark(
    office: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: object) -> int:
        raise OSError("disk full")

    monkeypatch.setattr(exports, "_write", broken)
    folder = tmp_path / "out"
    folder.mkdir()
    with pytest.raises(OSError, match="disk full"):
        export(office, "activities", actor=SYSTEM, now=LATER, out=folder / "a.csv", since_last=True)
    assert list(folder.iterdir()) == []
    with office.reading() as session:
        assert session.get(ExportWatermark, "activities") is None


def test_missing_folder_is_a_clear_error(office: Database, tmp_path: Path) -> None:
    with pytest.raises(OutputFileError, match="no such folder"):
        export(office, "activities", actor=SYSTEM, now=LATER, out=tmp_path / "nope" / "a.csv")


def test_since_last_exports_each_row_once(office: Database) -> None:
    first, second = io.StringIO(), io.StringIO()
    one = export(office, "activities", actor=SYSTEM, now=LATER, stdout=first, since_last=True)
    two = export(
        office, "activities", actor=SYSTEM, now=LATER + timedelta(hours=1), stdout=second, since_last=True
    )
    assert one.rows > 0
    assert two.rows == 0
    with office.reading() as session:
        mark = session.get(ExportWatermark, "activities")
        assert mark is not None
        assert mark.exported_through == two.through


def test_rows_still_settling_wait_for_the_next_export(office: Database) -> None:
    out = io.StringIO()
    result = export(office, "activities", actor=SYSTEM, now=NOW + timedelta(seconds=30), stdout=out)
    assert result.rows == 0  # written at NOW, inside the last minute


def test_every_export_is_audited(office: Database) -> None:
    export(office, "promises", actor=SYSTEM, now=LATER, stdout=io.StringIO())
    with office.reading() as session:
        events = session.exec(select(AuditEvent).where(AuditEvent.action == "export.promises")).all()
    assert len(events) == 1
    assert events[0].details is not None
    assert json.loads(events[0].details)["rows"] > 0


def test_cli_export(office: Database) -> None:
    runner = CliRunner()
    result = runner.invoke(
        app, ["--db", office.url, "--as", "nightly", "export", "transactions", "--format", "jsonl"]
    )
    assert result.exit_code == 0, result.output
    assert all(json.loads(line)["transaction_id"] for line in result.stdout.splitlines())
    both = runner.invoke(
        app, ["--db", office.url, "export", "accounts", "--since", "2026-01-01", "--since-last"]
    )
    assert both.exit_code == 1
    bad = runner.invoke(app, ["--db", office.url, "export", "accounts", "--since", "yesterday"])
    assert bad.exit_code != 0


NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")


def _make_formulas(db: Database) -> None:
    """Give every facility code, login and account number, and a reference, a formula start."""
    with db.writing() as session:
        session.execute(update(table_of(Facility)).values(code="=" + table_of(Facility).c.code))
        session.execute(update(table_of(Collector)).values(login="@" + table_of(Collector).c.login))
        accounts = table_of(Account)
        session.execute(update(accounts).values(account_number="+" + accounts.c.account_number))
        txs = table_of(AccountTransaction)
        session.execute(update(txs).values(reference="\t-1+1", external_id="\r" + txs.c.external_id))


@pytest.mark.parametrize("kind", DEMO_KINDS)
def test_every_text_cell_of_every_kind_is_neutralised(office: Database, kind: str) -> None:
    _make_formulas(office)
    out = io.StringIO()
    export(office, kind, actor=SYSTEM, now=LATER, stdout=out)
    rows = _csv(out.getvalue())
    assert rows
    for row in rows:
        for name, cell in row.items():
            # A number (an id, a count, a signed amount) stays a number; any other text is neutralised.
            assert not cell.startswith(exports.FORMULA_STARTS) or NUMBER.fullmatch(cell), (name, cell)
    assert all(row["facility_code"].startswith("'=") for row in rows)
    assert all(row["account_number"].startswith("'+") for row in rows)
    if "collector_login" in rows[0]:
        assert any(row["collector_login"].startswith("'@") for row in rows)


def test_money_and_ids_stay_numbers_in_csv(office: Database) -> None:
    _make_formulas(office)
    out = io.StringIO()
    result = export(office, "transactions", actor=SYSTEM, now=LATER, stdout=out)
    rows = _csv(out.getvalue())
    assert len(rows) == result.rows  # a carriage return in a cell does not split its record
    assert any(row["amount"].startswith("-") for row in rows)  # payments lower the balance
    assert all(NUMBER.fullmatch(row["amount"]) and row["transaction_id"].isdigit() for row in rows)
    assert all(row["reference"] == "'\t-1+1" and row["source_id"].startswith("'\n") for row in rows)


def test_jsonl_keeps_text_exactly_as_stored(office: Database) -> None:
    """A JSON reader is not a spreadsheet: values go out untouched, ids as JSON numbers."""
    _make_formulas(office)
    out = io.StringIO()
    export(office, "accounts", actor=SYSTEM, now=LATER, fmt="jsonl", stdout=out)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert lines
    assert all(
        line["facility_code"].startswith("=") and line["account_number"].startswith("+") for line in lines
    )
    assert all(isinstance(line["account_id"], int) and isinstance(line["version"], int) for line in lines)
    assert all(NUMBER.fullmatch(line["total_balance"]) for line in lines)


def test_neutralise_follows_owasp_csv_injection_starts() -> None:
    for start in ("=", "+", "-", "@", "\t", "\r"):
        assert neutralise(start + "1") == "'" + start + "1"
    assert neutralise("A-1") == "A-1"
    assert neutralise(-5) == -5
