"""The demo's payers' 835s: valid and balanced, seeded, and what they post gives every collector a
denial worklist, the payer table its phones, and the ledger a reversal and provider adjustments."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from pathlib import Path

from sqlalchemy import ScalarSelect, func, select
from typer.testing import CliRunner

from collector_tui.cli.main import app
from collector_tui.db.tables import (
    ACCOUNT_T,
    CLAIM_T,
    COLLECTOR_T,
    DENIAL_ITEM_T,
    PAYER_T,
    PROVIDER_ADJUSTMENT_T,
    REMITTANCE_CLAIM_T,
    REMITTANCE_T,
)
from collector_tui.demo.files import write_demo_files
from collector_tui.demo.generator import DEMO_DEFAULT_LOGIN, DEMO_USERS, PAYERS, DemoOffice
from collector_tui.demo.remittances import DemoRemittance, demo_acknowledgment, demo_remittances
from collector_tui.domain.phones import normalize_phone
from collector_tui.domain.x12.claim_status import read_277
from collector_tui.domain.x12.envelope import read_interchanges
from collector_tui.domain.x12.remittance import balance_problems, read_835
from collector_tui.importing.remittance import STATUS_ALREADY, import_remittance
from collector_tui.services.audit import SYSTEM
from collector_tui.services.database import Database, open_database
from collector_tui.vocabulary import DenialStatus
from tests.conftest import DEMO_ACCOUNTS, DEMO_SEED, NOW

AS_OF = NOW.date()
COLLECTORS = [u.login for u in DEMO_USERS if u.role == "collector"]


def _files(seed: int = DEMO_SEED, accounts: int = DEMO_ACCOUNTS) -> tuple[DemoRemittance, ...]:
    office = DemoOffice(accounts=accounts, seed=seed, as_of=AS_OF)
    return demo_remittances(office.batch(0), seed=seed, as_of=AS_OF)


def test_the_files_are_valid_835s_that_balance() -> None:
    office = DemoOffice(accounts=DEMO_ACCOUNTS, seed=DEMO_SEED, as_of=AS_OF)
    numbers = {a.placement["claim_control_number"] for a in office.batch(0)} - {""}
    files = _files()
    assert len(files) == 3
    assert [f.name for f in files] == sorted(f.name for f in files)  # the names sort in import order
    statuses: set[str] = set()
    reasons: set[str] = set()
    plb: set[str] = set()
    for file in files:
        (interchange,) = read_interchanges(file.text)  # the envelopes' counts and control numbers
        (group,) = interchange.groups
        assert len({t.control_number for t in group.transactions}) == len(group.transactions)
        for remittance in read_835(file.text):
            assert balance_problems(remittance) == [], file.name
            assert remittance.payer.name in PAYERS
            assert remittance.payer.identifier  # REF*2U
            assert normalize_phone(remittance.payer.phone).valid  # PER*CX ... TE
            assert remittance.payment.amount_cents >= 0
            for claim in remittance.claims:
                assert claim.patient_control_number in numbers
                statuses.add(claim.status_code)
                reasons |= {f"{a.group}-{a.reason}" for a in claim.all_adjustments()}
            plb |= {line.reason for line in remittance.provider_adjustments}
    assert {"1", "4", "19", "22"} <= statuses
    assert {"CO-45", "PR-2", "CO-97", "CO-16", "CO-197", "CO-50", "CO-18"} <= reasons
    assert plb == {"WO", "L6"}


def test_the_same_seed_gives_the_same_files_and_another_seed_others() -> None:
    assert _files() == _files()
    assert _files() != _files(seed=DEMO_SEED + 1)


def test_a_tiny_office_writes_what_it_can() -> None:
    for accounts in (1, 5, 30):
        for file in _files(seed=3, accounts=accounts):
            assert all(balance_problems(r) == [] for r in read_835(file.text))


def test_the_277ca_accepts_claims_the_835s_leave_pending(demo_db: Database) -> None:
    batch = DemoOffice(accounts=DEMO_ACCOUNTS, seed=DEMO_SEED, as_of=AS_OF).batch(0)
    acknowledgment = demo_acknowledgment(batch, seed=DEMO_SEED, as_of=AS_OF)
    assert acknowledgment is not None
    (report,) = read_277(acknowledgment.text)
    accepted = {claim.control_number for claim in report.claims if claim.category == "A2"}
    assert len(accepted) == len(report.claims) > 0
    decided = {c.patient_control_number for f in _files() for r in read_835(f.text) for c in r.claims}
    assert not accepted & decided
    c = CLAIM_T.c
    with demo_db.reading() as session:
        rows = session.execute(
            select(c.control_number, c.status, c.accepted_date, c.status_category).where(
                c.accepted_date.is_not(None)
            )
        ).all()
    assert {row.control_number for row in rows} == accepted
    assert all(row.status == "pending" and row.status_category == "A2" for row in rows)


def test_every_collector_has_denials_in_two_scenarios_at_least(demo_db: Database) -> None:
    d = DENIAL_ITEM_T.c
    with demo_db.reading() as session:
        rows = session.execute(
            select(COLLECTOR_T.c.login, d.scenario, d.appeal_deadline, d.corrected_claim_deadline)
            .join(COLLECTOR_T, COLLECTOR_T.c.id == d.owner_id)
            .where(d.status == DenialStatus.OPEN, d.source == "remittance")
        ).all()
    scenarios: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        scenarios[row.login].add(row.scenario)
    assert all(len(scenarios[login]) >= 2 for login in COLLECTORS), dict(scenarios)
    # Some deadlines have passed, some are near: the alarms and the aged report have something.
    nearest = [min(filter(None, (r.appeal_deadline, r.corrected_claim_deadline))) for r in rows]
    assert any(day < AS_OF for day in nearest)
    assert any(AS_OF <= day <= AS_OF + timedelta(days=14) for day in nearest)


def test_the_payer_table_has_the_payers_phones(demo_db: Database) -> None:
    with demo_db.reading() as session:
        payers = session.execute(select(PAYER_T.c.name, PAYER_T.c.phone, PAYER_T.c.identifier)).all()
    assert {p.name for p in payers} == set(PAYERS)
    assert all(p.phone and normalize_phone(p.phone).valid and p.identifier for p in payers), payers


def test_the_reversal_the_recoupment_and_the_interest_posted(demo_db: Database) -> None:
    rc, c, pa = REMITTANCE_CLAIM_T.c, CLAIM_T.c, PROVIDER_ADJUSTMENT_T.c
    with demo_db.reading() as session:
        reversed_claims = session.execute(
            select(rc.claim_id, rc.paid_cents).where(rc.status_code == "22", rc.claim_id.is_not(None))
        ).all()
        adjustments = session.execute(select(pa.reason_code, pa.amount_cents, pa.account_id)).all()
        unmatched = session.execute(
            select(func.count()).select_from(REMITTANCE_CLAIM_T).where(rc.claim_id.is_(None))
        ).scalar_one()
        default_paid = session.execute(
            select(func.count())
            .select_from(REMITTANCE_CLAIM_T)
            .join(CLAIM_T, c.id == rc.claim_id)
            .where(rc.paid_cents != 0, c.account_id.in_(_accounts_of(DEMO_DEFAULT_LOGIN)))
        ).scalar_one()
    assert len(reversed_claims) == 1 and reversed_claims[0].paid_cents < 0
    by_reason = {row.reason_code: row for row in adjustments}
    assert (
        by_reason["WO"].amount_cents > 0 and by_reason["WO"].account_id is not None
    )  # names the ICN's account
    assert by_reason["L6"].amount_cents < 0  # interest paid to the provider
    assert unmatched == 0
    assert default_paid == 0  # the default collector's queue (the UI snapshots) sees no money move


def _accounts_of(login: str) -> ScalarSelect[int]:
    return (
        select(ACCOUNT_T.c.id)
        .join(COLLECTOR_T, COLLECTOR_T.c.id == ACCOUNT_T.c.assigned_collector_id)
        .where(COLLECTOR_T.c.login == login)
        .scalar_subquery()
    )


def test_importing_the_same_files_again_changes_nothing(office_path: Path, tmp_path: Path) -> None:
    written = write_demo_files(
        tmp_path / "files", DemoOffice(accounts=DEMO_ACCOUNTS, seed=DEMO_SEED, as_of=AS_OF)
    )
    assert [p.name for p in written.remittances] == [f.name for f in _files()]
    db = open_database(f"sqlite:///{office_path}")
    try:
        before = _counts(db)
        for path in written.remittances:
            summary = import_remittance(db, path, actor=SYSTEM, now=NOW)
            assert summary.status == STATUS_ALREADY and summary.transactions == 0, path.name
        assert _counts(db) == before
    finally:
        db.close()


def _counts(db: Database) -> tuple[int, ...]:
    with db.reading() as session:
        return tuple(
            session.execute(select(func.count()).select_from(table)).scalar_one()
            for table in (REMITTANCE_T, REMITTANCE_CLAIM_T, DENIAL_ITEM_T, PROVIDER_ADJUSTMENT_T)
        )


def test_collector_demo_still_exits_zero(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["demo", "--accounts", "120", "--seed", "5", "--db", str(tmp_path / "demo.db"), "--build-only"]
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo.db"]  # the 835s were removed too
