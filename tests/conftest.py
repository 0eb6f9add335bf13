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
from support import load_example_org

from engine import Database, ProcessEngine
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
# Each test session works in a namespace of its own, so parallel runs on one server never collide.
NAMESPACE = f"jw_test_{os.getpid()}"


def _private_url(name: str, url: str) -> str:
    """Create this session's schema (PostgreSQL) or database (MariaDB) and point the URL at it."""
    admin = sa.create_engine(url)
    try:
        with admin.begin() as conn:
            if name == "postgresql":
                conn.execute(sa.text(f"DROP SCHEMA IF EXISTS {NAMESPACE} CASCADE"))
                conn.execute(sa.text(f"CREATE SCHEMA {NAMESPACE}"))
            else:
                conn.execute(sa.text(f"DROP DATABASE IF EXISTS {NAMESPACE}"))
                conn.execute(sa.text(f"CREATE DATABASE {NAMESPACE} CHARACTER SET utf8mb4"))
    except sa.exc.OperationalError as exc:
        pytest.fail(f"{name} at {url} is unreachable: {exc.orig}", pytrace=False)
    finally:
        admin.dispose()
    parsed = sa.engine.make_url(url)
    if name == "postgresql":
        parsed = parsed.update_query_dict({"options": f"-csearch_path={NAMESPACE}"})
    else:
        parsed = parsed.set(database=NAMESPACE)
    return parsed.render_as_string(hide_password=False)


def _server(name: str) -> Database:
    if name not in _servers:
        db = Database(_private_url(name, os.environ[SERVER_ENV[name]]))
        db.create_schema()
        _servers[name] = db
    return _servers[name]


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    for name, db in _servers.items():
        db.dispose()
        admin = sa.create_engine(os.environ[SERVER_ENV[name]])
        with admin.begin() as conn:
            if name == "postgresql":
                conn.execute(sa.text(f"DROP SCHEMA IF EXISTS {NAMESPACE} CASCADE"))
            else:
                conn.execute(sa.text(f"DROP DATABASE IF EXISTS {NAMESPACE}"))
        admin.dispose()


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


@pytest.fixture
def engine(db: Database) -> ProcessEngine:
    """An engine on ``db`` with the example company imported."""
    load_example_org(db)
    return ProcessEngine(db)
