"""Reading the global options from the Typer context."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import typer

from collector_tui.cli.output import fail
from collector_tui.config import DatabaseSetting, resolve_database
from collector_tui.services.errors import ServiceError


def global_db(ctx: typer.Context) -> str | None:
    root = ctx.find_root()
    obj = root.obj
    return getattr(obj, "db", None)


def global_act_as(ctx: typer.Context) -> str | None:
    return getattr(ctx.find_root().obj, "act_as", None)


def database_setting(ctx: typer.Context) -> DatabaseSetting:
    return resolve_database(global_db(ctx))


@contextmanager
def acting_session(ctx: typer.Context, *, operator: bool = False) -> Iterator[tuple[Any, Any]]:
    """The database and the acting user for a command; a service's refusal becomes one line on
    stderr and its exit code.

    ``operator``: a login that is no user of the database acts as ``system`` (the nightly job's
    service account, or whoever adds the first admin).
    """
    from collector_tui.services.database import open_database
    from collector_tui.services.identity import resolve_actor, resolve_operator

    try:
        db = open_database(database_setting(ctx).url)
    except ServiceError as exc:
        fail(str(exc), exc.exit_code)
    try:
        if operator:
            me = resolve_operator(db, purpose="users", act_as=global_act_as(ctx))
        else:
            me = resolve_actor(db, act_as=global_act_as(ctx))
        yield db, me
    except ServiceError as exc:
        fail(str(exc), exc.exit_code)
    finally:
        db.close()
