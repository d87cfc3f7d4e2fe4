"""The office's policies come from its database, whatever a user's environment or config file says;
every plan and logged call records the digest of the policy it was judged under."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from collector_tui.db.models import Account, AuditEvent, PaymentPlan, table_of
from collector_tui.domain.compliance.engine import evaluate
from collector_tui.domain.plan_schedule import PlanTerms
from collector_tui.services.audit import Actor
from collector_tui.services.database import Database, open_database
from collector_tui.services.desk.account_actions import ContactEntry, log_contact
from collector_tui.services.desk.account_state import call_state_due, refresh_all_accounts
from collector_tui.services.errors import AccessDeniedError, CallBlockedError, ServiceError
from collector_tui.services.law import policy
from collector_tui.services.law.compliance import load_facts
from collector_tui.services.law.office_policy import (
    clear_office_policy,
    office_policy,
    set_office_policy,
    stored_overrides,
)
from collector_tui.services.money.plans import PlanRequest, create_plan, quote
from collector_tui.services.team.identity import resolve_actor
from collector_tui.services.worklists.queue import SECTION_CALL, QueueFilter, queue_page
from collector_tui.vocabulary import PlanStatus
from tests.conftest import NOW

A, PLAN = table_of(Account).c, table_of(PaymentPlan).c
LOOSE_PLANS = "version = 'mine'\n[[plan.tiers]]\nmax_term_months = 240\n"
ALL_NIGHT = '[rules.window]\nstart = "00:00"\nend = "23:59"\n'


@pytest.fixture(autouse=True)
def shipped_policies() -> Iterator[None]:
    """Opening a database installs its office's policies in this process: undo it after each test."""
    yield
    policy.install_overrides({})


def _actor(db: Database, login: str = "mlopez") -> Actor:
    return resolve_actor(db, act_as=login)


def _callable(db: Database, actor: Actor) -> tuple[int, int, int, str]:
    """(account id, version, an allowed phone id, home zone) of one of the actor's callable accounts."""
    account_id = queue_page(db, actor, now=NOW, chosen=QueueFilter(section=SECTION_CALL)).rows[0].id
    with db.reading() as session:
        verdict = evaluate(load_facts(session, [account_id], NOW)[account_id], policy.current_policy(), NOW)
        version = session.execute(select(A.version).where(A.id == account_id)).scalar_one()
    phone_id = next(p.phone_id for p in verdict.phones if p.allowed)
    return account_id, version, phone_id, verdict.home_zone


def _three_am(zone: str) -> datetime:
    """03:00 on NOW's day where the consumer lives (every US zone's window is closed then)."""
    return datetime(NOW.year, NOW.month, NOW.day, 3, tzinfo=ZoneInfo(zone)).astimezone(UTC)


def _loosened(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, via: str, kind: str, text: str) -> None:
    """A collector points the environment, or their own config file, at a looser policy."""
    loose = tmp_path / f"loose-{kind}.toml"
    loose.write_text(text, encoding="utf-8")
    if via == "env":
        name = {"compliance": "COLLECTOR_COMPLIANCE_POLICY", "plans": "COLLECTOR_PLAN_POLICY"}[kind]
        monkeypatch.setenv(name, str(loose))
    else:
        config = tmp_path / "config.toml"
        config.write_text(f'[{kind}]\npolicy = "{loose.name}"\n', encoding="utf-8")
        monkeypatch.setenv("COLLECTOR_CONFIG", str(config))


def _reopen(db: Database) -> Database:
    """The office opened by a fresh process, as the collector's next command would be."""
    policy._LOADED.clear()  # nothing loaded yet
    return open_database(db.url)


@pytest.mark.parametrize("via", ["env", "config"])
def test_a_collector_cannot_approve_their_own_240_month_plan(
    office: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, via: str
) -> None:
    _loosened(tmp_path, monkeypatch, via, "plans", LOOSE_PLANS)
    db = _reopen(office)
    try:
        terms = PlanTerms(
            balance_cents=1_000_000,
            frequency="monthly",
            first_due=NOW.date() + timedelta(days=10),
            installments=240,
        )
        found = quote(terms, today=NOW.date())
        assert found.verdict.policy_version == "2026.11.1"
        assert [v.rule_id for v in found.verdict.violations] == ["term"]
    finally:
        db.close()


@pytest.mark.parametrize("via", ["env", "config"])
def test_a_collector_cannot_make_a_3am_call_lawful(
    office: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, via: str
) -> None:
    _loosened(tmp_path, monkeypatch, via, "compliance", ALL_NIGHT)
    db = _reopen(office)
    try:
        actor = _actor(db)
        account_id, version, phone_id, home = _callable(db, actor)
        with pytest.raises(CallBlockedError) as refused:
            log_contact(db, actor, ContactEntry(account_id, version, "NA", phone_id), now=_three_am(home))
        assert "window" in {b.rule_id for b in refused.value.blocks}
    finally:
        db.close()


def test_an_admins_policy_is_the_one_in_force_and_changes_the_verdict(office: Database) -> None:
    admin, collector = _actor(office, "admin"), _actor(office)
    account_id, version, phone_id, home = _callable(office, collector)
    change = set_office_policy(office, admin, "compliance", ALL_NIGHT, source="office.toml", now=NOW)
    assert change.changed and change.after.override == ALL_NIGHT
    assert policy.current_policy().window_start.hour == 0
    result = log_contact(
        office, collector, ContactEntry(account_id, version, "NA", phone_id), now=_three_am(home)
    )
    assert result.version == version + 1
    with office.reading() as session:
        events = session.execute(
            select(table_of(AuditEvent)).where(table_of(AuditEvent).c.action == "contact.log")
        ).all()
    details = json.loads(events[-1].details)
    assert details["policy_digest"] == policy.current_policy().digest() == change.after.digest
    assert details["policy_digest"] != change.before.digest


