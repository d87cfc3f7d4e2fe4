"""``collector letters preview``: an account's letter as it would be printed.

Without ``--out`` the letter's plain text is printed: the text of the rendered PDF itself, so the
preview says exactly what the page says. With ``--out FILE.pdf`` the PDF is written owner-only and
in one piece (a private temporary file renamed into place, never over the database), and the path
is printed. Either way the template's name and version and the hash of the inputs go to stderr with
any note about the facts (an itemization date that is only the placement date), and the preview is
one ``letter.preview`` audit event. Opening the letter is opening the account: an account the user
may not open is answered as one that does not exist. Exit 0 shown, 1 usage, refusal or no such
account.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, TextIO, cast

import typer

from collector_tui.cli.options import acting_session, database_setting
from collector_tui.cli.output import fail, say

app = typer.Typer(help="Letters and statements: preview an account's letter.", no_args_is_help=True)

KINDS = ("validation_notice", "itemized_statement")


@app.command("preview")
def preview(
    ctx: typer.Context,
    account_number: Annotated[str, typer.Argument(help="The billing system's account number.")],
    kind: Annotated[str, typer.Option("--kind", help="validation_notice or itemized_statement.")],
    facility: Annotated[
        str | None, typer.Option("--facility", help="Facility code, when the number is at several.")
    ] = None,
    language: Annotated[
        str, typer.Option("--language", help="en or es (the itemized statement: en only).")
    ] = "en",
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Write the PDF here (owner-only) instead of printing the text."),
    ] = None,
) -> None:
    """Show an account's letter as text, or write it as a PDF with --out. Exit 0 shown, 1 usage,
    refusal or no such account (or one you may not open)."""
    from collector_tui.config import letters_template_folder
    from collector_tui.services.files.output_files import check_target, database_files, replacing
    from collector_tui.services.letters.accounts import preview_letter

    if kind not in KINDS:
        fail(f"--kind must be one of {', '.join(KINDS)}")
    if language not in ("en", "es"):
        fail("--language must be en or es")
    protected = database_files(database_setting(ctx).url)
    if out is not None:
        check_target(out, protected=protected)  # before anything is read: a refused --out shows nothing
    folder = letters_template_folder()
    with acting_session(ctx) as (db, me):
        shown = preview_letter(
            db,
            me,
            account_number,
            facility_code=facility,
            kind=kind,
            language=language,
            now=datetime.now(UTC),
            override_folder=folder,
        )
    letter = shown.letter
    for note in shown.draft.notes:
        typer.echo(f"note: {note}", err=True)
    typer.echo(
        f"{letter.template} version {letter.template_version}, {letter.pages} page(s), "
        f"inputs sha256 {letter.input_sha256}",
        err=True,
    )
    if out is None:
        say(letter.text)
        return
    # The writer is text-mode; the PDF goes to its binary buffer, before the writer's own flush.
    with replacing(out, protected=protected) as handle:
        cast(TextIO, handle).buffer.write(letter.pdf)
    say(f"wrote {out}")
