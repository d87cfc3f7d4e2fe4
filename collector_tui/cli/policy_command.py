"""``collector policy show|set|clear KIND``: the office's policies, kept in its database.

The compliance, priority, workspace and plan policies are the office's, not the user's: an admin
sets an override (a TOML file merged over the shipped one) and every user of the database works
under it; nothing in a user's environment or config file changes them. Any user may read them.
``--json`` prints ``collector.policy/1`` (see ``docs/compliance.md``).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from collector_tui.cli.options import acting_session
from collector_tui.cli.output import fail, say, utc_timestamp

if TYPE_CHECKING:
    from collector_tui.services.law.office_policy import OfficePolicy

SCHEMA = "collector.policy/1"

app = typer.Typer(
    help="The office's policies (compliance, priority, workspace, plans, denials): show them; set or "
    "clear an "
    "override (admins).",
    no_args_is_help=True,
)


class Kind(StrEnum):
    compliance = "compliance"
    priority = "priority"
    workspace = "workspace"
    plans = "plans"
    denials = "denials"


KIND_ARGUMENT = typer.Argument(help="compliance, priority, workspace, plans or denials.")


def _now() -> datetime:
    return datetime.now(UTC)


def policy_document(state: OfficePolicy) -> dict[str, Any]:
    """One kind's policy as the documented JSON object (``collector.policy/1``)."""
    return {
        "schema": SCHEMA,
        "kind": state.kind,
        "override": None
        if state.override is None
        else {
            "digest": state.override_digest,
            "set_by": state.set_by,
            "acting_as": state.acting_as,
            "set_at": utc_timestamp(state.set_at),
            "text": state.override,
        },
        "effective": {
            "version": state.version,
            "digest": state.digest,
            "shipped_version": state.shipped_version,
            "problem": state.problem,
        },
    }


def _who(state: OfficePolicy) -> str:
    if state.set_by is None:
        return "set outside collector policy"
    by = state.set_by if state.acting_as is None else f"{state.set_by} as {state.acting_as}"
    return f"set by {by} at {utc_timestamp(state.set_at)}"


def _summary(state: OfficePolicy) -> str:
    if state.override is None:
        return f"{state.kind} policy: the shipped one (version {state.version}, digest {state.digest})"
    if state.problem is not None:
        return (
            f"{state.kind} policy: the office's override (digest {state.override_digest}, {_who(state)}) "
            f"cannot be used: {state.problem}"
        )
    return (
        f"{state.kind} policy: the office's override (digest {state.override_digest}, {_who(state)}); "
        f"in force: version {state.version}, digest {state.digest}"
    )


@app.command("show")
def show(
    ctx: typer.Context,
    kind: Annotated[Kind, KIND_ARGUMENT],
    as_json: Annotated[bool, typer.Option("--json", help="Print the documented JSON.")] = False,
) -> None:
    """Show the override in force, who set it when, and the policy in force (any user). Exit 0, or 1."""
    from collector_tui.services.law.office_policy import office_policy

    with acting_session(ctx) as (db, me):
        state = office_policy(db, me, kind.value)
    if as_json:
        say(json.dumps(policy_document(state), indent=2))
        return
    say(_summary(state))
    if state.override is not None:
        say("")
        say(state.override.rstrip("\n"))


@app.command("set")
def set_(
    ctx: typer.Context,
    kind: Annotated[Kind, KIND_ARGUMENT],
    file: Annotated[Path, typer.Argument(help="The office's TOML, merged over the shipped policy.")],
) -> None:
    """Make FILE the office's override of the KIND policy (admins; audited). Exit 0, or 1 refused."""
    from collector_tui.services.law.office_policy import set_office_policy

    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else type(exc).__name__
        fail(f"{file}: the {kind.value} policy cannot be read ({reason})")
    with acting_session(ctx) as (db, me):
        change = set_office_policy(db, me, kind.value, text, source=str(file), now=_now())
    after = change.after
    if not change.changed:
        say(f"{kind.value} policy: {file} is already in force (digest {after.override_digest})")
        return
    say(
        f"{kind.value} policy set from {file}: override digest {after.override_digest}; "
        f"in force: version {after.version}, digest {after.digest}"
    )
    if kind is Kind.compliance:
        say("the stored call state is recomputed by the next `collector refresh`")


@app.command("clear")
def clear(
    ctx: typer.Context,
    kind: Annotated[Kind, KIND_ARGUMENT],
) -> None:
    """Drop the office's override of the KIND policy: the shipped one is in force (admins; audited)."""
    from collector_tui.services.law.office_policy import clear_office_policy

    with acting_session(ctx) as (db, me):
        change = clear_office_policy(db, me, kind.value, now=_now())
    after = change.after
    if not change.changed:
        say(f"{kind.value} policy: no office override; the shipped one is in force")
        return
    say(
        f"{kind.value} policy: override {change.before.override_digest} cleared; in force: the shipped "
        f"version {after.version}, digest {after.digest}"
    )
    if kind is Kind.compliance:
        say("the stored call state is recomputed by the next `collector refresh`")
