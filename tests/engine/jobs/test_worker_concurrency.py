"""Several workers on one database: every due job runs exactly once, a killed worker's jobs are taken over."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from probe_worker import probe_meta, probe_runs, probe_worker

from engine import Database
from engine.clock import new_id
from engine.jobs import insert_jobs, job_row
from engine.store.schema import jobs

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
JOBS = 1000


def seed(db: Database, count: int = JOBS) -> None:
    probe_meta.drop_all(db.engine)
    probe_meta.create_all(db.engine)
    past = datetime(2026, 1, 1)
    with db.write() as conn:
        insert_jobs(
            conn,
            [job_row(id=new_id(), kind="probe", due_at=past, payload={}, now=past) for _ in range(count)],
        )


def tally(db: Database) -> tuple[int, int, int]:
    with db.read() as conn:
        runs = conn.execute(sa.select(sa.func.count()).select_from(probe_runs)).scalar_one()
        distinct = conn.execute(sa.select(sa.func.count(sa.distinct(probe_runs.c.job_id)))).scalar_one()
        done = conn.execute(
            sa.select(sa.func.count()).select_from(jobs).where(jobs.c.status == "done")
        ).scalar_one()
    return int(runs), int(distinct), int(done)


def test_two_threads_run_every_job_once(db: Database) -> None:
    seed(db, 300)
    workers = [probe_worker(db, f"w{i}", pause=0.0) for i in range(2)]
    threads = [threading.Thread(target=w.drain) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert tally(db) == (300, 300, 300)
    probe_meta.drop_all(db.engine)


def test_an_expired_lock_is_taken_over_and_the_late_finisher_loses(db: Database) -> None:
    seed(db, 1)
    slow = probe_worker(db, "slow", lock_seconds=0.0)
    from engine.jobs import acquire
    from engine.jobs.store import LostLock, finish

    (job,) = acquire(slow.db, "slow", datetime.now() + timedelta(hours=1), lock_for=timedelta(seconds=1))
    fast = probe_worker(db, "fast")
    fast.clock = lambda: datetime.now() + timedelta(hours=2)  # the slow worker's lock has expired by then
    assert fast.run_due() == 1
    with pytest.raises(LostLock), db.write() as conn:
        finish(conn, job, datetime.now())
    assert tally(db) == (1, 1, 1)
    probe_meta.drop_all(db.engine)


@pytest.mark.skipif(not os.environ.get("JINGWEI_TEST_PG"), reason="needs JINGWEI_TEST_PG (CI sets it)")
@pytest.mark.parametrize("db", ["postgresql"], indirect=True)
def test_two_worker_processes_on_postgresql_and_one_is_killed(db: Database) -> None:
    seed(db)
    url = db.url.render_as_string(hide_password=False)
    env = {**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{HERE}"}

    def spawn(owner: str) -> subprocess.Popen[bytes]:
        return subprocess.Popen([sys.executable, str(HERE / "probe_worker.py"), url, owner], env=env)

    victim, survivor = spawn("victim"), spawn("survivor")
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # let both get going, then kill one mid-run
            with db.read() as conn:
                mine = conn.execute(
                    sa.select(sa.func.count()).select_from(probe_runs).where(probe_runs.c.owner == "victim")
                ).scalar_one()
            if mine >= 100:
                break
            time.sleep(0.05)
        os.kill(victim.pid, signal.SIGKILL)
        victim.wait(10)
        with db.read() as conn:
            held = conn.execute(
                sa.select(sa.func.count())
                .select_from(jobs)
                .where(jobs.c.lock_owner == "victim", jobs.c.status == "running")
            ).scalar_one()
        survivor.wait(120)
    finally:
        for proc in (victim, survivor):
            if proc.poll() is None:
                proc.kill()
    runs, distinct, done = tally(db)
    assert (runs, distinct, done) == (JOBS, JOBS, JOBS)
    with db.read() as conn:
        owners = dict(
            conn.execute(sa.select(probe_runs.c.owner, sa.func.count()).group_by(probe_runs.c.owner)).all()
        )
    assert owners["victim"] >= 100 and owners["survivor"] > 0
    print(f"victim held {held} locked jobs when killed; owners {owners}")
    probe_meta.drop_all(db.engine)
