"""sendTask notifications, a rule's connector call after commit, a timer start event."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime

import sqlalchemy as sa
from conftest import FakeClock
from fake_remote import FakeRemote
from support import bpmn, chain, task

from engine import ProcessEngine
from engine.connectors import save_connector
from engine.jobs import PENDING, list_jobs
from engine.store.schema import outbox


def test_send_task_notifies_and_moves_on(eng: ProcessEngine) -> None:
    send = (
        '<sendTask id="cc" name="抄送人事" jw:notify="role:hr" '
        'jw:message="${starter} 的申请 ${amount} 元已提交"/>'
    )
    eng.deploy(
        bpmn(
            '<startEvent id="s"/>'
            + send
            + task("t", "user:bob")
            + '<endEvent id="e"/>'
            + chain("s", "cc", "t", "e")
        )
    )
    inst = eng.start("p", starter="alice", data={"amount": 300})
    assert [t.node_id for t in inst.tasks] == ["t"]
    with eng.db.read() as conn:
        rows = conn.execute(sa.select(outbox.c.payload).where(outbox.c.topic == "notification.sent")).all()
    assert [r.payload["recipients"] for r in rows] == [["hr1"]]
    assert rows[0].payload["message"] == "alice 的申请 300 元已提交"


def test_a_rule_calls_a_connector_after_commit_and_keeps_its_answer(
    eng: ProcessEngine, remote: FakeRemote, run_jobs: Callable[[], int]
) -> None:
    with eng.db.write() as conn:
        save_connector(
            conn,
            {
                "name": "archive",
                "base_url": remote.url,
                "request": {"method": "POST", "path": "/archive", "body": {"id": "${instance_id}"}},
                "response": {"map": {"ref": "${body.ref}"}},
            },
            eng.clock(),
        )
    remote.reply("/archive", {"ref": "AR-1"})
    rules = json.dumps(
        {
            "rules": [
                {
                    "id": "archive",
                    "on": "leave:t",
                    "then": [{"call": {"connector": "archive", "into": "archive"}}],
                }
            ]
        }
    )
    eng.deploy(
        bpmn(
            f"<extensionElements><jw:rules>{rules}</jw:rules></extensionElements>"
            '<startEvent id="s"/>'
            + task("t", "user:bob")
            + task("t2", "user:bob")
            + '<endEvent id="e"/>'
            + chain("s", "t", "t2", "e")
        )
    )
    inst = eng.start("p", starter="alice")
    eng.act(inst.tasks[0].id, "approve", actor="bob")
    assert remote.requests == []  # never inside the command
    run_jobs()
    assert [r.json for r in remote.seen("/archive")] == [{"id": inst.id}]
    view = eng.instance(inst.id)
    assert view.data["archive"] == {"ref": "AR-1"} and view.status == "running"


def test_timer_start_event_schedules_the_process(
    eng: ProcessEngine, clock: FakeClock, run_jobs: Callable[[], int]
) -> None:
    start = (
        '<startEvent id="s"><timerEventDefinition><timeCycle>R3/PT12H</timeCycle>'
        "</timerEventDefinition></startEvent>"
    )
    eng.deploy(
        bpmn(
            start + task("t", "user:bob") + '<endEvent id="e"/>' + chain("s", "t", "e"),
            attrs=' jw:scheduleAs="alice"',
        )
    )
    for _ in range(4):
        clock.advance(hours=12, seconds=1)
        run_jobs()
    assert len(eng.instances()) == 3  # R3: three occurrences
    with eng.db.read() as conn:
        assert list_jobs(conn, status=PENDING) == []
    eng.deploy(
        bpmn(
            start + task("t", "user:bob") + '<endEvent id="e"/>' + chain("s", "t", "e"),
            attrs=' jw:scheduleAs="alice"',
        )
    )
    with eng.db.read() as conn:
        (job,) = list_jobs(conn, status=PENDING)
    assert job.due_at == datetime(2026, 11, 25, 13, 0, 4)  # the new version starts its own cycle
