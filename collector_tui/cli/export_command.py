"""``collector export KIND``: the day's work back to the billing system (CSV or JSON lines)."""

from __future__ import annotations

import sys
from datetime import UTC, date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from collector_tui.cli.options import acting_session
from collector_tui.cli.output import fail, say


class Kind(StrEnum):
    activities = "activities"
    promises = "promises"
    plans = "plans"
    transactions = "transactions"
    accounts = "accounts"
    denials = "denials"
    appeals = "appeals"
    postings = "postings"
    billing_tasks = "billing-tasks"


class Format(StrEnum):
    csv = "csv"
    jsonl = "jsonl"


def parse_since(text: str) -> datetime:
    """``2026-11-27`` (midnight UTC) or a timestamp with an offset (``2026-11-27T18:00:00-05:00``)."""
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            return datetime(day.year, day.month, day.day, tzinfo=UTC)
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise typer.BadParameter("use YYYY-MM-DD or an ISO timestamp with an offset") from None
    if moment.tzinfo is None:
        raise typer.BadParameter("a timestamp needs an offset, e.g. 2026-11-27T18:00:00-05:00")
    return moment.astimezone(UTC)


def export(
    ctx: typer.Context,
    kind: Annotated[Kind, typer.Argument(help="What to export.")],
    since: Annotated[
        str | None,
        typer.Option("--since", help="Rows written since this date or timestamp (UTC unless offset)."),
    ] = None,
    since_last: Annotated[
        bool,
        typer.Option("--since-last", help="Rows since the last complete --since-last export of this kind."),
    ] = False,
    fmt: Annotated[Format, typer.Option("--format", help="csv or jsonl.")] = Format.csv,
    out: Annotated[
        Path | None, typer.Option("--out", help="File to write (atomically, owner-only); default stdout.")
    ] = None,
) -> None:
    """Export activities, promises, plans, transactions, accounts, denials, appeals, postings or
    billing tasks (operators, i.e. the nightly job's service account, supervisors and admins).
    Exit 0 done, 1 error or refused."""
    from collector_tui.services.files.exports import export as run_export
    from collector_tui.services.team.permissions import Permission

    if since and since_last:
        fail("use --since or --since-last, not both")
    start = parse_since(since) if since else None
    # Your login's user, who must be an operator, a supervisor or an admin (a collector, or a
    # login that is no user of the database, is refused before anything is read).
    with acting_session(ctx, nightly=Permission.EXPORT) as (db, me):
        result = run_export(
            db,
            kind.value,
            actor=me,
            now=datetime.now(UTC),
            fmt=fmt.value,
            out=out,
            stdout=None if out else sys.stdout,
            since=start,
            since_last=since_last,
        )
    if out is not None and sys.stderr.isatty():
        say(f"{result.kind}: {result.rows:,} rows written to {out}")
