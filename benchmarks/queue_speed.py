"""The prioritized call queue at office scale (issue: "the prioritized call queue").

Targets, for 1,000,000 accounts across 20 collectors in a SQLite file on the 2-core machine:
a collector's first page, next page and ``n`` (claim next) each under 50 ms; from ``collector``
start to a painted queue with rows under 1.5 s; the TUI's resident memory under 250 MB and
independent of the number of accounts; the nightly rescoring of every account under 60 s.

For each size (COLLECTOR_BENCH_QUEUE_SIZES, default 100000; add 1000000 for the full run) this
builds the demo office, adds 15 collectors and deals the accounts round-robin to all 20 (a
bench-only reshuffle), then for the demo collector mlopez, at 17:00 UTC on the build day (most
zones open) and at 12:00 UTC (one call group open, about 1% callable: the "call" section is
sparse; at 11:00 none is open and the section is empty without a scan), times
(median of 5 runs):

- the floors: each section's first and next page as bare SQL (``queue._statement`` executed
  alone) by each plan the section has - the call section's account plan probes each account's
  phones, its phone plan tests each account against a list of the guarantors with a phone in
  an open group (see ``queue._plan``) - with the ``EXPLAIN QUERY PLAN``; the plan the service
  picks and what picking costs (afresh, and kept); ``n``'s bare SELECT by each plan;
- ``queue_page``: each section's first page and the call section's next page, 200 rows each;
- ``section_totals`` (counted off the UI thread by the app) and ``claim_next`` (a write);
- the call section counted whole by each plan against the bare walk: the cost of a probe per
  step and of an open phone in the list (``probe_step_us``, ``open_phone_us``), whose ratio at
  17:00 (``walk_step_cost``) is ``queue.WALK_STEP_COST``.

With COLLECTOR_BENCH_QUEUE_DB set to a database this benchmark built (and dealt to the 20
collectors), only the moments are timed, on that file (its ``n`` claims stay).

Then, each in a fresh process so imports count (median of 5): the wall time from spawning the
process to the real app, headless at 120x40, showing its first page's rows, and the peak RSS
(VmHWM) after ten page-downs; the floor is an empty Textual app's time to mount and RSS.
Last, the nightly ``refresh_all_accounts`` once, and once with ``call_state=True``.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import case, func, select, update
from sqlmodel import Session

from benchmarks.callable_now import _median_ms, _query_plan
from benchmarks.results import record
from collector_tui.db import queries
from collector_tui.db.models import Account, Collector, table_of
from collector_tui.demo.build import build_demo_database
from collector_tui.demo.generator import DEMO_DEFAULT_LOGIN
from collector_tui.services.audit import SYSTEM, Actor
from collector_tui.services.database import Database, open_database
from collector_tui.services.desk.account_state import refresh_all_accounts
from collector_tui.services.law.compliance import guarantors_with_open_phones, open_group_ids
from collector_tui.services.team.identity import resolve_actor
from collector_tui.services.team.users import add_user
from collector_tui.services.worklists.queue import (
    _PLANS,
    PAGE_SIZE,
    PLAN_ACCOUNTS,
    PLAN_PHONES,
    PLANS,
    SECTION_CALL,
    SECTIONS,
    QueueFilter,
    _plan,
    _statement,
    claim_next,
    queue_page,
    section_totals,
)
from collector_tui.vocabulary import Role

SIZES = tuple(int(n) for n in os.environ.get("COLLECTOR_BENCH_QUEUE_SIZES", "100000").split(","))
BUILT_AT = datetime(2026, 11, 17, 8, 0, tzinfo=UTC)  # a Tuesday, standard time
MOMENTS = {"busy": BUILT_AT.replace(hour=17), "early": BUILT_AT.replace(hour=12)}
NIGHTLY = BUILT_AT.replace(hour=3) + timedelta(days=1)
COLLECTORS = 20
PAINT_RUNS = 5
PAGE_DOWNS = 10
TARGETS = {"page_ms": 50, "painted_s": 1.5, "rss_mb": 250, "rescore_s": 60}

# The child process: time from spawn (BENCH_SPAWNED_AT) to the first page on screen, then its RSS.
PAINT = """
import asyncio, json, os, sys, time

started = time.time()
mode, url, login, at, page_downs = sys.argv[1:]

def rss_mb():
    status = dict(line.split(":", 1) for line in open("/proc/self/status"))
    return {key: round(int(status[key].split()[0]) / 1024, 1) for key in ("VmHWM", "VmRSS")}

if mode == "empty":
    from textual.app import App

    class Empty(App):
        mounted = False

        def on_mount(self):
            self.mounted = True

    app = Empty()
    imported = opened = time.time()
    ready = lambda: app.mounted
    rows = lambda: 0
