"""Admin operations (A9): terminate, reassign, jump. Each needs a reason and leaves a history row.

Who is an admin is decided in one place (``engine.admins``). Each operation is one command:
one transaction with the instance's ``rev`` check, like every other.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine.admins import require_admin
from engine.errors import Conflict, InvalidInput, NotFound
from engine.org import Directory
from engine.runtime import InstanceState
from engine.runtime.admin_ops import jump, terminate
from engine.runtime.delegation import transfer
from engine.store.instances import load_instance, load_task, save_instance
from engine.views import InstanceView

if TYPE_CHECKING:
    from engine.service import ProcessEngine

MAX_REASON = 1000


def _reason(reason: str | None, what: str) -> str:
    text = (reason or "").strip()
    if not text:
        raise InvalidInput(f"{what} needs a reason: --reason TEXT", details={"field": "reason"})
    if len(text) > MAX_REASON:
        raise InvalidInput(f"a reason has at most {MAX_REASON} characters", details={"field": "reason"})
    return text


def terminate_instance(
    engine: ProcessEngine, instance_id: str, *, actor: str, reason: str | None, channel: str | None
) -> InstanceView:
    text = _reason(reason, "terminate")
    now = engine.clock()
    with engine.db.write() as conn:
        rec = load_instance(conn, instance_id)
        directory = Directory(conn)
        definition = engine.cache.get(conn, rec.definition_id)
        require_admin(directory, definition, actor, "terminate an instance")
        _running(rec.status, rec.id)
        state = InstanceState.from_json(rec.state)
        ex = engine._execution(definition, state, rec.data, rec.id, rec.starter, actor, now, directory)
        terminate(ex, actor=actor, reason=text)
        engine._finish(rec, ex, state, now)
        save_instance(conn, rec, ex.effects, now, channel, conflict_subject=f'instance "{instance_id}"')
        return engine._answer(conn, rec, ex)


def jump_instance(
    engine: ProcessEngine,
    instance_id: str,
    *,
    actor: str,
    node: str | None,
    reason: str | None,
    channel: str | None,
) -> InstanceView:
    text = _reason(reason, "jump")
    if not node:
        raise InvalidInput("jump needs --node NODE_ID", details={"field": "node"})
    now = engine.clock()
    with engine.db.write() as conn:
        rec = load_instance(conn, instance_id)
        directory = Directory(conn)
        definition = engine.cache.get(conn, rec.definition_id)
        require_admin(directory, definition, actor, "move an instance to another node")
        _running(rec.status, rec.id)
        state = InstanceState.from_json(rec.state)
        ex = engine._execution(definition, state, rec.data, rec.id, rec.starter, actor, now, directory)
        jump(ex, actor=actor, node_id=node, reason=text)
        ex.run()
        engine._finish(rec, ex, state, now)
        save_instance(conn, rec, ex.effects, now, channel, conflict_subject=f'instance "{instance_id}"')
        return engine._answer(conn, rec, ex)


def reassign_task(
    engine: ProcessEngine,
    task_id: str,
    *,
    actor: str,
    to: str | None,
    reason: str | None,
    channel: str | None,
) -> InstanceView:
    text = _reason(reason, "reassign")
    if not to:
        raise InvalidInput("reassign needs --to USER", details={"field": "to"})
    now = engine.clock()
    with engine.db.write() as conn:
        task, rec = load_task(conn, task_id)
        directory = Directory(conn)
        definition = engine.cache.get(conn, rec.definition_id)
        require_admin(directory, definition, actor, "reassign a task")
        if task.status != "open":
            raise Conflict(f'task "{task_id}" was already {task.status}; only open tasks can be reassigned')
        if not directory.active_users([to]):
            raise NotFound(f"not an active user: {to}", details={"field": "to"})
        state = InstanceState.from_json(rec.state)
        token = state.tokens.get(task.token_id)
        if token is None or task.id not in token.tasks:
            raise Conflict(f'task "{task.id}" is no longer waiting for a decision')
        ex = engine._execution(definition, state, rec.data, rec.id, rec.starter, actor, now, directory)
        transfer(
            ex,
            token,
            definition.nodes[task.node_id],
            task_id=task.id,
            mi_index=task.mi_index,
            name=task.name,
            holder=task.assignee or ",".join(task.candidates),
            to=to,
            actor=actor,
            reason=text,
            action="reassigned",
        )
        engine._finish(rec, ex, state, now)
        save_instance(conn, rec, ex.effects, now, channel, conflict_subject=f'task "{task_id}"')
        return engine._answer(conn, rec, ex)


def _running(status: str, instance_id: str) -> None:
    if status != "running":
        raise Conflict(f'instance "{instance_id}" is already {status}')


__all__ = ["jump_instance", "reassign_task", "terminate_instance"]
