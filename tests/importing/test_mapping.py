"""``--mapping``: another system's header names, date format and money unit."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest

from collector_tui.importing.kinds import PLACEMENTS
from collector_tui.importing.mapping import MappingError, load_mapping
from collector_tui.importing.runner import STATUS_COMPLETED, ImportOptions, run_import
from collector_tui.services.audit import SYSTEM
from collector_tui.services.database import Database
from tests.conftest import NOW
from tests.importing.helpers import ROOT, cli_import, counts, empty_counts, json_summary, query, write_table
from tests.services.builders import account

MAPPING = """
[columns]
"Acct #" = "account_number"
"Facility" = "facility_code"
"Balance Due" = "total_balance"
"Placed On" = "placed_date"

[formats]
dates = ["%m/%d/%Y"]
money = "cents"
"""
HEADER = [
    "record_type",
    "Facility",
    "Acct #",
    "guarantor_id",
    "guarantor_first_name",
    "guarantor_last_name",
    "guarantor_dob",
    "service_date_from",
    "Placed On",
    "Balance Due",
    "insurance_pending",
    "patient_responsibility",
]
RECORDS = [
    [
        "new",
        "MERCY",
        "77-001",
        "G-1",
        "Jane",
        "Doe",
        "04/12/1980",
        "07/02/2026",
        "11/20/2026",
        "156000",
        "31000",
        "125000",
    ],
    ["new", "MERCY", "77-002", "G-2", "John", "Roe", "12/31/1975", "", "01/05/2026", "1999", "", ""],
]


def _mapping(folder: Path, text: str = MAPPING) -> Path:
    path = folder / "billing.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_mapped_file_imports_with_its_dates_and_cents(db: Database, db_url: str, tmp_path: Path) -> None:
    path = write_table(tmp_path / "export.csv", HEADER, [*RECORDS, ["TRAILER", "2", "157999"]])

    result = cli_import(db_url, "placements", path, "--mapping", str(_mapping(tmp_path)), "--json")

    assert result.exit_code == 0, result.output
    data = json_summary(result)
    assert (data["status"], data["rows_read"], data["inserted"], data["rejected"]) == ("completed", 2, 2, 0)
    assert data["total_cents"] == 157999
    assert data["warnings"] == []
    first, second = account(db, "77-001"), account(db, "77-002")
    assert (first.total_balance_cents, first.insurance_pending_cents, first.patient_responsibility_cents) == (
        156000,
        31000,
        125000,
    )
    assert (first.placed_date, first.service_date_from) == (date(2026, 11, 20), date(2026, 7, 2))
    assert (second.total_balance_cents, second.patient_responsibility_cents) == (1999, 1999)
    assert second.placed_date == date(2026, 1, 5)
    assert query(db_url, "SELECT external_id, date_of_birth FROM guarantor ORDER BY 1") == [
        ("G-1", "1980-04-12"),
        ("G-2", "1975-12-31"),
    ]


def test_mapped_formats_reject_iso_values(db: Database, db_url: str, tmp_path: Path) -> None:
    records = [RECORDS[0], [*RECORDS[1][:8], "2026-01-05", "19.99", "", ""]]  # ISO date, dollars
    path = write_table(tmp_path / "export.csv", HEADER, records)
    mapping = load_mapping(_mapping(tmp_path), PLACEMENTS.columns)

    summary = run_import(db, PLACEMENTS, path, actor=SYSTEM, now=NOW, options=ImportOptions(mapping=mapping))

    assert summary.status == STATUS_COMPLETED
    assert (summary.inserted, summary.rejected, summary.exit_code) == (1, 1, 3)
    text = (tmp_path / "export.csv.rejects.csv").read_text(encoding="utf-8")
    assert "export.csv,3,placed_date," in text
    assert "export.csv,3,total_balance," in text  # "19.99" is not a whole number of cents


def test_mapping_to_an_unknown_column_is_a_usage_error(db_url: str, tmp_path: Path) -> None:
    mapping = _mapping(tmp_path, MAPPING.replace('"Balance Due" = "total_balance"', '"Bal" = "balance_due"'))
    path = write_table(tmp_path / "export.csv", HEADER, RECORDS)

    with pytest.raises(MappingError, match="balance_due"):
        load_mapping(mapping, PLACEMENTS.columns)

    result = cli_import(db_url, "placements", path, "--mapping", str(mapping), "--json")

    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    assert "unknown column(s): balance_due" in result.stderr
    assert counts(db_url) == empty_counts()


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("[columns\n", "not valid TOML"),
        ('[formats]\nmoney = "pennies"\n', "formats.money"),
        ("[formats]\ndates = 5\n", "formats.dates"),
    ],
    ids=["bad-toml", "bad-money-unit", "bad-dates"],
)
def test_unusable_mapping_is_a_usage_error(db_url: str, tmp_path: Path, text: str, problem: str) -> None:
    path = write_table(tmp_path / "export.csv", HEADER, RECORDS)

    result = cli_import(db_url, "placements", path, "--mapping", str(_mapping(tmp_path, text)))

    assert result.exit_code == 1, result.output
    assert problem in result.stderr
    assert counts(db_url) == empty_counts()


def _refused(db_url: str, tmp_path: Path, mapping: Path) -> str:
    """Import with ``mapping`` through the CLI; it must be refused before a row is read. Returns stderr."""
    path = write_table(tmp_path / "export.csv", HEADER, RECORDS)

    result = cli_import(db_url, "placements", path, "--mapping", str(mapping), "--json")

    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit)  # a message, not a traceback
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert str(mapping) in result.stderr
    assert counts(db_url) == empty_counts()
    assert not (tmp_path / "export.csv.rejects.csv").exists()
    return result.stderr


@pytest.mark.parametrize(
    ("formats", "key"),
    [
        ('dates = ["%Q/%d/%Y"]', "formats.dates"),  # not a directive
        ('dates = ["%m/%d/%Y", "DD/MM/YYYY"]', "formats.dates"),  # no directive at all: matches nothing
        ('dates = ["%m/%d"]', "formats.dates"),  # no year
        ('dates = ["%m/%d/%Y %"]', "formats.dates"),  # a stray %
        ('timestamps = ["%m/%d/%Y %H:%M:%S"]', "formats.timestamps"),  # no UTC offset
        ('timestamps = ["%m/%d/%Y %I:%M%z"]', "formats.timestamps"),  # 12-hour clock without AM/PM
        ('timestamps = ["%m/%d/%Y%z"]', "formats.timestamps"),  # no time of day
    ],
    ids=["bad-directive", "no-directive", "no-year", "stray-percent", "no-offset", "no-am-pm", "no-time"],
)
def test_an_unusable_date_format_refuses_the_mapping(
    db_url: str, tmp_path: Path, formats: str, key: str
) -> None:
    mapping = _mapping(tmp_path, f'[columns]\n"Acct #" = "account_number"\n\n[formats]\n{formats}\n')

    with pytest.raises(MappingError, match=key) as caught:
        load_mapping(mapping, PLACEMENTS.columns)
    assert caught.value.exit_code == 1

    stderr = _refused(db_url, tmp_path, mapping)
    assert key in stderr


def test_usable_formats_are_accepted() -> None:
    path = ROOT / "fixtures" / "mappings" / "example_billing_system.toml"
    mapping = load_mapping(path, PLACEMENTS.columns)
    assert mapping.fmt.date_formats == ("%m/%d/%Y",)
    assert mapping.fmt.datetime_formats == ("%m/%d/%Y %H:%M:%S%z",)


def test_a_folder_is_not_a_mapping(db_url: str, tmp_path: Path) -> None:
    folder = tmp_path / "mappings"
    folder.mkdir()
    assert "folder" in _refused(db_url, tmp_path, folder)


def test_a_mapping_that_is_not_utf8_is_refused(db_url: str, tmp_path: Path) -> None:
    mapping = tmp_path / "billing.toml"
    mapping.write_bytes(b'[formats]\nmoney = "cents" # \xe9t\xe9\n')
    assert "UTF-8" in _refused(db_url, tmp_path, mapping)


def test_an_unreadable_mapping_is_refused(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mapping = _mapping(tmp_path)
    read = Path.read_bytes

    def denied(self: Path) -> bytes:
        if self == mapping:
            raise PermissionError(13, "Permission denied", str(self))
        return read(self)

    monkeypatch.setattr(Path, "read_bytes", denied)
    monkeypatch.setattr(Path, "read_text", lambda self, *a, **k: denied(self).decode(*a, **k))
    assert "cannot be read" in _refused(db_url, tmp_path, mapping)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_a_mapping_without_read_permission_is_refused(db_url: str, tmp_path: Path) -> None:
    mapping = _mapping(tmp_path)
    mapping.chmod(0)
    assert "cannot be read" in _refused(db_url, tmp_path, mapping)
