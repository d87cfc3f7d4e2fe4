"""Placement columns the compliance rules read: stored by collector_tui.services.files.placements, read back
by collector_tui.services.law.compliance.load_facts, and the facility's facts a file may carry."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import update

from collector_tui.db.models import Account, AccountHold, Facility, Guarantor, Phone
from collector_tui.domain.compliance.facts import Hold
from collector_tui.domain.compliance.policy import parse_policy
from collector_tui.services.audit import SYSTEM
from collector_tui.services.database import Database
from collector_tui.services.files.placements import RecordRejection, apply_placements
from collector_tui.services.law.compliance import load_facts
from collector_tui.services.law.policy import shipped_policy_text, use_policy
from collector_tui.vocabulary import HoldReason
from tests.conftest import NOW
from tests.services.builders import account, all_rows, audit_events, place, placement, stale_rows

LATER = NOW + timedelta(days=1)
MOBILE = "+16145550142"
HOME = "+12085550100"

ACCOUNT_FACTS = {
    "delinquency_date": "2026-09-01",
    "itemization_date": "2026-08-01",
    "itemization_amount": "1,610.00",
    "itemization_interest": "0",
    "itemization_fees": "25.00",
    "itemization_credits": "75.00",
    "validation_notice_date": "2026-11-21",
    "eca_notice_date": "2026-10-15",
    "fap_application_date": "2026-09-20",
}
WISHES = {
    "no_calls_at_work": "yes",
    "inconvenient_times": "mon-fri 12:00-13:00",
    "email_opt_out": "2026-10-02",
}
PHONES = {
    "phone1_consent": "yes",
    "phone1_consent_date": "2026-03-01",
    "phone1_text_opt_out": "2026-11-02",
    "phone2_revoked_at": "2026-11-20T14:05:00-05:00",
}


def midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def phones_by_number(db: Database) -> dict[str, Phone]:
    return {p.number: p for p in all_rows(db, Phone)}


def test_the_account_columns_are_stored(db: Database) -> None:
    place(db, [placement(**ACCOUNT_FACTS)])
    a = account(db, "A-1001")
    assert a.delinquency_date == date(2026, 9, 1)
    assert a.itemization_date == date(2026, 8, 1)
    assert (
        a.itemization_amount_cents,
        a.itemization_interest_cents,
        a.itemization_fees_cents,
        a.itemization_credits_cents,
    ) == (161_000, 0, 2500, 7500)
    assert a.validation_notice_date == date(2026, 11, 21)
    assert a.eca_notice_date == date(2026, 10, 15)
    assert a.fap_application_date == date(2026, 9, 20)
    assert stale_rows(db) == 0


def test_an_update_replaces_the_account_columns_like_every_account_column(db: Database) -> None:
    place(db, [placement(**ACCOUNT_FACTS)])
    result = place(db, [placement(delinquency_date="2026-09-15")], now=LATER)
    assert result.updated == 1
    a = account(db, "A-1001")
    assert a.delinquency_date == date(2026, 9, 15)
    assert a.itemization_date is None and a.itemization_amount_cents is None
    assert a.validation_notice_date is None
    assert stale_rows(db, LATER) == 0


def test_a_new_guarantors_wishes_and_phone_facts_are_stored_and_decide_dialling(db: Database) -> None:
    place(db, [placement(**WISHES, **PHONES, phone2_type="work")])
    [g] = all_rows(db, Guarantor)
    assert g.no_calls_at_work is True
    assert g.inconvenient_times == "mon-fri 12:00-13:00"
    assert g.email_opt_out_at == midnight(date(2026, 10, 2))
    phones = phones_by_number(db)
    mobile, work = phones[MOBILE], phones[HOME]
    assert mobile.consent_to_call_mobile is True
    assert mobile.consent_at == midnight(date(2026, 3, 1))
    assert mobile.text_opt_out_at == midnight(date(2026, 11, 2))
    assert mobile.consent_revoked_at is None and mobile.dialable
    assert work.consent_revoked_at == datetime(2026, 11, 20, 19, 5, tzinfo=UTC)
    assert work.consent_to_call_mobile is False and not work.dialable
    assert stale_rows(db) == 0  # what was worked out from the record is what the database says


def test_no_calls_at_work_makes_a_work_number_undialled(db: Database) -> None:
    place(db, [placement(no_calls_at_work="yes", phone2_type="work")])
    assert not phones_by_number(db)[HOME].dialable
    assert phones_by_number(db)[MOBILE].dialable
    assert stale_rows(db) == 0


def test_a_known_guarantors_phone_facts_update_the_phone_on_file(db: Database) -> None:
    place(db, [placement()])
    assert phones_by_number(db)[HOME].dialable
    result = place(db, [placement(**PHONES)], now=LATER)
    assert result.updated == 1
    phones = phones_by_number(db)
    assert phones[MOBILE].consent_to_call_mobile and phones[MOBILE].consent_at == midnight(date(2026, 3, 1))
    assert phones[HOME].consent_revoked_at == datetime(2026, 11, 20, 19, 5, tzinfo=UTC)
    assert not phones[HOME].dialable
    assert stale_rows(db, LATER) == 0


def test_a_file_never_withdraws_a_wish_or_a_revocation(db: Database) -> None:
    place(db, [placement(**WISHES, **PHONES)])
    later = {
        "no_calls_at_work": "no",
        "inconvenient_times": "sun 00:00-24:00",
        "email_opt_out": "2026-11-01",
        "phone2_revoked_at": "2026-11-25",
        "phone1_consent": "no",
    }
    place(db, [placement(**later)], now=LATER)
    [g] = all_rows(db, Guarantor)
    assert g.no_calls_at_work is True
    assert g.inconvenient_times == "mon-fri 12:00-13:00; sun 00:00-24:00"
    assert g.email_opt_out_at == midnight(date(2026, 10, 2))  # the earlier opt-out stands
    phones = phones_by_number(db)
    assert phones[HOME].consent_revoked_at == datetime(2026, 11, 20, 19, 5, tzinfo=UTC)
    assert phones[MOBILE].consent_to_call_mobile is True  # "no" records nothing; revoking is explicit
    place(db, [placement()], now=LATER + timedelta(days=1))  # a file without the columns at all
    [g] = all_rows(db, Guarantor)
    assert g.no_calls_at_work is True and g.email_opt_out_at is not None
    assert phones_by_number(db)[HOME].consent_revoked_at is not None
    assert stale_rows(db, LATER + timedelta(days=1)) == 0


def test_an_earlier_revocation_reported_later_moves_the_revocation_back(db: Database) -> None:
    place(db, [placement(phone2_revoked_at="2026-11-20")])
    place(db, [placement(phone2_revoked_at="2026-11-10")], now=LATER)
    assert phones_by_number(db)[HOME].consent_revoked_at == midnight(date(2026, 11, 10))


def test_a_household_placed_at_once_keeps_every_rows_wishes(db: Database) -> None:
    records = [
        placement(no_calls_at_work="yes", phone2_type="work", inconvenient_times="sat 08:00-10:00"),
        placement(account_number="A-1002", inconvenient_times="sun 00:00-24:00", phone2_type="work"),
    ]
    place(db, records)
    [g] = all_rows(db, Guarantor)
    assert g.no_calls_at_work is True
    assert g.inconvenient_times == "sat 08:00-10:00; sun 00:00-24:00"
    assert not phones_by_number(db)[HOME].dialable
    assert stale_rows(db) == 0


def test_inconvenient_times_that_would_outgrow_the_column_reject_the_row(db: Database) -> None:
    long_times = "; ".join(f"mon {h:02d}:00-{h:02d}:30" for h in range(8, 19))  # 11 periods, 197 chars
    place(db, [placement(inconvenient_times=long_times)])
    more = "; ".join(f"tue {h:02d}:00-{h:02d}:30" for h in range(8, 19))
    result = place(
        db,
        [
            placement(
                inconvenient_times=more,
                total_balance="1,000.00",
                insurance_pending="0",
                patient_responsibility="1,000.00",
            )
        ],
        now=LATER,
    )
    assert result.rejected == [
        RecordRejection(("MERCY", "A-1001"), "inconvenient_times", result.rejected[0].reason)
    ]
    assert "200 characters" in result.rejected[0].reason
    assert account(db, "A-1001").total_balance_cents == 156_000  # nothing of the row was written
    [g] = all_rows(db, Guarantor)
    assert g.inconvenient_times == long_times


def test_reimporting_records_with_the_new_columns_changes_nothing(db: Database) -> None:
    records = [placement(**ACCOUNT_FACTS, **WISHES, **PHONES)]
    place(db, records)
    before = account(db, "A-1001")
    events = len(audit_events(db))
    result = place(db, records, now=LATER)
    assert (result.unchanged, result.updated, result.inserted) == (1, 0, 0)
    assert len(audit_events(db)) == events
    after = account(db, "A-1001")
    assert (after.version, after.placement_digest) == (before.version, before.placement_digest)


def test_load_facts_returns_the_new_facts(db: Database) -> None:
    place(db, [placement(**ACCOUNT_FACTS, **WISHES, **PHONES, dispute="Y")])
    a = account(db, "A-1001")
    assert a.id is not None
    with db.writing() as session:
        session.execute(update(Guarantor).values(call_time_consent="sat 08:00-10:00"))
        session.execute(update(AccountHold).values(received_via="oral"))
    with db.reading() as session:
        facts = load_facts(session, [a.id], NOW)[a.id]
    assert facts.delinquency_date == date(2026, 9, 1)
    assert facts.itemization_date == date(2026, 8, 1)
    assert facts.validation_notice_date == date(2026, 11, 21)
    assert facts.eca_notice_date == date(2026, 10, 15)
    assert facts.fap_application_date == date(2026, 9, 20)
    assert facts.no_calls_at_work is True
    assert facts.inconvenient_times == "mon-fri 12:00-13:00"
    assert facts.call_time_consent == "sat 08:00-10:00"
    assert facts.has_email is True
    assert facts.email_opt_out_at == midnight(date(2026, 10, 2))
    phones = {p.number: p for p in facts.phones}
    assert phones[MOBILE].consent_at == midnight(date(2026, 3, 1))
    assert phones[MOBILE].text_opt_out_at == midnight(date(2026, 11, 2))
    assert phones[HOME].consent_revoked_at == datetime(2026, 11, 20, 19, 5, tzinfo=UTC)
    assert facts.holds == (Hold(HoldReason.DISPUTE, NOW, "oral"),)


def test_whether_an_email_is_on_file_is_read(db: Database) -> None:
    place(db, [placement(), placement(account_number="B-1", guarantor_id="G-2", email="")])
    ids = {number: account(db, number).id for number in ("A-1001", "B-1")}
    with db.reading() as session:
        facts = load_facts(session, [i for i in ids.values() if i is not None], NOW)
    assert {number: facts[i].has_email for number, i in ids.items() if i is not None} == {
        "A-1001": True,
        "B-1": False,
    }


# -- the facility's facts ----------------------------------------------------------------------------


FACILITY = {
    "facility_regime": "first_party",
    "facility_nonprofit": "yes",
    "facility_state": "OH",
    "facility_fap_policy_url": "https://mercy.example.org/fap",
}


def test_a_file_sets_its_facilitys_facts_and_audits_them(db: Database) -> None:
    place(db, [placement(**FACILITY), placement(account_number="A-1002")])
    [f] = all_rows(db, Facility)
    assert (f.regime, f.nonprofit, f.state, f.fap_policy_url) == (
        "first_party",
        True,
        "OH",
        "https://mercy.example.org/fap",
    )
    [event] = audit_events(db, "facility.set")
    assert (event.entity_type, event.entity_id, event.actor) == ("facility", f.id, "system")
    assert json.loads(event.details or "{}") == {
        "code": "MERCY",
        "regime": "third_party -> first_party",
        "nonprofit": "no -> yes",
        "state": "none -> OH",
        "fap_policy_url": "none -> https://mercy.example.org/fap",
        "accounts_recomputed": 0,
    }
    assert stale_rows(db) == 0
    place(db, [placement(**FACILITY, account_number="A-1003")], now=LATER)  # says what is on file
    assert len(audit_events(db, "facility.set")) == 1


def test_blank_facility_columns_leave_the_facility_as_it_is(db: Database) -> None:
    place(db, [placement(**FACILITY)])
    place(db, [placement(account_number="A-1002", facility_state="MI")], now=LATER)
    [f] = all_rows(db, Facility)
    assert (f.regime, f.nonprofit, f.state) == ("first_party", True, "MI")


def test_rows_of_one_batch_that_disagree_about_their_facility_are_rejected(db: Database) -> None:
    with db.writing() as session:
        result = apply_placements(
            session,
            [
                placement(facility_regime="first_party"),
                placement(account_number="A-1002", facility_regime="third_party"),
                placement(account_number="A-1003"),
            ],
            actor=SYSTEM,
            now=NOW,
        )
    assert [(r.key, r.field) for r in result.rejected] == [(("MERCY", "A-1002"), "facility_regime")]
    assert result.inserted == 2
    assert [a.account_number for a in all_rows(db, Account)] == [
        "A-1001",
        "A-1003",
    ]
    assert all_rows(db, Facility)[0].regime == "first_party"


def test_a_regime_a_file_changes_recomputes_the_facilitys_other_accounts(db: Database) -> None:
    """The provider's own office skips the no-calls-at-work rule: once the file says the facility is
    first party, the work number of an account placed before (and absent from the file) is dialled."""
    use_policy(parse_policy(shipped_policy_text(), '[regimes.first_party]\nskip_rules = ["work"]'))
    try:
        place(db, [placement(no_calls_at_work="yes", phone2_type="work")])
        assert not phones_by_number(db)[HOME].dialable
        other = {
            "account_number": "B-1",
            "guarantor_id": "G-2",
            "phone1": "(312) 555-0123",
            "phone2": "",
            "phone2_type": "",
        }
        place(db, [placement(**other, facility_regime="first_party")], now=LATER)
        assert phones_by_number(db)[HOME].dialable
        [event] = audit_events(db, "facility.set")
        assert json.loads(event.details or "{}")["accounts_recomputed"] == 1
        assert stale_rows(db, LATER) == 0
    finally:
        use_policy(None)
