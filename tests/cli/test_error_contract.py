"""The CLI's error contract (README "Exit codes"): 0 success, 1 usage or configuration error,
2 unreadable or malformed input file, 3 completed with rejected rows, 4 lock held; one line, never
a traceback. Every ``--json`` document names its ``schema`` and gives moments one way."""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.main import get_command
from typer.testing import CliRunner, Result

from collector_tui.cli.main import app
from collector_tui.cli.output import utc_timestamp
from collector_tui.importing.lock import MESSAGE as LOCKED
from collector_tui.importing.lock import import_lock
from collector_tui.services.database import Database
from tests.importing.helpers import cli_import, json_summary, placements, write_bytes, write_rows
from tests.services.builders import placement_row

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()
UNKNOWN = "--no-such-option"
TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")


def _command_tree(command: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    """Every group and leaf command of the Click tree Typer builds, with the words that name it."""
    yield path, command
    for name, sub in getattr(command, "commands", {}).items():
        yield from _command_tree(sub, (*path, name))


COMMANDS = list(_command_tree(get_command(app)))
PATHS = [path for path, _ in COMMANDS]


def _invoke(*args: str) -> Result:
    return runner.invoke(app, list(args))


def _usage_error(result: Result, *words: str) -> str:
    """A usage error: exit 1, one line on stderr naming the problem, no traceback."""
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    line = result.stderr.strip()
    assert len(line.splitlines()) == 1, line
    assert line.startswith("error: ")
    for word in words:
        assert word in line, line
    return line


def test_the_walk_finds_every_command() -> None:
    assert () in PATHS and ("import", "placements") in PATHS and ("plans", "evaluate") in PATHS
    assert len(PATHS) > 35, PATHS


@pytest.mark.parametrize("path", PATHS, ids=lambda path: " ".join(path) or "collector")
def test_an_unknown_option_is_a_usage_error_everywhere(path: tuple[str, ...]) -> None:
    line = _usage_error(_invoke(*path, UNKNOWN), f"No such option: {UNKNOWN}")
    assert f"'{' '.join(('collector', *path))} --help'" in line  # where to look


@pytest.mark.parametrize("path", PATHS, ids=lambda path: " ".join(path) or "collector")
def test_help_still_exits_0_everywhere(path: tuple[str, ...]) -> None:
    result = _invoke(*path, "--help")
    assert result.exit_code == 0, result.output
    assert "Usage" in result.output


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["import", "placements"], ["Missing argument", "file"]),
        (["compliance"], ["Missing argument", "account_number"]),
        (["plan", "decline", "7"], ["Missing option", "--reason"]),
        (["users", "add", "bob", "--name", "Bob"], ["Missing option", "--role"]),
    ],
    ids=["argument", "compliance-argument", "required-option", "required-enum-option"],
)
def test_a_missing_required_parameter(args: list[str], words: list[str]) -> None:
    _usage_error(_invoke(*args), *words)


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["users", "add", "bob", "--name", "Bob", "--role", "king"], ["--role", "king"]),
        (["policy", "show", "dialer"], ["kind", "dialer"]),
        (["export", "accounts", "--format", "xml"], ["--format", "xml"]),
        (["plan", "quote", "--balance", "100", "--installments", "2", "--frequency", "daily"], ["daily"]),
        (["users", "unassigned", "maybe"], ["maybe"]),
    ],
    ids=["option-enum", "argument-enum", "format", "frequency", "switch"],
)
def test_a_bad_choice(args: list[str], words: list[str]) -> None:
    _usage_error(_invoke(*args), "Invalid value", *words)


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["export", "accounts", "--since", "yesterday"], ["YYYY-MM-DD"]),
        (["audit", "--since", "2026-13-45"], ["YYYY-MM-DD"]),
        (["queue", "--at", "2026-11-27T15:00:00"], ["needs an offset"]),
        (["plan", "quote", "--balance", "100", "--installments", "2", "--as-of", "soon"], ["--as-of"]),
        (["plans", "evaluate", "--as-of", "27/11/2026"], ["--as-of", "YYYY-MM-DD"]),
    ],
    ids=["export-since", "audit-since", "queue-at-naive", "quote-as-of", "evaluate-as-of"],
)
def test_a_malformed_date(args: list[str], words: list[str]) -> None:
    _usage_error(_invoke(*args), *words)


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["queue", "--limit", "many"], ["--limit", "integer"]),
        (["queue", "--limit", "0"], ["--limit"]),
        (["import", "placements", "x.csv", "--batch-size"], ["--batch-size", "requires an argument"]),
        (["--db"], ["--db", "requires an argument"]),
        (["approvals", "approve", "plan", "seven"], ["request_id", "integer"]),
        (["queue", "extra"], ["unexpected extra argument", "extra"]),
    ],
    ids=["not-a-number", "out-of-range", "option-without-value", "root-option", "id", "extra-argument"],
)
def test_a_bad_value(args: list[str], words: list[str]) -> None:
    _usage_error(_invoke(*args), *words)


