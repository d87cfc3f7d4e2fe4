"""A payer's 277 / 277CA applied to the claims on file (service) and ``collector import claim-status``
(CLI), on a real SQLite file."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert
from typer.testing import CliRunner, Result

from collector_tui.cli.main import app as cli
from collector_tui.db.models import AuditEvent, DenialAction, DenialItem, InsuranceClaim
from collector_tui.db.tables import DENIAL_ITEM_T
from collector_tui.domain.x12.claim_status import read_277
from collector_tui.importing.lock import import_lock
from collector_tui.services.audit import SYSTEM
from collector_tui.services.database import Database
from collector_tui.services.files.claim_statuses import AUDIT_ACTION, ClaimStatusResult, apply_claim_statuses
from collector_tui.vocabulary import ClaimStatus, DenialActionKind
from tests.conftest import NOW
from tests.nightly import add_os_login
from tests.services.builders import all_rows, audit_events, count, place, placement

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "x12" / "claim_status"
ACK = FIXTURES / "acknowledgment.277"  # PCN-1 A2 accepted, PCN-2 A7 rejected (2026-11-20)
STATUS = FIXTURES / "status.277"  # PCN-1 F1 paid, PCN-2 F2 denied, PCN-3 P1 pending (2026-11-24)
WAITING = date(2026, 12, 10)  # a follow-up's response_due: the payer was asked, the answer is due
PATIENT_DATA = ("SAMPLE", "PATIENT", "EXAMPLE", "PERSON", "M000111", "M000222")


def place_claims(db: Database, *numbers: str) -> Database:
    place(
        db,
        [
            placement(
                account_number=f"A-{1001 + n}",
                claim_number=f"CLM-{n}",
                claim_status="pending",
                claim_control_number=number,
            )
            for n, number in enumerate(numbers)
        ],
    )
    return db


@pytest.fixture
def placed(db: Database) -> Database:
    return place_claims(db, "PCN-1", "PCN-2", "PCN-3")


def apply(db: Database, path: Path, text: str | None = None) -> ClaimStatusResult:
    with db.writing() as session:
        return apply_claim_statuses(
            session,
            read_277(text if text is not None else path.read_text(encoding="utf-8")),
            file_sha256="0" * 64,
            actor=SYSTEM,
            now=NOW,
        )


def claims(db: Database) -> dict[str, InsuranceClaim]:
    return {str(claim.control_number): claim for claim in all_rows(db, InsuranceClaim)}


def open_follow_up(db: Database, control_number: str, response_due: date | None = WAITING) -> int:
    """An open denial item on the claim, waiting on the payer until ``response_due``."""
    claim = claims(db)[control_number]
    with db.writing() as session:
        values: dict[str, Any] = {
            "claim_id": claim.id,
            "account_id": claim.account_id,
            "status": "open",
            "source": "remittance",
            "payer_name": claim.payer_name,
            "group_code": "CO",
            "carc": "16",
            "codes": "CO-16",
            "scenario": "claim_data",
            "category": "missing_information",
            "response_due": response_due,
            "opened_at": NOW,
            "updated_at": NOW,
        }
        return int(
            session.execute(insert(DENIAL_ITEM_T).values(values).returning(DENIAL_ITEM_T.c.id)).scalar_one()
        )


def item(db: Database, item_id: int) -> DenialItem:
    (row,) = all_rows(db, DenialItem, DenialItem.id == item_id)
    return row


def snapshot(db: Database) -> tuple[list[Any], ...]:
    return tuple(
        [row.model_dump() for row in all_rows(db, model)]
        for model in (InsuranceClaim, DenialItem, DenialAction)
    )


# The service ----------------------------------------------------------------------------------------


def test_a_277ca_records_the_acceptance_and_the_rejection(placed: Database) -> None:
    result = apply(placed, ACK)
    assert (result.claims, result.matched, result.unmatched) == (2, 2, 0)
    assert (result.accepted, result.rejected, result.finalized, result.updated) == (1, 1, 0, 2)
    on_file = claims(placed)
    accepted, rejected = on_file["PCN-1"], on_file["PCN-2"]
    assert (accepted.status_category, accepted.status_date) == ("A2", date(2026, 11, 20))
    assert accepted.accepted_date == date(2026, 11, 20)
    assert accepted.payer_claim_number == "ICN-26324000001"
    assert (rejected.status_category, rejected.accepted_date) == ("A7", None)
    assert accepted.status == rejected.status == ClaimStatus.PENDING  # an acknowledgment is no decision
    assert on_file["PCN-3"].status_category is None


def test_the_accepted_date_is_set_once_and_never_replaced_by_a_later_one(placed: Database) -> None:
    apply(placed, ACK)
    later = ACK.read_text().replace("STC*A2:20:PR*20261120", "STC*A2:20:PR*20261123")
    result = apply(placed, ACK, later)
    claim = claims(placed)["PCN-1"]
    assert claim.accepted_date == date(2026, 11, 20)
    assert claim.status_date == date(2026, 11, 23)  # the status itself is the latest
    assert result.accepted_dates == 0
    # An earlier receipt (A1) is better proof of timely filing: it moves the date back.
    earlier = ACK.read_text().replace("STC*A2:20:PR*20261120", "STC*A1:19:PR*20261118")
    assert apply(placed, ACK, earlier).accepted_dates == 1
    assert claims(placed)["PCN-1"].accepted_date == date(2026, 11, 18)


def test_an_older_status_does_not_replace_a_newer_one(placed: Database) -> None:
    apply(placed, STATUS)
    apply(placed, ACK)  # dated 2026-11-20, before the 277's 2026-11-24
    claim = claims(placed)["PCN-1"]
    assert (claim.status_category, claim.status_date) == ("F1", date(2026, 11, 24))
    assert claim.accepted_date == date(2026, 11, 20)  # the acceptance still counts


def test_an_acknowledgment_never_answers_a_follow_up(placed: Database) -> None:
    item_id = open_follow_up(placed, "PCN-1")
    assert apply(placed, ACK).follow_ups_answered == 0
    assert item(placed, item_id).response_due == WAITING
    assert count(placed, DenialAction) == 0


def test_a_finalized_status_answers_the_follow_up_that_waits_on_the_payer(placed: Database) -> None:
    paid = open_follow_up(placed, "PCN-1")
    pending = open_follow_up(placed, "PCN-3")
    result = apply(placed, STATUS)
    assert (result.finalized, result.follow_ups_answered, result.denied) == (2, 1, 1)
    assert item(placed, paid).response_due is None
    assert item(placed, paid).status == "open"  # answered, not closed: the 835 settles it
    assert item(placed, pending).response_due == WAITING  # P1: still waiting
    (action,) = all_rows(placed, DenialAction)
    assert (action.item_id, action.kind, action.collector_id) == (paid, DenialActionKind.PAYER_RESPONSE, None)
    assert (action.reference, action.note) == ("STC F1:65", "finished: paid")
    assert action.occurred_at.replace(tzinfo=None) == NOW.replace(tzinfo=None)
    on_file = claims(placed)
    assert on_file["PCN-1"].status == ClaimStatus.PENDING  # F1: the 835 posts the money
    assert on_file["PCN-2"].status == ClaimStatus.DENIED  # F2 on a pending claim
    assert on_file["PCN-3"].status == ClaimStatus.PENDING


def test_a_status_older_than_the_last_action_answers_nothing(placed: Database) -> None:
    # The appeal was filed on 2026-11-25; a 277 sent again late says F1 as of 2026-11-24.
    item_id = open_follow_up(placed, "PCN-1")
    with placed.writing() as session:
        session.execute(
            DENIAL_ITEM_T.update()
            .where(DENIAL_ITEM_T.c.id == item_id)
            .values(worked_at=datetime(2026, 11, 25, 15, 0, tzinfo=UTC))
        )
    assert apply(placed, STATUS).follow_ups_answered == 0
    assert item(placed, item_id).response_due == WAITING and count(placed, DenialAction) == 0


def test_a_follow_up_not_waiting_on_the_payer_is_left_alone(placed: Database) -> None:
    item_id = open_follow_up(placed, "PCN-1", response_due=None)
    assert apply(placed, STATUS).follow_ups_answered == 0
    assert item(placed, item_id).response_due is None and count(placed, DenialAction) == 0


def test_the_same_file_twice_changes_nothing_the_second_time(placed: Database) -> None:
    open_follow_up(placed, "PCN-1")
    apply(placed, ACK)
    apply(placed, STATUS)
    before = snapshot(placed)
    again = apply(placed, STATUS)
    assert (again.updated, again.follow_ups_answered, again.denied, again.accepted_dates) == (0, 0, 0, 0)
    assert snapshot(placed) == before


def test_a_payer_response_is_recorded_once_per_item_and_reference(placed: Database) -> None:
    item_id = open_follow_up(placed, "PCN-1")
    apply(placed, STATUS)
    with placed.writing() as session:  # a collector asks again: a new wait
        session.execute(
            DENIAL_ITEM_T.update()
            .where(DENIAL_ITEM_T.c.id == item_id)
            .values(response_due=WAITING + timedelta(30))
        )
    assert apply(placed, STATUS).follow_ups_answered == 0  # the same answer, sent again
    assert count(placed, DenialAction) == 1
    assert item(placed, item_id).response_due == WAITING + timedelta(30)


def test_unmatched_claims_are_counted_and_not_written(db: Database) -> None:
    place_claims(db, "PCN-1")
    result = apply(db, ACK)
    assert (result.claims, result.matched, result.unmatched, result.rejected) == (2, 1, 1, 1)
    assert list(claims(db)) == ["PCN-1"]


def test_one_audit_event_with_counts_only(placed: Database) -> None:
    apply(placed, STATUS)
    (event,) = audit_events(placed, AUDIT_ACTION)
    details = json.loads(event.details or "{}")
    assert (details["claims"], details["matched"], details["finalized"], details["denied"]) == (3, 3, 2, 1)
    assert event.entity_id is None and "PCN-" not in (event.details or "")
    assert not any(data in (event.details or "") for data in PATIENT_DATA)


# The command ----------------------------------------------------------------------------------------


@pytest.fixture
def office(placed: Database) -> Database:
    add_os_login(placed.url)
    return placed


def run(db: Database, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--db", db.url, "import", "claim-status", *args])


def test_a_file_applies_and_prints_its_document(office: Database) -> None:
    open_follow_up(office, "PCN-1")
    result = run(office, str(STATUS), "--json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert next(iter(document)) == "schema" and document["schema"] == "collector.claim_status/1"
    assert document["status"] == "posted"
    assert (document["claims"], document["matched"], document["unmatched"]) == (3, 3, 0)
    assert (document["accepted"], document["rejected"], document["finalized"]) == (0, 0, 2)
    assert document["follow_ups_answered"] == 1
    again = run(office, str(STATUS), "--json")
    assert again.exit_code == 0, again.output
    assert (json.loads(again.stdout)["updated"], json.loads(again.stdout)["follow_ups_answered"]) == (0, 0)
    assert count(office, DenialAction) == 1


def test_other_separators_and_a_byte_order_mark(office: Database) -> None:
    result = run(office, str(FIXTURES / "pipes_bom.277"), "--json")
    assert result.exit_code == 0, result.output
    assert (json.loads(result.stdout)["accepted"], json.loads(result.stdout)["rejected"]) == (1, 1)


def test_unmatched_claims_exit_3_with_one_line(db: Database) -> None:
    place_claims(db, "PCN-1")
    add_os_login(db.url)
    result = run(db, str(ACK), "--json")
    assert result.exit_code == 3, result.output
    assert json.loads(result.stdout)["unmatched"] == 1
    assert result.stderr.count("\n") == 1 and "1 claims of the file are not on file" in result.stderr
    assert "PCN-2" not in result.output


def test_dry_run_writes_nothing(office: Database) -> None:
    open_follow_up(office, "PCN-1")
    before = snapshot(office)
    result = run(office, str(STATUS), "--dry-run", "--json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert (document["status"], document["follow_ups_answered"], document["updated"]) == ("dry_run", 1, 3)
    assert snapshot(office) == before
    assert count(office, AuditEvent, AuditEvent.action == AUDIT_ACTION) == 0


def test_a_4010_file_exits_2_with_one_line_and_no_traceback(office: Database) -> None:
    before = snapshot(office)
    result = run(office, str(FIXTURES / "version_4010.277"))
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert result.stderr.startswith("error: version_4010.277: segment 2, element GS08: this is a 4010 file")
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.output
    assert snapshot(office) == before


def test_a_malformed_file_names_the_segment_and_element(office: Database, tmp_path: Path) -> None:
    bad = tmp_path / "bad.277"
    bad.write_text(ACK.read_text().replace("SE*35*0001", "SE*34*0001"))
    result = run(office, str(bad))
    assert result.exit_code == 2, result.output
    assert "segment 37, element SE01" in result.stderr


def test_a_file_that_is_not_ascii_exits_2(office: Database, tmp_path: Path) -> None:
    bad = tmp_path / "bad.277"
    bad.write_bytes(ACK.read_bytes().replace(b"MERCY GENERAL*", "MERCY GÉNÉRAL*".encode()))
    result = run(office, str(bad))
    assert result.exit_code == 2, result.output
    assert "is not X12 text (ASCII)" in result.stderr


def test_the_lock_held_exits_4(office: Database) -> None:
    with import_lock(office):
        result = run(office, str(STATUS))
    assert result.exit_code == 4, result.output


def test_the_schema_and_the_exit_codes_are_documented() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    assert "`collector.claim_status/1`" in readme
    assert "collector import claim-status" in readme
