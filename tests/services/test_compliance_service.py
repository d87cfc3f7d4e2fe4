"""Compliance over a real database: the stored call state and the SQL "callable now" agree with the engine."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import insert, update
from sqlmodel import col, select

from collector_tui.db.models import Account, AccountHold, CallGroup, Facility, Guarantor, Phone, table_of
from collector_tui.domain.compliance.engine import evaluate
from collector_tui.domain.compliance.policy import parse_policy
from collector_tui.domain.contact_log import ActivityRecord
from collector_tui.services.audit import SYSTEM
from collector_tui.services.database import Database, open_database
from collector_tui.services.desk.account_state import call_state_due, refresh_all_accounts
from collector_tui.services.desk.activities import apply_activities
from collector_tui.services.errors import NotFoundError
from collector_tui.services.law.compliance import (
    callable_account_ids,
    load_facts,
    refresh_call_state,
    verdict_for_account,
)
from collector_tui.services.law.policy import current_policy, shipped_policy_text, use_policy
from collector_tui.services.money.transactions import apply_transactions
from collector_tui.vocabulary import Regime
from tests.conftest import NOW
from tests.services.builders import (
    activity,
    all_rows,
    audit_events,
    place,
    placement,
    stale_rows,
    transaction,
)

CLEAN = {
    "total_balance": "800.00",
    "insurance_pending": "0",
    "patient_responsibility": "800.00",
    "charges": "2026-07-02|99284|800.00",
    "claim_payer": "",
    "claim_number": "",
    "claim_status": "",
    "claim_billed": "",
    "claim_allowed": "",
    "claim_paid": "",
    "claim_patient_share": "",
    "claim_denial_codes": "",
    "claim_submitted_date": "",
    "claim_timely_filing_deadline": "",
    "claim_appeal_deadline": "",
    "phone2": "",
    "phone2_type": "",
}


@contextmanager
def fresh_db(folder: Path, template: Path) -> Iterator[Database]:
    target = folder / "office.db"
    shutil.copyfile(template, target)
    database = open_database(f"sqlite:///{target}")
    try:
        yield database
    finally:
        database.close()


def _account_id(db: Database, number: str) -> int:
    [row] = all_rows(db, Account, Account.account_number == number)
    assert row.id is not None
    return row.id


def test_a_clean_placement_is_callable_in_its_window_and_stores_its_groups(db: Database) -> None:
    place(db, [placement(**CLEAN)])
    [acct] = all_rows(db, Account)
    assert not acct.call_held and acct.call_frequency_clear_at is None
    [phone] = all_rows(db, Phone)
    assert phone.dialable and phone.call_group_id is not None
    [group] = all_rows(db, CallGroup)
    assert group.zones == "America/New_York"
    with db.reading() as session:
        assert callable_account_ids(session, NOW) == {acct.id}  # 10:00 in Columbus
        assert callable_account_ids(session, NOW.replace(hour=3)) == set()  # 22:00 the night before


@pytest.mark.parametrize(
    "changes",
    [
        {"dispute": "Y"},
        {"fap_status": "pending"},
        {"insurance_pending": "100.00", "patient_responsibility": "700.00"},
    ],
)
def test_a_placement_on_hold_is_never_callable(db: Database, changes: dict[str, str]) -> None:
    place(db, [placement(**CLEAN | changes)])
    [acct] = all_rows(db, Account)
    assert acct.call_held
    with db.reading() as session:
        assert callable_account_ids(session, NOW) == set()


def test_logged_calls_move_the_stored_frequency_limit(db: Database) -> None:
    place(db, [placement(**CLEAN)])
    calls = [
        activity(activity_id=f"C-{day}", occurred_at=f"2026-11-{day:02d}T15:00:00Z", result_code="NA")
        for day in range(21, 28)
    ]
    with db.writing() as session:
        apply_activities(session, calls, actor=SYSTEM, now=NOW)
    [acct] = all_rows(db, Account)
    assert acct.call_frequency_clear_at == datetime(2026, 11, 28, 5, tzinfo=NOW.tzinfo)
    with db.reading() as session:
        assert callable_account_ids(session, NOW) == set()
        assert callable_account_ids(session, datetime(2026, 11, 28, 15, tzinfo=NOW.tzinfo)) == {acct.id}


def test_direct_consent_lets_the_collector_call_back_inside_the_seven_days(db: Database) -> None:
    place(db, [placement(**CLEAN)])
    talked = activity(occurred_at="2026-11-25T15:00:00Z", result_code="RPC_CB")
    with db.writing() as session:
        apply_activities(session, [talked], actor=SYSTEM, now=NOW)
    account_id = _account_id(db, "A-1001")
    with db.reading() as session:
        assert callable_account_ids(session, NOW) == set()
    with db.writing() as session:
        session.execute(update(Guarantor).values(call_consent_at=NOW - timedelta(hours=2)))
        refresh_call_state(session, [account_id], NOW)
    with db.reading() as session:
        assert callable_account_ids(session, NOW) == {account_id}


def test_a_payment_in_full_takes_the_account_out_of_the_calling_order(db: Database) -> None:
    place(db, [placement(**CLEAN)])
    with db.writing() as session:
        apply_transactions(session, [transaction(amount="800.00")], actor=SYSTEM, now=NOW)
    with db.reading() as session:
        assert callable_account_ids(session, NOW) == set()


def test_a_new_address_moves_the_phones_to_its_zone(db: Database) -> None:
    place(db, [placement(**CLEAN)])
    moved = placement(**CLEAN | {"state": "HI", "zip": "96813", "city": "Honolulu"})
    place(db, [moved], now=NOW + timedelta(days=1))
    [phone] = all_rows(db, Phone)
    [group] = all_rows(db, CallGroup, CallGroup.id == phone.call_group_id)
    assert group.zones == "America/New_York Pacific/Honolulu"


def test_the_nightly_refresh_recomputes_every_open_account_and_is_audited(db: Database) -> None:
    place(db, [placement(**CLEAN | {"account_number": f"A-{n}"}) for n in range(5)])
    with db.writing() as session:
        session.execute(update(Account).values(call_held=True))
    assert refresh_all_accounts(db.writing, NOW, batch=2) == 5
    assert all(a.call_held for a in all_rows(db, Account))  # the nightly rescore leaves call state alone
    assert refresh_all_accounts(db.writing, NOW, batch=2, call_state=True) == 5
    assert not any(a.call_held for a in all_rows(db, Account))
    events = audit_events(db, "accounts.refresh")
    assert [e.details for e in events] == [
        '{"accounts": 5, "call_state": false}',
        '{"accounts": 5, "call_state": true}',
    ]


def test_the_call_state_is_due_until_worked_out_for_every_account_then_again_when_a_rule_starts(
    db: Database,
) -> None:
    place(db, [placement(**CLEAN)])
    with db.reading() as session:
        assert call_state_due(session, NOW) == "it has never been recomputed for every account"
    refresh_all_accounts(db.writing, NOW, call_state=True)
    with db.reading() as session:
        assert call_state_due(session, NOW) is None
        assert call_state_due(session, NOW + timedelta(days=400)) is None  # time alone changes nothing

    ohio_law = (
        "[state_frequency.OH]\nattempts = 1\ndays = 7\ncitation = 'a new law'\n"
        f"effective = {(NOW + timedelta(days=3)).date().isoformat()}\n"
    )
    use_policy(parse_policy(shipped_policy_text(), ohio_law))
    try:
        with db.reading() as session:
            assert call_state_due(session, NOW) == "the compliance policy changed"
        refresh_all_accounts(db.writing, NOW, call_state=True)
        with db.reading() as session:  # Nov 30 begins in Guam at 14:00 UTC on the 29th
            assert call_state_due(session, datetime(2026, 11, 29, 13, tzinfo=UTC)) is None
            assert call_state_due(session, datetime(2026, 11, 29, 15, tzinfo=UTC)) == (
                "a compliance rule took effect"
            )
    finally:
        use_policy(None)


def test_a_rule_that_starts_while_a_nightly_run_is_still_the_day_before_is_caught_the_next_night(
    db: Database,
) -> None:
    """Ohio's (invented) one-call-in-seven-days law starts Nov 28; the 02:00 UTC run is Nov 27 in Ohio."""
    place(db, [placement(**CLEAN)])
    [acct] = all_rows(db, Account)
    with db.writing() as session:
        apply_activities(session, [activity(occurred_at="2026-11-26T15:00:00Z")], actor=SYSTEM, now=NOW)
    use_policy(
        parse_policy(
            shipped_policy_text(),
            "[state_frequency.OH]\nattempts = 1\ndays = 7\ncitation = 'a new law'\neffective = 2026-11-28\n",
        )
    )
    try:
        first, second = datetime(2026, 11, 28, 2, tzinfo=UTC), datetime(2026, 11, 29, 2, tzinfo=UTC)
        for night in (first, second):
            with db.reading() as session:
                assert call_state_due(session, night) is not None
            refresh_all_accounts(db.writing, night, call_state=True)
            if night == first:  # not yet in force in Ohio: nothing limits the calls
                assert all_rows(db, Account)[0].call_limit_until is None
        # A state's limit is stored apart from Reg F's (consent does not lift it), for every number.
        [limited] = all_rows(db, Account, Account.id == acct.id)
        assert limited.call_limit_until is not None and limited.call_work_limit_until is not None
        assert limited.call_frequency_clear_at is None
        with db.reading() as session:
            assert call_state_due(session, second + timedelta(days=1)) is None
    finally:
        use_policy(None)


