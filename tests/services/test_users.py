"""Managing users: add, list, roles, deactivation (orphaned accounts, released claims), the last admin."""

from __future__ import annotations

import json
from typing import TypedDict

import pytest
from sqlalchemy import select, update

from collector_tui.db.models import Account, AuditEvent, Collector, OfficeSetting, table_of
from collector_tui.services.audit import SYSTEM, Actor
from collector_tui.services.database import Database
from collector_tui.services.errors import AccessDeniedError, NotFoundError, ServiceError
from collector_tui.services.team.identity import (
    DEMO_KEY,
    resolve_actor,
    resolve_operator,
    resolve_user_manager,
)
from collector_tui.services.team.permissions import ROLE_SYSTEM, Permission
from collector_tui.services.team.users import (
    add_user,
    create_user,
    deactivate,
    list_users,
    office_allows_unassigned,
    orphaned_account_count,
    reactivate,
    set_allow_unassigned,
    set_role,
)
from collector_tui.services.worklists.queue import claim
from collector_tui.vocabulary import AccountStatus
from tests.conftest import NOW
from tests.services.builders import all_rows, audit_events, count

A = table_of(Account).c
NIGHTLY = Actor("svc-collector", None, ROLE_SYSTEM, display_name="users")


def _admin(db: Database) -> Actor:
    return resolve_actor(db, act_as="admin")


def _open_accounts(db: Database, login: str) -> list[int]:
    with db.reading() as session:
        owner = session.execute(select(table_of(Collector).c.id).where(table_of(Collector).c.login == login))
        return [
            int(i)
            for i in session.execute(
                select(A.id).where(
                    A.assigned_collector_id == owner.scalar_one(), A.status == AccountStatus.OPEN
                )
            ).scalars()
        ]


def _not_a_demo(db: Database) -> None:
    with db.writing() as session:
        session.execute(table_of(OfficeSetting).delete().where(table_of(OfficeSetting).c.key == DEMO_KEY))


# --- add and list -----------------------------------------------------------------------------


def test_an_admin_adds_a_user_and_sees_them_listed(office: Database) -> None:
    added = create_user(
        office,
        _admin(office),
        login="tnguyen",
        display_name=" Tam Nguyen ",
        role="collector",
        now=NOW,
        case_limit=400,
    )
    assert (added.login, added.display_name, added.role, added.active, added.case_limit) == (
        "tnguyen", "Tam Nguyen", "collector", True, 400,
    )  # fmt: skip
    assert (added.open_accounts, added.orphaned_accounts) == (0, 0)
    [event] = audit_events(office, "user.add")[-1:]
    assert (event.actor, event.entity_id, json.loads(event.details or "{}")) == (
        "admin", added.id, {"role": "collector"},
    )  # fmt: skip
    users = {u.login: u for u in list_users(office, _admin(office))}
    assert list(users) == sorted(users)
    assert users["tnguyen"] == added
    assert users["mlopez"].open_accounts == len(_open_accounts(office, "mlopez")) > 0
    assert users["sreed"].role == "supervisor" and users["sreed"].open_accounts == 0


@pytest.mark.parametrize("role", ["collector", "supervisor"])
def test_only_an_admin_adds_users(office: Database, role: str) -> None:
    login = {"collector": "mlopez", "supervisor": "sreed"}[role]
    with pytest.raises(AccessDeniedError, match="only an administrator may manage users"):
        create_user(
            office, resolve_actor(office, act_as=login), login="x", display_name="X", role="admin", now=NOW
        )
    assert count(office, Collector, table_of(Collector).c.login == "x") == 0


class _NewUser(TypedDict):
    """create_user's fields."""

    login: str
    display_name: str
    role: str
    case_limit: int | None


class _UserChanges(TypedDict, total=False):
    """Some of create_user's fields."""

    login: str
    display_name: str
    role: str
    case_limit: int | None


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"login": "a" * 65}, "at most 64"),
        ({"login": "two words"}, "one word"),
        ({"display_name": "  "}, "name is 1 to 120"),
        ({"case_limit": -1}, "0 or more"),
        ({"role": "manager"}, "unknown role"),
        ({"login": "mlopez"}, "already exists"),
    ],
)
def test_a_bad_user_is_refused_with_the_field(office: Database, changes: _UserChanges, problem: str) -> None:
    fields: _NewUser = {
        "login": "new",
        "display_name": "New",
        "role": "collector",
        "case_limit": None,
    }
    fields.update(changes)
    with pytest.raises(ServiceError, match=problem):
        create_user(office, _admin(office), now=NOW, **fields)


def test_an_empty_database_gets_its_first_admin_from_the_service_account(db: Database) -> None:
    with pytest.raises(AccessDeniedError, match="add an admin first"):
        create_user(db, NIGHTLY, login="boss", display_name="Boss", role="collector", now=NOW)
    create_user(db, NIGHTLY, login="boss", display_name="Boss", role="admin", now=NOW)
    assert audit_events(db, "user.add")[0].actor == "svc-collector"
    with pytest.raises(AccessDeniedError, match="only an administrator"):  # once there are users, never again
        create_user(db, NIGHTLY, login="boss2", display_name="Boss", role="admin", now=NOW)
    assert resolve_actor(db, login="boss").role == "admin"


