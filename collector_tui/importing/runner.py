"""Running one import: check the file, then apply its good rows in batches that survive a kill.

Pass 1 reads the whole file without writing: encoding, CSV structure, header,
trailer, duplicate keys (and, with ``strict``, every row). Any file-level
problem stops the import here, before anything is written.

Pass 2 validates every row and applies the valid ones through the services,
``batch_size`` rows per transaction (with ``strict``, the whole file in one
transaction, rolled back if the database refuses any row). Each transaction also moves the import
batch's ``last_line_applied``, so a killed import is resumed exactly where it
stopped by running the same file again, and a finished file is a no-op.

A dry run (``dry_run``) does pass 2 too, but rolls every transaction back
(:func:`_rehearse`): its counts are what the import would do, and it writes nothing.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable
from contextlib import ExitStack
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from collector_tui.db.models import ImportBatch
from collector_tui.db.types import utc_now
from collector_tui.domain.fields import FieldError
from collector_tui.importing.kinds import Applied, ImportKind
from collector_tui.importing.lock import import_lock
from collector_tui.importing.options import ImportOptions
from collector_tui.importing.rejects import RejectFile, default_rejects_path
from collector_tui.importing.rows import Scan, parsed_rows, scan_file, validate_only
from collector_tui.importing.source import FileProblemError, file_sha256
from collector_tui.services import audit
from collector_tui.services.audit import Actor
from collector_tui.services.bulk import rare_collections
from collector_tui.services.database import Database
from collector_tui.services.files.output_files import database_files
from collector_tui.services.team.permissions import Permission, require
from collector_tui.vocabulary import ImportStatus

Progress = Callable[[int, int], None]  # (rows just applied, data rows in the file)

__all__ = ["ImportOptions", "ImportSummary", "run_import"]

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


WRITER_GAP = 0.003  # seconds between batches: longer than a waiting writer's poll (db.engine)


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
    require(actor, Permission.RUN_NIGHTLY)  # the CLI checks first; the service holds the rule too
    options = options or ImportOptions()
    started = time.perf_counter()
    if not path.is_file():
        raise FileProblemError(f"{path}: no such file")
    try:
        sha = file_sha256(path)
    except OSError as exc:
        raise FileProblemError(f"{path}: cannot be read ({exc.strerror})") from None
    summary = ImportSummary(kind=kind.name, file=str(path), status=STATUS_COMPLETED)
    with import_lock(db), rare_collections():
        previous = _previous_batch(db, kind, sha)
        if previous is not None and previous.status == ImportStatus.COMPLETED and not options.dry_run:
            # This run changes nothing: every row is unchanged; the batch id says where it went.
            summary.status = STATUS_ALREADY
            summary.batch_id = previous.id
            summary.rows_read = summary.unchanged = previous.rows_read
            summary.seconds = round(time.perf_counter() - started, 3)
            return summary
        scan = scan_file(path, kind, options, now)
        summary.warnings = scan.warnings
        summary.rows_read = scan.data_rows
        resume_after = previous.last_line_applied if previous is not None and not options.dry_run else 0
        rejects = RejectFile(
            path,
            options.rejects_path or default_rejects_path(path),
            carry_upto=resume_after,
            protected=[*database_files(db.url), *options.protected],
        )
        try:
            if options.strict and scan.invalid_lines:
                validate_only(path, kind, options, scan, rejects, now)
                summary.status = STATUS_REJECTED_FILE
                summary.rejected = rejects.count
            elif options.dry_run:
                _rehearse(db, path, kind, options, scan, rejects, summary, actor, now, sha, progress)
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


def _apply(
    db: Database,
    path: Path,
    kind: ImportKind,
    options: ImportOptions,
    scan: Scan,
    rejects: RejectFile,
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
    context = None
    if kind.context is not None:
        with db.reading() as session:
            context = kind.context(session)
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

            for line, result in parsed_rows(path, kind, options, scan, now, context):
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
        _mark(db, batch_id, ImportStatus.FAILED, "strict: the database refused a row; nothing was applied")
        summary.status = STATUS_REJECTED_FILE
        summary.rejected = rejects.count
        return
    except BaseException as exc:
        _mark(db, batch_id, ImportStatus.INCOMPLETE, f"stopped: {type(exc).__name__}")
        raise
    _finish(db, batch_id, actor, now)
    with db.reading() as session:
        batch = session.get(ImportBatch, batch_id)
        assert batch is not None
        _copy_counts(batch, summary)


class _RolledBackError(Exception):
    """Raised inside a dry run's transaction to roll it back, carrying what the rows did."""

    def __init__(self, applied: Applied) -> None:
        super().__init__("dry run")
        self.applied = applied


