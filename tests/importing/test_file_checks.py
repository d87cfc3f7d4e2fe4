"""Pass 1: problems with the file as a whole stop the import before anything is written."""

from __future__ import annotations

from pathlib import Path

import pytest

from collector_tui.domain.placement import PLACEMENT_COLUMNS
from collector_tui.importing.kinds import PLACEMENTS
from collector_tui.importing.runner import STATUS_COMPLETED, ImportOptions, ImportSummary, run_import
from collector_tui.importing.source import FileProblemError
from collector_tui.services.audit import SYSTEM
from collector_tui.services.database import Database
from tests.conftest import NOW
from tests.importing.helpers import (
    cli_import,
    counts,
    csv_line,
    empty_counts,
    json_summary,
    placements,
    query,
    write_bytes,
    write_rows,
    write_table,
)
from tests.services.builders import account, placement_row

HEADER = csv_line(PLACEMENT_COLUMNS)


def _import(db: Database, path: Path, options: ImportOptions | None = None) -> ImportSummary:
    return run_import(db, PLACEMENTS, path, actor=SYSTEM, now=NOW, options=options)


def _line(row: dict[str, str]) -> str:
    return csv_line([row[name] for name in PLACEMENT_COLUMNS])


# 1. Empty file ------------------------------------------------------------------------------


@pytest.mark.parametrize("data", [b"", b"\r\n\n", b"\xef\xbb\xbf"], ids=["empty", "blank-lines", "bom-only"])
def test_empty_file_is_a_file_problem(db: Database, db_url: str, tmp_path: Path, data: bytes) -> None:
    path = write_bytes(tmp_path / "placements.csv", data)

    with pytest.raises(FileProblemError, match="empty") as caught:
        _import(db, path)
    assert caught.value.exit_code == 2

    result = cli_import(db_url, "placements", path, "--json")
    assert result.exit_code == 2, result.output
    assert "empty" in result.stderr
    assert result.stdout == ""
    assert counts(db_url) == empty_counts()
    assert not (tmp_path / "placements.csv.rejects.csv").exists()


def test_missing_file_is_a_file_problem(db_url: str, tmp_path: Path) -> None:
    result = cli_import(db_url, "placements", tmp_path / "nope.csv")
    assert result.exit_code == 2
    assert "no such file" in result.stderr
    assert counts(db_url) == empty_counts()


# 2. Header only ----------------------------------------------------------------------------


def test_header_only_completes_with_nothing_read(db: Database, db_url: str, tmp_path: Path) -> None:
    path = write_rows(tmp_path / "placements.csv", [])

    summary = _import(db, path)
    assert summary.status == STATUS_COMPLETED
    assert (summary.rows_read, summary.inserted, summary.rejected) == (0, 0, 0)
    assert summary.exit_code == 0

    again = write_bytes(tmp_path / "again.csv", HEADER.encode() + b"\r\n")  # different bytes, new batch
    result = cli_import(db_url, "placements", again, "--json")
    assert result.exit_code == 0, result.output
    data = json_summary(result)
    assert (data["status"], data["rows_read"], data["inserted"]) == ("completed", 0, 0)
    found = counts(db_url)
    assert (found["account"], found["guarantor"], found["import_batch"]) == (0, 0, 2)


# 3. Missing required columns ---------------------------------------------------------------


def test_missing_required_columns_are_named_in_one_message(db_url: str, tmp_path: Path) -> None:
    missing = ("guarantor_id", "placed_date", "total_balance")
    columns = [name for name in PLACEMENT_COLUMNS if name not in missing]
    path = write_rows(tmp_path / "placements.csv", placements(3), columns=columns)

    result = cli_import(db_url, "placements", path, "--json")

    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    errors = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(errors) == 1, errors
    assert errors[0].startswith("error:")
    assert "line 1" in errors[0]
    for name in missing:
        assert name in errors[0]
    assert counts(db_url) == empty_counts()


# 4. Unknown columns ------------------------------------------------------------------------


def test_unknown_columns_are_ignored_with_a_warning(db: Database, db_url: str, tmp_path: Path) -> None:
    header = [*PLACEMENT_COLUMNS, "favorite_color", "Shoe Size"]
    records = [[*(row[name] for name in PLACEMENT_COLUMNS), "blue", "9"] for row in placements(2)]
    path = write_table(tmp_path / "placements.csv", header, records)

    summary = _import(db, path)

    assert summary.status == STATUS_COMPLETED
    assert summary.exit_code == 0
    assert (summary.rows_read, summary.inserted, summary.rejected) == (2, 2, 0)
    assert len(summary.warnings) == 1
    assert "favorite_color" in summary.warnings[0]
    assert "Shoe Size" in summary.warnings[0]
    assert counts(db_url)["account"] == 2


# 5. Encoding -------------------------------------------------------------------------------