def test_the_verdict_finds_the_account_and_never_echoes_its_number(db: Database) -> None:
    place(db, [placement(**CLEAN)])
    with db.reading() as session:
        found = verdict_for_account(session, "A-1001", NOW)
        assert found.verdict.callable_now
        with pytest.raises(NotFoundError) as missing:
            verdict_for_account(session, "A-9999", NOW)
    assert "A-9999" not in str(missing.value)


# -- the SQL answer and the engine agree --------------------------------------------------------

PLACES = [
    ("OH", "43215"),
    ("MA", "02108"),
    ("HI", "96813"),
    ("AZ", "85004"),
    ("FL", "32502"),
    ("ID", "83814"),
    ("MA", "01002"),
    ("WA", "98101"),  # a state that counts letters, email and texts, and calls at work
]
NUMBERS = ["6145550142", "2085550123", "8005550100", "8085550111", "6025550111", "8505550123", "3125550199"]
# Dispositions, and (channel, code) pairs for what is sent rather than dialled.
CODES = ["NA", "BUSY", "DISC", "LMVM", "RPC_CB", "RPC_PTP", "INBOUND", "WRONG", "3RD", "REQ_INFO"]
SENT = [("letter", "LETTER"), ("text", "NA"), ("email", "NA")]
KINDS = ["mobile", "home", "work", "other"]
INCONVENIENT = [None, "mon-fri 12:00-13:00", "daily 19:00-21:00", "sat,sun 08:00-12:00"]