def test_the_demo_build_and_tests_still_add_users_as_system(db: Database) -> None:
    with db.writing() as session:
        add_user(session, SYSTEM, login="carl", display_name="Carl", role="collector", now=NOW)
    assert [u.login for u in all_rows(db, Collector)] == ["carl"]


# --- roles ------------------------------------------------------------------------------------


def test_set_role_changes_it_and_records_both(office: Database) -> None:
    change = set_role(office, _admin(office), "jchen", "supervisor", now=NOW)
    assert (change.before, change.after, change.changed) == ("collector", "supervisor", True)
    assert resolve_actor(office, act_as="jchen").role == "supervisor"
    [event] = audit_events(office, "user.set_role")
    assert json.loads(event.details or "{}") == {"from": "collector", "to": "supervisor"}
    again = set_role(office, _admin(office), "jchen", "supervisor", now=NOW)
    assert not again.changed and len(audit_events(office, "user.set_role")) == 1
    with pytest.raises(NotFoundError, match="no user 'nobody'"):
        set_role(office, _admin(office), "nobody", "admin", now=NOW)
    with pytest.raises(ServiceError, match="unknown role"):
        set_role(office, _admin(office), "jchen", "boss", now=NOW)


def test_a_user_with_open_accounts_cannot_become_an_operator(office: Database) -> None:
    owned = len(_open_accounts(office, "jchen"))
    assert owned
    with pytest.raises(ServiceError, match=f"has {owned:,} open account"):
        set_role(office, _admin(office), "jchen", "operator", now=NOW)
    assert resolve_actor(office, act_as="jchen").role == "collector"


def test_the_last_active_admin_keeps_the_role_and_access(office: Database) -> None:
    admin = _admin(office)
    with pytest.raises(ServiceError, match="'admin' is the last active administrator and cannot be demoted"):
        set_role(office, admin, "admin", "supervisor", now=NOW)
    with pytest.raises(ServiceError, match="cannot be deactivated"):
        deactivate(office, admin, "admin", now=NOW)
    set_role(office, admin, "sreed", "admin", now=NOW)
    set_role(office, admin, "admin", "supervisor", now=NOW)  # another admin now exists
    assert resolve_actor(office, act_as="admin").role == "supervisor"
    sreed = resolve_actor(office, act_as="sreed")
    with pytest.raises(ServiceError, match="'sreed' is the last active administrator"):
        deactivate(office, sreed, "sreed", now=NOW)


# --- deactivation -----------------------------------------------------------------------------


def test_deactivating_leaves_the_accounts_orphaned_releases_claims_and_locks_the_user_out(
    office: Database,
) -> None:
    owned = _open_accounts(office, "jchen")
    jchen = resolve_actor(office, act_as="jchen")
    assert claim(office, jchen, owned[0], NOW)
    supervisor = resolve_actor(office, act_as="sreed")
    assert orphaned_account_count(office, supervisor) == 0

    done = deactivate(office, _admin(office), "jchen", now=NOW)

    assert (done.login, done.orphaned_accounts, done.claims_released) == ("jchen", len(owned), 1)
    assert _open_accounts(office, "jchen") == owned  # still theirs, until a supervisor reassigns them
    assert orphaned_account_count(office, supervisor) == len(owned)
    with office.reading() as session:
        assert session.execute(select(A.claimed_by_id).where(A.id == owned[0])).scalar_one() is None
    row = {u.login: u for u in list_users(office, _admin(office))}["jchen"]
    assert (row.active, row.open_accounts, row.orphaned_accounts) == (False, len(owned), len(owned))
    [event] = audit_events(office, "user.deactivate")
    assert json.loads(event.details or "{}") == {"orphaned": len(owned), "claims_released": 1}
    _not_a_demo(office)
    with pytest.raises(AccessDeniedError, match=r"'jchen' has been deactivated.*ask an administrator"):
        resolve_actor(office, login="jchen")
    with pytest.raises(ServiceError, match="already inactive"):
        deactivate(office, _admin_login(office), "jchen", now=NOW)


def _admin_login(db: Database) -> Actor:
    return resolve_actor(db, login="admin")


def test_reactivating_gives_the_accounts_back(office: Database) -> None:
    owned = len(_open_accounts(office, "kbrown"))
    deactivate(office, _admin(office), "kbrown", now=NOW)
    row = reactivate(office, _admin(office), "kbrown", now=NOW)
    assert (row.active, row.open_accounts, row.orphaned_accounts) == (True, owned, 0)
    assert resolve_actor(office, act_as="kbrown").login == "kbrown"
    assert orphaned_account_count(office, resolve_actor(office, act_as="sreed")) == 0
    assert [e.action for e in audit_events(office) if e.action.startswith("user.")][-2:] == [
        "user.deactivate",
        "user.reactivate",
    ]
    with pytest.raises(ServiceError, match="already active"):
        reactivate(office, _admin(office), "kbrown", now=NOW)


