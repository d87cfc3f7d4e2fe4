"""``collector import remittance FILE``: a payer's 835 file, checked whole, then posted.

The file is read and every transaction set balanced (``domain/x12``) before anything is written: a
file that cannot be read, is not a 005010X221A1 835, or does not balance is refused whole
(``FileProblemError``, exit code 2), its message naming the segment and element, never a claim's
or a patient's data. Then each transaction set (ST) is posted in its own transaction
(``services/files/remittances.post_remittance``), under the import lock. A transaction set already
posted (same payer, same trace number) is a no-op, so re-running a file changes nothing.

The whole file is held in memory while it is read (an 835 of 100,000 claims is tens of megabytes);
the posting works a transaction set at a time.
"""

from __future__ import annotations

from contextlib import suppress
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from collector_tui.domain.x12.envelope import X12Error
from collector_tui.domain.x12.remittance import Remittance, balance_problems, read_835
from collector_tui.importing.lock import import_lock
from collector_tui.importing.source import FileProblemError
from collector_tui.importing.x12_file import RolledBackError, read_x12_text, x12_problem
from collector_tui.services.audit import Actor
from collector_tui.services.database import Database
from collector_tui.services.files.remittances import post_remittance

SCHEMA = "collector.remittance/1"
STATUS_POSTED = "posted"
STATUS_ALREADY = "already_posted"
STATUS_DRY_RUN = "dry_run"


@dataclass
class RemittanceSummary:
    """What the file did (or, dry run, would do); counts and ids only."""

    file: str
    status: str = STATUS_POSTED
    transaction_sets: int = 0
    already_posted: int = 0
    claims: int = 0
    matched: int = 0
    exceptions: int = 0
    review: int = 0
    transactions: int = 0
    paid_cents: int = 0
    contractual_cents: int = 0
    patient_responsibility_cents: int = 0
    unmatched: int = 0
    reversals: int = 0
    denials_opened: int = 0
    denials_overturned: int = 0
    balanced: bool = True  # a file that does not balance is refused whole (exit 2)
    provider_adjustments: int = 0
    flagged_accounts: int = 0
    remittance_ids: list[int] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        """0 posted (or already posted); 3 posted with exceptions kept for a person to resolve."""
        return 3 if self.exceptions else 0

    def document(self) -> dict[str, Any]:
        """``collector.remittance/1``: ``schema`` first, then the fields in name order."""
        return {"schema": SCHEMA, **dict(sorted(asdict(self).items()))}


class UnbalancedError(FileProblemError):
    """A file that reads but does not balance: nothing posted (``balanced`` false, exit 2)."""


def read_remittances(path: Path) -> tuple[tuple[Remittance, ...], str]:
    """The file's transaction sets, each balanced, and its SHA-256; ``FileProblemError`` otherwise."""
    text, sha = read_x12_text(path)
    try:
        remittances = read_835(text)
    except X12Error as error:
        raise x12_problem(path, error) from None
    for remittance in remittances:
        problems = balance_problems(remittance)
        if problems:
            first = problems[0]
            what = "the transaction" if first.claim is None else "a claim"
            raise UnbalancedError(
                f"{path.name}: does not balance, nothing posted: {what} at segment {first.position} "
                f"({first.rule} rule)"
            )
    return remittances, sha


def import_remittance(
    db: Database, path: Path, *, actor: Actor, now: datetime, dry_run: bool = False
) -> RemittanceSummary:
    """Check ``path`` whole, then post each transaction set in its own transaction (rolled back
    with ``dry_run``)."""
    remittances, sha = read_remittances(path)
    summary = RemittanceSummary(file=str(path), transaction_sets=len(remittances))
    with import_lock(db):
        for remittance in remittances:
            with suppress(RolledBackError), db.writing() as session:
                result = post_remittance(session, remittance, file_sha256=sha, actor=actor, now=now)
                if dry_run:
                    raise RolledBackError
            if result.already_posted:
                summary.already_posted += 1
                continue
            summary.claims += result.claims
            summary.matched += result.matched
            summary.exceptions += result.exceptions
            summary.review += result.review
            summary.transactions += result.transactions
            summary.paid_cents += result.paid_cents
            summary.contractual_cents += result.contractual_cents
            summary.patient_responsibility_cents += result.patient_responsibility_cents
            summary.unmatched += result.unmatched
            summary.reversals += result.reversals
            summary.denials_opened += result.denials_opened
            summary.denials_overturned += result.denials_overturned
            summary.provider_adjustments += result.provider_adjustments
            summary.flagged_accounts += len(result.flagged_accounts)
            if not dry_run and result.remittance_id is not None:
                summary.remittance_ids.append(result.remittance_id)
    if dry_run:
        summary.status = STATUS_DRY_RUN
    elif remittances and summary.already_posted == len(remittances):
        summary.status = STATUS_ALREADY
    return summary
