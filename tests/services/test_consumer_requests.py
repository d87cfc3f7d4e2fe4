"""What the consumer asks on the phone: the database after, the audit event, the call state after,
the refusals that write nothing."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from collector_tui.db.models import Account, Activity, CallGroup, Phone, table_of
from collector_tui.domain.compliance.clock import zone
from collector_tui.services.database import Database
from collector_tui.services.desk.account_actions import add_note
from collector_tui.services.desk.account_change import ActionResult
from collector_tui.services.desk.consumer_requests import (
    add_inconvenient_time,
    consent_to_call_time,
    consumer_wishes,
    no_calls_at_work,
    remove_time,
    revoke_call_consent,
    stop_emailing,
    stop_texting,
)
from collector_tui.services.errors import EntryError, StaleAccountError
from collector_tui.services.law.compliance import callable_account_ids
from collector_tui.services.law.policy import current_policy
from tests.conftest import NOW
from tests.services.builders import event_details, guarantor_of, phone_record
from tests.services.test_account_actions import _actor, _callable

A = table_of(Account).c


def _line(db: Database, activity_id: int) -> Any:
    with db.reading() as session:
        return session.execute(select(table_of(Activity)).where(table_of(Activity).c.id == activity_id)).one()


def _household(db: Database, account_id: int) -> list[Account]:
    with db.reading() as session:
        account = session.get(Account, account_id)
        assert account is not None
        rows = list(session.execute(select(Account).where(A.guarantor_id == account.guarantor_id)).scalars())
        for row in rows:
            session.expunge(row)
        return rows


def _shared_account(db: Database) -> tuple[int, int, int]:
    """Like ``_callable``, for an account whose guarantor owes more than one (a household)."""
    actor = _actor(db)
    for _ in range(50):
        account_id, version, phone_id = _callable(db, actor)
        if len(_household(db, account_id)) > 1:
            return account_id, version, phone_id
        add_note(db, actor, account_id, version, "not this one", now=NOW)
        with db.writing() as session:  # out of the way of the next pick
            session.execute(table_of(Account).update().where(A.id == account_id).values(call_held=True))
    raise AssertionError("no callable household in the demo office")


def _their_today(db: Database, account_id: int) -> datetime:
    return NOW.astimezone(zone(consumer_wishes(db, _actor(db), account_id, now=NOW).home_zone))


def test_no_calls_at_work_marks_the_person_and_their_work_number(office: Database) -> None:
    actor = _actor(office)
    account_id, version, phone_id = _callable(office, actor)
    assert not guarantor_of(office, account_id).no_calls_at_work
    result = no_calls_at_work(office, actor, account_id, version, phone_id=phone_id, now=NOW)
    assert result.version == version + 1
    assert "work" in result.message and phone_record(office, phone_id).number[-4:] not in result.message
    assert guarantor_of(office, account_id).no_calls_at_work
    phone = phone_record(office, phone_id)
    assert phone.is_work and not phone.dialable  # the stored call state was recomputed
    with office.reading() as session:
        assert session.execute(select(A.version).where(A.id == account_id)).scalar_one() == version + 1
    (event,) = event_details(office, "consumer.no_calls_at_work", account_id)
    assert event == {"activity": event["activity"], "phone": phone_id}
    line = _line(office, event["activity"])
    assert line.outcome_code == "REQUEST" and line.occurred_at == NOW
    local = _their_today(office, account_id)
    assert f"({local:%a %b %d %H:%M %Z})" in line.note and "no calls at work" in line.note
    with pytest.raises(EntryError) as again:
        no_calls_at_work(office, actor, account_id, result.version, phone_id=phone_id, now=NOW)
    assert again.value.problems[0][0] == "request"


def test_an_inconvenient_time_is_appended_checked_and_removed(office: Database) -> None:
    actor = _actor(office)
    account_id, version, phone_id = _callable(office, actor)
    before = guarantor_of(office, account_id).inconvenient_times
    for days, start, end, field in (
        ("mon-fri", "25:00", "13:00", "from"),
        ("mon-fri", "12:00", "lunch", "until"),
        ("funday", "12:00", "13:00", "days"),
        ("mon-fri", "13:00", "12:00", "until"),  # ends before it starts
    ):
        with pytest.raises(EntryError) as bad:
            add_inconvenient_time(
                office, actor, account_id, version, days=days, start=start, end=end, now=NOW
            )
        assert [f for f, _ in bad.value.problems] == [field], bad.value.problems
    assert guarantor_of(office, account_id).inconvenient_times == before  # nothing written
    assert not event_details(office, "consumer.inconvenient_time", account_id)

    # "Not on Fridays at all": at NOW (a Friday everywhere in the US) no number may be called.
    result = add_inconvenient_time(
        office, actor, account_id, version, days="Friday", start="0:00", end="24:00", now=NOW
    )
    spec = guarantor_of(office, account_id).inconvenient_times
    assert spec == "fri 00:00-24:00"
    with office.reading() as session:
        group = session.get(CallGroup, phone_record(office, phone_id).call_group_id)
        assert group is not None and group.inconvenient == spec  # the phones' call groups follow
        assert not callable_account_ids(session, NOW, [account_id])
    (event,) = event_details(office, "consumer.inconvenient_time", account_id)
    assert event["periods"] == 1 and "fri" not in json.dumps(event)  # the times stay out of the audit
    result = add_inconvenient_time(
        office, actor, account_id, result.version, days="", start="9pm", end="12am", now=NOW
    )
    assert guarantor_of(office, account_id).inconvenient_times == "fri 00:00-24:00; 21:00-24:00"
    with pytest.raises(EntryError, match="already on file"):
        add_inconvenient_time(
            office, actor, account_id, result.version, days="daily", start="21:00", end="24:00", now=NOW
        )
    wishes = consumer_wishes(office, actor, account_id, now=NOW)
    assert wishes.inconvenient_times == ("fri 00:00-24:00", "21:00-24:00")
    result = remove_time(
        office, actor, account_id, result.version, kind="inconvenient", period="fri 00:00-24:00", now=NOW
    )
    assert guarantor_of(office, account_id).inconvenient_times == "21:00-24:00"
    with office.reading() as session:
        assert callable_account_ids(session, NOW, [account_id]) == {account_id}
    assert len(event_details(office, "consumer.inconvenient_time_removed", account_id)) == 1
    with pytest.raises(EntryError) as gone:
        remove_time(
            office, actor, account_id, result.version, kind="inconvenient", period="fri 00:00-24:00", now=NOW
        )
    assert gone.value.problems[0][0] == "remove"


def test_stop_texting_and_stop_emailing(office: Database) -> None:
    actor = _actor(office)
    account_id, version, phone_id = _callable(office, actor)
    with pytest.raises(EntryError) as no_phone:
        stop_texting(office, actor, account_id, version, None, now=NOW)
    assert no_phone.value.problems == [("phone", "choose a number")]
    with office.reading() as session:
        stranger = session.execute(
            select(table_of(Phone).c.id).where(
                table_of(Phone).c.guarantor_id != phone_record(office, phone_id).guarantor_id
            )
        ).first()
    assert stranger is not None
    with pytest.raises(EntryError, match="not one of this guarantor's numbers"):
        stop_texting(office, actor, account_id, version, stranger.id, now=NOW)
    result = stop_texting(office, actor, account_id, version, phone_id, now=NOW)
    assert phone_record(office, phone_id).text_opt_out_at == NOW
    assert "texts" in result.message and phone_record(office, phone_id).number[-4:] not in result.message
    (event,) = event_details(office, "consumer.text_opt_out", account_id)
    assert event["phone"] == phone_id
    with pytest.raises(EntryError, match="already stopped"):
        stop_texting(office, actor, account_id, result.version, phone_id, now=NOW)
    result = stop_emailing(office, actor, account_id, result.version, now=NOW)
    assert guarantor_of(office, account_id).email_opt_out_at == NOW
    assert len(event_details(office, "consumer.email_opt_out", account_id)) == 1
    with pytest.raises(EntryError, match="already stopped"):
        stop_emailing(office, actor, account_id, result.version, now=NOW)
    wishes = consumer_wishes(office, actor, account_id, now=NOW)
    assert wishes.email_opt_out_at == NOW
    assert next(p for p in wishes.phones if p.id == phone_id).text_opt_out_at == NOW


def test_you_may_call_me_at_a_time_is_their_consent_for_the_household(office: Database) -> None:
    actor = _actor(office)
    account_id, version, _ = _shared_account(office)
    local = _their_today(office, account_id)
    yesterday = (local - timedelta(days=1)).date().isoformat()
    with pytest.raises(EntryError) as past:
        consent_to_call_time(
            office, actor, account_id, version, on=yesterday, start="7:30am", end="8:00am", now=NOW
        )
    assert past.value.problems[0][0] == "on" and "in the past" in past.value.problems[0][1]
    earlier = f"{local.hour - 2}:00"
    with pytest.raises(EntryError) as today:
        consent_to_call_time(
            office,
            actor,
            account_id,
            version,
            on=local.date().isoformat(),
            start="0:00",
            end=earlier,
            now=NOW,
        )
    assert today.value.problems[0][0] == "until"
    with pytest.raises(EntryError) as bad:
        consent_to_call_time(office, actor, account_id, version, on="someday", start="7", end="8", now=NOW)
    assert bad.value.problems[0][0] == "on"
    assert guarantor_of(office, account_id).call_time_consent is None  # nothing written
    tomorrow = (local + timedelta(days=1)).date()
    result = consent_to_call_time(
        office, actor, account_id, version, on=tomorrow.isoformat(), start="7:30am", end="8am", now=NOW
    )
    guarantor = guarantor_of(office, account_id)
    assert guarantor.call_time_consent == f"{tomorrow:%a}".lower() + " 07:30-08:00"
    assert guarantor.call_time_consent_at == NOW and guarantor.call_consent_at == NOW
    days = current_policy().rule("consent_window").int_param("days")
    # Every account of the person: their stored call state now carries the consent.
    assert all(a.call_exempt_until == NOW + timedelta(days=days) for a in _household(office, account_id))
    (event,) = event_details(office, "consumer.call_time_consent", account_id)
    assert event == {"activity": event["activity"], "dated": True}
    assert tomorrow.isoformat() in _line(office, event["activity"]).note
    result = consent_to_call_time(
        office, actor, account_id, result.version, on="weekdays", start="7:00", end="8:00", now=NOW
    )
    wishes = consumer_wishes(office, actor, account_id, now=NOW)
    assert wishes.call_time_consent == (f"{tomorrow:%a}".lower() + " 07:30-08:00", "weekdays 07:00-08:00")
    remove_time(
        office, actor, account_id, result.version, kind="consent", period="weekdays 07:00-08:00", now=NOW
    )
    assert guarantor_of(office, account_id).call_time_consent == f"{tomorrow:%a}".lower() + " 07:30-08:00"


def test_revoking_consent_to_a_mobile_number_stops_calls_to_it(office: Database) -> None:
    actor = _actor(office)
    account_id, version, phone_id = _callable(office, actor)
    with office.writing() as session:  # the client said the consumer consented to calls to it
        session.execute(
            table_of(Phone)
            .update()
            .where(table_of(Phone).c.id == phone_id)
            .values(consent_to_call_mobile=True)
        )
    result = revoke_call_consent(office, actor, account_id, version, phone_id, now=NOW)
    phone = phone_record(office, phone_id)
    assert phone.consent_revoked_at == NOW and phone.consent_revoked_via == "call"
    assert not phone.consent_to_call_mobile and not phone.dialable
    assert "revoked" in result.message
    (event,) = event_details(office, "consumer.consent_revoked", account_id)
    assert event["phone"] == phone_id
    with pytest.raises(EntryError, match="already revoked"):
        revoke_call_consent(office, actor, account_id, result.version, phone_id, now=NOW)


REQUESTS: dict[str, Callable[[Database, int, int, int], ActionResult]] = {
    "no_calls_at_work": lambda db, a, v, p: no_calls_at_work(db, _actor(db), a, v, phone_id=p, now=NOW),
    "inconvenient_time": lambda db, a, v, p: add_inconvenient_time(
        db, _actor(db), a, v, days="sat", start="9:00", end="10:00", now=NOW
    ),
    "call_time_consent": lambda db, a, v, p: consent_to_call_time(
        db, _actor(db), a, v, on="weekdays", start="7:00", end="8:00", now=NOW
    ),
    "text_opt_out": lambda db, a, v, p: stop_texting(db, _actor(db), a, v, p, now=NOW),
    "email_opt_out": lambda db, a, v, p: stop_emailing(db, _actor(db), a, v, now=NOW),
    "consent_revoked": lambda db, a, v, p: revoke_call_consent(db, _actor(db), a, v, p, now=NOW),
}


@pytest.mark.parametrize("request_name", sorted(REQUESTS))
def test_a_stale_version_is_refused_and_nothing_is_written(office: Database, request_name: str) -> None:
    account_id, version, phone_id = _callable(office, _actor(office))
    add_note(office, _actor(office, "sreed"), account_id, version, "supervisor reviewed", now=NOW)
    before = (guarantor_of(office, account_id), phone_record(office, phone_id))
    with pytest.raises(StaleAccountError):
        REQUESTS[request_name](office, account_id, version, phone_id)
    after = (guarantor_of(office, account_id), phone_record(office, phone_id))
    assert [g.model_dump() for g in after] == [g.model_dump() for g in before]
    assert not event_details(office, f"consumer.{request_name}", account_id)
    REQUESTS[request_name](office, account_id, version + 1, phone_id)  # the fresh version saves
    assert len(event_details(office, f"consumer.{request_name}", account_id)) == 1
