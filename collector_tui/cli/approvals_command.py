"""``collector approvals list|approve|reject``: what waits for a supervisor (plans, overrides)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated

import typer

from collector_tui.cli.options import acting_session
from collector_tui.cli.output import fail, say, utc_timestamp

SCHEMA = "collector.approvals/1"
KINDS = ("plan", "override")

app = typer.Typer(help="The supervisor's approval list: plans outside policy, compliance overrides.")


@app.command("list")
def list_(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print the documented JSON.")] = False,
) -> None:
    """What waits for a decision, oldest first: who asked, why, what it changes. Exit 0, or 1 refused."""
    from collector_tui.services.team.approvals import list_approvals

    with acting_session(ctx) as (db, me):
        items = list_approvals(db, me)
    if as_json:
        rows = [
            {
                "kind": i.kind,
                "id": i.id,
                "facility": i.facility_code,
                "account_number": i.account_number,
                "requested_by": i.requested_by,
                "requested_at": utc_timestamp(i.requested_at),
                "why": i.why,
                "changes": i.changes,
            }
            for i in items
        ]
        say(json.dumps({"schema": SCHEMA, "approvals": rows}, indent=2))
        return
    if not items:
        say("nothing waits for approval")
    for i in items:
        say(f"{i.kind} {i.id}  {i.facility_code} {i.account_number}  by {i.requested_by}: {i.why}")
        say(f"    {i.changes}")


def _decide(ctx: typer.Context, kind: str, request_id: int, *, approve: bool, reason: str) -> None:
    from collector_tui.services.team.approvals import decide

    if kind not in KINDS:
        fail(f"kind must be plan or override, not {kind!r}")
    with acting_session(ctx) as (db, me):
        said = decide(db, me, kind, request_id, approve=approve, note=reason, now=datetime.now(UTC))
    say(said)


@app.command("approve")
def approve(
    ctx: typer.Context,
    kind: Annotated[str, typer.Argument(help="plan or override")],
    request_id: Annotated[int, typer.Argument(help="Its id in the list.")],
) -> None:
    """Approve one item (supervisors and admins). Exit 0, or 1 refused."""
    _decide(ctx, kind, request_id, approve=True, reason="")


@app.command("reject")
def reject(
    ctx: typer.Context,
    kind: Annotated[str, typer.Argument(help="plan or override")],
    request_id: Annotated[int, typer.Argument(help="Its id in the list.")],
    reason: Annotated[str, typer.Option("--reason", help="Why (the collector sees it).")],
) -> None:
    """Reject one item with a reason (supervisors and admins). Exit 0, or 1 refused."""
    _decide(ctx, kind, request_id, approve=False, reason=reason)
