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
        "denials": _denials(found.denials),
    }


def _denials(found: Any) -> dict[str, Any]:
    """The period's denial results, team-wide (``docs/stats.md``)."""
    return {
        "opened": found.opened,
        "opened_cents": found.opened_cents,
        "worked": found.worked,
        "overturned": found.overturned,
        "recovered_cents": found.recovered_cents,
        "written_off_cents": found.written_off_cents,
        "by_carc": [{"carc": c.key, "items": c.items, "denied_cents": c.denied_cents} for c in found.by_carc],
        "by_payer": [
            {"payer": c.key, "items": c.items, "denied_cents": c.denied_cents} for c in found.by_payer
        ],
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
    top: Annotated[
        int, typer.Option("--top", min=1, max=1000, help="Denial reasons and payers listed, the most first.")
    ] = 10,
    as_json: Annotated[bool, typer.Option("--json", help="Print the documented JSON.")] = False,
) -> None:
    """Team results: per collector and for the team (supervisors and admins). Exit 0, or 1 refused."""
    from collector_tui.services.worklists.team_stats import team_stats

    start: datetime | date | None = None
    if since:
        # A bare date is the office's day (its midnight in office.time_zone), as "today" is.
        start = date.fromisoformat(since) if _is_date(since) else parse_since(since)
    with acting_session(ctx) as (db, me):
        found = team_stats(db, me, now=datetime.now(UTC), since=start, login=user, denial_top=top)
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
    _print_denials(console, document)


DENIAL_COLUMNS = (
    ("login", "Collector"),
    ("denials_opened", "Denials opened"),
    ("denials_worked", "Worked"),
    ("denials_overturned", "Overturned"),
    ("denials_recovered_cents", "Recovered"),
    ("denials_written_off_cents", "Written off"),
)


def _print_denials(console: Any, document: dict[str, Any]) -> None:
    from rich.markup import escape
    from rich.table import Table

    from collector_tui.domain.money import format_cents

    table = Table(title="Denials", title_justify="left")
    for key, header in DENIAL_COLUMNS:
        table.add_column(header, justify="left" if key == "login" else "right", no_wrap=True)
    for row in [*document["collectors"], document["team"]]:
        table.add_row(*(escape(_cell(key, row)) for key, _ in DENIAL_COLUMNS))
    console.print(table)
    denials = document["denials"]
    for title, part, key in (("By reason", "by_carc", "carc"), ("By payer", "by_payer", "payer")):
        if not denials[part]:
            continue
        top = Table(
            "Reason" if key == "carc" else "Payer", "Items", "Denied", title=title, title_justify="left"
        )
        for count in denials[part]:
            top.add_row(escape(count[key]), f"{count['items']:,}", format_cents(count["denied_cents"]))
        console.print(top)
