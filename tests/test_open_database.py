"""The app refuses a database that is missing or not at head, and keeps PHI files private."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from collector_tui.db import migrate
from collector_tui.db.engine import create_db_engine
from collector_tui.services.database import open_database
from collector_tui.services.errors import DatabaseNotReadyError


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_missing_file_is_refused_and_not_created(tmp_path: Path) -> None:
    path = tmp_path / "typo.db"
    with pytest.raises(DatabaseNotReadyError, match="db upgrade") as error:
        open_database(f"sqlite:///{path}")
    assert str(path) in str(error.value)
    assert not path.exists()


def test_unmigrated_database_is_refused_with_the_fix(tmp_path: Path) -> None:
    path = tmp_path / "empty.db"
    create_db_engine(f"sqlite:///{path}").dispose()
    with pytest.raises(DatabaseNotReadyError) as error:
        open_database(f"sqlite:///{path}")
    message = str(error.value)
    assert "is empty" in message
    assert f"collector --db {path} db upgrade" in message
    # It never migrates silently.
    engine = create_db_engine(f"sqlite:///{path}")
    assert migrate.schema_state(engine).empty
    engine.dispose()


def test_database_behind_head_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    engine = create_db_engine(f"sqlite:///{path}")
    migrate.upgrade(engine)
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '0000'")
    engine.dispose()
    with pytest.raises(DatabaseNotReadyError, match="at revision 0000"):
        open_database(f"sqlite:///{path}")


def test_migrated_database_opens(db_url: str) -> None:
    db = open_database(db_url)
    with db.reading() as session:
        assert session.connection().exec_driver_sql("SELECT 1").scalar() == 1
    db.close()


def test_database_file_and_folder_are_private(tmp_path: Path) -> None:
    folder = tmp_path / "new-folder"
    path = folder / "office.db"
    engine = create_db_engine(f"sqlite:///{path}")
    migrate.upgrade(engine)
    engine.dispose()
    assert _mode(folder) == 0o700
    for file in folder.iterdir():  # the database and its -wal/-shm companions
        assert _mode(file) & 0o077 == 0, file


def test_loose_permissions_on_an_existing_file_are_tightened(tmp_path: Path) -> None:
    """Others lose access; the group keeps what the office gave it (a shared group)."""
    path = tmp_path / "loose.db"
    path.touch(mode=0o666)
    path.chmod(0o666)
    create_db_engine(f"sqlite:///{path}").dispose()
    assert _mode(path) == 0o660


def test_an_empty_file_is_filled_only_by_db_upgrade(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from collector_tui.cli.main import app

    path = tmp_path / "inbox.csv"
    path.touch()
    path.chmod(0o644)
    runner = CliRunner()
    for command in (["db", "current"], ["db", "check"], ["queue"]):
        runner.invoke(app, ["--db", str(path), *command])
        assert path.stat().st_size == 0 and _mode(path) == 0o644, command
        assert not (tmp_path / "inbox.csv-wal").exists()
    assert "revision: none" in runner.invoke(app, ["--db", str(path), "db", "current"]).output
    assert runner.invoke(app, ["--db", str(path), "db", "upgrade"]).exit_code == 0
    assert path.stat().st_size > 0
