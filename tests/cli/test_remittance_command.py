"""collector import remittance with Typer's runner: exit codes, --json, --dry-run and a re-run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from collector_tui.cli.main import app as cli
from collector_tui.db.models import AccountTransaction, Remittance, RemittanceException
from collector_tui.importing.lock import import_lock
from collector_tui.services.database import Database
from tests.nightly import add_os_login
from tests.services.builders import account, count, place, placement

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "x12"
POSTING = FIXTURES / "posting"


@pytest.fixture
def office(db: Database) -> Database:
    place(db, [placement(claim_status="pending", claim_control_number="PCN-1")])
    add_os_login(db.url)
    return db


def run(db: Database, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--db", db.url, "import", "remittance", *args])


def test_a_matched_file_posts_and_exits_0_and_a_rerun_is_a_no_op(office: Database) -> None:
    first = run(office, str(POSTING / "remittance_matched_only.835"), "--json")
    assert first.exit_code == 0, first.output
    document = json.loads(first.stdout)
    assert next(iter(document)) == "schema" and document["schema"] == "collector.remittance/1"
    assert (document["status"], document["matched"], document["paid_cents"]) == ("posted", 1, 20_000)
    assert account(office, "A-1001").total_balance_cents == 156_000 - 26_000
    again = run(office, str(POSTING / "remittance_matched_only.835"), "--json")
    assert again.exit_code == 0, again.output
    assert json.loads(again.stdout)["status"] == "already_posted"
    assert count(office, Remittance) == 1


def test_exceptions_exit_3_and_are_kept(office: Database) -> None:
    result = run(office, str(POSTING / "remittance_posting.835"), "--json")
    assert result.exit_code == 3, result.output
    assert json.loads(result.stdout)["exceptions"] == 1
    assert count(office, RemittanceException) == 1


def test_an_unbalanced_file_exits_2_and_posts_nothing(office: Database) -> None:
    result = run(office, str(POSTING / "remittance_unbalanced.835"), "--json")
    assert result.exit_code == 2, result.output
    refused = json.loads(result.stdout)  # the script reads that it did not balance
    assert (refused["schema"], refused["balanced"], refused["status"]) == (
        "collector.remittance/1",
        False,
        "refused",
    )
    assert "PCN-1" not in result.stdout
    assert result.stderr.startswith("error: ") and "segment 14" in result.stderr
    assert "PCN-1" not in result.stderr  # a claim's number is not printed
    assert count(office, Remittance) == 0 and count(office, AccountTransaction) == 0


def test_a_malformed_file_names_the_segment(office: Database, tmp_path: Path) -> None:
    bad = tmp_path / "bad.835"
    bad.write_text(
        (POSTING / "remittance_matched_only.835").read_text().replace("*200.00*50.00*", "*2O0.00*50.00*")
    )
    result = run(office, str(bad))
    assert result.exit_code == 2, result.output
    assert "segment 14" in result.stderr and "CLP04" in result.stderr


def test_dry_run_writes_nothing(office: Database) -> None:
    result = run(office, str(POSTING / "remittance_matched_only.835"), "--dry-run", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["status"] == "dry_run"
    assert count(office, Remittance) == 0 and count(office, AccountTransaction) == 0


def test_the_lock_held_exits_4(office: Database) -> None:
    with import_lock(office):
        result = run(office, str(POSTING / "remittance_matched_only.835"))
    assert result.exit_code == 4, result.output


def test_the_schema_and_the_exit_codes_are_documented() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    assert "`collector.remittance/1`" in readme
    assert "a remittance: posted, with claims kept as exceptions" in readme


def test_a_file_with_a_utf8_byte_order_mark_posts(office: Database, tmp_path: Path) -> None:
    marked = tmp_path / "bom.835"
    marked.write_bytes(b"\xef\xbb\xbf" + (POSTING / "remittance_matched_only.835").read_bytes())
    result = run(office, str(marked), "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["matched"] == 1


def test_a_byte_that_is_not_ascii_is_named_after_a_byte_order_mark(office: Database, tmp_path: Path) -> None:
    bad = tmp_path / "bad.835"
    bad.write_bytes(b"\xef\xbb\xbfISA\xe9")
    result = run(office, str(bad))
    assert result.exit_code == 2
    assert result.stderr.strip() == "error: bad.835: byte 7 is not X12 text (ASCII)"
