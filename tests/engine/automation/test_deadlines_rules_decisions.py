"""Task timeouts on a business calendar, scheduled starts, rules and decision tables."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest
from conftest import FakeClock
from support import bpmn, chain, task

from engine import ProcessEngine
from engine.decisions import deploy_decisions
from engine.errors import RuleViolation
from engine.jobs import PENDING, list_jobs
from engine.timers import BusinessCalendar
from engine.timers.calendar_store import save_calendar


def one_task(attrs: str) -> str:
    return bpmn(
        '<startEvent id="s"/>' + task("t", "user:bob", attrs) + '<endEvent id="e"/>' + chain("s", "t", "e")
    )


@pytest.mark.parametrize(("action", "status"), [("approve", "completed"), ("reject", "rejected")])
def test_timeout_decides_automatically(
    eng: ProcessEngine, clock: FakeClock, run_jobs: Callable[[], int], action: str, status: str
) -> None:
    eng.deploy(one_task(f'jw:timeout="PT4H" jw:timeoutAction="{action}"'))
    inst = eng.start("p", starter="alice")
    clock.advance(hours=4, seconds=1)
    run_jobs()
    view = eng.instance(inst.id)
    assert view.status == status
    assert [h.actor for h in view.history if h.action in ("approved", "rejected")] == ["jingwei:timer"]


def test_escalation_goes_to_the_assignees_manager(
    eng: ProcessEngine, clock: FakeClock, run_jobs: Callable[[], int]
) -> None:
    eng.deploy(one_task('jw:timeout="P1D" jw:timeoutAction="escalate"'))
    inst = eng.start("p", starter="alice")
    clock.advance(days=1, seconds=1)
    run_jobs()
    assert [t.assignee for t in eng.instance(inst.id).tasks] == ["mgr"]


def test_business_days_skip_weekends_and_holidays_and_count_make_up_days(
    eng: ProcessEngine, clock: FakeClock, run_jobs: Callable[[], int]
) -> None:
    cal = BusinessCalendar(name="cn", holidays=frozenset({datetime(2026, 11, 24).date()}))
    with eng.db.write() as conn:
        save_calendar(conn, cal, clock())
    eng.deploy(one_task('jw:timeout="P2D" jw:timeoutAction="remind" jw:calendar="cn" jw:remindBefore="PT2H"'))
    eng.start("p", starter="alice")  # Monday 09:00 Shanghai; Tuesday is a holiday
    with eng.db.read() as conn:
        due = {j.kind: j.due_at for j in list_jobs(conn, status=PENDING)}
    assert due["task-timeout"] == datetime(2026, 11, 26, 1, 0)  # Thursday 09:00 Shanghai
    assert due["task-reminder"] == datetime(2026, 11, 25, 23, 0)


def test_scheduled_start_runs_on_cron_and_rearms(
    eng: ProcessEngine, clock: FakeClock, run_jobs: Callable[[], int]
) -> None:
    attrs = ' jw:schedule="cron:0 9 * * 1-5" jw:scheduleAs="alice" jw:timezone="Asia/Shanghai"'
    eng.deploy(
        bpmn(
            '<startEvent id="s"/>' + task("t", "user:bob") + '<endEvent id="e"/>' + chain("s", "t", "e"),
            attrs=attrs,
        )
    )
    with eng.db.read() as conn:
        (job,) = list_jobs(conn, status=PENDING)
    assert job.due_at == datetime(2026, 11, 24, 1, 0)  # next weekday 09:00 Shanghai
    clock.advance(days=1, seconds=1)
    assert run_jobs() == 1
    assert [i.starter for i in eng.instances()] == ["alice"]
    with eng.db.read() as conn:
        assert [j.due_at for j in list_jobs(conn, status=PENDING)] == [datetime(2026, 11, 25, 1, 0)]


def test_quartz_cron_is_refused_clearly(eng: ProcessEngine) -> None:
    with pytest.raises(Exception, match="Quartz"):
        eng.deploy(
            bpmn(
                '<startEvent id="s"/><endEvent id="e"/>' + chain("s", "e"),
                attrs=' jw:schedule="cron:0 0/5 * * * ?" jw:scheduleAs="alice"',
            )
        )


RULES = {
    "schema_version": 1,
    "rules": [
        {
            "id": "lines-add-up",
            "on": "start",
            "when": "${total != sum(lines)}",
            "then": [{"block": "发票总额 ${total} 与明细合计 ${sum(lines)} 不符"}],
        },
        {
            "id": "big",
            "on": "start",
            "when": "${total > 1000}",
            "then": [{"set": {"level": "'high'"}}, {"route": {"variable": "buyer", "to": "role:fin"}}],
        },
        {
            "id": "follow",
            "on": "leave:t",
            "then": [{"start": {"process": "q", "data": {"from": "${total}"}}}],
        },
    ],
}


def test_rules_block_compute_route_and_start_another_process(
    eng: ProcessEngine, run_jobs: Callable[[], int]
) -> None:
    rules = json.dumps(RULES).replace("&", "&amp;").replace("<", "&lt;")
    body = (
        f"<extensionElements><jw:rules>{rules}</jw:rules></extensionElements>"
        '<startEvent id="s"/>' + task("t", "field:buyer") + '<endEvent id="e"/>' + chain("s", "t", "e")
    )
    eng.deploy(bpmn(body))
    eng.deploy(
        bpmn(
            '<startEvent id="s"/>' + task("t", "user:bob") + '<endEvent id="e"/>' + chain("s", "t", "e"),
            key="q",
        )
    )
    with pytest.raises(RuleViolation, match="发票总额 30 与明细合计 25 不符"):
        eng.start("p", starter="alice", data={"total": 30, "lines": [10, 15]})
    inst = eng.start("p", starter="alice", data={"total": 2000, "lines": [1500, 500]})
    assert inst.data["level"] == "high" and inst.data["buyer"] == "fin1"
    assert inst.tasks[0].assignee == "fin1"
    eng.act(inst.tasks[0].id, "approve", actor="fin1")
    run_jobs()
    started = [i for i in eng.instances() if i.process_key == "q"]
    assert len(started) == 1 and started[0].data == {"from": 2000}


DMN = (Path(__file__).parent / "files" / "approver.dmn").read_text(encoding="utf-8")


def test_dmn_table_routes_the_approver_and_feeds_a_business_rule_task(eng: ProcessEngine) -> None:
    with eng.db.write() as conn:
        tables = deploy_decisions(conn, DMN, now=eng.clock(), ids=eng.ids)
    assert [(t.key, t.version) for t in tables] == [("approver", 1), ("points", 1)]
    body = (
        '<startEvent id="s"/><businessRuleTask id="score" jw:decision="points" jw:mapResult="singleEntry" '
        'jw:resultVariable="points"/>'
        + task("t", "decision:approver")
        + '<endEvent id="e"/>'
        + chain("s", "score", "t", "e")
    )
    eng.deploy(bpmn(body))
    cases = [
        ({"amount": 500, "category": "IT", "days": 5}, "mgr", 7),
        ({"amount": "2000", "category": "IT", "days": 2}, "fin1", 2),
        ({"amount": 2000, "category": "Travel", "days": 1}, "boss", 0),
    ]
    for data, approver, points in cases:
        inst = eng.start("p", starter="alice", data=data)
        assert inst.tasks[0].assignee == approver
        assert inst.data["points"] == points
