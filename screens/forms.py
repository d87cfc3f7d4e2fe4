"""The workspace's entry form: what every one-action form on an account shares.

Each form collects fields, hands them to one service call in a worker, and
shows the service's own (PHI-free) problems beside the fields. What is typed
is kept as a local draft until the save succeeds, so neither Esc nor a crash
loses it. If the account changed underneath, the form stays open with what
was typed, says what changed, and saves against the fresh version next time.

The forms themselves are in ``workspace_forms``, ``consumer_requests`` and
``plan_calculator``; each imports this module and none imports another (see
``screens/__init__.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar, ParamSpec, TypeVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Checkbox, Input, Label, Select, Static, TextArea

from collector_tui.domain.entry import EntryValueError
from collector_tui.domain.workspace_policy import looks_like_card_number
from collector_tui.screens.base import CollectorModal
from collector_tui.screens.messages import safe_error_text
from collector_tui.services.desk.account_change import ActionResult
from collector_tui.services.desk.account_changes import describe_changes
from collector_tui.services.desk.accounts import account_detail
from collector_tui.services.desk.drafts import clear_draft, load_draft, save_draft
from collector_tui.services.errors import EntryError, ServiceError, StaleAccountError
from collector_tui.services.views import AccountDetail

Reloaded = Callable[[AccountDetail], None]
P = ParamSpec("P")
T = TypeVar("T")


def entered(field: str, parse: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """What a :mod:`collector_tui.domain.entry` parser reads, its refusal an :class:`EntryError`
    about the form's ``field`` (shown beside it, as a service's problems are)."""
    try:
        return parse(*args, **kwargs)
    except EntryValueError as exc:
        raise EntryError([(field, str(exc))]) from None


class _Saved(Message):
    def __init__(self, result: ActionResult) -> None:
        super().__init__()
        self.result = result


class _Refused(Message):
    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__()
        self.problems = problems


class _Stale(Message):
    def __init__(self, fresh: AccountDetail, changes: list[str]) -> None:
        super().__init__()
        self.fresh = fresh
        self.changes = changes


class ActionForm(CollectorModal[ActionResult | None]):
    """One action on one account: Ctrl+S saves, Esc closes (what was typed is kept as a draft)."""

    FORM: ClassVar[str] = "form"
    TITLE: ClassVar[str] = ""
    # The widgets a service's problem field is about, when not the widget of that id.
    FIELD_WIDGETS: ClassVar[dict[str, tuple[str, ...]]] = {}
    CSS_PATH = "workspace_forms.tcss"
    WORKER_DOING = "save this"
    # F1 (help) comes from CollectorModal; Esc is its close, said as what a form on an account does.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save", id="form.save", tooltip="Save this entry."),
        Binding("escape", "cancel", "Close", id="form.cancel", tooltip="Close; what you typed is kept."),
    ]
    HELP = """
## Entry form

