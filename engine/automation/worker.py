"""The worker as the product runs it: every job kind's handler, the outbox relay, incidents.

``build_worker(engine)`` gives a ``Worker`` with ``start()`` / ``stop()`` for ``jingwei worker``
and the web app's cleanup context, and ``run_due()`` / ``drain()`` for tests with a fake clock.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from engine.automation.commands import AutomationCommands
from engine.clock import Clock
from engine.connectors.calls import call
from engine.connectors.http import Transport, send
from engine.connectors.store import load_connector
from engine.errors import NotFound
from engine.jobs.model import CONNECTOR, START, TASK_REMINDER, TASK_TIMEOUT, TIMER, WEBHOOK, Job
from engine.jobs.worker import Handler, JobFailed, JobRun, Worker
from engine.outbox import OutboxRelay
from engine.service import ProcessEngine
from engine.store.instances import load_instance
from engine.timers.schedule import ScheduleSpec
from engine.timers.scheduling import arm_start
from engine.webhooks.delivery import deliver, fan_out


def build_worker(
    engine: ProcessEngine,
    *,
    transport: Transport = send,
    clock: Clock | None = None,
    owner: str | None = None,
    poll_seconds: float = 1.0,
    lock_for: timedelta = timedelta(seconds=60),
    batch: int = 20,
    backoff_base: float = 10.0,
) -> Worker:
    commands = AutomationCommands(engine)
    db = engine.db
    when = clock or engine.clock

    def timer(job: Job, run: JobRun) -> None:
        run.commit(lambda conn: _ignore(commands.fire_timer(conn, job, run.now())))

    def deadline(job: Job, run: JobRun) -> None:
        run.commit(lambda conn: _ignore(commands.task_deadline(conn, job, run.now())))

    def connector(job: Job, run: JobRun) -> None:
        with db.read() as conn:
            try:
                config = load_connector(conn, job.payload["connector"])
            except NotFound as exc:
                raise JobFailed(exc.message, permanent=True) from exc
            rec = load_instance(conn, job.instance_id) if job.instance_id else None
        variables: dict[str, Any] = {"job_id": job.id, "node_id": job.node_id}
        if rec is not None:
            variables.update(rec.data)
            variables.update(starter=rec.starter, instance_id=rec.id, process_key=rec.process_key)
        outputs, _ = call(config, variables, job.id, transport)
        if job.payload.get("mode") == "task":
            run.commit(lambda conn: _ignore(commands.complete_service_task(conn, job, run.now(), outputs)))
        else:
            run.commit(lambda conn: _ignore(commands.apply_call_result(conn, job, run.now(), outputs)))

    def start(job: Job, run: JobRun) -> None:
        payload = job.payload

        def effect(conn: sa.Connection) -> None:
            # engine.start joins this transaction (Database.write nests): start and job commit together
            engine.start(
                payload["process_key"],
                starter=payload["starter"],
                data=payload.get("data") or {},
                channel="schedule" if payload.get("scheduled") else "rule",
            )
            now = run.now()
            following = ScheduleSpec.following(payload.get("cycle"), max(job.due_at, now))
            if payload.get("scheduled") and following is not None:
                arm_start(
                    conn, payload["process_key"], payload["starter"], following, now=now, ids=engine.ids
                )

        run.commit(effect)

    handlers: dict[str, Handler] = {
        TIMER: timer,
        TASK_TIMEOUT: deadline,
        TASK_REMINDER: deadline,
        CONNECTOR: connector,
        START: start,
        WEBHOOK: deliver(db, transport),
    }

    def incident(conn: sa.Connection, job: Job, error: str) -> None:
        if job.instance_id is not None:
            commands.incident(conn, job, error)

    relay = OutboxRelay(db, [fan_out(engine.ids, when)], clock=when)
    return Worker(
        db,
        handlers,
        on_dead={kind: incident for kind in (TIMER, TASK_TIMEOUT, TASK_REMINDER, CONNECTOR, START)},
        loops=[relay],
        owner=owner,
        clock=when,
        batch=batch,
        lock_for=lock_for,
        poll_seconds=poll_seconds,
        backoff_base=backoff_base,
    )


def _ignore(applied: bool) -> None:
    """A job that no longer applies (the token moved on) is simply done."""


__all__ = ["build_worker"]
