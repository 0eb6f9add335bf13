"""The ``jobs`` table: writing jobs with a command, claiming due ones, finishing and retrying them.

Claiming is safe with several worker processes on one database: PostgreSQL and MariaDB lock
the candidate rows with ``SELECT … FOR UPDATE SKIP LOCKED`` (each worker takes different
rows); SQLite claims under ``BEGIN IMMEDIATE`` (one writer at a time). A claim sets
``lock_owner`` and ``locked_until``; a worker that dies leaves its jobs ``running`` with an
expired lock, and the next claim takes them over. Finishing is conditional on still owning
the lock, so a job whose lock was taken over never commits its effects twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from engine.errors import Conflict, NotFound
from engine.jobs.model import CANCELLED, DEAD, DONE, PAYLOAD_VERSION, PENDING, RUNNING, Job
from engine.runtime.effects import NewJob
from engine.store import Database
from engine.store.schema import jobs
from engine.store.statements import FastStatement

_INSERT = FastStatement(jobs.insert().values({c.name: sa.bindparam(c.name) for c in jobs.c}))
_CANCEL = FastStatement(
    jobs.update()
    .where(jobs.c.id == sa.bindparam("b_id"), jobs.c.status == PENDING)
    .values(status=CANCELLED, finished_at=sa.bindparam("finished_at"))
)
_COLUMNS = [c.name for c in jobs.c]


class LostLock(Conflict):
    """The job's lock expired and another worker took it over; this worker's result is dropped."""

    code = "job_lock_lost"


def job_row(
    *,
    id: str,
    kind: str,
    due_at: datetime,
    payload: Mapping[str, Any],
    now: datetime,
    instance_id: str | None = None,
    token_id: str | None = None,
    node_id: str | None = None,
    task_id: str | None = None,
    max_attempts: int = 5,
    order_key: str | None = None,
    seq: int | None = None,
) -> dict[str, Any]:
    return {
        "id": id,
        "kind": kind,
        "instance_id": instance_id,
        "token_id": token_id,
        "node_id": node_id,
        "task_id": task_id,
        "order_key": order_key,
        "seq": seq,
        "due_at": due_at,
        "payload": {"schema_version": PAYLOAD_VERSION, **payload},
        "status": PENDING,
        "attempts": 0,
        "max_attempts": max_attempts,
        "lock_owner": None,
        "locked_until": None,
        "last_error": None,
        "created_at": now,
        "finished_at": None,
    }


def insert_jobs(conn: sa.Connection, rows: list[dict[str, Any]]) -> None:
    if rows:
        _INSERT.executemany(conn, rows)


def write_jobs(
    conn: sa.Connection, instance_id: str, new: Iterable[NewJob], cancelled: Iterable[str], now: datetime
) -> None:
    """The jobs a command armed and disarmed, in the command's transaction."""
    gone = [{"b_id": job_id, "finished_at": now} for job_id in cancelled]
    if gone:
        _CANCEL.executemany(conn, gone)
    insert_jobs(
        conn,
        [
            job_row(
                id=j.id,
                kind=j.kind,
                due_at=j.due_at,
                payload=j.payload,
                now=now,
                instance_id=instance_id,
                token_id=j.token_id,
                node_id=j.node_id,
                task_id=j.task_id,
                max_attempts=j.max_attempts,
            )
            for j in new
        ],
    )


def _job(row: Any) -> Job:
    return Job(**{name: row[name] for name in _COLUMNS})


def _due(now: datetime) -> sa.ColumnElement[bool]:
    return sa.or_(
        sa.and_(jobs.c.status == PENDING, jobs.c.due_at <= now),
        sa.and_(jobs.c.status == RUNNING, jobs.c.locked_until < now),
    )


def acquire(
    db: Database, owner: str, now: datetime, *, limit: int = 20, lock_for: timedelta = timedelta(seconds=60)
) -> list[Job]:
    """Claim up to ``limit`` due jobs for ``owner``; each is then ``running`` with an expiring lock."""
    with db.read() as conn:  # an idle poll stays a plain read: no write lock taken on SQLite
        if conn.execute(sa.select(jobs.c.id).where(_due(now)).limit(1)).first() is None:
            return []
    with db.write() as conn:
        stmt = sa.select(jobs).where(_due(now)).order_by(jobs.c.due_at, jobs.c.id).limit(limit)
        if db.dialect != "sqlite":
            stmt = stmt.with_for_update(skip_locked=True)
        candidates = [_job(r._mapping) for r in conn.execute(stmt)]
        if not candidates:
            return []
        candidates = _in_order(conn, candidates)
        claimed: list[Job] = []
        dead: list[Job] = []
        for job in candidates:
            if job.status == RUNNING and job.attempts >= job.max_attempts:
                dead.append(job)  # its worker died holding it every time: a poison job
            else:
                claimed.append(job)
        until = now + lock_for
        if claimed:
            conn.execute(
                jobs.update()
                .where(jobs.c.id.in_([j.id for j in claimed]), _due(now))
                .values(status=RUNNING, lock_owner=owner, locked_until=until, attempts=jobs.c.attempts + 1)
            )
        for job in dead:
            conn.execute(
                jobs.update()
                .where(jobs.c.id == job.id)
                .values(
                    status=DEAD,
                    lock_owner=None,
                    locked_until=None,
                    finished_at=now,
                    last_error=f"the worker holding it stopped {job.attempts} times (lock expired)",
                )
            )
    for job in claimed:
        job.status, job.lock_owner, job.locked_until = RUNNING, owner, until
        job.attempts += 1
    return claimed


