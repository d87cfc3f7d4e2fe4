"""collector_tui.services.law.facilities: admins add and change facilities, audited; a change of what the
call state reads recomputes the facility's accounts at once."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta

import pytest

from collector_tui.db.models import Account, Facility, Phone
from collector_tui.domain.compliance.policy import parse_policy
from collector_tui.services.audit import SYSTEM, Actor
from collector_tui.services.database import Database
from collector_tui.services.desk.activities import apply_activities
from collector_tui.services.errors import AccessDeniedError, NotFoundError, ServiceError
from collector_tui.services.law.compliance import callable_account_ids
from collector_tui.services.law.facilities import (
    FacilityFieldError,
    add_facility,
    list_facilities,
    recompute_call_state,
    set_facility,
)
from collector_tui.services.law.policy import shipped_policy_text, use_policy
from collector_tui.vocabulary import Role
from tests.conftest import NOW
from tests.services.builders import account, activity, all_rows, audit_events, place, placement, stale_rows
from tests.services.test_compliance_service import CLEAN

CARL = Actor("carl", None, Role.COLLECTOR)
SAM = Actor("sam", None, Role.SUPERVISOR)


@pytest.fixture
def own_office_skips_frequency_and_work() -> Iterator[None]:
    """The office's policy lets the provider's own business office skip the call limits and the
    no-calls-at-work rule (by default a first-party office skips nothing)."""
    use_policy(
        parse_policy(shipped_policy_text(), '[regimes.first_party]\nskip_rules = ["frequency", "work"]')
    )
    yield
    use_policy(None)


def _seven_calls(db: Database) -> None:
    calls = [
        activity(activity_id=f"C-{day}", occurred_at=f"2026-11-{day:02d}T15:00:00Z", result_code="NA")
        for day in range(21, 28)
    ]
    with db.writing() as session:
        apply_activities(session, calls, actor=SYSTEM, now=NOW)


def test_switching_a_facilitys_regime_recomputes_its_accounts_call_state(
    db: Database,
    own_office_skips_frequency_and_work: None,  # after ``db``: opening a database resets the policies
) -> None:
    work = {"phone2": "208.555.0100", "phone2_type": "work"}
    place(db, [placement(**CLEAN | work, no_calls_at_work="yes")])
    _seven_calls(db)
    before = account(db, "A-1001")
    assert before.call_frequency_clear_at is not None  # 7 calls in 7 days: blocked until tomorrow
    assert not {p.number: p for p in all_rows(db, Phone)}["+12085550100"].dialable
    with db.reading() as session:
        assert callable_account_ids(session, NOW) == set()

    change = set_facility(db, SYSTEM, "MERCY", regime="first_party", now=NOW)

    assert change.changes == {"regime": ("third_party", "first_party")}
    assert change.recomputed == 1
    after = account(db, "A-1001")
    assert after.call_frequency_clear_at is None
    assert {p.number: p for p in all_rows(db, Phone)}["+12085550100"].dialable
    with db.reading() as session:
        assert callable_account_ids(session, NOW) == {after.id}
    assert stale_rows(db) == 0
    [event] = audit_events(db, "facility.set")
    assert json.loads(event.details or "{}") == {
        "code": "MERCY",
        "regime": "third_party -> first_party",
        "accounts_recomputed": 1,
    }

    back = set_facility(db, SYSTEM, "MERCY", regime="third_party", now=NOW + timedelta(minutes=1))
    assert back.recomputed == 1
    assert account(db, "A-1001").call_frequency_clear_at == before.call_frequency_clear_at


def test_a_change_of_nothing_the_call_state_reads_recomputes_nothing(db: Database) -> None:
    place(db, [placement()])
    change = set_facility(
        db, SYSTEM, "MERCY", name="Mercy General", fap_policy_url="https://m.example.org", now=NOW
    )
    assert change.recomputed == 0
    assert set(change.changes) == {"name", "fap_policy_url"}


def test_setting_what_is_on_file_changes_nothing_and_writes_no_event(db: Database) -> None:
    place(db, [placement()])
    change = set_facility(db, SYSTEM, "MERCY", regime="third_party", nonprofit=False, now=NOW)
    assert not change.changed
    assert audit_events(db, "facility.set") == []


def test_recompute_walks_every_open_account_in_batches(db: Database) -> None:
    place(db, [placement(account_number=f"A-{n}", guarantor_id=f"G-{n}") for n in range(5)])
    with db.writing() as session:
        facility_id = all_rows(db, Facility)[0].id
        assert facility_id is not None
        assert recompute_call_state(session, [facility_id], NOW, batch=2) == 5


def test_an_admin_adds_a_facility_audited(db: Database) -> None:
    change = add_facility(
        db,
        SYSTEM,
        "SMR",
        name="St. Mary's Regional",
        nonprofit=True,
        state="oh",
        fap_policy_url="https://smr.example.org/fap",
        now=NOW,
    )
    assert change.created
    [f] = all_rows(db, Facility)
    assert (f.code, f.name, f.regime, f.nonprofit, f.state, f.fap_policy_url) == (
        "SMR",
        "St. Mary's Regional",
        "third_party",
        True,
        "OH",
        "https://smr.example.org/fap",
    )
    [event] = audit_events(db, "facility.add")
    assert (event.entity_type, event.entity_id) == ("facility", f.id)
    assert json.loads(event.details or "{}") == {
        "code": "SMR",
        "name": "St. Mary's Regional",
        "regime": "third_party",
        "nonprofit": "yes",
        "state": "OH",
        "fap_policy_url": "https://smr.example.org/fap",
    }
    [row] = list_facilities(db, CARL)
    assert (row.code, row.open_accounts) == ("SMR", 0)


@pytest.mark.parametrize("actor", [CARL, SAM])
def test_only_an_admin_adds_or_changes_a_facility(db: Database, actor: Actor) -> None:
    place(db, [placement()])
    with pytest.raises(AccessDeniedError, match="only an administrator may change the office's facilities"):
        add_facility(db, actor, "NEW", name="New", now=NOW)
    with pytest.raises(AccessDeniedError):
        set_facility(db, actor, "MERCY", regime="first_party", now=NOW)
    assert [f.code for f in all_rows(db, Facility)] == ["MERCY"]
    assert all_rows(db, Facility)[0].regime == "third_party"
    assert audit_events(db, "facility.set") == audit_events(db, "facility.add") == []


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"regime": "agency"}, "regime"),
        ({"state": "XX"}, "state"),
        ({"state": "Ohio"}, "state"),
        ({"fap_policy_url": "smr.example.org"}, "fap_policy_url"),
        ({"fap_policy_url": "ftp://smr.example.org"}, "fap_policy_url"),
        ({"name": " "}, "name"),
        ({"name": "x" * 201}, "name"),
    ],
)
def test_bad_values_are_refused_naming_the_field_and_nothing_is_written(
    db: Database, values: dict[str, str], field: str
) -> None:
    place(db, [placement()])
    with pytest.raises(FacilityFieldError) as refused:
        set_facility(db, SYSTEM, "MERCY", now=NOW, **values)
    assert refused.value.field == field
    with pytest.raises(FacilityFieldError):
        add_facility(db, SYSTEM, "NEW", now=NOW, **({"name": "New"} | values))
    [f] = all_rows(db, Facility)
    assert (f.name, f.regime, f.state, f.fap_policy_url) == (
        "Mercy General Hospital",
        "third_party",
        None,
        None,
    )
    assert audit_events(db, "facility.set") == audit_events(db, "facility.add") == []


@pytest.mark.parametrize("code", ["", "has space", "-lead", "x" * 33, "semi;colon"])
def test_a_code_is_one_short_word(db: Database, code: str) -> None:
    with pytest.raises(FacilityFieldError) as refused:
        add_facility(db, SYSTEM, code, name="New", now=NOW)
    assert refused.value.field == "code"


def test_adding_a_code_on_file_or_setting_an_unknown_one_is_refused(db: Database) -> None:
    place(db, [placement()])
    with pytest.raises(ServiceError, match="already exists"):
        add_facility(db, SYSTEM, "MERCY", name="Again", now=NOW)
    with pytest.raises(NotFoundError, match="no facility"):
        set_facility(db, SYSTEM, "NOPE", regime="first_party", now=NOW)
    with pytest.raises(ServiceError, match="nothing to change"):
        set_facility(db, SYSTEM, "MERCY", now=NOW)


def test_a_state_or_an_address_may_be_cleared(db: Database) -> None:
    place(db, [placement()])
    set_facility(db, SYSTEM, "MERCY", state="OH", fap_policy_url="https://m.example.org", now=NOW)
    change = set_facility(db, SYSTEM, "MERCY", state="", fap_policy_url="", now=NOW)
    assert change.changes == {"state": ("OH", None), "fap_policy_url": ("https://m.example.org", None)}
    [event] = audit_events(db, "facility.set")[1:]
    assert json.loads(event.details or "{}")["state"] == "OH -> none"


def test_any_user_lists_the_facilities_with_their_open_accounts(db: Database) -> None:
    place(db, [placement(), placement(account_number="A-2", guarantor_id="G-2")])
    [row] = list_facilities(db, CARL)
    assert (row.code, row.regime, row.nonprofit, row.open_accounts) == ("MERCY", "third_party", False, 2)
    assert [a.account_number for a in all_rows(db, Account)] == ["A-1001", "A-2"]
