"""Shared fixtures: every database test runs on SQLite and, when configured, PostgreSQL and MariaDB.

``JINGWEI_TEST_PG`` / ``JINGWEI_TEST_MYSQL`` name the server databases (``.ci/run`` sets
both). With ``CI=true`` a missing or unreachable server fails the run; nothing skips.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from engine import Database, ProcessEngine
from engine.org import import_org, parse_org_json
from engine.store.schema import metadata

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
SERVER_ENV = {"postgresql": "JINGWEI_TEST_PG", "mariadb": "JINGWEI_TEST_MYSQL"}


def _backends() -> list[str]:
    names = ["sqlite"]
    for name, var in SERVER_ENV.items():
        if os.environ.get(var):
            names.append(name)
        elif os.environ.get("CI") == "true":
            raise pytest.UsageError(f"CI=true but {var} is not set: the {name} suite must run in CI")
    return names


BACKENDS = _backends()
_servers: dict[str, Database] = {}


def _server(name: str) -> Database:
    if name not in _servers:
        url = os.environ[SERVER_ENV[name]]
        db = Database(url)
        try:
            db.drop_schema()
            db.create_schema()
        except sa.exc.OperationalError as exc:
            pytest.fail(f"{name} at {url} is unreachable: {exc.orig}", pytrace=False)
        _servers[name] = db
    return _servers[name]


def _wipe(db: Database) -> None:
    with db.engine.begin() as conn:
        for table in reversed(metadata.sorted_tables):
            conn.execute(table.delete())


@pytest.fixture(params=BACKENDS)
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A fresh, empty database with the schema, on each configured backend."""
    if request.param == "sqlite":
        database = Database(f"sqlite:///{tmp_path / 'jingwei.db'}")
        database.create_schema()
        yield database
        database.dispose()
        return
    database = _server(request.param)
    _wipe(database)
    yield database
    _wipe(database)


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Iterator[Database]:
    database = Database(f"sqlite:///{tmp_path / 'jingwei.db'}")
    database.create_schema()
    yield database
    database.dispose()


def load_example_org(db: Database) -> None:
    with db.write() as conn:
        import_org(conn, parse_org_json((EXAMPLES / "org.json").read_text(encoding="utf-8")))


@pytest.fixture
def engine(db: Database) -> ProcessEngine:
    """An engine on ``db`` with the example company imported."""
    load_example_org(db)
    return ProcessEngine(db)
