"""Build a demo database: migrate, add the demo users, then load the office through the services.

Placement records come from the generator, proved equal to what the import
parser makes of the same rows; transactions and activities are validated by
the import parsers. Everything is applied with the same services the nightly
import uses, in transactions of about a thousand accounts. The
database is built beside its final path and moved into place only when
complete, so an interrupted build never leaves a half-made demo behind.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import defaultdict, deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TypeVar

from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, select

from collector_tui.demo.generator import (
    DEMO_DEFAULT_LOGIN,
    DEMO_USERS,
    DemoAccount,
    DemoOffice,
    DemoPlan,
    DemoPromise,
)
from collector_tui.domain.contact_log import ActivityRecord, parse_activity_row
from collector_tui.domain.fields import FieldError
from collector_tui.domain.money_events import TransactionRecord, parse_transaction_row
from collector_tui.domain.placement import PlacementRecord
from collector_tui.services import identity
from collector_tui.services.activities import apply_activities
from collector_tui.services.arrangements import NewLevelPlan, NewPromise, add_level_plans, add_promises
from collector_tui.services.audit import SYSTEM, Actor
from collector_tui.services.database import Database, open_database
from collector_tui.services.errors import ServiceError
from collector_tui.services.lookup import account_refs, collector_ids_by_login
from collector_tui.services.placements import apply_placements
from collector_tui.services.transactions import apply_transactions
from collector_tui.services.users import add_user
from db import migrate
from db.engine import ensure_private_sqlite_file, sqlite_path
from db.models import OfficeSetting

R = TypeVar("R")
Progress = Callable[[int], None]


@dataclass(frozen=True)
class DemoBuild:
    path: Path
    accounts: int
    seed: int
    seconds: float


class DemoBuildError(ServiceError):
    """The demo could not be built where asked (e.g. the file holds real data)."""


def _validated(parse: Callable[..., R | list[FieldError]], row: dict[str, str], today: date, what: str) -> R:
    result = parse(row, today=today)
    if isinstance(result, list):
        # The generator must only produce valid rows; fail loudly, with field names only.
        fields = ", ".join(f"{e.field}: {e.reason}" for e in result)
        raise DemoBuildError(f"generated {what} row failed validation ({fields})")
    return result


def _demo_settings(path: Path) -> dict[str, str] | None:
    """The office settings of a demo database at ``path``; None if it is not one."""
    if not path.exists():
        return None
    db = open_database(f"sqlite:///{path}", require_head=False)
    try:
        with db.reading() as session:
            if not identity.is_demo(session):
                return None
            settings = {row.key: row.value for row in session.exec(select(OfficeSetting))}
        settings["at_head"] = "1" if migrate.schema_state(db.engine).at_head else "0"
        return settings
    except SQLAlchemyError:
        return None  # unreadable or not ours
    finally:
        db.close()


def is_demo_file(path: Path) -> bool:
    """True when ``path`` is a database this command built (and so may rebuild)."""
    return _demo_settings(path) is not None


def existing_demo_matches(path: Path, *, accounts: int, seed: int, today: date | None = None) -> bool:
    """True when ``path`` already holds this demo, built today at the current schema."""
    settings = _demo_settings(path.expanduser().resolve())
    if settings is None:
        return False
    today = today or datetime.now(UTC).date()
    return (
        settings.get("at_head") == "1"
        and settings.get("demo_seed") == str(seed)
        and settings.get("demo_accounts") == str(accounts)
        and settings.get("demo_as_of") == today.isoformat()
    )


def build_demo_database(
    path: Path,
    *,
    accounts: int,
    seed: int,
    now: datetime | None = None,
    progress: Progress | None = None,
) -> DemoBuild:
    """Build the demo office at ``path``, replacing an older demo but never other data."""
    started = datetime.now(UTC)
    now = now or started
    path = path.expanduser().resolve()
    if path.exists() and not is_demo_file(path):
        raise DemoBuildError(f"{path} exists and is not a demo database; refusing to overwrite it")
    staging = path.with_name(path.name + ".building")
    _remove_database_files(staging)
    ensure_private_sqlite_file(staging)
    url = f"sqlite:///{staging}"
    db = open_database(url, require_head=False)
    try:
        migrate.upgrade(db.engine)
        load_demo_office(
            db,
            DemoOffice(accounts=accounts, seed=seed, as_of=now.date()),
            now=now,
            progress=progress,
        )
        with db.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        db.close()
    _remove_database_files(path)
    staging.replace(path)
    _remove_database_files(staging)
    seconds = (datetime.now(UTC) - started).total_seconds()
    return DemoBuild(path=path, accounts=accounts, seed=seed, seconds=seconds)


def _remove_database_files(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(str(path) + suffix).unlink(missing_ok=True)


def demo_path_for(url: str) -> Path:
    path = sqlite_path(url)
    if path is None:
        raise DemoBuildError("the demo builds a SQLite file; give --db a file path")
    return path


@dataclass(frozen=True)
class PreparedBatch:
    """One batch of the office, generated and validated (picklable, so a worker can make it)."""

    size: int
    placements: list[PlacementRecord]
    transactions: list[TransactionRecord]
    activities: list[ActivityRecord]
    promises: list[tuple[tuple[str, str], str, DemoPromise]]  # (account key, collector login, promise)
    plans: list[tuple[tuple[str, str], str, DemoPlan]]


def prepare_batch(office: DemoOffice, index: int) -> PreparedBatch:
    """Generate batch ``index`` and validate it exactly as the importers validate files."""
    today = office.as_of
    batch = office.batch(index)

    def key(account: DemoAccount) -> tuple[str, str]:
        return (account.placement["facility_code"], account.placement["account_number"])

    return PreparedBatch(
        size=len(batch),
        # Placement records are built by the generator itself; test_generator proves
        # each equals what the importer's parser makes of the row.
        placements=[a.record for a in batch],
        transactions=[
            _validated(parse_transaction_row, t, today, "transaction") for a in batch for t in a.transactions
        ],
        activities=[
            _validated(parse_activity_row, r, today, "activity") for a in batch for r in a.activities
        ],
        promises=[(key(a), a.placement["collector_login"], a.promise) for a in batch if a.promise],
        plans=[(key(a), a.placement["collector_login"], a.plan) for a in batch if a.plan],
    )


def prepared_batches(office: DemoOffice) -> Iterator[PreparedBatch]:
    """The office's batches in order; generated by a worker process while the caller writes.

    Generation and validation are pure Python and about half the work, so on
    a machine with two or more cores they run beside the database writes.
    """
    count = office.batch_count
    workers = min(4, (os.cpu_count() or 1) - 1)
    if count <= 2 or workers < 1:
        for index in range(count):
            yield prepare_batch(office, index)
        return
    with ProcessPoolExecutor(max_workers=workers, mp_context=_process_context()) as pool:
        ahead: deque[Future[PreparedBatch]] = deque()
        submitted = 0
        while submitted < count or ahead:
            while submitted < count and len(ahead) < 2 * workers:
                ahead.append(pool.submit(prepare_batch, office, submitted))
                submitted += 1
            yield ahead.popleft().result()


def _process_context() -> multiprocessing.context.BaseContext:
    # fork starts at once and needs no importable __main__; the worker only runs pure code.
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


def load_demo_office(
    db: Database, office: DemoOffice, *, now: datetime, progress: Progress | None = None
) -> None:
    with db.writing() as session:
        _add_demo_users(session, now)
        session.add(OfficeSetting(key=identity.DEMO_KEY, value="1"))
        session.add(OfficeSetting(key=identity.DEMO_DEFAULT_LOGIN_KEY, value=DEMO_DEFAULT_LOGIN))
        session.add(OfficeSetting(key="demo_seed", value=str(office.seed)))
        session.add(OfficeSetting(key="demo_accounts", value=str(office.accounts)))
        session.add(OfficeSetting(key="demo_as_of", value=office.as_of.isoformat()))
    for batch in prepared_batches(office):
        with db.writing() as session:
            apply_placements(session, batch.placements, actor=SYSTEM, now=now)
            apply_transactions(session, batch.transactions, actor=SYSTEM, now=now)
            apply_activities(session, batch.activities, actor=SYSTEM, now=now)
            _add_arrangements(session, batch, now)
        if progress is not None:
            progress(batch.size)


def _add_demo_users(session: Session, now: datetime) -> None:
    for user in DEMO_USERS:
        add_user(session, SYSTEM, login=user.login, display_name=user.display_name, role=user.role, now=now)


def _add_arrangements(session: Session, batch: PreparedBatch, now: datetime) -> None:
    """Promises and plans, recorded by the collector who owns each account."""
    if not batch.promises and not batch.plans:
        return
    keys = [key for key, _, _ in batch.promises] + [key for key, _, _ in batch.plans]
    accounts = account_refs(session, keys)
    logins = {login for _, login, _ in batch.promises} | {login for _, login, _ in batch.plans}
    collectors = collector_ids_by_login(session, logins)
    promises: dict[str, list[NewPromise]] = defaultdict(list)
    for key, login, promise in batch.promises:
        promises[login].append(
            NewPromise(accounts[key].id, promise.amount_cents, promise.due_date, promise.status)
        )
    plans: dict[str, list[NewLevelPlan]] = defaultdict(list)
    for key, login, plan in batch.plans:
        plans[login].append(
            NewLevelPlan(
                accounts[key].id,
                plan.principal_cents,
                plan.installment_count,
                plan.frequency,
                plan.first_due_date,
                plan.installments_paid,
            )
        )
    for login in sorted(set(promises) | set(plans)):
        actor = Actor(login or "system", collectors.get(login), "collector")
        add_promises(session, actor, promises.get(login, []), now=now)
        add_level_plans(session, actor, plans.get(login, []), now=now)
