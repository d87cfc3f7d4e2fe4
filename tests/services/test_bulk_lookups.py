"""select_in_chunks: the same rows whichever way the values travel to the database."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from collector_tui.db.models import Guarantor, OfficeSetting, table_of
from collector_tui.services import bulk
from collector_tui.services.database import Database
from tests.services.builders import place, placement

G = table_of(Guarantor).c
S = table_of(OfficeSetting).c
NAMES = ["G-1", 'O\'Brien "Jr"', "Nguyễn-2", "G,4", *(f"G-{n}" for n in range(10, 2600))]


def _lookup(db: Database, values: list[Any], column: Any) -> list[tuple[Any, ...]]:
    with db.reading() as session:
        rows = bulk.select_in_chunks(
            session, lambda part: select(G.id, G.external_id).where(column.in_(part)), values
        )
        return sorted(tuple(row) for row in rows)


@pytest.fixture
def office(db: Database) -> Database:
    place(db, [placement(account_number=f"A-{i}", guarantor_id=name) for i, name in enumerate(NAMES)])
    return db


@pytest.mark.parametrize("json_lists", [True, False])
def test_ids_and_strings_find_the_same_rows_as_json_or_as_parameters(
    office: Database, monkeypatch: pytest.MonkeyPatch, json_lists: bool
) -> None:
    monkeypatch.setattr(bulk, "_SQLITE_JSON", json_lists)
    wanted = [*NAMES[:4], NAMES[-1], "nobody"]

    by_name = _lookup(office, wanted, G.external_id)
    by_id = _lookup(office, [row_id for row_id, _ in by_name] + [10**9], G.id)

    assert sorted(name for _, name in by_name) == sorted(wanted[:-1])
    assert by_id == by_name
    assert len(_lookup(office, NAMES, G.external_id)) == len(NAMES)  # more than one chunk either way


def test_other_values_go_as_parameters(office: Database) -> None:
    ids = [row_id for row_id, _ in _lookup(office, NAMES[:2], G.external_id)]

    found = _lookup(office, [float(i) for i in ids], G.id)  # floats: neither ids nor strings

    assert [row_id for row_id, _ in found] == ids


def test_text_json_cannot_carry_is_looked_up_as_parameters(db: Database) -> None:
    with db.writing() as session:
        session.add(OfficeSetting(key="with\x00nul", value="1"))
        session.add(OfficeSetting(key="plain", value="2"))
    with db.reading() as session:
        found = bulk.select_in_chunks(
            session,
            lambda part: select(S.key).where(S.key.in_(part)),
            ["with\x00nul", "plain", "missing"],
        )
        assert sorted(row.key for row in found) == ["plain", "with\x00nul"]
