"""Schema migrations run from code: upgrade, current revision, drift check.

The app never migrates silently; :func:`schema_state` tells it whether a
database is at head so it can refuse to open one that is not.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import inspect
from sqlalchemy.engine import Engine

from collector_tui.db.engine import APPLICATION_ID

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# The newest migration. Opening the workstation compares the database with it
# without importing Alembic (a third of a second at start); a test keeps it
# equal to the head of ``db/migrations``.
HEAD_REVISION = "0011"
# Every revision this build ships, from the migration files' names (no Alembic import needed).
KNOWN_REVISIONS = frozenset(
    path.name[:4] for path in (MIGRATIONS_DIR / "versions").glob("[0-9][0-9][0-9][0-9]_*.py")
)


@dataclass(frozen=True)
class SchemaState:
    """Where a database stands against the migrations shipped with this build."""

    current: str | None
    head: str
    tables: int = 0  # tables other than Alembic's: a database with tables but no revision is not empty

    @property
    def at_head(self) -> bool:
        return self.current == self.head

    @property
    def empty(self) -> bool:
        return self.current is None and self.tables == 0

    @property
    def unstamped(self) -> bool:
        """Tables, but no revision: another program's database, never ours to fill."""
        return self.current is None and self.tables > 0

    @property
    def newer(self) -> bool:
        """Stamped with a revision this build does not ship, later than its head."""
        return self.current is not None and self.current not in KNOWN_REVISIONS and self.current > self.head

    @property
    def unknown(self) -> bool:
        return self.current is not None and self.current not in KNOWN_REVISIONS


class SchemaDriftError(Exception):
    """The tables in code and the migrations disagree."""


def alembic_config(engine: Engine) -> Config:
    """An Alembic config pointing at the shipped migrations, whatever the cwd."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # configparser reads "%" as interpolation: a path with "%", "[" or "#" (percent-encoded in the
    # URL) must reach Alembic as written.
    url = engine.url.render_as_string(hide_password=False).replace("%", "%%")
    config.set_main_option("sqlalchemy.url", url)
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
        inspector = inspect(conn)
        current = None
        if inspector.has_table("alembic_version"):
            current = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
        tables = len(set(inspector.get_table_names()) - {"alembic_version"})
    return SchemaState(current=current, head=HEAD_REVISION, tables=tables)


class SchemaRefusedError(Exception):
    """The database cannot be migrated by this build; ``str()`` is safe to show."""


def refuse_foreign_or_newer(state: SchemaState, where: str) -> None:
    """Raise :class:`SchemaRefusedError` for a database this build must not migrate."""
    if state.newer:
        raise SchemaRefusedError(
            f"the database at {where} was made by a newer collector-tui (revision {state.current}); "
            f"this version knows revisions up to {state.head}: upgrade the program"
        )
    if state.unknown:
        raise SchemaRefusedError(
            f"the database at {where} is at revision {state.current}, which this version does not know"
        )
    if state.unstamped:
        raise SchemaRefusedError(
            f"the database at {where} holds {state.tables} table(s) but no collector-tui revision; "
            "collector-tui will not write into another program's database"
        )


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
                    conn.exec_driver_sql(f"PRAGMA application_id={APPLICATION_ID}")
                    broken = conn.exec_driver_sql("PRAGMA foreign_key_check").first()
                    if broken is not None:
                        raise SchemaDriftError(f"the migration broke references from table {broken[0]}")
        finally:
            if sqlite:
                conn.connection.dbapi_connection.execute("PRAGMA foreign_keys=ON")  # type: ignore[union-attr]


def upgrade(engine: Engine, revision: str = "head") -> SchemaState:
    """Migrate to ``revision``; refuses another program's database or one from a newer build."""
    refuse_foreign_or_newer(schema_state(engine), engine.url.render_as_string(hide_password=True))
    _with_connection(engine, revision)
    return schema_state(engine)


def downgrade(engine: Engine, revision: str = "base") -> SchemaState:
    _with_connection(engine, revision, down=True)
    return schema_state(engine)


def check(engine: Engine) -> None:
    """Raise :class:`SchemaDriftError` when the models differ from the migrated schema."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from collector_tui.db.models import EXPRESSION_INDEXES, metadata

    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "compare_server_default": True}
        )
        with warnings.catch_warnings():
            # Neither SQLAlchemy nor Alembic can compare an expression index on SQLite: each warns
            # and skips it, so they are checked by name below.
            warnings.filterwarnings("ignore", r".*expression-based index", category=Warning)
            differences: list[Any] = list(compare_metadata(context, metadata))
        if conn.dialect.name == "sqlite":
            names = set(conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'index'").scalars())
            differences += [("missing_index", name) for name in EXPRESSION_INDEXES if name not in names]
    if differences:
        raise SchemaDriftError(f"{len(differences)} difference(s): {differences!r}")
