"""Reading and writing one instance and everything a command changed.

``insert_instance`` and ``save_instance`` are the only writers of instances, tasks,
history and outbox rows: every write of a command is visible here, in one place.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

import sqlalchemy as sa

from engine.errors import Conflict, NotFound
from engine.runtime.effects import Effects
from engine.store.history import GENESIS, chain_rows
from engine.store.schema import history, instance_cc, instances, outbox, task_candidates, tasks
from engine.store.statements import FastStatement


@dataclass(slots=True)
class InstanceRecord:
    id: str
    definition_id: str
    process_key: str
    version: int
    status: str
    starter: str
    data: dict[str, Any]
    state: dict[str, Any]
    rev: int
    history_seq: int
    history_hash: str
    started_at: datetime
    ended_at: datetime | None = None


@dataclass(slots=True)
class TaskRecord:
    id: str
    instance_id: str
    node_id: str
    name: str
    token_id: str
    mi_index: int | None
    assignee: str | None
    status: str
    outcome: str | None
    completed_by: str | None
    created_at: datetime
    completed_at: datetime | None
    candidates: list[str]


_INSTANCE_COLS = [
    instances.c.id.label("i_id"),
    instances.c.definition_id,
    instances.c.process_key,
    instances.c.version,
    instances.c.status.label("i_status"),
    instances.c.starter,
    instances.c.data,
    instances.c.state,
    instances.c.rev,
    instances.c.history_seq,
    instances.c.history_hash,
    instances.c.started_at,
    instances.c.ended_at,
]
_SELECT_INSTANCE = FastStatement(sa.select(*_INSTANCE_COLS).where(instances.c.id == sa.bindparam("id")))
_SELECT_TASK_AND_INSTANCE = FastStatement(
    sa.select(tasks, *_INSTANCE_COLS)
    .join(instances, instances.c.id == tasks.c.instance_id)
    .where(tasks.c.id == sa.bindparam("task_id"))
)
_SELECT_CANDIDATES = FastStatement(
    sa.select(task_candidates.c.user_id).where(task_candidates.c.task_id == sa.bindparam("task_id"))
)
_SELECT_OPEN_TASKS = FastStatement(
    sa.select(tasks).where(tasks.c.instance_id == sa.bindparam("instance_id"), tasks.c.status == "open")
)


def _insert(table: sa.Table, *, skip: str | None = None) -> FastStatement:
    return FastStatement(
        table.insert().values({c.name: sa.bindparam(c.name) for c in table.c if c.name != skip})
    )


_INSERT_INSTANCE = _insert(instances)
_INSERT_TASK = _insert(tasks)
_INSERT_CANDIDATE = _insert(task_candidates)
_INSERT_HISTORY = _insert(history)
_INSERT_OUTBOX = _insert(outbox, skip="id")
_INSERT_CC = _insert(instance_cc)
_UPDATE_INSTANCE = FastStatement(
    instances.update()
    .where(instances.c.id == sa.bindparam("b_id"), instances.c.rev == sa.bindparam("b_rev"))
    .values(
        status=sa.bindparam("status"),
        data=sa.bindparam("data"),
        state=sa.bindparam("state"),
        rev=sa.bindparam("new_rev"),
        history_seq=sa.bindparam("history_seq"),
        history_hash=sa.bindparam("history_hash"),
        updated_at=sa.bindparam("updated_at"),
        ended_at=sa.bindparam("ended_at"),
    )
)
_CLOSE_TASK = FastStatement(
    tasks.update()
    .where(tasks.c.id == sa.bindparam("b_id"), tasks.c.status == "open")
    .values(
        status=sa.bindparam("status"),
        outcome=sa.bindparam("outcome"),
        completed_by=sa.bindparam("completed_by"),
        comment=sa.bindparam("comment"),
        completed_at=sa.bindparam("completed_at"),
    )
)


def _instance(row: Mapping[str, Any]) -> InstanceRecord:
    return InstanceRecord(
        id=row["i_id"],
        definition_id=row["definition_id"],
        process_key=row["process_key"],
        version=row["version"],
        status=row["i_status"],
        starter=row["starter"],
        data=row["data"],
        state=row["state"],
        rev=row["rev"],
        history_seq=row["history_seq"],
        history_hash=row["history_hash"],
        started_at=row["started_at"],
        ended_at=row["ended_at"],
    )


def task_record(row: Mapping[str, Any], candidates: list[str]) -> TaskRecord:
    return TaskRecord(
        id=row["id"],
        instance_id=row["instance_id"],
        node_id=row["node_id"],
        name=row["name"],
        token_id=row["token_id"],
        mi_index=row["mi_index"],
        assignee=row["assignee"],
        status=row["status"],
        outcome=row["outcome"],
        completed_by=row["completed_by"],
        created_at=row["created_at"],
        completed_at=row["completed_at"],
        candidates=candidates,
    )


def load_instance(conn: sa.Connection, instance_id: str) -> InstanceRecord:
    row = _SELECT_INSTANCE.first(conn, {"id": instance_id})
    if row is None:
        raise NotFound(f'unknown instance "{instance_id}"')
    return _instance(row)


def load_task(conn: sa.Connection, task_id: str) -> tuple[TaskRecord, InstanceRecord]:
    row = _SELECT_TASK_AND_INSTANCE.first(conn, {"task_id": task_id})
    if row is None:
        raise NotFound(f'unknown task "{task_id}"')
    candidates: list[str] = []
    if row["assignee"] is None:
        candidates = _SELECT_CANDIDATES.scalars(conn, {"task_id": task_id})
    return task_record(row, candidates), _instance(row)


def open_tasks(conn: sa.Connection, instance_id: str) -> list[TaskRecord]:
    """The instance's open tasks, candidates included (read inside the command's transaction)."""
    records = []
    for row in _SELECT_OPEN_TASKS.all(conn, {"instance_id": instance_id}):
        pooled = _SELECT_CANDIDATES.scalars(conn, {"task_id": row["id"]}) if row["assignee"] is None else []
        records.append(task_record(row, pooled))
    return records


def _pipeline(conn: sa.Connection) -> AbstractContextManager[Any]:
    """psycopg's pipeline mode (one round trip for many statements); nothing elsewhere."""
    if conn.dialect.driver == "psycopg":
        raw: Any = conn.connection.dbapi_connection
        return cast(AbstractContextManager[Any], raw.pipeline())
    return nullcontext()