def _rehearse(
    db: Database,
    path: Path,
    kind: ImportKind,
    options: ImportOptions,
    scan: Scan,
    rejects: RejectFile,
    summary: ImportSummary,
    actor: Actor,
    now: datetime,
    sha: str,
    progress: Progress | None,
) -> None:
    """``--dry-run``: apply the valid rows exactly as the import would, through the same services,
    and roll every transaction back, so the counts (inserted, updated, unchanged, closed, rejected,
    the money total) are the import's and the database is left as it was.

    Batches are ``batch_size`` rows, each in its own transaction rolled back at once (the write lock
    is held no longer than a real import's batch), so each batch is judged against the database as
    it stands, without the batches before it: a row whose fate depends on an earlier row of the
    same file in another batch (a second payment on one account) may be counted differently. With
    ``strict`` the whole file is one transaction, as in the import, and the counts are exact.
    """
    summary.status = STATUS_DRY_RUN
    context = None
    if kind.context is not None:
        with db.reading() as session:
            context = kind.context(session)
    pending: list[Any] = []
    lines: dict[Hashable, int] = {}
    parse_rejects = 0
    refused = 0

    def rehearse() -> None:
        nonlocal refused
        if not pending:
            return
        try:
            with db.writing() as session:
                batch = ImportBatch(
                    kind=kind.name,
                    file_name=path.name,
                    file_sha256=sha,
                    run_by=actor.login,
                    started_at=utc_now(),
                    rows_read=scan.data_rows,
                )
                session.add(batch)
                session.flush()  # the rows name a batch, as in the import; it is rolled back too
                raise _RolledBackError(kind.apply(session, pending, actor, now, int(batch.id or 0)))
        except _RolledBackError as done:
            applied = done.applied
        summary.inserted += applied.inserted
        summary.updated += applied.updated
        summary.unchanged += applied.unchanged
        summary.closed += applied.closed
        summary.total_cents += applied.total_cents
        refused += len(applied.rejected)
        for key, name, reason in applied.rejected:
            rejects.add(lines.get(key, 0), [FieldError(name, reason)])

    size = scan.data_rows + 1 if options.strict else options.batch_size
    for line, result in parsed_rows(path, kind, options, scan, now, context):
        if isinstance(result, list):
            rejects.add(line, result)
            parse_rejects += 1
            continue
        pending.append(result)
        lines[kind.record_key(result)] = line
        if len(pending) + parse_rejects >= size:
            rehearse()
            if progress is not None:
                progress(len(pending) + parse_rejects, scan.data_rows)
            pending, lines, parse_rejects = [], {}, 0
    rehearse()
    if progress is not None:
        progress(len(pending) + parse_rejects, scan.data_rows)
    summary.rejected = rejects.count
    if options.strict and refused:  # the import would roll the whole file back
        summary.status = STATUS_REJECTED_FILE
        summary.inserted = summary.updated = summary.unchanged = summary.closed = summary.total_cents = 0


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
        if previous is not None and previous.status != ImportStatus.COMPLETED:
            batch = session.get(ImportBatch, previous.id)
            assert batch is not None
            batch.status = ImportStatus.RUNNING
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
    rejects: RejectFile,
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
        batch.status = ImportStatus.COMPLETED
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
