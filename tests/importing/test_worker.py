"""The parsing worker changes where work happens, never what is written."""

from __future__ import annotations

import dataclasses
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert

from collector_tui.db.models import Facility, table_of
from collector_tui.importing.kinds import ACTIVITIES, PLACEMENTS, TRANSACTIONS
from collector_tui.importing.runner import STATUS_COMPLETED, ImportOptions, run_import
from collector_tui.services.audit import SYSTEM
from collector_tui.services.database import open_database
from collector_tui.vocabulary import Regime
from tests.conftest import NOW
from tests.importing.helpers import SAMPLE, query
from tests.services.builders import stale_rows

ACCOUNT_STATE = """
    SELECT f.code, a.account_number, a.status, a.total_balance_cents, a.call_held,
           a.call_frequency_clear_at, a.call_exempt_until, a.priority_score, a.priority_breakdown
    FROM account a JOIN facility f ON f.id = a.facility_id ORDER BY 1, 2
"""
PHONE_STATE = """
    SELECT g.external_id, p.number, p.dialable, c.zones, c.inconvenient
    FROM phone p JOIN guarantor g ON g.id = p.guarantor_id JOIN call_group c ON c.id = p.call_group_id
    ORDER BY 1, 2
"""


def _office(folder: Path, template: Path, *, worker: bool, monkeypatch: pytest.MonkeyPatch) -> Any:
    folder.mkdir()
    target = folder / "office.db"
    shutil.copyfile(template, target)
    url = f"sqlite:///{target}"
    with monkeypatch.context() as patch:
        if not worker:
            patch.setattr(os, "cpu_count", lambda: 1)  # parse and prepare in this process
        db = open_database(url)
        try:
            with db.writing() as session:  # the provider's own office, a nonprofit: not the default rules
                session.execute(
                    insert(table_of(Facility)).values(
                        code="SMR", name="St. Mary's", nonprofit=True, regime=Regime.FIRST_PARTY
                    )
                )
            for kind in (PLACEMENTS, TRANSACTIONS, ACTIVITIES):
                source = folder / f"{kind.name}.csv"
                shutil.copyfile(SAMPLE / source.name, source)
                summary = run_import(
                    db, kind, source, actor=SYSTEM, now=NOW, options=ImportOptions(batch_size=7)
                )
                assert (summary.status, summary.rejected) == (STATUS_COMPLETED, 0)
            assert stale_rows(db) == 0
        finally:
            db.close()
    return query(url, ACCOUNT_STATE), query(url, PHONE_STATE)


@pytest.mark.skipif("fork" not in __import__("multiprocessing").get_all_start_methods(), reason="no fork")
def test_the_worker_and_this_process_write_the_same_office(
    tmp_path: Path, migrated_template: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    in_worker = _office(tmp_path / "worker", migrated_template, worker=True, monkeypatch=monkeypatch)
    inline = _office(tmp_path / "inline", migrated_template, worker=False, monkeypatch=monkeypatch)

    accounts, phones = in_worker
    assert len(accounts) == 25 and len(phones) > 25
    assert in_worker == inline


def _broken_prepare(record: Any, now: Any, context: Any) -> Any:
    if record.account_number.endswith("05"):
        raise KeyError(record.guarantor.last_name)  # a message that quotes the row
    return PLACEMENTS.prepare(record, now, context) if PLACEMENTS.prepare else record


@pytest.mark.skipif("fork" not in __import__("multiprocessing").get_all_start_methods(), reason="no fork")
def test_a_worker_that_fails_names_the_file_and_line_but_nothing_from_the_row(
    db: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    source = tmp_path / "placements.csv"
    shutil.copyfile(SAMPLE / source.name, source)
    broken = dataclasses.replace(PLACEMENTS, prepare=_broken_prepare)

    with pytest.raises(RuntimeError) as failure:
        run_import(db, broken, source, actor=SYSTEM, now=NOW, options=ImportOptions(batch_size=7))

    assert str(failure.value) == "placements.csv: the parsing worker stopped at line 6 (KeyError)"
