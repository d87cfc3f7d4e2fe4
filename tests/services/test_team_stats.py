"""Team results against a hand count on a three-account office, and the CLI's JSON agreeing with them."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from typer.testing import CliRunner

from collector_tui.cli.main import app as cli
from collector_tui.cli.stats_command import stats_document
from collector_tui.services.audit import SYSTEM, Actor
from collector_tui.services.database import Database
from collector_tui.services.desk.account_actions import (
    ContactEntry,
    log_contact,
    set_callback,
    take_payment,
    take_promise,
)
from collector_tui.services.errors import AccessDeniedError, NotFoundError, ServiceError
from collector_tui.services.office_settings import put_office_setting
from collector_tui.services.team.identity import resolve_actor
from collector_tui.services.team.users import add_user, set_office_zone
from collector_tui.services.worklists.team_stats import team_stats
from tests.conftest import NOW
from tests.services.builders import account, place, placement


def _phone_id(db: Database, number: str) -> int:
    from collector_tui.services.desk.accounts import account_detail

    found = account(db, number)
    assert found.id is not None
    detail = account_detail(db, resolve_actor(db, login="sue"), found.id, now=NOW)
    return detail.phones[0].id


@pytest.fixture
def small_office(db: Database) -> Database:
    """ann owns A-1 ($100) and A-2 ($200); bob owns A-3 ($50). sue supervises."""
    with db.writing() as session:
        for login, role in (("ann", "collector"), ("bob", "collector"), ("sue", "supervisor")):
            add_user(session, SYSTEM, login=login, display_name=login.title(), role=role, now=NOW)
    common = {"insurance_pending": "0", "claim_status": "paid", "claim_denial_codes": "", "phone2": ""}
    place(
        db,
        [
            placement(
                account_number="A-1",
                guarantor_id="G-1",
                collector_login="ann",
                total_balance="100.00",
                patient_responsibility="100.00",
                phone1="(614) 555-0101",
                **common,
            ),
            placement(
                account_number="A-2",
                guarantor_id="G-2",
                collector_login="ann",
                total_balance="200.00",
                patient_responsibility="200.00",
                phone1="(614) 555-0102",
                **common,
            ),
            placement(
                account_number="A-3",
                guarantor_id="G-3",
                collector_login="bob",
                total_balance="50.00",
                patient_responsibility="50.00",
                phone1="(614) 555-0103",
                **common,
            ),
        ],
        now=NOW - timedelta(days=1),
    )
    ann, bob = resolve_actor(db, login="ann"), resolve_actor(db, login="bob")
    a1, a2, a3 = (account(db, n) for n in ("A-1", "A-2", "A-3"))
    assert a1.id and a2.id and a3.id
    log_contact(db, ann, ContactEntry(a1.id, a1.version, "NA", _phone_id(db, "A-1")), now=NOW)
    talked = log_contact(db, ann, ContactEntry(a2.id, a2.version, "RPC_PTP", _phone_id(db, "A-2")), now=NOW)
    take_promise(
        db, ann, a2.id, talked.version, amount_cents=5000, due=NOW.date() + timedelta(days=7), now=NOW
    )
    take_payment(db, bob, a3.id, a3.version, amount_cents=2000, method="card", reference="AUTH-1", now=NOW)
    return db


def test_the_numbers_match_a_hand_count(small_office: Database) -> None:
    sue = resolve_actor(small_office, login="sue")
    found = team_stats(small_office, sue, now=NOW + timedelta(minutes=1))
    rows = {row.login: row for row in found.rows}
    assert set(rows) == {"ann", "bob"}
    ann, bob = rows["ann"], rows["bob"]
    assert (ann.accounts, ann.balance_cents) == (2, 30_000)
    assert (ann.worked, ann.attempts, ann.right_party) == (2, 2, 1)  # a connected call is still a placed one
    assert (ann.promises, ann.promised_cents, ann.plans, ann.collected_cents) == (1, 5000, 0, 0)
    assert ann.callable_now == 0  # both worked minutes ago: out of the call list
    assert (bob.accounts, bob.balance_cents, bob.worked, bob.attempts) == (1, 3000, 0, 0)
    assert (bob.collected_cents, bob.collected_month_cents) == (2000, 2000)
    assert bob.callable_now == 1
    team = found.total
    assert (team.accounts, team.balance_cents, team.worked, team.collected_cents, team.callable_now) == (
        3, 33_000, 2, 2000, 1,
    )  # fmt: skip
    assert found.collected_by_day[-1] == (NOW.date(), 2000)
    assert sum(n for _, n, _ in found.aging) == 3 and sum(c for _, _, c in found.aging) == 33_000


def _as(monkeypatch: pytest.MonkeyPatch, login: str) -> None:
    """The operating-system login the CLI acts as (--as is for admins and demo databases)."""
    monkeypatch.setattr("collector_tui.services.team.identity.os_login", lambda: login)


def test_the_cli_json_agrees_with_the_service(
    small_office: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    _as(monkeypatch, "sue")
    result = CliRunner().invoke(cli, ["--db", small_office.url, "stats", "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert document["schema"] == "collector.stats/1"
    found = team_stats(small_office, resolve_actor(small_office, login="sue"), now=NOW + timedelta(minutes=1))
    expected = stats_document(found)
    # The CLI counts at its own "now" (today), so only what does not depend on the day is compared.
    for key in ("login", "accounts", "balance_cents", "promises_kept", "promises_resolved"):
        assert [r[key] for r in document["collectors"]] == [r[key] for r in expected["collectors"]]
    one = CliRunner().invoke(
        cli, ["--db", small_office.url, "--as", "sue", "stats", "--user", "bob", "--json"]
    )
    assert [r["login"] for r in json.loads(one.output)["collectors"]] == ["bob"]


def test_only_supervisors_and_admins_see_team_results(
    small_office: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(AccessDeniedError):
        team_stats(small_office, resolve_actor(small_office, login="ann"), now=NOW)
    with pytest.raises(NotFoundError):
        team_stats(small_office, resolve_actor(small_office, login="sue"), now=NOW, login="nobody")
    _as(monkeypatch, "ann")
    refused = CliRunner().invoke(cli, ["--db", small_office.url, "stats"])
    assert refused.exit_code == 1


def test_an_operator_is_no_collector_of_the_team(small_office: Database) -> None:
    """The nightly job's service account holds no accounts and does no work: it is not a row."""
    with small_office.writing() as session:
        add_user(session, SYSTEM, login="svc", display_name="Nightly run", role="operator", now=NOW)
    sue = resolve_actor(small_office, login="sue")
    found = team_stats(small_office, sue, now=NOW + timedelta(minutes=1))
    assert {row.login for row in found.rows} == {"ann", "bob"}
    assert team_stats(small_office, sue, now=NOW, login="svc").rows == ()
    with pytest.raises(AccessDeniedError, match=r"\(you are svc, operator\)"):
        team_stats(small_office, resolve_actor(small_office, login="svc"), now=NOW)


