"""Webhooks: fan-out from the outbox into delivery jobs, and one signed delivery per job.

Each delivery POSTs the event JSON with headers ``X-Jingwei-Event``, ``X-Jingwei-Delivery`` (the
job id: the same on every retry, for receivers to drop duplicates), ``X-Jingwei-Timestamp``
(unix seconds) and ``X-Jingwei-Signature: v1=<hex HMAC-SHA256 of "timestamp.body">``. Jobs of
one subscription and instance share an ``order_key``, so they are delivered in commit order;
a failing delivery holds back the later ones of that instance until it succeeds or goes dead.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from engine.clock import Clock, IdFactory
from engine.connectors.http import HttpFailure, HttpRequest, Transport, json_body, send, signature
from engine.jobs.model import WEBHOOK, Job
from engine.jobs.store import insert_jobs, job_row
from engine.jobs.worker import JobFailed, JobRun
from engine.outbox import OutboxRow
from engine.store import Database
from engine.webhooks.store import active_webhooks, load_webhook, log_delivery

MAX_ATTEMPTS = 10
TIMEOUT_SECONDS = 10.0


def fan_out(ids: IdFactory, clock: Clock) -> Callable[[sa.Connection, OutboxRow], None]:
    """An outbox consumer: one delivery job per matching active subscription."""

    cached: list[Any] = [0.0, []]  # (when read, subscriptions): one read per second, not per row

    def consume(conn: sa.Connection, row: OutboxRow) -> None:
        if time.monotonic() - cached[0] > 1.0:
            cached[:] = [time.monotonic(), active_webhooks(conn)]
        hooks = [h for h in cached[1] if "*" in h.events or row.topic in h.events]
        if not hooks:
            return
        event = {
            "schema_version": 1,
            "id": f"evt_{row.id}",
            "type": row.topic,
            "instance_id": row.instance_id,
            "task_id": row.task_id,
            "created_at": row.created_at.isoformat(timespec="microseconds") + "Z",
            "data": row.payload,
        }
        now = clock()
        insert_jobs(
            conn,
            [
                job_row(
                    id=ids(),
                    kind=WEBHOOK,
                    due_at=now,
                    now=now,
                    instance_id=row.instance_id,
                    payload={"webhook_id": h.id, "outbox_id": row.id, "topic": row.topic, "event": event},
                    max_attempts=MAX_ATTEMPTS,
                    order_key=f"webhook:{h.id}:{row.instance_id or '-'}",
                    seq=row.id,
                )
                for h in hooks
            ],
        )

    return consume


def deliver(db: Database, transport: Transport = send) -> Callable[[Job, JobRun], None]:
    """The job handler for ``webhook`` jobs."""

    def handle(job: Job, run: JobRun) -> None:
        with db.read() as conn:
            hook = load_webhook(conn, job.payload["webhook_id"])
        body = json_body(job.payload["event"])
        stamp = str(int(time.time()))
        request = HttpRequest(
            "POST",
            hook.url,
            {
                "Content-Type": "application/json",
                "User-Agent": "jingwei-webhooks/1",
                "X-Jingwei-Event": job.payload["topic"],
                "X-Jingwei-Delivery": job.id,
                "X-Jingwei-Timestamp": stamp,
                "X-Jingwei-Signature": signature(hook.secret, stamp, body),
            },
            body,
            TIMEOUT_SECONDS,
        )
        started = time.monotonic()
        status: int | None = None
        error: str | None = None
        try:
            status = transport(request).status
            if status >= 300:
                error = f"HTTP {status}"
        except HttpFailure as exc:
            error = str(exc)
        entry = {
            "webhook_id": hook.id,
            "job_id": job.id,
            "outbox_id": job.payload["outbox_id"],
            "topic": job.payload["topic"],
            "instance_id": job.instance_id,
            "attempt": job.attempts,
            "status": "failed" if error else "delivered",
            "http_status": status,
            "error": error,
            "duration_ms": int((time.monotonic() - started) * 1000),
            "at": run.now(),
        }
        if error is None:
            run.commit(lambda conn: log_delivery(conn, **entry))
            return
        with db.write() as conn:
            log_delivery(conn, **entry)
        raise JobFailed(f"webhook {hook.url}: {error}")  # at least once: every failure is retried

    return handle


__all__ = ["MAX_ATTEMPTS", "deliver", "fan_out"]
