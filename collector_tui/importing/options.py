"""What an operator can ask of one import."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from collector_tui.importing.mapping import IDENTITY, ColumnMapping


@dataclass(frozen=True)
class ImportOptions:
    mapping: ColumnMapping = IDENTITY
    rejects_path: Path | None = None
    dry_run: bool = False
    strict: bool = False
    batch_size: int = 1000
