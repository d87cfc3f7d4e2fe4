"""``collector stats``: the team screen's numbers for scripts (supervisors and admins)."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import UTC, datetime
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
        typer.Option("--since", help="Count work since this date or timestamp (default: today, UTC)."),
    ] = None,
    user: Annotated[str | None, typer.Option("--user", help="Only this collector's row.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the documented JSON.")] = False,
) -> None:
    """Team results: per collector and for the team (supervisors and admins). Exit 0, or 1 refused."""
    from collector_tui.services.worklists.team_stats import team_stats

    start = parse_since(since) if since else None
    with acting_session(ctx) as (db, me):
        found = team_stats(db, me, now=datetime.now(UTC), since=start, login=user)
    document = stats_document(found)
    if as_json:
        say(json.dumps(document, indent=2))
    else:
        _print(document)


def _cell(key: str, value: Any) -> str:
    from collector_tui.domain.money import format_cents

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

    table = Table(title=f"Team results since {document['since']}", title_justify="left")
    for key, header in COLUMNS:
        table.add_column(header, justify="left" if key == "login" else "right", no_wrap=True)
    for row in [*document["collectors"], document["team"]]:
        table.add_row(*(escape(_cell(key, row[key])) for key, _ in COLUMNS))
    console = Console(highlight=False)
    console.width = max(console.width, 150)  # thirteen columns: never squeezed into cut-off cells
    console.print(table)
