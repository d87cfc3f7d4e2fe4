"""``collector demo``: build a synthetic office and open the workstation on it."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from collector_tui.cli.options import global_act_as, global_db
from collector_tui.cli.output import fail, say
from collector_tui.config import default_demo_path, to_url

if TYPE_CHECKING:
    from collector_tui.demo.build import DemoBuild


def demo(
    ctx: typer.Context,
    accounts: Annotated[
        int, typer.Option(min=1, max=5_000_000, help="How many accounts to generate.")
    ] = 2000,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed and day give the same office.")] = 42,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            help="Demo database file (default: demo.db in the user data folder). Never a real database.",
        ),
    ] = None,
    build_only: Annotated[
        bool, typer.Option("--build-only", help="Build the database, print where it is, and exit.")
    ] = False,
    rebuild: Annotated[
        bool, typer.Option("--rebuild", help="Build again even if an identical demo exists.")
    ] = False,
    write_files: Annotated[
        Path | None,
        typer.Option(
            "--write-files",
            help="Write placements.csv, transactions.csv, activities.csv and the payers' 835 and 277CA "
            "files here instead of a database.",
        ),
    ] = None,
) -> None:
    """Build a demo office (synthetic people only) and open it as a demo collector."""
    from collector_tui.demo.build import build_demo_database, existing_demo_matches

    if write_files is not None:
        _write_files(write_files, accounts, seed)
        return
    chosen = db or global_db(ctx)
    path = Path(chosen).expanduser().resolve() if chosen else default_demo_path()
    if chosen and "://" in chosen:
        fail("the demo builds a SQLite file; give --db a file path, not a URL")
    # A refusal (not a demo database, an unknown user, ...): the boundary's one line and code.
    if not rebuild and existing_demo_matches(path, accounts=accounts, seed=seed):
        say(f"Demo database: {path} (reused: {accounts:,} accounts, seed {seed})")
    else:
        build = _build_with_progress(build_demo_database, path, accounts, seed)
        say(
            f"Demo database: {build.path} "
            f"({build.accounts:,} accounts, seed {seed}, built in {build.seconds:.1f} s)"
        )
    if build_only:
        _print_roster(path)
        return
    from collector_tui.cli.tui import launch

    launch(to_url(str(path)), act_as=global_act_as(ctx))


ROLE_WORDS = {
    "collector": "collector",
    "supervisor": "supervisor: the team screen, approvals, collector audit",
    "admin": "admin: users, policies, everything",
    "operator": "the nightly operator: collector import, refresh, plans evaluate, export",
}


def _print_roster(path: Path) -> None:
    """Who is who in the demo: every command acts as the default user unless ``--as`` names another."""
    from collector_tui.demo.build import demo_roster

    roster = demo_roster(path)
    width = max((len(user.login) for user in roster), default=0)
    say("Demo users (every command acts as the first unless --as LOGIN names another):")
    for user in roster:
        default = " (the default)" if user.default else ""
        say(f"  {user.login:<{width}}  {user.name}, {ROLE_WORDS.get(user.role, user.role)}{default}")
    say(f"e.g. collector --db {path} --as sreed audit")


def _build_with_progress(build: Callable[..., DemoBuild], path: Path, accounts: int, seed: int) -> DemoBuild:
    if not sys.stderr.isatty():
        return build(path, accounts=accounts, seed=seed)
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TaskID,
        TextColumn,
        TimeRemainingColumn,
    )

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        transient=True,
    ) as progress:
        tasks: dict[str, TaskID] = {}

        def advance(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = progress.add_task(stage, total=total)
            progress.advance(tasks[stage], done)

        return build(path, accounts=accounts, seed=seed, progress=advance)


def _write_files(folder: Path, accounts: int, seed: int) -> None:
    from datetime import UTC, datetime

    from collector_tui.demo.files import write_demo_files
    from collector_tui.demo.generator import DemoOffice

    try:
        written = write_demo_files(
            folder, DemoOffice(accounts=accounts, seed=seed, as_of=datetime.now(UTC).date())
        )
    except OSError as exc:
        fail(f"cannot write to {folder}: {exc.strerror}")
    say(f"Demo files for {written.accounts:,} accounts (seed {seed}) in {folder.resolve()}:")
    payers = (*written.remittances, *((written.claim_status,) if written.claim_status else ()))
    for path in (written.placements, written.transactions, written.activities, *payers):
        say(f"  {path.name}")
