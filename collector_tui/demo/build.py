"""Build a demo database the way a real office fills one: by importing the billing system's files.

The generator writes the office as the three nightly files and the payers'
835 remittances; the same import runner the operator's cron job uses validates
and applies the files, the remittance import posts the 835s (payments, denials
that open the collectors' denial worklists, a reversal, the provider-level
adjustments, the payers' phones), then the demo collectors' promises and plans
are recorded through the arrangement service.
The database is built beside its final path and moved into place only when
complete, so an interrupted build never leaves a half-made demo behind.

The demo also has an operator, ``nightly``. In a demo database every command acts
as one demo user: the one ``--as`` names, else the default collector ``mlopez``,
whatever the login (``collector_tui/services/team/identity.py``); so the nightly
commands are tried with ``--as nightly``, the audit log with ``--as sreed``.
``collector demo --build-only`` prints the roster (:func:`demo_roster`). The build
itself imports in-process with its own actor.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, select

from collector_tui.db import migrate
from collector_tui.db.engine import ensure_private_sqlite_file, sqlite_path
from collector_tui.db.models import OfficeSetting
from collector_tui.demo.files import Arrangement, DemoFiles, write_demo_files
from collector_tui.demo.generator import DEMO_DEFAULT_LOGIN, DEMO_USERS, DemoOffice
from collector_tui.importing.claim_status import import_claim_status
from collector_tui.importing.kinds import ACTIVITIES, PLACEMENTS, TRANSACTIONS, ImportKind
from collector_tui.importing.options import ImportOptions
from collector_tui.importing.remittance import import_remittance
from collector_tui.importing.runner import STATUS_COMPLETED, run_import
from collector_tui.services.audit import SYSTEM, Actor
from collector_tui.services.bulk import rare_collections
from collector_tui.services.database import Database, open_database
from collector_tui.services.desk.account_state import record_call_state_computed
from collector_tui.services.desk.lookup import account_refs, collector_ids_by_login
from collector_tui.services.errors import ServiceError
from collector_tui.services.files.scratch import scratch_dir
from collector_tui.services.money.arrangements import NewLevelPlan, NewPromise, add_level_plans, add_promises
from collector_tui.services.team import identity
from collector_tui.services.team.users import add_user
from collector_tui.vocabulary import Role

Progress = Callable[[str, int, int], None]  # (stage, units just done, units in the stage)
DEMO_OPERATOR_LOGIN = "nightly"  # the demo's nightly service account (an operator)
DEMO_OPERATOR_NAME = "Nightly run"


@dataclass(frozen=True)
class DemoBuild:
    path: Path
    accounts: int
    seed: int
    seconds: float


class DemoBuildError(ServiceError):
    """The demo could not be built where asked (e.g. the file holds real data)."""


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


@dataclass(frozen=True)
class DemoUserRow:
    login: str
    role: str
    name: str
    default: bool  # every command acts as this user unless --as names another


def demo_roster(path: Path) -> list[DemoUserRow]:
    """The demo's users at ``path`` (a demo database), the default user first, then by role."""
    db = open_database(f"sqlite:///{path.expanduser().resolve()}")
    try:
        with db.reading() as session:
            default = identity.demo_default_login(session)
            return [
                DemoUserRow(login, role, name, login == default)
                for login, role, name in identity.demo_users(session)
            ]
    finally:
        db.close()


