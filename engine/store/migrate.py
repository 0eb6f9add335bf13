"""Schema revisions with Alembic: which one a database is at, and bringing it to the newest.

A fresh database gets every table at once (``create_all``) and is stamped with the newest
revision; a database made by an earlier version of Jingwei is upgraded by the migration
scripts in ``engine/store/migrations/versions`` (``jingwei migrate``). Readiness checks
compare the two revisions, so a replica never serves a schema it does not know.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from engine.store.schema import metadata

SCRIPTS = Path(__file__).with_name("migrations")
VERSION_TABLE = "alembic_version"
# Several replicas may start (and migrate) at once: on PostgreSQL one waits for the other.
_PG_LOCK = 0x6A696E67  # "jing"


@dataclass(frozen=True, slots=True)
class SchemaStatus:
    current: str | None  # None: the database has no revision table (empty, or made before revisions)
    head: str  # the newest revision this code knows

    @property
    def up_to_date(self) -> bool:
        return self.current == self.head


def _config(conn: sa.Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(SCRIPTS))
    cfg.attributes["connection"] = conn
    return cfg


def head_revision() -> str:
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None, "engine/store/migrations/versions holds no revision"
    return head


def status(conn: sa.Connection) -> SchemaStatus:
    return SchemaStatus(MigrationContext.configure(conn).get_current_revision(), head_revision())


def _lock(conn: sa.Connection) -> None:
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK})


def ensure_schema(engine: sa.Engine) -> SchemaStatus:
    """Create an empty database's tables at the newest revision; leave any other as it is.

    A database holding our tables but no revision (made before revisions existed) is the
    first revision: it is stamped so, and later revisions upgrade it.
    """
    with engine.begin() as conn:
        _lock(conn)
        present = set(sa.inspect(conn).get_table_names())
        if VERSION_TABLE not in present:
            if not present & set(metadata.tables):
                metadata.create_all(conn)
                command.stamp(_config(conn), "head")
            else:
                command.stamp(_config(conn), _first_revision())
        return status(conn)


def upgrade(engine: sa.Engine) -> SchemaStatus:
    """Run every migration the database lacks (``jingwei migrate``); creates an empty one outright."""
    ensure_schema(engine)
    with engine.begin() as conn:
        _lock(conn)
        command.upgrade(_config(conn), "head")
        return status(conn)


def _first_revision() -> str:
    scripts = ScriptDirectory.from_config(_config())
    bases = scripts.get_bases()
    assert len(bases) == 1, f"expected one base revision, found {bases}"
    return bases[0]


__all__ = ["SchemaStatus", "ensure_schema", "head_revision", "status", "upgrade"]
