"""The committed sample in fixtures/ is what the generator writes, and every row imports."""

from __future__ import annotations

import csv
from datetime import date
from functools import partial
from pathlib import Path

from collector_tui.demo.files import write_demo_files
from collector_tui.demo.generator import DemoOffice
from collector_tui.domain.contact_log import parse_activity_row
from collector_tui.domain.money_events import parse_transaction_row
from collector_tui.domain.placement import PlacementRecord, parse_placement_row
from collector_tui.services.law.policy import load_workspace_policy

SAMPLE = Path(__file__).resolve().parents[2] / "fixtures" / "sample"
AS_OF = date(2026, 11, 27)  # the sample's seed 42 and date; regenerate with write_demo_files

DISPOSITIONS = load_workspace_policy().dispositions


def test_the_sample_is_the_generators_output(tmp_path: Path) -> None:
    written = write_demo_files(tmp_path, DemoOffice(accounts=25, seed=42, as_of=AS_OF))
    for path in (written.placements, written.transactions, written.activities):
        assert path.read_text(encoding="utf-8") == (SAMPLE / path.name).read_text(encoding="utf-8"), path.name


parse_activities = partial(parse_activity_row, dispositions=DISPOSITIONS)


def test_every_sample_row_passes_validation() -> None:
    with (SAMPLE / "placements.csv").open(encoding="utf-8", newline="") as handle:
        placements = [parse_placement_row(row, today=AS_OF) for row in csv.DictReader(handle)]
    assert len(placements) == 25
    assert all(isinstance(record, PlacementRecord) for record in placements)
    for name, parse in (
        ("transactions.csv", parse_transaction_row),
        ("activities.csv", parse_activities),
    ):
        with (SAMPLE / name).open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        assert rows
        assert not any(isinstance(parse(row, today=AS_OF), list) for row in rows), name
