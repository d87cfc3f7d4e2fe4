"""The denial exports (denials, appeals, postings, billing tasks) through the export machinery: the
columns, CSV formula safety, JSON lines, ``--since-last`` handing each row over once, and who may."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta
from typing import Any

import pytest
from typer.testing import CliRunner

from collector_tui.cli.main import app
from collector_tui.db.models import DenialItem
from collector_tui.services.audit import SYSTEM
from collector_tui.services.database import Database
from collector_tui.services.desk.denial_actions import (
    AppealFiling,
    CorrectionRequest,
    PayerCall,
    bill_other_payer,
    file_appeal,
    log_payer_call,
    request_correction,
)
from collector_tui.services.errors import AccessDeniedError
from collector_tui.services.files import exports
from collector_tui.services.files.exports import export
from collector_tui.services.files.remittances import NO_CLAIM
from collector_tui.vocabulary import AppealLevel, ClaimFrequency
from tests.cli.test_worklist_command import denied_office, one_line_error
from tests.conftest import NOW
from tests.exporting.test_exports import NUMBER, _make_formulas
from tests.services.builders import all_rows, audit_events
from tests.services.test_denial_worklist import actor

DENIAL_KINDS = ("denials", "appeals", "postings", "billing-tasks")
LATER = NOW + timedelta(minutes=5)
FORMULA = '=HYPERLINK("http://x","click")'


def _item(db: Database, icn: str) -> int:
    found = next(i.id for i in all_rows(db, DenialItem) if i.payer_claim_number == icn)
    assert found is not None
    return found


def _work(db: Database, at: datetime = NOW) -> None:
    """jsmith works three items: an appeal, a replacement claim (a reason that is a formula),
    a resubmission and another payer to bill."""
    jsmith = actor(db, "jsmith")
    appeal = AppealFiling(AppealLevel.FIRST, at.date(), "the records show it was needed", "APL-77")
    file_appeal(db, jsmith, _item(db, "ICN-4"), appeal, now=at)
    fix = CorrectionRequest(FORMULA, ClaimFrequency.REPLACEMENT)
    request_correction(db, jsmith, _item(db, "ICN-3"), fix, now=at)
    request_correction(db, jsmith, _item(db, "ICN-2"), CorrectionRequest("send it again"), now=at)
    bill_other_payer(db, jsmith, _item(db, "ICN-1"), "Second Plan", "primary per the card", now=at)


@pytest.fixture
def office(db: Database) -> Database:
    denied_office(db)
    _work(db)
    return db


def _rows(db: Database, kind: str, now: datetime = LATER, **options: Any) -> list[dict[str, str]]:
    out = io.StringIO()
    result = export(db, kind, actor=SYSTEM, now=now, stdout=out, **options)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert result.rows == len(rows)
    return rows


@pytest.mark.parametrize("kind", DENIAL_KINDS)
def test_each_kind_has_its_columns_and_rows(office: Database, kind: str) -> None:
    out = io.StringIO()
    export(office, kind, actor=SYSTEM, now=LATER, stdout=out)
    header = out.getvalue().splitlines()[0].split(",")
    assert tuple(header) == exports.KINDS[kind].columns
    assert _rows(office, kind)
    assert audit_events(office, f"export.{kind}")


def test_denials_one_row_per_item_with_money_in_dollars(office: Database) -> None:
    rows = {row["payer_claim_number"]: row for row in _rows(office, "denials")}
    assert set(rows) == {"ICN-1", "ICN-2", "ICN-3", "ICN-4"}
    four = rows["ICN-4"]
    assert (four["claim_number"], four["group_code"], four["carc"], four["codes"]) == (
        "CLM-4",
        "CO",
        "16",
        "CO-16",
    )
    assert (four["status"], four["outcome"], four["owner_login"]) == ("open", "", "jsmith")
    assert four["denied"] == "140.00" and four["recovered"] == "0.00"
    assert four["opened_at"].endswith("Z") and four["worked_at"].endswith("Z") and four["closed_at"] == ""
    assert four["updated_at"] == four["worked_at"]  # the last change was the collector's
    assert four["scenario"] == "claim_data" and four["appeal_deadline"][:2] == "20"


def test_appeals_and_billing_tasks(office: Database) -> None:
    (appeal,) = _rows(office, "appeals")
    assert (appeal["payer_claim_number"], appeal["level"], appeal["reference"]) == ("ICN-4", "1", "APL-77")
    assert (appeal["by_login"], appeal["item_status"], appeal["claim_number"]) == ("jsmith", "open", "CLM-4")
    assert appeal["deadline"] and appeal["logged_at"].endswith("Z")
    assert len(appeal["filed_on"]) == 10  # the day the appeal was filed, as the collector said
    tasks = {row["payer_claim_number"]: row for row in _rows(office, "billing-tasks")}
    assert {icn: row["task"] for icn, row in tasks.items()} == {
        "ICN-3": "corrected_claim",
        "ICN-2": "resubmission",
        "ICN-1": "bill_other_payer",
    }
    assert (tasks["ICN-3"]["frequency_code"], tasks["ICN-2"]["frequency_code"]) == ("7", "")
    assert tasks["ICN-1"]["other_payer"] == "Second Plan" and tasks["ICN-1"]["requested_by"] == "jsmith"
    assert tasks["ICN-3"]["reason"] == "'" + FORMULA  # a spreadsheet shows it, never runs it


def test_postings_flag_the_line_that_became_an_exception(office: Database) -> None:
    rows = {row["claim_control_number"]: row for row in _rows(office, "postings")}
    assert set(rows) == {"PCN-1", "PCN-2", "PCN-3", "PCN-4", "PCN-404"}
    denied, stranger = rows["PCN-4"], rows["PCN-404"]
    assert (denied["claim_status_code"], denied["paid"], denied["exception_reason"]) == ("4", "0.00", "")
    assert denied["claim_id"].isdigit() and denied["account_number"] == "A-4"
    assert (stranger["claim_id"], stranger["exception_reason"], stranger["paid"]) == ("", NO_CLAIM, "50.00")
    assert stranger["trace_number"] == "TRACE-0001" and stranger["payment_date"] == "2026-11-20"
    assert denied["needs_review"] in ("True", "False") and denied["posted_at"].endswith("Z")


@pytest.mark.parametrize("kind", DENIAL_KINDS)
def test_every_text_cell_is_neutralised_in_csv(office: Database, kind: str) -> None:
    _make_formulas(office)
    rows = _rows(office, kind)
    assert rows
    for row in rows:
        for name, cell in row.items():
            assert not cell.startswith(exports.FORMULA_STARTS) or NUMBER.fullmatch(cell), (name, cell)
    matched = [row for row in rows if row.get("claim_id", "x")]
    assert matched and all(row["facility_code"].startswith("'=") for row in matched)
    assert all(row["account_number"].startswith("'+") for row in matched)


@pytest.mark.parametrize("kind", DENIAL_KINDS)
def test_jsonl_keeps_the_text_as_stored(office: Database, kind: str) -> None:
    out = io.StringIO()
    export(office, kind, actor=SYSTEM, now=LATER, fmt="jsonl", stdout=out)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert lines and all(list(line) == list(exports.KINDS[kind].columns) for line in lines)
    if kind == "billing-tasks":
        assert FORMULA in {line["reason"] for line in lines}


def test_since_last_hands_each_billing_task_over_once(office: Database) -> None:
    first = _rows(office, "billing-tasks", since_last=True)
    assert len(first) == 3
    assert _rows(office, "billing-tasks", now=LATER + timedelta(hours=1), since_last=True) == []
    later = LATER + timedelta(hours=2)
    jsmith = actor(office, "jsmith")
    request_correction(office, jsmith, _item(office, "ICN-4"), CorrectionRequest("void it"), now=later)
    (new,) = _rows(office, "billing-tasks", now=later + timedelta(minutes=5), since_last=True)
    assert new["payer_claim_number"] == "ICN-4" and new["action_id"] not in {r["action_id"] for r in first}
    assert _rows(office, "billing-tasks", now=later + timedelta(hours=1), since_last=True) == []


def test_since_last_hands_a_denial_over_again_only_when_it_changed(office: Database) -> None:
    assert len(_rows(office, "denials", since_last=True)) == 4
    assert _rows(office, "denials", now=LATER + timedelta(hours=1), since_last=True) == []
    later = LATER + timedelta(hours=2)
    call = PayerCall("Pat at the payer", "reprocessing", "REF-1")
    log_payer_call(office, actor(office, "jsmith"), _item(office, "ICN-2"), call, now=later)
    (changed,) = _rows(office, "denials", now=later + timedelta(minutes=5), since_last=True)
    assert changed["payer_claim_number"] == "ICN-2"
    for kind in ("appeals", "postings"):
        assert _rows(office, kind, since_last=True)
        assert _rows(office, kind, now=LATER + timedelta(days=1), since_last=True) == []


def test_a_collector_may_not_export(office: Database) -> None:
    for kind in DENIAL_KINDS:
        with pytest.raises(AccessDeniedError, match="may export"):
            export(office, kind, actor=actor(office, "jsmith"), now=LATER, stdout=io.StringIO())
    runner = CliRunner()
    refused = runner.invoke(app, ["--db", office.url, "--as", "jsmith", "export", "billing-tasks"])
    one_line_error(refused, "may export")
    done = runner.invoke(
        app, ["--db", office.url, "--as", "sboss", "export", "billing-tasks", "--format", "jsonl"]
    )
    assert done.exit_code == 0, done.output
    assert len(done.stdout.splitlines()) == 3