@pytest.mark.parametrize(
    ("args", "where"),
    [
        (["nosuch"], []),
        (["import", "invoices", "x.csv"], ["import"]),
        (["plan", "cancel", "7"], ["plan"]),
        (["users", "remove", "bob"], ["users"]),
    ],
    ids=["root", "import", "plan", "users"],
)
def test_an_unknown_subcommand(args: list[str], where: list[str]) -> None:
    unknown = args[len(where)]
    line = _usage_error(_invoke(*args), f"No such command '{unknown}'")
    assert line.endswith(f"(try '{' '.join(['collector', *where])} --help')")


def test_a_typo_gets_a_suggestion() -> None:
    assert "No such command 'improt'. Did you mean 'import'?" in _usage_error(_invoke("improt", "x"))


@pytest.mark.parametrize("group", ["db", "import", "plan", "users", "policy", "facilities"])
def test_a_group_without_its_command_prints_help_and_exits_1(group: str) -> None:
    result = _invoke(group)
    assert result.exit_code == 1, result.output
    assert "Usage" in result.stdout and "Traceback" not in result.output
    assert result.stderr.strip() == f"error: missing command (try 'collector {group} --help')"


def test_the_console_script_keeps_the_contract() -> None:
    """``run()`` (the installed ``collector``, here ``python -m collector_tui``) in Click's
    standalone mode: a usage error is exit 1 and one line, ``--help`` exit 0."""

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "collector_tui", *args], capture_output=True, text=True, check=False
        )

    for args in (["--bogus"], ["import", "placements", "--bogus"], ["nosuch"], ["import", "placements"]):
        bad = run(*args)
        assert bad.returncode == 1, (args, bad.stderr)
        assert bad.stderr.startswith("error: ") and len(bad.stderr.strip().splitlines()) == 1, bad.stderr
        assert "Traceback" not in bad.stderr + bad.stdout
    assert run("--help").returncode == 0
    assert run("import", "--help").returncode == 0


# ---- a service's refusal: the boundary's one line and code, for the commands that caught it --------


@pytest.mark.parametrize(
    "args",
    [
        [],  # the workstation
        ["queue"],
        ["assign", "--to", "jchen"],
        ["plan", "quote", "--balance", "100", "--installments", "2"],
        ["plans", "evaluate"],
        ["import", "placements", "x.csv"],
        ["stats"],
        ["worklist"],
        ["payers", "list"],
        ["db", "current"],
    ],
    ids=lambda args: " ".join(args) or "collector",
)
def test_a_refusal_is_one_line_with_its_code(args: list[str], tmp_path: Path) -> None:
    result = _invoke("--db", str(tmp_path), *args)
    assert result.exit_code == 1, result.output
    assert result.stderr.strip().splitlines() == [f"error: {tmp_path} is a directory, not a database file"]
    assert "Traceback" not in result.output


# ---- 2, 3 and 4 stay the import's -------------------------------------------------------------


def test_import_exit_codes_2_3_and_4_are_kept(db: Database, db_url: str, tmp_path: Path) -> None:
    """The refusals pass through the boundary with their own codes; no command catches them now."""
    malformed = cli_import(db_url, "placements", write_bytes(tmp_path / "empty.csv", b""), "--json")
    assert malformed.exit_code == 2, malformed.output
    assert malformed.stderr.startswith("error: ") and malformed.stdout == ""
    assert cli_import(db_url, "placements", tmp_path / "nope.csv").exit_code == 2
    rows = [*placements(2), placement_row(account_number="A-bad", guarantor_id="G-bad", email="nope")]
    some_rejected = cli_import(db_url, "placements", write_rows(tmp_path / "p.csv", rows), "--json")
    assert some_rejected.exit_code == 3, some_rejected.output
    assert json_summary(some_rejected)["rejected"] == 1
    with import_lock(db):
        held = cli_import(db_url, "placements", write_rows(tmp_path / "q.csv", placements(2)))
    assert held.exit_code == 4, held.output
    assert held.stderr.strip() == f"error: {LOCKED}"


# ---- every --json document: its schema, documented; moments in one format ------------------------


def _json_commands() -> set[tuple[str, ...]]:
    return {
        path
        for path, command in COMMANDS
        if any("--json" in getattr(param, "opts", ()) for param in getattr(command, "params", ()))
    }


def _first_account(path: Path) -> str:
    with sqlite3.connect(path) as conn:
        (number,) = conn.execute("SELECT account_number FROM account ORDER BY id").fetchone()
    return str(number)