def tasks_by_id(conn: sa.Connection, task_ids: list[str]) -> list[TaskRecord]:
    """Task rows by id, candidates included (take-back reopens tasks its decision closed)."""
    if not task_ids:
        return []
    rows = conn.execute(sa.select(tasks).where(tasks.c.id.in_(task_ids))).mappings().all()
    out = []
    for row in rows:
        pooled = _SELECT_CANDIDATES.scalars(conn, {"task_id": row["id"]}) if row["assignee"] is None else []
        out.append(task_record(dict(row), pooled))
    return out


def insert_instance(
    conn: sa.Connection, rec: InstanceRecord, effects: Effects, now: datetime, channel: str | None
) -> None:
    rows, rec.history_seq, rec.history_hash = chain_rows(rec.id, 0, GENESIS, effects.history, now, channel)
    with _pipeline(conn):
        _insert_instance_row(conn, rec, now)
        _write_effects(conn, rec.id, effects, rows, now)


def _insert_instance_row(conn: sa.Connection, rec: InstanceRecord, now: datetime) -> None:
    _INSERT_INSTANCE.execute(
        conn,
        {
            "id": rec.id,
            "definition_id": rec.definition_id,
            "process_key": rec.process_key,
            "version": rec.version,
            "status": rec.status,
            "starter": rec.starter,
            "data": rec.data,
            "state": rec.state,
            "rev": rec.rev,
            "history_seq": rec.history_seq,
            "history_hash": rec.history_hash,
            "started_at": now,
            "updated_at": now,
            "ended_at": rec.ended_at,
        },
    ).close()


