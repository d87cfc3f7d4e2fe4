"""Nothing leaks through an error: every failure is one line, exit 1, with no traceback and no
patient data; a path is left untouched until it is known to be this program's database."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import stat
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from typer.testing import CliRunner, Result

from collector_tui.cli.main import app
from collector_tui.db import engine as db_engine
from collector_tui.services.team.identity import os_login
from tests.importing.helpers import db_file, placements, write_rows
from tests.nightly import add_os_login

if TYPE_CHECKING:
    from _typeshed import StrOrBytesPath

runner = CliRunner()

# What the placement rows below carry about people: none of it may reach the output.
PHI = (
    "Jane",
    "Doe",
    "1980-04-12",
    "1234",
    "100 Main St",
    "jane.doe@example.com",
    "Tim",
    "2015-06-01",
    "0142",
)


def _invoke(*args: str) -> Result:
    return runner.invoke(app, list(args))


def _one_clean_line(result: Result) -> str:
    """The failure's text: exit 1, one line, no traceback."""
    assert result.exit_code == 1, result.output
    text = result.output.strip()
    assert "Traceback" not in text
    assert len(text.splitlines()) == 1, text
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return text


def _fingerprint(path: Path) -> tuple[str, int, list[str]]:
    """The file's bytes, mode and companions: what opening it must not change."""
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return digest, stat.S_IMODE(path.stat().st_mode), sorted(p.name for p in path.parent.iterdir())


def _sqlite_file(path: Path, *statements: str) -> Path:
    """Another program's SQLite file, made with plain sqlite3."""
    conn = sqlite3.connect(path)
    for statement in statements:
        conn.execute(statement)
    conn.commit()
    conn.close()
    return path


# ---- PHI never leaves through a database error ------------------------------------------------


def _import_placements(db_url: str, tmp_path: Path, log: Path, monkeypatch: pytest.MonkeyPatch) -> Result:
    monkeypatch.setenv("COLLECTOR_LOG", str(log))
    file = write_rows(tmp_path / "placements.csv", placements(30))
    return _invoke("--db", str(db_file(db_url)), "import", "placements", str(file))


def _assert_no_phi(*texts: str) -> None:
    for text in texts:
        for value in PHI:
            assert value not in text, f"{value!r} leaked"


def test_a_schema_that_drifted_fails_in_one_line_without_phi(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_os_login(db_url)
    conn = sqlite3.connect(db_file(db_url))
    conn.execute("ALTER TABLE guarantor DROP COLUMN email")
    conn.close()
    log = tmp_path / "collector.log"

    result = _import_placements(db_url, tmp_path, log, monkeypatch)

    line = _one_clean_line(result)
    assert "do not match this version" in line and str(log) in line
    _assert_no_phi(result.output)
    detail = log.read_text(encoding="utf-8")
    assert "OperationalError" in detail and "collector import" in detail
    _assert_no_phi(detail)
    assert stat.S_IMODE(log.stat().st_mode) == 0o600


def _corrupt_index(path: Path, index: str) -> None:
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    (root,) = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (index,)).fetchone()
    conn.close()
    with path.open("r+b") as handle:
        handle.seek((root - 1) * page_size)
        handle.write(b"\xff" * page_size)


def test_a_corrupt_index_fails_in_one_line_without_phi(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_os_login(db_url)
    _corrupt_index(db_file(db_url), "ix_guarantor_last_name")
    log = tmp_path / "collector.log"

    result = _import_placements(db_url, tmp_path, log, monkeypatch)

    line = _one_clean_line(result)
    assert "damaged" in line or "database error" in line, line
    _assert_no_phi(result.output, log.read_text(encoding="utf-8"))


def test_the_engine_never_puts_bound_values_in_an_error(tmp_path: Path) -> None:
    from sqlalchemy import text
    from sqlalchemy.exc import IntegrityError

    engine = db_engine.create_db_engine(f"sqlite:///{tmp_path / 'p.db'}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (name TEXT UNIQUE)"))
        conn.execute(text("INSERT INTO t VALUES (:name)"), {"name": "Jane Doe"})
    with pytest.raises(IntegrityError) as error, engine.begin() as conn:
        conn.execute(text("INSERT INTO t VALUES (:name)"), {"name": "Jane Doe"})
    assert "Jane" not in str(error.value)
    engine.dispose()


