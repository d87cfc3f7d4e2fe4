"""The `collector` command: exit codes and one-line errors, tested with Typer's runner."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from collector_tui import __version__
from collector_tui.cli.main import app
from collector_tui.db import migrate
from collector_tui.db.engine import create_db_engine

runner = CliRunner()


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"collector-tui {__version__}"


def test_help_lists_the_commands() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for word in ("demo", "db", "--db", "--as"):
        assert word in result.output


def test_db_upgrade_current_check(tmp_path: Path) -> None:
    path = tmp_path / "office.db"
    result = runner.invoke(app, ["--db", str(path), "db", "current"])
    assert result.exit_code == 0
    assert "does not exist" in result.output

    result = runner.invoke(app, ["--db", str(path), "db", "check"])
    assert result.exit_code == 1
    assert "db upgrade" in result.output

    result = runner.invoke(app, ["--db", str(path), "db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert "upgraded from empty" in result.output

    result = runner.invoke(app, ["--db", str(path), "db", "upgrade"])
    assert "already at revision" in result.output

    result = runner.invoke(app, ["--db", str(path), "db", "current"])
    assert result.exit_code == 0
    assert "(from --db)" in result.output
    assert "at head" in result.output

    result = runner.invoke(app, ["--db", str(path), "db", "check"])
    assert result.exit_code == 0
    assert "no drift" in result.output


def test_db_commands_use_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLLECTOR_DB", str(tmp_path / "env.db"))
    result = runner.invoke(app, ["db", "current"])
    assert "(from COLLECTOR_DB)" in result.output
    assert str(tmp_path / "env.db") in result.output


def test_opening_a_missing_database_says_how_to_fix_it(tmp_path: Path) -> None:
    result = runner.invoke(app, ["--db", str(tmp_path / "missing.db")])
    assert result.exit_code == 1
    assert "db upgrade" in result.output
    assert "Traceback" not in result.output


def test_opening_an_unmigrated_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "empty.db"
    create_db_engine(f"sqlite:///{path}").dispose()
    result = runner.invoke(app, ["--db", str(path)])
    assert result.exit_code == 1
    assert "is empty" in result.output
    assert "db upgrade" in result.output


def test_an_unknown_login_gets_no_access(db_url: str) -> None:
    result = runner.invoke(app, ["--db", db_url])
    assert result.exit_code == 1
    assert "not an active user" in result.output


def test_demo_build_only_prints_the_path_and_reuses_it(tmp_path: Path) -> None:
    path = tmp_path / "demo.db"
    result = runner.invoke(
        app, ["demo", "--accounts", "60", "--seed", "3", "--db", str(path), "--build-only"]
    )
    assert result.exit_code == 0, result.output
    assert str(path) in result.output
    assert "60 accounts" in result.output
    assert path.exists()
    engine = create_db_engine(f"sqlite:///{path}")
    assert migrate.schema_state(engine).at_head
    engine.dispose()

    again = runner.invoke(app, ["demo", "--accounts", "60", "--seed", "3", "--db", str(path), "--build-only"])
    assert again.exit_code == 0
    assert "reused" in again.output

    other = runner.invoke(app, ["demo", "--accounts", "61", "--seed", "3", "--db", str(path), "--build-only"])
    assert other.exit_code == 0
    assert "built in" in other.output


def test_demo_build_only_prints_who_is_who(tmp_path: Path) -> None:
    path = tmp_path / "demo.db"
    result = runner.invoke(app, ["demo", "--accounts", "20", "--db", str(path), "--build-only"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    start = next(n for n, line in enumerate(lines) if line.startswith("Demo users"))
    users = {line.split()[0]: line for line in lines[start + 1 :] if line.startswith("  ")}
    assert next(iter(users)) == "mlopez" and "collector (the default)" in users["mlopez"]
    assert {"jchen", "aokafor", "rpatel", "kbrown"} <= set(users)
    assert "supervisor" in users["sreed"] and "admin" in users["admin"]
    assert "nightly operator" in users["nightly"]
    # Reusing the demo prints the same roster.
    again = runner.invoke(app, ["demo", "--accounts", "20", "--db", str(path), "--build-only"])
    assert "reused" in again.output and again.output.split("\n", 1)[1] == result.output.split("\n", 1)[1]


def test_demo_default_location_is_the_user_data_folder() -> None:
    result = runner.invoke(app, ["demo", "--accounts", "20", "--build-only"])
    assert result.exit_code == 0, result.output
    assert "collector-tui" in result.output
    assert "demo.db" in result.output


def test_demo_never_overwrites_a_real_database(db_url: str) -> None:
    path = Path(db_url.removeprefix("sqlite:///"))
    before = path.read_bytes()
    result = runner.invoke(app, ["demo", "--accounts", "20", "--db", str(path), "--build-only"])
    assert result.exit_code == 1
    assert "not a demo database" in result.output
    assert path.read_bytes() == before


def test_scripted_commands_do_not_import_the_ui_or_the_orm() -> None:
    code = (
        "import sys; import collector_tui.cli.main; "
        "heavy = [m for m in ('textual', 'sqlmodel', 'sqlalchemy') if m in sys.modules]; "
        "print(','.join(heavy))"
    )
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert output.strip() == ""


def test_python_dash_m_runs_the_cli() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "collector_tui", "--version"], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == f"collector-tui {__version__}"
