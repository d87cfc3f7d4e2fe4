"""``collector plan pending|approve|decline|agreement``: the supervisor's side of payment plans.

A plan outside the office's policy is proposed with the collector's reason and
does nothing until a supervisor approves it; ``agreement`` writes a plan's
plain-language agreement to a file for mailing.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from collector_tui.cli.options import acting_session
from collector_tui.cli.output import say, utc_timestamp
from collector_tui.cli.plan_command import app

PENDING_SCHEMA = "collector.plans_pending/1"
__all__ = ["agreement", "app", "approve", "decline", "pending"]


def _now() -> datetime:
    return datetime.now(UTC)


@app.command("pending")
def pending(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print the documented JSON.")] = False,
) -> None:
    """List plans proposed outside policy, oldest first (supervisors and admins). Exit 0, or 1 refused."""
    from collector_tui.domain.money import format_cents
    from collector_tui.services.money.plans import pending_plans

    with acting_session(ctx) as (db, me):
        plans = pending_plans(db, me)
    rows = [
        {
            "plan_id": p.plan_id,
            "facility": p.facility_code,
            "account_number": p.account_number,
            "principal_cents": p.principal_cents,
            "installments": p.installment_count,
            "installment_cents": p.installment_cents,
            "frequency": p.frequency,
            "proposed_at": utc_timestamp(p.created_at),
            "reason": p.reason,
        }
        for p in plans
    ]
    if as_json:
        say(json.dumps({"schema": PENDING_SCHEMA, "plans": rows}, indent=2))
        return
    if not rows:
        say("no plans wait for approval")
        return
    for plan in plans:
        say(
            f"plan {plan.plan_id}  {plan.facility_code} {plan.account_number}  "
            f"{plan.installment_count} x {format_cents(plan.installment_cents)} {plan.frequency}"
            f" (of {format_cents(plan.principal_cents)})  reason: {plan.reason or '-'}"
        )


def _decide(ctx: typer.Context, act: Callable[[Any, Any], Any]) -> None:
    with acting_session(ctx) as (db, me):
        result = act(db, me)
    say(result.message)


@app.command("approve")
def approve(ctx: typer.Context, plan_id: Annotated[int, typer.Argument(help="The plan's id.")]) -> None:
    """Approve a proposed plan: it becomes active (supervisors and admins). Exit 0, or 1 refused."""
    from collector_tui.services.money.plans import approve_plan

    _decide(ctx, lambda db, me: approve_plan(db, me, plan_id, now=_now()))


@app.command("decline")
def decline(
    ctx: typer.Context,
    plan_id: Annotated[int, typer.Argument(help="The plan's id.")],
    reason: Annotated[str, typer.Option("--reason", help="Why (the collector reads it in the timeline).")],
) -> None:
    """Decline a proposed plan with a reason (supervisors and admins). Exit 0, or 1 refused."""
    from collector_tui.services.money.plans import decline_plan

    _decide(ctx, lambda db, me: decline_plan(db, me, plan_id, reason, now=_now()))


@app.command("agreement")
def agreement(
    ctx: typer.Context,
    plan_id: Annotated[int, typer.Argument(help="The plan's id.")],
    out: Annotated[Path, typer.Option("--out", help="Write the agreement here (owner-only).")],
) -> None:
    """Write a plan's plain-language agreement to a file for mailing. Exit 0, or 1 refused."""
    from collector_tui.services.money.plans import export_agreement

    with acting_session(ctx) as (db, me):
        written = export_agreement(db, me, plan_id, out, now=_now())
    say(f"wrote {written}")