def test_an_unexpected_error_is_one_line_naming_its_kind(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import collector_tui.services.worklists.queue as queue_service

    def broken(*_args: object, **_kwargs: object) -> None:
        raise ValueError("Jane Doe, born 1980-04-12")

    monkeypatch.setattr(queue_service, "queue_page", broken)
    add_os_login(db_url, "collector")

    result = _invoke("--db", str(db_file(db_url)), "queue")

    line = _one_clean_line(result)
    assert line == "error: internal error (ValueError); nothing more is shown, to keep patients' data private"


# ---- No traceback reaches a user from any command ----------------------------------------------


def test_a_directory_as_the_database(tmp_path: Path) -> None:
    for command in (["queue"], ["db", "upgrade"], ["db", "current"], ["db", "check"]):
        line = _one_clean_line(_invoke("--db", str(tmp_path), *command))
        assert "is a directory" in line


def test_a_file_that_is_not_sqlite_is_left_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("not a database\n")
    path.chmod(0o644)
    before = _fingerprint(path)
    for command in (["queue"], ["db", "upgrade"], ["db", "current"]):
        assert "is not a SQLite database" in _one_clean_line(_invoke("--db", str(path), *command))
    assert _fingerprint(path) == before


def test_another_programs_sqlite_file_is_never_touched(tmp_path: Path) -> None:
    path = _sqlite_file(tmp_path / "browser.sqlite", "CREATE TABLE bookmarks (url TEXT)")
    path.chmod(0o644)
    before = _fingerprint(path)
    for command in (["queue"], ["db", "upgrade"], ["db", "current"], ["db", "check"]):
        line = _one_clean_line(_invoke("--db", str(path), *command))
        assert "another program" in line, line
    assert _fingerprint(path) == before  # not chmod-ed, not switched to WAL, no schema written


def test_another_applications_id_is_refused(tmp_path: Path) -> None:
    path = _sqlite_file(
        tmp_path / "other.db",
        "PRAGMA application_id = 1234",
        "CREATE TABLE alembic_version (version_num TEXT)",
    )
    before = _fingerprint(path)
    line = _one_clean_line(_invoke("--db", str(path), "db", "upgrade"))
    assert "belongs to another application" in line
    assert _fingerprint(path) == before


def test_our_databases_carry_our_application_id(tmp_path: Path) -> None:
    path = tmp_path / "office.db"
    assert _invoke("--db", str(path), "db", "upgrade").exit_code == 0
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA application_id").fetchone()[0] == db_engine.APPLICATION_ID
    conn.close()


def test_a_database_made_before_the_mark_still_opens_and_is_marked_on_upgrade(db_url: str) -> None:
    path = db_file(db_url)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA application_id = 0")
    conn.commit()
    conn.close()
    assert db_engine.inspect_sqlite_file(path) is db_engine.SqliteFile.LEGACY
    assert _invoke("--db", str(path), "db", "upgrade").exit_code == 0
    assert db_engine.inspect_sqlite_file(path) is db_engine.SqliteFile.OURS


def test_a_database_from_a_newer_version_says_upgrade_the_program(db_url: str) -> None:
    path = db_file(db_url)
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("UPDATE alembic_version SET version_num = '0042'")
    conn.close()
    for command in (["queue"], ["db", "upgrade"], ["db", "current"], ["db", "check"]):
        line = _one_clean_line(_invoke("--db", str(path), *command))
        assert "made by a newer collector-tui (revision 0042)" in line and "upgrade the program" in line
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT version_num FROM alembic_version").fetchone()[0] == "0042"
    conn.close()


def test_a_database_write_locked_beyond_the_busy_timeout(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(db_engine, "BUSY_TIMEOUT_MS", 200)
    holder = sqlite3.connect(db_file(db_url), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        result = _invoke(
            "--db", str(db_file(db_url)), "users", "add", "ada", "--name", "Ada", "--role", "admin"
        )
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert "the database is busy" in _one_clean_line(result)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("nosuchdb://host/x", "unknown database URL scheme"),
        ("mysql+mysqldb://host/x", "not installed (MySQLdb)"),
    ],
)
def test_a_url_with_an_unknown_scheme_or_a_missing_driver(url: str, expected: str) -> None:
    assert expected in _one_clean_line(_invoke("--db", url, "queue"))


def test_a_five_thousand_character_path(tmp_path: Path) -> None:
    long_path = tmp_path / ("x" * 5000)
    for command in (["queue"], ["db", "upgrade"]):
        line = _one_clean_line(_invoke("--db", str(long_path), *command))
        assert "too long" in line
        assert len(line) < 400


def test_brackets_in_a_path_or_a_login_are_printed_as_text(db_url: str, tmp_path: Path) -> None:
    odd = tmp_path / "[bold]office[/bold].db"
    assert f"no database at {odd}" in _one_clean_line(_invoke("--db", str(odd), "queue"))
    add_os_login(db_url, "admin")
    line = _one_clean_line(
        _invoke("--db", str(db_file(db_url)), "users", "set-role", "[red]boss[/red]", "admin")
    )
    assert "'[red]boss[/red]'" in line


def test_db_upgrade_into_a_folder_it_cannot_write(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_open = os.open

    def refusing_open(
        path: StrOrBytesPath, flags: int, mode: int = 0o777, *, dir_fd: int | None = None
    ) -> int:
        if str(path).endswith("office.db") and flags & os.O_CREAT:
            raise PermissionError(13, "Permission denied")
        return real_open(path, flags, mode, dir_fd=dir_fd)

    monkeypatch.setattr(os, "open", refusing_open)
    line = _one_clean_line(_invoke("--db", str(tmp_path / "office.db"), "db", "upgrade"))
    assert "cannot be created (Permission denied)" in line


def test_a_filled_database_without_a_revision_is_not_empty(tmp_path: Path) -> None:
    path = _sqlite_file(
        tmp_path / "filled.db", "CREATE TABLE account (id INTEGER)", "CREATE TABLE guarantor (id INTEGER)"
    )
    before = _fingerprint(path)
    line = _one_clean_line(_invoke("--db", str(path), "db", "upgrade"))
    assert "2 table(s) of another program" in line
    assert _fingerprint(path) == before


def test_upgrading_a_database_with_users_is_for_admins_and_operators(db_url: str) -> None:
    path = str(db_file(db_url))
    conn = sqlite3.connect(path)
    with conn:
        conn.execute(
            "INSERT INTO collector (login, display_name, role, active, created_at) "
            "VALUES ('someone', 'Someone', 'admin', 1, '2026-11-27 15:00:00')"
        )
    conn.close()
    line = _one_clean_line(_invoke("--db", path, "db", "upgrade"))
    assert "only an administrator or an operator may upgrade this database" in line
    add_os_login(db_url, "collector")
    assert "is a collector" in _one_clean_line(_invoke("--db", path, "db", "upgrade"))
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("UPDATE collector SET role = 'operator' WHERE login = ?", (os_login(),))
    conn.close()
    assert _invoke("--db", path, "db", "upgrade").exit_code == 0


def test_a_value_with_brackets_from_the_database_prints_as_text(db_url: str) -> None:
    add_os_login(db_url, "supervisor")
    conn = sqlite3.connect(str(db_file(db_url)))
    with conn:
        conn.execute(
            "INSERT INTO collector (login, display_name, role, active, created_at) "
            "VALUES ('x[/y]', 'Odd', 'collector', 1, '2026-11-27 15:00:00')"
        )
    conn.close()
    for command in (["stats"], ["queue", "--user", "x[/y]"], ["users", "list"]):
        result = _invoke("--db", str(db_file(db_url)), *command)
        if command[0] == "users":
            assert result.exit_code == 1  # admins only: the point is no MarkupError
            continue
        assert result.exit_code == 0, (command, result.output)
        assert "x[/y]" in result.output
