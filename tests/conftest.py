"""Shared fixtures: an isolated machine, real SQLite files, and a small demo office."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from collector_tui.db import migrate
from collector_tui.db.engine import create_db_engine
from collector_tui.demo.build import build_demo_database
from collector_tui.services.database import Database, open_database

# A fixed moment for everything that depends on "now": Friday 27 Nov 2026, 15:00 UTC.
NOW = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)
TODAY = NOW.date()
DEMO_ACCOUNTS = 400
DEMO_SEED = 7


@pytest.fixture(autouse=True)
def isolated_machine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads or writes the real user's config or data folders."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg-state"))
    monkeypatch.delenv("COLLECTOR_DB", raising=False)
    monkeypatch.delenv("COLLECTOR_CONFIG", raising=False)
    monkeypatch.setenv("TEXTUAL_ANIMATIONS", "none")


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty database at head, migrated once per run (migrating costs ~0.1 s)."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = create_db_engine(f"sqlite:///{path}")
    migrate.upgrade(engine)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


@pytest.fixture
def db_url(tmp_path: Path, migrated_template: Path) -> str:
    """A private copy of a migrated, empty database file."""
    target = tmp_path / "office.db"
    shutil.copyfile(migrated_template, target)
    target.chmod(0o600)
    return f"sqlite:///{target}"


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    database = open_database(db_url)
    yield database
    database.close()


@pytest.fixture(scope="session")
def demo_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small demo office, built once per test run (tests must not change it)."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    build_demo_database(path, accounts=DEMO_ACCOUNTS, seed=DEMO_SEED, now=NOW)
    return path


@pytest.fixture
def demo_db(demo_path: Path) -> Iterator[Database]:
    database = open_database(f"sqlite:///{demo_path}")
    yield database
    database.close()


@pytest.fixture
def office(demo_path: Path, tmp_path: Path) -> Iterator[Database]:
    """A private, writable copy of the demo office (for tests that change it)."""
    path = tmp_path / "office.db"
    shutil.copyfile(demo_path, path)
    database = open_database(f"sqlite:///{path}")
    yield database
    database.close()
