"""The shipped denial-code notes: they load, and cover every code the demo and fixtures use."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from collector_tui.demo.generator import DENIALS
from collector_tui.services.desk.accounts import denial_glossary

ROOT = Path(__file__).resolve().parents[2]

COMMON = (
    "CO-4",
    "CO-11",
    "CO-16",
    "CO-18",
    "CO-22",
    "CO-27",
    "CO-29",
    "CO-45",
    "CO-50",
    "CO-96",
    "CO-97",
    "CO-109",
    "CO-119",
    "CO-197",
    "PR-1",
    "PR-2",
    "PR-3",
    "PR-204",
    "OA-23",
    "N30",
    "M51",
    "M15",
    "M86",
    "MA130",
)


def _fixture_codes() -> set[str]:
    found: set[str] = set()
    with (ROOT / "fixtures" / "sample" / "placements.csv").open(newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            found.update(c.strip() for c in (row.get("claim_denial_codes") or "").split(";") if c.strip())
    return found


def test_the_fixtures_use_denial_codes() -> None:
    assert _fixture_codes(), "the sample placements should exercise denial codes"


@pytest.mark.parametrize(
    "code", sorted({c for group in DENIALS for c in group} | _fixture_codes() | set(COMMON))
)
def test_every_code_in_use_has_a_note(code: str) -> None:
    note = denial_glossary().explain(code)
    assert note.known, code
    assert note.meaning and note.next_action
    assert len(note.meaning) <= 110 and len(note.next_action) <= 120, code


def test_every_group_code_is_explained() -> None:
    glossary = denial_glossary()
    for group in ("CO", "PR", "OA", "PI", "CR"):
        assert glossary.explain(f"{group}-45").group, group


def test_the_glossary_is_versioned_and_read_once() -> None:
    assert denial_glossary() is denial_glossary()
    assert denial_glossary().version != "unversioned"
