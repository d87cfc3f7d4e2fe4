"""``collector exceptions list|resolve``: the 835 claims an import could not post, for supervisors.

``collector import remittance`` keeps each unpostable CLP (no claim on file with its number, a
CLP02 23 "not our claim", an unknown status) as an exception instead of dropping it; this is where
someone sees them (``collector.remittance_exceptions/1`` with ``--json``) and closes each with a
reason code. The approval list on the workstation shows the same rows. Rows carry the payer, the
trace number and the provider's claim number (CLP01), never a patient's name.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated, Any

import typer

from collector_tui.cli.options import acting_session
from collector_tui.cli.output import say, utc_timestamp

SCHEMA = "collector.remittance_exceptions/1"
# Said in --help; the service (services/files/remittance_exceptions.RESOLUTIONS) decides, a test
# keeps the two alike. Not imported here: a scripted command loads the ORM only when it runs.
REASONS_HELP = "matched_by_hand, not_ours, sent_back_to_payer, duplicate or other"

app = typer.Typer(help="The 835 exception list: claims a remittance could not post, until resolved.")


def exception_row(row: Any) -> dict[str, Any]:
    """One exception as ``collector.remittance_exceptions/1`` gives it (ids, numbers, codes, money)."""
    return {
        "exception_id": row.exception_id,
        "remittance_id": row.remittance_id,
        "payer": row.payer_name,
        "trace_number": row.trace_number,
        "payment_date": None if row.payment_date is None else row.payment_date.isoformat(),
        "control_number": row.control_number,
        "status_code": row.status_code,
        "status": row.status_label,
        "paid_cents": row.paid_cents,
        "reason": row.reason,
        "imported_at": utc_timestamp(row.imported_at),
    }


@app.command("list")
def list_(
    ctx: typer.Context,
    after: Annotated[
        int | None, typer.Option("--after", min=0, help="Start after this exception id (the next page).")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=1_000, help="At most this many rows.")] = 200,
    as_json: Annotated[bool, typer.Option("--json", help="Print the documented JSON.")] = False,
) -> None:
    """The unresolved exceptions, oldest first (supervisors and admins). Exit 0, or 1 refused."""
    from collector_tui.domain.money import format_cents
    from collector_tui.services.files.remittance_exceptions import open_exceptions

    with acting_session(ctx) as (db, me):
        rows = open_exceptions(db, me, after=after, limit=limit)
    if as_json:
        say(json.dumps({"schema": SCHEMA, "exceptions": [exception_row(r) for r in rows]}, indent=2))
        return
    if not rows:
        say("no remittance exception is open")
    for r in rows:
        paid_on = "-" if r.payment_date is None else r.payment_date.isoformat()
        say(
            f"{r.exception_id}  {r.payer_name}  trace {r.trace_number} ({paid_on})  "
            f"CLP01 {r.control_number}  CLP02 {r.status_code} {r.status_label}  {format_cents(r.paid_cents)}"
        )
        say(f"    {r.reason}")


@app.command("resolve")
def resolve(
    ctx: typer.Context,
    exception_id: Annotated[int, typer.Argument(help="Its id in the list.")],
    reason: Annotated[str, typer.Option("--reason", help=f"Why it is closed: {REASONS_HELP}.")],
) -> None:
    """Close one exception with a reason code (supervisors and admins). Exit 0, or 1 refused."""
    from collector_tui.services.files.remittance_exceptions import resolve_exception

    with acting_session(ctx) as (db, me):
        said = resolve_exception(db, me, exception_id, reason, now=datetime.now(UTC))
    say(said)
