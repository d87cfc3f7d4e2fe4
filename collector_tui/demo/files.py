"""Writing the demo office as the billing system's nightly files (canonical CSV columns)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from collector_tui.demo.generator import DemoOffice
from collector_tui.domain.contact_log import ACTIVITY_COLUMNS
from collector_tui.domain.money_events import TRANSACTION_COLUMNS
from collector_tui.domain.placement import PLACEMENT_COLUMNS

PLACEMENTS_FILE = "placements.csv"
TRANSACTIONS_FILE = "transactions.csv"
ACTIVITIES_FILE = "activities.csv"


@dataclass(frozen=True)
class DemoFiles:
    placements: Path
    transactions: Path
    activities: Path
    accounts: int


def write_demo_files(folder: Path, office: DemoOffice) -> DemoFiles:
    """Write ``placements.csv``, ``transactions.csv`` and ``activities.csv`` into ``folder``.

    Rows are streamed batch by batch, so memory stays flat for any size.
    """
    folder.mkdir(parents=True, exist_ok=True)
    paths = DemoFiles(
        folder / PLACEMENTS_FILE, folder / TRANSACTIONS_FILE, folder / ACTIVITIES_FILE, office.accounts
    )
    with (
        paths.placements.open("w", encoding="utf-8", newline="") as p_file,
        paths.transactions.open("w", encoding="utf-8", newline="") as t_file,
        paths.activities.open("w", encoding="utf-8", newline="") as a_file,
    ):
        placements = csv.DictWriter(p_file, fieldnames=list(PLACEMENT_COLUMNS), lineterminator="\n")
        transactions = csv.DictWriter(t_file, fieldnames=list(TRANSACTION_COLUMNS), lineterminator="\n")
        activities = csv.DictWriter(a_file, fieldnames=list(ACTIVITY_COLUMNS), lineterminator="\n")
        for writer in (placements, transactions, activities):
            writer.writeheader()
        for account in office:
            placements.writerow(account.placement)
            transactions.writerows(account.transactions)
            activities.writerows(account.activities)
    return paths
