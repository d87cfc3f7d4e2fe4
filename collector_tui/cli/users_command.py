"""``collector users add|list|set-role|deactivate|reactivate|unassigned``: who may use this database (admins).

Each command acts as your login's user (``--as`` as elsewhere) and the service
refuses anyone but an admin. The one exception is a database with no users: its
first admin is added by whoever runs ``collector users add`` there (the service
account that owns it), recorded under that login. The nightly job's service
account is then added as an ``operator`` (``--role operator``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any

import typer

from collector_tui.cli.options import acting_session
from collector_tui.cli.output import say
from collector_tui.vocabulary import Role

SCHEMA = "collector.users/1"

app = typer.Typer(
    help="Who may use this database: add users, list them, set roles, deactivate (admins).",
    no_args_is_help=True,
)


class Switch(StrEnum):
    on = "on"
    off = "off"


def _now() -> datetime:
    return datetime.now(UTC)


def _run(ctx: typer.Context, act: Callable[[Any, Any], Any], *, first_user: bool = False) -> Any:
    with acting_session(ctx, first_user=first_user) as (db, me):
        return act(db, me)


def users_document(rows: list[Any], *, allow_unassigned: bool) -> dict[str, Any]:
    return {
        "schema": SCHEMA,
        "allow_unassigned": allow_unassigned,
        "orphaned_accounts": sum(row.orphaned_accounts for row in rows),
        "users": [
            {
                "login": row.login,
                "name": row.display_name,
                "role": row.role,
                "active": row.active,
                "case_limit": row.case_limit,
                "open_accounts": row.open_accounts,
                "orphaned_accounts": row.orphaned_accounts,
            }
            for row in rows
        ],
    }


@app.command("add")
def add(
    ctx: typer.Context,
    login: Annotated[str, typer.Argument(help="Their operating-system login.")],
    name: Annotated[str, typer.Option("--name", help="The name shown in the workstation.")],
    role: Annotated[
        Role, typer.Option("--role", help="collector, supervisor, admin or operator (the nightly job).")
    ],
    case_limit: Annotated[
        int | None, typer.Option("--case-limit", min=0, help="At most this many open accounts.")
    ] = None,
) -> None:
    """Add an active user (admins; a database's first user is an admin). Exit 0, or 1 refused."""
    from collector_tui.services.team.users import create_user

    added = _run(
        ctx,
        lambda db, me: create_user(
            db, me, login=login, display_name=name, role=role.value, now=_now(), case_limit=case_limit
        ),
        first_user=True,
    )
    say(f"added {added.login} ({added.role})")


@app.command("list")
def list_(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print the documented JSON.")] = False,
) -> None:
    """List every user: role, active, case limit, open accounts, orphaned accounts (admins)."""
    from collector_tui.services.team.users import list_users, office_allows_unassigned

    rows, allow = _run(ctx, lambda db, me: (list_users(db, me), office_allows_unassigned(db)))
    document = users_document(rows, allow_unassigned=allow)
    if as_json:
        say(json.dumps(document, indent=2))
        return
    _print(document)


def _print(document: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    console = Console(highlight=False)
    table = Table(title="Users", title_justify="left")
    for header in ("Login", "Name", "Role", "Active"):
        table.add_column(header, no_wrap=True)
    for header in ("Case limit", "Open accounts", "Orphaned"):
        table.add_column(header, justify="right", min_width=8)
    for user in document["users"]:
        limit = "-" if user["case_limit"] is None else f"{user['case_limit']:,}"
        cells = (
            user["login"],
            user["name"],
            user["role"],
            "yes" if user["active"] else "no",
            limit,
            f"{user['open_accounts']:,}",
            f"{user['orphaned_accounts']:,}" if not user["active"] else "",
        )
        table.add_row(*(escape(cell) for cell in cells))
    console.print(table)
    orphaned = document["orphaned_accounts"]
    if orphaned:
        console.print(f"{orphaned:,} open accounts belong to inactive users: reassign them")
    unassigned = "may" if document["allow_unassigned"] else "may not"
    console.print(f"collectors {unassigned} work unassigned accounts (collector users unassigned on|off)")


@app.command("set-role")
def set_role(
    ctx: typer.Context,
    login: Annotated[str, typer.Argument(help="The user's login.")],
    role: Annotated[Role, typer.Argument(help="collector, supervisor, admin or operator.")],
) -> None:
    """Give a user another role (admins; the last active admin keeps theirs). Exit 0, or 1 refused."""
    from collector_tui.services.team.users import set_role as change_role

    change = _run(ctx, lambda db, me: change_role(db, me, login, role.value, now=_now()))
    if change.changed:
        say(f"{change.login}: {change.before} -> {change.after}")
    else:
        say(f"{change.login} is already {change.after}")


@app.command("deactivate")
def deactivate(
    ctx: typer.Context,
    login: Annotated[str, typer.Argument(help="The user's login.")],
) -> None:
    """Take away a user's access; their accounts stay theirs, orphaned, until reassigned (admins)."""
    from collector_tui.services.team.users import deactivate as deactivate_user

    done = _run(ctx, lambda db, me: deactivate_user(db, me, login, now=_now()))
    claims = f"; {done.claims_released:,} open claim(s) released" if done.claims_released else ""
    say(
        f"deactivated {done.login}: {done.orphaned_accounts:,} open accounts orphaned "
        f"until reassigned{claims}"
    )


@app.command("reactivate")
def reactivate(
    ctx: typer.Context,
    login: Annotated[str, typer.Argument(help="The user's login.")],
) -> None:
    """Give a deactivated user access again, with the accounts still assigned to them (admins)."""
    from collector_tui.services.team.users import reactivate as reactivate_user

    row = _run(ctx, lambda db, me: reactivate_user(db, me, login, now=_now()))
    say(f"reactivated {row.login} ({row.role}, {row.open_accounts:,} open accounts)")


@app.command("unassigned")
def unassigned(
    ctx: typer.Context,
    switch: Annotated[
        Switch | None, typer.Argument(help="on: collectors may work unassigned accounts; off: they may not.")
    ] = None,
) -> None:
    """Show, or set (admins), whether collectors may open and work accounts assigned to nobody."""
    from collector_tui.services.team.users import office_allows_unassigned, set_allow_unassigned

    if switch is None:
        allow = _run(ctx, lambda db, me: office_allows_unassigned(db))
    else:
        _run(ctx, lambda db, me: set_allow_unassigned(db, me, switch is Switch.on, now=_now()))
        allow = switch is Switch.on
    say(f"collectors {'may' if allow else 'may not'} work unassigned accounts")
