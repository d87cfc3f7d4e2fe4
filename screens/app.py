"""The workstation's Textual App: one factory used by the CLI and the tests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import ClassVar

from rich.segment import Segments
from rich.traceback import Traceback
from textual.app import App
from textual.binding import Binding, BindingType

from collector_tui.services.audit import Actor
from collector_tui.services.database import Database
from screens.queue import PAGE_SIZE, QueueScreen

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

    def _fatal_error(self) -> None:
        """Like Textual's crash report, but without local variables: they may hold PHI."""
        import rich

        self.bell()
        traceback = Traceback(show_locals=False, width=None, suppress=[rich])
        self._exit_renderables.append(Segments(self.console.render(traceback, self.console.options)))
        self._close_messages_no_wait()
