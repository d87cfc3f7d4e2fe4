"""What every screen of the workstation shares: the app's context, the worker-failure notice, the
keys every form has.

:class:`CollectorScreen` is the base of the full screens (the queue, the account, the team, the
approval list), :class:`CollectorModal` of the modals (the workspace's forms, the move-accounts
form, the small questions). Both reach the session through :attr:`~CollectorScreen.collector_app`,
typed as :class:`Workstation`, so no screen imports the App (``screens/app.py`` imports every
screen; a screen importing it back would be a cycle).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, ClassVar, Protocol, TypeVar, cast

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Footer
from textual.widgets._footer import FooterKey
from textual.worker import Worker, WorkerState

from collector_tui.screens.messages import safe_error_text
from collector_tui.services.audit import Actor
from collector_tui.services.database import Database

ResultT = TypeVar("ResultT")
Clock = Callable[[], datetime]


class Workstation(Protocol):
    """What a screen reads of the running app: who works, on which database, at what time."""

    db: Database
    actor: Actor  # the session's user (an admin acting as someone: that someone, with their role)
    clock: Clock  # "now", aware; the tests fix it
    page_size: int  # rows a queue loads at a time


class CollectorScreen(Screen[ResultT]):
    """A screen of the workstation.

    A worker that fails (a thread worker's exception: the database locked, gone, a bug) is a
    one-line notice naming what could not be done (:attr:`WORKER_DOING`), never its message when
    it is not a service's own (it may quote patient data): the screen stays, and nothing typed is
    lost. A screen that must undo something when a worker fails overrides :meth:`worker_failed`;
    it does not define ``on_worker_state_changed`` itself (Textual would call both).
    """

    WORKER_DOING: ClassVar[str] = "do that"  # "Could not <this>: ..."

    @property
    def collector_app(self) -> Workstation:
        return cast(Workstation, self.app)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR:
            self.worker_failed(event.worker)
            self.notify(safe_error_text(event.worker.error, self.WORKER_DOING), severity="error")

    def worker_failed(self, worker: Worker[Any]) -> None:
        """What else a failed worker undoes, before the notice (nothing, unless overridden)."""

    def action_back(self) -> None:
        """Back to the screen underneath."""
        self.app.pop_screen()


class CollectorModal(CollectorScreen[ResultT], ModalScreen[ResultT]):
    """A modal of the workstation: F1 helps and Esc closes it, as in every form.

    A modal's keys hide the App's (Textual stops the key chain at the last modal), so the help key
    is bound here again. A modal whose Esc means something else binds escape itself.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f1", "app.toggle_help", "Help", id="form.help", tooltip="Keys and help for this form."),
        Binding("escape", "cancel", "Close", id="form.cancel", tooltip="Close without saving."),
    ]

    def action_cancel(self) -> None:
        self.dismiss(None)


class KeysFooter(Footer):
    """The footer, its first key ``? keys``: the whole list (and the focused pane's help) is one key
    away even where the footer has no room for every key (80 columns)."""

    def compose(self) -> ComposeResult:
        keys = list(super().compose())
        help_keys = [k for k in keys if isinstance(k, FooterKey) and k.action.endswith("toggle_help")]
        if help_keys:  # F1 and ? are one action, shown once; ? is the shorter to name
            yield FooterKey(
                "question_mark", "?", "keys", help_keys[0].action, tooltip="Every key of this screen."
            )
        yield from (k for k in keys if k not in help_keys)


# A table's columns: (key, heading, width or None for the content's); a screen has a wide set and,
# below NARROW_WIDTH (an 80x24 terminal), a narrow one.
Columns = tuple[tuple[str, str | Text, int | None], ...]
NARROW_WIDTH = 110


def lay_out_columns(table: DataTable[Any], width: int, narrow: Columns, wide: Columns) -> bool:
    """Add the columns for a screen ``width`` wide; returns whether the narrow set was chosen."""
    is_narrow = width < NARROW_WIDTH
    for key, heading, size in narrow if is_narrow else wide:
        table.add_column(heading, key=key, width=size)
    return is_narrow


def relay_columns(
    screen: Screen[Any],
    table: DataTable[Any],
    columns: tuple[Columns, Columns],
    refill: Callable[[], None],
    keep: str | None,
) -> bool:
    """Lay the columns out again for the screen's width (narrow, wide), with ``refill`` adding the
    rows already loaded and the cursor kept on row ``keep``; returns whether narrow."""
    with screen.app.batch_update():
        table.clear(columns=True)
        is_narrow = lay_out_columns(table, screen.app.size.width, *columns)
        refill()
        if keep is not None and keep in table.rows:
            table.move_cursor(row=table.get_row_index(keep))
    return is_narrow
