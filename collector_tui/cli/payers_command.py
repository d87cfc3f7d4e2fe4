"""``collector payers list|set``: the insurers a denial is worked with, their phones and rules."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated, Any

import typer

from collector_tui.cli.options import acting_session
from collector_tui.cli.output import fail, say, utc_timestamp

SCHEMA = "collector.payers/1"
# How the service's field names are given on the command line.
OPTIONS = {"name": "NAME", "phone": "--phone", "code": "--code", "note": "--note"}

app = typer.Typer(help="The payers: the phone a collector dials to work a denial, the rules that apply.")


def payer_row(line: Any) -> dict[str, Any]:
    return {
        "name": line.name,
        "code": line.code,
        "rules": line.rules,
        "identifier": line.identifier,
        "phone": line.phone,
        "phone_note": line.phone_note,
        "open_items": line.open_items,
        "updated_at": utc_timestamp(line.updated_at),
    }


@app.command("list")
def list_(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print the documented JSON.")] = False,
) -> None:
    """Every payer on file: its phone, the rules that apply and its open denial items (any user).
    Exit 0, or 1 refused."""
    from collector_tui.services.worklists.payers import list_payers

    with acting_session(ctx) as (db, me):
        lines = list_payers(db, me)
    if as_json:
        document = {"schema": SCHEMA, "payers": [payer_row(line) for line in lines]}
        say(json.dumps(document, indent=2))
        return
    if not lines:
        say("no payers on file (the placement file and the 835s add them)")
    for line in lines:
        phone = line.phone or "no phone"
        note = f" ({line.phone_note})" if line.phone_note else ""
        say(f"{line.name}: {phone}{note}; rules {line.rules}; {line.open_items:,} open denial items")


@app.command("set")
def set_(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The payer's name, as the claims carry it.")],
    phone: Annotated[
        str | None, typer.Option("--phone", help="The number to dial for denials ('' clears it).")
    ] = None,
    code: Annotated[
        str | None,
        typer.Option(
            "--code", help="The key of its rules in policies/denials.toml ([payers.KEY]; '' clears)."
        ),
    ] = None,
    note: Annotated[
        str | None, typer.Option("--note", help="A note on the phone, e.g. 'claims line, option 3'.")
    ] = None,
) -> None:
    """Set a payer's phone, rules key or phone note, adding the payer if none has that name
    (supervisors and admins; audited). Exit 0, or 1 refused or a bad value."""
    from collector_tui.services.errors import EntryError
    from collector_tui.services.worklists.payers import set_payer

    if phone is None and code is None and note is None:
        fail("name what to set: --phone, --code or --note (try 'collector payers set --help')")
    with acting_session(ctx) as (db, me):
        try:
            change = set_payer(db, me, name, now=datetime.now(UTC), phone=phone, code=code, note=note)
        except EntryError as exc:
            fail("; ".join(f"{OPTIONS.get(field, field)} {why}" for field, why in exc.problems))
    line = change.payer
    if change.added:
        say(f"added payer {line.name}: phone {line.phone or 'none'}, rules {line.rules}")
    elif not change.changed:
        say(f"{line.name}: nothing changed")
    else:
        say(
            f"{line.name}: {', '.join(change.changed)} set (phone {line.phone or 'none'}, rules {line.rules})"
        )
