"""``collector office time-zone [ZONE]``: the office's settings that are not a policy file (admins set)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer

from collector_tui.cli.options import acting_session
from collector_tui.cli.output import say

app = typer.Typer(help="The office's settings: its time zone (admins set them).", no_args_is_help=True)


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
