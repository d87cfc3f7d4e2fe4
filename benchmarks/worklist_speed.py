"""The denial worklist at office scale (issue 18): a collector's pages, groups, ``n``, detail and a
payer call, and the nightly rescore of every open item.

Targets, as the call queue's (``queue_speed``): each interactive read under 50 ms on the 2-core
machine; the nightly rescore reported as items/s.

For each size (COLLECTOR_BENCH_WORKLIST_SIZES, the open items, default 100000) this builds an
office directly with bulk inserts (``services/bulk.insert_rows``, the executemany the imports
use; no demo build, so about 17 s at the defaults and 70 s with a million accounts):
COLLECTOR_BENCH_WORKLIST_ACCOUNTS accounts (default 100000, the size the other benchmarks build
by default; 1000000 for the office's full size), each with its guarantor, in three facilities,
dealt round-robin to 40 collectors; one claim per denial item, over eight payers; the open items
plus a quarter as many closed ones, in the owner's worklist (its account's collector), with the
CARCs' own scenario and category (``policies/denials.toml``), the payer's deadlines and the score
``domain.denial_work.denial_priority`` gives them on the build day; about 5% claimed (half of those
leases expired) and 10% worked with a payer answer due. Then, for the collector ``bench00`` at
17:00 UTC on the build day, it times (best and median of 5 runs, ms):

- ``worklist_page``: the first page at 50 and at 200 rows, and the next keyset page (200);
- ``worklist_groups``; ``claim_next_denial`` (each claim released after, untimed);
- ``log_payer_call`` on the top item (a write: an activity, an action, the item rescored, the
  account's version bumped and its queue view refreshed), then ``denial_detail`` of that item;

with the ``EXPLAIN QUERY PLAN`` of every SELECT each read sends (as sent, with its parameters).
A read is "ok" when its median is under the goal. Last, the nightly ``refresh_denial_items`` at
02:00 office time (America/New_York) on three nights in a row (each moves every deadline a
day nearer, so the rows really change), as items/s over the open items.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Table, event, select

from benchmarks.results import record
from collector_tui.db import migrate
from collector_tui.db.engine import ensure_private_sqlite_file
from collector_tui.db.tables import (
    ACCOUNT_T,
    CLAIM_T,
    COLLECTOR_T,
    DENIAL_ITEM_T,
    FACILITY_T,
    GUARANTOR_T,
    PAYER_T,
)
from collector_tui.domain.denial_work import DenialFacts, denial_deadlines, denial_priority, payer_key
from collector_tui.services.audit import SYSTEM, Actor
from collector_tui.services.bulk import insert_rows, rare_collections
from collector_tui.services.database import Database, open_database
from collector_tui.services.desk.account_state import refresh_denial_items
from collector_tui.services.desk.denial_actions import PayerCall, log_payer_call
from collector_tui.services.law.policy import current_denial_policy
from collector_tui.services.team.users import add_user
from collector_tui.services.worklists.denial_worklist import (
    claim_next_denial,
    denial_detail,
    release_denial,
    worklist_groups,
    worklist_page,
)
from collector_tui.vocabulary import DenialOutcome, DenialSource, DenialStatus, Role

SIZES = tuple(int(n) for n in os.environ.get("COLLECTOR_BENCH_WORKLIST_SIZES", "100000").split(","))
ACCOUNTS = int(os.environ.get("COLLECTOR_BENCH_WORKLIST_ACCOUNTS", "100000"))
BUILT_AT = datetime(2026, 11, 17, 8, 0, tzinfo=UTC)  # a Tuesday, as queue_speed's
NOW = BUILT_AT.replace(hour=17)
NIGHTLY = BUILT_AT.replace(hour=7) + timedelta(days=1)  # 02:00 the next day in the office's zone (New York)
NIGHTS = 3
COLLECTORS = 40
LOGIN = "bench00"
REPEATS = 5
BATCH = 20_000
TARGETS = {"read_ms": 50}
FACILITIES = (("BENCHA", "Bench General"), ("BENCHB", "Bench Clinic"), ("BENCHC", "Bench Surgery"))
PAYERS = (
    ("MEDICARE PART B", "+15555550101"),
    ("MEDICAID OF BENCH", "+15555550102"),
    ("Invented Health Plan", "+15555550103"),
    ("Acme Mutual Insurance", "+15555550104"),
    ("Northwind Health", "+15555550105"),
    ("Contoso Care Plan", "+15555550106"),
    ("Fabrikam Benefits", "+15555550107"),
    ("Tailspin Assurance", None),
)
# (group, CARC, a remark) in rough proportion to a denial worklist's mix.
REASONS = (
    ("CO", "16", "N290"),
    ("CO", "97", "M15"),
    ("CO", "50", "N115"),
    ("CO", "197", "N54"),
    ("CO", "18", ""),
    ("CO", "29", ""),
    ("CO", "4", "M20"),
    ("CO", "11", "M76"),
    ("CO", "27", "N30"),
    ("OA", "22", "MA04"),
    ("CO", "96", "N130"),
    ("CO", "109", ""),
    ("CO", "151", "N115"),
    ("CO", "204", "N130"),
    ("PI", "252", "N706"),
    ("CO", "31", ""),
)
CLOSED_OUTCOMES = (
    DenialOutcome.OVERTURNED,
    DenialOutcome.UPHELD,
    DenialOutcome.WRITTEN_OFF,
    DenialOutcome.MOVED_TO_PATIENT,
)


def _timed(
    run: Callable[[], Any], *, after: Callable[[Any], Any] | None = None
) -> tuple[dict[str, float], Any]:
    """Best and median wall time (ms) of REPEATS runs, and what the last run returned; ``after``
    (untimed) undoes each run (a claim released)."""
    times = []
    result = None
    for _ in range(REPEATS):
        started = time.perf_counter()
        result = run()
        times.append((time.perf_counter() - started) * 1000)
        if after is not None:
            after(result)
    return {"best_ms": round(min(times), 2), "median_ms": round(statistics.median(times), 2)}, result


def _plans_of(db: Database, run: Callable[[], Any]) -> list[dict[str, Any]]:
    """The ``EXPLAIN QUERY PLAN`` of each SELECT ``run`` sends that reads denial_item, as sent."""
    sent: list[tuple[str, Any]] = []

    def grab(_conn: Any, _cursor: Any, sql: str, params: Any, _context: Any, _many: bool) -> None:
        if sql.lstrip().upper().startswith("SELECT") and "denial_item" in sql:
            sent.append((sql, params))

    event.listen(db.engine, "before_cursor_execute", grab)
    try:
        run()
    finally:
        event.remove(db.engine, "before_cursor_execute", grab)
    plans = []
    with db.reading() as session:
        for sql, params in sent:
            rows = session.connection().exec_driver_sql("EXPLAIN QUERY PLAN " + sql, params).all()
            depth: dict[int, int] = {0: -1}
            lines = []
            for node, parent, _unused, detail in rows:
                depth[node] = depth.get(parent, -1) + 1
                lines.append("  " * depth[node] + detail)
            plans.append({"sql": " ".join(sql.split()), "plan": lines})
    return plans


def _template(table: Table, now: datetime) -> dict[str, Any]:
    """Every column but the id with its default (Python's, else the server's), for a full row:
    ``insert_rows`` sends the same keys for every row."""
    row: dict[str, Any] = {}
    for column in table.columns:
        if column.primary_key:
            continue
        default, server = column.default, column.server_default
        if default is not None and default.is_scalar:
            row[column.name] = getattr(default, "arg", None)
        elif (default is not None and default.is_callable) or column.name in ("created_at", "updated_at"):
            row[column.name] = now
        elif server is not None:
            given = getattr(server, "arg", "")
            text = str(getattr(given, "text", given))
            row[column.name] = int(text) if text.lstrip("-").isdigit() else text
        else:
            row[column.name] = None
    return row


def _insert(db: Database, table: Table, rows: Any, total: int, started: float) -> None:
    """``rows`` (an iterator of full rows) inserted BATCH to a transaction."""
    batch: list[dict[str, Any]] = []
    done = 0

    def flush() -> None:
        nonlocal done
        with db.writing() as session:
            insert_rows(session, table, batch)
        done += len(batch)
        batch.clear()

    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH:
            flush()
    if batch:
        flush()
    print(f"  {table.name}: {done:,}/{total:,} ({time.perf_counter() - started:.0f} s)", flush=True)


def _build(path: Path, open_items: int, accounts: int) -> dict[str, Any]:
    """The office, built directly: returns what was built."""
    started = time.perf_counter()
    ensure_private_sqlite_file(path)
    db = open_database(f"sqlite:///{path}", require_head=False, bulk=True)
    policy = current_denial_policy()
    today = NOW.date()
    closed_items = open_items // 4
    items = open_items + closed_items
    try:
        migrate.upgrade(db.engine)
        with rare_collections():
            with db.writing() as session:
                for i in range(COLLECTORS):
                    add_user(
                        session,
                        SYSTEM,
                        login=f"bench{i:02d}",
                        display_name=f"Bench {i}",
                        role=Role.COLLECTOR,
                        now=BUILT_AT,
                    )
                collectors = list(
                    session.execute(
                        select(COLLECTOR_T.c.id)
                        .where(COLLECTOR_T.c.role == Role.COLLECTOR)
                        .order_by(COLLECTOR_T.c.id)
                    ).scalars()
                )
                base = _template(FACILITY_T, BUILT_AT)
                insert_rows(session, FACILITY_T, [{**base, "code": c, "name": n} for c, n in FACILITIES])
                facilities = list(
                    session.execute(select(FACILITY_T.c.id).order_by(FACILITY_T.c.id)).scalars()
                )
                base = _template(PAYER_T, BUILT_AT)
                insert_rows(
                    session,
                    PAYER_T,
                    [{**base, "name": n, "name_key": payer_key(n), "phone": p} for n, p in PAYERS],
                )
            guarantor = _template(GUARANTOR_T, BUILT_AT)
            _insert(
                db,
                GUARANTOR_T,
                (
                    {
                        **guarantor,
                        "external_id": f"BG{n:09d}",
                        "first_name": "Invented",
                        "last_name": f"Person{n % 997}",
                    }
                    for n in range(1, accounts + 1)
                ),
                accounts,
                started,
            )
            account = _template(ACCOUNT_T, BUILT_AT)
            owner_of = [collectors[n % COLLECTORS] for n in range(accounts + 1)]  # account id n -> collector
            _insert(
                db,
                ACCOUNT_T,
                (
                    {
                        **account,
                        "facility_id": facilities[n % len(facilities)],
                        "account_number": f"BA{n:09d}",
                        "guarantor_id": n,
                        "placed_date": BUILT_AT.date() - timedelta(days=n % 300),
                        "total_balance_cents": 5_000 + n * 7919 % 900_000,
                        "insurance_pending_cents": 5_000 + n * 7919 % 900_000,
                        "time_zone": "America/Chicago",
                        "assigned_collector_id": owner_of[n],
                        "priority_score": n * 31 % 1000,
                    }
                    for n in range(1, accounts + 1)
                ),
                accounts,
                started,
            )

            def account_of(k: int) -> int:  # claim / item k (from 1) -> its account, spread over all
                return (k - 1) * 7 % accounts + 1

            claim = _template(CLAIM_T, BUILT_AT)
            _insert(
                db,
                CLAIM_T,
                (
                    {
                        **claim,
                        "account_id": account_of(k),
                        "payer_name": PAYERS[k % len(PAYERS)][0],
                        "claim_number": f"BC{k:010d}",
                        "status": "denied",
                        "billed_cents": 10_000 + k * 104_729 % 2_000_000,
                        "submitted_date": today - timedelta(days=30 + k % 150),
                        "control_number": f"BENCH{k:012d}",
                        "payer_claim_number": f"ICN{k:011d}",
                    }
                    for k in range(1, items + 1)
                ),
                items,
                started,
            )
            item = _template(DENIAL_ITEM_T, BUILT_AT)

            def item_row(k: int) -> dict[str, Any]:
                group, carc, remark = REASONS[k * 13 % len(REASONS)]
                payer = PAYERS[k % len(PAYERS)][0]
                category, scenario = policy.classify(carc)
                remit = today - timedelta(days=k * 17 % 200)
                deadlines = denial_deadlines(policy.rules_for(payer), remit, remit - timedelta(days=20))
                denied = 2_000 + k * 104_729 % 500_000
                worked = k % 10 == 0
                answer = remit + timedelta(days=45) if worked else None
                priority = denial_priority(
                    DenialFacts(denied, deadlines.appeal, deadlines.corrected_claim, answer, worked),
                    policy,
                    today,
                )
                closed = k > open_items
                claimed = not closed and k % 20 == 3
                account_id = account_of(k)
                return {
                    **item,
                    "claim_id": k,
                    "account_id": account_id,
                    "owner_id": owner_of[account_id],
                    "status": DenialStatus.CLOSED if closed else DenialStatus.OPEN,
                    "outcome": CLOSED_OUTCOMES[k % len(CLOSED_OUTCOMES)] if closed else None,
                    "source": DenialSource.REMITTANCE,
                    "payer_name": payer,
                    "payer_claim_number": f"ICN{k:011d}",
                    "group_code": group,
                    "carc": carc,
                    "codes": f"{group}-{carc} {remark}".strip() + (" PR-1" if k % 5 == 0 else ""),
                    "denied_cents": denied,
                    "patient_cents": 1_500 if k % 5 == 0 else 0,
                    "remit_date": remit,
                    "scenario": scenario,
                    "category": category,
                    "appeal_deadline": deadlines.appeal,
                    "corrected_claim_deadline": deadlines.corrected_claim,
                    "response_due": answer,
                    "priority_score": priority.score,
                    "priority_breakdown": priority.breakdown_json(),
                    "opened_at": datetime.combine(remit, datetime.min.time(), UTC) + timedelta(hours=6),
                    "worked_at": NOW - timedelta(days=k % 30) if worked or closed else None,
                    "claimed_by_id": owner_of[account_id] if claimed else None,
                    # half the leases still held, half left by a closed workstation (expired)
                    "claimed_until": (
                        NOW + timedelta(minutes=10) if k % 40 == 3 else NOW - timedelta(hours=2)
                    )
                    if claimed
                    else None,
                    "closed_at": NOW - timedelta(days=k % 60) if closed else None,
                    "recovered_cents": denied if closed and k % 4 == 0 else 0,
                    "updated_at": NOW - timedelta(days=k % 60),
                }

            _insert(db, DENIAL_ITEM_T, (item_row(k) for k in range(1, items + 1)), items, started)
        with db.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        db.close()
    return {
        "accounts": accounts,
        "collectors": COLLECTORS,
        "payers": len(PAYERS),
        "open_items": open_items,
        "closed_items": closed_items,
        "build_seconds": round(time.perf_counter() - started, 2),
    }


def _actor(db: Database, login: str) -> Actor:
    c = COLLECTOR_T.c
    with db.reading() as session:
        row = session.execute(select(c.id, c.login, c.role).where(c.login == login)).one()
    return Actor(row.login, row.id, row.role)


def _moments(db: Database, actor: Actor) -> dict[str, Any]:
    reads: dict[str, Any] = {}
    plans: dict[str, Any] = {}

    def page(limit: int, after: Any = None) -> Any:
        return worklist_page(db, actor, now=NOW, limit=limit, after=after)

    reads["worklist_page_first_50"], first50 = _timed(lambda: page(50))
    reads["worklist_page_first_200"], first = _timed(lambda: page(200))
    cursor = first.next_cursor
    reads["worklist_page_next_200"], following = _timed(lambda: page(200, cursor))
    reads["worklist_groups"], groups = _timed(lambda: worklist_groups(db, actor))

    def release(item: int | None) -> None:
        if item is not None:
            release_denial(db, actor, item)

    def claim_and_release() -> None:
        release(claim_next_denial(db, actor, NOW))

    reads["claim_next_denial"], _ = _timed(lambda: claim_next_denial(db, actor, NOW), after=release)
    release_times = []
    for _ in range(REPEATS):
        claimed = claim_next_denial(db, actor, NOW)
        started = time.perf_counter()
        release(claimed)
        release_times.append((time.perf_counter() - started) * 1000)
    release_ms = {
        "best_ms": round(min(release_times), 2),
        "median_ms": round(statistics.median(release_times), 2),
    }
    top = first.rows[0].id
    call = PayerCall(representative="Bench Rep", said="will reprocess with the records", reference="REF123")
    writes = {"log_payer_call": _timed(lambda: log_payer_call(db, actor, top, call, now=NOW))[0]}
    writes["release_denial"] = release_ms
    reads["denial_detail"], detail = _timed(lambda: denial_detail(db, actor, top, now=NOW))
    plans["worklist_page_first_200"] = _plans_of(db, lambda: page(200))
    plans["worklist_page_next_200"] = _plans_of(db, lambda: page(200, cursor))
    plans["worklist_groups"] = _plans_of(db, lambda: worklist_groups(db, actor))
    plans["claim_next_denial"] = _plans_of(db, claim_and_release)
    plans["denial_detail"] = _plans_of(db, lambda: denial_detail(db, actor, top, now=NOW))
    return {
        "now": NOW.isoformat(),
        "collector": actor.login,
        "open_items_of_collector": sum(g.items for g in groups),
        "groups": len(groups),
        "rows": {
            "first_50": len(first50.rows),
            "first_200": len(first.rows),
            "next_200": len(following.rows),
        },
        "actions_on_detail_item": len(detail.actions),
        "reads": reads,
        "writes": writes,
        "query_plans": plans,
    }


def _rescore(db: Database, open_items: int) -> list[dict[str, Any]]:
    nights = []
    for night in range(NIGHTS):
        at = NIGHTLY + timedelta(days=night)
        started = time.perf_counter()
        changed = refresh_denial_items(db.writing, at)
        seconds = time.perf_counter() - started
        print(f"  refresh_denial_items {at.date()}: {changed:,} of {open_items:,} changed in {seconds:.2f} s")
        nights.append(
            {
                "now": at.isoformat(),
                "seconds": round(seconds, 2),
                "open_items": open_items,
                "changed": changed,
                "items_per_second": round(open_items / seconds),
            }
        )
    return nights


def _report(moments: dict[str, Any], nights: list[dict[str, Any]]) -> None:
    goal = TARGETS["read_ms"]
    print(f"  {'':28}{'best ms':>10}{'median ms':>11}  goal")
    for name, timing in moments["reads"].items():
        verdict = "ok" if timing["median_ms"] < goal else "SLOW"  # the stricter of the two
        print(f"  {name:28}{timing['best_ms']:>10}{timing['median_ms']:>11}  <{goal} {verdict}")
    for name, timing in moments["writes"].items():
        print(f"  {name:28}{timing['best_ms']:>10}{timing['median_ms']:>11}  (write)")
    best = max(nights, key=lambda n: n["items_per_second"])
    rate = f"{best['items_per_second']:,} items/s"
    print(f"  {'nightly rescore':28}{best['seconds'] * 1000:>10.0f}{'':>11}  {rate}")


def _run(folder: Path, open_items: int) -> dict[str, Any]:
    path = folder / f"worklist-{open_items}.db"
    built = _build(path, open_items, max(ACCOUNTS, 1))
    print(
        f"built {open_items:,} open items over {built['accounts']:,} accounts in {built['build_seconds']} s"
    )
    db = open_database(f"sqlite:///{path}")
    try:
        actor = _actor(db, LOGIN)
        moments = _moments(db, actor)
        nights = _rescore(db, open_items)
        _report(moments, nights)
    finally:
        db.close()
    return {
        **built,
        "database_mb": round(path.stat().st_size / 1e6, 1),
        "moments": moments,
        "nightly_rescore": nights,
    }


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="collector-bench-") as folder:
        runs = [_run(Path(folder), size) for size in SIZES]
    for run in runs:
        print(f"query plans at {run['open_items']:,} open items:")
        for name, plans in run["moments"]["query_plans"].items():
            for entry in plans:
                print(f"  {name}:")
                print("\n".join("    " + line for line in entry["plan"]))
    record("worklist_speed", {"targets": TARGETS, "runs": runs})
