"""Workspace actions on a copy of the demo office: each rule, the database after, the audit event."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from collector_tui.db.models import (
    Account,
    AccountHold,
    Activity,
    AuditEvent,
    Facility,
    Guarantor,
    Phone,
    Promise,
    table_of,
)
from collector_tui.services.audit import SYSTEM, Actor
from collector_tui.services.database import Database
from collector_tui.services.desk.account_actions import (
    ContactEntry,
    add_note,
    add_phone,
    change_phone,
    log_contact,
    place_hold,
    release_hold,
    set_callback,
    take_payment,
    take_promise,
)
from collector_tui.services.desk.activities import apply_activities
from collector_tui.services.errors import AccessDeniedError, CallBlockedError, EntryError, StaleAccountError
from collector_tui.services.law.compliance import callable_account_ids
from collector_tui.services.law.policy import current_policy
from collector_tui.services.team.identity import resolve_actor
from collector_tui.services.worklists.queue import (
    SECTION_CALL,
    SECTION_HOLD,
    SECTION_LATER,
    QueueFilter,
    claim_next,
    queue_page,
)
from collector_tui.vocabulary import HoldReason, PhoneStatus, PromiseStatus
from tests.conftest import NOW
from tests.services.builders import activity

A = table_of(Account).c
CLOSED = NOW.replace(hour=10)  # 05:00 Eastern, 00:00 in Hawaii: no zone's window is open


def _actor(db: Database, login: str = "mlopez") -> Actor:
    return resolve_actor(db, act_as=login)


def _callable(db: Database, actor: Actor) -> tuple[int, int, int]:
    """(account id, version, an allowed phone id) of one of the actor's callable accounts."""
    page = queue_page(db, actor, now=NOW, chosen=QueueFilter(section=SECTION_CALL))
    from collector_tui.domain.compliance.engine import evaluate
    from collector_tui.services.law.compliance import load_facts
    from collector_tui.services.law.policy import current_policy

    account_id = page.rows[0].id
    with db.reading() as session:
        verdict = evaluate(load_facts(session, [account_id], NOW)[account_id], current_policy(), NOW)
        version = session.execute(select(A.version).where(A.id == account_id)).scalar_one()
    phone_id = next(p.phone_id for p in verdict.phones if p.allowed)
    return account_id, version, phone_id


def _count(db: Database, model: type, *where: Any) -> int:
    with db.reading() as session:
        return int(
            session.execute(select(func.count()).select_from(table_of(model)).where(*where)).scalar_one()
        )


def _events(db: Database, action: str) -> list[AuditEvent]:
    with db.reading() as session:
        rows = session.execute(select(table_of(AuditEvent)).where(table_of(AuditEvent).c.action == action))
        return [AuditEvent(**row._mapping) for row in rows]


def _account(db: Database, account_id: int) -> Account:
    with db.reading() as session:
        found = session.get(Account, account_id)
        assert found is not None
        session.expunge(found)
        return found


def _hold_rows(db: Database, account_id: int, reason: str) -> list[Any]:
    h = table_of(AccountHold).c
    with db.reading() as session:
        return list(
            session.execute(
                select(h.reason, h.received_via, h.placed_at, h.released_at)
                .where(h.account_id == account_id, h.reason == reason)
                .order_by(h.id)
            )
        )


def test_a_no_answer_is_logged_counted_audited_and_leaves_the_call_list(office: Database) -> None:
    actor = _actor(office)
    account_id, version, phone_id = _callable(office, actor)
    before = _count(office, Activity, table_of(Activity).c.account_id == account_id)
    result = log_contact(office, actor, ContactEntry(account_id, version, "NA", phone_id), now=NOW)
    assert result.version == version + 1 and result.next_step == "none"
    with office.reading() as session:
        row = session.execute(
            select(table_of(Activity))
            .where(table_of(Activity).c.account_id == account_id)
            .order_by(table_of(Activity).c.id.desc())
        ).first()
    assert (
        row is not None
        and row.outcome_code == "NA"
        and row.counts_as_attempt
        and not row.counts_as_conversation
    )
    assert _count(office, Activity, table_of(Activity).c.account_id == account_id) == before + 1
    account = _account(office, account_id)
    assert account.last_worked_at == NOW and account.last_contact_at == NOW
    event = _events(office, "contact.log")[-1]
    assert event.entity_id == account_id and event.actor == actor.login
    assert json.loads(event.details or "{}") == {
        "activity": row.id,
        "disposition": "NA",
        "phone": phone_id,
        "policy_digest": current_policy().digest(),  # the compliance policy the call was judged by
    }


