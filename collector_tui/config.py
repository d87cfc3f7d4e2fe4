"""Where the database is: ``--db``, then ``COLLECTOR_DB``, then the config file, then a default;
and the user's own keys.

The config file is TOML (``COLLECTOR_CONFIG`` or the user's config folder)::

    [database]
    url = "postgresql+psycopg://collector@db.office.local/collections"
    # or: path = "/srv/collector/office.db"

    [keys]                  # binding id = the key(s) that press it instead of its own
    "queue.next" = "ctrl+n"
    "form.save" = "ctrl+s,f2"

    [letters]               # the office's own letter templates (a file there replaces the shipped one)
    templates = "/srv/collector/letters"
"""

from __future__ import annotations

import difflib
import os
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import platformdirs

from collector_tui.services.errors import ServiceError

APP_NAME = "collector-tui"
ENV_DB = "COLLECTOR_DB"
ENV_CONFIG = "COLLECTOR_CONFIG"
ENV_LOG = "COLLECTOR_LOG"


class ConfigError(ServiceError):
    """The configuration cannot be used; the message names the file and key."""


@dataclass(frozen=True)
class DatabaseSetting:
    url: str
    source: str  # where it came from, for `collector db current`


def data_dir() -> Path:
    return platformdirs.user_data_path(APP_NAME)


