"""The installed ``collector`` run as other operating-system users: who you are comes from the real
user id, never from USER or LOGNAME, and every nightly command checks the caller's role.

A session fixture creates throwaway accounts with ``useradd`` (root only; skipped otherwise) and
removes them at the end. Each command runs in a subprocess as one of them, on a database file
handed to that user (``chown``) just before. Where the interpreter lives in a folder other users
may not enter (a Python under root's home), the child keeps one capability, to search folders
(``CAP_DAC_READ_SEARCH``, ambient): it reads no more of the database than its owner may, and its
user id, which is all the program asks, is the test user's.
"""

from __future__ import annotations

import ctypes
import os
import pwd
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from collector_tui.services.audit import SYSTEM
from collector_tui.services.database import open_database
from collector_tui.services.team.users import add_user
from tests.conftest import NOW

COLLECTOR = Path(sys.executable).parent / "collector"  # the installed console script
SAMPLE = Path(__file__).resolve().parents[2] / "fixtures" / "sample"
TIMEOUT_S = 120
NIGHTLY_REFUSAL = (
    "only an operator or an administrator may run the nightly jobs (imports, refresh, plans evaluate)"
)

# <linux/prctl.h>, <linux/capability.h>
PR_SET_KEEPCAPS = 8
PR_CAP_AMBIENT = 47
PR_CAP_AMBIENT_RAISE = 2
CAP_DAC_READ_SEARCH = 2
LINUX_CAPABILITY_VERSION_3 = 0x20080522


@dataclass(frozen=True)
class OsUser:
    login: str | None  # None: a user id with no entry in the user database
    uid: int
    gid: int


@dataclass(frozen=True)
class Machine:
    """The test accounts, and how a child process becomes one of them."""

    operator: OsUser
    collector: OsUser
    stranger: OsUser  # a real account that is no user of the database
    nameless: OsUser  # a user id with no account at all
    launch: Callable[[OsUser], dict[str, Any]]  # subprocess keyword arguments


def _plain(user: OsUser) -> dict[str, Any]:
    return {"user": user.uid, "group": user.gid, "extra_groups": []}


def _searching(user: OsUser) -> dict[str, Any]:
    """Become ``user`` in the child, keeping only the capability to search folders (see above)."""
    libc = ctypes.CDLL(None, use_errno=True)

    class Header(ctypes.Structure):
        _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]

    class Data(ctypes.Structure):
        _fields_ = [
            ("effective", ctypes.c_uint32),
            ("permitted", ctypes.c_uint32),
            ("inheritable", ctypes.c_uint32),
        ]

    def check(result: int, what: str) -> None:
        if result != 0:
            raise OSError(ctypes.get_errno(), what)

    def become() -> None:
        check(libc.prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0), "prctl(PR_SET_KEEPCAPS)")
        os.setgroups([])
        os.setgid(user.gid)
        os.setuid(user.uid)
        bit = 1 << CAP_DAC_READ_SEARCH
        data = (Data * 2)(Data(bit, bit, bit), Data(0, 0, 0))
        check(libc.capset(ctypes.byref(Header(LINUX_CAPABILITY_VERSION_3, 0)), data), "capset")
        check(libc.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_DAC_READ_SEARCH, 0, 0), "prctl(AMBIENT)")

    return {"preexec_fn": become}


def _free_uid() -> int:
    taken = {entry.pw_uid for entry in pwd.getpwall()}
    return next(uid for uid in range(64_000, 60_000, -1) if uid not in taken)


