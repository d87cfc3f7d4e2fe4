"""The reject file: every refused row with its file, line, field and reason (never its content)."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path

from collector_tui.domain.fields import FieldError
from collector_tui.services.files.output_files import (
    OutputFileError,
    check_target,
    identity,
    open_in_place,
    remove_if_ours,
)


class RejectFile:
    """The reject file (file, line, field, reason), flushed after every committed batch.

    It is a new owner-only file, renamed over the target before the first row is written (never
    written through what was there: see :mod:`collector_tui.services.files.output_files`), and then
    grows as batches commit: an import killed halfway leaves the rejects of everything it
    committed, and the resumed run keeps those lines (``carry_upto``) and adds the rest.
    ``protected`` are the files it must never replace: the database's and the input file.
    """

    def __init__(
        self, source: Path, target: Path, *, carry_upto: int = 0, protected: Iterable[Path] = ()
    ) -> None:
        self.source = source.name
        self.target = target
        guarded = [source, *protected]
        check_target(target, protected=guarded)
        carried = read_rejects(target, carry_upto) if carry_upto else None
        self.carried = carried is not None
        try:
            self._handle = open_in_place(target, protected=guarded, newline="")
        except OutputFileError as exc:
            raise OutputFileError(f"cannot write the reject file: {exc}") from None
        self._identity = identity(self._handle)
        self._writer = csv.writer(self._handle)
        self._writer.writerow(REJECT_COLUMNS)
        lines: set[str] = set()
        for row in carried or []:
            self._writer.writerow(row)
            lines.add(row[1])
        self.count = len(lines)

    def add(self, line: int, errors: list[FieldError]) -> None:
        self.count += 1
        for error in errors:
            self._writer.writerow([self.source, line, error.field, error.reason])

    def flush(self) -> None:
        self._handle.flush()

    def close(self) -> Path | None:
        """Finish the file; with no rejected rows there is no file."""
        self._handle.close()
        if self.count == 0:
            remove_if_ours(self.target, self._identity)
            return None
        return self.target


REJECT_COLUMNS = ("file", "line", "field", "reason")


def read_rejects(path: Path, upto: int) -> list[list[str]] | None:
    """Rows of an earlier run's reject file for lines up to ``upto``; None if there is none."""
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.reader(handle))
    except (OSError, UnicodeDecodeError, csv.Error):
        return None
    if not rows or tuple(rows[0]) != REJECT_COLUMNS:
        return None
    return [row for row in rows[1:] if len(row) == 4 and row[1].isdigit() and int(row[1]) <= upto]


def default_rejects_path(path: Path) -> Path:
    return path.with_name(path.name + ".rejects.csv")
