"""Who may import: an operator (the nightly service account) or an admin, and the record names them.

The CLI runs in-process as the login running the tests; ``add_os_login`` makes it a user of the
test database with the role under test. tests/cli/test_os_users.py runs the installed command as
other operating-system users.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from collector_tui.cli.main import app
from collector_tui.demo.files import write_demo_files
from collector_tui.demo.generator import DemoOffice
from collector_tui.services.database import Database
from collector_tui.services.team.identity import DEMO_KEY, os_login, resolve_actor
from collector_tui.services.team.users import create_user
from tests.conftest import NOW, TODAY
from tests.importing.helpers import SAMPLE, counts, db_file, query
from tests.nightly import add_os_login

runner = CliRunner()
NIGHTLY_REFUSAL = (
    "only an operator or an administrator may run the nightly jobs (imports, refresh, plans evaluate)"
)


def _import(db_url: str, kind: str, file: Path, *before: str) -> Result:
    return runner.invoke(app, ["--db", str(db_file(db_url)), *before, "import", kind, str(file), "--json"])


def _sample(name: str, folder: Path) -> Path:
    target = folder / name
    shutil.copyfile(SAMPLE / name, target)
    return target


def _set_role(db_url: str, login: str, role: str) -> None:
    import sqlite3

    with sqlite3.connect(db_file(db_url)) as conn:
        conn.execute("UPDATE collector SET role = ? WHERE login = ?", (role, login))


@pytest.mark.parametrize("role", ["collector", "supervisor"])
def test_a_collector_or_supervisor_may_not_import_and_nothing_is_written(
    db_url: str, tmp_path: Path, role: str
) -> None:
    me = add_os_login(db_url)  # an operator places the accounts ...
    placed = _import(db_url, "placements", _sample("placements.csv", tmp_path))
    assert placed.exit_code == 0, placed.output
    _set_role(db_url, me, role)  # ... then the login is a collector (or a supervisor)
    before = counts(db_url)
    transactions = _sample("transactions.csv", tmp_path)

    refused = _import(db_url, "transactions", transactions)

    assert refused.exit_code == 1
    assert refused.output == f"error: {NIGHTLY_REFUSAL} (you are {me}, {role})\n"
    assert counts(db_url) == before  # no batch, no audit event, no transaction
    assert not (tmp_path / "transactions.csv.rejects.csv").exists()
    _set_role(db_url, me, "operator")
    again = _import(db_url, "transactions", transactions)
    assert again.exit_code == 0, again.output
    assert '"status": "completed"' in again.output  # not "already imported": the refusal marked nothing


def test_a_login_that_is_no_user_may_not_import(db_url: str, tmp_path: Path) -> None:
    refused = _import(db_url, "placements", _sample("placements.csv", tmp_path))
    assert refused.exit_code == 1
    assert refused.output == (
        f"error: login '{os_login()}' is not an active user of this database; "
        "ask an administrator to add you\n"
    )
    assert counts(db_url)["import_batch"] == 0


def test_the_batch_and_the_audit_name_the_operator_and_the_rows_no_collector(
    db_url: str, tmp_path: Path
) -> None:
    me = add_os_login(db_url)
    for kind in ("placements", "transactions", "activities"):
        result = _import(db_url, kind, _sample(f"{kind}.csv", tmp_path))
        assert result.exit_code == 0, result.output
    assert query(db_url, "SELECT DISTINCT run_by FROM import_batch") == [(me,)]
    assert query(db_url, "SELECT DISTINCT actor, acting_as FROM audit_event") == [(me, None)]
    # The billing system's payments are nobody's work here, whoever ran the import.
    assert query(db_url, "SELECT count(*) FROM account_transaction WHERE collector_id IS NOT NULL") == [(0,)]


def test_an_admin_may_import_as_the_operator_and_both_are_named(
    db: Database, db_url: str, tmp_path: Path
) -> None:
    me = add_os_login(db_url, "admin")
    create_user(
        db,
        resolve_actor(db, login=me),
        login="svc-collector",
        display_name="Nightly run",
        role="operator",
        now=NOW,
    )
    result = _import(db_url, "placements", _sample("placements.csv", tmp_path), "--as", "svc-collector")
    assert result.exit_code == 0, result.output
    assert query(db_url, "SELECT run_by FROM import_batch") == [(me,)]
    assert query(
        db_url, "SELECT DISTINCT actor, acting_as FROM audit_event WHERE action LIKE 'placement.%'"
    ) == [(me, "svc-collector")]


def test_in_a_demo_the_nightly_operator_imports_with_as_nightly(demo_path: Path, tmp_path: Path) -> None:
    """In a demo every command acts as the default collector unless --as names another demo user."""
    copy = tmp_path / "demo.db"
    shutil.copyfile(demo_path, copy)
    url = f"sqlite:///{copy}"
    files = write_demo_files(tmp_path / "files", DemoOffice(accounts=20, seed=99, as_of=TODAY))
    refused = _import(url, "placements", files.placements)
    assert refused.exit_code == 1
    assert f"{NIGHTLY_REFUSAL} (you are mlopez, collector); in this demo database, use --as" in refused.output
    assert "--as nightly" in refused.output
    result = _import(url, "placements", files.placements, "--as", "nightly")
    assert result.exit_code == 0, result.output
    assert query(url, "SELECT run_by FROM import_batch ORDER BY id DESC LIMIT 1") == [("nightly",)]
    assert query(url, "SELECT value FROM office_setting WHERE key = ?", DEMO_KEY) == [("1",)]
