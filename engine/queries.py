"""Read side: task lists, instance details with history, definitions."""

from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa

from engine.store.instances import load_instance, task_record
from engine.store.schema import history, instances, task_candidates, tasks
from engine.views import HistoryView, InstanceView, TaskView


def _task_views(
    conn: sa.Connection, rows: list[sa.Row[tuple[object, ...]]], keys: dict[str, str]
) -> list[TaskView]:
    pooled = [r.id for r in rows if r.assignee is None]
    candidates: dict[str, list[str]] = defaultdict(list)
    if pooled:
        for tid, uid in conn.execute(
            sa.select(task_candidates.c.task_id, task_candidates.c.user_id).where(
                task_candidates.c.task_id.in_(pooled)
            )
        ):
            candidates[tid].append(uid)
    views = []
    for row in rows:
        rec = task_record(dict(row._mapping), candidates.get(row.id, []))
        views.append(
            TaskView(
                id=rec.id,
                instance_id=rec.instance_id,
                node_id=rec.node_id,
                name=rec.name,
                assignee=rec.assignee,
                candidates=rec.candidates,
                status=rec.status,
                created_at=rec.created_at,
                outcome=rec.outcome,
                completed_by=rec.completed_by,
                completed_at=rec.completed_at,
                process_key=keys.get(rec.instance_id),
            )
        )
    return views


def list_tasks(
    conn: sa.Connection,
    *,
    assignee: str | None = None,
    instance_id: str | None = None,
    status: str | None = "open",
    limit: int = 200,
) -> list[TaskView]:
    """Tasks, newest first; ``assignee`` also matches tasks offered to that user as a candidate."""
    stmt = sa.select(tasks, instances.c.process_key).join(instances, instances.c.id == tasks.c.instance_id)
    if assignee is not None:
        offered = sa.select(task_candidates.c.task_id).where(task_candidates.c.user_id == assignee)
        stmt = stmt.where(sa.or_(tasks.c.assignee == assignee, tasks.c.id.in_(offered)))
    if instance_id is not None:
        stmt = stmt.where(tasks.c.instance_id == instance_id)
    if status is not None:
        stmt = stmt.where(tasks.c.status == status)
    stmt = stmt.order_by(tasks.c.created_at.desc(), tasks.c.id.desc()).limit(limit)
    rows = list(conn.execute(stmt).all())
    return _task_views(conn, rows, {r.instance_id: r.process_key for r in rows})


def instance_view(conn: sa.Connection, instance_id: str, *, with_history: bool = True) -> InstanceView:
    rec = load_instance(conn, instance_id)
    view = InstanceView(
        id=rec.id,
        process_key=rec.process_key,
        version=rec.version,
        definition_id=rec.definition_id,
        status=rec.status,
        starter=rec.starter,
        data=rec.data,
        started_at=rec.started_at,
        ended_at=rec.ended_at,
        tasks=list_tasks(conn, instance_id=instance_id, status="open"),
    )
    if with_history:
        rows = conn.execute(
            sa.select(history).where(history.c.instance_id == instance_id).order_by(history.c.seq)
        )
        view.history = [
            HistoryView(r.seq, r.at, r.actor, r.action, r.node_id, r.task_id, r.channel, r.details, r.hash)
            for r in rows
        ]
    return view


def list_instances(
    conn: sa.Connection,
    *,
    starter: str | None = None,
    status: str | None = None,
    process_key: str | None = None,
    limit: int = 100,
) -> list[InstanceView]:
    stmt = sa.select(instances)
    if starter is not None:
        stmt = stmt.where(instances.c.starter == starter)
    if status is not None:
        stmt = stmt.where(instances.c.status == status)
    if process_key is not None:
        stmt = stmt.where(instances.c.process_key == process_key)
    stmt = stmt.order_by(instances.c.started_at.desc(), instances.c.id.desc()).limit(limit)
    return [
        InstanceView(
            id=r.id,
            process_key=r.process_key,
            version=r.version,
            definition_id=r.definition_id,
            status=r.status,
            starter=r.starter,
            data=r.data,
            started_at=r.started_at,
            ended_at=r.ended_at,
        )
        for r in conn.execute(stmt)
    ]


__all__ = ["instance_view", "list_instances", "list_tasks"]
