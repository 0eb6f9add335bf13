"""How the Database hands out connections: shared reads, bookkeeping commits, dropped connections."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from engine import Database, utcnow
from engine.store import database as database_module
from engine.store.schema import outbox

pytestmark = pytest.mark.db


def test_reads_on_one_thread_share_a_connection_and_threads_do_not(db: Database) -> None:
    with db.read() as outer:
        with db.read() as inner:
            assert inner is outer
        seen: list[sa.Connection] = []

        def other() -> None:
            with db.read() as conn:
                seen.append(conn)

        thread = threading.Thread(target=other)
        thread.start()
        thread.join()
        assert seen and seen[0] is not outer


def test_a_read_inside_a_write_sees_the_write(db: Database) -> None:
    with db.write() as conn:
        now = utcnow()
        conn.execute(outbox.insert(), {"topic": "t", "payload": {}, "created_at": now, "available_at": now})
        with db.read() as reading:
            assert reading is conn
            assert reading.execute(sa.select(sa.func.count()).select_from(outbox)).scalar_one() == 1


def test_a_bookkeeping_write_commits_and_skips_the_flush_wait_only_for_itself(db: Database) -> None:
    now = utcnow()
    with db.write(durable=False) as conn:
        conn.execute(outbox.insert(), {"topic": "t", "payload": {}, "created_at": now, "available_at": now})
        if db.dialect == "postgresql":  # the only server where a transaction can choose this
            assert conn.exec_driver_sql("SHOW synchronous_commit").scalar() == "off"
    with db.write() as conn:
        if db.dialect == "postgresql":
            assert conn.exec_driver_sql("SHOW synchronous_commit").scalar() == "on"
    with db.read() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(outbox)).scalar_one() == 1


def test_a_connection_dropped_while_idle_is_replaced_without_an_error(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    if db.dialect == "sqlite":
        pytest.skip("a SQLite file has no server that could drop a connection")
    whoami, kill = (
        ("SELECT pg_backend_pid()", "SELECT pg_terminate_backend({})")
        if db.dialect == "postgresql"
        else ("SELECT CONNECTION_ID()", "KILL {}")
    )
    fresh = Database(db.url.render_as_string(hide_password=False))
    try:
        with fresh.read() as conn:
            session = int(conn.exec_driver_sql(whoami).scalar())  # type: ignore[arg-type]
        with db.write() as admin:  # the server ends the idle pooled session
            admin.exec_driver_sql(kill.format(session))
        monkeypatch.setattr(database_module, "IDLE_PING_SECONDS", 0.0)
        with fresh.read() as conn:
            assert conn.exec_driver_sql(whoami).scalar() != session
    finally:
        fresh.dispose()