def test_closed_accounts_are_not_orphans(office: Database) -> None:
    owned = _open_accounts(office, "kbrown")
    with office.writing() as session:
        session.execute(update(table_of(Account)).where(A.id == owned[0]).values(status=AccountStatus.PAID))
    done = deactivate(office, _admin(office), "kbrown", now=NOW)
    assert done.orphaned_accounts == len(owned) - 1


# --- the office setting -----------------------------------------------------------------------


def test_the_unassigned_setting_defaults_on_and_is_audited(office: Database) -> None:
    assert office_allows_unassigned(office)
    assert set_allow_unassigned(office, _admin(office), False, now=NOW) is True
    assert not office_allows_unassigned(office)
    assert set_allow_unassigned(office, _admin(office), True, now=NOW) is False
    assert office_allows_unassigned(office)
    events = audit_events(office, "office.setting")
    assert [json.loads(e.details or "{}")["value"] for e in events] == ["0", "1"]


# --- who runs a script ------------------------------------------------------------------------


def test_a_script_runs_as_its_user_with_that_users_rights(office: Database) -> None:
    deactivate(office, _admin(office), "jchen", now=NOW)
    added = create_user(
        office, _admin(office), login="svc-collector", display_name="Nightly run", role="operator", now=NOW
    )
    _not_a_demo(office)
    nightly = resolve_operator(office, permission=Permission.RUN_NIGHTLY, login="svc-collector")
    assert (nightly.login, nightly.collector_id, nightly.role) == ("svc-collector", added.id, "operator")
    assert resolve_operator(office, permission=Permission.EXPORT, login="sreed").role == "supervisor"
    with pytest.raises(AccessDeniedError, match=r"only an operator or an administrator .* \(you are sreed"):
        resolve_operator(office, permission=Permission.RUN_NIGHTLY, login="sreed")
    # No more ``system`` for a login that is no user: the service account must be added.
    with pytest.raises(AccessDeniedError, match="login 'stranger' is not an active user"):
        resolve_operator(office, permission=Permission.EXPORT, login="stranger")
    with pytest.raises(AccessDeniedError, match="'jchen' has been deactivated"):
        resolve_operator(office, permission=Permission.EXPORT, login="jchen")
    as_other = resolve_operator(
        office, permission=Permission.RUN_NIGHTLY, login="admin", act_as="svc-collector"
    )
    assert (as_other.login, as_other.acting_as, as_other.role) == ("admin", "svc-collector", "operator")
    with pytest.raises(AccessDeniedError, match="only an administrator may act as another user"):
        resolve_operator(office, permission=Permission.EXPORT, login="mlopez", act_as="sreed")
    with office.reading() as session:
        acted = session.execute(
            select(table_of(AuditEvent)).where(table_of(AuditEvent).c.action == "session.act_as")
        ).all()
    assert [(e.actor, e.acting_as) for e in acted] == [("admin", "svc-collector")]


def test_in_a_demo_every_command_acts_as_the_same_demo_user(office: Database) -> None:
    """One rule: the --as demo user, else the demo's default collector, whatever the login."""
    for login in ("whoever-runs-the-demo", "admin", "nightly"):
        assert resolve_actor(office, login=login).login == "mlopez"
        with pytest.raises(AccessDeniedError, match=r"\(you are mlopez, collector\); in this demo database"):
            resolve_operator(office, permission=Permission.RUN_NIGHTLY, login=login)
    with pytest.raises(
        AccessDeniedError, match=r"use --as admin or --as nightly \(collector demo --build-only"
    ):
        resolve_operator(office, permission=Permission.RUN_NIGHTLY, login="x")
    with pytest.raises(AccessDeniedError, match=r"use --as sreed or --as admin or --as nightly"):
        resolve_operator(office, permission=Permission.EXPORT, login="x")
    nightly = resolve_operator(office, permission=Permission.RUN_NIGHTLY, login="x", act_as="nightly")
    assert (nightly.login, nightly.role, nightly.acting_as) == ("nightly", "operator", None)
    assert resolve_actor(office, login="x", act_as="nightly") == nightly
    with pytest.raises(AccessDeniedError, match=r"\(you are sreed, supervisor\)"):
        resolve_operator(office, permission=Permission.RUN_NIGHTLY, login="x", act_as="sreed")
    deactivate(office, _admin(office), "jchen", now=NOW)
    with pytest.raises(AccessDeniedError, match="'jchen' has been deactivated"):
        resolve_operator(office, permission=Permission.EXPORT, login="x", act_as="jchen")


def test_only_a_database_with_no_users_lets_a_login_that_is_no_user_manage_them(db: Database) -> None:
    first = resolve_user_manager(db, login="svc-collector")
    assert (first.login, first.collector_id, first.role) == ("svc-collector", None, ROLE_SYSTEM)
    create_user(db, first, login="boss", display_name="Boss", role="admin", now=NOW)
    with pytest.raises(AccessDeniedError, match="login 'svc-collector' is not an active user"):
        resolve_user_manager(db, login="svc-collector")
    assert resolve_user_manager(db, login="boss").role == "admin"
