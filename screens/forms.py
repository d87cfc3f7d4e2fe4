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
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Checkbox, Input, Label, Select, Static, TextArea
from textual.widgets._select import SelectCurrent, SelectOverlay

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


class SearchOverlay(SelectOverlay):
    """A Select's list that filters as the collector types: the options that do not contain what
    was typed are dimmed and skipped, the first that does is highlighted, Backspace takes a letter
    back. What was typed holds until the list closes (no timer: a slow typist is not reset)."""

    def __init__(self, type_to_search: bool = True) -> None:
        super().__init__(type_to_search=type_to_search)
        self._search_reset_delay = 24 * 3600.0

    def watch_has_focus(self, value: bool) -> None:
        query = self._search_query  # typed on the closed Select, before the list took the focus
        super().watch_has_focus(value)
        if value:
            self._search_query = query
        else:
            self.search("")

    def search(self, query: str) -> bool:
        """Filter to the options containing ``query``; False (and nothing changed) if none does."""
        index = self._find_search_match(query) if query else None
        if query and index is None:
            return False
        self._search_query = query
        needle = query.lower()
        for position, option in enumerate(self._options):
            prompt = option.prompt
            words = prompt.plain if isinstance(prompt, Text) else str(prompt)
            if needle in words.lower():
                self.enable_option_at_index(position)
            else:
                self.disable_option_at_index(position)
        if index is not None:
            self.select(index)
        return True

    def type_key(self, event: events.Key) -> bool:
        """Handle a letter or Backspace; True if it was one."""
        if event.key == "backspace" and self._search_query:
            self.search(self._search_query[:-1])
        elif event.character is not None and event.is_printable:
            if not self.search(self._search_query + event.character):
                self.app.bell()
        else:
            return False
        event.stop()
        event.prevent_default()
        return True

    async def _on_key(self, event: events.Key) -> None:
        if self._type_to_search:
            self.type_key(event)


class SearchSelect(Select[str]):
    """A Select that searches as soon as a letter is typed on it: the list opens, filtered to what
    was typed, the first match highlighted; Enter picks it. Every form's choices are one of these."""

    def compose(self) -> ComposeResult:
        yield SelectCurrent(self.prompt)
        yield SearchOverlay(type_to_search=self._type_to_search).data_bind(compact=Select.compact)

    def _overlay(self) -> SearchOverlay:
        return self.query_one(SearchOverlay)

    async def _on_key(self, event: events.Key) -> None:
        # A letter on the closed Select (or on the Select just opened, the list not yet focused:
        # a burst of keys) is the search's.
        if event.character is not None and event.is_printable and not event.character.isspace():
            if not self.expanded:
                self.action_show_overlay()
            self._overlay().type_key(event)
        elif self.expanded and event.key == "backspace":
            self._overlay().type_key(event)

    def check_consume_key(self, key: str, character: str | None = None) -> bool:
        return character is not None and character.isprintable() and not character.isspace()


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


def form_values(inputs: list[Widget]) -> dict[str, str]:
    """What a form's inputs hold, by widget id, as text (a blank choice and an unticked box: "")."""
    found: dict[str, str] = {}
    for widget in inputs:
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


def show_field_problems(
    form: Widget,
    inputs: list[Widget],
    problems: list[tuple[str, str]],
    field_widgets: dict[str, tuple[str, ...]],
) -> None:
    """Each problem under its own field (and all of them in ``#form-problems``), the focus on the
    first field in error so the person sees it and types the fix at once. ``field_widgets`` names
    the widgets a service's problem field is about, when not the widget of that id."""
    for widget in inputs:
        widget.remove_class("-problem")
    form.query(".field-error").remove()
    lines = []
    in_error: list[Widget] = []
    for field, problem in problems:
        widgets = [
            widget
            for name in field_widgets.get(field, (field,) if field else ())
            for widget in form.query(f"#{name}")
        ]
        for widget in widgets:
            widget.add_class("-problem")
        if widgets:
            _show_under(widgets[-1], problem)
            in_error.extend(widgets)
        lines.append(f"✗ {field.replace('_', ' ')}: {problem}" if field else f"✗ {problem}")
    # As text, not markup: a rule's id in brackets ("[cease]") is part of the reason.
    form.query_one("#form-problems", Static).update(Text("\n".join(lines)))
    shown = [widget for widget in inputs if widget in in_error and widget.display]
    if shown:
        shown[0].focus()


def _show_under(widget: Widget, problem: str) -> None:
    """The problem on the line under ``widget`` (under its row, when it sits in one)."""
    anchor = widget
    while isinstance(anchor.parent, Horizontal):
        anchor = anchor.parent
    parent = anchor.parent
    if isinstance(parent, Widget):
        parent.mount(Static(Text(f"✗ {problem}"), classes="field-error"), after=anchor)


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
        """The form's own fields (each form defines them; the base has none)."""
        raise NotImplementedError

    def submit(self, values: dict[str, str], version: int) -> ActionResult:
        """Run the service with the form's values (in a worker thread)."""
        raise NotImplementedError

    # -- values and drafts --------------------------------------------------------------------

    def _inputs(self) -> list[Widget]:
        return [w for w in self.query("Input, Select, TextArea, Checkbox") if w.id]

    def values(self) -> dict[str, str]:
        return form_values(self._inputs())

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
            fresh = account_detail(app.db, app.actor, self.detail.id, now=app.clock(), opening=False)
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
        show_field_problems(self, self._inputs(), message.problems, self.FIELD_WIDGETS)

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
