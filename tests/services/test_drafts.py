"""Drafts: what was typed survives a crash, privately, until it is saved."""

from __future__ import annotations

import stat

from collector_tui.services.desk.drafts import clear_draft, drafts_dir, load_draft, save_draft

URL = "sqlite:////tmp/office.db"


def test_a_draft_round_trips_and_is_private() -> None:
    save_draft(URL, 7, "note", {"note": "Guarantor will call back after payday"})
    assert load_draft(URL, 7, "note") == {"note": "Guarantor will call back after payday"}
    (path,) = drafts_dir().glob("*.json")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_drafts_are_per_database_account_and_form() -> None:
    save_draft(URL, 7, "note", {"note": "a"})
    assert load_draft(URL, 8, "note") == {}
    assert load_draft(URL, 7, "contact") == {}
    assert load_draft("sqlite:////tmp/other.db", 7, "note") == {}


def test_saving_clears_and_an_empty_form_keeps_nothing() -> None:
    save_draft(URL, 7, "note", {"note": "a"})
    clear_draft(URL, 7, "note")
    assert load_draft(URL, 7, "note") == {}
    save_draft(URL, 7, "note", {"note": "   "})
    assert not list(drafts_dir().glob("*.json"))


def test_a_damaged_draft_is_ignored() -> None:
    save_draft(URL, 7, "note", {"note": "a"})
    (path,) = drafts_dir().glob("*.json")
    path.write_text("{not json")
    assert load_draft(URL, 7, "note") == {}
