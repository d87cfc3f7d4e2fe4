"""A new placement's values worked out ahead (by the import's parsing worker) are used only when they fit."""

from __future__ import annotations

import dataclasses
from datetime import time, timedelta

from sqlalchemy import insert

from collector_tui.db.models import Facility, table_of
from collector_tui.services.audit import SYSTEM
from collector_tui.services.database import Database
from collector_tui.services.files.placement_values import (
    NEW_FACILITY,
    PlacementValues,
    placement_values,
    policy_fingerprint,
)
from collector_tui.services.files.placements import apply_placements
from collector_tui.services.law.policy import current_policy, install_overrides, use_policy
from collector_tui.vocabulary import Regime
from tests.conftest import NOW
from tests.services.builders import account, placement, stale_rows

MARK = 987_654  # a score no policy gives: it shows which values were stored


def marked(values: PlacementValues) -> PlacementValues:
    return dataclasses.replace(values, account={**values.account, "priority_score": MARK})


def place_with(db: Database, values: PlacementValues) -> None:
    record = placement()
    with db.writing() as session:
        apply_placements(session, [record], actor=SYSTEM, now=NOW, ahead={record.key: values})


def test_values_worked_out_for_this_moment_and_facility_are_stored_as_given(db: Database) -> None:
    place_with(db, marked(placement_values(placement(), NOW, NEW_FACILITY)))

    assert account(db, "A-1001").priority_score == MARK


def test_values_worked_out_for_another_moment_are_worked_out_again(db: Database) -> None:
    place_with(db, marked(placement_values(placement(), NOW - timedelta(days=90), NEW_FACILITY)))

    assert account(db, "A-1001").priority_score != MARK
    assert stale_rows(db) == 0


def test_values_worked_out_for_another_regime_are_worked_out_again(db: Database) -> None:
    with db.writing() as session:  # the provider's own office, a nonprofit hospital
        session.execute(
            insert(table_of(Facility)).values(
                code="MERCY", name="Mercy", nonprofit=True, regime=Regime.FIRST_PARTY
            )
        )
    place_with(db, marked(placement_values(placement(), NOW, NEW_FACILITY)))

    assert account(db, "A-1001").priority_score != MARK
    assert stale_rows(db) == 0


def test_values_worked_out_for_another_facility_state_are_worked_out_again(db: Database) -> None:
    """The state laws the facility is under (its credit-reporting ban, its hospital-billing law)
    are part of what the values were worked out for."""
    with db.writing() as session:
        session.execute(insert(table_of(Facility)).values(code="MERCY", name="Mercy", state="WA"))
    place_with(db, marked(placement_values(placement(), NOW, NEW_FACILITY)))

    assert account(db, "A-1001").priority_score != MARK
    assert stale_rows(db) == 0


def test_a_facility_a_placement_creates_gets_the_rules_values_are_worked_out_for(db: Database) -> None:
    with db.reading() as session:
        assert session.get(Facility, 1) is None
    place_with(db, placement_values(placement(), NOW, NEW_FACILITY))

    with db.reading() as session:
        created = session.get(Facility, account(db, "A-1001").facility_id)
        assert created is not None
        assert (created.nonprofit, created.regime, created.state) == NEW_FACILITY


def test_values_worked_out_under_other_policies_are_worked_out_again(db: Database) -> None:
    ahead = marked(placement_values(placement(), NOW, NEW_FACILITY))
    assert ahead.policies == policy_fingerprint()

    place_with(db, dataclasses.replace(ahead, policies="another policy"))

    assert account(db, "A-1001").priority_score != MARK
    assert stale_rows(db) == 0


def test_another_offices_policy_has_another_fingerprint() -> None:
    """Values a worker worked out under one database's office policies are not used in another's."""
    before = policy_fingerprint()
    install_overrides({"priority": '[age]\n"120+" = 30\n'})
    try:
        assert policy_fingerprint() != before
    finally:
        install_overrides({})
    assert policy_fingerprint() == before


def test_a_replaced_policy_has_another_fingerprint() -> None:
    before = policy_fingerprint()
    edited = dataclasses.replace(current_policy(), window_start=time(9, 0))
    use_policy(edited)
    try:
        assert policy_fingerprint() != before
    finally:
        use_policy(None)
    assert policy_fingerprint() == before
