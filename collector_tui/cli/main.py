"""``collector``: open the workstation, or run a scripted subcommand.

Global options live on the callback; each subcommand group is its own module.
User errors print one line on stderr and exit with a documented code; they
never print a traceback (which could carry patient data).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

import typer

from collector_tui import __version__
from collector_tui.cli import (
    approvals_command,
    assign_command,
    audit_command,
    compliance_command,
    db_commands,
    demo_command,
    exceptions_command,
    export_command,
    facilities_command,
    import_commands,
    letters_command,
    office_command,
    payers_command,
    plan_command,
    plan_review_command,
    policy_command,
    queue_command,
    stats_command,
    users_command,
    worklist_command,
)
from collector_tui.cli.boundary import GuardedGroup, report_unexpected
from collector_tui.cli.output import fail
from collector_tui.config import resolve_database, retired_policy_setting

app = typer.Typer(
    name="collector",
    cls=GuardedGroup,
    help="A keyboard-driven workstation for medical collection specialists.",
    rich_markup_mode="rich",
    no_args_is_help=False,
    pretty_exceptions_enable=False,  # tracebacks with locals could print PHI
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(db_commands.app, name="db")
app.add_typer(import_commands.app, name="import")
app.add_typer(plan_command.app, name="plan")
app.add_typer(approvals_command.app, name="approvals")
app.add_typer(exceptions_command.app, name="exceptions")
app.add_typer(users_command.app, name="users")
app.add_typer(policy_command.app, name="policy")
app.add_typer(office_command.app, name="office")
app.add_typer(facilities_command.app, name="facilities")
app.add_typer(payers_command.app, name="payers")
app.add_typer(letters_command.app, name="letters")
app.add_typer(worklist_command.app, name="worklist")  # with no subcommand: the worklist itself
app.add_typer(plan_command.app, name="plans")  # `collector plans evaluate`, as the nightly run names it
assert plan_review_command.app is plan_command.app  # its commands join `collector plan`
app.command("demo")(demo_command.demo)
app.command("export")(export_command.export)
app.command("compliance")(compliance_command.compliance)
app.command("refresh")(compliance_command.refresh)
app.command("queue")(queue_command.queue)
app.command("stats")(stats_command.stats)
app.command("audit")(audit_command.audit)
app.command("assign")(assign_command.assign)


@dataclass
class GlobalOptions:
    db: str | None
    act_as: str | None


def _version(value: bool) -> None:
    if value:
        typer.echo(f"collector-tui {__version__}")
        raise typer.Exit(0)


@app.callback(invoke_without_command=True)
def main(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            help="Database file path or SQLAlchemy URL (else $COLLECTOR_DB, the config file, the default).",
        ),
    ] = None,
    act_as: Annotated[
        str | None,
        typer.Option(
            "--as",
            help="Act as this user: any user in a demo database; admins only otherwise (audited).",
        ),
    ] = None,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit."),
    ] = False,
) -> None:
    """Open the workstation on the configured database, as your login's collector."""
    ctx.obj = GlobalOptions(db=db, act_as=act_as)
    retired = retired_policy_setting()
    if retired is not None:
        fail(retired)
    if ctx.invoked_subcommand is not None:
        return
    from collector_tui.cli.tui import launch

    launch(resolve_database(db).url, act_as=act_as)  # a refusal: the boundary's one line and code


def run() -> None:
    """The console script: the command group guards every command; this catches what fails
    outside one (an import, the group itself)."""
    try:
        app()
    except Exception as exc:
        try:
            report_unexpected(exc, "collector")
        except typer.Exit as exit_:
            raise SystemExit(exit_.exit_code) from None
