"""The office's own processes: nightly imports and override requests."""

from __future__ import annotations

from collector_tui.vocabulary.term import Term


class ImportStatus(Term):
    RUNNING = "running", "Running"
    COMPLETED = "completed", "Completed"
    INCOMPLETE = "incomplete", "Stopped part way"
    FAILED = "failed", "Failed"


class RequestStatus(Term):
    PENDING = "pending", "Awaiting a supervisor"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    USED = "used", "Used"