def test_latin1_bytes_name_the_line_and_write_nothing(db: Database, db_url: str, tmp_path: Path) -> None:
    good = _line(placement_row(account_number="A-1", guarantor_id="G-1")).encode("utf-8")
    bad = _line(placement_row(account_number="A-2", guarantor_id="G-2", guarantor_first_name="Jos\xe9"))
    later = _line(placement_row(account_number="A-3", guarantor_id="G-3")).encode("utf-8")
    path = write_bytes(tmp_path / "placements.csv", HEADER.encode() + good + bad.encode("latin-1") + later)
    assert b"Jos\xe9" in path.read_bytes()

    with pytest.raises(FileProblemError, match=r"line 3: not UTF-8"):
        _import(db, path)

    result = cli_import(db_url, "placements", path, "--json")
    assert result.exit_code == 2, result.output
    assert "line 3" in result.stderr
    assert "UTF-8" in result.stderr
    assert counts(db_url) == empty_counts()
    assert not (tmp_path / "placements.csv.rejects.csv").exists()


def test_utf8_bom_file_imports(db: Database, db_url: str, tmp_path: Path) -> None:
    row = placement_row(account_number="A-1", guarantor_first_name="José")
    path = write_bytes(tmp_path / "placements.csv", b"\xef\xbb\xbf" + (HEADER + _line(row)).encode("utf-8"))

    summary = _import(db, path)

    assert summary.status == STATUS_COMPLETED
    assert (summary.inserted, summary.rejected, summary.warnings) == (1, 0, [])
    assert account(db, "A-1").total_balance_cents == 156000
    assert query(db_url, "SELECT first_name FROM guarantor") == [("José",)]


# 6. Unbalanced quotes ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("broken", "more_rows", "problem"),
    [
        # The open quote swallows every later line, up to the end of the file.
        ('new,"MERCY,Mercy General,A-2,G-2\r\n', 0, "unexpected end of data"),
        # ...or up to the next quote in a later row, where the record falls apart.
        ('new,"MERCY,Mercy General,A-2,G-2\r\n', 2, "expected after"),
        ('new,"MER"CY,Mercy General,A-2,G-2\r\n', 2, "expected after"),
    ],
    ids=["never-closed-at-end", "never-closed-mid-file", "text-after-closing-quote"],
)
def test_unbalanced_quotes_write_nothing(
    db: Database, db_url: str, tmp_path: Path, broken: str, more_rows: int, problem: str
) -> None:
    good = _line(placement_row(account_number="A-1", guarantor_id="G-1"))
    later = "".join(_line(row) for row in placements(more_rows, prefix="B-"))
    path = write_bytes(tmp_path / "placements.csv", (HEADER + good + broken + later).encode())

    with pytest.raises(FileProblemError, match=f"line 3: malformed CSV .*{problem}"):
        _import(db, path)

    result = cli_import(db_url, "placements", path)
    assert result.exit_code == 2, result.output
    assert "line 3" in result.stderr
    assert counts(db_url) == empty_counts()


# 11. Trailer --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "trailer",
    [["TRAILER", "3", "4680.00"], ["TRAILER", "3"], ["trailer", " 3 ", "$4,680.00"]],
    ids=["count-and-total", "count-only", "loosely-written"],
)
def test_matching_trailer_imports(db: Database, db_url: str, tmp_path: Path, trailer: list[str]) -> None:
    # placement_row's total_balance is 1,560.00: three rows sum to 4,680.00.
    path = write_rows(tmp_path / "placements.csv", placements(3), trailer=trailer)

    result = cli_import(db_url, "placements", path, "--json")

    assert result.exit_code == 0, result.output
    data = json_summary(result)
    assert (data["status"], data["rows_read"], data["inserted"], data["rejected"]) == ("completed", 3, 3, 0)
    assert data["total_cents"] == 468000
    assert counts(db_url)["account"] == 3
    assert not (tmp_path / "placements.csv.rejects.csv").exists()


@pytest.mark.parametrize(
    ("trailer", "problem"),
    [
        (["TRAILER", "4", "4680.00"], "says 4 records, the file has 3"),
        (["TRAILER", "2"], "says 2 records, the file has 3"),
        (["TRAILER", "3", "4680.01"], "total does not match"),
        (["TRAILER", "3", "lots"], "total is not an amount"),
        (["TRAILER", "three"], "must be TRAILER,<record count>"),
    ],
    ids=["count-too-high", "count-too-low", "wrong-total", "total-not-money", "count-not-a-number"],
)
def test_wrong_trailer_writes_nothing(db_url: str, tmp_path: Path, trailer: list[str], problem: str) -> None:
    path = write_rows(tmp_path / "placements.csv", placements(3), trailer=trailer)

    result = cli_import(db_url, "placements", path, "--json")

    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert "line 5: trailer" in result.stderr
    assert problem in result.stderr
    assert counts(db_url) == empty_counts()
