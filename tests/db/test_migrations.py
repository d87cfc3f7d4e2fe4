"""The tables in code and the migrations agree, and the engine is set up for an office."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, inspect, text

from collector_tui.db import migrate
from collector_tui.db.engine import create_db_engine, writer
from collector_tui.db.models import metadata
from collector_tui.db.queries import queue_statement


def test_upgrade_downgrade_upgrade_and_no_drift(tmp_path: Path) -> None:
    engine = create_db_engine(f"sqlite:///{tmp_path / 'm.db'}")
    assert migrate.schema_state(engine).empty

    state = migrate.upgrade(engine)
    assert state.at_head
    migrate.check(engine)  # raises SchemaDriftError on any difference
    tables = set(inspect(engine).get_table_names())
    assert set(metadata.tables) <= tables

    state = migrate.downgrade(engine, "base")
    assert state.empty
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}

    assert migrate.upgrade(engine).at_head
    migrate.check(engine)
    engine.dispose()


def test_check_reports_drift(tmp_path: Path) -> None:
    engine = create_db_engine(f"sqlite:///{tmp_path / 'd.db'}")
    migrate.upgrade(engine)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP INDEX ix_account_caseload")
    with pytest.raises(migrate.SchemaDriftError):
        migrate.check(engine)
    engine.dispose()


def test_sqlite_connections_are_tuned(tmp_path: Path) -> None:
    engine = create_db_engine(f"sqlite:///{tmp_path / 'p.db'}")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000
    engine.dispose()


def test_write_transactions_take_the_lock_up_front(tmp_path: Path) -> None:
    """A writer's BEGIN IMMEDIATE blocks a second writer at BEGIN, not at its first write."""
    engine = create_db_engine(f"sqlite:///{tmp_path / 'w.db'}")
    migrate.upgrade(engine)
    with writer(engine).begin():
        other = create_db_engine(f"sqlite:///{tmp_path / 'w.db'}")
        with other.connect() as conn:
            conn.exec_driver_sql("PRAGMA busy_timeout=50")
            with pytest.raises(Exception, match="locked"):
                conn.exec_driver_sql("BEGIN IMMEDIATE")
        other.dispose()
    engine.dispose()


def test_foreign_keys_are_enforced(tmp_path: Path) -> None:
    engine = create_db_engine(f"sqlite:///{tmp_path / 'f.db'}")
    migrate.upgrade(engine)
    with pytest.raises(Exception, match="FOREIGN KEY"), engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO patient (guarantor_id, first_name, last_name, relationship_to_guarantor) "
                "VALUES (999, 'a', 'b', 'self')"
            )
        )
    engine.dispose()


def test_queue_query_uses_the_partial_index(tmp_path: Path) -> None:
    engine = create_db_engine(f"sqlite:///{tmp_path / 'q.db'}")
    migrate.upgrade(engine)
    for after in (None, (10, 500)):
        statement = queue_statement(1, after=after, limit=50)
        compiled = statement.compile(engine, compile_kwargs={"render_postcompile": True})
        sql = str(compiled)
        params = compiled.params
        with engine.connect() as conn:
            plan = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", tuple(params.values())).all()
        details = " ".join(str(row[-1]) for row in plan)
        assert "ix_account_queue" in details, details
        assert "TEMP B-TREE" not in details, details  # no sort: the index gives the order
    engine.dispose()


def test_utc_columns_refuse_naive_datetimes(tmp_path: Path) -> None:
    from collector_tui.db.models import ExportWatermark

    engine = create_db_engine(f"sqlite:///{tmp_path / 'u.db'}")
    migrate.upgrade(engine)
    from sqlmodel import Session

    with pytest.raises(Exception, match="naive"), Session(engine) as session:  # noqa: PT012
        session.add(ExportWatermark(name="x", exported_through=datetime(2026, 1, 1)))
        session.commit()
    engine.dispose()


def test_a_waiting_writer_gets_the_lock_when_the_holder_commits(tmp_path: Path) -> None:
    """The writer polls for the lock (db.engine._begin_immediate) instead of failing or hanging."""
    import threading

    engine = create_db_engine(f"sqlite:///{tmp_path / 'poll.db'}")
    migrate.upgrade(engine)
    holding = threading.Event()
    release = threading.Event()

    def hold() -> None:
        with writer(engine).begin() as conn:
            conn.exec_driver_sql("INSERT INTO office_setting (key, value) VALUES ('a', '1')")
            holding.set()
            release.wait(5)

    thread = threading.Thread(target=hold)
    thread.start()
    assert holding.wait(5)
    threading.Timer(0.2, release.set).start()
    with writer(engine).begin() as conn:  # waits, polling, until the holder commits
        conn.exec_driver_sql("INSERT INTO office_setting (key, value) VALUES ('b', '2')")
        busy_timeout = conn.exec_driver_sql("PRAGMA busy_timeout").scalar()
    thread.join(5)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM office_setting").scalar() == 2
    assert busy_timeout == 5000  # restored after taking the lock
    engine.dispose()


def _checks(engine: Engine) -> dict[str, set[tuple[str, str]]]:
    """Every table's CHECK constraints as SQLite stores them (names and expressions, spaces squeezed)."""
    import re

    with engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT name, sql FROM sqlite_master WHERE type = 'table'").all()
    found: dict[str, set[tuple[str, str]]] = {}
    for name, sql in rows:
        if name == "alembic_version":
            continue
        squeezed = re.sub(r"\s+", " ", sql or "")
        found[name] = set(re.findall(r"CONSTRAINT (ck_\w+) CHECK \((.*?\))\)", squeezed))
    return found


def test_check_constraints_of_the_migrations_match_the_models(tmp_path: Path) -> None:
    """Alembic's autogenerate does not compare CHECK constraints, so this test does."""
    migrated = create_db_engine(f"sqlite:///{tmp_path / 'migrated.db'}")
    migrate.upgrade(migrated)
    created = create_db_engine(f"sqlite:///{tmp_path / 'created.db'}")
    metadata.create_all(created)
    assert _checks(migrated) == _checks(created)
    assert any(name == "ck_account_hold_reason" for name, _ in _checks(migrated)["account_hold"])
    with migrated.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO guarantor (external_id, first_name, last_name, language, deceased, bankruptcy, "
            "attorney_represented, cease_communication, no_calls_at_work, created_at, updated_at) "
            "VALUES ('G', 'A', 'B', 'en', 0, 0, 0, 0, 0, '2026-11-27 00:00:00', '2026-11-27 00:00:00')"
        )
        conn.exec_driver_sql("INSERT INTO facility (code, name, nonprofit) VALUES ('F', 'F', 0)")
        conn.exec_driver_sql(
            "INSERT INTO account (facility_id, account_number, guarantor_id, placed_date, status, "
            "fap_status, created_at, updated_at) VALUES (1, 'A', 1, '2026-11-01', 'open', 'none', "
            "'2026-11-27 00:00:00', '2026-11-27 00:00:00')"
        )
        conn.exec_driver_sql(
            "INSERT INTO account_hold (account_id, reason, placed_at, source) "
            "VALUES (1, 'nsa_dispute', '2026-11-27 00:00:00', 'tui')"
        )
    with pytest.raises(Exception, match="CHECK"), migrated.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO account_hold (account_id, reason, placed_at, source) "
            "VALUES (1, 'vacation', '2026-11-27 00:00:00', 'tui')"
        )
    migrated.dispose()
    created.dispose()


def test_the_head_the_app_checks_against_is_the_migrations_head() -> None:
    assert migrate.head_revision() == migrate.HEAD_REVISION
