"""Where the database is: --db, then COLLECTOR_DB, then the config file, then the default."""

from __future__ import annotations

from pathlib import Path

import pytest

from collector_tui.config import ConfigError, config_path, default_database_path, resolve_database


def _write_config(tmp_path: Path, body: str) -> dict[str, str]:
    path = tmp_path / "config.toml"
    path.write_text(body, encoding="utf-8")
    return {"COLLECTOR_CONFIG": str(path)}


def test_flag_beats_environment_and_config(tmp_path: Path) -> None:
    env = _write_config(tmp_path, '[database]\nurl = "sqlite:////from/config.db"\n')
    env["COLLECTOR_DB"] = str(tmp_path / "env.db")
    setting = resolve_database(str(tmp_path / "flag.db"), env)
    assert setting.url == f"sqlite:///{tmp_path / 'flag.db'}"
    assert setting.source == "--db"


def test_environment_beats_config(tmp_path: Path) -> None:
    env = _write_config(tmp_path, '[database]\nurl = "sqlite:////from/config.db"\n')
    env["COLLECTOR_DB"] = "postgresql+psycopg://collector@localhost/office"
    setting = resolve_database(None, env)
    assert setting.url == "postgresql+psycopg://collector@localhost/office"
    assert setting.source == "COLLECTOR_DB"


def test_config_file_beats_default(tmp_path: Path) -> None:
    env = _write_config(tmp_path, '[database]\npath = "data/office.db"\n')
    setting = resolve_database(None, env)
    # A relative path in the file is relative to the file.
    assert setting.url == f"sqlite:///{(tmp_path / 'data' / 'office.db').resolve()}"
    assert setting.source.startswith("config file")


def test_default_is_in_the_user_data_folder(tmp_path: Path) -> None:
    setting = resolve_database(None, {"COLLECTOR_CONFIG": str(tmp_path / "absent.toml")})
    assert setting.source == "default"
    assert setting.url == f"sqlite:///{default_database_path().resolve()}"
    assert "collector-tui" in setting.url


def test_default_config_path_follows_xdg(tmp_path: Path) -> None:
    assert config_path({}).parent.name == "collector-tui"


def test_relative_flag_path_becomes_absolute(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert resolve_database("office.db", {}).url == f"sqlite:///{tmp_path / 'office.db'}"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("[database\nurl=", "not valid TOML"),
        ('database = "x"\n', "must be a table"),
        ('[database]\nurl = "a"\npath = "b"\n', "not both"),
        ("[database]\nurl = 5\n", "non-empty string"),
    ],
)
def test_bad_config_names_the_file(tmp_path: Path, body: str, message: str) -> None:
    env = _write_config(tmp_path, body)
    with pytest.raises(ConfigError, match=message) as error:
        resolve_database(None, env)
    assert str(tmp_path / "config.toml") in str(error.value)
