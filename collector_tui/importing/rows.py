"""Reading an import file's rows: pass 1 checks the whole file, pass 2 parses every row.

Pass 1 (:func:`scan_file`) writes nothing: header, trailer, duplicate keys
and, with ``strict``, every row. Pass 2 (:func:`parsed_rows`) yields each
row's record or its errors, parsed in a forked worker where there is a
second core.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import threading
from collections.abc import Hashable, Iterator, Mapping
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime
from multiprocessing.reduction import ForkingPickler
from pathlib import Path
from typing import Any

from collector_tui.domain.fields import FieldError, control_character_errors
from collector_tui.domain.money import MoneyError, parse_money
from collector_tui.importing.keys import KeyIndex
from collector_tui.importing.kinds import ImportKind
from collector_tui.importing.lock import forget_in_child
from collector_tui.importing.options import ImportOptions
from collector_tui.importing.rejects import RejectFile
from collector_tui.importing.source import FileProblemError, SourceRow, is_trailer, read_rows


@dataclass
class Scan:
    header: list[str]
    data_rows: int
    duplicates: dict[Hashable, list[int]]  # key -> every line it is on
    warnings: list[str]
    invalid_lines: int = 0


def data_rows(path: Path, header_width: int) -> Iterator[SourceRow]:
    """The file's data records (no header, no trailer)."""
    rows = read_rows(path)
    next(rows, None)
    pending: SourceRow | None = None
    for row in rows:
        if pending is not None:
            yield pending
        pending = row
    if pending is not None and not (is_trailer(pending) and len(pending.cells) != header_width):
        yield pending


def scan_file(path: Path, kind: ImportKind, options: ImportOptions, now: datetime) -> Scan:
    """Pass 1: everything that can fail the whole file, checked before anything is written."""
    rows = read_rows(path)
    first = next(rows, None)
    if first is None:
        raise FileProblemError(f"{path.name}: the file is empty (no header row)")
    header = options.mapping.canonical(first.cells)
    repeated = sorted({name for name in header if header.count(name) > 1})
    if repeated:
        raise FileProblemError(f"{path.name}: line 1: column(s) appear twice: {', '.join(repeated)}")
    missing = [name for name in kind.required if name not in header]
    if missing:
        raise FileProblemError(f"{path.name}: line 1: missing required column(s): {', '.join(missing)}")
    known = set(kind.columns)
    warnings = []
    unknown = [name for name in header if name not in known]
    if unknown:
        warnings.append(f"ignored unknown column(s): {', '.join(unknown)}")

    key_index = [header.index(name) for name in kind.key_columns]
    money_index = header.index(kind.trailer_money_column) if kind.trailer_money_column in header else None
    count = 0
    money_total = 0
    trailer: SourceRow | None = None
    invalid = 0
    with KeyIndex() as keys:
        for row in rows:
            if trailer is not None:
                # The trailer was not the last record after all: it is data.
                count, money_total = _count(
                    trailer, count, money_total, money_index, keys, key_index, options
                )
                if options.strict and row_errors(trailer, header, kind, options, now):
                    invalid += 1
                trailer = None
            if is_trailer(row) and len(row.cells) != len(header):
                trailer = row
                continue
            count, money_total = _count(row, count, money_total, money_index, keys, key_index, options)
            if options.strict and row_errors(row, header, kind, options, now):
                invalid += 1
        duplicates = keys.duplicates()
    if trailer is not None:
        _check_trailer(path, trailer, count, money_total, money_index is not None, options)
    if options.strict:
        invalid += sum(len(lines) for lines in duplicates.values())
    return Scan(header, count, duplicates, warnings, invalid)


def _count(
    row: SourceRow,
    count: int,
    money_total: int,
    money_index: int | None,
    keys: KeyIndex,
    key_index: list[int],
    options: ImportOptions,
) -> tuple[int, int]:
    if money_index is not None and money_index < len(row.cells):
        with suppress(MoneyError):  # such a row is rejected in pass 2
            money_total += parse_money(row.cells[money_index], unit=options.mapping.fmt.money_unit)
    if all(i < len(row.cells) for i in key_index):
        keys.add(tuple(row.cells[i].strip() for i in key_index), row.line)
    return count + 1, money_total


