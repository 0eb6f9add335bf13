"""Reading and writing one instance and everything a command changed.

``insert_instance`` and ``save_instance`` are the only writers of instances, tasks,
history and outbox rows: every write of a command is visible here, in one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from engine.errors import Conflict, NotFound
from engine.runtime.effects import Effects
from engine.store.history import GENESIS, chain_rows
from engine.store.schema import history, instances, outbox, task_candidates, tasks


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
_SELECT_INSTANCE = sa.select(*_INSTANCE_COLS).where(instances.c.id == sa.bindparam("id"))
_SELECT_TASK_AND_INSTANCE = (
    sa.select(tasks, *_INSTANCE_COLS)
    .join(instances, instances.c.id == tasks.c.instance_id)
    .where(tasks.c.id == sa.bindparam("task_id"))
)
_SELECT_CANDIDATES = sa.select(task_candidates.c.user_id).where(task_candidates.c.task_id == sa.bindparam("task_id"))
_UPDATE_INSTANCE = (
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
_CLOSE_TASK = (
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


def _instance(row: Any) -> InstanceRecord:
    return InstanceRecord(
        id=row.i_id,
        definition_id=row.definition_id,
        process_key=row.process_key,
        version=row.version,
        status=row.i_status,
        starter=row.starter,
        data=row.data,
        state=row.state,
        rev=row.rev,
        history_seq=row.history_seq,
        history_hash=row.history_hash,
        started_at=row.started_at,
        ended_at=row.ended_at,
    )


def task_record(row: Any, candidates: list[str]) -> TaskRecord:
    return TaskRecord(
        id=row.id,
        instance_id=row.instance_id,
        node_id=row.node_id,
        name=row.name,
        token_id=row.token_id,
        mi_index=row.mi_index,
        assignee=row.assignee,
        status=row.status,
        outcome=row.outcome,
        completed_by=row.completed_by,
        created_at=row.created_at,
        completed_at=row.completed_at,
        candidates=candidates,
    )


def load_instance(conn: sa.Connection, instance_id: str) -> InstanceRecord:
    row = conn.execute(_SELECT_INSTANCE, {"id": instance_id}).first()
    if row is None:
        raise NotFound(f'unknown instance "{instance_id}"')
    return _instance(row)


def load_task(conn: sa.Connection, task_id: str) -> tuple[TaskRecord, InstanceRecord]:
    row = conn.execute(_SELECT_TASK_AND_INSTANCE, {"task_id": task_id}).first()
    if row is None:
        raise NotFound(f'unknown task "{task_id}"')
    candidates: list[str] = []
    if row.assignee is None:
        candidates = list(conn.execute(_SELECT_CANDIDATES, {"task_id": task_id}).scalars())
    return task_record(row, candidates), _instance(row)


def insert_instance(conn: sa.Connection, rec: InstanceRecord, effects: Effects, now: datetime, channel: str | None) -> None:
    rows, rec.history_seq, rec.history_hash = chain_rows(rec.id, 0, GENESIS, effects.history, now, channel)
    conn.execute(
        instances.insert(),
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
    )
    _write_effects(conn, rec.id, effects, rows, now)


def save_instance(
    conn: sa.Connection,
    rec: InstanceRecord,
    effects: Effects,
    now: datetime,
    channel: str | None,
    *,
    conflict_subject: str,
) -> None:
    """Write the instance back if nobody else did since we read it, then the effects."""
    rows, seq, digest = chain_rows(rec.id, rec.history_seq, rec.history_hash, effects.history, now, channel)
    result = conn.execute(
        _UPDATE_INSTANCE,
        {
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
        },
    )
    if result.rowcount != 1:
        raise Conflict(f"{conflict_subject} was changed by someone else at the same time; reload and try again")
    rec.rev += 1
    rec.history_seq, rec.history_hash = seq, digest
    _write_effects(conn, rec.id, effects, rows, now)


def _write_effects(
    conn: sa.Connection, instance_id: str, effects: Effects, history_rows: list[dict[str, Any]], now: datetime
) -> None:
    if effects.closed_tasks:
        conn.execute(
            _CLOSE_TASK,
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
        conn.execute(
            tasks.insert(),
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
            conn.execute(task_candidates.insert(), candidates)
    if history_rows:
        conn.execute(history.insert(), history_rows)
    if effects.outbox:
        conn.execute(
            outbox.insert(),
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


__all__ = ["InstanceRecord", "TaskRecord", "insert_instance", "load_instance", "load_task", "save_instance", "task_record"]
