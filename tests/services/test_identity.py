"""Who is at the keyboard: the OS login, matched to an active user; --as only where allowed."""

from __future__ import annotations

import os

import pytest
from sqlmodel import select

from collector_tui.db.models import AuditEvent, Collector
from collector_tui.services.audit import SYSTEM
from collector_tui.services.database import Database
from collector_tui.services.errors import AccessDeniedError
from collector_tui.services.team.identity import resolve_actor
from collector_tui.services.team.users import add_user
from tests.conftest import NOW


def _users(db: Database) -> None:
    with db.writing() as session:
        add_user(session, SYSTEM, login="alice", display_name="Alice Admin", role="admin", now=NOW)
        add_user(session, SYSTEM, login="carl", display_name="Carl Collector", role="collector", now=NOW)
        add_user(session, SYSTEM, login="gone", display_name="Gone Away", role="collector", now=NOW)
        gone = session.exec(select(Collector).where(Collector.login == "gone")).one()
        gone.active = False


def test_os_login_maps_to_its_user(db: Database) -> None:
    _users(db)
    actor = resolve_actor(db, login="carl")
    assert (actor.login, actor.role, actor.display_name) == ("carl", "collector", "Carl Collector")


@pytest.mark.parametrize("login", ["nobody", "gone"])
def test_unknown_or_inactive_login_gets_no_access(db: Database, login: str) -> None:
    _users(db)
    with pytest.raises(AccessDeniedError, match=login):
        resolve_actor(db, login=login)


def test_a_collector_may_not_act_as_another(db: Database) -> None:
    _users(db)
    with pytest.raises(AccessDeniedError, match="administrator"):
        resolve_actor(db, login="carl", act_as="alice")


def test_an_admin_may_act_as_another_and_it_is_audited(db: Database) -> None:
    _users(db)
    actor = resolve_actor(db, login="alice", act_as="carl")
    assert actor.login == "alice"
    assert actor.acting_as == "carl"
    assert actor.role == "collector"
    with db.reading() as session:
        events = session.exec(select(AuditEvent).where(AuditEvent.action == "session.act_as")).all()
    assert [(e.actor, e.acting_as) for e in events] == [("alice", "carl")]


def test_demo_database_defaults_to_the_demo_collector(demo_db: Database) -> None:
    actor = resolve_actor(demo_db, login="whoever-runs-the-demo")
    assert actor.login == "mlopez"
    assert resolve_actor(demo_db, login="x", act_as="sreed").role == "supervisor"
    with pytest.raises(AccessDeniedError):
        resolve_actor(demo_db, login="x", act_as="nobody")


def test_the_login_comes_from_the_user_id_not_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    import pwd

    from collector_tui.services.team.identity import os_login

    real = pwd.getpwuid(os.getuid()).pw_name
    for name in ("LOGNAME", "USER", "LNAME", "USERNAME"):
        monkeypatch.setenv(name, "admin")
    assert os_login() == real


def test_a_user_id_with_no_login_is_refused_whatever_the_environment_says(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A bare container's uid has no passwd entry: USER is no substitute (anyone can set it)."""
    import pwd

    from collector_tui.services.team.identity import os_login

    def no_entry(uid: int) -> pwd.struct_passwd:
        raise KeyError(f"getpwuid(): uid not found: {uid}")

    monkeypatch.setattr(pwd, "getpwuid", no_entry)
    for name in ("LOGNAME", "USER", "LNAME", "USERNAME"):
        monkeypatch.setenv(name, "admin")
    with pytest.raises(
        AccessDeniedError, match=rf"^user id {os.getuid()} has no entry in this system's user"
    ):
        os_login()


def test_the_cli_refuses_a_user_id_with_no_login_in_one_line(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pwd

    from typer.testing import CliRunner

    from collector_tui.cli.main import app

    def no_entry(uid: int) -> pwd.struct_passwd:
        raise KeyError(uid)

    monkeypatch.setattr(pwd, "getpwuid", no_entry)
    monkeypatch.setenv("USER", "admin")
    for args in (["queue"], ["refresh"], ["export", "promises"], ["users", "list"]):
        result = CliRunner().invoke(app, ["--db", db_url, *args])
        assert (result.exit_code, result.output.count("\n")) == (1, 1), (args, result.output)
        assert result.output.startswith(f"error: user id {os.getuid()} has no entry"), (args, result.output)
