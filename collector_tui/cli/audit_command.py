"""``collector audit``: read the HIPAA access log (supervisors and admins only).

``--json`` prints the events in a documented, stable shape (schema
``collector.audit/1``, see ``docs/audit.md``) for other tools.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Annotated, Any

import typer

from collector_tui.cli.export_command import parse_since
from collector_tui.cli.options import acting_session
from collector_tui.cli.output import fail, say, utc_timestamp

SCHEMA = "collector.audit/1"


def audit_document(entries: Sequence[Any], more: bool) -> dict[str, Any]:
    """The events as the documented JSON object (``collector.audit/1``), newest first."""
    return {
        "schema": SCHEMA,
        "events": [
            {
                "id": entry.id,
                "occurred_at": utc_timestamp(entry.occurred_at),
                "actor": entry.actor,
                "acting_as": entry.acting_as,
                "action": entry.action,
                "entity_type": entry.entity_type,
                "entity_id": entry.entity_id,
                "facility": entry.facility_code,
                "account_number": entry.account_number,
                "details": dict(entry.details),
                "named": dict(entry.named),
            }
            for entry in entries
        ],
        "more": more,
    }


def audit(
    ctx: typer.Context,
    account: Annotated[
        str | None, typer.Option("--account", help="Only this account's events (its account number).")
    ] = None,
    facility: Annotated[
        str | None, typer.Option("--facility", help="Facility code, when the number is at several.")
    ] = None,
    user: Annotated[
        str | None, typer.Option("--user", help="Only events by this login, or done as this login.")
    ] = None,
    since: Annotated[
        str | None,
        typer.Option("--since", help="Events at or after this date or timestamp (UTC unless offset)."),
    ] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=10_000, help="At most this many events.")] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="Print the documented JSON.")] = False,
) -> None:
    """Show who opened or changed what, and when, newest first (supervisors and admins).
    Exit 0 shown, 1 error, refused or no such account."""
    from collector_tui.services.team.audit_log import audit_account_id, audit_events
    from collector_tui.services.team.permissions import Permission

    if facility and not account:
        fail("--facility goes with --account")
    moment = parse_since(since) if since else None
    with acting_session(ctx, needs=Permission.READ_AUDIT_LOG) as (db, me):
        account_id = audit_account_id(db, me, account, facility) if account else None
        page = audit_events(db, me, account_id=account_id, login=user, since=moment, limit=limit)
    document = audit_document(page.entries, more=page.next_cursor is not None)
    if as_json:
        say(json.dumps(document, indent=2))
    else:
        _print(document)


def _who(event: dict[str, Any]) -> str:
    return event["actor"] if event["acting_as"] is None else f"{event['actor']} as {event['acting_as']}"


def _entity(event: dict[str, Any]) -> str:
    if event["account_number"] is not None:
        return f"{event['facility']} {event['account_number']}"
    if event["entity_id"] is None:
        return f"{event['entity_type']} (all)"
    if "entity" in event["named"]:
        return f"{event['entity_type']} {event['named']['entity']}"
    return f"{event['entity_type']} {event['entity_id']}"


def _detail(key: str, value: Any, named: dict[str, str]) -> str:
    """One detail for a person: a user's id as their login (``owner=mlopez``), a phone's as its last
    four digits (``phone=…0124``)."""
    if key in named:
        return f"{key.removesuffix('_id')}={named[key]}"
    return f"{key}={value}"


def _print(document: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    console = Console(highlight=False)
    events = document["events"]
    if not events:
        console.print("no audit events match")
        return
    table = Table(title="Audit log", title_justify="left")
    for header in ("When (UTC)", "Who", "Action", "Entity"):
        table.add_column(header, no_wrap=True)
    table.add_column("Details", overflow="fold")
    for event in events:
        details = ", ".join(_detail(key, value, event["named"]) for key, value in event["details"].items())
        when = event["occurred_at"].replace("T", " ").removesuffix("Z")
        cells = (when, _who(event), event["action"], _entity(event), details)
        table.add_row(*(escape(cell) for cell in cells))
    console.print(table)
    shown = f"{len(events):,} events, newest first"
    console.print(
        shown + ("; more are older: raise --limit or narrow with --since" if document["more"] else "")
    )
