"""SVG snapshots of the key screens at 120x40 and 80x24 (pytest-textual-snapshot).

Regenerate after an intended change of the picture, then look at every changed SVG:

    .venv/bin/pytest tests/ui/test_snapshots.py --snapshot-update

What keeps a picture the same from run to run:

- the demo office is built from a fixed seed at the fixed ``NOW`` and the app's clock is ``NOW``
  (``make_app``); each test works on ``office``, its own copy of the shared demo file, which is
  read-only and checked unchanged at the end of the run (``tests/conftest.py``), so no other
  test's claims are in it (with the clock fixed a claim never expires, and ``n`` would open
  another account depending on which tests ran first);
- animations are off on the app itself (``TEXTUAL_ANIMATIONS`` is read when Textual is imported,
  before the conftest fixture sets it);
- ``run_before`` waits until every worker has finished and the screen shows what it loaded, then
  removes any notification and pauses the timers of every screen: the queue's 30 s background
  refresh and the workspace's claim heartbeat cannot fire before the screenshot is taken;
- nothing hovers, and the form opens with a Select focused (no blinking text cursor).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from pytest_textual_snapshot import SVGImageExtension
from textual.pilot import Pilot

from collector_tui.screens.account_panel import AccountPanel
from collector_tui.screens.app import CollectorApp
from collector_tui.screens.queue import QueueScreen
from collector_tui.screens.workspace_forms import ContactForm
from collector_tui.services.database import Database
from collector_tui.services.worklists.queue import SECTIONS
from tests.ui.test_app import make_app, settle

# pytest-textual-snapshot 1.0.0 names the file extension the way syrupy 4 did (``_file_extension``);
# syrupy 5+ reads ``file_extension``. Without this the snapshots would be stored as ``.raw``.
SVGImageExtension.file_extension = "svg"

SIZES = [pytest.param((120, 40), id="120x40"), pytest.param((80, 24), id="80x24")]

SnapCompare = Callable[..., bool]
RunBefore = Callable[[Pilot[None]], Awaitable[None]]


def _app(db: Database) -> CollectorApp:
    app = make_app(db)  # acting as the demo collector mlopez, clock fixed at NOW
    app.animation_level = "none"
    return app


def _collector_app(pilot: Pilot[None]) -> CollectorApp:
    app = pilot.app
    assert isinstance(app, CollectorApp)
    return app


async def _queue_loaded(pilot: Pilot[None]) -> None:
    """The call-now section's first page and every section's total are shown."""
    app = _collector_app(pilot)

    def loaded() -> bool:
        screen = app.screen
        return (
            isinstance(screen, QueueScreen)
            and screen._loaded_once
            and not screen._loading
            and set(screen.totals) == set(SECTIONS)
        )

    await settle(pilot, loaded)


async def _account_loaded(pilot: Pilot[None]) -> None:
    """``n`` claimed the top account and its workspace shows it."""
    app = _collector_app(pilot)
    await _queue_loaded(pilot)
    await pilot.press("n")
    await settle(pilot, lambda: isinstance(app.screen, AccountPanel) and app.screen.detail is not None)


async def _contact_form_open(pilot: Pilot[None]) -> None:
    app = _collector_app(pilot)
    await _account_loaded(pilot)
    await pilot.press("c")
    await settle(pilot, lambda: isinstance(app.screen, ContactForm) and app.focused is not None)


async def _still(pilot: Pilot[None]) -> None:
    """Nothing may change the picture any more: no toast, no timer (refresh, claim heartbeat)."""
    app = pilot.app
    await app.workers.wait_for_complete()
    for screen in app.screen_stack:
        for timer in list(screen._timers):
            timer.pause()
    app.clear_notifications()
    await pilot.pause()
    assert not app._notifications
    assert all(worker.is_finished for worker in app.workers)  # no load still running


def _then_still(prepare: RunBefore) -> RunBefore:
    async def run_before(pilot: Pilot[None]) -> None:
        await prepare(pilot)
        await _still(pilot)

    return run_before


@pytest.mark.parametrize("size", SIZES)
def test_queue_call_now(snap_compare: SnapCompare, office: Database, size: tuple[int, int]) -> None:
    """The call queue of the demo collector mlopez, on the call-now section."""
    assert snap_compare(_app(office), terminal_size=size, run_before=_then_still(_queue_loaded))


@pytest.mark.parametrize("size", SIZES)
def test_account_workspace(snap_compare: SnapCompare, office: Database, size: tuple[int, int]) -> None:
    """The workspace of the top account, opened with ``n`` from the queue, after it loaded."""
    assert snap_compare(_app(office), terminal_size=size, run_before=_then_still(_account_loaded))


@pytest.mark.parametrize("size", SIZES)
def test_log_contact_form(snap_compare: SnapCompare, office: Database, size: tuple[int, int]) -> None:
    """The log-a-call-or-contact form, opened with ``c`` in the top account's workspace."""
    assert snap_compare(_app(office), terminal_size=size, run_before=_then_still(_contact_form_open))
