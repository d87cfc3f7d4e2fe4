"""Running one import: check the file, then apply its good rows in batches that survive a kill.

Pass 1 reads the whole file without writing: encoding, CSV structure, header,
trailer, duplicate keys (and, with ``strict``, every row). Any file-level
problem stops the import here, before anything is written.

Pass 2 validates every row and applies the valid ones through the services,
``batch_size`` rows per transaction (with ``strict``, the whole file in one
transaction, rolled back if the database refuses any row). Each transaction also moves the import
batch's ``last_line_applied``, so a killed import is resumed exactly where it
stopped by running the same file again, and a finished file is a no-op.
"""

from __future__ import annotations

import csv
import multiprocessing
import os
import sqlite3
import tempfile
import time
from collections.abc import Callable, Hashable, Iterator, Mapping
from contextlib import ExitStack, suppress
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from collector_tui.domain.fields import FieldError
from collector_tui.domain.money import MoneyError, parse_money
from collector_tui.importing.kinds import Applied, ImportKind
from collector_tui.importing.lock import forget_in_child, import_lock
from collector_tui.importing.mapping import IDENTITY, ColumnMapping
from collector_tui.importing.source import FileProblemError, SourceRow, file_sha256, is_trailer, read_rows
from collector_tui.services import audit
from collector_tui.services.audit import Actor
from collector_tui.services.database import Database
from collector_tui.services.errors import ServiceError
from db import codes
from db.models import ImportBatch
from db.types import utc_now

Progress = Callable[[int, int], None]  # (rows just applied, data rows in the file)

STATUS_COMPLETED = "completed"
STATUS_ALREADY = "already_imported"
STATUS_DRY_RUN = "dry_run"
STATUS_REJECTED_FILE = "rejected_file"


@dataclass
class ImportSummary:
    """What an import did; printed for people and as JSON for scripts. No PHI."""

    kind: str
    file: str
    status: str
    batch_id: int | None = None
    rows_read: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    closed: int = 0
    rejected: int = 0
    total_cents: int = 0
    seconds: float = 0.0
    resumed_from_line: int | None = None
    rejects_file: str | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return 3 if self.rejected else 0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class ImportOptions:
    mapping: ColumnMapping = IDENTITY
    rejects_path: Path | None = None
    dry_run: bool = False
    strict: bool = False
    batch_size: int = 1000


@dataclass
class _Scan:
    header: list[str]
    data_rows: int
    duplicates: dict[Hashable, list[int]]  # key -> every line it is on
    warnings: list[str]
    invalid_lines: int = 0


