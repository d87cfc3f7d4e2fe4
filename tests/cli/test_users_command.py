"""`collector users`: admins add, list, set roles, deactivate; everyone else gets one line and exit 1."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from collector_tui.cli.main import app
from collector_tui.db.models import OfficeSetting, table_of
from collector_tui.services.audit import SYSTEM
from collector_tui.services.database import Database
from collector_tui.services.team.identity import DEMO_KEY, os_login, resolve_actor
from collector_tui.services.team.users import add_user
from tests.conftest import NOW
from tests.services.builders import audit_events

runner = CliRunner()


def _users(office: Database, *args: str, as_user: str | None = "admin") -> tuple[int, str]:
    who = ["--as", as_user] if as_user else []
    result = runner.invoke(app, ["--db", office.url, *who, "users", *args])
    return result.exit_code, result.output


def test_the_json_list_has_the_documented_shape(office: Database) -> None:
    code, output = _users(office, "list", "--json")
    assert code == 0, output
    document = json.loads(output)
    assert document["schema"] == "collector.users/1"
    assert document["allow_unassigned"] is True and document["orphaned_accounts"] == 0
    users = {u["login"]: u for u in document["users"]}
    assert {"mlopez", "sreed", "admin"} <= set(users)
    assert users["mlopez"] | {"open_accounts": 0} == {
        "login": "mlopez",
        "name": "Maria Lopez",
        "role": "collector",
        "active": True,
        "case_limit": None,
        "open_accounts": 0,
        "orphaned_accounts": 0,
    }
    assert users["mlopez"]["open_accounts"] > 0


def test_the_table_lists_every_user(office: Database) -> None:
    code, output = _users(office, "list")
    assert code == 0, output
    assert "Login" in output and "Orphaned" in output and "sreed" in output and "supervisor" in output
    assert "collectors may work unassigned accounts" in output


def test_add_set_role_deactivate_and_reactivate(office: Database) -> None:
    code, output = _users(
        office, "add", "tnguyen", "--name", "Tam Nguyen", "--role", "collector", "--case-limit", "300"
    )
    assert (code, output.strip()) == (0, "added tnguyen (collector)")
    code, output = _users(office, "set-role", "tnguyen", "supervisor")
    assert (code, output.strip()) == (0, "tnguyen: collector -> supervisor")
    code, output = _users(office, "set-role", "tnguyen", "supervisor")
    assert (code, output.strip()) == (0, "tnguyen is already supervisor")
    code, output = _users(office, "deactivate", "jchen")
    assert code == 0 and output.startswith("deactivated jchen: ") and "orphaned until reassigned" in output
    document = json.loads(_users(office, "list", "--json")[1])
    jchen = next(u for u in document["users"] if u["login"] == "jchen")
    assert jchen["active"] is False and jchen["orphaned_accounts"] == jchen["open_accounts"] > 0
    assert document["orphaned_accounts"] == jchen["orphaned_accounts"]
    assert "belong to inactive users" in _users(office, "list")[1]
    code, output = _users(office, "reactivate", "jchen")
    assert code == 0 and output.startswith("reactivated jchen (collector, ")
    tam = next(u for u in json.loads(_users(office, "list", "--json")[1])["users"] if u["login"] == "tnguyen")
    assert (tam["role"], tam["case_limit"]) == ("supervisor", 300)


@pytest.mark.parametrize("as_user", ["mlopez", "sreed"])
@pytest.mark.parametrize(
    "args",
    [
        ["list"],
        ["add", "x", "--name", "X", "--role", "admin"],
        ["set-role", "mlopez", "admin"],
        ["deactivate", "jchen"],
        ["reactivate", "jchen"],
        ["unassigned", "off"],
    ],
)
def test_only_an_admin_may(office: Database, as_user: str, args: list[str]) -> None:
    code, output = _users(office, *args, as_user=as_user)
    assert code == 1
    assert output.startswith("error: only an administrator may manage users") and output.count("\n") == 1
    assert "Traceback" not in output


def test_errors_are_one_line(office: Database) -> None:
    for args, message in [
        (["set-role", "admin", "collector"], "'admin' is the last active administrator"),
        (["deactivate", "nobody"], "no user 'nobody'"),
        (["add", "mlopez", "--name", "M", "--role", "collector"], "user 'mlopez' already exists"),
    ]:
        code, output = _users(office, *args)
        assert code == 1 and output.startswith("error: ") and message in output and output.count("\n") == 1
    code, output = _users(office, "add", "x", "--name", "X", "--role", "boss")
    assert code != 0 and "Traceback" not in output


def test_the_unassigned_setting(office: Database) -> None:
    assert _users(office, "unassigned")[1].strip() == "collectors may work unassigned accounts"
    assert _users(office, "unassigned", "off") == (0, "collectors may not work unassigned accounts\n")
    assert (
        _users(office, "unassigned", as_user="mlopez")[1].strip()
        == "collectors may not work unassigned accounts"
    )
    assert json.loads(_users(office, "list", "--json")[1])["allow_unassigned"] is False


def test_a_new_database_gets_its_first_admin_from_whoever_owns_it(db: Database, db_url: str) -> None:
    path = db_url.removeprefix("sqlite:///")
    first = runner.invoke(
        app, ["--db", path, "users", "add", "boss", "--name", "Boss", "--role", "collector"]
    )
    assert first.exit_code == 1 and "add an admin first" in first.output
    me = os_login()
    made = runner.invoke(app, ["--db", path, "users", "add", me, "--name", "Office Admin", "--role", "admin"])
    assert made.exit_code == 0, made.output
    listed = runner.invoke(app, ["--db", path, "users", "list", "--json"])
    assert listed.exit_code == 0, listed.output
    assert [u["login"] for u in json.loads(listed.output)["users"]] == [me]
    assert resolve_actor(db, login=me).role == "admin"


def test_a_deactivated_login_is_told_to_ask_an_admin(
    office: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    _users(office, "deactivate", "jchen")
    with office.writing() as session:
        session.execute(table_of(OfficeSetting).delete().where(table_of(OfficeSetting).c.key == DEMO_KEY))
    monkeypatch.setattr("collector_tui.services.team.identity.os_login", lambda: "jchen")
    result = runner.invoke(app, ["--db", office.url, "queue"])
    assert result.exit_code == 1
    assert result.output == (
        "error: login 'jchen' has been deactivated in this database; ask an administrator to reactivate it\n"
    )


# --- exports need an operator, a supervisor or an admin ------------------------------------------


def _not_a_demo(office: Database) -> None:
    with office.writing() as session:
        session.execute(table_of(OfficeSetting).delete().where(table_of(OfficeSetting).c.key == DEMO_KEY))


def _not_a_demo_with_me_as(office: Database, role: str) -> None:
    _not_a_demo(office)
    with office.writing() as session:
        add_user(session, SYSTEM, login=os_login(), display_name="Tester", role=role, now=NOW)


@pytest.mark.parametrize(
    ("role", "code"), [("collector", 1), ("supervisor", 0), ("admin", 0), ("operator", 0)]
)
def test_export_runs_as_your_login_user(office: Database, role: str, code: int) -> None:
    _not_a_demo_with_me_as(office, role)
    result = runner.invoke(app, ["--db", office.url, "export", "promises"])
    assert result.exit_code == code, result.output
    if code:
        assert result.output == (
            f"error: only an operator, a supervisor or an administrator may export (you are {os_login()}, "
            "collector)\n"
        )
    else:
        [event] = [e for e in audit_events(office) if e.action == "export.promises"]
        assert (event.actor, event.acting_as) == (os_login(), None)


def test_a_login_that_is_no_user_may_not_export(office: Database) -> None:
    """No more ``system`` exports: the service account must be added as an operator."""
    _not_a_demo(office)
    result = runner.invoke(app, ["--db", office.url, "export", "promises"])
    assert result.exit_code == 1
    assert result.output == (
        f"error: login '{os_login()}' is not an active user of this database; "
        "ask an administrator to add you\n"
    )
    assert [e for e in audit_events(office) if e.action.startswith("export.")] == []


def test_in_a_demo_export_and_audit_act_as_the_same_demo_user(office: Database) -> None:
    """One rule for every command in a demo: the --as demo user, else the default collector."""
    for command in (["export", "promises"], ["audit"]):
        refused = runner.invoke(app, ["--db", office.url, *command])
        assert refused.exit_code == 1
        assert "(you are mlopez, collector); in this demo database, use --as sreed" in refused.output
    assert [e for e in audit_events(office) if e.action == "export.promises"] == []
    for command in (["export", "promises"], ["audit", "--json"]):
        done = runner.invoke(app, ["--db", office.url, "--as", "sreed", *command])
        assert done.exit_code == 0, done.output
    [event] = [e for e in audit_events(office) if e.action == "export.promises"]
    assert (event.actor, event.acting_as) == ("sreed", None)
    exported = runner.invoke(app, ["--db", office.url, "--as", "nightly", "export", "promises"])
    assert exported.exit_code == 0, exported.output
    assert [e.actor for e in audit_events(office) if e.action == "export.promises"] == ["sreed", "nightly"]


def test_an_admin_adds_the_nightly_service_account_as_an_operator(office: Database) -> None:
    code, output = _users(office, "add", "svc-collector", "--name", "Nightly run", "--role", "operator")
    assert (code, output.strip()) == (0, "added svc-collector (operator)")
    [event] = audit_events(office, "user.add")[-1:]
    assert (event.actor, json.loads(event.details or "{}")) == ("admin", {"role": "operator"})
    code, output = _users(office, "set-role", "svc-collector", "collector")
    assert (code, output.strip()) == (0, "svc-collector: operator -> collector")