def test_a_blocked_call_is_refused_and_nothing_is_written(office: Database) -> None:
    actor = _actor(office)
    account_id, version, phone_id = _callable(office, actor)
    before = _count(office, Activity)
    with pytest.raises(CallBlockedError) as refused:
        log_contact(office, actor, ContactEntry(account_id, version, "NA", phone_id), now=CLOSED)
    assert any(b.rule_id == "window" for b in refused.value.blocks)
    assert "may not be placed now" in str(refused.value)
    assert _count(office, Activity) == before
    assert _account(office, account_id).version == version


def test_only_a_supervisor_may_override_and_the_override_is_recorded(office: Database) -> None:
    collector = _actor(office)
    account_id, version, phone_id = _callable(office, collector)
    entry = ContactEntry(
        account_id, version, "NA", phone_id, override_reason="consumer asked for a late call"
    )
    with pytest.raises(AccessDeniedError):
        log_contact(office, collector, entry, now=CLOSED)
    supervisor = _actor(office, "sreed")
    result = log_contact(office, supervisor, entry, now=CLOSED)
    assert "override recorded" in result.message
    details = json.loads(_events(office, "contact.log")[-1].details or "{}")
    assert details["override"] is True and "window" in details["rules"]
    with office.reading() as session:
        note = session.execute(
            select(table_of(Activity).c.note).where(table_of(Activity).c.id == details["activity"])
        ).scalar_one()
    assert "Compliance override: consumer asked for a late call" in note


def test_an_inbound_call_is_not_a_placed_call_and_is_never_blocked(office: Database) -> None:
    actor = _actor(office)
    account_id, version, phone_id = _callable(office, actor)
    result = log_contact(
        office, actor, ContactEntry(account_id, version, "INBOUND", phone_id, "in"), now=CLOSED
    )
    assert result.version == version + 1


def test_a_stale_version_is_detected_and_nothing_is_written(office: Database) -> None:
    actor = _actor(office)
    account_id, version, phone_id = _callable(office, actor)
    add_note(office, _actor(office, "sreed"), account_id, version, "supervisor reviewed", now=NOW)
    before = _count(office, Activity)
    with pytest.raises(StaleAccountError) as stale:
        log_contact(office, actor, ContactEntry(account_id, version, "NA", phone_id), now=NOW)
    assert stale.value.current_version == version + 1
    assert _count(office, Activity) == before


def test_a_collector_cannot_work_another_collectors_account(office: Database) -> None:
    actor = _actor(office)
    with office.reading() as session:
        other = session.execute(
            select(A.id, A.version).where(
                A.assigned_collector_id.is_not(None), A.assigned_collector_id != actor.collector_id
            )
        ).first()
    assert other is not None
    with pytest.raises(AccessDeniedError):
        add_note(office, actor, other.id, other.version, "hello", now=NOW)


def test_bad_entries_name_the_field(office: Database) -> None:
    actor = _actor(office)
    account_id, version, _ = _callable(office, actor)
    with pytest.raises(EntryError) as bad:
        log_contact(office, actor, ContactEntry(account_id, version, "XYZ"), now=NOW)
    assert bad.value.problems[0][0] == "disposition"
    with pytest.raises(EntryError) as no_phone:
        log_contact(office, actor, ContactEntry(account_id, version, "NA"), now=NOW)
    assert no_phone.value.problems == [("phone", "choose the number you dialled")]
    with pytest.raises(EntryError):
        add_note(office, actor, account_id, version, "   ", now=NOW)