def _env(folder: Path) -> dict[str, str]:
    """A bare environment that claims to be ``admin`` (an admin of every test database)."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(folder),
        "XDG_CONFIG_HOME": str(folder / "config"),
        "XDG_DATA_HOME": str(folder / "data"),
        "XDG_STATE_HOME": str(folder / "state"),
        "USER": "admin",
        "LOGNAME": "admin",
        "LANG": "C.UTF-8",
    }


def _works(launch: Callable[[OsUser], dict[str, Any]], user: OsUser, folder: Path) -> str | None:
    """None if ``collector --version`` runs as ``user`` this way, else why not."""
    try:
        done = subprocess.run(
            [str(COLLECTOR), "--version"],
            capture_output=True,
            text=True,
            env=_env(folder),
            cwd=folder,
            timeout=TIMEOUT_S,
            **launch(user),
        )
    except (OSError, subprocess.SubprocessError) as exc:
        return str(exc)
    return None if done.returncode == 0 else (done.stderr.strip().splitlines() or ["exit"])[-1]


@pytest.fixture(scope="session")
def machine() -> Iterator[Machine]:
    if sys.platform != "linux" or os.geteuid() != 0:
        pytest.skip("creating operating-system users needs root on Linux")
    useradd, userdel = shutil.which("useradd"), shutil.which("userdel")
    if useradd is None or userdel is None:
        pytest.skip("useradd or userdel is not installed")
    if not COLLECTOR.is_file():
        pytest.skip(f"the console script {COLLECTOR} is not installed")
    tag = os.getpid() % 100_000
    created: list[str] = []
    probe = Path(tempfile.mkdtemp(prefix="collector-os-users-"))
    try:
        users: dict[str, OsUser] = {}
        for role in ("op", "col", "str"):
            login = f"ctu{role}{tag}"
            made = subprocess.run(
                [useradd, "--no-create-home", "--shell", "/usr/sbin/nologin", "--user-group", login],
                capture_output=True,
                text=True,
                check=False,
            )
            if made.returncode != 0:
                pytest.skip(f"useradd {login} failed: {made.stderr.strip()}")
            created.append(login)
            entry = pwd.getpwnam(login)
            users[role] = OsUser(login, entry.pw_uid, entry.pw_gid)
        probe.chmod(0o777)
        plain = _works(_plain, users["col"], probe)
        launch = _plain
        if plain is not None:
            searching = _works(_searching, users["col"], probe)
            if searching is not None:
                pytest.skip(
                    f"cannot run {COLLECTOR} as another user: {plain}; keeping folder search: {searching}"
                )
            launch = _searching
        nameless = _free_uid()
        yield Machine(users["op"], users["col"], users["str"], OsUser(None, nameless, nameless), launch)
    finally:
        shutil.rmtree(probe, ignore_errors=True)
        for login in created:
            subprocess.run([userdel, login], capture_output=True, check=False)


@dataclass
class Office:
    """A database in a folder of its own, outside root's private temporary folders."""

    folder: Path
    machine: Machine

    @property
    def path(self) -> Path:
        return self.folder / "office.db"

    def run(self, user: OsUser, *args: str, hand_over: bool = True) -> subprocess.CompletedProcess[str]:
        """``collector --db office.db ARGS`` as ``user``, who owns the folder and its files for it
        (unless ``hand_over`` is off: the owners stay as they are)."""
        if hand_over:
            self.hand_over(user)
        return subprocess.run(
            [str(COLLECTOR), "--db", str(self.path), *args],
            capture_output=True,
            text=True,
            env=_env(self.folder),
            cwd=self.folder,
            timeout=TIMEOUT_S,
            check=False,
            **self.machine.launch(user),
        )

    def hand_over(self, user: OsUser) -> None:
        for path in (self.folder, *self.folder.rglob("*")):
            os.chown(path, user.uid, user.gid, follow_symlinks=False)

    def sql(self, query: str, *params: Any) -> list[tuple[Any, ...]]:
        with sqlite3.connect(self.path) as conn:
            return list(conn.execute(query, params).fetchall())

    def file(self, name: str) -> str:
        shutil.copyfile(SAMPLE / name, self.folder / name)
        return str(self.folder / name)


