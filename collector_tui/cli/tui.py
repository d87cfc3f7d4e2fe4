"""Opening the Textual UI: the one place the CLI reaches up into ``screens``."""

from __future__ import annotations

from collector_tui.services.database import open_database
from collector_tui.services.team.identity import resolve_actor


def launch(database_url: str, *, act_as: str | None) -> None:
    """Open the workstation; refuses a database that is not at head, or an unknown user."""
    db = open_database(database_url)
    try:
        actor = resolve_actor(db, act_as=act_as)
        from collector_tui.screens.app import CollectorApp

        CollectorApp(db=db, actor=actor).run()
    finally:
        db.close()
