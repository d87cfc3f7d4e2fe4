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
from collector_tui.cli.options import acting_session
from collector_tui.cli.output import say, utc_timestamp

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


def verdict_document(found: Any) -> dict[str, Any]:
    """The verdict as the documented JSON object (``collector.compliance/1``), with the digest of the
    compliance policy in force (the office's, which the verdict was made under)."""
    from collector_tui.domain.compliance.clock import zone
    from collector_tui.services.law.policy import COMPLIANCE, current_digest

    verdict = found.verdict

    def blocks(items: Any) -> list[dict[str, Any]]:
        return [
            {"rule": b.rule_id, "reason": b.reason, "citation": b.citation, "until": utc_timestamp(b.until)}
            for b in items
        ]

    return {
        "schema": SCHEMA,
        "account": {
            "id": found.account_id,
            "facility": found.facility_code,
            "account_number": found.account_number,
        },
        "at": utc_timestamp(verdict.at),
        "policy_version": verdict.policy_version,
        "policy_digest": current_digest(COMPLIANCE),
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
                "text": {"allowed": p.textable, "blocks": blocks(p.text_blocks)},
            }
            for p in verdict.phones
        ],
        "email": {"allowed": not verdict.email_blocks, "blocks": blocks(verdict.email_blocks)},
        "actions": {
            name: {
                "allowed": action.allowed,
                "blocks": blocks(action.blocks),
                "conditions": blocks(action.conditions),
            }
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
    from rich.markup import escape
    from rich.table import Table

    console = Console(highlight=False)
    account = document["account"]
    verdict = "callable now" if document["callable_now"] else "not callable now"
    console.print(
        f"[bold]{escape(account['facility'])} {escape(account['account_number'])}[/] at {document['at']}: "
        f"{verdict} (policy {escape(document['policy_version'])})"
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
                f"[red]{escape(block['reason'])}[/] ({escape(block['citation'] or '')}; "
                f"{_lifts(block['until'], phone['zones'])})",
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
        for condition in action["conditions"]:
            actions.add_row(label, f"[yellow]only if: {condition['reason']}[/] ({condition['citation']})")
        for block in action["blocks"]:
            actions.add_row(
                escape(label),
                f"[red]{escape(block['reason'])}[/] ({escape(block['citation'] or '')}; "
                f"{_lifts(block['until'], home)})",
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
    citation and when it lifts. Exit 0 shown, 1 error or no such account (or one you may not open)."""
    moment = parse_since(at) if at else datetime.now(UTC)
    with acting_session(ctx) as (db, me):
        found = _viewed_verdict(db, me, account_number, facility, moment)
    document = verdict_document(found)
    if as_json:
        say(json.dumps(document, indent=2))
    else:
        _print(document)


def _viewed_verdict(db: Any, me: Any, account_number: str, facility: str | None, moment: datetime) -> Any:
    """The verdict for an account ``me`` may open, recorded as an ``account.view`` like every
    account read (``services/desk/accounts.py``); any other account gets the answer for a number that
    does not exist (``services/desk/lookup.py``), so a refusal tells nothing about it."""
    from collector_tui.services import audit
    from collector_tui.services.desk.lookup import account_by_number
    from collector_tui.services.law.compliance import verdict_for_account
    from collector_tui.services.team.permissions import Permission, can, require_account_view

    not_found = "no such account" + (f" at facility {facility}" if facility else "")
    with db.reading() as session:
        account_id, _ = account_by_number(
            session, account_number, facility, name_facilities=can(me, Permission.VIEW_ANY_ACCOUNT)
        )
        owner = require_account_view(session, me, account_id, refusal=not_found)
        found = verdict_for_account(session, account_number, moment, facility_code=facility)
    with db.writing() as session:
        audit.record(
            session,
            me,
            "account.view",
            "account",
            [found.account_id],
            at=datetime.now(UTC),
            details={"owner_id": owner},
        )
    return found


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
    """Rescore every open account for the queue, and the open denial items for their worklists
    (the nightly run: operators and admins). Exit 0 done, 1 error or refused."""
    from collector_tui.services.bulk import rare_collections
    from collector_tui.services.desk.account_state import (
        call_state_due,
        refresh_all_accounts,
        refresh_denial_items,
    )
    from collector_tui.services.team.identity import nightly_job_actor
    from collector_tui.services.team.permissions import Permission

    moment = parse_since(at) if at else datetime.now(UTC)
    with acting_session(ctx, nightly=Permission.RUN_NIGHTLY, bulk=True) as (db, me):
        with db.reading() as session:
            why = "--call-state" if call_state else call_state_due(session, moment)
        with rare_collections():
            seen = refresh_all_accounts(
                db.writing,
                moment,
                actor=nightly_job_actor(me),
                call_state=why is not None,
                record=at is None,
            )
        # Their own short transaction: the deadlines of open denial items come nearer each day.
        rescored = refresh_denial_items(db.writing, moment, actor=nightly_job_actor(me))
    accounts = f"{seen:,} open account{'' if seen == 1 else 's'}"
    if why is None:
        say(f"priority recomputed for {accounts}")
    else:
        say(f"priority and call state recomputed for {accounts} ({why})")
    say(f"denial items rescored: {rescored:,} changed")