def _check_trailer(
    path: Path, trailer: SourceRow, count: int, money_total: int, has_money: bool, options: ImportOptions
) -> None:
    """``TRAILER,<record count>[,<sum of the money column>]`` must agree with the file."""
    where = f"{path.name}: line {trailer.line}: trailer"
    cells = [cell.strip() for cell in trailer.cells[1:]]
    if not cells or not cells[0].isdigit():
        raise FileProblemError(f"{where} must be TRAILER,<record count>[,<total>]")
    if int(cells[0]) != count:
        raise FileProblemError(f"{where} says {int(cells[0]):,} records, the file has {count:,}")
    if len(cells) > 1 and cells[1] and has_money:
        try:
            expected = parse_money(cells[1], unit=options.mapping.fmt.money_unit)
        except MoneyError:
            raise FileProblemError(f"{where} total is not an amount of money") from None
        if expected != money_total:
            raise FileProblemError(f"{where} total does not match the sum of the file's amounts")


def as_mapping(row: SourceRow, header: list[str]) -> Mapping[str, str] | list[FieldError]:
    if len(row.cells) > len(header):
        return [FieldError("row", f"too many fields: expected {len(header)}, found {len(row.cells)}")]
    return dict(zip(header, row.cells, strict=False))


def row_errors(
    row: SourceRow, header: list[str], kind: ImportKind, options: ImportOptions, now: datetime
) -> list[FieldError]:
    cells = as_mapping(row, header)
    if isinstance(cells, list):
        return cells
    result = parse_cells(cells, kind, options, now)
    return result if isinstance(result, list) else []


def parse_cells(
    cells: Mapping[str, str], kind: ImportKind, options: ImportOptions, now: datetime
) -> Any | list[FieldError]:
    """The row's record, or every problem with it: the one way any import's fields are read.

    Control characters are refused here, for every column the kind reads (see
    :func:`control_character_errors`), so no parser has to remember to.
    """
    problems = control_character_errors(cells, read=kind.column_set, free_text=kind.free_text)
    result = kind.parse(cells, now.date(), options.mapping.fmt)
    if not problems:
        return result
    named = {problem.field for problem in problems}
    return problems + [e for e in result if e.field not in named] if isinstance(result, list) else problems


def duplicate_error(kind: ImportKind, key: Hashable, line: int, scan: Scan) -> list[FieldError] | None:
    lines = scan.duplicates.get(key)
    if not lines:
        return None
    others = ", ".join(str(n) for n in lines if n != line)
    return [FieldError(kind.key_columns[-1], f"appears more than once in the file (also line {others})")]


def parsed(
    row: SourceRow, kind: ImportKind, options: ImportOptions, scan: Scan, now: datetime
) -> Any | list[FieldError]:
    cells = as_mapping(row, scan.header)
    if isinstance(cells, list):
        return cells
    key = tuple((cells.get(name) or "").strip() for name in kind.key_columns)
    duplicate = duplicate_error(kind, key, row.line, scan)
    if duplicate is not None:
        return duplicate
    return parse_cells(cells, kind, options, now)


def prepared(
    row: SourceRow, kind: ImportKind, options: ImportOptions, scan: Scan, now: datetime, context: Any
) -> Any | list[FieldError]:
    """The row's item for ``kind.apply`` (its record, prepared if the kind prepares), or its errors."""
    result = parsed(row, kind, options, scan, now)
    if kind.prepare is None or isinstance(result, list):
        return result
    return kind.prepare(result, now, context)


CHUNK_ROWS = 500