@st.composite
def offices(draw: st.DrawFn) -> list[dict[str, object]]:
    accounts: list[dict[str, object]] = []
    for n in range(draw(st.integers(min_value=1, max_value=5))):
        state, zip_code = draw(st.sampled_from(PLACES))
        accounts.append(
            {
                "row": CLEAN
                | {
                    "account_number": f"A-{n}",
                    "guarantor_id": f"G-{draw(st.integers(0, 2))}",  # households share phones and wishes
                    "state": state,
                    "zip": zip_code,
                    "phone1": draw(st.sampled_from(NUMBERS)),
                    "phone1_type": draw(st.sampled_from(KINDS)),
                    "phone2": draw(st.sampled_from(["", *NUMBERS])),
                    "phone2_type": draw(st.sampled_from(KINDS)),
                    "dispute": draw(st.sampled_from("NNNY")),
                    "cease": draw(st.sampled_from("NNNY")),
                    "fap_status": draw(st.sampled_from(["none", "none", "pending"])),
                },
                "calls": draw(
                    st.lists(
                        st.tuples(
                            st.integers(1, 35 * 24 * 60),  # past the longest window (30 days)
                            st.sampled_from(CODES) | st.sampled_from(SENT),
                            st.booleans(),  # to the second number, when there is one
                            st.sampled_from(["guarantor", "third_party", "none"]),
                        ),
                        max_size=12,
                    )
                ),
                "oral_cease": draw(st.none() | st.integers(0, 5 * 24 * 60)),
            }
        )
    return accounts


