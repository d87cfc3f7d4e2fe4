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
    # Files the reject file must never replace, besides the database's and the input (the mapping).
    protected: tuple[Path, ...] = ()
