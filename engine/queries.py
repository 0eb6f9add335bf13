"""Read side: task lists, instance details with history, definitions."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

import sqlalchemy as sa

from engine.errors import NotFound
from engine.store.instances import load_instance, task_record
from engine.store.schema import history, instance_cc, instances, outbox, task_candidates, tasks
from engine.store.statements import FastStatement
from engine.views import HistoryView, InstanceView, TaskView

_Select = TypeVar("_Select", bound=sa.Select[Any])


# Every card the notifier builds reads one task, its instance's open tasks and its history:
# compiled once, run on the DB-API cursor (engine/store/statements.py).
_TASK_WITH_KEY = sa.select(tasks, instances.c.process_key).join(
    instances, instances.c.id == tasks.c.instance_id
)
_SELECT_TASK = FastStatement(_TASK_WITH_KEY.where(tasks.c.id == sa.bindparam("task_id")))
_SELECT_OPEN_TASKS = FastStatement(
    _TASK_WITH_KEY.where(tasks.c.instance_id == sa.bindparam("instance_id"), tasks.c.status == "open")
    .order_by(tasks.c.created_at.desc(), tasks.c.id.desc())
    .limit(200)
)
_SELECT_HISTORY = FastStatement(
    sa.select(history).where(history.c.instance_id == sa.bindparam("instance_id")).order_by(history.c.seq)
)


def _task_views(
    conn: sa.Connection, found: Sequence[sa.Row[tuple[object, ...]] | Mapping[str, Any]], keys: dict[str, str]
) -> list[TaskView]:
    rows: list[Mapping[str, Any]] = [r if isinstance(r, Mapping) else dict(r._mapping) for r in found]
    pooled = [r["id"] for r in rows if r["assignee"] is None]
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
        rec = task_record(row, candidates.get(row["id"], []))
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


def _task_filters(
    stmt: _Select, assignee: str | None, instance_id: str | None, status: str | None
) -> _Select:
    if assignee is not None:
        offered = sa.select(task_candidates.c.task_id).where(task_candidates.c.user_id == assignee)
        stmt = stmt.where(sa.or_(tasks.c.assignee == assignee, tasks.c.id.in_(offered)))
    if instance_id is not None:
        stmt = stmt.where(tasks.c.instance_id == instance_id)
    if status is not None:
        stmt = stmt.where(tasks.c.status == status)
    return stmt


def list_tasks(
    conn: sa.Connection,
    *,
    assignee: str | None = None,
    instance_id: str | None = None,
    status: str | None = "open",
    limit: int = 200,
    offset: int = 0,
) -> list[TaskView]:
    """Tasks, newest first; ``assignee`` also matches tasks offered to that user as a candidate."""
    stmt = sa.select(tasks, instances.c.process_key).join(instances, instances.c.id == tasks.c.instance_id)
    stmt = _task_filters(stmt, assignee, instance_id, status)
    stmt = stmt.order_by(tasks.c.created_at.desc(), tasks.c.id.desc()).limit(limit).offset(offset or None)
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
        tasks=_task_views(
            conn, _SELECT_OPEN_TASKS.all(conn, {"instance_id": instance_id}), {rec.id: rec.process_key}
        ),
    )
    if with_history:
        view.history = [
            HistoryView(
                r["seq"],
                r["at"],
                r["actor"],
                r["action"],
                r["node_id"],
                r["task_id"],
                r["channel"],
                r["details"],
                r["hash"],
            )
            for r in _SELECT_HISTORY.all(conn, {"instance_id": instance_id})
        ]
    return view


def _instance_filters(
    stmt: _Select,
    starter: str | None,
    status: str | None,
    process_key: str | None,
    involved: str | None = None,
) -> _Select:
    if involved is not None:
        stmt = stmt.where(involving(involved))
    if starter is not None:
        stmt = stmt.where(instances.c.starter == starter)
    if status is not None:
        stmt = stmt.where(instances.c.status == status)
    if process_key is not None:
        stmt = stmt.where(instances.c.process_key == process_key)
    return stmt


def list_instances(
    conn: sa.Connection,
    *,
    starter: str | None = None,
    status: str | None = None,
    process_key: str | None = None,
    involved: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[InstanceView]:
    """Instances, newest first; ``involved`` keeps those a user started, was offered or copied on."""
    stmt = _instance_filters(sa.select(instances), starter, status, process_key, involved)
    stmt = stmt.order_by(instances.c.started_at.desc(), instances.c.id.desc()).limit(limit)
    stmt = stmt.offset(offset or None)
    return [InstanceView.from_row(r) for r in conn.execute(stmt)]


def count_instances(
    conn: sa.Connection,
    *,
    starter: str | None = None,
    status: str | None = None,
    process_key: str | None = None,
    involved: str | None = None,
) -> int:
    """How many instances ``list_instances`` would page through with the same filters."""
    stmt = _instance_filters(
        sa.select(sa.func.count()).select_from(instances), starter, status, process_key, involved
    )
    return int(conn.execute(stmt).scalar_one())


def count_tasks(
    conn: sa.Connection,
    *,
    assignee: str | None = None,
    instance_id: str | None = None,
    status: str | None = "open",
) -> int:
    """How many tasks ``list_tasks`` would page through with the same filters."""
    stmt = _task_filters(sa.select(sa.func.count()).select_from(tasks), assignee, instance_id, status)
    return int(conn.execute(stmt).scalar_one())


def count_outbox(conn: sa.Connection, *, status: str = "pending") -> int:
    """Outbox rows in ``status`` (the dispatchers' backlog when pending)."""
    return int(conn.execute(sa.select(sa.func.count()).where(outbox.c.status == status)).scalar_one())


def task_view(conn: sa.Connection, task_id: str) -> TaskView:
    row = _SELECT_TASK.first(conn, {"task_id": task_id})
    if row is None:
        raise NotFound(f'unknown task "{task_id}"')
    return _task_views(conn, [row], {row["instance_id"]: row["process_key"]})[0]


def involving(user: str) -> sa.ColumnElement[bool]:
    """A filter on ``instances``: started by ``user``, offered to them, or copied to them."""
    offered = sa.select(tasks.c.instance_id).where(
        sa.or_(
            tasks.c.assignee == user,
            tasks.c.id.in_(sa.select(task_candidates.c.task_id).where(task_candidates.c.user_id == user)),
        )
    )
    copied = sa.select(instance_cc.c.instance_id).where(instance_cc.c.user_id == user)
    return sa.or_(instances.c.starter == user, instances.c.id.in_(offered), instances.c.id.in_(copied))


def is_participant(conn: sa.Connection, instance_id: str, user_id: str) -> bool:
    """Whether ``user_id`` is or was an assignee or candidate of any task of the instance, or was CC'd."""
    offered = sa.select(task_candidates.c.task_id).where(task_candidates.c.user_id == user_id)
    mine = sa.or_(tasks.c.assignee == user_id, tasks.c.id.in_(offered))
    stmt = sa.select(tasks.c.id).where(tasks.c.instance_id == instance_id, mine).limit(1)
    if conn.execute(stmt).first() is not None:
        return True
    copied = sa.select(instance_cc.c.user_id).where(
        instance_cc.c.instance_id == instance_id, instance_cc.c.user_id == user_id
    )
    return conn.execute(copied).first() is not None


__all__ = [
    "count_instances",
    "count_outbox",
    "count_tasks",
    "instance_view",
    "involving",
    "is_participant",
    "list_instances",
    "list_tasks",
    "task_view",
]