class _Rejects:
    """The reject file (file, line, field, reason), flushed after every committed batch.

    It is written in place, not renamed at the end: an import killed halfway
    leaves the rejects of everything it committed, and the resumed run keeps
    those lines (``carry_upto``) and adds the rest.
    """

    def __init__(self, source: Path, target: Path, *, carry_upto: int = 0) -> None:
        self.source = source.name
        self.target = target
        carried = _read_rejects(target, carry_upto) if carry_upto else None
        self.carried = carried is not None
        try:
            fd = os.open(target, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
        except OSError as exc:
            raise ServiceError(f"cannot write the reject file {target} ({exc.strerror})") from None
        self._handle = os.fdopen(fd, "w", encoding="utf-8", newline="")
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
            self.target.unlink(missing_ok=True)
            return None
        return self.target


REJECT_COLUMNS = ("file", "line", "field", "reason")


def _read_rejects(path: Path, upto: int) -> list[list[str]] | None:
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


def run_import(
    db: Database,
    kind: ImportKind,
    path: Path,
    *,
    actor: Actor,
    now: datetime,
    options: ImportOptions | None = None,
    progress: Progress | None = None,
) -> ImportSummary:
    options = options or ImportOptions()
    started = time.perf_counter()
    if not path.is_file():
        raise FileProblemError(f"{path}: no such file")
    try:
        sha = file_sha256(path)
    except OSError as exc:
        raise FileProblemError(f"{path}: cannot be read ({exc.strerror})") from None
    summary = ImportSummary(kind=kind.name, file=str(path), status=STATUS_COMPLETED)
    with import_lock(db):
        previous = _previous_batch(db, kind, sha)
        if previous is not None and previous.status == codes.IMPORT_COMPLETED and not options.dry_run:
            # This run changes nothing: every row is unchanged; the batch id says where it went.
            summary.status = STATUS_ALREADY
            summary.batch_id = previous.id
            summary.rows_read = summary.unchanged = previous.rows_read
            summary.seconds = round(time.perf_counter() - started, 3)
            return summary
        scan = _scan(path, kind, options, now)
        summary.warnings = scan.warnings
        summary.rows_read = scan.data_rows
        resume_after = previous.last_line_applied if previous is not None and not options.dry_run else 0
        rejects = _Rejects(path, options.rejects_path or default_rejects_path(path), carry_upto=resume_after)
        try:
            if options.strict and scan.invalid_lines:
                _validate_only(path, kind, options, scan, rejects, now)
                summary.status = STATUS_REJECTED_FILE
                summary.rejected = rejects.count
            elif options.dry_run:
                _validate_only(path, kind, options, scan, rejects, now)
                summary.status = STATUS_DRY_RUN
                summary.rejected = rejects.count
            else:
                _apply(db, path, kind, options, scan, rejects, summary, previous, actor, now, sha, progress)
        finally:
            written = rejects.close()
        summary.rejects_file = str(written) if written else None
    summary.seconds = round(time.perf_counter() - started, 3)
    return summary


def _previous_batch(db: Database, kind: ImportKind, sha: str) -> ImportBatch | None:
    with db.reading() as session:
        return session.exec(
            select(ImportBatch)
            .where(ImportBatch.kind == kind.name, ImportBatch.file_sha256 == sha)
            .order_by(col(ImportBatch.id).desc())
        ).first()


def _copy_counts(batch: ImportBatch, summary: ImportSummary) -> None:
    summary.batch_id = batch.id
    summary.rows_read = batch.rows_read
    summary.inserted = batch.rows_inserted
    summary.updated = batch.rows_updated
    summary.unchanged = batch.rows_unchanged
    summary.closed = batch.rows_closed
    summary.rejected = batch.rows_rejected
    summary.total_cents = batch.total_cents


def _data_rows(path: Path, header_width: int) -> Iterator[SourceRow]:
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


def _scan(path: Path, kind: ImportKind, options: ImportOptions, now: datetime) -> _Scan:
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
    with _KeyIndex() as keys:
        for row in rows:
            if trailer is not None:
                # The trailer was not the last record after all: it is data.
                count, money_total = _count(
                    trailer, count, money_total, money_index, keys, key_index, options
                )
                if options.strict and _row_errors(trailer, header, kind, options, now):
                    invalid += 1
                trailer = None
            if is_trailer(row) and len(row.cells) != len(header):
                trailer = row
                continue
            count, money_total = _count(row, count, money_total, money_index, keys, key_index, options)
            if options.strict and _row_errors(row, header, kind, options, now):
                invalid += 1
        duplicates = keys.duplicates()
    if trailer is not None:
        _check_trailer(path, trailer, count, money_total, money_index is not None, options)
    if options.strict:
        invalid += sum(len(lines) for lines in duplicates.values())
    return _Scan(header, count, duplicates, warnings, invalid)


def _count(
    row: SourceRow,
    count: int,
    money_total: int,
    money_index: int | None,
    keys: _KeyIndex,
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


class _KeyIndex:
    """Keys seen in the file, kept in a temporary SQLite file so memory stays flat at any size."""

    def __enter__(self) -> _KeyIndex:
        self._dir = tempfile.TemporaryDirectory(prefix="collector-import-")
        self._conn = sqlite3.connect(Path(self._dir.name) / "keys.db")
        self._conn.execute("PRAGMA journal_mode=OFF")
        self._conn.execute("PRAGMA synchronous=OFF")
        self._conn.execute("CREATE TABLE seen (key TEXT NOT NULL, line INTEGER NOT NULL)")
        self._pending: list[tuple[str, int]] = []
        return self

    def add(self, key: tuple[str, ...], line: int) -> None:
        self._pending.append(("\x1f".join(key), line))
        if len(self._pending) >= 10_000:
            self._flush()

    def _flush(self) -> None:
        self._conn.executemany("INSERT INTO seen VALUES (?, ?)", self._pending)
        self._pending.clear()

    def duplicates(self) -> dict[Hashable, list[int]]:
        self._flush()
        rows = self._conn.execute(
            "SELECT key, group_concat(line) FROM seen GROUP BY key HAVING count(*) > 1"
        ).fetchall()
        return {tuple(key.split("\x1f")): sorted(int(n) for n in lines.split(",")) for key, lines in rows}

    def __exit__(self, *_exc: object) -> None:
        self._conn.close()
        self._dir.cleanup()


def _as_mapping(row: SourceRow, header: list[str]) -> Mapping[str, str] | list[FieldError]:
    if len(row.cells) > len(header):
        return [FieldError("row", f"too many fields: expected {len(header)}, found {len(row.cells)}")]
    return dict(zip(header, row.cells, strict=False))


def _row_errors(
    row: SourceRow, header: list[str], kind: ImportKind, options: ImportOptions, now: datetime
) -> list[FieldError]:
    cells = _as_mapping(row, header)
    if isinstance(cells, list):
        return cells
    result = kind.parse(cells, now.date(), options.mapping.fmt)
    return result if isinstance(result, list) else []


def _duplicate_error(kind: ImportKind, key: Hashable, line: int, scan: _Scan) -> list[FieldError] | None:
    lines = scan.duplicates.get(key)
    if not lines:
        return None
    others = ", ".join(str(n) for n in lines if n != line)
    return [FieldError(kind.key_columns[-1], f"appears more than once in the file (also line {others})")]


def _parsed(
    row: SourceRow, kind: ImportKind, options: ImportOptions, scan: _Scan, now: datetime
) -> Any | list[FieldError]:
    cells = _as_mapping(row, scan.header)
    if isinstance(cells, list):
        return cells
    key = tuple((cells.get(name) or "").strip() for name in kind.key_columns)
    duplicate = _duplicate_error(kind, key, row.line, scan)
    if duplicate is not None:
        return duplicate
    return kind.parse(cells, now.date(), options.mapping.fmt)


CHUNK_ROWS = 500
WRITER_GAP = 0.003  # seconds between batches: longer than a waiting writer's poll (db.engine)


def _parsed_rows(
    path: Path, kind: ImportKind, options: ImportOptions, scan: _Scan, now: datetime
) -> Iterator[tuple[int, Any]]:
    """(line, record or its errors) for every data row, in order.

    Parsing is half of an import's work, so on a machine with two or more
    cores a forked worker parses while this process writes to the database.
    """
    if (os.cpu_count() or 1) < 2 or "fork" not in multiprocessing.get_all_start_methods():
        for row in _data_rows(path, len(scan.header)):
            yield row.line, _parsed(row, kind, options, scan, now)
        return
    context = multiprocessing.get_context("fork")
    # A one-way pipe, no feeder thread: when either side dies the other gets
    # EOF or a broken pipe instead of waiting forever, and a full pipe holds
    # the worker back, so memory stays flat.
    reader, writer = context.Pipe(duplex=False)
    worker = context.Process(
        target=_parse_in_worker, args=(reader, writer, path, kind, options, scan, now), daemon=True
    )
    worker.start()
    writer.close()
    try:
        while True:
            try:
                item = reader.recv()
            except EOFError:
                raise RuntimeError("the parsing worker stopped unexpectedly") from None
            if item is None:
                return
            if isinstance(item, tuple) and item and item[0] == "error":
                _, name, message = item
                if name == FileProblemError.__name__:
                    raise FileProblemError(message)
                raise RuntimeError(f"the parsing worker stopped ({name})")
            yield from item
    finally:
        reader.close()
        worker.join(timeout=5)
        if worker.is_alive():
            worker.terminate()
            worker.join(timeout=5)


def _parse_in_worker(
    reader: Any, writer: Any, path: Path, kind: ImportKind, options: ImportOptions, scan: _Scan, now: datetime
) -> None:
    """Runs in the forked worker: parse the file and send chunks of rows to the importer."""
    forget_in_child()
    reader.close()  # so a dead importer means a broken pipe here, not a hang
    try:
        chunk: list[tuple[int, Any]] = []
        for row in _data_rows(path, len(scan.header)):
            chunk.append((row.line, _parsed(row, kind, options, scan, now)))
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
            writer.send(("error", type(exc).__name__, message))
    finally:
        writer.close()


def _validate_only(
    path: Path, kind: ImportKind, options: ImportOptions, scan: _Scan, rejects: _Rejects, now: datetime
) -> None:
    for row in _data_rows(path, len(scan.header)):
        result = _parsed(row, kind, options, scan, now)
        if isinstance(result, list):
            rejects.add(row.line, result)


def _apply(
    db: Database,
    path: Path,
    kind: ImportKind,
    options: ImportOptions,
    scan: _Scan,
    rejects: _Rejects,
    summary: ImportSummary,
    previous: ImportBatch | None,
    actor: Actor,
    now: datetime,
    sha: str,
    progress: Progress | None,
) -> None:
    batch_id, resume_after = _open_batch(db, kind, path, sha, previous, actor, now, scan.data_rows)
    summary.batch_id = batch_id
    if resume_after:
        summary.resumed_from_line = resume_after + 1
    pending: list[Any] = []
    lines: dict[Hashable, int] = {}
    last_line = resume_after
    new_rejects = 0
    try:
        with ExitStack() as stack:
            # --strict is all or nothing: one transaction, rolled back if the database refuses a row.
            whole_file = stack.enter_context(db.writing()) if options.strict else None

            def commit() -> None:
                if whole_file is not None:
                    refused = _apply_batch(
                        whole_file, kind, pending, lines, rejects, batch_id, last_line, 0, actor, now
                    )
                    if refused:
                        raise _StrictRefusalError
                    return
                with db.writing() as session:
                    _apply_batch(
                        session, kind, pending, lines, rejects, batch_id, last_line, new_rejects, actor, now
                    )
                rejects.flush()

            for line, result in _parsed_rows(path, kind, options, scan, now):
                if line <= resume_after:
                    if isinstance(result, list) and not rejects.carried:
                        rejects.add(line, result)  # the earlier reject file is gone: rebuild what we can
                    continue
                last_line = line
                if isinstance(result, list):
                    rejects.add(line, result)
                    new_rejects += 1
                    continue
                pending.append(result)
                lines[kind.record_key(result)] = line
                if len(pending) + new_rejects >= options.batch_size:
                    commit()
                    if progress is not None:
                        progress(len(pending) + new_rejects, scan.data_rows)
                    pending, lines, new_rejects = [], {}, 0
            commit()
            if progress is not None:
                progress(len(pending) + new_rejects, scan.data_rows)
    except _StrictRefusalError:
        _mark(db, batch_id, codes.IMPORT_FAILED, "strict: the database refused a row; nothing was applied")
        summary.status = STATUS_REJECTED_FILE
        summary.rejected = rejects.count
        return
    except BaseException as exc:
        _mark(db, batch_id, codes.IMPORT_INCOMPLETE, f"stopped: {type(exc).__name__}")
        raise
    _finish(db, batch_id, actor, now)
    with db.reading() as session:
        batch = session.get(ImportBatch, batch_id)
        assert batch is not None
        _copy_counts(batch, summary)


def _open_batch(
    db: Database,
    kind: ImportKind,
    path: Path,
    sha: str,
    previous: ImportBatch | None,
    actor: Actor,
    now: datetime,
    rows: int,
) -> tuple[int, int]:
    """The batch to write into: the unfinished one for this file, or a new one."""
    with db.writing() as session:
        if previous is not None and previous.status != codes.IMPORT_COMPLETED:
            batch = session.get(ImportBatch, previous.id)
            assert batch is not None
            batch.status = codes.IMPORT_RUNNING
            batch.message = None
            session.add(batch)
            audit.record(session, actor, f"import.{kind.name}.resume", "import_batch", [batch.id], at=now)
            return int(batch.id or 0), batch.last_line_applied
        batch = ImportBatch(
            kind=kind.name,
            file_name=path.name,
            file_sha256=sha,
            run_by=actor.login,
            started_at=utc_now(),
            rows_read=rows,
        )
        session.add(batch)
        session.flush()
        audit.record(session, actor, f"import.{kind.name}.start", "import_batch", [batch.id], at=now)
        return int(batch.id or 0), 0


class _StrictRefusalError(Exception):
    """Under --strict the database refused a row: roll the whole file back."""


def _apply_batch(
    session: Session,
    kind: ImportKind,
    records: list[Any],
    lines: dict[Hashable, int],
    rejects: _Rejects,
    batch_id: int,
    last_line: int,
    parse_rejects: int,
    actor: Actor,
    now: datetime,
) -> int:
    """Apply one batch and advance the batch record in the caller's transaction; returns rows refused."""
    applied = kind.apply(session, records, actor, now, batch_id) if records else Applied()
    batch = session.get(ImportBatch, batch_id)
    assert batch is not None
    batch.rows_inserted += applied.inserted
    batch.rows_updated += applied.updated
    batch.rows_unchanged += applied.unchanged
    batch.rows_closed += applied.closed
    batch.rows_rejected += parse_rejects + len(applied.rejected)
    batch.total_cents += applied.total_cents
    batch.last_line_applied = last_line
    session.add(batch)
    session.flush()
    for key, name, reason in applied.rejected:
        rejects.add(lines.get(key, 0), [FieldError(name, reason)])
    return len(applied.rejected)


def _mark(db: Database, batch_id: int, status: str, message: str) -> None:
    with db.writing() as session:
        batch = session.get(ImportBatch, batch_id)
        if batch is not None:
            batch.status = status
            batch.message = message
            session.add(batch)


def _finish(db: Database, batch_id: int, actor: Actor, now: datetime) -> None:
    with db.writing() as session:
        batch = session.get(ImportBatch, batch_id)
        assert batch is not None
        batch.status = codes.IMPORT_COMPLETED
        batch.finished_at = utc_now()
        session.add(batch)
        audit.record(
            session,
            actor,
            f"import.{batch.kind}.finish",
            "import_batch",
            [batch_id],
            at=now,
            details={
                "rejected": batch.rows_rejected,
                "inserted": batch.rows_inserted,
                "updated": batch.rows_updated,
            },
        )
