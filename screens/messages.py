"""Turning a worker's failure into words a collector may see (never PHI)."""

from __future__ import annotations

from collector_tui.services.errors import ServiceError


def safe_error_text(error: BaseException | None, doing: str) -> str:
    """A service error's own (PHI-free) message; for anything else only its type.

    Database driver errors can quote the values they choked on, so their
    text is never shown.
    """
    if isinstance(error, ServiceError):
        return str(error)
    if error is None:
        return f"Could not {doing}. Try again; if it keeps failing, tell your administrator."
    from collector_tui.services.failures import describe, record_failure

    record_failure(error, f"workstation: {doing}")
    return f"Could not {doing}: {describe(error)}. If it keeps failing, tell your administrator."