def test_promise_policy_is_enforced(office: Database) -> None:
    actor = _actor(office)
    account_id, version, _ = _callable(office, actor)
    balance = _account(office, account_id).total_balance_cents
    p = table_of(Promise).c
    with office.writing() as session:  # start from no pending promise
        session.execute(
            table_of(Promise).update().where(p.account_id == account_id).values(status="cancelled")
        )
    with pytest.raises(EntryError) as small:
        take_promise(office, actor, account_id, version, amount_cents=100, due=NOW.date(), now=NOW)
    assert small.value.problems[0][0] == "amount"
    with pytest.raises(EntryError) as far:
        take_promise(office, actor, account_id, version, amount_cents=balance, due=date(2027, 3, 1), now=NOW)
    assert far.value.problems == [("due", "is more than 30 days away")]
    result = take_promise(
        office, actor, account_id, version, amount_cents=balance, due=NOW.date() + timedelta(days=7), now=NOW
    )
    assert _count(office, Promise, p.account_id == account_id, p.status == PromiseStatus.PENDING) == 1
    with pytest.raises(EntryError, match="already pending"):
        take_promise(office, actor, account_id, result.version, amount_cents=balance, due=NOW.date(), now=NOW)
    assert _events(office, "promise.take")[-1].entity_id == account_id


def test_a_dispute_places_a_hold_and_the_account_moves_to_the_hold_section(office: Database) -> None:
    actor = _actor(office)
    account_id, version, phone_id = _callable(office, actor)
    result = log_contact(
        office, actor, ContactEntry(account_id, version, "DISPUTE", phone_id, party="guarantor"), now=NOW
    )
    assert "hold placed" in result.message
    h = table_of(AccountHold).c
    assert _count(
        office, AccountHold, h.account_id == account_id, h.reason == "dispute", h.released_at.is_(None)
    )
    # Said on the call: received orally. Her letter then puts it in writing (1692g(b)): collection stops.
    assert [r.received_via for r in _hold_rows(office, account_id, "dispute")] == ["oral"]
    result = place_hold(
        office, actor, account_id, result.version, "dispute", "her letter", now=NOW, received_via="written"
    )
    assert _account(office, account_id).call_held
    with office.reading() as session:
        assert account_id not in callable_account_ids(session, NOW, [account_id])
    held = queue_page(office, actor, now=NOW, chosen=QueueFilter(section=SECTION_HOLD), limit=500)
    assert account_id in [row.id for row in held.rows]
    with pytest.raises(AccessDeniedError):
        release_hold(office, actor, account_id, result.version, "dispute", "verification sent", now=NOW)
    released = release_hold(
        office, _actor(office, "sreed"), account_id, result.version, "dispute", "verification sent", now=NOW
    )
    assert released.version == result.version + 1


def test_a_person_level_hold_stops_the_whole_household(office: Database) -> None:
    actor = _actor(office, "sreed")
    account_id, version, _ = _callable(office, _actor(office))
    place_hold(
        office, actor, account_id, version, HoldReason.BANKRUPTCY, "chapter 7 notice received", now=NOW
    )
    guarantor = _account(office, account_id).guarantor_id
    with office.reading() as session:
        household = list(session.execute(select(A.id).where(A.guarantor_id == guarantor)).scalars())
        assert not callable_account_ids(session, NOW, household)


def test_payments_refuse_card_numbers_and_lower_the_balance(office: Database) -> None:
    actor = _actor(office)
    account_id, version, _ = _callable(office, actor)
    balance = _account(office, account_id).total_balance_cents
    with pytest.raises(EntryError) as card:
        take_payment(
            office,
            actor,
            account_id,
            version,
            amount_cents=1000,
            method="card",
            reference="4111 1111 1111 1111",
            now=NOW,
        )
    assert card.value.problems == [("reference", "looks like a card number: card numbers are never stored")]
    with pytest.raises(EntryError):
        take_payment(
            office,
            actor,
            account_id,
            version,
            amount_cents=balance + 1,
            method="card",
            reference="C-1",
            now=NOW,
        )
    result = take_payment(
        office, actor, account_id, version, amount_cents=1000, method="card", reference="AUTH-77812", now=NOW
    )
    after = _account(office, account_id)
    assert after.total_balance_cents == balance - 1000 and after.version == result.version
    assert _events(office, "payment.take")[-1].entity_id == account_id