# -- the office's day, its time zone, and what is due today --------------------------------------


def _pay(db: Database, who: str, number: str, cents: int, at: datetime) -> None:
    found = account(db, number)
    assert found.id is not None
    take_payment(
        db, resolve_actor(db, login=who), found.id, found.version, amount_cents=cents, method="card",
        reference=f"AUTH-{at:%H%M%S}", now=at,
    )  # fmt: skip


def test_today_is_the_office_day_in_its_time_zone(small_office: Database) -> None:
    """A payment at 03:00 UTC on Nov 27 is Nov 26 in New York (the default) and Nov 27 in UTC."""
    late = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)  # 22:00 on Nov 26 in New York
    _pay(small_office, "bob", "A-3", 500, late)
    sue = resolve_actor(small_office, login="sue")
    found = team_stats(small_office, sue, now=NOW + timedelta(minutes=1))
    assert found.time_zone == "America/New_York" and found.today == NOW.date()
    assert found.since == datetime(2026, 11, 27, 5, 0, tzinfo=UTC)  # midnight EST
    bob = next(r for r in found.rows if r.login == "bob")
    assert (bob.collected_cents, bob.collected_month_cents) == (2000, 2500)
    assert found.collected_by_day[-2:] == ((date(2026, 11, 26), 500), (date(2026, 11, 27), 2000))
    admin = _admin(small_office)
    assert set_office_zone(small_office, admin, "UTC", now=NOW) == "America/New_York"
    found = team_stats(small_office, sue, now=NOW + timedelta(minutes=1))
    assert found.time_zone == "UTC" and found.since == datetime(2026, 11, 27, tzinfo=UTC)
    assert next(r for r in found.rows if r.login == "bob").collected_cents == 2500
    assert found.collected_by_day[-1] == (date(2026, 11, 27), 2500)
    # Late in the evening in Los Angeles it is still the 27th there, the 28th in UTC.
    set_office_zone(small_office, admin, "America/Los_Angeles", now=NOW)
    evening = datetime(2026, 11, 28, 6, 0, tzinfo=UTC)  # 22:00 on Nov 27 in Los Angeles
    found = team_stats(small_office, sue, now=evening)
    assert found.today == date(2026, 11, 27)
    assert next(r for r in found.rows if r.login == "ann").worked == 2  # this morning's calls


def _admin(db: Database) -> Actor:
    with db.writing() as session:
        add_user(session, SYSTEM, login="boss", display_name="Boss", role="admin", now=NOW)
    return resolve_actor(db, login="boss")