@given(
    office=offices(),
    wishes=st.lists(
        st.tuples(st.sampled_from(INCONVENIENT), st.booleans(), st.none() | st.integers(0, 9 * 24 * 60)),
        min_size=3,
        max_size=3,
    ),
    dnc=st.lists(st.booleans(), min_size=14, max_size=14),
    later=st.lists(st.integers(min_value=0, max_value=10 * 24 * 60), min_size=1, max_size=4),
)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_the_sql_callable_set_equals_the_engines(
    tmp_path_factory: pytest.TempPathFactory,
    migrated_template: Path,
    office: list[dict[str, object]],
    wishes: list[tuple[str | None, bool, int | None]],
    dnc: list[bool],
    later: list[int],
) -> None:
    with fresh_db(tmp_path_factory.mktemp("agree"), migrated_template) as db:
        records = {}
        for entry in office:
            row = entry["row"]
            assert isinstance(row, dict)
            records[row["account_number"]] = placement(**row)
        place(db, list(records.values()))
        built = NOW
        calls = []
        for entry in office:
            row = entry["row"]
            assert isinstance(row, dict) and isinstance(entry["calls"], list)
            for i, (minutes, what, second, party) in enumerate(entry["calls"]):
                moment = built - timedelta(minutes=minutes)
                channel, code = what if isinstance(what, tuple) else ("call", what)
                number = row["phone2"] if second and row["phone2"] else row["phone1"]
                calls.append(
                    activity(
                        activity_id=f"{row['account_number']}-{i}",
                        account_number=row["account_number"],
                        occurred_at=moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
                        channel=channel,
                        result_code=code,
                        direction="in" if code == "INBOUND" else "out",
                        phone="" if channel in ("letter", "email") else number,
                        party=party,
                    )
                )
        with db.writing() as session:
            apply_activities(session, calls, actor=SYSTEM, now=built)
            # An oral "stop calling" on some accounts: calls stop, letters do not.
            for entry in office:
                row = entry["row"]
                assert isinstance(row, dict)
                if isinstance(entry["oral_cease"], int):
                    number = row["account_number"]
                    [held] = session.exec(select(Account).where(Account.account_number == number))
                    session.add(
                        AccountHold(
                            account_id=held.id or 0,
                            reason="cease",
                            placed_at=built - timedelta(minutes=entry["oral_cease"]),
                            received_via="oral",
                        )
                    )
            # Facts a collector records in the workspace: wishes on the guarantor, do-not-call on a phone.
            for guarantor in session.exec(select(Guarantor)).all():
                inconvenient, at_work, consent = wishes[(guarantor.id or 1) % 3]
                guarantor.inconvenient_times = inconvenient
                guarantor.no_calls_at_work = at_work
                guarantor.call_consent_at = None if consent is None else built - timedelta(minutes=consent)
            for phone in session.exec(select(Phone)).all():
                phone.do_not_call = dnc[(phone.id or 0) % len(dnc)]
            session.flush()
            ids = [a.id for a in session.exec(select(Account)).all() if a.id is not None]
            refresh_call_state(session, ids, built)
        policy = current_policy()
        with db.reading() as session:
            for minutes in later:
                at = built + timedelta(minutes=minutes)
                facts = load_facts(session, ids, at)
                expected = {i for i, f in facts.items() if evaluate(f, policy, at).callable_now}
                assert callable_account_ids(session, at) == expected, at


# -- state contact limits, conversations and moments, as the database holds them ------------------

MA_ROW = CLEAN | {
    "state": "MA",
    "zip": "02108",
    "city": "Boston",
    "phone1": "(617) 555-0101",
    "phone1_type": "mobile",
    "phone2": "(617) 555-0102",
    "phone2_type": "work",
}


def _log(db: Database, *records: ActivityRecord) -> None:
    with db.writing() as session:
        apply_activities(session, list(records), actor=SYSTEM, now=NOW)


