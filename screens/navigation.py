"""Where a screen asks to go: messages that bubble to the App, which opens the screen.

A screen never imports another screen (an import-linter contract in ``pyproject.toml`` keeps it
so): it posts one of these, and :class:`~collector_tui.screens.app.CollectorApp` pushes the
screen asked for. What comes back from a screen that answers (the move-accounts form) comes to the
callback the message carries.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.message import Message

from collector_tui.services.audit import Actor
from collector_tui.services.worklists.assignments import ReassignmentResult


class OpenAccount(Message):
    """Open the account's workspace (the caller has claimed it, or tried to); ``inbound``: for a
    caller on the line, asking for right-party verification before the debt is shown; ``read_only``:
    to look, not act (a supervisor deciding an approval: not claimed, no forms)."""

    def __init__(self, account_id: int, *, inbound: bool = False, read_only: bool = False) -> None:
        super().__init__()
        self.account_id = account_id
        self.inbound = inbound
        self.read_only = read_only


class ShowTeam(Message):
    """The team's results (supervisors and admins)."""


class ShowQueue(Message):
    """A collector's queue: ``viewing`` someone else's, read only."""

    def __init__(self, *, viewing: Actor) -> None:
        super().__init__()
        self.viewing = viewing


class ShowWorklist(Message):
    """The acting collector's denial worklist (``w`` from the call queue)."""


class ShowApprovals(Message):
    """The list of what waits for a supervisor's decision."""


class MoveAccounts(Message):
    """The move-accounts form, ``from_login``'s accounts proposed; ``done`` gets what moved (None:
    closed without moving anything)."""

    def __init__(
        self, from_login: str | None, done: Callable[[ReassignmentResult | None], None] | None = None
    ) -> None:
        super().__init__()
        self.from_login = from_login
        self.done = done
