"""``collector import``: the nightly files, scriptable from cron or a systemd timer.

Exit codes: 0 success (or the file was already imported), 1 usage or
configuration error, 2 unreadable or malformed file (nothing written),
3 completed with rejected rows (see the reject file), 4 another import holds
the lock. ``--json`` prints one line, ``collector.import/1`` (:func:`import_document`).

Imports are nightly jobs: the caller must be an active user whose role may run
them (an operator or an admin, see ``collector_tui/services/team/permissions.py``),
checked before the file is read; the import batch and its audit events name them.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from collector_tui.cli.options import acting_session
from collector_tui.cli.output import say

if TYPE_CHECKING:
    from collector_tui.importing.runner import ImportSummary, Progress

SCHEMA = "collector.import/1"

EXIT_CODES_HELP = (
    "Exit codes: 0 done (or already imported), 1 usage/configuration, 2 unreadable or malformed file "
    "(nothing written), 3 done with rejected rows, 4 another import is running."
)

app = typer.Typer(help=f"Import the billing system's nightly files. {EXIT_CODES_HELP}", no_args_is_help=True)

FileArg = Annotated[Path, typer.Argument(help="The CSV file (UTF-8, header row).", show_default=False)]
MappingOpt = Annotated[
    Path | None, typer.Option("--mapping", help="TOML file mapping another system's columns and formats.")
]
RejectsOpt = Annotated[
    Path | None, typer.Option("--rejects", help="Where to write rejected rows (default: FILE.rejects.csv).")
]
DryRunOpt = Annotated[
    bool,
    typer.Option(
        "--dry-run",
        help="Report what would be inserted, updated, unchanged and rejected; write nothing to the database.",
    ),
]
StrictOpt = Annotated[bool, typer.Option("--strict", help="Reject the whole file if any row is bad.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print a machine-readable summary on stdout.")]
QuietOpt = Annotated[
    bool, typer.Option("--quiet", "-q", help="No progress bar and no summary (errors still print).")
]
# A placement writes ~10 rows (guarantor, patient, phones, charges, claim, audit); 200 of them
# commit in ~25 ms, so a collector's save waits a moment at most (docs/performance.md).
BatchOpt = Annotated[int, typer.Option("--batch-size", min=1, max=100_000, help="Rows per transaction.")]


def _run(
    ctx: typer.Context,
    kind_name: str,
    file: Path,
    mapping: Path | None,
    rejects: Path | None,
    dry_run: bool,
    strict: bool,
    as_json: bool,
    quiet: bool,
    batch_size: int,
) -> None:
    from datetime import UTC, datetime

    from collector_tui.importing.kinds import KINDS
    from collector_tui.importing.mapping import IDENTITY, load_mapping
    from collector_tui.importing.runner import ImportOptions, run_import
    from collector_tui.services.team.identity import nightly_job_actor
    from collector_tui.services.team.permissions import Permission

    kind = KINDS[kind_name]
    # A mapping that cannot be used, an unreadable or malformed file (2), the lock held (4): a
    # ServiceError, whose one line and exit code the boundary prints (boundary.py).
    column_mapping = load_mapping(mapping, kind.columns) if mapping else IDENTITY
    options = ImportOptions(
        mapping=column_mapping,
        rejects_path=rejects,
        dry_run=dry_run,
        strict=strict,
        batch_size=batch_size,
        protected=(mapping,) if mapping else (),
    )
    # Quiet in cron: nothing on stdout unless asked (--json) or a person is watching.
    quiet = quiet or not sys.stdout.isatty()
    with acting_session(ctx, nightly=Permission.RUN_NIGHTLY, bulk=True) as (db, me):
        actor = nightly_job_actor(me)
        if not quiet and not as_json and sys.stderr.isatty():
            summary = _with_progress(
                lambda p: run_import(
                    db, kind, file, actor=actor, now=datetime.now(UTC), options=options, progress=p
                )
            )
        else:
            summary = run_import(db, kind, file, actor=actor, now=datetime.now(UTC), options=options)
    if as_json:
        typer.echo(json.dumps(import_document(summary)))
    elif not quiet:
        say(describe(summary))
    raise typer.Exit(summary.exit_code)


def import_document(summary: ImportSummary) -> dict[str, Any]:
    """The summary as the documented JSON object (``collector.import/1``, README "The nightly
    run"): ``schema`` first, then the summary's fields in name order, one line per import. It has
    no timestamp today; one added here is formatted by ``output.utc_timestamp``, as in every other
    document."""
    return {"schema": SCHEMA, **dict(sorted(summary.as_dict().items()))}


def _with_progress(run: Callable[[Progress], ImportSummary]) -> ImportSummary:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    with Progress(
        TextColumn("Importing"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(), transient=True
    ) as bar:
        task = bar.add_task("import", total=None)

        def advance(done: int, total: int) -> None:
            bar.update(task, total=total, advance=done)

        return run(advance)


def describe(summary: ImportSummary) -> str:
    """One line for a person (or a cron mail): counts only, never row contents."""
    from collector_tui.domain.money import format_cents
    from collector_tui.importing.runner import STATUS_ALREADY, STATUS_DRY_RUN, STATUS_REJECTED_FILE

    name = Path(summary.file).name
    if summary.status == STATUS_ALREADY:
        return f"{summary.kind}: {name} was already imported (batch {summary.batch_id}); nothing changed"
    parts = [f"{summary.rows_read:,} rows read"]
    if summary.status != STATUS_REJECTED_FILE:
        # A dry run's counts are what the import would do (runner._rehearse).
        would = "would be " if summary.status == STATUS_DRY_RUN else ""
        parts += [
            f"{summary.inserted:,} {would}inserted",
            f"{summary.updated:,} {would}updated",
            f"{summary.unchanged:,} {would}unchanged",
        ]
        if summary.closed:
            parts.append(f"{summary.closed:,} {would}closed")
        parts.append(f"{format_cents(summary.total_cents)} total")
    parts.append(f"{summary.rejected:,} {'would be ' if summary.status == STATUS_DRY_RUN else ''}rejected")
    head = {
        STATUS_DRY_RUN: " (dry run, nothing written)",
        STATUS_REJECTED_FILE: " (--strict: nothing written)",
    }
    line = f"{summary.kind}: {name}{head.get(summary.status, '')}: " + " · ".join(parts)
    if summary.resumed_from_line:
        line += f" · resumed at line {summary.resumed_from_line:,}"
    if summary.rejects_file:
        line += f" · rejects in {summary.rejects_file}"
    for warning in summary.warnings:
        line += f"\nwarning: {warning}"
    return line + f" ({summary.seconds:.1f} s)"


def _command(kind_name: str, summary: str, default_batch: int) -> Callable[..., None]:
    def command(
        ctx: typer.Context,
        file: FileArg,
        mapping: MappingOpt = None,
        rejects: RejectsOpt = None,
        dry_run: DryRunOpt = False,
        strict: StrictOpt = False,
        as_json: JsonOpt = False,
        quiet: QuietOpt = False,
        batch_size: BatchOpt = default_batch,
    ) -> None:
        _run(ctx, kind_name, file, mapping, rejects, dry_run, strict, as_json, quiet, batch_size)

    command.__doc__ = summary
    return command


for _name, _summary, _batch in (
    (
        "placements",
        "New, updated, recalled and closed accounts (upsert by facility and account number).",
        200,
    ),
    (
        "transactions",
        "Payments, adjustments, insurance payments, refunds and reversals (idempotent by id).",
        1000,
    ),
    ("activities", "Contacts logged by a dialer or another system; they count like calls made here.", 1000),
):
    app.command(_name)(_command(_name, _summary, _batch))


RemittanceFileArg = Annotated[
    Path, typer.Argument(help="The payer's X12 835 file (005010X221A1).", show_default=False)
]
RemittanceDryRunOpt = Annotated[
    bool, typer.Option("--dry-run", help="Report what would post; write nothing to the database.")
]


@app.command("remittance")
def remittance(
    ctx: typer.Context,
    file: RemittanceFileArg,
    dry_run: RemittanceDryRunOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """A payer's 835 remittance: payments, adjustments, denials and reversals posted to the claims
    on file (exit 3: posted, with claims kept as exceptions for a person)."""
    from datetime import UTC, datetime

    from collector_tui.domain.money import format_cents
    from collector_tui.importing.remittance import (
        SCHEMA,
        STATUS_ALREADY,
        STATUS_DRY_RUN,
        UnbalancedError,
        import_remittance,
    )
    from collector_tui.services.team.identity import nightly_job_actor
    from collector_tui.services.team.permissions import Permission

    with acting_session(ctx, nightly=Permission.RUN_NIGHTLY, bulk=True) as (db, me):
        try:
            summary = import_remittance(
                db, file, actor=nightly_job_actor(me), now=datetime.now(UTC), dry_run=dry_run
            )
        except UnbalancedError as error:
            if as_json:  # the script learns it did not balance; the message still goes to stderr
                refused = {"schema": SCHEMA, "balanced": False, "file": str(file), "status": "refused"}
                typer.echo(json.dumps(refused | {"problem": str(error)}))
            raise
    if as_json:
        typer.echo(json.dumps(summary.document()))
    elif sys.stdout.isatty():
        name = Path(summary.file).name
        if summary.status == STATUS_ALREADY:
            say(f"remittance: {name} was already posted; nothing changed")
        else:
            would = "would be " if summary.status == STATUS_DRY_RUN else ""
            say(
                f"remittance: {name}{' (dry run, nothing written)' if would else ''}: "
                f"{summary.claims:,} claims · {summary.matched:,} matched · "
                f"{summary.exceptions:,} exceptions · {summary.review:,} for review · "
                f"{format_cents(summary.paid_cents)} {would}paid · "
                f"{format_cents(summary.contractual_cents)} {would}adjusted · "
                f"{summary.denials_opened:,} denials {would}opened · "
                f"{summary.denials_overturned:,} {would}overturned · "
                f"{summary.provider_adjustments:,} provider adjustments"
            )
    raise typer.Exit(summary.exit_code)


ClaimStatusFileArg = Annotated[
    Path,
    typer.Argument(help="The payer's X12 277 (005010X212) or 277CA (005010X214) file.", show_default=False),
]
ClaimStatusDryRunOpt = Annotated[
    bool, typer.Option("--dry-run", help="Report what would change; write nothing to the database.")
]


@app.command("claim-status")
def claim_status(
    ctx: typer.Context,
    file: ClaimStatusFileArg,
    dry_run: ClaimStatusDryRunOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """A payer's claim status (277) or claim acknowledgment (277CA): each claim's status, the date
    it was accepted, and the answer to a follow-up that waits on the payer (exit 3: applied, but
    the file names claims not on file)."""
    from datetime import UTC, datetime

    from collector_tui.importing.claim_status import STATUS_DRY_RUN, import_claim_status
    from collector_tui.services.team.identity import nightly_job_actor
    from collector_tui.services.team.permissions import Permission

    with acting_session(ctx, nightly=Permission.RUN_NIGHTLY, bulk=True) as (db, me):
        summary = import_claim_status(
            db, file, actor=nightly_job_actor(me), now=datetime.now(UTC), dry_run=dry_run
        )
    if as_json:
        typer.echo(json.dumps(summary.document()))
    elif sys.stdout.isatty():
        would = "would be " if summary.status == STATUS_DRY_RUN else ""
        say(
            f"claim status: {Path(summary.file).name}{' (dry run, nothing written)' if would else ''}: "
            f"{summary.claims:,} claims · {summary.matched:,} matched · {summary.accepted:,} accepted · "
            f"{summary.rejected:,} rejected · {summary.finalized:,} finalized · "
            f"{summary.updated:,} {would}updated · {summary.follow_ups_answered:,} follow-ups {would}answered"
        )
    if summary.unmatched:  # on stderr, so that cron mails it and --json stays one line
        typer.echo(
            f"warning: {summary.unmatched:,} claims of the file are not on file (counted, not kept)", err=True
        )
    raise typer.Exit(summary.exit_code)
