"""Exports: streamed, atomic, private files; watermarks that move only after a complete file."""

from __future__ import annotations

import csv
import io
import json
import stat
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from collector_tui.cli.main import app
from collector_tui.demo.build import load_demo_office
from collector_tui.demo.generator import DemoOffice
from collector_tui.services import exports
from collector_tui.services.audit import SYSTEM
from collector_tui.services.database import Database
from collector_tui.services.exports import ExportError, export, neutralise
from db.models import Activity, AuditEvent, ExportWatermark
from tests.conftest import NOW, TODAY

LATER = NOW + timedelta(minutes=5)  # rows written at NOW have settled by then


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


@pytest.mark.parametrize("kind", sorted(exports.KINDS))
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
    with pytest.raises(ExportError, match="no such folder"):
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
    result = runner.invoke(app, ["--db", office.url, "export", "transactions", "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    assert all(json.loads(line)["transaction_id"] for line in result.stdout.splitlines())
    both = runner.invoke(
        app, ["--db", office.url, "export", "accounts", "--since", "2026-01-01", "--since-last"]
    )
    assert both.exit_code == 1
    bad = runner.invoke(app, ["--db", office.url, "export", "accounts", "--since", "yesterday"])
    assert bad.exit_code != 0
