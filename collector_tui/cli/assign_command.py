"""``collector assign``: move accounts to one collector or balance them across several (supervisors).

Always a preview first: how many accounts and how much money move from whom to whom, and what
each collector holds after; then a confirmation (``--yes`` in scripts). ``--dry-run`` prints the
preview and changes nothing. ``--json`` prints the documented shape ``collector.assign/1``
(``docs/assign.md``).
"""

from __future__ import annotations

import json
from contextlib import suppress
from datetime import UTC, datetime
from typing import Annotated, Any

import typer

from collector_tui.cli.options import database_setting, global_act_as
from collector_tui.cli.output import fail, say, utc_timestamp

SCHEMA = "collector.assign/1"
SHOWN_CLAIMS = 10


def _cents(text: str | None, option: str) -> int | None:
    from collector_tui.domain.money import MoneyError, parse_money

    if text is None:
        return None
    try:
        return parse_money(text)
    except MoneyError as exc:
        fail(f"{option}: {exc}")


def _status(given: str | None, *, named_accounts: bool) -> str | None:
    """The status filter: open unless given, or any when accounts are named by number."""
    if given is None:
        return None if named_accounts else "open"
    return None if given == "any" else given


def _tally(tally: Any) -> dict[str, int]:
    return {"accounts": tally.accounts, "balance_cents": tally.balance_cents}


def assign_document(preview: Any, *, dry_run: bool, result: Any = None) -> dict[str, Any]:
    """The preview (and, once applied, the result) as the documented JSON (``collector.assign/1``)."""
    request, selection = preview.request, preview.request.selection
    claimed = result.claimed if result is not None else preview.claimed
    return {
        "schema": SCHEMA,
        "at": utc_timestamp(preview.at),
        "dry_run": dry_run,
        "applied": result is not None,
        "to": [caseload.login for caseload in preview.caseloads],
        "balance_by": request.balance_by,
        "filter": {
            "accounts": len(selection.account_ids),
            "from": selection.from_login,
            "status": selection.status or "any",
            "bucket": selection.age_bucket,
            "min_balance_cents": selection.min_balance_cents,
            "max_balance_cents": selection.max_balance_cents,
            "state": selection.state,
            "facility": selection.facility,
            "min_score": selection.min_score,
            "max_score": selection.max_score,
            "unassigned": selection.orphaned,
            "limit": selection.limit,
        },
        "matched": _tally(preview.matched),
        "moving": _tally(preview.moving),
        "staying": _tally(preview.staying),
        "unplaced": _tally(preview.unplaced),
        "flows": [
            {
                "from": flow.from_login,
                "from_active": flow.from_active,
                "to": flow.to_login,
                "accounts": flow.accounts,
                "balance_cents": flow.balance_cents,
            }
            for flow in preview.flows
        ],
        "caseloads": [
            {
                "login": load.login,
                "case_limit": load.case_limit,
                "before": _tally(load.before),
                "after": _tally(load.after),
            }
            for load in preview.caseloads
        ],
        "claimed": [
            {"account_id": claim.account_id, "claimed_by": claim.claimed_by, "to": claim.to_login}
            for claim in claimed
        ],
        "request_event_id": None if result is None else result.request_event_id,
    }


def assign(
    ctx: typer.Context,
    to: Annotated[
        str, typer.Option("--to", help="Who gets the accounts: a login, or several separated by commas.")
    ],
    from_login: Annotated[
        str | None, typer.Option("--from", help="Only accounts this login owns now.")
    ] = None,
    status: Annotated[
        str | None,
        typer.Option(
            "--status",
            help="Account status: open, paid, closed, recalled, or any (default open; with --account, any).",
        ),
    ] = None,
    bucket: Annotated[
        str | None, typer.Option("--bucket", help="Age bucket: 0-30, 31-60, 61-90, 91-120 or 120+.")
    ] = None,
    min_balance: Annotated[
        str | None, typer.Option("--min-balance", help="Balance at least this (dollars).")
    ] = None,
    max_balance: Annotated[
        str | None, typer.Option("--max-balance", help="Balance at most this (dollars).")
    ] = None,
    state: Annotated[str | None, typer.Option("--state", help="The guarantor's state (two letters).")] = None,
    facility: Annotated[str | None, typer.Option("--facility", help="Facility code.")] = None,
    min_score: Annotated[int | None, typer.Option("--min-score", help="Queue points at least this.")] = None,
    max_score: Annotated[int | None, typer.Option("--max-score", help="Queue points at most this.")] = None,
    unassigned: Annotated[
        bool,
        typer.Option(
            "--unassigned", help="Only accounts nobody works: assigned to nobody or to a deactivated user."
        ),
    ] = False,
    accounts: Annotated[
        list[str] | None,
        typer.Option("--account", help="This account number (repeat for several; --facility when needed)."),
    ] = None,
    limit: Annotated[
        int | None, typer.Option("--limit", min=1, help="At most this many accounts (the first by id).")
    ] = None,
    balance_by: Annotated[
        str, typer.Option("--balance-by", help="Balance several collectors by count or amount.")
    ] = "count",
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print the preview; change nothing.")] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Apply without asking (scripts).")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the documented JSON.")] = False,
) -> None:
    """Move accounts to a collector, or balance them across several (supervisors and admins).
    Shows the preview, then asks. Exit 0 moved, previewed or nothing to move; 1 refused or not confirmed."""
    from collector_tui.services.database import open_database
    from collector_tui.services.team.identity import resolve_actor
    from collector_tui.services.worklists.assignments import (
        AccountSelection,
        ReassignRequest,
        account_ids_by_number,
        apply_reassignment,
        preview_reassignment,
    )

    if balance_by not in ("count", "amount"):
        fail("--balance-by is count or amount")
    low, high = _cents(min_balance, "--min-balance"), _cents(max_balance, "--max-balance")
    db = open_database(database_setting(ctx).url)  # a refusal: the boundary's one line and code
    try:
        me = resolve_actor(db, act_as=global_act_as(ctx))
        ids = account_ids_by_number(db, me, accounts, facility) if accounts else ()
        selection = AccountSelection(
            account_ids=ids,
            from_login=from_login,
            status=_status(status, named_accounts=bool(accounts)),
            age_bucket=bucket,
            state=state,
            facility=facility,
            min_balance_cents=low,
            max_balance_cents=high,
            min_score=min_score,
            max_score=max_score,
            orphaned=unassigned,
            limit=limit,
        )
        request = ReassignRequest(tuple(to.split(",")), selection, balance_by)
        preview = preview_reassignment(db, me, request, now=datetime.now(UTC))
        if not as_json:
            _print_preview(preview)
        result = None
        if not dry_run and preview.moving.accounts and _confirmed(preview, yes):
            result = apply_reassignment(db, me, preview, now=datetime.now(UTC))
    finally:
        db.close()
    if as_json:
        say(json.dumps(assign_document(preview, dry_run=dry_run, result=result), indent=2))
    elif result is not None:
        _print_result(result)
    elif dry_run:
        say("dry run: nothing was changed")
    elif not preview.moving.accounts:
        say("nothing to move")