else:
    from datetime import datetime

    import collector_tui.cli.main  # what `collector` loads before it opens the app
    from collector_tui.services.database import open_database
    from collector_tui.services.team.identity import resolve_actor
    from collector_tui.screens.app import CollectorApp
    from collector_tui.screens.queue import QueueScreen, QueueTable

    imported = time.time()
    db = open_database(url)
    actor = resolve_actor(db, act_as=login)
    now = datetime.fromisoformat(at)
    app = CollectorApp(db=db, actor=actor, clock=lambda: now)
    opened = time.time()
    rows = lambda: app.screen.query_one(QueueTable).row_count
    ready = lambda: isinstance(app.screen, QueueScreen) and app.screen._loaded_once and rows() > 0

async def main():
    async with app.run_test(size=(120, 40)) as pilot:
        while not ready():
            await pilot.pause(0.01)
        painted = time.time()
        at_paint = {"rows": rows(), **rss_mb()}
        for _ in range(int(page_downs)):
            await pilot.press("pagedown")
            await pilot.pause(0.05)
        await app.workers.wait_for_complete()
        await pilot.pause()
        spawned = float(os.environ["BENCH_SPAWNED_AT"])
        return {
            "python_started_s": started - spawned,
            "imported_s": imported - spawned,
            "app_built_s": opened - spawned,
            "painted_s": painted - spawned,
            "rows_at_paint": at_paint["rows"],
            "rss_at_paint_mb": at_paint["VmRSS"],
            "rows_after_scroll": rows(),
            "peak_rss_mb": rss_mb()["VmHWM"],
        }

print("PAINT " + json.dumps(asyncio.run(main())))
"""


def _paint(mode: str, url: str = "", login: str = "", at: datetime = BUILT_AT) -> dict[str, float]:
    """Medians over PAINT_RUNS fresh processes of the child's timings (s) and memory (MB)."""
    runs = []
    for _ in range(PAINT_RUNS):
        argv = [sys.executable, "-c", PAINT, mode, url, login, at.isoformat(), str(PAGE_DOWNS)]
        env = {**os.environ, "BENCH_SPAWNED_AT": repr(time.time())}
        done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
        if done.returncode:
            raise RuntimeError(f"the {mode} child failed:\n{done.stderr}")
        line = next(line for line in done.stdout.splitlines() if line.startswith("PAINT "))
        runs.append(json.loads(line.removeprefix("PAINT ")))
    return {key: round(statistics.median(run[key] for run in runs), 3) for key in runs[0]}