def test_a_massachusetts_limit_stops_one_kind_of_number_and_the_queue_agrees(db: Database) -> None:
    """Two calls in seven days to the mobile (940 CMR 7.04(1)(f)): the work number may still be
    called, until two calls in thirty days reach it too; the oldest, 29 days back, still counts."""
    place(db, [placement(**MA_ROW)])
    _log(
        db,
        *(
            activity(activity_id=f"M-{day}", occurred_at=f"2026-11-{day}T15:00:00Z", phone="(617) 555-0101")
            for day in (24, 26)
        ),
    )
    [acct] = all_rows(db, Account)
    assert acct.call_limit_until == datetime(2026, 11, 26, 15, tzinfo=UTC) + timedelta(days=4, hours=14)
    assert acct.call_work_limit_until is None and acct.call_frequency_clear_at is None
    with db.reading() as session:
        assert callable_account_ids(session, NOW) == {acct.id}  # through the work number
        mobile, work = verdict_for_account(session, "A-1001", NOW).verdict.phones
        assert "state_limit.MA" in {b.rule_id for b in mobile.blocks} and work.allowed
    _log(
        db,
        activity(activity_id="W-1", occurred_at="2026-10-29T15:00:00Z", phone="(617) 555-0102"),
        activity(activity_id="W-2", occurred_at="2026-11-25T15:00:00Z", phone="(617) 555-0102"),
    )
    [acct] = all_rows(db, Account)
    assert acct.id is not None
    assert acct.call_work_limit_until == datetime(2026, 11, 28, 5, tzinfo=UTC)  # Oct 29 + 30 days, EST
    with db.reading() as session:
        assert callable_account_ids(session, NOW) == set()
        assert callable_account_ids(session, datetime(2026, 11, 28, 4, 59, tzinfo=UTC)) == set()
        later = datetime(2026, 11, 28, 15, tzinfo=UTC)  # the work number is free, the mobile not yet
        assert callable_account_ids(session, later) == {acct.id}
        facts = load_facts(session, [acct.id], later)
        assert evaluate(facts[acct.id], current_policy(), later).callable_now
    assert stale_rows(db) == 0


def test_a_wrong_number_or_a_third_party_starts_no_days_without_calls(db: Database) -> None:
    place(db, [placement(**CLEAN)])
    _log(
        db,
        activity(activity_id="X-1", occurred_at="2026-11-25T15:00:00Z", result_code="WRONG", party="none"),
        activity(
            activity_id="X-2", occurred_at="2026-11-25T16:00:00Z", result_code="3RD", party="third_party"
        ),
    )
    [acct] = all_rows(db, Account)
    assert acct.call_frequency_clear_at is None
    with db.reading() as session:
        assert callable_account_ids(session, NOW) == {acct.id}
    _log(db, activity(activity_id="X-3", occurred_at="2026-11-25T17:00:00Z", result_code="RPC_CB"))
    [acct] = all_rows(db, Account)
    assert acct.call_frequency_clear_at == datetime(2026, 12, 2, 5, tzinfo=UTC)  # Nov 25 + 7, EST
    with db.reading() as session:
        assert callable_account_ids(session, NOW) == set()


def test_the_verdict_at_a_moment_counts_nothing_dated_after_it(db: Database) -> None:
    """``collector compliance --at``: later calls do not count; a hold released later still does."""
    place(db, [placement(**CLEAN)])
    _log(
        db,
        *(
            activity(activity_id=f"D-{day}", occurred_at=f"2026-11-{day}T14:00:00Z", result_code="NA")
            for day in range(21, 28)
        ),
    )
    account_id = _account_id(db, "A-1001")
    with db.writing() as session:
        session.add(
            AccountHold(
                account_id=account_id,
                reason="cease",
                placed_at=datetime(2026, 11, 26, 15, tzinfo=UTC),
                released_at=datetime(2026, 11, 27, 12, tzinfo=UTC),
                received_via="written",
            )
        )

    def rules_at(moment: datetime) -> set[str]:
        with db.reading() as session:
            found = verdict_for_account(session, "A-1001", moment).verdict
        return {b.rule_id for b in found.phones[0].blocks}

    assert rules_at(datetime(2026, 11, 26, 14, 59, tzinfo=UTC)) == set()  # six calls, no cease yet
    assert rules_at(datetime(2026, 11, 26, 20, tzinfo=UTC)) == {"cease"}  # still six calls; the cease
    assert rules_at(datetime(2026, 11, 27, 13, 59, tzinfo=UTC)) == set()  # released at 12:00
    assert rules_at(datetime(2026, 11, 27, 14, tzinfo=UTC)) == {"frequency"}  # the seventh call


# -- the stored priority ---------------------------------------------------------------------------


