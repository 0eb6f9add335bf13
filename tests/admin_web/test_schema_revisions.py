"""Schema revisions: the migration scripts build the declared schema; old databases are stamped."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from admin_web.app import create_app
from admin_web.serve import prepare
from admin_web.settings import Settings
from engine import Database, InvalidInput
from engine.store import metadata, migrate

pytestmark = pytest.mark.db
SCRATCH = f"jw_migrate_{os.getpid()}"
ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"


def run_cli(*args: str) -> Any:
    out = subprocess.run(
        [sys.executable, "-m", "admin_web.cli", *args], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout)


@pytest.fixture
def empty_db(db: Database, tmp_path: Path) -> Iterator[Database]:
    """A database with no tables at all, on the server of ``db`` (each configured backend)."""
    if db.dialect == "sqlite":
        fresh = Database(f"sqlite:///{tmp_path / 'empty.db'}")
        yield fresh
        fresh.dispose()
        return
    postgres = db.dialect == "postgresql"
    drop = f"DROP SCHEMA IF EXISTS {SCRATCH} CASCADE" if postgres else f"DROP DATABASE IF EXISTS {SCRATCH}"
    create = f"CREATE SCHEMA {SCRATCH}" if postgres else f"CREATE DATABASE {SCRATCH} CHARACTER SET utf8mb4"
    with db.engine.begin() as conn:
        conn.execute(sa.text(drop))
        conn.execute(sa.text(create))
    url = (
        db.url.update_query_dict({"options": f"-csearch_path={SCRATCH}"})
        if postgres
        else db.url.set(database=SCRATCH)
    )
    fresh = Database(url.render_as_string(hide_password=False))
    yield fresh
    fresh.dispose()
    with db.engine.begin() as conn:
        conn.execute(sa.text(drop))


def _differences(db: Database) -> list[object]:
    with db.engine.connect() as conn:
        return list(compare_metadata(MigrationContext.configure(conn), metadata))


def test_the_migration_scripts_build_exactly_the_declared_schema(empty_db: Database) -> None:
    """Run from nothing, the scripts (not create_all) must yield what engine/store declares."""
    with empty_db.engine.begin() as conn:
        command.upgrade(migrate._config(conn), "head")
    assert _differences(empty_db) == []
    assert empty_db.schema_status().up_to_date


def test_an_empty_database_is_created_at_the_newest_revision(empty_db: Database) -> None:
    schema = empty_db.create_schema()
    assert (schema.current, schema.up_to_date) == (migrate.head_revision(), True)
    assert empty_db.missing_tables() == []
    assert _differences(empty_db) == []
    assert empty_db.create_schema() == schema  # idempotent


def _made_by_version_0_1(db: Database) -> None:
    """The tables Jingwei 0.1 created (revision 0001), before it kept revisions: no version table."""
    with db.engine.begin() as conn:
        command.upgrade(migrate._config(conn), "0001")
        conn.execute(sa.text(f"DROP TABLE {migrate.VERSION_TABLE}"))
        conn.execute(
            sa.text("INSERT INTO calendars (name, config, updated_at) VALUES ('cn', '{}', :t)"),
            {"t": "2026-01-01 00:00:00"},
        )


def test_a_database_made_before_revisions_is_stamped_then_upgraded_keeping_its_rows(
    empty_db: Database,
) -> None:
    _made_by_version_0_1(empty_db)
    assert empty_db.schema_status().current is None
    schema = empty_db.create_schema()  # stamped as what it is, not recreated
    assert (schema.current, schema.up_to_date) == ("0001", False)
    assert "chat_messages" in empty_db.missing_tables()
    upgraded = empty_db.upgrade_schema()
    assert (upgraded.current, upgraded.up_to_date) == (migrate.head_revision(), True)
    assert empty_db.missing_tables() == []
    assert _differences(empty_db) == []
    with empty_db.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT name FROM calendars")).scalars().all() == ["cn"]


async def test_a_schema_from_an_unknown_revision_is_neither_ready_nor_served(
    empty_db: Database, aiohttp_client: Any
) -> None:
    empty_db.create_schema()
    with empty_db.engine.begin() as conn:
        conn.execute(sa.text(f"UPDATE {migrate.VERSION_TABLE} SET version_num = '0000'"))
    schema = empty_db.schema_status()
    assert (schema.current, schema.up_to_date) == ("0000", False)
    url = empty_db.url.render_as_string(hide_password=False)
    with pytest.raises(InvalidInput, match="run `jingwei migrate` first"):
        prepare(Settings(db=url), demo=False, examples=EXAMPLES)
    client = await aiohttp_client(create_app(Settings(db=url, worker=False)))
    resp = await client.get("/readyz")
    body = await resp.json()
    assert resp.status == 503
    head = migrate.head_revision()
    assert (
        body["reason"] == f"database schema at revision 0000, this version needs {head} (run jingwei migrate)"
    )


def test_jingwei_migrate_upgrades_an_old_database_and_is_idempotent(empty_db: Database) -> None:
    _made_by_version_0_1(empty_db)
    url = empty_db.url.render_as_string(hide_password=False)
    first = run_cli("migrate", "--db", url, "--json")
    assert (first["from"], first["to"], first["ok"]) == (None, migrate.head_revision(), True)
    again = run_cli("migrate", "--db", url, "--json")
    assert (again["from"], again["to"], again["ok"]) == (
        migrate.head_revision(),
        migrate.head_revision(),
        True,
    )
    assert _differences(empty_db) == []
