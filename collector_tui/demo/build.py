"""Build a demo database: migrate, add the demo users, then load the office through the services.

Rows are validated with the same parsers the nightly import uses and applied
with the same services, in transactions of about a thousand accounts. The
database is built beside its final path and moved into place only when
complete, so an interrupted build never leaves a half-made demo behind.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from itertools import islice
from pathlib import Path
from typing import TypeVar

from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, select

from collector_tui.demo.generator import DEMO_DEFAULT_LOGIN, DEMO_USERS, DemoAccount, DemoOffice
from collector_tui.domain.contact_log import parse_activity_row
from collector_tui.domain.fields import FieldError
from collector_tui.domain.money_events import parse_transaction_row
from collector_tui.domain.placement import parse_placement_row
from collector_tui.services import identity
from collector_tui.services.activities import apply_activities
from collector_tui.services.arrangements import add_level_plan, add_promise
from collector_tui.services.audit import SYSTEM, Actor
from collector_tui.services.database import Database, open_database
from collector_tui.services.errors import ServiceError
from collector_tui.services.lookup import accounts_by_key, collector_ids_by_login
from collector_tui.services.placements import apply_placements
from collector_tui.services.transactions import apply_transactions
from collector_tui.services.users import add_user
from db import migrate
from db.engine import ensure_private_sqlite_file, sqlite_path
from db.models import OfficeSetting

BATCH = 1000
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


def _batches(items: Iterable[DemoAccount], size: int) -> Iterator[list[DemoAccount]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


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


def load_demo_office(
    db: Database, office: DemoOffice, *, now: datetime, progress: Progress | None = None
) -> None:
    today = office.as_of
    with db.writing() as session:
        _add_demo_users(session, now)
        session.add(OfficeSetting(key=identity.DEMO_KEY, value="1"))
        session.add(OfficeSetting(key=identity.DEMO_DEFAULT_LOGIN_KEY, value=DEMO_DEFAULT_LOGIN))
        session.add(OfficeSetting(key="demo_seed", value=str(office.seed)))
        session.add(OfficeSetting(key="demo_accounts", value=str(office.accounts)))
        session.add(OfficeSetting(key="demo_as_of", value=office.as_of.isoformat()))
    for batch in _batches(office, BATCH):
        placements = [_validated(parse_placement_row, a.placement, today, "placement") for a in batch]
        transactions = [
            _validated(parse_transaction_row, t, today, "transaction") for a in batch for t in a.transactions
        ]
        activities = [
            _validated(parse_activity_row, r, today, "activity") for a in batch for r in a.activities
        ]
        with db.writing() as session:
            apply_placements(session, placements, actor=SYSTEM, now=now)
            apply_transactions(session, transactions, actor=SYSTEM, now=now)
            apply_activities(session, activities, actor=SYSTEM, now=now)
            _add_arrangements(session, batch, now)
        if progress is not None:
            progress(len(batch))


def _add_demo_users(session: Session, now: datetime) -> None:
    for user in DEMO_USERS:
        add_user(
            session,
            SYSTEM,
            login=user.login,
            display_name=user.display_name,
            role=user.role,
            now=now,
        )


def _add_arrangements(session: Session, batch: list[DemoAccount], now: datetime) -> None:
    wanted = [a for a in batch if a.promise is not None or a.plan is not None]
    if not wanted:
        return
    accounts = accounts_by_key(
        session, ((a.placement["facility_code"], a.placement["account_number"]) for a in wanted)
    )
    collectors = collector_ids_by_login(session, (a.placement["collector_login"] for a in wanted))
    for item in wanted:
        account = accounts[(item.placement["facility_code"], item.placement["account_number"])]
        login = item.placement["collector_login"]
        actor = Actor(login or "system", collectors.get(login), "collector")
        if item.promise is not None:
            add_promise(
                session,
                actor,
                account_id=account["id"],
                amount_cents=item.promise.amount_cents,
                due_date=item.promise.due_date,
                now=now,
                status=item.promise.status,
            )
        if item.plan is not None:
            add_level_plan(
                session,
                actor,
                account_id=account["id"],
                principal_cents=item.plan.principal_cents,
                installment_count=item.plan.installment_count,
                frequency=item.plan.frequency,
                first_due_date=item.plan.first_due_date,
                now=now,
                installments_paid=item.plan.installments_paid,
            )