**Tab** moves between fields, **Ctrl+S** saves (or **Enter** in the last box),
**Esc** closes without saving: what you typed is kept and comes back the next
time you open this form on this account. Problems show under the fields.
"""

    def __init__(self, detail: AccountDetail, *, on_reload: Reloaded | None = None) -> None:
        super().__init__()
        self.detail = detail
        self.on_reload = on_reload
        self._restoring = False
        self._initial: dict[str, str] = {}

    def compose(self) -> ComposeResult:
        with Vertical(id="form"):
            yield Static(f"{self.TITLE} · {self.detail.account_number}", id="form-title")
            yield from self.fields()
            yield Static("", id="form-problems")
            yield Static("Ctrl+S save · Esc close (kept as a draft)", id="form-keys")

    def fields(self) -> ComposeResult:
        raise NotImplementedError

    def submit(self, values: dict[str, str], version: int) -> ActionResult:
        """Run the service with the form's values (in a worker thread)."""
        raise NotImplementedError

    # -- values and drafts --------------------------------------------------------------------

    def _inputs(self) -> list[Widget]:
        return [w for w in self.query("Input, Select, TextArea, Checkbox") if w.id]

    def values(self) -> dict[str, str]:
        found: dict[str, str] = {}
        for widget in self._inputs():
            assert widget.id is not None
            if isinstance(widget, Input):
                found[widget.id] = widget.value
            elif isinstance(widget, TextArea):
                found[widget.id] = widget.text
            elif isinstance(widget, Select):
                found[widget.id] = "" if widget.is_blank() else str(widget.value)
            elif isinstance(widget, Checkbox):
                found[widget.id] = "1" if widget.value else ""
        return found

    def _restore(self, saved: dict[str, str]) -> None:
        self._restoring = True
        for widget in self._inputs():
            value = saved.get(widget.id or "")
            if value is None:
                continue
            if isinstance(widget, Input):
                widget.value = value
            elif isinstance(widget, TextArea):
                widget.text = value
            elif isinstance(widget, Select) and value:
                options = {str(v) for _, v in widget._options}
                if value in options:
                    widget.value = value
            elif isinstance(widget, Checkbox):
                widget.value = value == "1"
        self._restoring = False

    def on_mount(self) -> None:
        """The draft back, the first field focused. Textual calls every class's ``on_mount``, a
        form's own before this one: a form's must not call ``super().on_mount()`` (the draft would be
        restored twice, and what it restored taken for the form's defaults)."""
        self._initial = self.values()
        saved = load_draft(self.collector_app.db.url, self.detail.id, self.FORM)
        if saved:
            self._restore(saved)
            self.notify("Restored what you typed before.", timeout=3)
        inputs = self._inputs()
        if inputs:
            inputs[0].focus()
        for area in self.query(TextArea):
            area.move_cursor(area.document.end)  # a restored note continues where it stopped

    @on(Input.Changed)
    @on(TextArea.Changed)
    @on(Select.Changed)
    @on(Checkbox.Changed)
    def _keep_draft(self) -> None:
        """Keep what the collector typed (not the form's defaults), never a card number."""
        if self._restoring or not self._initial:
            return
        values = self.values()
        typed = {key: value for key, value in values.items() if value != self._initial.get(key)}
        kept = {key: value for key, value in values.items() if not looks_like_card_number(value)}
        url = self.collector_app.db.url
        if typed and any(not looks_like_card_number(v) for v in typed.values()):
            save_draft(url, self.detail.id, self.FORM, kept)
        else:
            clear_draft(url, self.detail.id, self.FORM)

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.action_save()

    # -- saving --------------------------------------------------------------------------------

    def action_save(self) -> None:
        self.query_one("#form-problems", Static).update("Saving…")
        self._save(self.values(), self.detail.version)

    @work(thread=True, exclusive=True, group="form-save", exit_on_error=False)
    def _save(self, values: dict[str, str], version: int) -> None:
        app = self.collector_app
        try:
            result = self.submit(values, version)
        except StaleAccountError:
            fresh = account_detail(app.db, app.actor, self.detail.id, now=app.clock())
            self.post_message(_Stale(fresh, describe_changes(self.detail, fresh)))
        except EntryError as exc:
            self.post_message(_Refused(exc.problems))
        except ServiceError as exc:
            self.post_message(_Refused([("", str(exc))]))
        except Exception as exc:
            self.post_message(_Refused([("", safe_error_text(exc, "save this"))]))
        else:
            self.post_message(_Saved(result))

    def on__saved(self, message: _Saved) -> None:
        clear_draft(self.collector_app.db.url, self.detail.id, self.FORM)
        self.dismiss(message.result)

    def on__refused(self, message: _Refused) -> None:
        for widget in self._inputs():
            widget.remove_class("-problem")
        lines = []
        for field, problem in message.problems:
            for name in self.FIELD_WIDGETS.get(field, (field,) if field else ()):
                for widget in self.query(f"#{name}"):
                    widget.add_class("-problem")
            lines.append(f"✗ {field.replace('_', ' ')}: {problem}" if field else f"✗ {problem}")
        # As text, not markup: a rule's id in brackets ("[cease]") is part of the reason.
        self.query_one("#form-problems", Static).update(Text("\n".join(lines)))

    def on__stale(self, message: _Stale) -> None:
        self.detail = message.fresh
        if self.on_reload is not None:
            self.on_reload(message.fresh)
        changed = "; ".join(message.changes) or "it was saved by someone else"
        self.query_one("#form-problems", Static).update(
            f"⚠ Changed since you opened it: {changed}.\nYour entry is kept: check it and press Ctrl+S again."
        )


def field_label(text: str) -> Label:
    return Label(text, classes="field-label")
