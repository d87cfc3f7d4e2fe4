"""``collector import claim-status FILE``: a payer's 277 or 277CA, read whole, then applied.

The file is read before anything is written (``domain/x12/claim_status``): a file that cannot be
read, is not ASCII, is malformed, or is not a 005010X212 or 005010X214 277 (a 4010 file, say) is
refused whole (``FileProblemError``, exit code 2), its message naming the file, the segment and the
element, never a claim's or a patient's data. Then every report is applied in one transaction under
the import lock (``services/files/claim_statuses.apply_claim_statuses``). A 277 moves no money and
writes only values it already wrote, so a re-run of the same file changes nothing.

Claims the file names but the office does not have are counted (exit code 3), not kept: a status
report is about claims already billed, and a claim missing here is a billing question, not a row.
"""

from __future__ import annotations

from contextlib import suppress
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from collector_tui.domain.x12.claim_status import ClaimStatusReport, read_277
from collector_tui.domain.x12.envelope import X12Error
from collector_tui.importing.lock import import_lock
from collector_tui.importing.x12_file import RolledBackError, read_x12_text, x12_problem
from collector_tui.services.audit import Actor
from collector_tui.services.database import Database
from collector_tui.services.files.claim_statuses import apply_claim_statuses

SCHEMA = "collector.claim_status/1"
STATUS_POSTED = "posted"
STATUS_DRY_RUN = "dry_run"


@dataclass
class ClaimStatusSummary:
    """What the file did (or, dry run, would do); counts only."""

    file: str
    status: str = STATUS_POSTED
    reports: int = 0
    claims: int = 0
    matched: int = 0
    unmatched: int = 0
    accepted: int = 0
    rejected: int = 0
    finalized: int = 0
    updated: int = 0
    denied: int = 0
    follow_ups_answered: int = 0

    @property
    def exit_code(self) -> int:
        """0 applied; 3 applied, but the file names claims the office does not have."""
        return 3 if self.unmatched else 0

    def document(self) -> dict[str, Any]:
        """``collector.claim_status/1``: ``schema`` first, then the fields in name order."""
        return {"schema": SCHEMA, **dict(sorted(asdict(self).items()))}


def read_claim_statuses(path: Path) -> tuple[tuple[ClaimStatusReport, ...], str]:
    """The file's reports and its SHA-256; ``FileProblemError`` when it cannot be read whole."""
    text, sha = read_x12_text(path)
    try:
        reports = read_277(text)
    except X12Error as error:
        raise x12_problem(path, error) from None
    return reports, sha


def import_claim_status(
    db: Database, path: Path, *, actor: Actor, now: datetime, dry_run: bool = False
) -> ClaimStatusSummary:
    """Read ``path`` whole, then apply every report in one transaction (rolled back with ``dry_run``)."""
    reports, sha = read_claim_statuses(path)
    summary = ClaimStatusSummary(file=str(path), reports=len(reports))
    with import_lock(db), suppress(RolledBackError), db.writing() as session:
        result = apply_claim_statuses(session, reports, file_sha256=sha, actor=actor, now=now)
        summary.claims, summary.matched, summary.unmatched = result.claims, result.matched, result.unmatched
        summary.accepted, summary.rejected, summary.finalized = (
            result.accepted,
            result.rejected,
            result.finalized,
        )
        summary.updated, summary.denied = result.updated, result.denied
        summary.follow_ups_answered = result.follow_ups_answered
        if dry_run:
            summary.status = STATUS_DRY_RUN
            raise RolledBackError
    return summary
