"""collector_tui.services.worklists.payers: a supervisor corrects a payer's phone, note and rules key."""

from __future__ import annotations

import pytest

from collector_tui.db.models import Payer
from collector_tui.services.database import Database
from collector_tui.services.errors import AccessDeniedError, EntryError
from collector_tui.services.worklists.payers import known_payer_keys, list_payers, set_payer
from tests.cli.test_worklist_command import denied_office
from tests.conftest import NOW
from tests.services.builders import all_rows, audit_events
from tests.services.test_denial_worklist import actor

ACME = "Acme Health Plan"  # as the placement file first named it; the 835 says "ACME HEALTH PLAN"


@pytest.fixture
def office(db: Database) -> Database:
    return denied_office(db)


def test_the_835_filled_the_payer_and_the_list_counts_its_open_items(office: Database) -> None:
    lines = {line.name: line for line in list_payers(office, actor(office, "jsmith"))}
    acme = lines[ACME]
    assert (acme.phone, acme.code, acme.rules, acme.open_items) == ("+18005550123", None, "default", 4)


def test_a_supervisor_sets_the_phone_note_and_rules_key(office: Database) -> None:
    change = set_payer(
        office, actor(office, "sboss"), ACME, now=NOW, phone="(614) 555-0199", code="medicare", note="opt 3"
    )
    assert not change.added and change.changed == ("code", "phone", "note")
    assert (change.payer.phone, change.payer.code, change.payer.rules) == (
        "+16145550199",
        "medicare",
        "medicare",
    )
    assert change.payer.phone_note == "opt 3"
    (event,) = audit_events(office, "payer.set")
    assert event.entity_id == change.payer.id and event.actor == "sboss"
    assert "614" not in (event.details or "")  # field names only
    again = set_payer(office, actor(office, "sboss"), ACME, now=NOW, phone="614-555-0199")
    assert again.changed == () and len(audit_events(office, "payer.set")) == 1  # the same, no event
    cleared = set_payer(office, actor(office, "sboss"), ACME, now=NOW, code="", note="")
    assert (cleared.payer.code, cleared.payer.phone_note, cleared.payer.rules) == (None, None, "default")


def test_an_unknown_payer_is_added(office: Database) -> None:
    change = set_payer(office, actor(office, "sboss"), "  Second   Plan ", now=NOW, phone="8005550100")
    assert change.added and change.payer.name == "Second Plan" and change.payer.phone == "+18005550100"
    assert audit_events(office, "payer.add")
    # The placement file's and the 835's spellings of the payer are one payer.
    assert {p.name for p in all_rows(office, Payer)} == {ACME, "Second Plan"}


def test_every_bad_field_is_named_and_nothing_is_written(office: Database) -> None:
    with pytest.raises(EntryError) as refused:
        set_payer(office, actor(office, "sboss"), ACME, now=NOW, phone="12", code="nosuch")
    fields = dict(refused.value.problems)
    assert set(fields) == {"phone", "code"}
    assert all(key in fields["code"] for key in known_payer_keys()) and known_payer_keys()
    (acme,) = all_rows(office, Payer, Payer.name == ACME)
    assert (acme.phone, acme.code) == ("+18005550123", None)


def test_a_name_in_another_case_or_spacing_is_the_same_payer(office: Database) -> None:
    acme = set_payer(office, actor(office, "sboss"), "ACME  HEALTH plan", now=NOW, phone="8005550100")
    assert not acme.added and acme.payer.name == ACME and acme.payer.phone == "+18005550100"
    one = set_payer(office, actor(office, "sboss"), "Second plan", now=NOW, phone="8005550100")
    assert one.added
    other = set_payer(office, actor(office, "sboss"), "SECOND PLAN", now=NOW, note="desk")
    assert not other.added and other.payer.name == "Second plan"  # the one so named, in any case


def test_a_collector_may_list_but_not_change(office: Database) -> None:
    with pytest.raises(AccessDeniedError, match="supervisor or an administrator"):
        set_payer(office, actor(office, "jsmith"), ACME, now=NOW, phone="8005550100")
    assert list_payers(office, actor(office, "jsmith"))
