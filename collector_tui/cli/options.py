"""Reading the global options from the Typer context."""

from __future__ import annotations

import typer

from collector_tui.config import DatabaseSetting, resolve_database


def global_db(ctx: typer.Context) -> str | None:
    root = ctx.find_root()
    obj = root.obj
    return getattr(obj, "db", None)


def global_act_as(ctx: typer.Context) -> str | None:
    return getattr(ctx.find_root().obj, "act_as", None)


def database_setting(ctx: typer.Context) -> DatabaseSetting:
    return resolve_database(global_db(ctx))
