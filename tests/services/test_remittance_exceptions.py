"""collector_tui.services.files.remittance_exceptions: the 835 exception list (issue 18), on real SQLite.

The office: a placement whose claim PCN-1 is pending, and one 835 that pays PCN-1, names a claim
nobody billed (PCN-404) and one the payer says is not its own (PCN-23, CLP02 23): two exceptions,
kept until a supervisor resolves them. ann collects, sue supervises.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest

from collector_tui.db.models import RemittanceException
from collector_tui.domain.x12.remittance import read_835
from collector_tui.services.audit import SYSTEM, Actor
from collector_tui.services.database import Database
from collector_tui.services.errors import AccessDeniedError, EntryError, NotFoundError, ServiceError
from collector_tui.services.files.remittance_exceptions import (
    RESOLUTIONS,
    RESOLVE_ACTION,
    open_exception_count,
    open_exceptions,
    resolution_codes,
    resolve_exception,
    status_label,
)
from collector_tui.services.files.remittances import NO_CLAIM, NOT_OURS, post_remittance
from collector_tui.services.team.identity import resolve_actor
from collector_tui.services.team.users import add_user, deactivate
from tests.conftest import NOW
from tests.services.builders import all_rows, audit_events, event_details, place, placement
from tests.services.remittance_files import Clp, remittance_text

PAID = Clp("PCN-1", "1", "310.00", "200.00", "50.00", cas=("CO*45*60.00", "PR*1*50.00"))
UNMATCHED = Clp("PCN-404", "1", "120.00", "80.00", icn="ICN-404", cas=("CO*45*40.00",))
NOT_THEIRS = Clp("PCN-23", "23", "90.00", "0", icn="ICN-23", cas=("CO*45*90.00",))


@dataclass(frozen=True)
class Office:
    db: Database
    ann: Actor  # a collector
    sue: Actor  # a supervisor


def build_exception_office(db: Database) -> Database:
    """The module's office: one 835 posted, two of its claims exceptions (shared by the CLI and UI
    tests)."""
    with db.writing() as session:
        for login, role in (("ann", "collector"), ("sue", "supervisor")):
            add_user(session, SYSTEM, login=login, display_name=login.title(), role=role, now=NOW)
    place(db, [placement(claim_status="pending", claim_control_number="PCN-1")], now=NOW - timedelta(days=1))
    for remittance in read_835(remittance_text([PAID, UNMATCHED, NOT_THEIRS])):
        with db.writing() as session:
            post_remittance(session, remittance, file_sha256="0" * 64, actor=SYSTEM, now=NOW)
    return db


@pytest.fixture
def office(db: Database) -> Office:
    build_exception_office(db)
    return Office(db, resolve_actor(db, login="ann"), resolve_actor(db, login="sue"))


def test_a_supervisor_sees_every_unposted_claim_oldest_first(office: Office) -> None:
    rows = open_exceptions(office.db, office.sue)
    assert [(r.control_number, r.status_code, r.reason) for r in rows] == [
        ("PCN-404", "1", NO_CLAIM),
        ("PCN-23", "23", NOT_OURS),
    ]
    unmatched, not_ours = rows
    assert unmatched.exception_id < not_ours.exception_id
    assert (unmatched.payer_name, unmatched.trace_number) == ("INVENTED HEALTH PLAN", "TRACE-0001")
    assert unmatched.payment_date == date(2026, 11, 20)
    assert unmatched.imported_at == NOW
    assert (unmatched.paid_cents, not_ours.paid_cents) == (8_000, 0)
    assert unmatched.status_label == "processed as primary"
    assert not_ours.status_label == "not our claim, forwarded to additional payer(s)"
    assert unmatched.remittance_id == not_ours.remittance_id
    assert "INVENTED" not in repr(rows).replace("INVENTED HEALTH PLAN", "")  # no patient's name
    assert "PERSON" not in repr(rows)
    assert open_exception_count(office.db, office.sue) == 2


def test_the_list_is_paged_by_id(office: Office) -> None:
    (first,) = open_exceptions(office.db, office.sue, limit=1)
    (second,) = open_exceptions(office.db, office.sue, after=first.exception_id, limit=1)
    assert (first.control_number, second.control_number) == ("PCN-404", "PCN-23")
    assert open_exceptions(office.db, office.sue, after=second.exception_id) == []
    with pytest.raises(ServiceError, match="page size"):
        open_exceptions(office.db, office.sue, limit=0)


def test_resolving_one_takes_it_off_the_list_and_audits_its_ids_and_code(office: Office) -> None:
    first, second = open_exceptions(office.db, office.sue)
    later = NOW + timedelta(hours=1)
    said = resolve_exception(office.db, office.sue, first.exception_id, "matched_by_hand", now=later)
    assert said == f"Remittance exception {first.exception_id} resolved: matched to a claim by hand"
    assert [r.exception_id for r in open_exceptions(office.db, office.sue)] == [second.exception_id]
    assert open_exception_count(office.db, office.sue) == 1
    kept = {row.id: row for row in all_rows(office.db, RemittanceException)}
    assert kept[first.exception_id].resolved_at == later and kept[second.exception_id].resolved_at is None
    (event,) = audit_events(office.db, RESOLVE_ACTION)
    assert (event.actor, event.entity_type, event.entity_id, event.occurred_at) == (
        "sue",
        "remittance_exception",
        first.exception_id,
        later,
    )
    assert event_details(office.db, RESOLVE_ACTION, first.exception_id) == [
        {"remittance": first.remittance_id, "reason": "matched_by_hand"}
    ]


def test_resolving_twice_is_refused_in_one_line(office: Office) -> None:
    first, _ = open_exceptions(office.db, office.sue)
    resolve_exception(office.db, office.sue, first.exception_id, "not_ours", now=NOW)
    with pytest.raises(ServiceError) as refused:
        resolve_exception(office.db, office.sue, first.exception_id, "duplicate", now=NOW)
    assert str(refused.value) == f"remittance exception {first.exception_id} is already resolved"
    assert len(audit_events(office.db, RESOLVE_ACTION)) == 1


def test_the_reason_is_a_code_from_the_list(office: Office) -> None:
    first, _ = open_exceptions(office.db, office.sue)
    for typed in ("", "the patient paid", "NOT_OURS"):
        with pytest.raises(EntryError, match="choose one of matched_by_hand"):
            resolve_exception(office.db, office.sue, first.exception_id, typed, now=NOW)
    assert open_exception_count(office.db, office.sue) == 2 and not audit_events(office.db, RESOLVE_ACTION)
    assert resolution_codes() == ("matched_by_hand", "not_ours", "sent_back_to_payer", "duplicate", "other")
    assert set(RESOLUTIONS) == set(resolution_codes())


def test_an_unknown_exception_is_not_found(office: Office) -> None:
    with pytest.raises(NotFoundError, match="remittance exception 999 not found"):
        resolve_exception(office.db, office.sue, 999, "other", now=NOW)


def test_an_admin_may_too(office: Office) -> None:
    assert len(open_exceptions(office.db, SYSTEM)) == 2


def test_a_collector_is_refused_everything(office: Office) -> None:
    first, _ = open_exceptions(office.db, office.sue)
    with pytest.raises(AccessDeniedError, match="only a supervisor or an administrator"):
        open_exceptions(office.db, office.ann)
    with pytest.raises(AccessDeniedError):
        open_exception_count(office.db, office.ann)
    with pytest.raises(AccessDeniedError):
        resolve_exception(office.db, office.ann, first.exception_id, "other", now=NOW)
    assert open_exception_count(office.db, office.sue) == 2


def test_a_deactivated_supervisor_is_refused(office: Office) -> None:
    deactivate(office.db, SYSTEM, "sue", now=NOW)
    with pytest.raises(AccessDeniedError, match="deactivated"):
        open_exceptions(office.db, office.sue)


def test_an_unknown_status_code_says_so() -> None:
    assert status_label("4") == "denied"
    assert status_label("22") == "reversal of previous payment"
    assert status_label("99") == "unknown status 99"
