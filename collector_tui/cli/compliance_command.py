"""``collector compliance ACCOUNT_NUMBER``: may this account be called or acted on now, and why not.

``--json`` prints the verdict in a documented, stable shape (schema
``collector.compliance/1``, see ``docs/compliance.md``) for other tools.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated, Any

import typer

from collector_tui.cli.export_command import parse_since
from collector_tui.cli.options import database_setting, global_act_as
from collector_tui.cli.output import fail, say
from collector_tui.services.errors import ServiceError

SCHEMA = "collector.compliance/1"
ACTION_LABELS = {
    "call": "Outbound call",
    "voicemail": "Voicemail",
    "letter": "Letter",
    "email_text": "Email or text",
    "credit_reporting": "Credit reporting",
    "agency_placement": "Placement with an outside agency",
    "sale": "Sale of the debt",
    "legal_action": "Legal action",
}


def _stamp(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def verdict_document(found: Any) -> dict[str, Any]:
    """The verdict as the documented JSON object (``collector.compliance/1``)."""
    from collector_tui.domain.compliance.clock import zone

    verdict = found.verdict

    def blocks(items: Any) -> list[dict[str, Any]]:
        return [
            {"rule": b.rule_id, "reason": b.reason, "citation": b.citation, "until": _stamp(b.until)}
            for b in items
        ]

    return {
        "schema": SCHEMA,
        "account": {
            "id": found.account_id,
            "facility": found.facility_code,
            "account_number": found.account_number,
        },
        "at": _stamp(verdict.at),
        "policy_version": verdict.policy_version,
        "home_zone": verdict.home_zone,
        "callable_now": verdict.callable_now,
        "phones": [
            {
                "phone_id": p.phone_id,
                "last4": p.last4,
                "zones": list(p.zones),
                "local_times": {z: verdict.at.astimezone(zone(z)).strftime("%H:%M %Z") for z in p.zones},
                "allowed": p.allowed,
                "blocks": blocks(p.blocks),
            }
            for p in verdict.phones
        ],
        "actions": {
            name: {"allowed": action.allowed, "blocks": blocks(action.blocks)}
            for name, action in verdict.actions.items()
        },
    }


def _lifts(until: str | None, zones: list[str]) -> str:
    if until is None:
        return "until resolved"
    from collector_tui.domain.compliance.clock import zone

    moment = datetime.fromisoformat(until.replace("Z", "+00:00"))
    if zones:
        local = moment.astimezone(zone(zones[0]))
        return f"lifts {local:%a %b %d %H:%M %Z}"
    return f"lifts {moment:%a %b %d %H:%M} UTC"


def _print(document: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(highlight=False)
    account = document["account"]
    verdict = "callable now" if document["callable_now"] else "not callable now"
    console.print(
        f"[bold]{account['facility']} {account['account_number']}[/] at {document['at']}: {verdict} "
        f"(policy {document['policy_version']})"
    )
    phones = Table("Phone", "Local time", "Verdict", title="Phones", title_justify="left", expand=False)
    for phone in document["phones"]:
        local = ", ".join(sorted(set(phone["local_times"].values())))
        if phone["allowed"]:
            phones.add_row(f"...{phone['last4']}", local, "[green]may call[/]")
        for block in phone["blocks"]:
            phones.add_row(
                f"...{phone['last4']}",
                local,
                f"[red]{block['reason']}[/] ({block['citation']}; {_lifts(block['until'], phone['zones'])})",
            )
    if not document["phones"]:
        phones.add_row("-", "-", "no phone on file")
    console.print(phones)
    home: list[str] = [document["home_zone"]]
    actions = Table("Action", "Verdict", title="Actions", title_justify="left")
    for name, action in document["actions"].items():
        label = ACTION_LABELS.get(name, name)
        if action["allowed"]:
            actions.add_row(label, "[green]allowed[/]")
        for block in action["blocks"]:
            actions.add_row(
                label, f"[red]{block['reason']}[/] ({block['citation']}; {_lifts(block['until'], home)})"
            )
    console.print(actions)


def compliance(
    ctx: typer.Context,
    account_number: Annotated[str, typer.Argument(help="The billing system's account number.")],
    facility: Annotated[
        str | None, typer.Option("--facility", help="Facility code, when the number is at several.")
    ] = None,
    at: Annotated[
        str | None,
        typer.Option(
            "--at", help="Evaluate at this moment (ISO-8601 with an offset, or a date); default now."
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the documented JSON verdict.")] = False,
) -> None:
    """Show whether each phone may be called and each action taken, with every block, its rule,
    citation and when it lifts. Exit 0 shown, 1 error or no such account."""
    from collector_tui.services.compliance import verdict_for_account
    from collector_tui.services.database import open_database
    from collector_tui.services.identity import resolve_actor

    moment = parse_since(at) if at else datetime.now(UTC)
    try:
        db = open_database(database_setting(ctx).url)
    except ServiceError as exc:
        fail(str(exc), exc.exit_code)
    try:
        resolve_actor(db, act_as=global_act_as(ctx))  # only users of this database may look
        with db.reading() as session:
            found = verdict_for_account(session, account_number, moment, facility_code=facility)
    except ServiceError as exc:
        fail(str(exc), exc.exit_code)
    finally:
        db.close()
    document = verdict_document(found)
    if as_json:
        say(json.dumps(document, indent=2))
    else:
        _print(document)


def refresh(
    ctx: typer.Context,
    at: Annotated[
        str | None, typer.Option("--at", help="Recompute as of this moment (ISO-8601); default now.")
    ] = None,
    call_state: Annotated[
        bool,
        typer.Option(
            "--call-state",
            help="Also recompute who may be called, whether or not it is due "
            "(it is by itself after a policy change or when a rule takes effect).",
        ),
    ] = False,
) -> None:
    """Rescore every open account for the queue (the nightly run). Exit 0 done, 1 error."""
    from collector_tui.services.account_state import call_state_due, refresh_all_accounts
    from collector_tui.services.bulk import rare_collections
    from collector_tui.services.database import open_database

    moment = parse_since(at) if at else datetime.now(UTC)
    try:
        db = open_database(database_setting(ctx).url, bulk=True)
    except ServiceError as exc:
        fail(str(exc), exc.exit_code)
    try:
        with db.reading() as session:
            why = "--call-state" if call_state else call_state_due(session, moment)
        with rare_collections():
            seen = refresh_all_accounts(db.writing, moment, call_state=why is not None, record=at is None)
    except ServiceError as exc:
        fail(str(exc), exc.exit_code)
    finally:
        db.close()
    accounts = f"{seen:,} open account{'' if seen == 1 else 's'}"
    if why is None:
        say(f"priority recomputed for {accounts}")
    else:
        say(f"priority and call state recomputed for {accounts} ({why})")