def test_a_new_compliance_policy_makes_the_call_state_due(office: Database) -> None:
    """The stored call state records the digest of the office's policy: another one recomputes it."""
    admin = _actor(office, "admin")
    refresh_all_accounts(office.writing, NOW, call_state=True)
    with office.reading() as session:
        assert call_state_due(session, NOW) is None
    set_office_policy(office, admin, "compliance", ALL_NIGHT, source="office.toml", now=NOW)
    db = open_database(office.url)  # the nightly run, in its own process
    try:
        with db.reading() as session:
            assert call_state_due(session, NOW) == "the compliance policy changed"
        refresh_all_accounts(db.writing, NOW, call_state=True)
        with db.reading() as session:
            assert call_state_due(session, NOW) is None
    finally:
        db.close()


@pytest.mark.parametrize("login", ["mlopez", "sreed"])
def test_only_an_admin_sets_or_clears_a_policy(office: Database, login: str) -> None:
    actor = _actor(office, login)
    with pytest.raises(AccessDeniedError, match="only an administrator may set the office's policies"):
        set_office_policy(office, actor, "plans", LOOSE_PLANS, source="mine.toml", now=NOW)
    with pytest.raises(AccessDeniedError):
        clear_office_policy(office, actor, "plans", now=NOW)
    with office.reading() as session:
        assert stored_overrides(session) == {}
    assert office_policy(office, actor, "plans").override is None  # but anyone may read it


def test_a_policy_that_cannot_be_used_is_refused_naming_its_file(office: Database) -> None:
    admin = _actor(office, "admin")
    with pytest.raises(ServiceError, match=r"^bad\.toml: interest\.max_apr_bps"):
        set_office_policy(
            office, admin, "plans", "[interest]\nmax_apr_bps = -3\n", source="bad.toml", now=NOW
        )
    with pytest.raises(ServiceError, match=r"^bad\.toml: .*not valid TOML"):
        set_office_policy(office, admin, "plans", "[interest", source="bad.toml", now=NOW)
    with office.reading() as session:
        assert stored_overrides(session) == {}
        assert (
            session.execute(
                select(func.count()).where(table_of(AuditEvent).c.action.like("policy.%"))
            ).scalar_one()
            == 0
        )


def test_every_plan_records_the_digest_of_its_plan_policy(office: Database) -> None:
    shipped = policy.policy_digest(policy.shipped_plan_policy())
    with office.reading() as session:  # the demo's plans, recorded through services/money/arrangements.py
        digests = set(session.execute(select(PLAN.policy_digest).distinct()).scalars())
    assert digests == {shipped}

    admin, collector = _actor(office, "admin"), _actor(office)
    change = set_office_policy(office, admin, "plans", "version = 'office-7'\n", source="o.toml", now=NOW)
    account_id = queue_page(office, collector, now=NOW, chosen=QueueFilter(section=SECTION_CALL)).rows[0].id
    with office.writing() as session:
        session.execute(
            table_of(PaymentPlan).update().where(PLAN.account_id == account_id).values(status="cancelled")
        )
        version, balance = session.execute(
            select(A.version, A.total_balance_cents).where(A.id == account_id)
        ).one()
    terms = PlanTerms(  # a plan is on the account's balance
        balance_cents=balance, frequency="monthly", first_due=NOW.date() + timedelta(days=10), installments=2
    )
    create_plan(office, collector, PlanRequest(account_id, version, terms), now=NOW)
    with office.reading() as session:
        made = session.execute(
            select(PLAN.policy_digest).where(PLAN.account_id == account_id, PLAN.status == PlanStatus.ACTIVE)
        ).scalar_one()
    assert made == change.after.digest == policy.current_digest(policy.PLANS) != shipped


def test_set_show_and_clear(office: Database) -> None:
    admin, collector = _actor(office, "admin"), _actor(office)
    shipped = office_policy(office, collector, "workspace")
    assert (shipped.override, shipped.version, shipped.set_by) == (None, "2026.11.1", None)
    text = "version = 'office-2'\n[queue]\nrework_after_hours = 8\n"
    set_office_policy(office, admin, "workspace", text, source="w.toml", now=NOW)
    again = set_office_policy(office, admin, "workspace", text, source="w.toml", now=NOW)
    assert not again.changed  # the same override: nothing written, nothing audited
    shown = office_policy(office, collector, "workspace")
    assert (shown.override, shown.version, shown.set_by, shown.set_at) == (text, "office-2", "admin", NOW)
    assert policy.current_workspace_policy().rework_after == timedelta(hours=8)

    cleared = clear_office_policy(office, admin, "workspace", now=NOW)
    assert cleared.changed and cleared.after == shipped
    assert policy.current_workspace_policy().rework_after == timedelta(hours=4)
    with office.reading() as session:
        rows = session.execute(
            select(table_of(AuditEvent)).where(table_of(AuditEvent).c.action.like("policy.%"))
        ).all()
    assert [(r.action, r.actor, r.entity_type) for r in rows] == [
        ("policy.set", "admin", "office_setting"),
        ("policy.clear", "admin", "office_setting"),
    ]
    assert {json.loads(r.details)["digest"] for r in rows} == {shown.override_digest}