def config_path(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    override = env.get(ENV_CONFIG)
    if override:
        return Path(override).expanduser()
    return platformdirs.user_config_path(APP_NAME) / "config.toml"


def default_database_path() -> Path:
    return data_dir() / "collector.db"


def default_demo_path() -> Path:
    return data_dir() / "demo.db"


def to_url(value: str) -> str:
    """A SQLAlchemy URL as is; anything else is a SQLite file path."""
    if "://" in value:
        return value
    try:
        return f"sqlite:///{Path(value).expanduser().resolve()}"
    except (OSError, RuntimeError) as exc:  # RuntimeError: a symlink loop
        raise ConfigError(f"the database path cannot be resolved ({exc.__class__.__name__})") from None


def _from_config_file(path: Path) -> str | None:
    if not path.exists():
        return None
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from None
    section = data.get("database", {})
    if not isinstance(section, dict):
        raise ConfigError(f"{path}: [database] must be a table")
    url, file = section.get("url"), section.get("path")
    if url is not None and file is not None:
        raise ConfigError(f"{path}: set database.url or database.path, not both")
    value = url if url is not None else file
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        raise ConfigError(
            f"{path}: database.{'url' if url is not None else 'path'} must be a non-empty string"
        )
    if url is None:
        # A relative path in the config file is relative to the file, not to the cwd.
        value = str((path.parent / Path(value).expanduser()).resolve())
    return to_url(value)


def resolve_database(cli_value: str | None, env: Mapping[str, str] | None = None) -> DatabaseSetting:
    """The database to use, by precedence: flag, environment, config file, default."""
    env = os.environ if env is None else env
    if cli_value:
        return DatabaseSetting(to_url(cli_value), "--db")
    if env.get(ENV_DB):
        return DatabaseSetting(to_url(env[ENV_DB]), ENV_DB)
    path = config_path(env)
    from_file = _from_config_file(path)
    if from_file is not None:
        return DatabaseSetting(from_file, f"config file {path}")
    return DatabaseSetting(to_url(str(default_database_path())), "default")


def _config_file_data(path: Path) -> dict[str, Any] | None:
    """The config file's settings; None when there is no such file."""
    if not path.is_file():
        return None
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from None


def log_path(env: Mapping[str, str] | None = None) -> Path | None:
    """The operator's log file for failures' detail (no PHI): ``COLLECTOR_LOG``, then the config
    file's ``[log] file`` (relative to the config file); None when neither is set."""
    env = os.environ if env is None else env
    if env.get(ENV_LOG):
        return Path(env[ENV_LOG]).expanduser()
    path = config_path(env)
    data = _config_file_data(path)
    if data is None:
        return None
    section = data.get("log", {})
    value = section.get("file") if isinstance(section, dict) else None
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        raise ConfigError(f"{path}: log.file must be a file path")
    return (path.parent / Path(value).expanduser()).resolve()


def letters_template_folder(env: Mapping[str, str] | None = None) -> Path | None:
    """The office's folder of letter templates (the config file's ``[letters] templates``, relative
    to the config file); None when not set. A template there with a shipped template's file name
    (``validation_notice.en.typ``) is rendered instead of it, so an office's lawyer may reword a
    letter without a release; the folder must exist, or the setting is refused rather than the
    shipped wording silently used."""
    path = config_path(os.environ if env is None else env)
    data = _config_file_data(path)
    if data is None:
        return None
    section = data.get("letters", {})
    if not isinstance(section, dict):
        raise ConfigError(f"{path}: [letters] must be a table")
    value = section.get("templates")
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        raise ConfigError(f"{path}: letters.templates must be a folder path")
    folder = (path.parent / Path(value).expanduser()).resolve()
    if not folder.is_dir():
        raise ConfigError(f"{path}: letters.templates is not a folder ({folder})")
    return folder


# Earlier versions read an office's policy override from these; they are refused now, loudly: an
# office that kept a stricter policy there must not silently fall back to the shipped one.
RETIRED_POLICY_VARIABLES = (
    "COLLECTOR_COMPLIANCE_POLICY",
    "COLLECTOR_PRIORITY_POLICY",
    "COLLECTOR_WORKSPACE_POLICY",
    "COLLECTOR_PLAN_POLICY",
)
RETIRED_POLICY_SECTIONS = ("compliance", "priority", "workspace", "plans")


def retired_policy_setting(env: Mapping[str, str] | None = None) -> str | None:
    """The first retired policy setting still present (an environment variable or a config-file
    ``[kind] policy`` key), named with how to move it into the database; None when there is none."""
    env = os.environ if env is None else env
    kinds = dict(zip(RETIRED_POLICY_VARIABLES, RETIRED_POLICY_SECTIONS, strict=True))
    for name, kind in kinds.items():
        if env.get(name):
            return f"{name} is no longer read: {_MOVE.format(kind=kind)}; unset it"
    path = config_path(env)
    data = _config_file_data(path)
    if data is None:
        return None
    for kind in RETIRED_POLICY_SECTIONS:
        section = data.get(kind)
        if isinstance(section, dict) and "policy" in section:
            return f"{path}: [{kind}] policy is no longer read: {_MOVE.format(kind=kind)}; remove the key"
    return None


_MOVE = "the office's policies are stored in the database (an admin runs `collector policy set {kind} FILE`)"


# -- the user's keys ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BoundKey:
    """One key one screen (or widget, or the app) binds, for checking ``[keys]`` against."""

    id: str | None  # the binding's id; None: Textual's own binding, which ``[keys]`` cannot move
    key: str  # as Textual names it: "n", "ctrl+s", "question_mark"
    action: str


def read_keymap(
    screens: Iterable[Iterable[BoundKey]],
    normal_key: Callable[[str], str | None],
    env: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The config file's ``[keys]`` table: binding id -> its keys (comma-separated), checked.

    ``screens`` lists, per screen, widget or app, the keys it binds; ``normal_key`` names a key as
    the UI does (None: no such key). Refused, naming the file and the key: an id no binding has, a
    value that is not a key or a list of keys, and a key another binding of the same screen keeps
    (a binding given the key of one that is also moved is no clash). No file, or no ``[keys]``: {}.
    """
    env = os.environ if env is None else env
    path = config_path(env)
    data = _config_file_data(path)
    if data is None or "keys" not in data:
        return {}
    table = data["keys"]
    if not isinstance(table, dict):
        raise ConfigError(f'{path}: [keys] must be a table of binding ids and keys ("queue.next" = "ctrl+n")')
    bound = [list(keys) for keys in screens]
    known = sorted({b.id for keys in bound for b in keys if b.id is not None})
    keymap: dict[str, str] = {}
    for binding_id, value in _dotted(table).items():
        name = f'keys."{binding_id}"'
        if binding_id not in known:
            near = difflib.get_close_matches(binding_id, known, n=3)
            hint = f"did you mean {', '.join(near)}?" if near else f"the ids are {', '.join(known)}"
            raise ConfigError(f"{path}: {name} is not a binding id: {hint}")
        parts = value.split(",") if isinstance(value, str) else []
        keys = [normal_key(part) for part in parts]
        if not parts or None in keys:
            raise ConfigError(
                f'{path}: {name} must be a key or keys, e.g. "ctrl+n", "f5" or "ctrl+n,f5" '
                "(modifiers ctrl, shift, alt; names such as enter, escape, pageup, slash)"
            )
        keymap[binding_id] = ",".join(dict.fromkeys(key for key in keys if key is not None))
    for screen in bound:
        _refuse_clashes(path, keymap, screen)
    return keymap


def _dotted(table: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """``queue.next = "n"`` unquoted is a table in TOML (``{"queue": {"next": "n"}}``): the id again."""
    flat: dict[str, Any] = {}
    for key, value in table.items():
        if isinstance(value, dict):
            flat.update(_dotted(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def _refuse_clashes(path: Path, keymap: Mapping[str, str], bound: list[BoundKey]) -> None:
    """Two bindings of one screen pressed by one key once ``keymap`` moved some: the moved one is named
    (a clash the screen has without ``keymap`` is the screen's, and not the user's to fix)."""
    holder: dict[str, BoundKey] = {}
    for binding in bound:
        keys = keymap[binding.id].split(",") if binding.id in keymap and binding.id else [binding.key]
        for key in keys:
            other = holder.setdefault(key, binding)
            if other is binding or (other.id is not None and other.id == binding.id):
                continue
            mover, kept = (binding, other) if binding.id in keymap else (other, binding)
            if mover.id is None or mover.id not in keymap:
                continue
            what = f'"{kept.id}"' if kept.id else f"Textual's {kept.action}"
            raise ConfigError(
                f'{path}: keys."{mover.id}" = "{keymap[mover.id]}": {key} is already {what} on the same '
                "screen; choose another key, or move that binding too"
            )
