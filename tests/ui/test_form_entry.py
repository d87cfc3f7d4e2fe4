"""Pilot tests of typing into the workspace's forms as a collector does: searching a choice by
typing on it, a burst of keys (tmux, a macro tool) landing in the right fields, each problem
under its own field with the focus on it, and every choice labelled."""

from __future__ import annotations

from textual.widget import Widget
from textual.widgets import HelpPanel, Label, Select, Static, TextArea
from textual.widgets._footer import FooterKey

from collector_tui.screens.account_panel import AccountPanel
from collector_tui.screens.app import CollectorApp
from collector_tui.screens.consumer_requests import ConsumerRequestForm
from collector_tui.screens.forms import ActionForm, SearchOverlay
from collector_tui.screens.queue import QueueScreen
from collector_tui.screens.workspace_forms import FORMS, ContactForm, HoldForm
from collector_tui.services.database import Database
from tests.conftest import NOW
from tests.ui.test_app import make_app, plain, settle
from tests.ui.test_workspace import _last_activity, _open_next, _problems

SMALL = (80, 24)


async def test_typing_on_the_disposition_filters_at_once(office: Database) -> None:
    app = make_app(office)
    async with app.run_test(size=SMALL) as pilot:
        await _open_next(pilot, app)
        await pilot.press("c")
        await settle(pilot, lambda: isinstance(app.screen, ContactForm))
        codes = app.screen.query_one("#disposition", Select)
        codes.focus()
        await pilot.pause()
        await pilot.press("N", "A")  # no Enter first: the list opens, filtered
        assert codes.expanded
        overlay = codes.query_one(SearchOverlay)
        highlighted = overlay.highlighted_option
        assert highlighted is not None and str(highlighted.prompt).startswith("NA ")
        dimmed = [o for o in overlay.options if o.disabled]
        assert dimmed and all("na" not in str(o.prompt).lower() for o in dimmed)
        await pilot.press("enter")
        assert codes.value == "NA" and not codes.expanded


async def test_a_burst_of_keys_lands_in_the_right_fields(office: Database) -> None:
    app = make_app(office)
    async with app.run_test(size=SMALL) as pilot:
        panel = await _open_next(pilot, app)
        keys = ["c", "tab", "tab", "tab", *"NA", "enter", "tab", *"rang out, left no message"]
        await pilot.press(*keys)
        form = app.screen
        assert isinstance(form, ContactForm)
        values = form.values()
        assert values["disposition"] == "NA"
        assert values["note"] == "rang out, left no message"
        assert values["direction"] == "out" and values["party"] == "none"
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: isinstance(app.screen, AccountPanel))
        row = _last_activity(office, panel.account_id)
        assert row is not None and row.outcome_code == "NA" and row.note == "rang out, left no message"


async def test_each_problem_shows_under_its_field_and_takes_the_focus(office: Database) -> None:
    app = make_app(office)
    async with app.run_test(size=SMALL) as pilot:
        await _open_next(pilot, app)
        await pilot.press("P", *"5", "tab", "ctrl+s")  # a promise of $5, no date
        await settle(pilot, lambda: "✗" in _problems(app))
        form = app.screen
        assert isinstance(form, ActionForm)
        errors = list(form.query(".field-error").results(Static))
        assert errors, "no problem was shown under a field"

        def above(error: Static) -> Widget:
            siblings = list(error.parent.children) if error.parent is not None else []
            return siblings[siblings.index(error) - 1]

        assert all(above(error).has_class("-problem") for error in errors)
        first = above(errors[0])
        assert form.focused is first
        assert first.region.height and form.query_one("#form").region.contains_region(first.region)
        assert plain(errors[0]).strip().startswith("✗")


async def test_the_hold_note_takes_several_lines(office: Database) -> None:
    app = make_app(office)
    async with app.run_test(size=SMALL) as pilot:
        await _open_next(pilot, app)
        await pilot.press("h", *"Dis", "enter", "tab", *"ora", "enter", "tab")
        await pilot.press(*"says the bill was paid", "enter", *"by their insurer in May")
        form = app.screen
        assert isinstance(form, HoldForm)
        note = form.query_one("#note", TextArea)
        assert note.text == "says the bill was paid\nby their insurer in May"
        assert form.values()["reason"] == "dispute" and form.values()["received"] == "oral"


async def test_every_choice_in_every_form_has_a_label(office: Database) -> None:
    app: CollectorApp = make_app(office)
    async with app.run_test(size=(120, 40)) as pilot:
        panel = await _open_next(pilot, app)
        assert panel.detail is not None
        kinds: list[type[ActionForm]] = [*FORMS.values(), ConsumerRequestForm]
        for form_type in kinds:
            form = form_type(panel.detail)
            await app.push_screen(form)
            await pilot.pause()
            for select in form.query(Select):
                siblings = list(select.parent.children) if select.parent is not None else []
                before = siblings[siblings.index(select) - 1] if siblings.index(select) else None
                assert isinstance(before, Label), f"{form_type.__name__} #{select.id} has no label"
            app.pop_screen()
            await pilot.pause()


async def test_the_footer_at_80_columns_starts_with_a_keys_hint_that_lists_every_key(
    office: Database,
) -> None:
    app = make_app(office)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot, lambda: isinstance(app.screen, QueueScreen) and app.screen._loaded_once)
        for screen_keys in ("queue", "account"):
            if screen_keys == "account":
                await _open_next(pilot, app)
            await pilot.pause()
            first = app.screen.query(FooterKey).first()
            assert (first.key_display, first.description) == ("?", "keys")
            assert first.region.right <= SMALL[0]
            await pilot.press("question_mark")
            await settle(pilot, lambda: bool(app.screen.query(HelpPanel)))
            await pilot.press("question_mark")
            await settle(pilot, lambda: not app.screen.query(HelpPanel))


async def test_the_phones_pane_says_each_block_in_one_line(office: Database) -> None:
    app = make_app(office)
    app.clock = lambda: NOW.replace(hour=4)  # night everywhere: every number is outside its window
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, lambda: isinstance(app.screen, QueueScreen) and app.screen._loaded_once)
        await pilot.press("s", "enter")
        await settle(pilot, lambda: isinstance(app.screen, AccountPanel) and app.screen.detail is not None)
        panel = app.screen
        assert isinstance(panel, AccountPanel) and panel.detail is not None
        pane = panel.query_one("#phones")
        body = pane.query_one("#phones-body")
        lines = [line.text.rstrip() for line in body.render_lines(body.region.reset_offset)]
        rows = [line for line in lines if "(" in line and ")" in line and "Number" not in line]
        assert len(rows) == len(panel.detail.phones)
        assert all("✗ window" in row or "✗" in row for row in rows), rows
        assert not any("lifts" in row for row in lines)
        pane.focus()
        await pilot.press("f1")
        await settle(pilot, lambda: bool(panel.query(HelpPanel)))
        assert "outside 08:00-21:00" in str(type(pane).HELP)
