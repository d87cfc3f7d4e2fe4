"""The config file's ``[letters] templates``: an office's folder of letter templates."""

from __future__ import annotations

from pathlib import Path

import pytest

from collector_tui.config import ConfigError, letters_template_folder


def env_for(tmp_path: Path, text: str) -> dict[str, str]:
    config = tmp_path / "config.toml"
    config.write_text(text, encoding="utf-8")
    return {"COLLECTOR_CONFIG": str(config)}


def test_unset_is_none(tmp_path: Path) -> None:
    assert letters_template_folder({"COLLECTOR_CONFIG": str(tmp_path / "none.toml")}) is None
    assert letters_template_folder(env_for(tmp_path, "[database]\npath = 'x.db'\n")) is None


def test_a_folder_relative_to_the_config_file(tmp_path: Path) -> None:
    (tmp_path / "letters").mkdir()
    assert (
        letters_template_folder(env_for(tmp_path, "[letters]\ntemplates = 'letters'\n"))
        == (tmp_path / "letters").resolve()
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("letters = 3\n", r"\[letters\] must be a table"),
        ("[letters]\ntemplates = ''\n", "must be a folder path"),
        ("[letters]\ntemplates = 'missing'\n", "is not a folder"),
    ],
)
def test_a_setting_that_cannot_be_used_is_refused(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        letters_template_folder(env_for(tmp_path, text))