def _confirmed(preview: Any, yes: bool) -> bool:
    """Ask on the terminal (on stderr, so ``--json`` stays clean); refuse when nobody can answer."""
    from collector_tui.domain.money import format_cents

    if yes:
        return True
    question = f"Move {preview.moving.accounts:,} accounts ({format_cents(preview.moving.balance_cents)})?"
    with suppress(typer.Abort):  # no answer (end of input), or Ctrl+C at the prompt: not confirmed
        if typer.confirm(question, default=False, err=True):
            return True
    fail("not confirmed: nothing was moved (--yes applies without asking)")


def _print_preview(preview: Any) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    from collector_tui.domain.money import format_cents

    console = Console(highlight=False)
    if not preview.matched.accounts:
        console.print("no accounts match")
        return
    console.print(
        f"[bold]{preview.matched.accounts:,}[/] accounts match "
        f"({format_cents(preview.matched.balance_cents)}); "
        f"[bold]{preview.moving.accounts:,}[/] would move ({format_cents(preview.moving.balance_cents)})"
    )
    if preview.flows:
        flows = Table(title="From whom to whom", title_justify="left")
        for header in ("From", "To", "Accounts", "Balance"):
            flows.add_column(header, justify="left" if header in ("From", "To") else "right", no_wrap=True)
        for flow in preview.flows:
            source = "(nobody)" if flow.from_login is None else flow.from_login
            if not flow.from_active:
                source += " (deactivated)"
            flows.add_row(
                escape(source), escape(flow.to_login), f"{flow.accounts:,}", format_cents(flow.balance_cents)
            )
        console.print(flows)
    loads = Table(title="Open accounts of each collector named", title_justify="left")
    for header in ("Collector", "Now", "Balance now", "After", "Balance after", "Case limit"):
        loads.add_column(header, justify="left" if header == "Collector" else "right", no_wrap=True)
    for load in preview.caseloads:
        loads.add_row(
            escape(load.login),
            f"{load.before.accounts:,}",
            format_cents(load.before.balance_cents),
            f"{load.after.accounts:,}",
            format_cents(load.after.balance_cents),
            "-" if load.case_limit is None else f"{load.case_limit:,}",
        )
    console.print(loads)
    if preview.staying.accounts:
        console.print(f"{preview.staying.accounts:,} accounts are already with the collector dealt them")
    if preview.unplaced.accounts:
        unplaced = f"{preview.unplaced.accounts:,} accounts ({format_cents(preview.unplaced.balance_cents)})"
        console.print(f"[yellow]{unplaced} do not fit under the case limits and stay where they are[/]")
    if preview.claimed:
        console.print(f"{_claims(preview.claimed)} open on a collector's screen now")


def _claims(claimed: Any) -> str:
    """``2 accounts (12 by jchen, 40 by rpatel)``: ids and logins only."""
    shown = ", ".join(f"{claim.account_id} by {claim.claimed_by}" for claim in claimed[:SHOWN_CLAIMS])
    more = f" and {len(claimed) - SHOWN_CLAIMS:,} more" if len(claimed) > SHOWN_CLAIMS else ""
    return f"{len(claimed):,} accounts ({shown}{more})"


def _print_result(result: Any) -> None:
    from collector_tui.domain.money import format_cents

    say(
        f"moved {result.moved.accounts:,} accounts ({format_cents(result.moved.balance_cents)}); "
        f"audit event {result.request_event_id}"
    )
    if result.claimed:
        say(f"{_claims(result.claimed)} were open on a screen: their collectors are told at the next save")
