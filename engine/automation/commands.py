"""Commands the worker runs for jobs: a fired timer, a finished connector call, an incident.

Each runs inside the job's transaction (``JobRun.commit``): load the instance, check the job
still applies (the token is still there and still holds the job), move tokens, save with the
``rev`` check. A job that no longer applies is finished without effect.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from engine.jobs.model import TASK_REMINDER, TASK_TIMEOUT, Job
from engine.org import Directory
from engine.runtime import RUNNING, Execution, InstanceState, Token
from engine.runtime.deadlines import OpenTask, remind_before, timed_out
from engine.runtime.timers import fire_boundary, fire_intermediate
from engine.service import ProcessEngine
from engine.store.instances import InstanceRecord, load_instance, open_tasks, save_instance
from engine.templates import plain

Step = Callable[[Execution, Token], None]


class AutomationCommands:
    def __init__(self, engine: ProcessEngine) -> None:
        self.engine = engine

    def _run(
        self,
        conn: sa.Connection,
        job: Job,
        now: datetime,
        step: Callable[[Execution, Token | None], None],
        *,
        needs_token: bool = True,
    ) -> bool:
        """Load, check, run ``step``, save; False when the job no longer applies."""
        if job.instance_id is None:
            return False
        rec = load_instance(conn, job.instance_id)
        if rec.status != RUNNING:
            return False
        state = InstanceState.from_json(rec.state)
        token = state.tokens.get(job.token_id) if job.token_id else None
        if needs_token and (token is None or job.id not in token.timers):
            return False  # the token moved on; its disarm and this firing crossed
        definition = self.engine.cache.get(conn, rec.definition_id)
        ex = self.engine._execution(
            definition, state, rec.data, rec.id, rec.starter, None, now, Directory(conn)
        )
        step(ex, token)
        self._save(conn, rec, ex, state, now, job)
        return True

    @staticmethod
    def _save(
        conn: sa.Connection, rec: InstanceRecord, ex: Execution, state: InstanceState, now: datetime, job: Job
    ) -> None:
        ProcessEngine._finish(rec, ex, state, now)
        save_instance(conn, rec, ex.effects, now, "timer", conflict_subject=f'instance "{rec.id}"')

    def fire_timer(self, conn: sa.Connection, job: Job, now: datetime) -> bool:
        def step(ex: Execution, token: Token | None) -> None:
            assert token is not None and job.node_id is not None
            node = ex.definition.nodes[job.node_id]
            if node.attached_to is not None:
                fire_boundary(ex, token, node, job.id, job.payload, job.due_at)
            else:
                fire_intermediate(ex, token, node, job.id)

        return self._run(conn, job, now, step)

    def task_deadline(self, conn: sa.Connection, job: Job, now: datetime) -> bool:
        tasks = {
            t.id: OpenTask(t.id, t.assignee, t.mi_index) for t in open_tasks(conn, job.instance_id or "")
        }

        def step(ex: Execution, token: Token | None) -> None:
            assert token is not None and job.node_id is not None
            node = ex.definition.nodes[job.node_id]
            if job.kind == TASK_REMINDER:
                remind_before(ex, token, node, job.id, tasks)
            elif job.kind == TASK_TIMEOUT:
                timed_out(ex, token, node, job.id, job.payload, job.due_at, tasks)

        return self._run(conn, job, now, step)

    def complete_service_task(
        self, conn: sa.Connection, job: Job, now: datetime, outputs: dict[str, Any]
    ) -> bool:
        def step(ex: Execution, token: Token | None) -> None:
            assert token is not None and job.node_id is not None
            node = ex.definition.nodes[job.node_id]
            token.timers.remove(job.id)
            _merge(ex, job.payload.get("result_variable"), outputs)
            ex.record(
                "connector_completed",
                None,
                node_id=node.id,
                details={"connector": job.payload.get("connector"), "fields": sorted(outputs)},
            )
            ex.leave(token, ex.matching_flows(node, token, first_only=False))
            ex.run()

        return self._run(conn, job, now, step)

    def apply_call_result(
        self, conn: sa.Connection, job: Job, now: datetime, outputs: dict[str, Any]
    ) -> bool:
        """A rule's ``call`` came back: merge the mapped answer into the data (tokens stay)."""
        if not outputs and not job.payload.get("into"):
            return False

        def step(ex: Execution, token: Token | None) -> None:
            _merge(ex, job.payload.get("into"), outputs)
            ex.record(
                "connector_completed",
                None,
                node_id=job.node_id,
                details={"connector": job.payload.get("connector"), "rule": job.payload.get("rule")},
            )

        return self._run(conn, job, now, step, needs_token=False)

    def incident(self, conn: sa.Connection, job: Job, error: str) -> None:
        """A job of the instance went dead: say so in its history and the outbox (admins see it)."""
        now = self.engine.clock()

        def step(ex: Execution, token: Token | None) -> None:
            details = {
                "job_id": job.id,
                "kind": job.kind,
                "error": error[:500],
                "retry": f"jingwei jobs retry {job.id}",
            }
            ex.record("incident", None, node_id=job.node_id, details=details)
            ex.emit("instance.incident", {**details, "node_id": job.node_id})

        self._run(conn, job, now, step, needs_token=False)


def _merge(ex: Execution, into: str | None, outputs: dict[str, Any]) -> None:
    if into:
        ex.data[into] = plain(outputs)
    else:
        ex.data.update(plain(outputs))


__all__ = ["AutomationCommands"]
