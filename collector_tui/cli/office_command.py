"""``collector office time-zone [ZONE]``: the office's settings that are not a policy file (admins set)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer

from collector_tui.cli.options import acting_session
from collector_tui.cli.output import fail, say

app = typer.Typer(
    help="The office's settings: its time zone and what its letters say of it (admins set them).",
    no_args_is_help=True,
)


@app.command("time-zone")
def time_zone(
    ctx: typer.Context,
    zone: Annotated[
        str | None,
        typer.Argument(help="An IANA time zone, e.g. America/Chicago; without it, show the one in force."),
    ] = None,
) -> None:
    """Show, or set (admins), the office's time zone: where "today" begins for the team's results."""
    from collector_tui.services.team.users import office_zone_name, set_office_zone

    with acting_session(ctx) as (db, me):
        if zone is None:
            say(f"office.time_zone = {office_zone_name(db)}")
            return
        before = set_office_zone(db, me, zone, now=datetime.now(UTC))
    say(f"office.time_zone = {zone} (was {before})")


@app.command("letters")
def letters(
    ctx: typer.Context,
    name: Annotated[str | None, typer.Option("--name", help="The collector's name on every letter.")] = None,
    address_line: Annotated[
        list[str] | None,
        typer.Option("--address-line", help="A line of the mailing address for disputes (repeat it)."),
    ] = None,
    phone: Annotated[str | None, typer.Option("--phone", help="The phone number letters give.")] = None,
    hours: Annotated[
        str | None,
        typer.Option("--hours", help='When the phone is answered, e.g. "Monday to Friday, 8 to 6 ET".'),
    ] = None,
    website: Annotated[
        str | None, typer.Option("--website", help="The office's website ('' clears it).")
    ] = None,
) -> None:
    """Show, or set (admins), what the office's letters say of it: name, mailing address, phone and hours
    (12 CFR 1006.34(c)(2)(i), (d)(3)(i)). A real office's letters are refused until all four are set."""
    from collector_tui.services.errors import EntryError
    from collector_tui.services.office_settings import LETTERS_REQUIRED
    from collector_tui.services.team.users import LettersSender, letters_sender, set_letters_sender

    sender = LettersSender(
        name=name,
        address_lines=tuple(address_line) if address_line else None,
        phone=phone,
        hours=hours,
        website=website,
    )
    with acting_session(ctx) as (db, me):
        if sender == LettersSender():
            found = letters_sender(db)
            for key in (*LETTERS_REQUIRED, "letters.collector_website"):
                value = found.get(key)
                say(f"{key} = {value.replace(chr(10), ' / ') if value else '(not set)'}")
            return
        try:
            changed = set_letters_sender(db, me, sender, now=datetime.now(UTC))
        except EntryError as exc:
            fail(
                "; ".join(
                    f"--{field.replace('address', 'address-line')} {why}" for field, why in exc.problems
                )
            )
    say(f"set: {', '.join(changed)}" if changed else "nothing changed")
