"""Shared fixtures: an isolated machine, real SQLite files, and a small demo office."""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import settings

from collector_tui.db import migrate
from collector_tui.db.engine import create_db_engine
from collector_tui.demo.build import build_demo_database
from collector_tui.services.database import Database, open_database

# A fixed moment for everything that depends on "now": Friday 27 Nov 2026, 15:00 UTC.
NOW = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)
TODAY = NOW.date()
DEMO_ACCOUNTS = 400
DEMO_SEED = 7

# Hypothesis: no per-example deadline anywhere (a loaded CI runner or a busy laptop makes the
# default 200 ms a coin toss, not a finding). "ci" (chosen when $CI is set, as CI does and
# .ci/run does) also derandomizes: the examples are a function of the test, so a CI failure
# reproduces on any machine with `CI=true`, and prints the blob that replays it; "dev" draws new
# examples each run and remembers failures in .hypothesis/. $HYPOTHESIS_PROFILE picks either.
# Loaded here, at import, so that a test's own @settings(...) starts from the chosen profile.
settings.register_profile("dev", deadline=None)
settings.register_profile("ci", deadline=None, derandomize=True, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev"))


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


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="session")
def demo_path(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A small demo office, built once per test run and shared: nobody may change it.

    Read it through ``demo_db`` or ``demo_url`` (read-only connections) or copy it; a test that
    writes, or runs something that writes (opening an account records an ``account.view``), takes
    ``office`` or ``office_path``, a private copy. The file is made owner-read-only (0400: no
    "other" bits, so opening it never makes the app tighten its mode) and checked unchanged at
    the end of the run, which also catches a write by root, whom the mode does not stop.
    """
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    build_demo_database(path, accounts=DEMO_ACCOUNTS, seed=DEMO_SEED, now=NOW)
    path.chmod(0o400)
    built = _digest(path)
    yield path
    assert _digest(path) == built, (
        "a test changed the shared demo database: give it `office` or `office_path` (a private copy)"
    )


@pytest.fixture(scope="session")
def demo_url(demo_path: Path) -> str:
    """The shared demo office as a read-only SQLite URL (``mode=ro``): SQLite refuses every
    write through it ("attempt to write a readonly database"), whoever runs the tests."""
    return f"sqlite:///file:{demo_path}?mode=ro&uri=true"


@pytest.fixture
def demo_db(demo_url: str) -> Iterator[Database]:
    """The shared demo office, opened read-only."""
    database = open_database(demo_url)
    yield database
    database.close()


@pytest.fixture
def office_path(demo_path: Path, tmp_path: Path) -> Path:
    """A private, writable copy of the demo office's file (copying it takes milliseconds)."""
    path = tmp_path / "office.db"
    shutil.copyfile(demo_path, path)  # the contents only: the copy is writable
    return path


@pytest.fixture
def office(office_path: Path) -> Iterator[Database]:
    """A private, writable copy of the demo office (for tests that change it)."""
    database = open_database(f"sqlite:///{office_path}")
    yield database
    database.close()