JSON_ARGS: dict[tuple[str, ...], list[str]] = {
    ("queue",): ["--user", "mlopez"],
    ("compliance",): ["{account}"],
    ("audit",): [],
    ("assign",): ["--to", "jchen", "--from", "kbrown", "--dry-run"],
    ("stats",): [],
    ("plan", "quote"): ["--balance", "100", "--installments", "2"],
    ("plan", "pending"): [],
    ("plan", "evaluate"): [],
    ("plans", "quote"): ["--balance", "100", "--installments", "2"],
    ("plans", "pending"): [],
    ("plans", "evaluate"): [],
    ("approvals", "list"): [],
    ("exceptions", "list"): [],  # tests/cli/test_exceptions_command.py
    ("users", "list"): [],
    ("policy", "show"): ["compliance"],
    ("facilities", "list"): [],
    ("worklist",): ["--user", "mlopez"],
    ("worklist", "write-offs"): [],
    ("worklist", "aged"): [],
    ("payers", "list"): [],
}


def _schema_documented(schema: str) -> bool:
    texts = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    return any(f"`{schema}`" in path.read_text(encoding="utf-8") for path in texts)


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _assert_moments_in_one_format(document: dict[str, Any]) -> None:
    for text in _strings(document):
        if re.match(r"\d{4}-\d{2}-\d{2}T", text):
            assert TIMESTAMP.fullmatch(text), text


def test_every_json_command_is_checked_here() -> None:
    assert _json_commands() == {
        *JSON_ARGS,
        ("import", "placements"),
        ("import", "transactions"),
        ("import", "activities"),
        ("import", "remittance"),  # tests/cli/test_remittance_command.py
        ("import", "claim-status"),  # tests/importing/test_claim_status_import.py
    }


@pytest.mark.parametrize("path", sorted(JSON_ARGS), ids=" ".join)
def test_every_json_document_names_its_documented_schema(path: tuple[str, ...], office_path: Path) -> None:
    args = [arg.format(account=_first_account(office_path)) for arg in JSON_ARGS[path]]
    result = _invoke("--db", str(office_path), "--as", "admin", *path, *args, "--json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    schema = document["schema"]
    assert re.fullmatch(r"collector\.[a-z_]+/1", schema), schema
    assert next(iter(document)) == "schema"
    assert _schema_documented(schema), f"{schema} is in no README or docs/ file"
    _assert_moments_in_one_format(document)


def test_the_import_summary_names_its_schema(db_url: str, tmp_path: Path) -> None:
    result = cli_import(db_url, "placements", write_rows(tmp_path / "p.csv", placements(2)), "--json")
    assert result.exit_code == 0, result.output
    assert len(result.stdout.strip().splitlines()) == 1  # one line per import in a .jsonl log
    summary = json_summary(result)
    assert next(iter(summary)) == "schema" and summary["schema"] == "collector.import/1"
    assert (summary["kind"], summary["inserted"], summary["rejected"]) == ("placements", 2, 0)
    assert _schema_documented("collector.import/1")


# ---- one timestamp format -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (datetime(2026, 11, 27, 15, 0, tzinfo=UTC), "2026-11-27T15:00:00Z"),
        (datetime(2026, 11, 27, 15, 0, 59, 999_999, tzinfo=UTC), "2026-11-27T15:00:59Z"),
        (datetime(2026, 11, 27, 10, 0, tzinfo=timezone(timedelta(hours=-5))), "2026-11-27T15:00:00Z"),
        (
            datetime(2026, 11, 28, 1, 30, tzinfo=timezone(timedelta(hours=10, minutes=30))),
            "2026-11-27T15:00:00Z",
        ),
        (datetime(2026, 11, 27, 15, 0), "2026-11-27T15:00:00Z"),  # naive: UTC, as the database stores
        (None, None),
    ],
    ids=["utc", "microseconds", "offset", "half-hour-offset", "naive", "none"],
)
def test_utc_timestamp(moment: datetime | None, expected: str | None) -> None:
    assert utc_timestamp(moment) == expected


def test_no_command_formats_a_moment_itself() -> None:
    """One formatter: no copy of the format (or of ``isoformat().replace``) left in cli/."""
    sources = (ROOT / "collector_tui" / "cli").glob("*.py")
    for source in sources:
        if source.name == "output.py":
            continue
        text = source.read_text(encoding="utf-8")
        assert "%Y-%m-%dT%H:%M:%SZ" not in text and '.replace("+00:00", "Z")' not in text, source.name


def test_typer_is_the_click_the_boundary_catches() -> None:
    """The boundary catches Typer's vendored Click exceptions; Typer's public one is among them."""
    from typer._click.exceptions import UsageError

    assert issubclass(typer.BadParameter, UsageError)
