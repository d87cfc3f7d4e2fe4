"""``collector queue``: the queue the workstation shows, in the same order, for scripts and supervisors."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated, Any

import typer

from collector_tui.cli.export_command import parse_since
from collector_tui.cli.options import database_setting, global_act_as
from collector_tui.cli.output import say, utc_timestamp

SCHEMA = "collector.queue/1"


def queue_document(pages: list[Any], totals: dict[str, int], login: str, at: datetime) -> dict[str, Any]:
    return {
        "schema": SCHEMA,
        "user": login,
        "at": utc_timestamp(at),
        "sections": [
            {
                "section": page.section,
                "total": totals.get(page.section, 0),
                "rows": [
                    {
                        "account_id": row.id,
                        "facility": row.facility_code,
                        "account_number": row.account_number,
                        "balance_cents": row.balance_cents,
                        "age_bucket": row.age_bucket,
                        "points": row.points,
                        "tier": row.tier,
                        "callable_now": row.callable_now,
                        "reason": row.reason,
                        "rule": row.rule,
                        "callable_at": utc_timestamp(row.callable_at),
                        "local_time": row.local_time,
                        "last_contact_at": utc_timestamp(row.last_contact_at),
                        "factors": [
                            {"name": f.name, "value": f.value, "points": f.points} for f in row.factors
                        ],
                    }
                    for row in page.rows
                ],
            }
            for page in pages
        ],
    }


def queue(
    ctx: typer.Context,
    user: Annotated[
        str | None, typer.Option("--user", help="Whose queue (supervisors and admins); default your own.")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=10_000, help="Rows per section.")] = 20,
    at: Annotated[str | None, typer.Option("--at", help="As of this moment (ISO-8601); default now.")] = None,
    explain: Annotated[bool, typer.Option("--explain", help="Show each row's priority factors.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the documented JSON.")] = False,
) -> None:
    """Print a collector's queue: whom to call now, later (and why), and on hold. Exit 0 shown, 1 error."""
    from collector_tui.services.database import open_database
    from collector_tui.services.team.identity import actor_for_queue, resolve_actor
    from collector_tui.services.worklists.queue import SECTIONS, QueueFilter, queue_page, section_totals

    moment = parse_since(at) if at else datetime.now(UTC)
    db = open_database(database_setting(ctx).url)  # a refusal: the boundary's one line and code
    try:
        me = resolve_actor(db, act_as=global_act_as(ctx))
        whose = actor_for_queue(db, me, user)
        pages = [
            queue_page(db, whose, now=moment, chosen=QueueFilter(section=s), limit=limit) for s in SECTIONS
        ]
        totals = section_totals(db, whose, moment)
    finally:
        db.close()
    document = queue_document(pages, totals, whose.login, moment)
    if as_json:
        say(json.dumps(document, indent=2))
    else:
        _print(document, explain)


def _print(document: dict[str, Any], explain: bool) -> None:
    from rich.console import Console
    from rich.markup import escape

    from collector_tui.domain.money import format_cents
    from collector_tui.services.worklists.queue import SECTION_TITLES

    console = Console(highlight=False)
    console.print(f"[bold]Queue of {escape(document['user'])}[/] at {document['at']}")
    for section in document["sections"]:
        console.print(f"\n[bold]{SECTION_TITLES[section['section']]}[/] ({section['total']:,})")
        if not section["rows"]:
            console.print("  (none)")
        for n, row in enumerate(section["rows"], start=1):
            console.print(
                f"{n:>4}. {escape(row['facility'])} {escape(row['account_number'])}  "
                f"{format_cents(row['balance_cents']):>12}  {row['age_bucket']:<6}  "
                f"{row['points']:>4} pts  local {row['local_time']}"
            )
            if row["reason"]:
                when = f"; callable {row['callable_at']}" if row["callable_at"] else ""
                console.print(f"      [red]not now:[/] {escape(row['reason'])}{when}")
            if explain:
                factors = " · ".join(f"{f['name']} {f['value']} = {f['points']}" for f in row["factors"])
                console.print(f"      [dim]{escape(factors)}[/]")