def test_a_new_accounts_stored_score_is_what_a_rescore_computes(db: Database) -> None:
    from collector_tui.services.worklists.priority import rescore

    place(db, [placement(**CLEAN | {"account_number": f"A-{n}", "guarantor_id": f"G-{n}"}) for n in range(4)])
    accounts = all_rows(db, Account)
    assert all(a.priority_breakdown for a in accounts)
    with db.writing() as session:
        assert rescore(session, [a.id for a in accounts if a.id], NOW) == 0  # the INSERT already had it right


def test_events_move_the_score_and_a_due_promise_moves_the_tier(db: Database) -> None:
    from collector_tui.domain.priority import TIER_WEIGHT, factors_from_json
    from collector_tui.services.money.arrangements import add_promise

    place(db, [placement(**CLEAN)])
    account_id = _account_id(db, "A-1001")
    [before] = all_rows(db, Account)
    assert (
        dict((f.name, f.value) for f in factors_from_json(before.priority_breakdown))["days since contact"]
        == "never"
    )
    with db.writing() as session:
        apply_activities(session, [activity(occurred_at="2026-11-25T15:00:00Z")], actor=SYSTEM, now=NOW)
    [contacted] = all_rows(db, Account)
    assert (
        dict((f.name, f.value) for f in factors_from_json(contacted.priority_breakdown))["days since contact"]
        == "2"
    )
    assert contacted.priority_score < before.priority_score
    with db.writing() as session:
        add_promise(session, SYSTEM, account_id=account_id, amount_cents=5000, due_date=NOW.date(), now=NOW)
    [promised] = all_rows(db, Account)
    assert promised.priority_score >= TIER_WEIGHT  # the promise tier sorts above every ordinary score
    assert "promise due" in (promised.priority_breakdown or "")


# -- a number shared by debts under both regimes ----------------------------------------------------


@contextmanager
def mixed_office(db: Database, skip_rule: str, phone: dict[str, str]) -> Iterator[None]:
    """The provider's own office (skipping ``skip_rule``) and an agency place debts of one person,
    the provider's first in the file, both with ``phone``."""
    use_policy(parse_policy(shipped_policy_text(), f'[regimes.first_party]\nskip_rules = ["{skip_rule}"]'))
    try:
        with db.writing() as session:
            session.execute(
                insert(table_of(Facility)).values(code="OWN", name="Own office", regime=Regime.FIRST_PARTY)
            )
        place(
            db,
            [
                placement(**CLEAN | phone | {"facility_code": "OWN", "account_number": "OWN-1"}),
                placement(**CLEAN | phone | {"account_number": "AGENCY-1"}),
            ],
        )
        yield
    finally:
        use_policy(None)


WORK_PHONE = {"phone2": "(614) 555-0177", "phone2_type": "work"}


def _refresh_own_account_after_no_calls_at_work(db: Database, *, agency_status: str) -> Phone:
    with db.writing() as session:
        session.execute(update(Guarantor).values(no_calls_at_work=True))
        session.execute(
            update(Account).where(col(Account.account_number) == "AGENCY-1").values(status=agency_status)
        )
    [own] = all_rows(db, Account, Account.account_number == "OWN-1")
    with db.writing() as session:
        refresh_call_state(session, [int(own.id or 0)], NOW)
    [work_phone] = all_rows(db, Phone, Phone.phone_type == "work")
    return work_phone


def test_a_number_shared_with_a_third_party_debt_keeps_the_stricter_rules(db: Database) -> None:
    """The provider's own office skips the no-calls-at-work rule; an agency's debt of the same person
    does not, so their work number stays undialled whichever account is refreshed."""
    with mixed_office(db, "work", WORK_PHONE):
        assert not _refresh_own_account_after_no_calls_at_work(db, agency_status="open").dialable


def test_a_paid_agency_debt_no_longer_holds_the_providers_phones_to_its_rules(db: Database) -> None:
    with mixed_office(db, "work", WORK_PHONE):
        assert _refresh_own_account_after_no_calls_at_work(db, agency_status="paid").dialable


def test_a_number_placed_for_debts_under_both_regimes_at_once_gets_the_stricter_rules(db: Database) -> None:
    with mixed_office(db, "phone_status", {"phone2": "(555) 555-0100", "phone2_type": "home"}):  # invalid
        [invalid] = all_rows(db, Phone, col(Phone.valid).is_(False))
        assert not invalid.dialable
