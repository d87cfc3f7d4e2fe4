"""The demo office is deterministic, realistic, and made only of rows the importers accept."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict
from datetime import date

from collector_tui.demo.generator import DEMO_DEFAULT_LOGIN, DEMO_USERS, DemoOffice
from collector_tui.domain.contact_log import parse_activity_row
from collector_tui.domain.money_events import parse_transaction_row
from collector_tui.domain.placement import PlacementRecord, parse_placement_row
from collector_tui.services.law.policy import load_workspace_policy

AS_OF = date(2026, 11, 27)

DISPOSITIONS = load_workspace_policy().dispositions


def _rows(seed: int, accounts: int = 300) -> list[dict[str, object]]:
    return [asdict(account) for account in DemoOffice(accounts=accounts, seed=seed, as_of=AS_OF)]


def test_same_seed_and_day_give_the_same_office() -> None:
    assert _rows(11) == _rows(11)


def test_another_seed_gives_another_office() -> None:
    assert _rows(11) != _rows(12)


def test_every_generated_row_passes_import_validation() -> None:
    placements = transactions = activities = 0
    for account in DemoOffice(accounts=1500, seed=3, as_of=AS_OF):
        record = parse_placement_row(account.placement, today=AS_OF)
        assert isinstance(record, PlacementRecord), record
        placements += 1
        for row in account.transactions:
            assert not isinstance(parse_transaction_row(row, today=AS_OF), list), row["transaction_id"]
            transactions += 1
        for row in account.activities:
            assert not isinstance(parse_activity_row(row, today=AS_OF, dispositions=DISPOSITIONS), list), row[
                "activity_id"
            ]
            activities += 1
    assert placements == 1500
    assert transactions > 100
    assert activities > 1000


def test_the_office_covers_the_hard_time_zones_and_a_realistic_mix() -> None:
    records = [
        parse_placement_row(a.placement, today=AS_OF) for a in DemoOffice(accounts=3000, seed=5, as_of=AS_OF)
    ]
    placed = [r for r in records if isinstance(r, PlacementRecord)]
    states = Counter(r.guarantor.state for r in placed if r.guarantor)
    for state in ("AZ", "AK", "HI", "PR", "IN", "FL", "ID"):
        assert states[state] > 0, state
    area_codes = {p.phone.number[2:5] for r in placed for p in r.phones}
    assert {"812", "850", "208", "907", "808", "787", "602"} <= area_codes
    assert all(p.phone.number[5:9] == "5550" and p.phone.number[9] == "1" for r in placed for p in r.phones)
    zones = {z for r in placed for p in r.phones for z in p.phone.time_zones}
    assert {"America/Phoenix", "Pacific/Honolulu", "America/Puerto_Rico", "America/Anchorage"} <= zones
    assert any(r.insurance_pending_cents > 0 for r in placed)
    assert any(r.insurance_pending_cents == 0 for r in placed)
    assert any(r.claim and r.claim.status == "denied" and r.claim.denials for r in placed)
    assert any(r.claim and r.claim.status == "paid" for r in placed)
    assert all(r.charges for r in placed)
    households = Counter(r.guarantor.external_id for r in placed if r.guarantor)
    assert max(households.values()) >= 2
    logins = Counter(r.collector_login for r in placed)
    assert logins[DEMO_DEFAULT_LOGIN] == max(logins.values())  # the default demo user has a full queue


def test_promises_plans_and_payments_appear() -> None:
    office = list(DemoOffice(accounts=2000, seed=9, as_of=AS_OF))
    assert sum(a.promise is not None for a in office) > 10
    assert sum(a.plan is not None for a in office) > 5
    kinds = Counter(t["kind"] for a in office for t in a.transactions)
    assert kinds["payment"] > 0
    assert kinds["reversal"] > 0


def test_demo_users_include_a_supervisor_and_an_admin() -> None:
    roles = {u.role for u in DEMO_USERS}
    assert roles == {"collector", "supervisor", "admin"}
