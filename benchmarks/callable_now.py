"""How fast the queue can ask "which accounts may be called now" in SQL (the compliance issue).

The issue requires that "the queue must be able to ask callable now for a million
accounts in SQL": the engine's verdict is kept as stored call state (account and
phone columns kept by ``services.compliance``), and only the calling windows are
evaluated at query time, once per call group. For each size
(COLLECTOR_BENCH_CALLABLE_SIZES, default 100000) this builds the demo office and,
at 03:00, 14:00, 17:00 and 22:00 UTC on the build day (so different zones are
open), times (median of 5 runs):

- ``open_group_ids``: the call groups evaluated in Python, and how many are open;
- ``count(*)`` of callable accounts, for the whole office and for the demo
  collector ``mlopez``;
- the first page (50) of mlopez's callable queue, by priority, with its
  ``EXPLAIN QUERY PLAN`` (does it walk ``ix_account_queue``?), and the counts' plans.

Then it times ``refresh_all``, the nightly recompute of every open account's call
state, once, as the nightly run after the build would (03:00 UTC the next day).
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from typing import Any

from sqlalchemy import event, func, select
from sqlalchemy.sql import Select
from sqlmodel import Session

from benchmarks.results import record
from collector_tui.db.models import Collector, table_of
from collector_tui.db.tables import ACCOUNT_T, CALL_GROUP_T
from collector_tui.demo.build import build_demo_database
from collector_tui.demo.generator import DEMO_DEFAULT_LOGIN
from collector_tui.services.database import Database, open_database
from collector_tui.services.desk.account_state import refresh_all_accounts
from collector_tui.services.law.compliance import callable_now_clause, open_group_ids
from collector_tui.vocabulary import AccountStatus

SIZES = tuple(int(n) for n in os.environ.get("COLLECTOR_BENCH_CALLABLE_SIZES", "100000").split(","))
HOURS_UTC = (3, 14, 17, 22)
REPEATS = 5
PAGE = 50


def _median_ms(run: Callable[[], Any]) -> tuple[float, Any]:
    """The median wall time of REPEATS runs (ms), and what the last run returned."""
    times = []
    result = None
    for _ in range(REPEATS):
        started = time.perf_counter()
        result = run()
        times.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(times), 2), result


def sent_plan_rows(db: Database, session: Session, statement: Select[Any]) -> list[tuple[Any, ...]]:
    """SQLite's EXPLAIN QUERY PLAN rows of ``statement``, as the SQL and parameters actually sent
    (the tests read them too: the plans need no statistics, so a small database plans alike)."""
    sent: list[tuple[str, Any]] = []

    def grab(_conn: Any, _cursor: Any, sql: str, params: Any, _context: Any, _many: bool) -> None:
        sent.append((sql, params))

    event.listen(db.engine, "before_cursor_execute", grab)
    try:
        session.execute(statement).all()
    finally:
        event.remove(db.engine, "before_cursor_execute", grab)
    sql, params = sent[-1]
    return [tuple(row) for row in session.connection().exec_driver_sql("EXPLAIN QUERY PLAN " + sql, params)]


def _query_plan(db: Database, session: Session, statement: Select[Any]) -> list[str]:
    """The plan as an indented tree, for the benchmark's report."""
    rows = sent_plan_rows(db, session, statement)
    depth: dict[int, int] = {0: -1}
    lines = []
    for node, parent, _unused, detail in rows:
        depth[node] = depth.get(parent, -1) + 1
        lines.append("  " * depth[node] + detail)
    return lines


