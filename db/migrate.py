"""Schema migrations run from code: upgrade, current revision, drift check.

The app never migrates silently; :func:`schema_state` tells it whether a
database is at head so it can refuse to open one that is not.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import inspect
from sqlalchemy.engine import Engine

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# The newest migration. Opening the workstation compares the database with it
# without importing Alembic (a third of a second at start); a test keeps it
# equal to the head of ``db/migrations``.
HEAD_REVISION = "0005"


@dataclass(frozen=True)
class SchemaState:
    """Where a database stands against the migrations shipped with this build."""

    current: str | None
    head: str

    @property
    def at_head(self) -> bool:
        return self.current == self.head

    @property
    def empty(self) -> bool:
        return self.current is None


class SchemaDriftError(Exception):
    """The tables in code and the migrations disagree."""


def alembic_config(engine: Engine) -> Config:
    """An Alembic config pointing at the shipped migrations, whatever the cwd."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    return config


def head_revision() -> str:
    """The head of the shipped migrations, as Alembic reads them."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory(str(MIGRATIONS_DIR))
    head = script.get_current_head()
    if head is None:
        raise RuntimeError("no migrations are shipped")
    return head


def schema_state(engine: Engine) -> SchemaState:
    with engine.connect() as conn:
        current = None
        if inspect(conn).has_table("alembic_version"):
            current = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
    return SchemaState(current=current, head=HEAD_REVISION)


def _with_connection(engine: Engine, revision: str, *, down: bool = False) -> None:
    from alembic import command

    config = alembic_config(engine)
    with engine.connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        if sqlite:
            # SQLite changes a table by rebuilding it, which a referenced table (``collector``)
            # survives only with foreign keys off; the pragma must be set outside a transaction,
            # and every reference is checked before the migration commits (sqlite.org/lang_altertable).
            raw = conn.connection.dbapi_connection
            assert raw is not None
            raw.execute("PRAGMA foreign_keys=OFF")
        try:
            with conn.begin():
                config.attributes["connection"] = conn
                if down:
                    command.downgrade(config, revision)
                else:
                    command.upgrade(config, revision)
                if sqlite:
                    broken = conn.exec_driver_sql("PRAGMA foreign_key_check").first()
                    if broken is not None:
                        raise SchemaDriftError(f"the migration broke references from table {broken[0]}")
        finally:
            if sqlite:
                conn.connection.dbapi_connection.execute("PRAGMA foreign_keys=ON")  # type: ignore[union-attr]


def upgrade(engine: Engine, revision: str = "head") -> SchemaState:
    _with_connection(engine, revision)
    return schema_state(engine)


def downgrade(engine: Engine, revision: str = "base") -> SchemaState:
    _with_connection(engine, revision, down=True)
    return schema_state(engine)


def check(engine: Engine) -> None:
    """Raise :class:`SchemaDriftError` when the models differ from the migrated schema."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from db.models import metadata

    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "compare_server_default": True}
        )
        differences = compare_metadata(context, metadata)
    if differences:
        raise SchemaDriftError(f"{len(differences)} difference(s): {differences!r}")