def save_instance(
    conn: sa.Connection,
    rec: InstanceRecord,
    effects: Effects,
    now: datetime,
    channel: str | None,
    *,
    conflict_subject: str,
) -> None:
    """Write the instance back if nobody else did since we read it, then the effects.

    On PostgreSQL every write of the command goes in one pipelined round trip; the
    revision check is read when the pipeline syncs, still before the commit.
    """
    rows, seq, digest = chain_rows(rec.id, rec.history_seq, rec.history_hash, effects.history, now, channel)
    conflict = Conflict(
        f"{conflict_subject} was changed by someone else at the same time; reload and try again"
    )
    values = {
        "b_id": rec.id,
        "b_rev": rec.rev,
        "status": rec.status,
        "data": rec.data,
        "state": rec.state,
        "new_rev": rec.rev + 1,
        "history_seq": seq,
        "history_hash": digest,
        "updated_at": now,
        "ended_at": rec.ended_at,
    }
    if conn.dialect.driver == "psycopg":
        try:
            with _pipeline(conn):
                result = _UPDATE_INSTANCE.execute(conn, values)
                _write_effects(conn, rec.id, effects, rows, now)
        except conn.dialect.dbapi.IntegrityError as exc:  # type: ignore[union-attr]
            # the other command's history rows took our sequence numbers first
            raise conflict from exc
        updated = result.rowcount
    else:
        result = _UPDATE_INSTANCE.execute(conn, values)
        updated = result.rowcount
        if updated == 1:
            _write_effects(conn, rec.id, effects, rows, now)
    result.close()
    if updated != 1:
        raise conflict
    rec.rev += 1
    rec.history_seq, rec.history_hash = seq, digest


def _write_effects(
    conn: sa.Connection, instance_id: str, effects: Effects, history_rows: list[dict[str, Any]], now: datetime
) -> None:
    if effects.closed_tasks:
        _CLOSE_TASK.executemany(
            conn,
            [
                {
                    "b_id": t.id,
                    "status": t.status,
                    "outcome": t.outcome,
                    "completed_by": t.by,
                    "comment": t.comment,
                    "completed_at": t.closed_at,
                }
                for t in effects.closed_tasks
            ],
        )
    if effects.new_tasks:
        _INSERT_TASK.executemany(
            conn,
            [
                {
                    "id": t.id,
                    "instance_id": instance_id,
                    "node_id": t.node_id,
                    "name": t.name[:255],
                    "token_id": t.token_id,
                    "mi_index": t.mi_index,
                    "assignee": t.assignee,
                    "status": "open",
                    "outcome": None,
                    "completed_by": None,
                    "comment": None,
                    "created_at": t.created_at,
                    "completed_at": None,
                }
                for t in effects.new_tasks
            ],
        )
        candidates = [{"task_id": t.id, "user_id": u} for t in effects.new_tasks for u in t.candidates]
        if candidates:
            _INSERT_CANDIDATE.executemany(conn, candidates)
    if history_rows:
        _INSERT_HISTORY.executemany(conn, history_rows)
    if effects.outbox:
        _INSERT_OUTBOX.executemany(
            conn,
            [
                {
                    "topic": e.topic,
                    "instance_id": instance_id,
                    "task_id": e.task_id,
                    "payload": e.payload,
                    "created_at": now,
                    "status": "pending",
                    "attempts": 0,
                    "available_at": now,
                }
                for e in effects.outbox
            ],
        )
    if effects.cc:
        _INSERT_CC.executemany(
            conn,
            [
                {
                    "instance_id": instance_id,
                    "user_id": c.user_id,
                    "node_id": c.node_id,
                    "by": c.by,
                    "at": now,
                }
                for c in effects.cc
            ],
        )
    if effects.new_jobs or effects.cancelled_jobs:  # timers and connector calls (engine/jobs)
        from engine.jobs.store import write_jobs

        write_jobs(conn, instance_id, effects.new_jobs, effects.cancelled_jobs, now)


__all__ = [
    "InstanceRecord",
    "TaskRecord",
    "insert_instance",
    "load_instance",
    "load_task",
    "open_tasks",
    "save_instance",
    "task_record",
    "tasks_by_id",
]
