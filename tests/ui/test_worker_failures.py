"""A database error in a worker is a one-line notice: the workstation stays open, nothing typed
is lost, and no patient data reaches the screen."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy.exc import OperationalError
from textual.pilot import Pilot
from textual.widgets import TextArea

import collector_tui.screens.account_panel as account_panel
from collector_tui.screens.queue import QueueScreen
from collector_tui.screens.workspace_forms import NoteForm
from collector_tui.services.database import Database
from tests.ui.test_app import SIZE, make_app, settle
from tests.ui.test_workspace import _open_next


async def _until(pilot: Pilot[None], condition: Callable[[], bool]) -> None:
    """Wait for ``condition`` without waiting on workers (a failed one would raise there)."""
    for _ in range(200):
        await pilot.pause(0.02)
        if condition():
            return
    raise AssertionError("the UI did not reach the expected state")


def _locked(*_args: object, **_kwargs: object) -> None:
    # What SQLAlchemy raises when the write lock is held too long; its statement quotes PHI.
    raise OperationalError("UPDATE guarantor SET last_name='Doe'", {}, Exception("database is locked"))


async def test_a_failed_claim_heartbeat_is_a_notice_and_keeps_what_is_typed(
    office: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(office)
    async with app.run_test(size=SIZE) as pilot:
        panel = await _open_next(pilot, app)
        await pilot.press("m")
        await settle(pilot, lambda: isinstance(app.screen, NoteForm))
        await pilot.press(*"Called back about the bill")
        monkeypatch.setattr(account_panel, "claim", _locked)

        panel._renew_claim()  # what the heartbeat timer does
        await _until(pilot, lambda: bool(app._notifications))

        assert app.is_running and app.return_code is None
        assert isinstance(app.screen, NoteForm)
        assert "Called back about the bill" in app.screen.query_one("#note", TextArea).text
        messages = [notice.message for notice in app._notifications]
        assert any("the database is busy" in message for message in messages), messages
        assert not any("Doe" in message for message in messages)


async def test_a_failed_release_on_leaving_is_a_notice(
    office: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(office)
    async with app.run_test(size=SIZE) as pilot:
        panel = await _open_next(pilot, app)
        monkeypatch.setattr(account_panel, "release", _locked)
        panel._leave()
        await _until(pilot, lambda: bool(app._notifications))
        assert app.is_running and isinstance(app.screen, QueueScreen)
        assert any("release the account" in notice.message for notice in app._notifications)


async def test_a_crash_prints_one_line_without_the_traceback_or_its_message(
    office: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(office)
    printed: list[str] = []
    print_them = app._print_error_renderables

    def capture() -> None:
        printed.extend(str(item) for item in app._exit_renderables)
        print_them()

    monkeypatch.setattr(app, "_print_error_renderables", capture)

    async def crash() -> None:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot, lambda: isinstance(app.screen, QueueScreen) and app.screen._loaded_once)
            app._handle_exception(ValueError("Jane Doe, born 1980-04-12"))
            await pilot.pause()

    with pytest.raises(ValueError):  # the test harness re-raises what stopped the app
        await crash()
    assert len(printed) == 1, printed
    assert printed[0].startswith("collector-tui stopped:") and "(ValueError)" in printed[0]
    assert "Jane" not in printed[0] and "Traceback" not in printed[0]
    assert app.return_code == 1


async def test_a_notice_is_plain_text(office: Database) -> None:
    app = make_app(office)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: isinstance(app.screen, QueueScreen) and app.screen._loaded_once)
        app.notify("user 'x[/y]' has been deactivated")
        await pilot.pause()
        assert app.is_running
        [notice] = list(app._notifications)
        assert notice.message == "user 'x[/y]' has been deactivated" and not notice.markup