def test_phone_changes_and_a_new_number(office: Database) -> None:
    actor = _actor(office)
    account_id, version, phone_id = _callable(office, actor)
    result = log_contact(office, actor, ContactEntry(account_id, version, "DISC", phone_id), now=NOW)
    with office.reading() as session:
        phone = session.get(Phone, phone_id)
        assert phone is not None and phone.status == PhoneStatus.DISCONNECTED and not phone.dialable
    result = change_phone(office, actor, account_id, result.version, phone_id, "ok", now=NOW)
    result = change_phone(office, actor, account_id, result.version, phone_id, "do_not_call", now=NOW)
    with office.reading() as session:
        phone = session.get(Phone, phone_id)
        assert phone is not None and phone.do_not_call and phone.do_not_call_at == NOW and not phone.dialable
    with pytest.raises(EntryError):
        add_phone(office, actor, account_id, result.version, "555", "mobile", now=NOW)
    added = add_phone(office, actor, account_id, result.version, "(614) 555-0199", "mobile", now=NOW)
    assert "0199" in added.message
    with pytest.raises(EntryError, match="already on file"):
        add_phone(office, actor, account_id, added.version, "614-555-0199", "home", now=NOW)


def test_a_callback_parks_the_account_until_its_time(office: Database) -> None:
    actor = _actor(office)
    account_id, version, _ = _callable(office, actor)
    with pytest.raises(EntryError):
        set_callback(office, actor, account_id, version, NOW - timedelta(minutes=1), now=NOW)
    at = NOW + timedelta(hours=2)
    set_callback(office, actor, account_id, version, at, now=NOW)
    assert _account(office, account_id).next_action_at == at


def test_a_worked_account_leaves_the_call_list_until_the_rework_delay_ends(office: Database) -> None:
    actor = _actor(office)
    account_id, version, phone_id = _callable(office, actor)
    log_contact(office, actor, ContactEntry(account_id, version, "LMVM", phone_id), now=NOW)

    def section_of(at: datetime) -> tuple[str, str | None, datetime | None]:
        for section in (SECTION_CALL, SECTION_LATER):
            page = queue_page(office, actor, now=at, chosen=QueueFilter(section=section), limit=1000)
            for row in page.rows:
                if row.id == account_id:
                    return section, row.rule, row.callable_at
        return "", None, None

    section, rule, back = section_of(NOW + timedelta(minutes=5))
    assert (section, rule, back) == (SECTION_LATER, "rework", NOW + timedelta(hours=4))
    assert claim_next(office, actor, NOW + timedelta(minutes=5)) != account_id
    assert section_of(NOW + timedelta(hours=4, minutes=1))[0] == SECTION_CALL


def test_a_callback_set_for_later_is_shown_with_its_time(office: Database) -> None:
    actor = _actor(office)
    account_id, version, _ = _callable(office, actor)
    at = NOW + timedelta(hours=1)
    set_callback(office, actor, account_id, version, at, now=NOW)
    rows = queue_page(office, actor, now=NOW, chosen=QueueFilter(section=SECTION_LATER), limit=1000).rows
    row = next(r for r in rows if r.id == account_id)
    assert row.rule == "callback" and row.callable_at == at and not row.callable_now
    due = queue_page(office, actor, now=at + timedelta(minutes=1), chosen=QueueFilter(section=SECTION_CALL))
    assert due.rows[0].id == account_id  # a due callback sorts first


def test_a_callback_outside_the_debtors_calling_window_is_refused(office: Database) -> None:
    actor = _actor(office)
    account_id, version, _ = _callable(office, actor)
    night = (NOW + timedelta(days=1)).replace(hour=10)  # 05:00 Eastern, midnight in Hawaii
    with pytest.raises(EntryError) as refused:
        set_callback(office, actor, account_id, version, night, now=NOW)
    (field, problem), *_ = refused.value.problems
    assert field == "when" and "outside 08:00-21:00 local time" in problem and "[window]" in problem


