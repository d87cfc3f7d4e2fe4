"""collector letters preview with Typer's runner: the text preview, the PDF written owner-only,
and exit 1 for a refusal, a bad option and an account that does not exist."""

from __future__ import annotations

import stat
from pathlib import Path

import pypdf
import pytest
from typer.testing import CliRunner, Result

from collector_tui.cli.main import app as cli
from collector_tui.services.database import Database
from collector_tui.services.office_settings import (
    LETTERS_COLLECTOR_ADDRESS,
    LETTERS_COLLECTOR_HOURS,
    LETTERS_COLLECTOR_NAME,
    LETTERS_COLLECTOR_PHONE,
    put_office_setting,
)
from collector_tui.vocabulary import Role
from tests.nightly import add_os_login
from tests.services.builders import audit_events, place, placement


@pytest.fixture
def office(db: Database) -> Database:
    place(
        db, [placement(claim_allowed="1560.00", itemization_date="2026-08-01", itemization_amount="1560.00")]
    )
    add_os_login(db.url, role=Role.SUPERVISOR)
    with db.writing() as session:
        for key, value in {
            LETTERS_COLLECTOR_NAME: "Test Agency (fictional)",
            LETTERS_COLLECTOR_ADDRESS: "PO Box 1\nNowhere, ZZ 00000",
            LETTERS_COLLECTOR_PHONE: "(555) 010-0100",
            LETTERS_COLLECTOR_HOURS: "Weekdays 9-5",
        }.items():
            put_office_setting(session, key, value)
    return db


def run(db: Database, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--db", db.url, "letters", "preview", *args])


def test_the_text_preview_is_the_letter(office: Database) -> None:
    result = run(office, "A-1001", "--kind", "validation_notice")
    assert result.exit_code == 0, result.output
    text = " ".join(result.stdout.split())
    assert "Test Agency (fictional) is a debt collector." in text
    assert "How do you want to respond?" in text
    assert "validation_notice.en.typ version 2026.12.1" in result.stderr
    assert len(audit_events(office, "letter.preview")) == 1


def test_the_spanish_notice(office: Database) -> None:
    result = run(office, "A-1001", "--kind", "validation_notice", "--language", "es", "--facility", "MERCY")
    assert result.exit_code == 0, result.output
    assert "¿Cómo desea responder?" in result.stdout


def test_out_writes_the_pdf_owner_only(office: Database, tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    target = tmp_path / "out" / "statement.pdf"
    result = run(office, "A-1001", "--kind", "itemized_statement", "--out", str(target))
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == f"wrote {target}"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    reader = pypdf.PdfReader(target)
    assert "Itemized statement" in reader.pages[0].extract_text()
    assert [p.name for p in target.parent.iterdir()] == ["statement.pdf"]  # no temporary file left


def test_out_never_writes_over_the_database(office: Database) -> None:
    database = office.url.removeprefix("sqlite:///")
    result = run(office, "A-1001", "--kind", "itemized_statement", "--out", database)
    assert result.exit_code == 1
    assert "database" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("NO-SUCH", "--kind", "validation_notice"), "no such account"),
        (("A-1001", "--kind", "dunning"), "--kind must be one of"),
        (("A-1001", "--kind", "validation_notice", "--language", "fr"), "--language must be en or es"),
        (("A-1001", "--kind", "itemized_statement", "--language", "es"), "en only"),
    ],
)
def test_refusals_exit_1_with_one_line(office: Database, args: tuple[str, ...], message: str) -> None:
    result = run(office, *args)
    assert result.exit_code == 1, result.output
    assert message in result.stderr
    assert "Jane" not in result.stderr and "Doe" not in result.stderr
