"""Reading the global options from the Typer context."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import typer

from collector_tui.config import DatabaseSetting, resolve_database

if TYPE_CHECKING:  # the permissions module loads the ORM; scripted commands load it only when run
    from collector_tui.services.team.permissions import Permission


def global_db(ctx: typer.Context) -> str | None:
    root = ctx.find_root()
    obj = root.obj
    return getattr(obj, "db", None)


def global_act_as(ctx: typer.Context) -> str | None:
    return getattr(ctx.find_root().obj, "act_as", None)


def database_setting(ctx: typer.Context) -> DatabaseSetting:
    return resolve_database(global_db(ctx))


@contextmanager
def acting_session(
    ctx: typer.Context,
    *,
    nightly: Permission | None = None,
    needs: Permission | None = None,
    first_user: bool = False,
    bulk: bool = False,
) -> Iterator[tuple[Any, Any]]:
    """The database and the acting user for a command. A service's refusal (opening the database,
    resolving the user, or in the command's body) propagates: the boundary (``boundary.py``) prints
    its one line on stderr and exits with its code.

    ``nightly``: a nightly command, refused unless the user's role carries that permission (see
    ``resolve_operator`` in ``collector_tui/services/team/identity.py``). ``needs``: any other
    command whose role is checked before it starts, the same way (in a demo database the refusal
    names the demo users who may). ``first_user``: ``collector users``, where a database with no
    users yet lets whoever runs it add the first admin.
    ``bulk``: open the database for a long job (see ``open_database``).
    """
    from collector_tui.services.database import open_database
    from collector_tui.services.team.identity import resolve_actor, resolve_operator, resolve_user_manager

    db = open_database(database_setting(ctx).url, bulk=bulk)
    try:
        act_as = global_act_as(ctx)
        permission = nightly or needs
        if permission is not None:
            me = resolve_operator(db, permission=permission, act_as=act_as)
        elif first_user:
            me = resolve_user_manager(db, act_as=act_as)
        else:
            me = resolve_actor(db, act_as=act_as)
        yield db, me
    finally:
        db.close()
