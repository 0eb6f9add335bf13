"""The storage floor: the same rows and commits as an expense lifecycle, with no engine at all.

Per lifecycle, three transactions on the raw DB-API connection, writing what the engine
writes (instance row, task rows, history and outbox rows, the instance update with its
revision check). The ratio engine / floor says how much the engine itself costs on top
of the database. Imported by ``engine_throughput.py``; not meant to be run alone.
"""

from __future__ import annotations

import json
import time
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from engine import Database


def _ph(dialect: str, n: int) -> str:
    return ", ".join(["?" if dialect == "sqlite" else "%s"] * n)


def run_floor(db: Database, n: int) -> float:
    """Lifecycles per second for ``n`` raw lifecycles (tables must exist and be empty)."""
    dialect = db.dialect
    q = "?" if dialect == "sqlite" else "%s"
    now = datetime(2026, 1, 1).isoformat(sep=" ") if dialect == "sqlite" else datetime(2026, 1, 1)
    data = json.dumps({"amount": 12800, "reason": "bench"})
    state = json.dumps(
        {"schema_version": 1, "tokens": [{"id": "1", "node": "t", "status": "waiting", "tasks": ["x"]}]}
    )
    ins_instance = (
        "INSERT INTO instances (id, definition_id, process_key, version, status, starter, data, state, rev,"
        f" history_seq, history_hash, started_at, updated_at) VALUES ({_ph(dialect, 13)})"
    )
    ins_task = (
        "INSERT INTO tasks (id, instance_id, node_id, name, token_id, assignee, status, created_at)"
        f" VALUES ({_ph(dialect, 8)})"
    )
    ins_history = (
        "INSERT INTO history (instance_id, seq, at, actor, action, node_id, details, prev_hash, hash)"
        f" VALUES ({_ph(dialect, 9)})"
    )
    ins_outbox = (
        f"INSERT INTO outbox (topic, instance_id, payload, created_at, status, attempts, available_at)"
        f" VALUES ({_ph(dialect, 7)})"
    )
    upd_instance = (
        f"UPDATE instances SET state = {q}, rev = {q}, updated_at = {q} WHERE id = {q} AND rev = {q}"
    )
    upd_task = f"UPDATE tasks SET status = {q}, completed_at = {q} WHERE id = {q} AND status = 'open'"
    sel_task = f"SELECT t.*, i.* FROM tasks t JOIN instances i ON i.id = t.instance_id WHERE t.id = {q}"
    h = "0" * 64

    with db.engine.connect() as conn:
        definition_id = conn.execute(sa.text("SELECT id FROM definitions LIMIT 1")).scalar_one()
        raw: Any = conn.connection.dbapi_connection
        cur = raw.cursor()

        def begin() -> None:
            if dialect == "sqlite":
                raw.execute("BEGIN IMMEDIATE")

        def commit() -> None:
            if dialect == "sqlite":
                raw.execute("COMMIT")
            else:
                raw.commit()

        t0 = time.perf_counter()
        for i in range(n):
            iid, t1, t2 = f"fi{i}", f"ft{i}a", f"ft{i}b"
            begin()
            cur.execute(
                ins_instance,
                (iid, definition_id, "expense", 1, "running", "u", data, state, 1, 2, h, now, now),
            )
            cur.execute(ins_task, (t1, iid, "manager_approval", "m", "1", "m1", "open", now))
            cur.executemany(ins_history, [(iid, s, now, "u", "a", None, "{}", h, h) for s in (1, 2)])
            cur.executemany(ins_outbox, [("t", iid, "{}", now, "pending", 0, now)] * 2)
            commit()
            for step, (old, new) in enumerate(((t1, t2), (t2, None))):
                begin()
                cur.execute(sel_task, (old,))
                cur.fetchone()
                cur.execute(upd_instance, (state, step + 2, now, iid, step + 1))
                cur.execute(upd_task, ("completed", now, old))
                if new:
                    cur.execute(ins_task, (new, iid, "director_approval", "d", "1", "d1", "open", now))
                seqs = (3 + 2 * step, 4 + 2 * step)
                cur.executemany(ins_history, [(iid, s, now, "u", "a", None, "{}", h, h) for s in seqs])
                cur.executemany(ins_outbox, [("t", iid, "{}", now, "pending", 0, now)] * 2)
                commit()
        elapsed = time.perf_counter() - t0
        cur.close()
    return n / elapsed


__all__ = ["run_floor"]
