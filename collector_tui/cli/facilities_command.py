"""``collector facilities list|add|set``: the hospitals and clinics whose accounts the office works.

Any user of the database may list them; only an admin adds or changes one, and every change is an
audit event naming each field changed, from and to. A change of the regime, the nonprofit status or
the state recomputes the stored call state of the facility's open accounts in the same transaction
(``collector_tui/services/law/facilities.py``). A refusal or a value that cannot be used is one line
naming the option, exit 1, and nothing is written. ``--json`` prints ``collector.facilities/1``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from collector_tui.cli.options import acting_session
from collector_tui.cli.output import fail, say

if TYPE_CHECKING:
    from collector_tui.services.law.facilities import FacilityChange, FacilityRow

SCHEMA = "collector.facilities/1"

app = typer.Typer(
    help="The facilities whose accounts the office works: list them; add or change one (admins).",
    no_args_is_help=True,
)

# How the service's field names are given on the command line.
OPTIONS = {
    "code": "CODE",
    "name": "--name",
    "regime": "--regime",
    "nonprofit": "--nonprofit",
    "state": "--state",
    "fap_policy_url": "--fap-policy-url",
}

NAME_OPTION = typer.Option("--name", help="The facility's name.")
REGIME_OPTION = typer.Option(
    "--regime", help="third_party (an agency: every rule applies) or first_party (the provider's own office)."
)
NONPROFIT_OPTION = typer.Option("--nonprofit", help="yes: a nonprofit hospital (the 501(r) rules apply); no.")
STATE_OPTION = typer.Option("--state", help="Where the facility is: a two-letter US state ('' clears it).")
URL_OPTION = typer.Option(
    "--fap-policy-url", help="Where its financial-assistance policy is published: http(s) ('' clears it)."
)


def _now() -> datetime:
    return datetime.now(UTC)


def _refuse(field: str, reason: str) -> NoReturn:
    fail(f"{OPTIONS.get(field, field)} {reason}")


def _run(ctx: typer.Context, act: Callable[[Any, Any], Any]) -> Any:
    from collector_tui.services.law.facilities import FacilityFieldError

    with acting_session(ctx) as (db, me):
        try:
            return act(db, me)
        # Kept, unlike the other ServiceError handlers: the boundary would print the service's
        # field name ("fap_policy_url ..."); this names the option typed ("--fap-policy-url ...").
        except FacilityFieldError as exc:
            _refuse(exc.field, exc.reason)


def _change(
    ctx: typer.Context,
    act: Callable[..., FacilityChange],
    code: str,
    name: str | None,
    regime: str | None,
    nonprofit: str | None,
    state: str | None,
    fap_policy_url: str | None,
) -> FacilityChange:
    """Add or set (``act``) the facility ``code`` with the options as given (None: not given)."""
    change: FacilityChange = _run(
        ctx,
        lambda db, me: act(
            db,
            me,
            code,
            name=name,
            regime=regime,
            nonprofit=nonprofit,
            state=state,
            fap_policy_url=fap_policy_url,
            now=_now(),
        ),
    )
    return change


def facilities_document(rows: list[FacilityRow]) -> dict[str, Any]:
    return {
        "schema": SCHEMA,
        "facilities": [
            {
                "code": row.code,
                "name": row.name,
                "regime": row.regime,
                "nonprofit": row.nonprofit,
                "state": row.state,
                "fap_policy_url": row.fap_policy_url,
                "open_accounts": row.open_accounts,
            }
            for row in rows
        ],
    }


@app.command("list")
def list_(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print the documented JSON.")] = False,
) -> None:
    """List every facility: regime, nonprofit, state, policy address, open accounts (any user)."""
    from collector_tui.services.law.facilities import list_facilities

    rows = _run(ctx, list_facilities)
    document = facilities_document(rows)
    if as_json:
        say(json.dumps(document, indent=2))
        return
    _print(document)


def _print(document: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    from collector_tui.services.law.facilities import shown

    console = Console(highlight=False)
    table = Table(title="Facilities", title_justify="left")
    for header in ("Code", "Name", "Regime", "Nonprofit", "State"):
        table.add_column(header, no_wrap=header != "Name")
    table.add_column("Open", justify="right", no_wrap=True)
    for row in document["facilities"]:
        cells = (
            row["code"],
            row["name"],
            row["regime"],
            shown(row["nonprofit"]),
            row["state"] or "-",
            f"{row['open_accounts']:,}",
        )
        table.add_row(*(escape(cell) for cell in cells))
    console.print(table)
    for row in document["facilities"]:
        if row["fap_policy_url"]:
            console.print(
                f"{escape(row['code'])} financial-assistance policy: {escape(row['fap_policy_url'])}"
            )


def _report(change: FacilityChange) -> None:
    from collector_tui.services.law.facilities import shown

    if not change.changes:
        say(f"{change.facility.code}: nothing changed")
        return
    fields = "; ".join(f"{name} {shown(old)} -> {shown(new)}" for name, (old, new) in change.changes.items())
    say(f"{change.facility.code}: {fields}")
    if change.recomputed:
        say(f"the call state of {change.recomputed:,} open accounts was recomputed")


@app.command("add")
def add(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="The facility's code, as the placement file names it.")],
    name: Annotated[str | None, NAME_OPTION] = None,
    regime: Annotated[str | None, REGIME_OPTION] = None,
    nonprofit: Annotated[str | None, NONPROFIT_OPTION] = None,
    state: Annotated[str | None, STATE_OPTION] = None,
    fap_policy_url: Annotated[str | None, URL_OPTION] = None,
) -> None:
    """Add a facility (admins; audited). Exit 0, or 1 refused."""
    from collector_tui.services.law.facilities import add_facility, shown

    change = _change(ctx, add_facility, code, name, regime, nonprofit, state, fap_policy_url)
    row = change.facility
    where = f", state {row.state}" if row.state else ""
    say(f"added {row.code} ({row.name}): {row.regime}, nonprofit {shown(row.nonprofit)}{where}")


@app.command("set")
def set_(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="The facility's code.")],
    name: Annotated[str | None, NAME_OPTION] = None,
    regime: Annotated[str | None, REGIME_OPTION] = None,
    nonprofit: Annotated[str | None, NONPROFIT_OPTION] = None,
    state: Annotated[str | None, STATE_OPTION] = None,
    fap_policy_url: Annotated[str | None, URL_OPTION] = None,
) -> None:
    """Change a facility (admins; audited); a new regime, nonprofit status or state recomputes the
    call state of its open accounts at once. Exit 0, or 1 refused."""
    from collector_tui.services.law.facilities import set_facility

    change = _change(ctx, set_facility, code, name, regime, nonprofit, state, fap_policy_url)
    _report(change)
