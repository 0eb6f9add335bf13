"""A worker process for the concurrency tests: runs ``probe`` jobs, each recording one row.

Usage: python probe_worker.py DATABASE_URL OWNER. Runs until no probe job is left, or until killed.
"""

from __future__ import annotations

import sys
import time
from datetime import timedelta

import sqlalchemy as sa

from engine import Database
from engine.jobs import Job, JobRun, Worker
from engine.store.schema import jobs

probe_meta = sa.MetaData()
probe_runs = sa.Table(
    "probe_runs",
    probe_meta,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("job_id", sa.String(32), nullable=False),
    sa.Column("owner", sa.String(64), nullable=False),
)


def probe_worker(db: Database, owner: str, *, lock_seconds: float = 2.0, pause: float = 0.002) -> Worker:
    def probe(job: Job, run: JobRun) -> None:
        time.sleep(pause)  # the job's outside work

        def effect(conn: sa.Connection) -> None:
            conn.execute(probe_runs.insert().values(job_id=job.id, owner=owner))

        run.commit(effect)

    return Worker(db, {"probe": probe}, owner=owner, lock_for=timedelta(seconds=lock_seconds), batch=10)


def left(db: Database) -> int:
    with db.read() as conn:
        return int(
            conn.execute(
                sa.select(sa.func.count()).select_from(jobs).where(jobs.c.status != "done")
            ).scalar_one()
        )


def main() -> None:
    db = Database(sys.argv[1])
    worker = probe_worker(db, sys.argv[2])
    idle = 0
    while idle < 30:
        done = worker.run_due()
        if done:
            idle = 0
        elif left(db) == 0:
            break
        else:
            idle += 1
            time.sleep(0.2)
    db.dispose()


if __name__ == "__main__":
    main()
