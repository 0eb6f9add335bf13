"""API load: task actions over HTTP on loopback, at 50 and 200 concurrent users.

Starts ``jingwei serve`` on a free loopback port against ``--db`` (default: a fresh SQLite
file), creates one approver per virtual user with an API token and ``--tasks`` open tasks
each (through the engine, before the clock starts), then lets every virtual user approve
its own tasks over ``POST /api/v1/tasks/{id}/actions`` as fast as the answers come back.
Each level stops when its tasks are done or after ``--seconds``. Prints one JSON object per
line: ``{"metric", "value", "unit", "db", "users", "requests", "errors"}``.

The clock starts once the server's chat notifier has sent the seeded tasks' cards
(``notifier_catch_up``); ``notifier_behind_at_end`` is how long the cards took to catch up
with the actions after the last answer. ``--think S`` gives each user a pause of 0.5–1.5 × S
before every action, as a person reading a card does; without it every user fires its next
action the moment the last one answers (saturation).

    python benchmarks/api_load.py
    python benchmarks/api_load.py --db postgresql+psycopg://postgres@127.0.0.1:5432/test

The client runs on the same machine as the server (2 cores here): its own CPU time is part
of what the figures measure.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from engine import ApiTokens, Database, ProcessEngine  # noqa: E402
from engine.org import import_org, parse_org_json  # noqa: E402
from engine.store.chat_tables import outbox_cursors  # noqa: E402
from engine.store.schema import outbox  # noqa: E402

PROCESS = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"
             xmlns:jw="https://jingwei.dev/schema/bpmn/1.0" targetNamespace="bench">
  <process id="bench_approval" name="Load test approval" isExecutable="true">
    <startEvent id="start"/>
    <userTask id="approve" name="Approve" jw:approver="field:approver"/>
    <endEvent id="end"/>
    <sequenceFlow id="f1" sourceRef="start" targetRef="approve"/>
    <sequenceFlow id="f2" sourceRef="approve" targetRef="end"/>
  </process>
</definitions>
"""


def _emit(metric: str, value: float, unit: str, **extra: Any) -> None:
    print(json.dumps({"metric": metric, "value": round(value, 3), "unit": unit, **extra}), flush=True)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _seed(url: str, users: int, tasks_per_user: int) -> dict[str, list[str]]:
    """A requester, ``users`` approvers with tokens, and their open tasks; returns token -> task ids."""
    db = Database(url)
    db.drop_schema()
    db.create_schema()
    people = [{"id": "requester", "name": "Requester"}]
    people += [{"id": f"u{i:03d}", "name": f"User {i}"} for i in range(users)]
    with db.write() as conn:
        import_org(conn, parse_org_json(json.dumps({"users": people})))
    engine = ProcessEngine(db)
    engine.deploy(PROCESS)
    tokens = ApiTokens(db)
    work: dict[str, list[str]] = {}
    for i in range(users):
        approver = f"u{i:03d}"
        token = tokens.create(approver, name="bench").token
        tokens.verify(token)  # records first use now, so the measured run does no token writes
        work[token] = [
            engine.start("bench_approval", starter="requester", data={"approver": approver}).tasks[0].id
            for _ in range(tasks_per_user)
        ]
    db.dispose()
    return work


class Server:
    def __init__(self, url: str, workers: int, job_worker: bool) -> None:
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = {k: v for k, v in os.environ.items() if not k.startswith("JINGWEI_")}
        env.update({"JINGWEI_DB": url, "JINGWEI_WORKERS": str(workers), "JINGWEI_LOG_LEVEL": "WARNING"})
        # Without the in-process job/outbox worker the process only answers HTTP, as a web replica
        # does when jobs run in separate `jingwei worker` processes.
        env["JINGWEI_WORKER"] = "true" if job_worker else "false"
        self.cwd = tempfile.mkdtemp(prefix="jw-load-")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "admin_web.cli", "serve", "--json", "--port", str(self.port)],
            cwd=self.cwd,
            env={**env, "PYTHONPATH": str(ROOT)},
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.base}/readyz", timeout=1):
                    return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise SystemExit("the server did not become ready")

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()


