"""collector_tui.services.desk.activities: contacts logged elsewhere, recorded idempotently."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update
from sqlmodel import col

from collector_tui.db.models import Account, AccountHold, Activity, Guarantor, Phone
from collector_tui.domain.contact_log import ActivityRecord
from collector_tui.services.audit import SYSTEM
from collector_tui.services.database import Database
from collector_tui.services.desk.activities import ActivityResult, apply_activities
from collector_tui.services.team.users import add_user
from collector_tui.vocabulary import HoldReason, PhoneStatus, PhoneType
from tests.conftest import NOW
from tests.services.builders import (
    account,
    activity,
    all_rows,
    audit_events,
    count,
    place,
    placement,
    stale_rows,
)

LATER = NOW + timedelta(days=1)
CALLED_AT = datetime(2026, 11, 20, 15, 30, tzinfo=UTC)


@pytest.fixture
def placed(db: Database) -> Account:
    place(db, [placement()])
    return account(db, "A-1001")


def record(db: Database, records: Sequence[ActivityRecord], *, now: datetime = NOW) -> ActivityResult:
    with db.writing() as session:
        return apply_activities(session, records, actor=SYSTEM, now=now)


def test_an_outbound_no_answer_call_is_an_attempt_and_sets_last_contact(
    db: Database, placed: Account
) -> None:
    assert placed.last_contact_at is None

    result = record(db, [activity()])

    assert (result.inserted, result.unchanged, result.rejected) == (1, 0, [])
    [call] = all_rows(db, Activity)
    mobile = all_rows(db, Phone, Phone.number == "+16145550142")[0]
    assert (call.account_id, call.external_id, call.occurred_at) == (placed.id, "C-1", CALLED_AT)
    assert (call.channel, call.direction, call.outcome_code, call.party) == ("call", "out", "NA", "guarantor")
    assert (call.counts_as_attempt, call.counts_as_conversation) == (True, False)
    assert (call.phone_id, call.source, call.collector_id, call.created_at) == (
        mobile.id,
        "import",
        None,
        NOW,
    )
    after = account(db, "A-1001")
    assert after.last_contact_at == CALLED_AT
    assert after.updated_at == NOW
    assert [e.entity_id for e in audit_events(db, "activity.record")] == [placed.id]


def test_reapplying_the_same_activities_is_a_no_op(db: Database, placed: Account) -> None:
    records = [activity(), activity(activity_id="C-2", occurred_at="2026-11-21T16:00:00Z")]
    record(db, records)
    before = account(db, "A-1001")
    events_before = len(audit_events(db))

    result = record(db, records, now=LATER)

    assert (result.inserted, result.unchanged, result.rejected) == (0, 2, [])
    assert count(db, Activity) == 2
    assert len(audit_events(db)) == events_before
    after = account(db, "A-1001")
    assert (after.last_contact_at, after.updated_at) == (before.last_contact_at, before.updated_at)


def test_a_call_to_a_number_not_on_file_adds_the_phone(db: Database, placed: Account) -> None:
    assert count(db, Phone) == 2

    record(db, [activity(phone="(312) 555-0123")])

    [added] = all_rows(db, Phone, Phone.number == "+13125550123")
    assert (added.guarantor_id, added.source, added.phone_type) == (
        placed.guarantor_id,
        "import",
        PhoneType.OTHER,
    )
    assert (added.valid, added.time_zones, added.status, added.created_at) == (
        True,
        "America/Chicago",
        PhoneStatus.OK,
        NOW,
    )
    assert (added.consent_to_call_mobile, added.do_not_call) == (False, False)
    assert count(db, Phone) == 3
    [call] = all_rows(db, Activity)
    assert call.phone_id == added.id


def test_two_calls_to_the_same_new_number_add_it_once(db: Database, placed: Account) -> None:
    record(
        db,
        [
            activity(activity_id="C-1", phone="(312) 555-0123"),
            activity(activity_id="C-2", phone="312-555-0123", occurred_at="2026-11-21T16:00:00Z"),
        ],
    )

    [added] = all_rows(db, Phone, Phone.number == "+13125550123")
    assert {a.phone_id for a in all_rows(db, Activity)} == {added.id}


def test_an_activity_for_an_unknown_account_is_rejected(db: Database, placed: Account) -> None:
    result = record(db, [activity(activity_id="C-9", account_number="A-404")])

    assert result.rejected == [("C-9", "account_number", "no such account")]
    assert result.inserted == 0
    assert count(db, Activity) == 0
    assert count(db, Phone) == 2
    assert audit_events(db, "activity.record") == []


def test_collector_login_maps_to_the_collector(db: Database, placed: Account) -> None:
    with db.writing() as session:
        jsmith = add_user(session, SYSTEM, login="jsmith", display_name="J Smith", role="collector", now=NOW)

    record(
        db,
        [
            activity(activity_id="C-1", collector_login="jsmith"),
            activity(activity_id="C-2", collector_login="stranger"),
        ],
    )

    by_id = {a.external_id: a for a in all_rows(db, Activity)}
    assert by_id["C-1"].collector_id == jsmith
    assert by_id["C-2"].collector_id is None


def test_last_contact_only_moves_forward_and_only_for_contacts(db: Database, placed: Account) -> None:
    record(db, [activity(activity_id="C-1", occurred_at="2026-11-20T15:30:00Z")])

    # An older call, and a newer note (neither an attempt nor a conversation).
    record(
        db,
        [
            activity(activity_id="C-0", occurred_at="2026-11-10T15:30:00Z"),
            activity(
                activity_id="N-1",
                channel="note",
                direction="none",
                phone="",
                party="",
                result_code="NOTE",
                occurred_at="2026-11-26T09:00:00Z",
            ),
        ],
    )

    assert account(db, "A-1001").last_contact_at == CALLED_AT
    note = all_rows(db, Activity, Activity.external_id == "N-1")[0]
    assert (note.counts_as_attempt, note.counts_as_conversation, note.phone_id) == (False, False, None)

    # A newer conversation does move it.
    record(
        db,
        [
            activity(
                activity_id="C-3", direction="in", result_code="INBOUND", occurred_at="2026-11-25T14:00:00Z"
            )
        ],
    )
    assert account(db, "A-1001").last_contact_at == datetime(2026, 11, 25, 14, 0, tzinfo=UTC)


# -- what a disposition does, imported as in the workstation ------------------------------------


def open_holds(db: Database) -> list[tuple[int, str, datetime, str]]:
    return [
        (h.account_id, h.reason, h.placed_at, h.source)
        for h in all_rows(db, AccountHold, col(AccountHold.released_at).is_(None))
    ]


def test_a_cease_heard_by_the_dialer_stops_the_calls_for_the_household(db: Database, placed: Account) -> None:
    place(db, [placement(account_number="A-1002")])  # the same guarantor's second account

    record(db, [activity(result_code="CEASE", party="guarantor", note="stop calling me")])

    assert open_holds(db) == [(placed.id, HoldReason.CEASE, CALLED_AT, "import")]
    assert account(db, "A-1001").call_held and account(db, "A-1002").call_held
    assert all_rows(db, Guarantor)[0].cease_communication
    [event] = audit_events(db, "hold.place")
    assert (event.entity_id, event.details) == (placed.id, '{"reason": "cease"}')
    assert stale_rows(db) == 0


def test_a_dispute_is_dated_when_it_was_heard_and_placed_once(db: Database, placed: Account) -> None:
    later = "2026-11-21T16:00:00Z"
    record(
        db,
        [
            activity(activity_id="C-2", result_code="DISPUTE", occurred_at=later),
            activity(activity_id="C-1", result_code="DISPUTE"),
        ],
    )
    record(db, [activity(activity_id="C-3", result_code="DISPUTE", occurred_at="2026-11-22T16:00:00Z")])

    assert open_holds(db) == [(placed.id, HoldReason.DISPUTE, CALLED_AT, "import")]
    assert not all_rows(db, Guarantor)[0].cease_communication  # a dispute is about the debt, not the person
    assert len(audit_events(db, "hold.place")) == 1
    assert stale_rows(db) == 0


def test_a_wrong_number_is_marked_and_no_longer_dialled(db: Database, placed: Account) -> None:
    record(db, [activity(result_code="WRONG", party="third_party")])

    mobile = all_rows(db, Phone, Phone.number == "+16145550142")[0]
    assert (mobile.status, mobile.dialable) == (PhoneStatus.WRONG, False)
    home = all_rows(db, Phone, Phone.number == "+12085550100")[0]
    assert (home.status, home.dialable) == (PhoneStatus.OK, True)
    [event] = audit_events(db, "phone.mark")  # on the account, as the workstation records it
    assert (event.entity_type, event.entity_id) == ("account", placed.id)
    assert event.details == f'{{"phone": {mobile.id}, "status": "wrong"}}'
    assert open_holds(db) == []
    assert stale_rows(db) == 0


def test_the_latest_disposition_of_a_number_decides_its_status(db: Database, placed: Account) -> None:
    record(
        db,
        [  # the latest first in the file: the time decides, not the order
            activity(activity_id="C-3", result_code="WRONG", occurred_at="2026-11-22T16:00:00Z"),
            activity(activity_id="C-2", result_code="NA", occurred_at="2026-11-21T16:00:00Z"),
            activity(activity_id="C-1", result_code="DISC"),
        ],
    )

    assert all_rows(db, Phone, Phone.number == "+16145550142")[0].status == PhoneStatus.WRONG


def test_an_old_bad_number_report_arriving_late_does_not_undo_a_later_contact(
    db: Database, placed: Account
) -> None:
    record(db, [activity(activity_id="C-2", result_code="RPC_PTP", occurred_at="2026-11-22T16:00:00Z")])
    record(db, [activity(activity_id="C-1", result_code="WRONG")])  # Nov 20, from yesterday's late file

    assert all_rows(db, Phone, Phone.number == "+16145550142")[0].status == PhoneStatus.OK
    assert audit_events(db, "phone.mark") == []


def test_a_hold_released_after_the_request_is_not_placed_again_by_a_late_report(
    db: Database, placed: Account
) -> None:
    record(db, [activity(activity_id="C-1", result_code="DISPUTE")])  # heard Nov 20
    with db.writing() as session:  # a supervisor sent the verification and released it on Nov 25
        session.execute(update(AccountHold).values(released_at=datetime(2026, 11, 25, tzinfo=UTC)))

    record(db, [activity(activity_id="C-0", result_code="DISPUTE", occurred_at="2026-11-19T16:00:00Z")])
    assert open_holds(db) == []  # the late report of an older dispute changes nothing

    record(db, [activity(activity_id="C-3", result_code="DISPUTE", occurred_at="2026-11-26T16:00:00Z")])
    assert open_holds(db) == [
        (placed.id, HoldReason.DISPUTE, datetime(2026, 11, 26, 16, tzinfo=UTC), "import")
    ]  # a new dispute after the release is a new hold


def test_a_hold_is_never_dated_after_the_import(db: Database, placed: Account) -> None:
    record(db, [activity(result_code="CEASE", occurred_at="2026-11-27T23:00:00Z")])  # later today

    assert open_holds(db) == [(placed.id, HoldReason.CEASE, NOW, "import")]


def test_a_released_cease_reported_late_sets_no_flag_again(db: Database, placed: Account) -> None:
    record(db, [activity(activity_id="C-1", result_code="CEASE")])  # heard Nov 20
    with db.writing() as session:  # released (and the flag cleared) by a supervisor on Nov 25
        session.execute(update(AccountHold).values(released_at=datetime(2026, 11, 25, tzinfo=UTC)))
        session.execute(update(Guarantor).values(cease_communication=False))

    record(db, [activity(activity_id="C-0", result_code="CEASE", occurred_at="2026-11-19T16:00:00Z")])

    assert open_holds(db) == []
    assert not all_rows(db, Guarantor)[0].cease_communication
