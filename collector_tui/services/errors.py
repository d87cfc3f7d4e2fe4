"""Errors a service reports to the CLI or a screen: plain words, ids only, never PHI."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collector_tui.domain.compliance.engine import Block


class ServiceError(Exception):
    """A request the service refused; ``str(error)`` is safe to show a user."""

    exit_code = 1


class DatabaseNotReadyError(ServiceError):
    """The database is missing, empty or not at the schema this build expects."""


class AccessDeniedError(ServiceError):
    """The acting user may not do this."""


class NotFoundError(ServiceError):
    """The entity does not exist or the user may not see it."""


class StaleAccountError(ServiceError):
    """The account changed after the collector opened it; nothing was written."""

    def __init__(self, account_id: int, seen: int, current: int) -> None:
        super().__init__(
            f"account {account_id} changed since you opened it (version {seen}, now {current}): "
            "reloaded; your entry is kept, check it and save again"
        )
        self.account_id = account_id
        self.current_version = current


class EntryError(ServiceError):
    """What the collector entered breaks a rule; ``problems`` are (field, message) pairs."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(f"{field}: {message}" for field, message in problems))
        self.problems = problems


class CallBlockedError(ServiceError):
    """The compliance engine forbids this call now; a supervisor may override with a reason."""

    def __init__(self, blocks: tuple[Block, ...]) -> None:
        reasons = "; ".join(f"{b.reason} [{b.rule_id}]" for b in blocks)
        super().__init__(f"this call may not be placed now: {reasons}")
        self.blocks = blocks