def _moment(db: Database, now: datetime, collector_id: int) -> dict[str, Any]:
    a = ACCOUNT_T.c
    with db.reading() as session:
        groups_ms, groups = _median_ms(lambda: open_group_ids(session, now))
        clause = callable_now_clause(groups, now)
        everyone = select(func.count()).select_from(ACCOUNT_T).where(clause)
        mine = everyone.where(a.assigned_collector_id == collector_id)
        page = (
            select(a.id)
            .where(a.assigned_collector_id == collector_id, a.status == AccountStatus.OPEN, clause)
            .order_by(a.priority_score.desc(), a.id.desc())
            .limit(PAGE)
        )
        all_ms, all_count = _median_ms(lambda: session.execute(everyone).scalar_one())
        mine_ms, mine_count = _median_ms(lambda: session.execute(mine).scalar_one())
        page_ms, page_ids = _median_ms(lambda: session.execute(page).scalars().all())
        queries = {"count_all": everyone, "count_collector": mine, "first_page": page}
        plans = {name: _query_plan(db, session, query) for name, query in queries.items()}
    return {
        "now": now.isoformat(),
        "open_group_ids_ms": groups_ms,
        "open_groups": len(groups),
        "count_all_ms": all_ms,
        "callable_all": all_count,
        "count_collector_ms": mine_ms,
        "callable_collector": mine_count,
        "first_page_ms": page_ms,
        "first_page_rows": len(page_ids),
        "query_plans": plans,
    }


def _run(folder: Path, accounts: int) -> dict[str, Any]:
    path = folder / f"demo-{accounts}.db"
    built_at = datetime.now(UTC)
    started = time.perf_counter()
    build_demo_database(path, accounts=accounts, seed=42, now=built_at)
    build_seconds = time.perf_counter() - started
    print(f"built {accounts:,} accounts in {build_seconds:.1f} s")
    db = open_database(f"sqlite:///{path}")
    try:
        a = ACCOUNT_T.c
        with db.reading() as session:
            collector_id = session.execute(
                select(table_of(Collector).c.id).where(table_of(Collector).c.login == DEMO_DEFAULT_LOGIN)
            ).scalar_one()
            groups = session.execute(select(func.count()).select_from(CALL_GROUP_T)).scalar_one()
            open_accounts = session.execute(
                select(func.count()).select_from(ACCOUNT_T).where(a.status == AccountStatus.OPEN)
            ).scalar_one()
            collector_open = session.execute(
                select(func.count())
                .select_from(ACCOUNT_T)
                .where(a.status == AccountStatus.OPEN, a.assigned_collector_id == collector_id)
            ).scalar_one()
        day = built_at.date()
        moments = []
        for hour in HOURS_UTC:
            result = _moment(db, datetime.combine(day, clock(hour), UTC), collector_id)
            moments.append(result)
            print(
                f"  {hour:02d}:00 UTC  groups open {result['open_groups']}/{groups} "
                f"({result['open_group_ids_ms']} ms)  "
                f"all {result['callable_all']:,} ({result['count_all_ms']} ms)  "
                f"{DEMO_DEFAULT_LOGIN} {result['callable_collector']:,} ({result['count_collector_ms']} ms)  "
                f"page of {result['first_page_rows']} ({result['first_page_ms']} ms)"
            )
        nightly = datetime.combine(day + timedelta(days=1), clock(3), UTC)
        started = time.perf_counter()
        seen = refresh_all_accounts(db.writing, nightly)
        refresh_seconds = time.perf_counter() - started
        print(f"  refresh_all: {seen:,} open accounts in {refresh_seconds:.1f} s")
    finally:
        db.close()
    return {
        "accounts": accounts,
        "build_seconds": round(build_seconds, 2),
        "database_mb": round(path.stat().st_size / 1e6, 1),
        "built_at": built_at.isoformat(timespec="seconds"),
        "open_accounts": open_accounts,
        "call_groups": groups,
        "collector": DEMO_DEFAULT_LOGIN,
        "collector_open_accounts": collector_open,
        "moments": moments,
        "refresh_all": {
            "now": nightly.isoformat(),
            "seconds": round(refresh_seconds, 2),
            "accounts": seen,
            "accounts_per_second": round(seen / refresh_seconds),
        },
    }


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="collector-bench-") as folder:
        runs = [_run(Path(folder), accounts) for accounts in SIZES]
    for run in runs:
        print(f"first-page plan at {run['accounts']:,} accounts (03:00 UTC):")
        print("\n".join("  " + line for line in run["moments"][0]["query_plans"]["first_page"]))
    record("callable_now", {"runs": runs})
