"""Reassigning accounts on the demo office: who may, what the preview says, what applying writes,
and the distribution rules (balanced counts and amounts, case limits, orphans) on real SQLite."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pytest

from collector_tui.domain.aging import age_bucket, age_in_days
from collector_tui.services.audit import Actor
from collector_tui.services.database import Database
from collector_tui.services.desk.account_actions import add_note
from collector_tui.services.errors import AccessDeniedError, NotFoundError, ServiceError, StaleAccountError
from collector_tui.services.team.identity import resolve_actor
from collector_tui.services.worklists.assignments import (
    AccountSelection,
    ReassignmentPreview,
    ReassignRequest,
    StalePreviewError,
    apply_reassignment,
    preview_reassignment,
)
from collector_tui.services.worklists.priority import age_start
from collector_tui.services.worklists.queue import claim, section_totals
from tests.conftest import NOW


def _actor(db: Database, login: str = "sreed") -> Actor:
    return resolve_actor(db, act_as=login)


def _sql(db: Database, sql: str, *params: Any) -> list[Any]:
    with db.reading() as session:
        return list(session.connection().exec_driver_sql(sql, params).fetchall())


def _write(db: Database, sql: str, *params: Any) -> None:
    with db.writing() as session:
        session.connection().exec_driver_sql(sql, params)


def _id(db: Database, login: str) -> int:
    return int(_sql(db, "SELECT id FROM collector WHERE login = ?", login)[0][0])


def _open(db: Database, login: str) -> tuple[int, int]:
    """(open accounts, their balance) of a collector, counted by hand."""
    row = _sql(
        db,
        "SELECT count(*), coalesce(sum(total_balance_cents), 0) FROM account "
        "WHERE status = 'open' AND assigned_collector_id = ?",
        _id(db, login),
    )[0]
    return int(row[0]), int(row[1])


def _preview(db: Database, *to: str, by: str = "count", **selection: Any) -> ReassignmentPreview:
    request = ReassignRequest(tuple(to), AccountSelection(**selection), by)
    return preview_reassignment(db, _actor(db), request, now=NOW)


def _moved_to(preview: ReassignmentPreview) -> Counter[int]:
    return Counter(move.to_id for move in preview.moves)


# --- who may -------------------------------------------------------------------------------------


def test_a_collector_may_neither_preview_nor_apply(office: Database) -> None:
    preview = _preview(office, "jchen", from_login="kbrown")
    collector = _actor(office, "mlopez")
    with pytest.raises(AccessDeniedError, match="reassign"):
        preview_reassignment(office, collector, preview.request, now=NOW)
    with pytest.raises(AccessDeniedError, match="reassign"):
        apply_reassignment(office, collector, preview, now=NOW)
    assert _sql(office, "SELECT count(*) FROM assignment_history WHERE reason = 'reassigned'") == [(0,)]


@pytest.mark.parametrize("login", ["sreed", "admin"])
def test_supervisors_and_admins_may(office: Database, login: str) -> None:
    request = ReassignRequest(("jchen",), AccountSelection(from_login="kbrown"))
    preview = preview_reassignment(office, _actor(office, login), request, now=NOW)
    result = apply_reassignment(office, _actor(office, login), preview, now=NOW)
    assert result.moved.accounts > 0


def test_a_supervisor_deactivated_after_the_preview_is_refused(office: Database) -> None:
    supervisor = _actor(office)
    preview = preview_reassignment(office, supervisor, ReassignRequest(("jchen",)), now=NOW)
    _write(office, "UPDATE collector SET active = 0 WHERE login = 'sreed'")
    with pytest.raises(AccessDeniedError, match="deactivated"):
        apply_reassignment(office, supervisor, preview, now=NOW)


# --- preview ------------------------------------------------------------------------------------


def test_the_preview_says_how_many_and_how_much_from_whom_to_whom_and_writes_nothing(
    office: Database,
) -> None:
    before = _sql(office, "SELECT count(*) FROM audit_event")
    kbrown = _open(office, "kbrown")
    jchen = _open(office, "jchen")
    preview = _preview(office, "jchen", from_login="kbrown")
    assert preview.matched.accounts == preview.moving.accounts == kbrown[0]
    assert preview.moving.balance_cents == kbrown[1]
    assert [(f.from_login, f.to_login, f.accounts, f.balance_cents) for f in preview.flows] == [
        ("kbrown", "jchen", kbrown[0], kbrown[1])
    ]
    (load,) = preview.caseloads
    assert (load.login, load.before.accounts, load.before.balance_cents) == ("jchen", *jchen)
    assert (load.after.accounts, load.after.balance_cents) == (jchen[0] + kbrown[0], jchen[1] + kbrown[1])
    assert _sql(office, "SELECT count(*) FROM audit_event") == before


def test_unknown_and_deactivated_names_are_refused(office: Database) -> None:
    with pytest.raises(NotFoundError, match="no user 'nobody'"):
        _preview(office, "nobody")
    with pytest.raises(NotFoundError, match="no user 'ghost'"):
        _preview(office, "jchen", from_login="ghost")
    with pytest.raises(NotFoundError, match="no facility"):
        _preview(office, "jchen", facility="NOPE")
    _write(office, "UPDATE collector SET active = 0 WHERE login = 'rpatel'")
    with pytest.raises(ServiceError, match="'rpatel' is deactivated"):
        _preview(office, "jchen", "rpatel")
    with pytest.raises(ServiceError, match="at least one"):
        _preview(office)
    with pytest.raises(ServiceError, match="age bucket"):
        _preview(office, "jchen", age_bucket="old")
    with pytest.raises(ServiceError, match="balance by"):
        _preview(office, "jchen", by="luck")


def test_an_operator_is_never_given_accounts(office: Database) -> None:
    """The nightly job's service account works no account: naming it is refused, and a collector
    made an operator since the preview makes the preview stale (nothing is moved)."""
    with pytest.raises(ServiceError, match=r"^user 'nightly' is an operator \(the nightly service account\)"):
        _preview(office, "jchen", "nightly", from_login="kbrown")
    preview = _preview(office, "jchen", from_login="kbrown")
    assert preview.moves
    _write(office, "UPDATE collector SET role = 'operator' WHERE login = 'jchen'")
    before = _sql(office, "SELECT id, assigned_collector_id, version FROM account ORDER BY id")
    with pytest.raises(StalePreviewError, match="'jchen' is an operator"):
        apply_reassignment(office, _actor(office), preview, now=NOW)
    assert _sql(office, "SELECT id, assigned_collector_id, version FROM account ORDER BY id") == before


# --- filters ------------------------------------------------------------------------------------


def _accounts(db: Database, where: str = "1 = 1", *params: Any) -> list[int]:
    return [row[0] for row in _sql(db, f"SELECT a.id FROM account a WHERE {where} ORDER BY a.id", *params)]


def _selected(preview: ReassignmentPreview) -> list[int]:
    staying = preview.matched.accounts - preview.moving.accounts - preview.unplaced.accounts
    assert staying == preview.staying.accounts
    return sorted([m.account_id for m in preview.moves] + list(preview.unplaced_ids))


def test_filters_by_state_facility_balance_and_status(office: Database) -> None:
    by_state = _preview(office, "admin", state="tx")
    assert _selected(by_state) == _accounts(
        office, "a.status = 'open' AND a.guarantor_id IN (SELECT id FROM guarantor WHERE state = 'TX')"
    )
    by_facility = _preview(
        office, "admin", facility="SMR", min_balance_cents=10_000, max_balance_cents=50_000
    )
    assert _selected(by_facility) == _accounts(
        office,
        "a.status = 'open' AND a.facility_id = (SELECT id FROM facility WHERE code = 'SMR') "
        "AND a.total_balance_cents BETWEEN 10000 AND 50000",
    )
    everything = _preview(office, "admin", status=None)
    assert _selected(everything) == _accounts(office)
    assert by_state.matched.accounts > 0 and by_facility.matched.accounts > 0


def test_filters_by_age_bucket_as_the_queue_ages_accounts(office: Database) -> None:
    rows = _sql(
        office,
        "SELECT id, first_statement_date, service_date_from, placed_date FROM account WHERE status = 'open'",
    )
    from datetime import date

    def bucket(row: Any) -> str:
        started = age_start(*(date.fromisoformat(v) if v else None for v in row[1:]))
        return age_bucket(age_in_days(started, NOW.date()))

    for label in ("0-30", "61-90", "120+"):
        expected = sorted(row[0] for row in rows if bucket(row) == label)
        assert _selected(_preview(office, "admin", age_bucket=label)) == expected, label


def test_filters_by_score_ids_and_limit(office: Database) -> None:
    scored = _preview(office, "admin", min_score=30, max_score=60)
    assert _selected(scored) == _accounts(
        office, "a.status = 'open' AND a.priority_score % 1000000 BETWEEN 30 AND 60"
    )
    first = _accounts(office, "a.status = 'open'")[:7]
    assert _selected(_preview(office, "admin", limit=7)) == first
    some = (*first[2:5], first[0])
    assert _selected(_preview(office, "admin", account_ids=some)) == sorted(some)
    assert _selected(_preview(office, "admin", account_ids=some, limit=2)) == sorted(some)[:2]


# --- apply --------------------------------------------------------------------------------------


def test_applying_moves_the_accounts_with_history_audit_and_a_new_version(office: Database) -> None:
    versions = dict(_sql(office, "SELECT id, version FROM account"))
    preview = _preview(office, "jchen", "rpatel", from_login="kbrown")
    result = apply_reassignment(office, _actor(office), preview, now=NOW)
    assert result.moved == preview.moving
    moved = {m.account_id: m.to_id for m in preview.moves}
    after = dict(_sql(office, "SELECT id, assigned_collector_id FROM account"))
    assert all(after[account_id] == to_id for account_id, to_id in moved.items())
    assert _open(office, "kbrown") == (0, 0)
    bumped = dict(_sql(office, "SELECT id, version FROM account"))
    assert all(bumped[i] == versions[i] + (1 if i in moved else 0) for i in versions)

    history = _sql(
        office,
        "SELECT account_id, from_collector_id, to_collector_id, assigned_by FROM assignment_history "
        "WHERE reason = 'reassigned' ORDER BY account_id",
    )
    kbrown = _id(office, "kbrown")
    assert history == [(i, kbrown, moved[i], "sreed") for i in sorted(moved)]

    (request,) = _sql(
        office, "SELECT id, entity_id, details FROM audit_event WHERE action = 'assignment.request'"
    )
    assert request[0] == result.request_event_id and request[1] is None
    details = json.loads(request[2])
    assert details["accounts"] == len(moved) and details["to"] == ["jchen", "rpatel"]
    assert details["from"] == "kbrown" and details["balance_cents"] == preview.moving.balance_cents
    events = _sql(office, "SELECT entity_id, details FROM audit_event WHERE action = 'account.reassign'")
    assert sorted(e[0] for e in events) == sorted(moved)
    for entity_id, text in events:
        assert json.loads(text) == {"from": kbrown, "request": request[0], "to": moved[entity_id]}


def test_moved_accounts_show_in_the_new_owners_queue(office: Database) -> None:
    jchen = resolve_actor(office, act_as="jchen")
    before = sum(section_totals(office, jchen, NOW).values())
    preview = _preview(office, "jchen", from_login="kbrown")
    apply_reassignment(office, _actor(office), preview, now=NOW)
    assert sum(section_totals(office, jchen, NOW).values()) == before + preview.moving.accounts


def test_a_stale_preview_writes_nothing(office: Database) -> None:
    preview = _preview(office, "jchen", from_login="kbrown")
    _write(
        office, "UPDATE account SET assigned_collector_id = NULL WHERE id = ?", preview.moves[3].account_id
    )
    before = _sql(office, "SELECT id, assigned_collector_id, version FROM account ORDER BY id")
    with pytest.raises(StalePreviewError, match=r"1 of the .* changed owner since the preview"):
        apply_reassignment(office, _actor(office), preview, now=NOW)
    assert _sql(office, "SELECT id, assigned_collector_id, version FROM account ORDER BY id") == before
    assert _sql(office, "SELECT count(*) FROM audit_event WHERE action LIKE '%reassign%'") == [(0,)]
    with office.reading() as session:  # the scratch table went with the rollback
        names = session.connection().exec_driver_sql("SELECT name FROM sqlite_temp_master").fetchall()
        assert names == []


def test_applying_twice_is_refused_the_second_time(office: Database) -> None:
    preview = _preview(office, "jchen", from_login="kbrown")
    apply_reassignment(office, _actor(office), preview, now=NOW)
    with pytest.raises(StalePreviewError):
        apply_reassignment(office, _actor(office), preview, now=NOW)


def test_nothing_to_move_writes_nothing(office: Database) -> None:
    preview = _preview(office, "kbrown", from_login="kbrown")
    assert preview.moving.accounts == 0 and preview.staying.accounts == preview.matched.accounts > 0
    result = apply_reassignment(office, _actor(office), preview, now=NOW)
    assert result.request_event_id is None and result.moved.accounts == 0


def test_a_collector_with_a_moved_account_open_is_told(office: Database) -> None:
    kbrown = resolve_actor(office, act_as="kbrown")
    account_id, version = _sql(
        office,
        "SELECT id, version FROM account WHERE status = 'open' AND assigned_collector_id = ? LIMIT 1",
        kbrown.collector_id,
    )[0]
    assert claim(office, kbrown, account_id, NOW)
    preview = _preview(office, "jchen", from_login="kbrown")
    assert [(c.account_id, c.claimed_by, c.to_login) for c in preview.claimed] == [
        (account_id, "kbrown", "jchen")
    ]
    result = apply_reassignment(office, _actor(office), preview, now=NOW)
    assert [(c.account_id, c.claimed_by) for c in result.claimed] == [(account_id, "kbrown")]
    # The claim stays (the screen tells the claimant); their next save is refused: the account is
    # another collector's now, and anyone who had it open holds an old version.
    assert _sql(office, "SELECT claimed_by_id FROM account WHERE id = ?", account_id) == [
        (kbrown.collector_id,)
    ]
    with pytest.raises(AccessDeniedError, match="assigned to another collector"):
        add_note(office, kbrown, account_id, version, "called back", now=NOW)
    with pytest.raises(StaleAccountError):
        add_note(office, _actor(office), account_id, version, "called back", now=NOW)


# --- distribution -------------------------------------------------------------------------------


def test_balanced_by_count_levels_the_caseloads(office: Database) -> None:
    preview = _preview(office, "jchen", "aokafor", "rpatel", from_login="mlopez")
    result = apply_reassignment(office, _actor(office), preview, now=NOW)
    counts = [_open(office, login)[0] for login in ("jchen", "aokafor", "rpatel")]
    assert max(counts) - min(counts) <= 1
    assert [c.after.accounts for c in preview.caseloads] == counts
    assert (
        result.moved.accounts
        == _sql(office, "SELECT count(*) FROM assignment_history WHERE reason = 'reassigned'")[0][0]
    )
    assert _open(office, "mlopez") == (0, 0)


def test_balanced_by_amount_levels_the_money_within_one_account(office: Database) -> None:
    largest = _sql(
        office,
        "SELECT max(total_balance_cents) FROM account WHERE status = 'open' AND assigned_collector_id = ?",
        _id(office, "mlopez"),
    )[0][0]
    preview = _preview(office, "jchen", "aokafor", by="amount", from_login="mlopez")
    apply_reassignment(office, _actor(office), preview, now=NOW)
    money = [_open(office, login)[1] for login in ("jchen", "aokafor")]
    assert abs(money[0] - money[1]) <= largest
    assert [c.after.balance_cents for c in preview.caseloads] == money


def test_case_limits_are_respected_and_what_does_not_fit_stays(office: Database) -> None:
    jchen = _open(office, "jchen")[0]
    _write(office, "UPDATE collector SET case_limit = ? WHERE login = 'jchen'", jchen + 5)
    _write(
        office, "UPDATE collector SET case_limit = ? WHERE login = 'rpatel'", _open(office, "rpatel")[0] + 7
    )
    kbrown = _open(office, "kbrown")[0]
    preview = _preview(office, "jchen", "rpatel", from_login="kbrown")
    assert _moved_to(preview) == {_id(office, "jchen"): 5, _id(office, "rpatel"): 7}
    assert preview.unplaced.accounts == kbrown - 12
    apply_reassignment(office, _actor(office), preview, now=NOW)
    assert _open(office, "jchen")[0] == jchen + 5
    assert _open(office, "kbrown")[0] == kbrown - 12
    owners = dict(_sql(office, "SELECT id, assigned_collector_id FROM account"))
    assert {owners[i] for i in preview.unplaced_ids} == {_id(office, "kbrown")}


def test_a_limit_filled_since_the_preview_refuses_the_whole_request(office: Database) -> None:
    _write(office, "UPDATE collector SET case_limit = ? WHERE login = 'jchen'", _open(office, "jchen")[0] + 5)
    preview = _preview(office, "jchen", from_login="kbrown", limit=5)
    assert preview.moving.accounts == 5 and preview.unplaced.accounts == 0
    other = _preview(office, "jchen", from_login="rpatel", limit=1)  # someone else fills one place first
    apply_reassignment(office, _actor(office, "admin"), other, now=NOW)
    with pytest.raises(StalePreviewError, match="over their case limit"):
        apply_reassignment(office, _actor(office), preview, now=NOW)
    assert _open(office, "kbrown")[0] > 0
    assert _sql(office, "SELECT count(*) FROM assignment_history WHERE reason = 'reassigned'") == [(1,)]


def test_orphans_are_unassigned_accounts_and_those_of_deactivated_collectors(office: Database) -> None:
    _write(office, "UPDATE collector SET active = 0 WHERE login = 'kbrown'")
    kbrown = _open(office, "kbrown")
    unassigned = _sql(
        office,
        "SELECT count(*), sum(total_balance_cents) FROM account WHERE status = 'open' "
        "AND assigned_collector_id IS NULL",
    )[0]
    assert unassigned[0] > 0 and kbrown[0] > 0
    preview = _preview(office, "jchen", "rpatel", orphaned=True)
    assert preview.matched.accounts == kbrown[0] + unassigned[0]
    by_source = Counter[tuple[str | None, bool]]()
    for flow in preview.flows:
        by_source[flow.from_login, flow.from_active] += flow.accounts
    assert by_source == {("kbrown", False): kbrown[0], (None, True): unassigned[0]}
    apply_reassignment(office, _actor(office), preview, now=NOW)
    assert _preview(office, "jchen", orphaned=True).matched.accounts == 0


def test_rebalancing_a_team_moves_only_what_it_must(office: Database) -> None:
    team = ("mlopez", "jchen", "aokafor", "rpatel", "kbrown")
    before = {login: _open(office, login)[0] for login in team}
    preview = _preview(office, *team)  # every open account, including the unassigned ones
    apply_reassignment(office, _actor(office), preview, now=NOW)
    after = [_open(office, login)[0] for login in team]
    assert max(after) - min(after) <= 1
    level = sum(after) / len(team)
    # Only the surplus above the level leaves anyone, plus what nobody owned.
    surplus = sum(max(0, n - int(level)) for n in before.values())
    assert preview.moving.accounts <= surplus + preview.matched.accounts - sum(before.values())


def test_the_move_reads_only_the_listed_accounts(office: Database) -> None:
    """The UPDATE is driven by the moves' key: no scan of the account table (a million rows)."""
    from sqlalchemy.dialects import sqlite

    from collector_tui.services.worklists.assignments import MOVES_T, move_statement

    sql = str(move_statement(NOW).compile(dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True}))
    with office.writing() as session:
        connection = session.connection()
        MOVES_T.create(connection)
        plan = [row[3] for row in connection.exec_driver_sql("EXPLAIN QUERY PLAN " + sql)]
        MOVES_T.drop(connection)
    assert "SEARCH account USING INTEGER PRIMARY KEY (rowid=?)" in plan
    assert not any(step.startswith("SCAN") for step in plan), plan
