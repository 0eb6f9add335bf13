"""The engine's public face: deploy, start, act, withdraw, urge, and the read side.

Every command is one transaction (``Database.write``): load, run the tokens in
memory, write instance + tasks + history + outbox, commit. Nothing is written when
a command fails.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection

from engine import definitions as defs
from engine.clock import Clock, IdFactory, new_id, utcnow
from engine.errors import Conflict, InvalidInput, NotAllowed, NotFound
from engine.model import Node, ProcessDefinition
from engine.org import Directory, resolve_approvers
from engine.queries import instance_view, list_instances, list_tasks
from engine.runtime import BEHAVIOURS, RUNNING, WITHDRAWN, Execution, InstanceState, decide
from engine.runtime.effects import NewTask
from engine.store import Database
from engine.store.history import HistoryCheck, verify_history
from engine.store.instances import (
    InstanceRecord,
    TaskRecord,
    insert_instance,
    load_instance,
    load_task,
    open_tasks,
    save_instance,
)
from engine.views import DefinitionView, InstanceView, TaskView

DECISIONS = {"approve": "approved", "reject": "rejected"}
ACTIONS = ("approve", "reject", "comment")
MAX_DATA_BYTES = 256 * 1024


def check_data(data: Any, what: str = "data") -> dict[str, Any]:
    """Form data must be a JSON object of bounded size."""
    if data is None:
        return {}
    if not isinstance(data, Mapping):
        raise InvalidInput(f"{what} must be a JSON object, not {type(data).__name__}")
    try:
        size = len(json.dumps(data, ensure_ascii=False))
    except (TypeError, ValueError) as exc:
        raise InvalidInput(f"{what} is not JSON: {exc}") from exc
    if size > MAX_DATA_BYTES:
        raise InvalidInput(f"{what} is {size} bytes; at most {MAX_DATA_BYTES} are accepted")
    return dict(data)


class ProcessEngine:
    def __init__(
        self,
        db: Database,
        *,
        clock: Clock = utcnow,
        ids: IdFactory = new_id,
        urge_interval: timedelta = timedelta(minutes=30),
    ) -> None:
        self.db = db
        self.clock = clock
        self.ids = ids
        self.urge_interval = urge_interval
        self.cache = defs.DefinitionCache()

    # --- definitions --------------------------------------------------------

    def deploy(self, source: bytes | str, *, by: str | None = None) -> DefinitionView:
        with self.db.write() as conn:
            return defs.deploy(conn, source, now=self.clock(), ids=self.ids, cache=self.cache, by=by)

    def definitions(self, *, latest_only: bool = False) -> list[DefinitionView]:
        with self.db.read() as conn:
            return defs.list_definitions(conn, latest_only=latest_only)

    def definition_xml(self, key: str, version: int | None = None) -> str:
        with self.db.read() as conn:
            return defs.definition_xml(conn, key, version)

    # --- commands -----------------------------------------------------------------

    def start(
        self,
        key: str,
        *,
        starter: str,
        data: Mapping[str, Any] | None = None,
        version: int | None = None,
        channel: str | None = None,
    ) -> InstanceView:
        values = check_data(data)
        now = self.clock()
        with self.db.write() as conn:
            directory = Directory(conn)
            directory.require_user(starter)
            definition_id, pinned = defs.resolve(conn, key, version)
            definition = self.cache.get(conn, definition_id)
            instance_id = self.ids()
            state = InstanceState()
            ex = self._execution(definition, state, values, instance_id, starter, starter, now, directory)
            ex.record("started", starter, details={"process_key": key, "version": pinned})
            ex.emit("instance.started", {"process_key": key, "version": pinned, "starter": starter})
            ex.schedule(state.new_token(definition.start_node, None))
            ex.run()
            rec = InstanceRecord(
                id=instance_id,
                definition_id=definition_id,
                process_key=key,
                version=pinned,
                status=ex.status,
                starter=starter,
                data=values,
                state=state.to_json(),
                rev=1,
                history_seq=0,
                history_hash="",
                started_at=now,
                ended_at=None if ex.status == RUNNING else now,
            )
            insert_instance(conn, rec, ex.effects, now, channel)
        return self._view(rec, [self._new_task_view(t, key) for t in ex.effects.new_tasks])

    def act(
        self,
        task_id: str,
        action: str,
        *,
        actor: str,
        comment: str | None = None,
        data: Mapping[str, Any] | None = None,
        channel: str | None = None,
    ) -> InstanceView:
        if action not in ACTIONS:
            raise InvalidInput(f'unknown action "{action}"; use one of: {", ".join(ACTIONS)}')
        values = check_data(data)
        now = self.clock()
        with self.db.write() as conn:
            task, rec = load_task(conn, task_id)
            directory = Directory(conn)
            self._check_actor(directory, task, rec, actor, action)
            definition = self.cache.get(conn, rec.definition_id)
            state = InstanceState.from_json(rec.state)
            rec.data.update(values)
            ex = self._execution(definition, state, rec.data, rec.id, rec.starter, actor, now, directory)
            if action == "comment":
                if not comment:
                    raise InvalidInput("a comment needs text: --comment TEXT")
                ex.record(
                    "commented", actor, node_id=task.node_id, task_id=task.id, details={"comment": comment}
                )
                ex.emit("instance.commented", {"by": actor, "comment": comment}, task_id=task.id)
            else:
                token = state.tokens.get(task.token_id)
                if token is None or task.id not in token.tasks:
                    raise Conflict(f'task "{task.id}" is no longer waiting for a decision')
                node = definition.nodes[task.node_id]
                decide(
                    ex,
                    token,
                    node,
                    task_id=task.id,
                    mi_index=task.mi_index,
                    outcome=DECISIONS[action],
                    actor=actor,
                    comment=comment,
                )
                ex.run()
            self._finish(rec, ex, state, now)
            save_instance(conn, rec, ex.effects, now, channel, conflict_subject=f'task "{task.id}"')
            answer = self._answer(conn, rec, ex)
        return answer

    def withdraw(
        self, instance_id: str, *, actor: str, reason: str | None = None, channel: str | None = None
    ) -> InstanceView:
        now = self.clock()
        with self.db.write() as conn:
            rec = load_instance(conn, instance_id)
            if rec.starter != actor:
                raise NotAllowed(f'only the starter ({rec.starter}) can withdraw instance "{instance_id}"')
            self._require_running(rec)
            state = InstanceState.from_json(rec.state)
            if state.decided:
                raise NotAllowed(
                    f'instance "{instance_id}" cannot be withdrawn: an approver has already decided'
                )
            directory = Directory(conn)
            definition = self.cache.get(conn, rec.definition_id)
            ex = self._execution(definition, state, rec.data, rec.id, rec.starter, actor, now, directory)
            ex.end(WITHDRAWN, reason=reason or "withdrawn by the starter", actor=actor)
            self._finish(rec, ex, state, now)
            save_instance(conn, rec, ex.effects, now, channel, conflict_subject=f'instance "{instance_id}"')
            answer = self._answer(conn, rec, ex)
        return answer

    def urge(self, instance_id: str, *, actor: str, channel: str | None = None) -> InstanceView:
        """Remind the current approvers; at most once per ``urge_interval`` per instance."""
        now = self.clock()
        with self.db.write() as conn:
            rec = load_instance(conn, instance_id)
            if rec.starter != actor:
                raise NotAllowed(f'only the starter ({rec.starter}) can urge instance "{instance_id}"')
            self._require_running(rec)
            state = InstanceState.from_json(rec.state)
            if state.last_urged_at is not None:
                wait = datetime.fromisoformat(state.last_urged_at) + self.urge_interval - now
                if wait > timedelta(0):
                    minutes = max(1, int(wait.total_seconds() // 60))
                    raise Conflict(f'instance "{instance_id}" was urged recently; try again in {minutes} min')
            open_tasks = list_tasks(conn, instance_id=instance_id)
            people = sorted({p for t in open_tasks for p in ([t.assignee] if t.assignee else t.candidates)})
            state.last_urged_at = now.isoformat()
            definition = self.cache.get(conn, rec.definition_id)
            ex = self._execution(
                definition, state, rec.data, rec.id, rec.starter, actor, now, Directory(conn)
            )
            ex.record("urged", actor, details={"recipients": people})
            ex.emit(
                "instance.urged", {"by": actor, "recipients": people, "task_ids": [t.id for t in open_tasks]}
            )
            self._finish(rec, ex, state, now)
            save_instance(conn, rec, ex.effects, now, channel, conflict_subject=f'instance "{instance_id}"')
            answer = self._answer(conn, rec, ex)
        return answer

    # --- queries ------------------------------------------------------------------

    def tasks(
        self, *, assignee: str | None = None, instance_id: str | None = None, status: str | None = "open"
    ) -> list[TaskView]:
        with self.db.read() as conn:
            return list_tasks(conn, assignee=assignee, instance_id=instance_id, status=status)

    def instance(self, instance_id: str, *, with_history: bool = True) -> InstanceView:
        with self.db.read() as conn:
            return instance_view(conn, instance_id, with_history=with_history)

    def instances(self, **filters: Any) -> list[InstanceView]:
        with self.db.read() as conn:
            return list_instances(conn, **filters)

    def verify_history(self, instance_id: str) -> HistoryCheck:
        with self.db.read() as conn:
            return verify_history(conn, instance_id)

    # --- internals ----------------------------------------------------------------

    def _execution(
        self,
        definition: ProcessDefinition,
        state: InstanceState,
        data: dict[str, Any],
        instance_id: str,
        starter: str,
        actor: str | None,
        now: datetime,
        directory: Directory,
    ) -> Execution:
        def approvers(node: Node, variables: Mapping[str, Any]) -> list[str]:
            return resolve_approvers(
                node.approver, starter=starter, data=data, directory=directory, variables=variables
            )

        return Execution(
            definition,
            state,
            data,
            instance_id=instance_id,
            starter=starter,
            actor=actor,
            now=now,
            ids=self.ids,
            approvers=approvers,
            behaviours=BEHAVIOURS,
        )

    @staticmethod
    def _require_running(rec: InstanceRecord) -> None:
        if rec.status != RUNNING:
            raise Conflict(f'instance "{rec.id}" is already {rec.status}')

    @staticmethod
    def _check_actor(
        directory: Directory, task: TaskRecord, rec: InstanceRecord, actor: str, action: str
    ) -> None:
        if task.status != "open":
            by = f" by {task.completed_by}" if task.completed_by else ""
            raise Conflict(f'task "{task.id}" was already {task.status}{by}')
        if actor == task.assignee or actor in task.candidates:
            return
        if action == "comment" and actor == rec.starter:
            return
        if directory.user(actor) is None:
            raise NotFound(f'unknown user "{actor}"')
        raise NotAllowed(f'{actor} is not an approver of task "{task.id}"')

    @staticmethod
    def _finish(rec: InstanceRecord, ex: Execution, state: InstanceState, now: datetime) -> None:
        rec.status = ex.status
        rec.state = state.to_json()
        if ex.status != RUNNING:
            rec.ended_at = now

    def _answer(self, conn: Connection, rec: InstanceRecord, ex: Execution) -> InstanceView:
        """The command's answer; a read only when tasks opened by earlier commands are still open."""
        new = {t.id: t for t in ex.effects.new_tasks}
        open_ids = [tid for token in ex.state.tokens.values() for tid in token.tasks]
        if all(tid in new for tid in open_ids):
            views = [self._new_task_view(new[tid], rec.process_key) for tid in open_ids]
        else:
            views = [self._task_view(t, rec.process_key) for t in open_tasks(conn, rec.id)]
        return self._view(rec, views)

    @staticmethod
    def _task_view(task: TaskRecord, process_key: str) -> TaskView:
        return TaskView(
            id=task.id,
            instance_id=task.instance_id,
            node_id=task.node_id,
            name=task.name,
            assignee=task.assignee,
            candidates=task.candidates,
            status=task.status,
            created_at=task.created_at,
            process_key=process_key,
        )

    @staticmethod
    def _new_task_view(task: NewTask, process_key: str) -> TaskView:
        return TaskView(
            id=task.id,
            instance_id="",
            node_id=task.node_id,
            name=task.name,
            assignee=task.assignee,
            candidates=task.candidates,
            status="open",
            created_at=task.created_at,
            process_key=process_key,
        )

    @staticmethod
    def _view(rec: InstanceRecord, open_tasks: list[TaskView]) -> InstanceView:
        """The answer to a command: the instance as committed, with its open tasks."""
        for task in open_tasks:
            task.instance_id = rec.id
        return InstanceView(
            id=rec.id,
            process_key=rec.process_key,
            version=rec.version,
            definition_id=rec.definition_id,
            status=rec.status,
            starter=rec.starter,
            data=rec.data,
            started_at=rec.started_at,
            ended_at=rec.ended_at,
            tasks=open_tasks,
        )


__all__ = ["ACTIONS", "ProcessEngine", "check_data"]
