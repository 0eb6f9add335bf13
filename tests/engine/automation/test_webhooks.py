"""Webhooks: signed, retried, ordered per instance, logged; and never lost across a crash."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from conftest import FakeClock
from fake_remote import FakeRemote
from support import bpmn, chain, task

from engine import Database, ProcessEngine
from engine.automation import build_worker
from engine.connectors import verify_signature
from engine.webhooks import add_webhook, list_deliveries

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
SECRET = "s3cret-s3cret-s3cret"


def subscribe(eng: ProcessEngine, url: str, events: list[str]) -> str:
    with eng.db.write() as conn:
        return str(add_webhook(conn, url, events, SECRET, now=eng.clock(), ids=eng.ids)["id"])


def simple(eng: ProcessEngine) -> None:
    eng.deploy(
        bpmn('<startEvent id="s"/>' + task("t", "user:bob") + '<endEvent id="e"/>' + chain("s", "t", "e"))
    )


def test_events_are_signed_ordered_and_retried(
    eng: ProcessEngine, remote: FakeRemote, clock: FakeClock, run_jobs: Callable[[], int]
) -> None:
    hook = subscribe(
        eng,
        remote.url + "/hooks",
        ["instance.started", "task.created", "task.completed", "instance.completed"],
    )
    simple(eng)
    remote.script("/hooks", [500])  # the first delivery fails once
    inst = eng.start("p", starter="alice")
    eng.act(inst.tasks[0].id, "approve", actor="bob")
    for _ in range(5):
        run_jobs()
        clock.advance(seconds=60)
    seen = remote.seen("/hooks")
    delivered = [json.loads(r.body)["type"] for r in seen]
    # the failed first event is retried before anything later of the same instance goes out
    assert delivered == [
        "instance.started",
        "instance.started",
        "task.created",
        "task.completed",
        "instance.completed",
    ]
    for request in seen:
        headers = request.headers
        assert verify_signature(
            SECRET, headers["X-Jingwei-Timestamp"], request.body, headers["X-Jingwei-Signature"]
        )
    assert seen[0].headers["X-Jingwei-Delivery"] == seen[1].headers["X-Jingwei-Delivery"]
    body = json.loads(seen[1].body)
    assert body["instance_id"] == inst.id and body["schema_version"] == 1
    with eng.db.read() as conn:
        log = list_deliveries(conn, webhook_id=hook)
    assert sorted(e["status"] for e in log) == ["delivered"] * 4 + ["failed"]


def test_unsubscribed_events_are_not_sent(
    eng: ProcessEngine, remote: FakeRemote, run_jobs: Callable[[], int]
) -> None:
    subscribe(eng, remote.url + "/hooks", ["instance.withdrawn"])
    simple(eng)
    inst = eng.start("p", starter="alice")
    eng.withdraw(inst.id, actor="alice")
    run_jobs()
    assert [json.loads(r.body)["type"] for r in remote.seen("/hooks")] == ["instance.withdrawn"]


def test_a_crash_between_commit_and_delivery_loses_nothing(db: Database, remote: FakeRemote) -> None:
    url = db.url.render_as_string(hide_password=False)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "tests"), str(HERE)])}
    proc = subprocess.run(
        [sys.executable, str(HERE / "crash_after_commit.py"), url, remote.url + "/hooks"],
        env=env,
        capture_output=True,
        timeout=60,
    )
    assert proc.returncode == -9, proc.stderr.decode()
    instance_id = proc.stdout.decode().strip()
    assert remote.requests == []
    # "after restart": a fresh engine and worker on the same database
    worker = build_worker(ProcessEngine(db))
    worker.loops[0].drain()
    worker.drain()
    types = [json.loads(r.body)["type"] for r in remote.seen("/hooks")]
    assert types == ["instance.started", "task.created"]
    assert {json.loads(r.body)["instance_id"] for r in remote.seen("/hooks")} == {instance_id}
