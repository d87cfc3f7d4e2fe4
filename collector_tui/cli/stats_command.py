"""``collector stats``: the team screen's numbers for scripts (supervisors and admins)."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import UTC, date, datetime
from typing import Annotated, Any

import typer

from collector_tui.cli.export_command import parse_since
from collector_tui.cli.options import acting_session
from collector_tui.cli.output import say, utc_timestamp

SCHEMA = "collector.stats/1"
COLUMNS = (
    ("login", "Collector"),
    ("accounts", "Accounts"),
    ("balance_cents", "Balance"),
    ("callable_now", "Callable"),
    ("worked", "Worked"),
    ("attempts", "Attempts"),
    ("right_party", "RPC"),
    ("promises", "Promises"),
    ("promised_cents", "Promised"),
    ("kept_percent", "Kept %"),
    ("plans", "Plans"),
    ("collected_cents", "Collected"),
    ("collected_month_cents", "Month to date"),
    ("callbacks", "Callbacks done/due"),
    ("promises_today", "Promises done/due"),
)


def _row(row: Any) -> dict[str, Any]:
    values = asdict(row)
    kept = row.kept_percent
    values["kept_percent"] = None if kept is None else round(kept, 1)
    return values


def stats_document(found: Any) -> dict[str, Any]:
    return {
        "schema": SCHEMA,
        "at": utc_timestamp(found.at),
        "since": utc_timestamp(found.since),
        "month_start": utc_timestamp(found.month_start),
        "time_zone": found.time_zone,
        "today": found.today.isoformat() if found.today else None,
        "collectors": [_row(row) for row in found.rows],
        "team": _row(found.total),
        "collected_by_day": [
            {"day": day.isoformat(), "cents": cents} for day, cents in found.collected_by_day
        ],
        "aging": [{"bucket": b, "accounts": n, "balance_cents": cents} for b, n, cents in found.aging],
    }


def stats(
    ctx: typer.Context,
    since: Annotated[
        str | None,
        typer.Option(
            "--since", help="Count work since this date (office time) or timestamp (default today)."
        ),
    ] = None,
    user: Annotated[str | None, typer.Option("--user", help="Only this collector's row.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the documented JSON.")] = False,
) -> None:
    """Team results: per collector and for the team (supervisors and admins). Exit 0, or 1 refused."""
    from collector_tui.services.worklists.team_stats import team_stats

    start: datetime | date | None = None
    if since:
        # A bare date is the office's day (its midnight in office.time_zone), as "today" is.
        start = date.fromisoformat(since) if _is_date(since) else parse_since(since)
    with acting_session(ctx) as (db, me):
        found = team_stats(db, me, now=datetime.now(UTC), since=start, login=user)
    document = stats_document(found)
    if as_json:
        say(json.dumps(document, indent=2))
    else:
        _print(document)


def _is_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _cell(key: str, row: dict[str, Any]) -> str:
    from collector_tui.domain.money import format_cents

    if key == "callbacks":
        return f"{row['callbacks_done']:,}/{row['callbacks_due']:,}"
    if key == "promises_today":
        return f"{row['promises_done']:,}/{row['promises_due']:,}"
    value = row[key]
    if value is None:
        return "-"
    if key.endswith("_cents"):
        return format_cents(int(value))
    if key == "kept_percent":
        return f"{value:.0f}%"
    return f"{value:,}" if isinstance(value, int) else str(value)


def _print(document: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    day = f"office day {document['today']}, {document['time_zone']}"
    title = f"Team results since {document['since']} ({day})"
    table = Table(title=title, title_justify="left")
    for key, header in COLUMNS:
        table.add_column(header, justify="left" if key == "login" else "right", no_wrap=True)
    for row in [*document["collectors"], document["team"]]:
        table.add_row(*(escape(_cell(key, row)) for key, _ in COLUMNS))
    console = Console(highlight=False)
    console.width = max(console.width, 190)  # fifteen columns: never squeezed into cut-off cells
    console.print(table)
