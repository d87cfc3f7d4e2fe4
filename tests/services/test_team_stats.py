"""Team results against a hand count on a three-account office, and the CLI's JSON agreeing with them."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from typer.testing import CliRunner

from collector_tui.cli.main import app as cli
from collector_tui.cli.stats_command import stats_document
from collector_tui.services.audit import SYSTEM
from collector_tui.services.database import Database
from collector_tui.services.desk.account_actions import ContactEntry, log_contact, take_payment, take_promise
from collector_tui.services.errors import AccessDeniedError, NotFoundError
from collector_tui.services.team.identity import resolve_actor
from collector_tui.services.team.users import add_user
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
