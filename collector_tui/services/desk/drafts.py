"""Unsaved entries, kept on this machine until saved: a crash of the app loses nothing typed.

A draft is the fields of one open form for one account of one database, as
JSON in the user's state folder, readable by the owner only (it may hold PHI,
like the database). Saving the form deletes it; cancelling keeps it, so the
next time the form opens on that account it comes back.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import platformdirs

from collector_tui.config import APP_NAME
from collector_tui.services.files.output_files import replacing


def drafts_dir() -> Path:
    return platformdirs.user_state_path(APP_NAME) / "drafts"


def _path(database_url: str, account_id: int, form: str) -> Path:
    which = hashlib.sha256(database_url.encode()).hexdigest()[:16]
    return drafts_dir() / f"{which}-{account_id}-{form}.json"


def save_draft(database_url: str, account_id: int, form: str, fields: dict[str, str]) -> None:
    """Keep ``fields`` (written whole, then renamed into place: never half a draft)."""
    if not any(value.strip() for value in fields.values()):
        clear_draft(database_url, account_id, form)
        return
    path = _path(database_url, account_id, form)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    with replacing(path) as handle:
        json.dump(fields, handle)


def load_draft(database_url: str, account_id: int, form: str) -> dict[str, str]:
    """The kept fields, or {} (an unreadable draft is treated as none)."""
    try:
        data = json.loads(_path(database_url, account_id, form).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {str(key): str(value) for key, value in data.items()}


def clear_draft(database_url: str, account_id: int, form: str) -> None:
    _path(database_url, account_id, form).unlink(missing_ok=True)