def _in_order(conn: sa.Connection, candidates: list[Job]) -> list[Job]:
    """Jobs sharing an ``order_key`` (webhooks of one instance) run one at a time, lowest ``seq`` first."""
    keys = {j.order_key for j in candidates if j.order_key is not None}
    if not keys:
        return candidates
    first = dict(
        conn.execute(
            sa.select(jobs.c.order_key, sa.func.min(jobs.c.seq))
            .where(jobs.c.order_key.in_(keys), jobs.c.status.in_((PENDING, RUNNING)))
            .group_by(jobs.c.order_key)
        ).all()
    )
    return [j for j in candidates if j.order_key is None or first.get(j.order_key) == j.seq]


def finish(conn: sa.Connection, job: Job, now: datetime) -> None:
    """Mark the job done, in the transaction that commits its effects; ``LostLock`` if it is not ours."""
    result = conn.execute(
        jobs.update()
        .where(jobs.c.id == job.id, jobs.c.lock_owner == job.lock_owner, jobs.c.status == RUNNING)
        .values(status=DONE, finished_at=now, lock_owner=None, locked_until=None)
    )
    if result.rowcount != 1:
        raise LostLock(f'job "{job.id}" was taken over by another worker')


def fail(conn: sa.Connection, job: Job, now: datetime, error: str, retry_at: datetime | None) -> bool:
    """Back to ``pending`` at ``retry_at``, or ``dead`` when it is None; False if the lock was lost."""
    values: dict[str, Any] = {"lock_owner": None, "locked_until": None, "last_error": error[:4000]}
    if retry_at is None:
        values.update(status=DEAD, finished_at=now)
    else:
        values.update(status=PENDING, due_at=retry_at)
    result = conn.execute(
        jobs.update()
        .where(jobs.c.id == job.id, jobs.c.lock_owner == job.lock_owner, jobs.c.status == RUNNING)
        .values(**values)
    )
    return bool(result.rowcount == 1)


def release(conn: sa.Connection, job: Job) -> None:
    """Give a claimed job back untouched (the worker is stopping)."""
    conn.execute(
        jobs.update()
        .where(jobs.c.id == job.id, jobs.c.lock_owner == job.lock_owner, jobs.c.status == RUNNING)
        .values(status=PENDING, lock_owner=None, locked_until=None, attempts=jobs.c.attempts - 1)
    )


def get_job(conn: sa.Connection, job_id: str) -> Job:
    row = conn.execute(sa.select(jobs).where(jobs.c.id == job_id)).first()
    if row is None:
        raise NotFound(f'unknown job "{job_id}"')
    return _job(row._mapping)


def list_jobs(
    conn: sa.Connection,
    *,
    status: str | None = None,
    kind: str | None = None,
    instance_id: str | None = None,
    limit: int = 200,
) -> list[Job]:
    stmt = sa.select(jobs)
    if status is not None:
        stmt = stmt.where(jobs.c.status == status)
    if kind is not None:
        stmt = stmt.where(jobs.c.kind == kind)
    if instance_id is not None:
        stmt = stmt.where(jobs.c.instance_id == instance_id)
    stmt = stmt.order_by(jobs.c.due_at, jobs.c.id).limit(limit)
    return [_job(r._mapping) for r in conn.execute(stmt)]


def retry_job(conn: sa.Connection, job_id: str, now: datetime) -> Job:
    """A dead (or failed, waiting) job runs again now, with a fresh count of attempts."""
    job = get_job(conn, job_id)
    if job.status not in (DEAD, PENDING):
        raise Conflict(f'job "{job_id}" is {job.status}; only dead or waiting jobs can be retried')
    conn.execute(
        jobs.update()
        .where(jobs.c.id == job_id, jobs.c.status.in_((DEAD, PENDING)))
        .values(status=PENDING, due_at=now, attempts=0, finished_at=None)
    )
    return get_job(conn, job_id)


__all__ = [
    "LostLock",
    "acquire",
    "fail",
    "finish",
    "get_job",
    "insert_jobs",
    "job_row",
    "list_jobs",
    "release",
    "retry_job",
    "write_jobs",
]