def parsed_rows(
    path: Path, kind: ImportKind, options: ImportOptions, scan: Scan, now: datetime, context: Any = None
) -> Iterator[tuple[int, Any]]:
    """(line, item or the record's errors) for every data row, in order.

    Parsing (and preparing) is much of an import's work, so on a machine with
    two or more cores a forked worker does it while this process writes to
    the database.
    """
    if (os.cpu_count() or 1) < 2 or "fork" not in multiprocessing.get_all_start_methods():
        for row in data_rows(path, len(scan.header)):
            yield row.line, prepared(row, kind, options, scan, now, context)
        return
    forking = multiprocessing.get_context("fork")
    # A one-way pipe, no feeder thread: when either side dies the other gets
    # EOF or a broken pipe instead of waiting forever, and a full pipe holds
    # the worker back, so memory stays flat.
    reader, writer = forking.Pipe(duplex=False)
    worker = forking.Process(
        target=_parse_in_worker,
        args=(reader, writer, path, kind, options, scan, now, context),
        daemon=True,
    )
    worker.start()
    writer.close()
    # A pipe holds less than one chunk: read it from a thread into a bounded
    # queue, so the worker keeps parsing while this process is inside a
    # transaction (else the two would mostly take turns). Unpickling stays here.
    inbox: queue.Queue[bytes | None] = queue.Queue(maxsize=max(2, options.batch_size // CHUNK_ROWS + 2))
    stop = threading.Event()
    pump = threading.Thread(target=_pump, args=(reader, inbox, stop), daemon=True)
    pump.start()
    try:
        while True:
            data = inbox.get()
            if data is None:
                raise RuntimeError("the parsing worker stopped unexpectedly")
            item = ForkingPickler.loads(data)  # what Connection.recv does
            if item is None:
                return
            if isinstance(item, tuple) and item and item[0] == "error":
                _, name, message, line = item
                if name == FileProblemError.__name__:
                    raise FileProblemError(message)
                # The exception's own message may quote the row: only its type and the line go on.
                raise RuntimeError(f"{path.name}: the parsing worker stopped at line {line} ({name})")
            yield from item
    finally:
        stop.set()  # the pump stops after the message it is reading, or at EOF
        pump.join(timeout=5)
        if pump.is_alive():
            worker.terminate()  # a stuck worker: its end of the pipe closes, so the pump's read ends
            pump.join(timeout=5)
        reader.close()  # a worker still sending gets a broken pipe and exits
        worker.join(timeout=5)
        if worker.is_alive():
            worker.terminate()
            worker.join(timeout=5)


def _pump(reader: Any, inbox: queue.Queue[bytes | None], stop: threading.Event) -> None:
    """Move the worker's messages from the pipe into ``inbox`` until EOF or ``stop`` (None: EOF)."""
    while not stop.is_set():
        try:
            data: bytes | None = reader.recv_bytes()
        except (EOFError, OSError):
            data = None
        while not stop.is_set():
            try:
                inbox.put(data, timeout=0.1)
                break
            except queue.Full:
                continue
        if data is None:
            return


def _parse_in_worker(
    reader: Any,
    writer: Any,
    path: Path,
    kind: ImportKind,
    options: ImportOptions,
    scan: Scan,
    now: datetime,
    context: Any,
) -> None:
    """Runs in the forked worker: parse the file and send chunks of rows to the importer."""
    forget_in_child()
    reader.close()  # so a dead importer means a broken pipe here, not a hang
    line = 0
    try:
        chunk: list[tuple[int, Any]] = []
        for row in data_rows(path, len(scan.header)):
            line = row.line
            chunk.append((line, prepared(row, kind, options, scan, now, context)))
            if len(chunk) >= CHUNK_ROWS:
                writer.send(chunk)
                chunk = []
        if chunk:
            writer.send(chunk)
        writer.send(None)
    except (BrokenPipeError, ConnectionResetError):
        os._exit(0)  # the importer is gone (stopped or killed): nothing to send to
    except Exception as exc:
        message = str(exc) if isinstance(exc, FileProblemError) else ""
        with suppress(BrokenPipeError, ConnectionResetError):
            writer.send(("error", type(exc).__name__, message, line))
    finally:
        writer.close()


def validate_only(
    path: Path, kind: ImportKind, options: ImportOptions, scan: Scan, rejects: RejectFile, now: datetime
) -> None:
    for row in data_rows(path, len(scan.header)):
        result = parsed(row, kind, options, scan, now)
        if isinstance(result, list):
            rejects.add(row.line, result)
