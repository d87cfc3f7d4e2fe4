"""collector office letters: what the office's letters say of it, shown to anyone, set by admins."""

from __future__ import annotations

from typer.testing import CliRunner, Result

from collector_tui.cli.main import app as cli
from collector_tui.services.database import Database
from collector_tui.vocabulary import Role
from tests.nightly import add_os_login
from tests.services.builders import audit_events


def run(db: Database, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--db", db.url, "office", "letters", *args])


def test_an_admin_sets_the_sender_and_anyone_sees_it(db: Database) -> None:
    add_os_login(db.url, role=Role.ADMIN)
    shown = run(db)
    assert shown.exit_code == 0 and "letters.collector_name = (not set)" in shown.output
    result = run(
        db,
        "--name", "Mercy Business Office",
        "--address-line", "PO Box 12",
        "--address-line", "Columbus, OH 43215",
        "--phone", "614-555-0142",
        "--hours", "Monday to Friday, 8 to 6 Eastern",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    listed = run(db).output
    assert "letters.collector_address = PO Box 12 / Columbus, OH 43215" in listed
    assert "letters.collector_phone = (614) 555-0142" in listed
    events = audit_events(db, "office.setting")
    assert len(events) == 4 and all("Mercy" not in (e.details or "") for e in events)  # keys only
    assert run(db, "--name", "Mercy Business Office").output.strip() == "nothing changed"


def test_a_bad_phone_or_an_empty_name_is_one_line_naming_the_option(db: Database) -> None:
    add_os_login(db.url, role=Role.ADMIN)
    bad = run(db, "--phone", "12", "--name", " ")
    assert bad.exit_code == 1 and bad.stderr.count("\n") == 1
    assert "--phone is not a dialable phone number" in bad.stderr and "--name cannot be empty" in bad.stderr
    assert not audit_events(db, "office.setting")


def test_only_an_admin_sets_it(db: Database) -> None:
    add_os_login(db.url, role=Role.SUPERVISOR)
    assert run(db, "--name", "X").exit_code == 1
    assert run(db).exit_code == 0