def existing_demo_matches(path: Path, *, accounts: int, seed: int, today: date | None = None) -> bool:
    """True when ``path`` already holds this demo, built today at the current schema."""
    settings = _demo_settings(path.expanduser().resolve())
    if settings is None:
        return False
    today = today or datetime.now(UTC).date()
    return (
        settings.get("at_head") == "1"
        and identity.DEMO_OPERATOR_LOGIN_KEY in settings  # built before the demo had an operator
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
    db = open_database(url, require_head=False, bulk=True)
    try:
        migrate.upgrade(db.engine)
        with rare_collections():
            load_demo_office(
                db,
                DemoOffice(accounts=accounts, seed=seed, as_of=now.date()),
                now=now,
                folder=path.parent,
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
    for suffix in ("", "-wal", "-shm", "-journal", ".import-lock"):
        Path(str(path) + suffix).unlink(missing_ok=True)


def demo_path_for(url: str) -> Path:
    path = sqlite_path(url)
    if path is None:
        raise DemoBuildError("the demo builds a SQLite file; give --db a file path")
    return path


SCRATCH_PREFIX = "collector-demo-"
STAGE_FILES = "Writing the billing system's files"
STAGES = {
    "placements": "Importing placements",
    "transactions": "Importing transactions",
    "activities": "Importing activities",
}
STAGE_REMITTANCES = "Importing the payers' remittances and claim statuses"
STAGE_ARRANGEMENTS = "Recording promises and plans"
ARRANGEMENT_BATCH = 1000


def load_demo_office(
    db: Database,
    office: DemoOffice,
    *,
    now: datetime,
    folder: Path | None = None,
    progress: Progress | None = None,
) -> None:
    """Write the office's nightly files, import them as the nightly run would, then add promises and plans.

    The files go to ``folder`` (a private temporary folder when not given) and
    are removed afterwards; ``collector demo --write-files`` keeps them.
    """
    with db.writing() as session:
        _add_demo_users(session, now)
        session.add(OfficeSetting(key=identity.DEMO_KEY, value="1"))
        session.add(OfficeSetting(key=identity.DEMO_DEFAULT_LOGIN_KEY, value=DEMO_DEFAULT_LOGIN))
        session.add(OfficeSetting(key=identity.DEMO_OPERATOR_LOGIN_KEY, value=DEMO_OPERATOR_LOGIN))
        session.add(OfficeSetting(key="demo_seed", value=str(office.seed)))
        session.add(OfficeSetting(key="demo_accounts", value=str(office.accounts)))
        session.add(OfficeSetting(key="demo_as_of", value=office.as_of.isoformat()))
    with scratch_dir(SCRATCH_PREFIX, folder) as scratch:
        files = write_demo_files(scratch, office, progress=_stage(progress, STAGE_FILES, office.accounts))
        for kind, path in (
            (PLACEMENTS, files.placements),
            (TRANSACTIONS, files.transactions),
            (ACTIVITIES, files.activities),
        ):
            _import(db, kind, path, now, progress)
        payer_files = len(files.remittances) + (files.claim_status is not None)
        _import_payer_files(db, files, now, _stage(progress, STAGE_REMITTANCES, payer_files))
    _add_arrangements(
        db, files.arrangements, now, _stage(progress, STAGE_ARRANGEMENTS, len(files.arrangements))
    )
    with db.writing() as session:  # every account's call state was just worked out: none is due
        record_call_state_computed(session, now)


def _stage(progress: Progress | None, stage: str, total: int) -> Callable[[int], None] | None:
    if progress is None:
        return None
    progress(stage, 0, total)
    return lambda done: progress(stage, done, total)


def _import(db: Database, kind: ImportKind, path: Path, now: datetime, progress: Progress | None) -> None:
    stage = STAGES[kind.name]
    step = None if progress is None else (lambda done, total: progress(stage, done, total))
    summary = run_import(db, kind, path, actor=SYSTEM, now=now, options=DEMO_IMPORT, progress=step)
    if summary.status != STATUS_COMPLETED or summary.rejected:
        # The generator must only produce rows the importer accepts; fail loudly, with no row content.
        raise DemoBuildError(
            f"the demo's {kind.name} file was not imported cleanly "
            f"({summary.rejected:,} rejected; see {summary.rejects_file or 'the import batch'})"
        )


DEMO_IMPORT = ImportOptions(batch_size=4000)


def _import_payer_files(
    db: Database, files: DemoFiles, now: datetime, progress: Callable[[int], None] | None
) -> None:
    """Post the payers' 835s in date order (a reversal needs the payment it reverses on file), then
    the 277CA, as the nightly run's ``collector import remittance`` and ``collector import
    claim-status`` do, with the same actor as the other imports."""
    for path in files.remittances:
        summary = import_remittance(db, path, actor=SYSTEM, now=now)
        if summary.exceptions:
            # The writer only decides claims on file: an exception is a bug, said without content.
            raise DemoBuildError(
                f"the demo's remittance {path.name} was not posted cleanly "
                f"({summary.exceptions:,} exceptions, {summary.unmatched:,} unmatched)"
            )
        if progress is not None:
            progress(1)
    if files.claim_status is not None:
        statuses = import_claim_status(db, files.claim_status, actor=SYSTEM, now=now)
        if statuses.unmatched:
            raise DemoBuildError(
                f"the demo's claim status file {files.claim_status.name} names "
                f"{statuses.unmatched:,} claims not on file"
            )
        if progress is not None:
            progress(1)


def _add_demo_users(session: Session, now: datetime) -> None:
    for user in DEMO_USERS:
        add_user(session, SYSTEM, login=user.login, display_name=user.display_name, role=user.role, now=now)
    add_user(
        session,
        SYSTEM,
        login=DEMO_OPERATOR_LOGIN,
        display_name=DEMO_OPERATOR_NAME,
        role=Role.OPERATOR,
        now=now,
    )


def _add_arrangements(
    db: Database, arrangements: Sequence[Arrangement], now: datetime, progress: Callable[[int], None] | None
) -> None:
    """Promises and plans, recorded by the collector who owns each account, a thousand per transaction."""
    for start in range(0, len(arrangements), ARRANGEMENT_BATCH):
        part = arrangements[start : start + ARRANGEMENT_BATCH]
        with db.writing() as session:
            _record_arrangements(session, part, now)
        if progress is not None:
            progress(len(part))


def _record_arrangements(session: Session, arrangements: Sequence[Arrangement], now: datetime) -> None:
    keys = [
        (item.facility_code, item.account_number)
        for a in arrangements
        for item in (a.promise, a.plan)
        if item is not None
    ]
    accounts = account_refs(session, keys)
    collectors = collector_ids_by_login(session, {a.collector_login for a in arrangements})
    promises: dict[str, list[NewPromise]] = defaultdict(list)
    plans: dict[str, list[NewLevelPlan]] = defaultdict(list)
    for a in arrangements:
        if a.promise is not None:
            p = a.promise
            account = accounts[(p.facility_code, p.account_number)]
            promises[a.collector_login].append(NewPromise(account.id, p.amount_cents, p.due_date, p.status))
        if a.plan is not None:
            plan = a.plan
            account = accounts[(plan.facility_code, plan.account_number)]
            plans[a.collector_login].append(
                NewLevelPlan(
                    account.id,
                    plan.principal_cents,
                    plan.installment_count,
                    plan.frequency,
                    plan.first_due_date,
                    plan.installments_paid,
                )
            )
    for login in sorted(set(promises) | set(plans)):
        actor = Actor(login or "system", collectors.get(login), Role.COLLECTOR)
        add_promises(session, actor, promises.get(login, []), now=now)
        add_level_plans(session, actor, plans.get(login, []), now=now)
