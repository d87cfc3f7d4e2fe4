"""Services reach the tables one way: Core statements over ``collector_tui.db.tables``."""

from __future__ import annotations

import ast
from pathlib import Path

import collector_tui.services

SERVICES = Path(collector_tui.services.__file__).parent
# What the ORM does with objects; Core work goes through ``session.execute`` (and services/bulk.py).
ORM_CALLS = {"add", "add_all", "delete", "exec", "expunge", "flush", "get", "merge", "refresh"}


def _modules() -> list[tuple[str, ast.Module]]:
    return [
        (str(path.relative_to(SERVICES)), ast.parse(path.read_text(encoding="utf-8")))
        for path in sorted(SERVICES.rglob("*.py"))
    ]


def test_services_never_load_or_add_orm_objects() -> None:
    found = [
        f"{name}:{node.lineno} session.{node.func.attr}()"
        for name, tree in _modules()
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == "session"
        and node.func.attr in ORM_CALLS
    ]
    assert found == []


def test_services_take_their_tables_from_db_tables() -> None:
    found = [
        f"{name}:{node.lineno}"
        for name, tree in _modules()
        for node in ast.walk(tree)
        if isinstance(node, ast.Name) and node.id == "table_of"
    ]
    assert found == []
