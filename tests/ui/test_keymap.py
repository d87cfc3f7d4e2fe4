"""The config file's ``[keys]``: a binding id given other keys works at once, and a table that cannot
be used is one line naming the key, exit 1, before the workstation opens."""

from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path

import pytest
from textual.binding import Binding
from textual.dom import DOMNode
from typer.testing import CliRunner

import collector_tui.screens
from collector_tui.cli.main import app as cli
from collector_tui.config import ConfigError, read_keymap
from collector_tui.screens.account_panel import AccountPanel
from collector_tui.screens.app import KEYED, CollectorApp, binding_screens
from collector_tui.screens.keymap import normal_key
from collector_tui.screens.queue import QueueScreen
from collector_tui.services.database import Database
from tests.ui.test_app import SIZE, make_app, settle

README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The user's config file (empty until a test writes it)."""
    path = tmp_path / "config.toml"
    monkeypatch.setenv("COLLECTOR_CONFIG", str(path))
    return path


async def test_a_remapped_key_works_and_the_old_key_no_longer_does(office: Database, config: Path) -> None:
    config.write_text('[keys]\n"queue.next" = "ctrl+n"\n', encoding="utf-8")
    app = make_app(office)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: isinstance(app.screen, QueueScreen) and app.screen._loaded_once)
        queue = app.screen
        await pilot.press("n")  # the key it had: nothing is claimed, nothing opens
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.screen is queue and not app._notifications
        shown = {a.binding.id: a.binding.key for a in app.active_bindings.values() if a.binding.id}
        assert shown["queue.next"] == "ctrl+n"  # and the footer says so
        await pilot.press("ctrl+n")
        await settle(pilot, lambda: isinstance(app.screen, AccountPanel) and app.screen.detail is not None)
        # Another binding's key is its own: in the workspace n is still "disposition and next".
        assert any(b.key == "n" and b.id == "account.next" for b in _active(app))


def _active(app: CollectorApp) -> list[Binding]:
    return [a.binding for a in app.active_bindings.values() if a.enabled]


def test_keys_are_named_as_textual_names_them(config: Path) -> None:
    config.write_text(
        '[keys]\nqueue.filter = "?"\n"form.save" = "Ctrl+S, F2"\n"queue.next" = "s"\n"queue.section" = "n"\n',
        encoding="utf-8",
    )
    # An unquoted id is a TOML table; it is read as the id. Two bindings may swap their keys.
    assert read_keymap(binding_screens(), normal_key) == {
        "queue.filter": "question_mark",
        "form.save": "ctrl+s,f2",
        "queue.next": "s",
        "queue.section": "n",
    }


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (
            '[keys]\n"queue.nxt" = "ctrl+n"\n',
            r'keys\."queue\.nxt" is not a binding id: did you mean queue\.next',
        ),
        ('[keys]\n"queue.next" = 5\n', r'keys\."queue\.next" must be a key or keys'),
        ('[keys]\n"queue.next" = ""\n', r'keys\."queue\.next" must be a key or keys'),
        ('[keys]\n"queue.next" = "ctrl+nn"\n', r'keys\."queue\.next" must be a key or keys'),
        ('[keys]\n"queue.next" = "ctrl+ctrl+n"\n', r'keys\."queue\.next" must be a key or keys'),
        ('[keys]\n"queue.next" = "n,,f5"\n', r'keys\."queue\.next" must be a key or keys'),
        (
            '[keys]\n"queue.next" = "s"\n',
            r'keys\."queue\.next" = "s": s is already "queue\.section" on the same',
        ),
        (
            '[keys]\n"form.save" = "tab"\n',
            r"keys\.\"form\.save\" = \"tab\": tab is already Textual's app\.focus_next",
        ),
        ('keys = "n"\n', r"\[keys\] must be a table"),
    ],
)
def test_a_table_that_cannot_be_used_names_the_key(
    config: Path, demo_db: Database, body: str, problem: str
) -> None:
    config.write_text(body, encoding="utf-8")
    with pytest.raises(ConfigError, match=problem) as refused:
        make_app(demo_db)  # before anything opens
    assert str(config) in str(refused.value)


def test_the_workstation_exits_1_with_the_config_error(config: Path, office_path: Path) -> None:
    config.write_text('[keys]\n"queue.nxt" = "ctrl+n"\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["--db", str(office_path), "--as", "mlopez"])
    assert result.exit_code == 1
    assert 'keys."queue.nxt" is not a binding id' in result.output
    assert "Traceback" not in result.output


def test_every_key_a_collector_presses_has_an_id_the_keymap_knows() -> None:
    """Every binding of every class in screens/ has an id, one per action in its class, and every
    class that binds keys is one of the App's KEYED, a subclass of one (its keys are that one's) or a
    base of one (CollectorModal), so [keys] checks every id."""
    package = collector_tui.screens
    for module in pkgutil.iter_modules(package.__path__, f"{package.__name__}."):
        importlib.import_module(module.name)
    ours = [
        cls
        for cls in _subclasses(DOMNode)
        if cls.__module__.startswith("collector_tui.screens.") and "BINDINGS" in cls.__dict__
    ]
    assert ours
    for cls in ours:
        bindings = list(Binding.make_bindings(cls.__dict__["BINDINGS"]))
        assert all(b.id for b in bindings), cls
        assert len({b.id for b in bindings}) == len({(b.id, b.action) for b in bindings}), cls
        assert any(issubclass(cls, keyed) or issubclass(keyed, cls) for keyed in KEYED), cls


def _subclasses(cls: type) -> set[type]:
    found: set[type] = set(cls.__subclasses__())
    for sub in list(found):
        found |= _subclasses(sub)
    return found


def test_the_readmes_example_is_a_keymap_the_workstation_takes(config: Path) -> None:
    text = README.read_text(encoding="utf-8")
    blocks = [b for b in re.findall(r"```toml\n(.*?)```", text, flags=re.S) if "[keys]" in b]
    assert blocks, "the README shows a [keys] example"
    config.write_text(blocks[0], encoding="utf-8")
    assert read_keymap(binding_screens(), normal_key)
