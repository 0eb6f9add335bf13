"""The job loop and the outbox loop, owned by whoever runs them (``jingwei worker``, the web app).

``Worker.run_due()`` claims a batch of due jobs and runs each through the handler of its kind;
``start()`` / ``stop()`` drive it (and an ``OutboxRelay``) from an APScheduler
``BackgroundScheduler``. Tests call ``run_due()`` / ``drain()`` directly with a fake clock.

A handler does its outside work first (an HTTP call), then ``run.commit(effect)``: the job is
marked done and ``effect(conn)`` (the follow-up command) runs in the same transaction, so a job
either has all its effects committed once, or none and it runs again. A handler that raises is
retried with exponential backoff and dead-lettered after ``max_attempts`` tries.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from apscheduler.schedulers.background import BackgroundScheduler

from engine.clock import Clock, new_id, utcnow
from engine.errors import JingweiError
from engine.jobs.model import DEAD, Job, backoff_seconds
from engine.jobs.store import LostLock, acquire, fail, finish, release
from engine.store import Database

log = logging.getLogger("jingwei.jobs")
Effect = Callable[[sa.Connection], None]


class JobFailed(JingweiError):
    """A handler's way to fail a job; ``permanent`` skips the remaining retries."""

    code = "job_failed"

    def __init__(self, message: str, *, permanent: bool = False, details: Any = None) -> None:
        super().__init__(message, details=details)
        self.permanent = permanent


class JobRun:
    """One run of one job: the worker's clock, and ``commit`` to finish it with its effects."""

    def __init__(self, worker: Worker, job: Job) -> None:
        self.worker = worker
        self.job = job
        self.committed = False

    def now(self) -> datetime:
        return self.worker.clock()

    def commit(self, effect: Effect | None = None) -> None:
        with self.worker.db.write() as conn:
            finish(conn, self.job, self.now())
            if effect is not None:
                effect(conn)
        self.committed = True


Handler = Callable[[Job, JobRun], None]
# runs in the transaction that dead-letters the job: raise an incident, tell someone
DeadHandler = Callable[[sa.Connection, Job, str], None]


def default_owner() -> str:
    return f"{socket.gethostname()[:32]}:{os.getpid()}:{new_id()[-6:]}"


class Worker:
    def __init__(
        self,
        db: Database,
        handlers: Mapping[str, Handler],
        *,
        on_dead: Mapping[str, DeadHandler] | None = None,
        loops: list[Any] | None = None,
        owner: str | None = None,
        clock: Clock = utcnow,
        batch: int = 20,
        lock_for: timedelta = timedelta(seconds=60),
        poll_seconds: float = 1.0,
        backoff_base: float = 10.0,
        backoff_cap: float = 3600.0,
    ) -> None:
        self.db = db
        self.handlers = dict(handlers)
        self.on_dead = dict(on_dead or {})
        self.loops = list(loops or [])
        self.owner = owner or default_owner()
        self.clock = clock
        self.batch = batch
        self.lock_for = lock_for
        self.poll_seconds = poll_seconds
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self._scheduler: BackgroundScheduler | None = None
        self._stopping = threading.Event()

    # --- one round -------------------------------------------------------------------

    def run_due(self) -> int:
        """Claim one batch of due jobs and run them; the number run."""
        jobs = acquire(self.db, self.owner, self.clock(), limit=self.batch, lock_for=self.lock_for)
        for index, job in enumerate(jobs):
            if self._stopping.is_set():
                with self.db.write() as conn:
                    for rest in jobs[index:]:
                        release(conn, rest)
                return index
            self.run(job)
        return len(jobs)

    def drain(self, max_rounds: int = 10_000) -> int:
        """Run rounds until nothing is due (or the worker stops); the number of jobs run."""
        total = 0
        for _ in range(max_rounds):
            done = self.run_due()
            total += done
            if not done or self._stopping.is_set():
                break
        return total

    def run(self, job: Job) -> None:
        handler = self.handlers.get(job.kind)
        run = JobRun(self, job)
        try:
            if handler is None:
                raise JobFailed(f'no handler for job kind "{job.kind}"', permanent=True)
            handler(job, run)
            if not run.committed:
                run.commit()
        except LostLock:
            log.info("job %s: lock lost to another worker; its result is dropped", job.id)
        except Exception as exc:  # every failure is recorded on the job, never lost in a thread
            self._failed(job, exc)

    def _failed(self, job: Job, exc: Exception) -> None:
        message = exc.message if isinstance(exc, JingweiError) else f"{type(exc).__name__}: {exc}"
        permanent = isinstance(exc, JobFailed) and exc.permanent
        now = self.clock()
        retry_at: datetime | None = None
        # a handler's error may carry its own policy (a connector's retry settings)
        limit = int(getattr(exc, "max_attempts", None) or job.max_attempts)
        if not permanent and job.attempts < limit:
            base = float(getattr(exc, "backoff_seconds", None) or self.backoff_base)
            cap = float(getattr(exc, "max_backoff_seconds", None) or self.backoff_cap)
            retry_at = now + timedelta(seconds=backoff_seconds(job.attempts, base, cap))
        log.warning("job %s (%s) attempt %d failed: %s", job.id, job.kind, job.attempts, message)
        dead_handler = self.on_dead.get(job.kind) if retry_at is None else None
        try:
            with self.db.write() as conn:
                if fail(conn, job, now, message, retry_at) and dead_handler is not None:
                    dead_handler(conn, job, message)
        except Exception as follow_up:  # the dead handler failed: still dead-letter the job
            log.exception("job %s: dead-letter follow-up failed", job.id)
            with self.db.write() as conn:
                fail(conn, job, now, f"{message} (and then: {follow_up})", retry_at)

    # --- running in the background --------------------------------------------------------

    def start(self) -> None:
        """Poll for due jobs (and run the extra loops) every ``poll_seconds`` in background threads."""
        if self._scheduler is not None:
            return
        self._stopping.clear()
        # one INFO line per tick is noise; our own log says what each job did
        logging.getLogger("apscheduler.executors.default").setLevel(logging.WARNING)
        scheduler = BackgroundScheduler(timezone=UTC)
        first = datetime.now(UTC)
        for name, target in [("jobs", self.drain), *((type(x).__name__, x.drain) for x in self.loops)]:
            scheduler.add_job(
                self._guarded(target),
                "interval",
                seconds=self.poll_seconds,
                id=name,
                max_instances=1,
                coalesce=True,
                next_run_time=first,
            )
        scheduler.start()
        self._scheduler = scheduler

    def stop(self, wait: bool = True, timeout: float = 10.0) -> None:
        """Stop polling; wait up to ``timeout`` seconds for a running round to finish its job.

        A job still running after that keeps its lock until it expires, then another worker
        takes it over: stopping never loses a job, it may only delay it.
        """
        self._stopping.set()
        scheduler, self._scheduler = self._scheduler, None
        if scheduler is None:
            return
        closer = threading.Thread(target=scheduler.shutdown, kwargs={"wait": wait}, daemon=True)
        closer.start()
        closer.join(timeout)

    @staticmethod
    def _guarded(target: Callable[[], int]) -> Callable[[], None]:
        def tick() -> None:
            try:
                target()
            except Exception:  # a database hiccup must not kill the loop
                log.exception("background loop %s failed; it runs again at the next tick", target)

        return tick


__all__ = ["DEAD", "DeadHandler", "Effect", "Handler", "JobFailed", "JobRun", "Worker", "default_owner"]