def test_a_number_a_collector_set_right_is_not_undone_by_an_older_dialer_report(office: Database) -> None:
    actor = _actor(office)
    account_id, version, phone_id = _callable(office, actor)
    result = log_contact(office, actor, ContactEntry(account_id, version, "WRONG", phone_id), now=NOW)
    change_phone(office, actor, account_id, result.version, phone_id, "ok", now=NOW)
    with office.reading() as session:
        phone = session.get(Phone, phone_id)
        acct = session.get(Account, account_id)
        assert phone is not None and acct is not None
        facility = table_of(Facility).c
        code = session.execute(select(facility.code).where(facility.id == acct.facility_id)).scalar_one()
        key = {"facility_code": code, "account_number": acct.account_number, "phone": phone.number}

    yesterday = (NOW - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    with office.writing() as session:  # the dialer's file, arriving late, reports the older WRONG
        apply_activities(
            session,
            [activity(activity_id="D-1", occurred_at=yesterday, result_code="WRONG", **key)],
            actor=SYSTEM,
            now=NOW,
        )

    with office.reading() as session:
        reported = session.execute(
            select(Activity).where(table_of(Activity).c.external_id == "D-1")
        ).scalar_one()
        assert reported.phone_id == phone_id  # the report is about this very number
        phone = session.get(Phone, phone_id)
        assert phone is not None and phone.status == PhoneStatus.OK and phone.dialable


def test_a_dispute_or_cease_records_whether_it_came_orally_or_in_writing(office: Database) -> None:
    actor = _actor(office)
    account_id, version, _ = _callable(office, actor)
    with pytest.raises(EntryError) as bad:
        place_hold(
            office, actor, account_id, version, "dispute", "says not hers", now=NOW, received_via="fax"
        )
    assert bad.value.problems[0][0] == "received" and not _hold_rows(office, account_id, "dispute")
    with pytest.raises(EntryError) as unsaid:  # the workspace asks how it came, with every other problem
        place_hold(office, actor, account_id, version, "cease", " ", now=NOW, require_received=True)
    assert [field for field, _ in unsaid.value.problems] == ["received", "note"]
    result = place_hold(
        office, actor, account_id, version, "dispute", "says not hers", now=NOW, received_via="oral"
    )
    assert "orally" in result.message
    assert [(r.received_via, r.released_at) for r in _hold_rows(office, account_id, "dispute")] == [
        ("oral", None)
    ]
    assert json.loads(_events(office, "hold.place")[-1].details or "{}") == {
        "activity": json.loads(_events(office, "hold.place")[-1].details or "{}")["activity"],
        "reason": "dispute",
        "received_via": "oral",
    }
    later = NOW + timedelta(days=3)  # her letter arrives: the written dispute replaces the oral one
    result = place_hold(
        office, actor, account_id, result.version, "dispute", "letter", now=later, received_via="written"
    )
    rows = _hold_rows(office, account_id, "dispute")
    assert [(r.received_via, r.placed_at, r.released_at) for r in rows] == [
        ("oral", NOW, later),
        ("written", later, None),
    ]
    result = place_hold(  # an oral one after a written one changes nothing
        office, actor, account_id, result.version, "dispute", "again", now=later, received_via="oral"
    )
    assert len(_hold_rows(office, account_id, "dispute")) == 2
    place_hold(  # only a dispute or a cease records how it came
        office, actor, account_id, result.version, "attorney", "has a lawyer", now=later, received_via="oral"
    )
    assert [r.received_via for r in _hold_rows(office, account_id, "attorney")] == [None]


def _reach_the_call_limit(db: Database, actor: Actor, account_id: int, version: int, phone_id: int) -> int:
    """Place as many calls as the frequency rule allows in its days (from NOW on); the new version."""
    for minute in range(current_policy().rule("frequency").int_param("attempts")):
        entry = ContactEntry(account_id, version, "NA", phone_id)
        version = log_contact(db, actor, entry, now=NOW + timedelta(minutes=minute)).version
    return version


def test_a_callback_is_refused_by_a_hold_even_when_the_consumer_asks(office: Database) -> None:
    actor = _actor(office)
    account_id, version, _ = _callable(office, actor)
    version = place_hold(
        office, actor, account_id, version, "cease", "letter: stop", now=NOW, received_via="written"
    ).version
    for asked in (False, True):
        with pytest.raises(EntryError) as refused:
            set_callback(
                office, actor, account_id, version, NOW + timedelta(days=1), now=NOW, consumer_asked=asked
            )
        (field, problem), *_ = refused.value.problems
        assert field == "when" and "[cease]" in problem and "stop communicating" in problem
    with office.reading() as session:
        guarantor = session.get(Guarantor, _account(office, account_id).guarantor_id)
        assert guarantor is not None and guarantor.call_time_consent is None  # nothing was written
    assert _account(office, account_id).next_action_at is None and not _events(office, "callback.set")


def test_a_callback_past_the_call_limit_is_allowed_when_the_consumer_asks_for_it(office: Database) -> None:
    actor = _actor(office)
    account_id, version, phone_id = _callable(office, actor)
    version = _reach_the_call_limit(office, actor, account_id, version, phone_id)
    now = NOW + timedelta(minutes=10)
    at = NOW + timedelta(days=1)  # same time tomorrow: the number's calling window is as open
    with pytest.raises(EntryError) as refused:
        set_callback(office, actor, account_id, version, at, now=now)
    assert "[frequency]" in refused.value.problems[0][1]
    result = set_callback(office, actor, account_id, version, at, now=now, consumer_asked=True)
    assert "consent" in result.message
    account = _account(office, account_id)
    assert account.next_action_at == at
    days = current_policy().rule("consent_window").int_param("days")
    assert account.call_exempt_until == now + timedelta(days=days)  # the stored call state follows
    with office.reading() as session:
        guarantor = session.get(Guarantor, account.guarantor_id)
        assert guarantor is not None
    from collector_tui.services.desk.consumer_requests import consumer_wishes

    local = at.astimezone(ZoneInfo(consumer_wishes(office, actor, account_id, now=now).home_zone))
    slot = f"{local:%a}".lower() + f" {local:%H:%M}-{local + timedelta(minutes=30):%H:%M}"
    assert guarantor.call_time_consent == slot
    assert guarantor.call_time_consent_at == now and guarantor.call_consent_at == now
    assert json.loads(_events(office, "callback.set")[-1].details or "{}")["consumer_asked"] is True


def test_a_callback_with_no_number_to_call_or_at_an_inconvenient_time_is_refused(office: Database) -> None:
    from collector_tui.services.desk.consumer_requests import add_inconvenient_time, remove_time

    actor = _actor(office)
    account_id, version, _ = _callable(office, actor)
    at = NOW + timedelta(days=1)  # a Saturday
    version = add_inconvenient_time(
        office, actor, account_id, version, days="sat", start="0:00", end="24:00", now=NOW
    ).version
    with pytest.raises(EntryError) as inconvenient:
        set_callback(office, actor, account_id, version, at, now=NOW)
    assert "[inconvenient]" in inconvenient.value.problems[0][1]
    version = remove_time(
        office, actor, account_id, version, kind="inconvenient", period="sat 00:00-24:00", now=NOW
    ).version
    with office.reading() as session:
        guarantor_id = _account(office, account_id).guarantor_id
        p = table_of(Phone).c
        phones = list(session.execute(select(p.id).where(p.guarantor_id == guarantor_id)).scalars())
    for phone_id in phones:
        version = change_phone(office, actor, account_id, version, phone_id, "do_not_call", now=NOW).version
    with pytest.raises(EntryError) as no_number:
        set_callback(office, actor, account_id, version, at, now=NOW, consumer_asked=True)
    assert "[do_not_call]" in no_number.value.problems[0][1]


def test_a_callback_the_consumer_asks_for_before_the_calling_window_is_their_consent(
    office: Database,
) -> None:
    from collector_tui.services.desk.consumer_requests import consumer_wishes

    actor = _actor(office)
    account_id, version, _ = _callable(office, actor)
    home = ZoneInfo(consumer_wishes(office, actor, account_id, now=NOW).home_zone)
    early = datetime.combine(NOW.date() + timedelta(days=3), time(7, 30), tzinfo=home)  # Monday 07:30
    with pytest.raises(EntryError) as refused:
        set_callback(office, actor, account_id, version, early, now=NOW)
    assert "[window]" in refused.value.problems[0][1]
    set_callback(office, actor, account_id, version, early, now=NOW, consumer_asked=True)
    assert _account(office, account_id).next_action_at == early
