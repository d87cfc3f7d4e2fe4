"""The demo database is filled by importing the office's nightly files, as a real office is."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func
from sqlmodel import select

from collector_tui.db.models import Account, ImportBatch, PaymentPlan, Promise
from collector_tui.demo.build import build_demo_database
from collector_tui.services.database import Database
from collector_tui.vocabulary import ImportStatus
from tests.conftest import DEMO_ACCOUNTS, NOW


def test_the_demo_is_built_by_importing_its_three_files(demo_db: Database) -> None:
    with demo_db.reading() as session:
        batches = {batch.kind: batch for batch in session.exec(select(ImportBatch))}
        accounts = session.exec(select(func.count()).select_from(Account)).one()
        promises = session.exec(select(func.count()).select_from(Promise)).one()
        plans = session.exec(select(func.count()).select_from(PaymentPlan)).one()
    assert set(batches) == {"placements", "transactions", "activities"}
    for batch in batches.values():
        assert batch.status == ImportStatus.COMPLETED
        assert batch.rows_rejected == 0
        assert batch.rows_inserted == batch.rows_read > 0
        assert batch.file_name == f"{batch.kind}.csv"
    assert batches["placements"].rows_inserted == accounts == DEMO_ACCOUNTS
    assert promises > 0
    assert plans > 0


def test_the_build_leaves_only_the_database_behind(tmp_path: Path) -> None:
    stages: dict[str, list[int]] = {}

    def progress(stage: str, done: int, total: int) -> None:
        stages.setdefault(stage, [0, total])[0] += done

    build_demo_database(tmp_path / "demo.db", accounts=30, seed=1, now=NOW, progress=progress)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo.db"]
    # Every stage reported its whole total: files, the three imports, the payers' 835s, promises and
    # plans.
    assert len(stages) == 6
    assert all(done == total for done, total in stages.values()), stages
    assert stages["Writing the billing system's files"] == [30, 30]
