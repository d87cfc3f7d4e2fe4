"""Reading an import file: UTF-8 (with or without BOM) CSV, streamed, with line numbers.

Bytes are decoded one physical line at a time, so a bad byte is reported
with its line; records are yielded with the line they start on. Nothing
here knows what the columns mean.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from collector_tui.services.errors import ServiceError

TRAILER_MARK = "TRAILER"


class FileProblemError(ServiceError):
    """The file as a whole cannot be imported (exit code 2); nothing was written."""

    exit_code = 2


@dataclass(frozen=True, slots=True)
class SourceRow:
    line: int  # physical line the record starts on (the header is line 1)
    cells: list[str]


def _decoded_lines(path: Path, counter: list[int]) -> Iterator[str]:
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            counter[0] = number
            if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            try:
                yield raw.decode("utf-8")
            except UnicodeDecodeError:
                raise FileProblemError(
                    f"{path.name}: line {number}: not UTF-8 text (save the file as UTF-8)"
                ) from None


def read_rows(path: Path) -> Iterator[SourceRow]:
    """Every record of the file, header first; raises FileProblemError for broken CSV or encoding."""
    counter = [0]
    reader = csv.reader(_decoded_lines(path, counter), strict=True)
    start = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise FileProblemError(f"{path.name}: line {start}: malformed CSV ({exc})") from None
        if cells:  # blank lines carry nothing
            yield SourceRow(start, cells)
        start = reader.line_num + 1


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def is_trailer(row: SourceRow) -> bool:
    return bool(row.cells) and row.cells[0].strip().upper() == TRAILER_MARK
