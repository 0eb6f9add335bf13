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


def test_a_bookkeeping_write_skips_the_flush_wait_only_for_itself(db: Database) -> None:
    if db.dialect != "postgresql":
        pytest.skip("synchronous_commit is a PostgreSQL setting")
    with db.write(durable=False) as conn:
        assert conn.exec_driver_sql("SHOW synchronous_commit").scalar() == "off"
    with db.write() as conn:
        assert conn.exec_driver_sql("SHOW synchronous_commit").scalar() == "on"


def test_a_connection_dropped_while_idle_is_replaced_without_an_error(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    if db.dialect != "postgresql":
        pytest.skip("needs a server that can end one of our sessions")
    fresh = Database(db.url.render_as_string(hide_password=False))
    try:
        with fresh.read() as conn:
            pid = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar()
        with db.write() as admin:  # the server ends the idle pooled session
            admin.exec_driver_sql(f"SELECT pg_terminate_backend({int(pid)})")
        monkeypatch.setattr(database_module, "IDLE_PING_SECONDS", 0.0)
        with fresh.read() as conn:
            assert conn.exec_driver_sql("SELECT pg_backend_pid()").scalar() != pid
    finally:
        fresh.dispose()
