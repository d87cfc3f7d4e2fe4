"""The workstation's Textual App: one factory used by the CLI and the tests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import ClassVar

from rich.text import Text
from textual.app import App
from textual.binding import Binding, BindingType
from textual.notifications import SeverityLevel
from textual.worker import Worker, WorkerState

from collector_tui.screens.messages import safe_error_text
from collector_tui.screens.queue import PAGE_SIZE, QueueScreen
from collector_tui.services.audit import Actor
from collector_tui.services.database import Database

Clock = Callable[[], datetime]


def utc_clock() -> datetime:
    return datetime.now(UTC)


class CollectorApp(App[None]):
    """A collector's workstation over one database, acting as one user."""

    CSS_PATH = "app.tcss"
    TITLE = "collector-tui"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit", id="app.quit", tooltip="Leave the workstation."),
        Binding("f1", "toggle_help", "Help", id="app.help", tooltip="Keys and help for the focused pane."),
        Binding("question_mark", "toggle_help", "Help", show=False, id="app.help_alt"),
    ]

    def __init__(
        self, *, db: Database, actor: Actor, clock: Clock = utc_clock, page_size: int = PAGE_SIZE
    ) -> None:
        super().__init__()
        self.db = db
        self.actor = actor
        self.clock = clock
        self.page_size = page_size
        who = actor.display_name or actor.login
        acting = f" · {actor.login} acting as {actor.acting_as}" if actor.acting_as else ""
        self.sub_title = f"{who} ({actor.role}){acting}"

    def on_mount(self) -> None:
        self.push_screen(QueueScreen(page_size=self.page_size))

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