@pytest.fixture
def office(machine: Machine, migrated_template: Path) -> Iterator[Office]:
    """Users ``admin`` (an admin: what USER=admin claims), the operator and the collector."""
    folder = Path(tempfile.mkdtemp(prefix="collector-os-office-"))
    try:
        shutil.copyfile(migrated_template, folder / "office.db")
        (folder / "office.db").chmod(0o600)
        db = open_database(f"sqlite:///{folder / 'office.db'}")
        try:
            with db.writing() as session:
                for login, role in (
                    ("admin", "admin"),
                    (machine.operator.login, "operator"),
                    (machine.collector.login, "collector"),
                ):
                    assert login is not None
                    add_user(session, SYSTEM, login=login, display_name=role.title(), role=role, now=NOW)
        finally:
            db.close()
        yield Office(folder, machine)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _one_line(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 1, (done.returncode, done.stdout, done.stderr)
    assert done.stdout == "" and done.stderr.count("\n") == 1 and "Traceback" not in done.stderr, done.stderr
    return done.stderr.strip()


def _no_user(user: OsUser) -> str:
    return (
        f"error: login '{user.login}' is not an active user of this database; ask an administrator to add you"
    )


def test_the_login_is_the_user_ids_even_when_the_environment_says_admin(office: Office) -> None:
    collector = office.machine.collector
    listed = office.run(collector, "users", "list")
    assert (
        _one_line(listed)
        == f"error: only an administrator may manage users (you are {collector.login}, collector)"
    )
    stranger = office.machine.stranger
    assert _one_line(office.run(stranger, "queue")) == _no_user(stranger)


def test_a_user_id_with_no_login_is_refused_not_taken_from_the_environment(office: Office) -> None:
    nameless = office.machine.nameless
    message = _one_line(office.run(nameless, "users", "list"))
    assert message.startswith(f"error: user id {nameless.uid} has no entry in this system's user database")
    assert office.sql("SELECT count(*) FROM audit_event WHERE actor = 'admin'") == [(0,)]


def test_a_collector_cannot_import_transactions(office: Office) -> None:
    operator, collector = office.machine.operator, office.machine.collector
    placed = office.run(operator, "import", "placements", office.file("placements.csv"), "--json")
    assert placed.returncode == 0, placed.stderr
    before = office.sql("SELECT (SELECT count(*) FROM import_batch), (SELECT count(*) FROM audit_event)")
    transactions = office.file("transactions.csv")

    refused = office.run(collector, "import", "transactions", transactions, "--json")

    assert _one_line(refused) == f"error: {NIGHTLY_REFUSAL} (you are {collector.login}, collector)"
    assert office.sql("SELECT count(*) FROM account_transaction") == [(0,)]
    assert (
        office.sql("SELECT (SELECT count(*) FROM import_batch), (SELECT count(*) FROM audit_event)") == before
    )
    assert not (office.folder / "transactions.csv.rejects.csv").exists()


def test_an_operator_runs_the_nightly_job_and_the_audit_log_names_them(office: Office) -> None:
    operator = office.machine.operator
    for args in (
        ["import", "placements", office.file("placements.csv"), "--json"],
        ["import", "transactions", office.file("transactions.csv"), "--json"],
        ["import", "activities", office.file("activities.csv"), "--json"],
        ["plans", "evaluate", "--json"],
        ["refresh"],
        ["export", "activities", "--out", str(office.folder / "activities-out.csv")],
    ):
        done = office.run(operator, *args)
        assert done.returncode == 0, (args, done.stderr)
    assert office.sql("SELECT DISTINCT run_by FROM import_batch") == [(operator.login,)]
    actors = office.sql("SELECT DISTINCT actor, acting_as FROM audit_event WHERE action != 'user.add'")
    assert actors == [(operator.login, None)]
    actions = {row[0] for row in office.sql("SELECT action FROM audit_event WHERE actor = ?", operator.login)}
    assert {"accounts.refresh", "export.activities"} <= actions
    assert office.sql("SELECT count(*) FROM account_transaction") != [(0,)]


def test_an_unknown_os_user_cannot_refresh(office: Office) -> None:
    stranger = office.machine.stranger
    assert _one_line(office.run(stranger, "refresh")) == _no_user(stranger)
    assert office.sql("SELECT count(*) FROM audit_event WHERE action = 'accounts.refresh'") == [(0,)]


def test_a_database_the_caller_may_not_write_or_read_fails_in_one_line(office: Office) -> None:
    """Root's private database, opened by the operator: unreadable to a plain user; readable but
    not writable to a child that keeps the capability to search folders (see the module)."""
    operator = office.machine.operator
    office.hand_over(operator)  # the folder is the operator's...
    os.chown(office.path, 0, 0)  # ...but not the database file, which stays root's
    office.path.chmod(0o600)
    for companion in ("office.db-wal", "office.db-shm"):
        (office.folder / companion).unlink(missing_ok=True)
    before = office.path.read_bytes()

    done = office.run(operator, "refresh", hand_over=False)

    message = _one_line(done)
    if office.machine.launch is _plain:
        assert message == f"error: {office.path}: cannot be read (Permission denied)"
    else:
        assert "the database is read-only for this login" in message, message
    assert office.path.read_bytes() == before
