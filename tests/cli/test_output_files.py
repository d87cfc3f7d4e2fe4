"""Nothing is lost: every file the program writes is a new private file renamed into place, never
written through a link, and never over the database, its companions or the input file."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from collector_tui.cli.main import app
from collector_tui.services.files.output_files import OutputFileError, check_target, open_in_place, replacing
from collector_tui.services.files.scratch import scratch_dir, sweep_stale
from tests.importing.helpers import counts, db_file, placements, write_rows
from tests.nightly import add_os_login

runner = CliRunner()


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _bad_rows_file(tmp_path: Path) -> Path:
    rows = placements(3)
    rows[1]["guarantor_dob"] = "not a date"  # one reject, so a reject file is written
    return write_rows(tmp_path / "placements.csv", rows)


def _import(db_url: str, file: Path, *options: str) -> Result:
    return runner.invoke(app, ["--db", str(db_file(db_url)), "import", "placements", str(file), *options])


def _refused(result: Result, words: str) -> None:
    assert result.exit_code == 1, result.output
    assert words in result.output and "Traceback" not in result.output


# ---- the import's reject file -----------------------------------------------------------------


@pytest.mark.parametrize("companion", ["", "-wal", "-shm"])
def test_rejects_naming_the_database_is_refused_and_nothing_is_written(
    db_url: str, tmp_path: Path, companion: str
) -> None:
    add_os_login(db_url)
    database = db_file(db_url)
    target = Path(f"{database}{companion}")
    target.touch()
    before, rows_before = _digest(database), counts(db_url)

    result = _import(db_url, _bad_rows_file(tmp_path), "--rejects", str(target))

    _refused(result, "refusing to write over it")
    assert _digest(database) == before and counts(db_url) == rows_before


def test_a_symlink_to_the_database_as_the_default_rejects_name_is_refused(
    db_url: str, tmp_path: Path
) -> None:
    add_os_login(db_url)
    file = _bad_rows_file(tmp_path)
    database = db_file(db_url)
    (tmp_path / "placements.csv.rejects.csv").symlink_to(database)
    before = _digest(database)

    _refused(_import(db_url, file), "is the database")
    assert _digest(database) == before and counts(db_url)["account"] == 0


def test_a_hard_link_to_the_database_is_refused(db_url: str, tmp_path: Path) -> None:
    add_os_login(db_url)
    database = db_file(db_url)
    link = tmp_path / "innocent.csv"
    os.link(database, link)
    _refused(_import(db_url, _bad_rows_file(tmp_path), "--rejects", str(link)), "refusing to write over it")


def test_rejects_naming_the_input_file_keeps_it_and_does_not_mark_it_imported(
    db_url: str, tmp_path: Path
) -> None:
    add_os_login(db_url)
    file = _bad_rows_file(tmp_path)
    before = _digest(file)

    _refused(_import(db_url, file, "--rejects", str(file)), "refusing to write over it")

    assert _digest(file) == before
    assert counts(db_url)["import_batch"] == 0
    assert _import(db_url, file).exit_code == 3  # still importable, and it imports


def test_a_symlink_elsewhere_is_replaced_not_followed(db_url: str, tmp_path: Path) -> None:
    add_os_login(db_url)
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me\n")
    file = _bad_rows_file(tmp_path)
    rejects = tmp_path / "placements.csv.rejects.csv"
    rejects.symlink_to(victim)

    assert _import(db_url, file).exit_code == 3

    assert victim.read_text() == "keep me\n"
    assert not rejects.is_symlink() and "guarantor_dob" in rejects.read_text()
    assert _mode(rejects) == 0o600


def test_a_reject_file_that_existed_with_loose_permissions_is_recreated_private(
    db_url: str, tmp_path: Path
) -> None:
    add_os_login(db_url)
    rejects = tmp_path / "placements.csv.rejects.csv"
    rejects.write_text("old\n")
    rejects.chmod(0o644)
    assert _import(db_url, _bad_rows_file(tmp_path)).exit_code == 3
    assert _mode(rejects) == 0o600


def test_rejects_naming_a_directory_is_refused(db_url: str, tmp_path: Path) -> None:
    add_os_login(db_url)
    _refused(_import(db_url, _bad_rows_file(tmp_path), "--rejects", str(tmp_path)), "is a directory")
    assert counts(db_url)["import_batch"] == 0


# ---- the writer itself ------------------------------------------------------------------------


def test_replacing_writes_a_private_file_in_one_piece(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    target.write_text("old")
    target.chmod(0o644)

    def stopped_halfway() -> None:
        with replacing(target) as handle:
            handle.write("half")
            raise RuntimeError("stopped halfway")

    with pytest.raises(RuntimeError):
        stopped_halfway()
    assert target.read_text() == "old"  # a failed write leaves what was there
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]  # and no temporary file
    with replacing(target) as handle:
        handle.write("new")
    assert target.read_text() == "new" and _mode(target) == 0o600


def test_open_in_place_refuses_protected_files(tmp_path: Path) -> None:
    guarded = tmp_path / "office.db"
    guarded.write_text("data")
    with pytest.raises(OutputFileError):
        open_in_place(guarded, protected=[guarded])
    with pytest.raises(OutputFileError, match="no such folder"):
        open_in_place(tmp_path / "missing" / "x.csv")


# ---- exports and the plan agreement -----------------------------------------------------------


def test_export_out_the_database_or_a_directory_is_refused(db_url: str, tmp_path: Path) -> None:
    add_os_login(db_url, "supervisor")
    database = db_file(db_url)
    before = _digest(database)
    for out in (database, Path(f"{database}-wal"), tmp_path):
        result = runner.invoke(app, ["--db", str(database), "export", "activities", "--out", str(out)])
        assert result.exit_code == 1, result.output
        assert "Traceback" not in result.output
    assert _digest(database) == before


def test_export_out_an_existing_loose_file_is_recreated_private(db_url: str, tmp_path: Path) -> None:
    add_os_login(db_url, "supervisor")
    out = tmp_path / "activities.csv"
    out.write_text("old")
    out.chmod(0o644)
    result = runner.invoke(app, ["--db", str(db_file(db_url)), "export", "activities", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert _mode(out) == 0o600 and out.read_text() != "old"


# ---- scratch folders --------------------------------------------------------------------------


def test_a_killed_runs_scratch_folder_is_removed_by_the_next_run(tmp_path: Path) -> None:
    dead = tmp_path / "collector-import-999999999-abc"  # no such process
    dead.mkdir()
    (dead / "keys.db").write_text("left behind")
    alive = tmp_path / f"collector-import-{os.getppid()}-def"  # a live process's: kept
    alive.mkdir()
    other = tmp_path / "collector-importer-notes"
    other.mkdir()

    with scratch_dir("collector-import-", tmp_path) as mine:
        assert mine.is_dir() and _mode(mine) == 0o700
        assert not dead.exists() and alive.exists() and other.exists()
    assert not mine.exists()
    assert sweep_stale(tmp_path, "collector-import-") == []


def test_rejects_naming_the_mapping_file_is_refused(db_url: str, tmp_path: Path) -> None:
    add_os_login(db_url)
    mapping = tmp_path / "mapping.toml"
    mapping.write_text("[columns]\n", encoding="utf-8")
    before = _digest(mapping)
    result = _import(db_url, _bad_rows_file(tmp_path), "--mapping", str(mapping), "--rejects", str(mapping))
    _refused(result, "refusing to write over it")
    assert _digest(mapping) == before


@pytest.mark.parametrize("special", ["/dev/null", "fifo"])
def test_a_special_file_as_the_target_is_refused_and_left_alone(tmp_path: Path, special: str) -> None:
    target = Path(special) if special.startswith("/") else tmp_path / special
    if special == "fifo":
        os.mkfifo(target)
    before = target.lstat()
    with pytest.raises(OutputFileError, match="not a regular file"):
        check_target(target)
    link = tmp_path / "link-to-special"
    link.symlink_to(target)
    with pytest.raises(OutputFileError, match="not a regular file"):
        check_target(link)
    after = target.lstat()
    assert (after.st_mode, after.st_ino, after.st_rdev) == (before.st_mode, before.st_ino, before.st_rdev)


def test_a_file_uri_gets_the_same_guards_as_a_path(db_url: str, tmp_path: Path) -> None:
    add_os_login(db_url, "supervisor")
    database = db_file(db_url)
    before = _digest(database)
    uri = f"sqlite:///file:{database}?uri=true"
    result = runner.invoke(app, ["--db", uri, "export", "activities", "--out", str(database)])
    _refused(result, "refusing to write over it")
    assert _digest(database) == before
    other = tmp_path / "other.sqlite"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE notes (body TEXT)")
    conn.commit()
    conn.close()
    assert (
        "another program" in runner.invoke(app, ["--db", f"sqlite:///file:{other}?uri=true", "queue"]).output
    )
    assert not Path(f"{other}-wal").exists()