async def _user(
    http: aiohttp.ClientSession,
    base: str,
    token: str,
    tasks: list[str],
    deadline: float,
    out: list[float],
    think: float,
    rng: random.Random,
) -> int:
    headers = {"Authorization": f"Bearer {token}"}
    errors = 0
    for task_id in tasks:
        if think:
            # A person reads the card before deciding: 0.5x to 1.5x the mean think time.
            await asyncio.sleep(think * (0.5 + rng.random()))
        if time.monotonic() > deadline:
            break
        t0 = time.perf_counter()
        async with http.post(
            f"{base}/api/v1/tasks/{task_id}/actions", json={"action": "approve"}, headers=headers
        ) as resp:
            await resp.read()
            if resp.status == 200:
                out.append(time.perf_counter() - t0)
            else:
                errors += 1
                if errors == 1 and not out:  # say why once: a wrong setup fails every request alike
                    print(f"error {resp.status}: {(await resp.text())[:300]}", file=sys.stderr)
    return errors


async def _level(
    base: str, work: dict[str, list[str]], seconds: float, think: float
) -> tuple[list[float], int, float]:
    latencies: list[float] = []
    connector = aiohttp.TCPConnector(limit=len(work) + 10)
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as http:
        # One warm-up request per user opens its connection before the clock starts.
        await asyncio.gather(*(http.get(f"{base}/healthz") for _ in work))
        deadline = time.monotonic() + seconds
        t0 = time.perf_counter()
        rng = random.Random(7)
        errors = await asyncio.gather(
            *(_user(http, base, tok, tasks, deadline, latencies, think, rng) for tok, tasks in work.items())
        )
        elapsed = time.perf_counter() - t0
    return latencies, sum(errors), elapsed


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def _wait_for_notifier(url: str, limit: float = 300) -> float:
    """Seconds until the server's notifier has sent the cards of the seeded tasks.

    Seeding creates every task before the server starts, so its notifier begins with a
    backlog of ``users × tasks`` new-task cards that steady traffic never has. The clock
    starts once that backlog is gone; how long it took is reported on its own.
    """
    db = Database(url)
    t0 = time.monotonic()
    try:
        while time.monotonic() - t0 < limit:
            with db.read() as conn:
                newest = conn.execute(sa.select(sa.func.max(outbox.c.id))).scalar() or 0
                done = conn.execute(
                    sa.select(outbox_cursors.c.last_id).where(outbox_cursors.c.consumer == "notifier")
                ).scalar()
            if done is not None and done >= newest:
                return time.monotonic() - t0
            time.sleep(0.2)
    finally:
        db.dispose()
    raise SystemExit(f"the notifier did not catch up within {limit:.0f} s")


def run(
    url: str, levels: list[int], tasks: int, seconds: float, workers: int, job_worker: bool, think: float
) -> None:
    dialect = Database(url).dialect
    for users in levels:
        work = _seed(url, users, tasks)
        server = Server(url, workers, job_worker)
        try:
            catch_up = _wait_for_notifier(url)
            latencies, errors, elapsed = asyncio.run(_level(server.base, work, seconds, think))
            cards_behind = _wait_for_notifier(url)
        finally:
            server.stop()
        extra = {
            "db": dialect,
            "users": users,
            "requests": len(latencies),
            "errors": errors,
            "workers": workers,
            "job_worker": job_worker,
            "think_s": think,
        }
        _emit("notifier_catch_up", catch_up, "s", **extra)
        # How far the cards lagged behind the actions when the last action was answered.
        _emit("notifier_behind_at_end", cards_behind, "s", **extra)
        if not latencies:
            _emit("api_task_action_errors", errors, "requests", **extra)
            continue
        _emit("api_task_action_p50", _pct(latencies, 0.50), "ms", **extra)
        _emit("api_task_action_p99", _pct(latencies, 0.99), "ms", **extra)
        _emit("api_task_action_mean", statistics.fmean(latencies) * 1000, "ms", **extra)
        _emit("api_task_action_throughput", len(latencies) / elapsed, "actions/s", **extra)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--db", help="database URL (default: a fresh SQLite file in a temporary folder)")
    parser.add_argument("--users", default="50,200", help="concurrent users per level, comma-separated")
    parser.add_argument("--tasks", type=int, default=20, help="task actions per user (bounds the run)")
    parser.add_argument("--seconds", type=float, default=60, help="time limit per level")
    parser.add_argument("--workers", type=int, default=8, help="the server's engine threads")
    parser.add_argument(
        "--think", type=float, default=0.0, help="mean seconds a user waits before each action (0: none)"
    )
    parser.add_argument(
        "--no-job-worker", action="store_true", help="serve with JINGWEI_WORKER=false (jobs run elsewhere)"
    )
    args = parser.parse_args()
    url = args.db or f"sqlite:///{tempfile.mkdtemp(prefix='jw-load-db-')}/load.db"
    levels = [int(u) for u in args.users.split(",")]
    run(url, levels, args.tasks, args.seconds, args.workers, not args.no_job_worker, args.think)


if __name__ == "__main__":
    main()