def _progress() -> Any:
    """Print each build stage at every tenth of the way (the build calls back with increments)."""
    done: dict[str, int] = {}
    started = time.perf_counter()

    def report(stage: str, units: int, total: int) -> None:
        before = done.get(stage, 0)
        done[stage] = before + units
        if total and (done[stage] * 10 // total > before * 10 // total or units == 0):
            print(f"  {stage}: {done[stage]:,}/{total:,} ({time.perf_counter() - started:.0f} s)", flush=True)

    return report


def _twenty_collectors(db: Database) -> None:
    """Add bench collectors up to COLLECTORS and deal every account round-robin by id."""
    c, a = table_of(Collector).c, table_of(Account).c
    with db.writing() as session:
        demo = session.execute(select(c.id).where(c.role == Role.COLLECTOR)).scalars().all()
        for i in range(COLLECTORS - len(demo)):
            add_user(
                session,
                SYSTEM,
                login=f"bench{i:02d}",
                display_name=f"Bench {i}",
                role="collector",
                now=BUILT_AT,
            )
        ids = session.execute(select(c.id).where(c.role == Role.COLLECTOR).order_by(c.id)).scalars()
        deal = case({k: cid for k, cid in enumerate(ids)}, value=a.id % COLLECTORS)
        session.execute(update(table_of(Account)).values(assigned_collector_id=deal))


def _fetch(session: Session, statement: Any) -> Any:
    return session.execute(statement).all()


def _count(session: Session, statement: Any) -> int:
    return int(
        session.execute(select(func.count()).select_from(statement.order_by(None).subquery())).scalar_one()
    )


def _forgetting(decide: Any) -> Any:
    """``decide()`` with the queue's kept plan choices forgotten first: what choosing costs."""
    _PLANS.clear()
    return decide()


def _floors(
    db: Database, session: Session, collector_id: int, groups: list[int], now: datetime
) -> dict[str, Any]:
    """Each section's first and next page as bare SQL by each of its plans (median ms), with the
    query plan, and the plan the service picks (and what picking costs)."""
    floors: dict[str, Any] = {}
    for section in SECTIONS:
        chosen = QueueFilter(section=section)
        floors[section] = by_plan = {}
        for plan in PLANS if section == SECTION_CALL and groups else (PLAN_ACCOUNTS,):
            first = _statement(collector_id, chosen, groups, now, None, PAGE_SIZE + 1, plan)
            ms, found = _median_ms(partial(_fetch, session, first))
            entry: dict[str, Any] = {"first_page_ms": ms, "rows": len(found)}
            if len(found) > PAGE_SIZE:
                last = found[PAGE_SIZE - 1]
                after = (last.priority_score, last.id)
                following = _statement(collector_id, chosen, groups, now, after, PAGE_SIZE + 1, plan)
                entry["next_page_ms"], _ = _median_ms(partial(_fetch, session, following))
            entry["query_plan"] = _query_plan(db, session, first)
            by_plan[plan] = entry
        decide = partial(_plan, session, collector_id, section, groups, PAGE_SIZE + 1)
        decided_ms, picked = _median_ms(partial(_forgetting, decide))
        cached_ms, _ = _median_ms(decide)
        by_plan["chosen"] = {"plan": picked, "deciding_ms": decided_ms, "deciding_cached_ms": cached_ms}
    return floors


def _step_costs(session: Session, collector_id: int, groups: list[int], now: datetime) -> dict[str, Any]:
    """The call section counted whole by each plan, and the bare walk (no phone test): what a step
    of the account plan's probe costs (us), and an open phone of the phone plan's list (us, its
    membership tests included). Their ratio where the phones dominate (17:00) is what
    ``queue.WALK_STEP_COST`` should be."""
    accounts = _count(session, queries.queue_statement(collector_id, with_guarantor=False))
    walk = _statement(collector_id, QueueFilter(section="later"), [], now)  # no group open: no phone test
    walk_ms, _ = _median_ms(partial(_count, session, walk))
    costs: dict[str, Any] = {"accounts": accounts, "bare_walk_count_ms": walk_ms}
    if not groups:
        return costs
    costs["open_phones"] = phones = _count(session, guarantors_with_open_phones(groups))
    for plan in PLANS:
        every = _statement(collector_id, QueueFilter(), groups, now, plan=plan)
        costs[f"{plan}_count_ms"], _ = _median_ms(partial(_count, session, every))
    if accounts and phones:
        probe = (costs[f"{PLAN_ACCOUNTS}_count_ms"] - walk_ms) * 1000 / accounts
        phone = (costs[f"{PLAN_PHONES}_count_ms"] - walk_ms) * 1000 / phones
        costs |= {"probe_step_us": round(probe, 3), "open_phone_us": round(phone, 3)}
        costs["walk_step_cost"] = round(probe / phone, 2) if phone > 0 else None
    return costs


def _moment(db: Database, actor: Actor, now: datetime) -> dict[str, Any]:
    assert actor.collector_id is not None
    collector_id = actor.collector_id
    with db.reading() as session:
        groups = open_group_ids(session, now)
        floors = _floors(db, session, collector_id, groups, now)
        claim_floor: dict[str, float] = {}
        for plan in PLANS if groups else (PLAN_ACCOUNTS,):
            top = _statement(collector_id, QueueFilter(), groups, now, None, 1, plan)
            claim_floor[plan], _ = _median_ms(partial(_fetch, session, top))
        claim_plan = _plan(session, collector_id, SECTION_CALL, groups, 1)
        count_plan = _plan(session, collector_id, SECTION_CALL, groups, None)
        steps = _step_costs(session, collector_id, groups, now)
    pages = {}
    for section in SECTIONS:
        ms, page = _median_ms(partial(queue_page, db, actor, now=now, chosen=QueueFilter(section=section)))
        pages[section] = {"first_page_ms": ms, "rows": len(page.rows)}
        if section == SECTION_CALL:
            call_cursor = page.next_cursor
    next_ms = None
    if call_cursor is not None:
        next_ms, _ = _median_ms(lambda: queue_page(db, actor, now=now, after=call_cursor))
    totals_ms, totals = _median_ms(lambda: section_totals(db, actor, now))
    claim_ms, claimed = _median_ms(lambda: claim_next(db, actor, now))
    return {
        "now": now.isoformat(),
        "open_groups": len(groups),
        "totals": totals,
        "bare_sql": floors,
        "queue_page_ms": pages,
        "call_next_page_ms": next_ms,
        "section_totals_ms": totals_ms,
        "section_totals_call_plan": count_plan,
        "claim_next_ms": claim_ms,
        "bare_sql_claim_ms": claim_floor,
        "claim_next_plan": claim_plan,
        "claimed": claimed,
        "call_count_and_step_costs": steps,
    }


def _report(name: str, result: dict[str, Any]) -> None:
    """One moment in a few lines: each page with its floors (bare SQL, by plan)."""

    def floors(section: str, key: str) -> str:
        by_plan = result["bare_sql"][section]
        shown = [f"{plan} {entry[key]}" for plan, entry in by_plan.items() if key in entry]
        chosen = by_plan["chosen"]
        picks = (
            f"picks {chosen['plan']} in {chosen['deciding_ms']} ms, {chosen['deciding_cached_ms']} ms kept"
        )
        return f"(bare {', '.join(shown)}; {picks})"

    pages = result["queue_page_ms"]
    print(f"  {name} {result['now']}: {result['open_groups']} groups open, totals {result['totals']}")
    print(f"    call first {pages[SECTION_CALL]['first_page_ms']} ms {floors(SECTION_CALL, 'first_page_ms')}")
    print(f"    call next {result['call_next_page_ms']} ms {floors(SECTION_CALL, 'next_page_ms')}")
    for section in SECTIONS[1:]:
        print(f"    {section} first {pages[section]['first_page_ms']} ms {floors(section, 'first_page_ms')}")
    claim = f"bare {result['bare_sql_claim_ms']}; picks {result['claim_next_plan']}"
    print(f"    n {result['claim_next_ms']} ms ({claim})")
    counted = f"call counted by {result['section_totals_call_plan']}"
    print(f"    totals {result['section_totals_ms']} ms ({counted}; {result['call_count_and_step_costs']})")


def _moments(db: Database) -> dict[str, Any]:
    actor = resolve_actor(db, act_as=DEMO_DEFAULT_LOGIN)
    moments = {}
    for name, now in MOMENTS.items():
        moments[name] = _moment(db, actor, now)
        _report(name, moments[name])
    return moments


def _rescore(db: Database, *, call_state: bool) -> dict[str, Any]:
    started = time.perf_counter()
    seen = refresh_all_accounts(db.writing, NIGHTLY, call_state=call_state)
    seconds = time.perf_counter() - started
    print(f"  refresh_all_accounts(call_state={call_state}): {seen:,} in {seconds:.1f} s", flush=True)
    return {"seconds": round(seconds, 2), "accounts": seen, "accounts_per_second": round(seen / seconds)}


def _run(folder: Path, accounts: int) -> dict[str, Any]:
    path = folder / f"queue-{accounts}.db"
    started = time.perf_counter()
    build_demo_database(path, accounts=accounts, seed=42, now=BUILT_AT, progress=_progress())
    build_seconds = time.perf_counter() - started
    print(f"built {accounts:,} accounts in {build_seconds:.1f} s", flush=True)
    url = f"sqlite:///{path}"
    db = open_database(url)
    try:
        _twenty_collectors(db)
        moments = _moments(db)
        painted = _paint("app", url, DEMO_DEFAULT_LOGIN, MOMENTS["busy"])
        print(f"  painted queue: {painted}", flush=True)
        rescoring = _rescore(db, call_state=False)
        with_call_state = _rescore(db, call_state=True)
    finally:
        db.close()
    return {
        "accounts": accounts,
        "collectors": COLLECTORS,
        "collector": DEMO_DEFAULT_LOGIN,
        "build_seconds": round(build_seconds, 2),
        "database_mb": round(path.stat().st_size / 1e6, 1),
        "moments": moments,
        "painted_queue": painted,
        "nightly_rescore": {"now": NIGHTLY.isoformat(), **rescoring},
        "nightly_rescore_with_call_state": with_call_state,
    }


def main() -> None:
    existing = os.environ.get("COLLECTOR_BENCH_QUEUE_DB")
    if existing:
        db = open_database(f"sqlite:///{existing}")
        try:
            record("queue_speed_moments", {"database": existing, "moments": _moments(db)})
        finally:
            db.close()
        return
    empty_app = _paint("empty")
    print(f"empty Textual app: {empty_app}", flush=True)
    with tempfile.TemporaryDirectory(prefix="collector-bench-") as folder:
        runs = [_run(Path(folder), accounts) for accounts in SIZES]
    for run in runs:
        print(f"first-page plans at {run['accounts']:,} accounts:")
        for name, moment in run["moments"].items():
            for plan, entry in moment["bare_sql"][SECTION_CALL].items():
                if "query_plan" in entry:
                    print(f"  {name}, {plan} plan:")
                    print("\n".join("    " + line for line in entry["query_plan"]))
    record("queue_speed", {"targets": TARGETS, "floor_empty_app": empty_app, "runs": runs})
