"""The workstation's Textual App: one factory used by the CLI and the tests.

The one module of ``screens`` that imports the screens: each screen asks for another by posting a
message (``screens/navigation.py``) and the App opens it, so no screen imports another.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import ClassVar, cast

from rich.text import Text
from textual.app import App
from textual.binding import Binding, BindingType
from textual.command import CommandPalette
from textual.dom import DOMNode
from textual.notifications import SeverityLevel
from textual.worker import Worker, WorkerState

from collector_tui.config import BoundKey, read_keymap
from collector_tui.domain.account_search import SEARCH_HINT
from collector_tui.screens.account_panel import AccountPanel
from collector_tui.screens.account_search import SearchHost
from collector_tui.screens.approvals import ApprovalsScreen, ConfirmApproval, RejectReason
from collector_tui.screens.base import Clock, Workstation
from collector_tui.screens.denial_forms import ConfirmMoney, DenialForm
from collector_tui.screens.denials import DenialTable, DenialWorklistScreen
from collector_tui.screens.forms import ActionForm
from collector_tui.screens.keymap import bound_keys, normal_key
from collector_tui.screens.messages import safe_error_text
from collector_tui.screens.navigation import (
    MoveAccounts,
    OpenAccount,
    ShowApprovals,
    ShowQueue,
    ShowTeam,
    ShowWorklist,
)
from collector_tui.screens.queue import PAGE_SIZE, QueueScreen, QueueTable
from collector_tui.screens.reassign import ReassignForm
from collector_tui.screens.team import TeamScreen
from collector_tui.screens.verification import VerifyCaller
from collector_tui.screens.workspace_forms import LeaveForm
from collector_tui.services.audit import Actor
from collector_tui.services.database import Database

__all__ = ["KEYED", "Clock", "CollectorApp", "binding_screens", "configured_keymap", "utc_clock"]


def utc_clock() -> datetime:
    return datetime.now(UTC)


class CollectorApp(App[None]):
    """A collector's workstation over one database, acting as one user."""

    CSS_PATH = "app.tcss"
    TITLE = "collector-tui"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit", id="app.quit", tooltip="Leave the workstation."),
        Binding("f1", "toggle_help", "Help", id="app.help", tooltip="Keys and help for the focused pane."),
        Binding(
            "question_mark", "toggle_help", "Keys", id="app.help_alt", tooltip="Every key of this screen."
        ),
    ]

    def __init__(
        self,
        *,
        db: Database,
        actor: Actor,
        clock: Clock = utc_clock,
        page_size: int = PAGE_SIZE,
        keymap: Mapping[str, str] | None = None,
    ) -> None:
        """``keymap``: binding id -> keys; None reads the config file's ``[keys]`` (a table that
        cannot be used is a :class:`~collector_tui.config.ConfigError`, before anything opens)."""
        super().__init__()
        self.db = db
        self.actor = actor
        self.clock = clock
        self.page_size = page_size
        who = actor.display_name or actor.login
        acting = f" · {actor.login} acting as {actor.acting_as}" if actor.acting_as else ""
        self.sub_title = f"{who} ({actor.role}){acting}"
        self.set_keymap(dict(configured_keymap() if keymap is None else keymap))

    def on_mount(self) -> None:
        self.push_screen(QueueScreen(page_size=self.page_size))

    # -- where the screens ask to go ------------------------------------------------------------

    def on_open_account(self, message: OpenAccount) -> None:
        self.push_screen(
            AccountPanel(message.account_id, read_only=message.read_only, inbound=message.inbound)
        )

    def action_command_palette(self) -> None:
        """``ctrl+p``: on a screen that finds accounts, the box says what may be typed."""
        if self.use_command_palette and not CommandPalette.is_open(cast("App[object]", self)):
            hint = SEARCH_HINT if isinstance(self.screen, SearchHost) else "Search for commands…"
            self.push_screen(CommandPalette(placeholder=hint, id="--command-palette"))

    def on_show_team(self, message: ShowTeam) -> None:
        self.push_screen(TeamScreen())

    def on_show_queue(self, message: ShowQueue) -> None:
        self.push_screen(QueueScreen(viewing=message.viewing, page_size=self.page_size))

    def on_show_worklist(self, message: ShowWorklist) -> None:
        self.push_screen(DenialWorklistScreen(page_size=self.page_size))

    def on_show_approvals(self, message: ShowApprovals) -> None:
        self.push_screen(ApprovalsScreen())

    def on_move_accounts(self, message: MoveAccounts) -> None:
        self.push_screen(ReassignForm(message.from_login), message.done)

    def action_toggle_help(self) -> None:
        if self.screen.query("HelpPanel"):
            self.action_hide_help_panel()
        else:
            self.action_show_help_panel()

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Every notice is plain text: its message may name a login or quote a service's words,
        which may hold ``[`` and ``]``."""
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=False)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The app's own workers (a claim's heartbeat, its release): a failure is a notice."""
        if event.state == WorkerState.ERROR and event.worker.node is self:
            doing = event.worker.description or "finish that"
            self.notify(safe_error_text(event.worker.error, doing), severity="error")

    def _handle_exception(self, error: Exception) -> None:
        self._crash = error
        super()._handle_exception(error)

    def _fatal_error(self) -> None:
        """Instead of Textual's crash report (a traceback, whose messages may quote PHI): one line
        naming the kind of failure, with the detail in the operator's log if one is configured."""
        from collector_tui.services.failures import describe, record_failure

        self.bell()
        error: BaseException | None = getattr(self, "_crash", None)
        line = "collector-tui stopped"
        if error is not None:
            log = record_failure(error, "workstation")
            line += f": {describe(error)}" + (f"; details in {log}" if log is not None else "")
        self._exit_renderables.append(Text(line))
        self._close_messages_no_wait()


def _is_workstation(app: CollectorApp) -> Workstation:
    return app  # mypy checks here that the App is what the screens take it for


# Every class that binds keys the user presses: the App, each screen, each modal, the queue's table.
# ActionForm stands for every form on an account (they bind no keys of their own).
KEYED: tuple[type[DOMNode], ...] = (
    CollectorApp,
    QueueScreen,
    QueueTable,
    AccountPanel,
    ActionForm,
    LeaveForm,
    TeamScreen,
    ApprovalsScreen,
    RejectReason,
    ConfirmApproval,
    ReassignForm,
    VerifyCaller,
    DenialWorklistScreen,
    DenialTable,
    DenialForm,
    ConfirmMoney,
)


def binding_screens() -> list[list[BoundKey]]:
    """What each of :data:`KEYED` binds (the namespaces ``[keys]`` is checked in)."""
    return [bound_keys(node) for node in KEYED]


def configured_keymap() -> dict[str, str]:
    """The config file's ``[keys]``, checked against every binding of the workstation."""
    return read_keymap(binding_screens(), normal_key)