def test_the_office_time_zone_is_checked_and_only_an_admin_sets_it(small_office: Database) -> None:
    with pytest.raises(ServiceError, match=r"office\.time_zone must be an IANA time zone .*'Mars/Olympus'"):
        set_office_zone(small_office, _admin(small_office), "Mars/Olympus", now=NOW)
    with pytest.raises(AccessDeniedError):
        set_office_zone(small_office, resolve_actor(small_office, login="sue"), "UTC", now=NOW)
    with small_office.writing() as session:  # written by hand, bypassing the check
        put_office_setting(session, "office.time_zone", "Eastern")
    with pytest.raises(ServiceError, match=r"office\.time_zone .*'Eastern'"):
        team_stats(small_office, resolve_actor(small_office, login="sue"), now=NOW)


def test_the_cli_shows_and_sets_the_office_time_zone(
    small_office: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    _admin(small_office)
    _as(monkeypatch, "boss")
    shown = CliRunner().invoke(cli, ["--db", small_office.url, "office", "time-zone"])
    assert (shown.exit_code, shown.output) == (0, "office.time_zone = America/New_York\n")
    changed = CliRunner().invoke(cli, ["--db", small_office.url, "office", "time-zone", "America/Chicago"])
    assert changed.exit_code == 0, changed.output
    assert "America/Chicago (was America/New_York)" in changed.output
    bad = CliRunner().invoke(cli, ["--db", small_office.url, "office", "time-zone", "Chicago"])
    assert bad.exit_code == 1 and "office.time_zone must be an IANA time zone" in bad.output
    _as(monkeypatch, "sue")
    refused = CliRunner().invoke(cli, ["--db", small_office.url, "office", "time-zone", "UTC"])
    assert refused.exit_code == 1
    document = json.loads(CliRunner().invoke(cli, ["--db", small_office.url, "stats", "--json"]).output)
    assert document["time_zone"] == "America/Chicago"


def test_callbacks_and_promises_due_today_and_how_many_are_done(small_office: Database) -> None:
    """ann: callbacks on A-1 (worked after it) and A-2 (not yet), a promise due today on A-1 paid in
    full; bob: a promise due today on A-3, unpaid, and a callback set for tomorrow."""
    db = small_office
    ann, bob = resolve_actor(db, login="ann"), resolve_actor(db, login="bob")
    at = NOW + timedelta(minutes=5)
    a1 = account(db, "A-1")
    assert a1.id is not None
    set_callback(db, ann, a1.id, a1.version, NOW + timedelta(hours=1), now=at)
    a2 = account(db, "A-2")
    assert a2.id is not None
    # A-2's consumer spoke with ann this morning: only a time they ask for may be called this week.
    set_callback(db, ann, a2.id, a2.version, NOW + timedelta(hours=3), now=at, consumer_asked=True)
    a3 = account(db, "A-3")
    assert a3.id is not None
    version = take_promise(db, bob, a3.id, a3.version, amount_cents=2500, due=NOW.date(), now=at).version
    set_callback(db, bob, a3.id, version, NOW + timedelta(days=1), now=at)
    a1 = account(db, "A-1")
    assert a1.id is not None
    take_promise(db, ann, a1.id, a1.version, amount_cents=3000, due=NOW.date(), now=at)
    _pay(db, "ann", "A-1", 3000, NOW + timedelta(minutes=10))
    a1 = account(db, "A-1")
    assert a1.id is not None
    log_contact(
        db,
        ann,
        ContactEntry(a1.id, a1.version, "NA", _phone_id(db, "A-1")),
        now=NOW + timedelta(hours=1, minutes=2),
    )
    sue = resolve_actor(db, login="sue")
    found = team_stats(db, sue, now=NOW + timedelta(hours=2))
    rows = {row.login: row for row in found.rows}
    assert (rows["ann"].callbacks_due, rows["ann"].callbacks_done) == (2, 1)
    assert (rows["ann"].promises_due, rows["ann"].promises_done) == (1, 1)  # paid; kept tonight
    assert (rows["bob"].callbacks_due, rows["bob"].callbacks_done) == (0, 0)  # tomorrow's
    assert (rows["bob"].promises_due, rows["bob"].promises_done) == (1, 0)
    assert (found.total.callbacks_due, found.total.callbacks_done) == (2, 1)
    assert (found.total.promises_due, found.total.promises_done) == (2, 1)
    document = stats_document(found)
    ann_json = next(r for r in document["collectors"] if r["login"] == "ann")
    assert {k: ann_json[k] for k in ("callbacks_due", "callbacks_done", "promises_due", "promises_done")} == {
        "callbacks_due": 2, "callbacks_done": 1, "promises_due": 1, "promises_done": 1,
    }  # fmt: skip
    assert document["team"]["promises_due"] == 2
    assert (document["time_zone"], document["today"]) == ("America/New_York", "2026-11-27")
