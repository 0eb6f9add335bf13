"""Boundary and intermediate timers, driven by a fake clock and the worker (no sleeping)."""

from __future__ import annotations

from collections.abc import Callable

from conftest import FakeClock
from support import bpmn, chain, flow, task

from engine import ProcessEngine
from engine.jobs import CANCELLED, DONE, PENDING, list_jobs


def timer_def(kind: str, value: str) -> str:
    return f"<timerEventDefinition><{kind}>{value}</{kind}></timerEventDefinition>"


def boundary(bid: str, on: str, kind: str, value: str, interrupting: bool = True) -> str:
    cancel = "" if interrupting else ' cancelActivity="false"'
    return f'<boundaryEvent id="{bid}" attachedToRef="{on}"{cancel}>{timer_def(kind, value)}</boundaryEvent>'


def jobs_of(eng: ProcessEngine, status: str | None = None) -> list:
    with eng.db.read() as conn:
        return list_jobs(conn, status=status)


def test_interrupting_boundary_timer_cancels_the_task_and_takes_its_path(
    eng: ProcessEngine, clock: FakeClock, run_jobs: Callable[[], int]
) -> None:
    eng.deploy(
        bpmn(
            '<startEvent id="s"/>'
            + task("review", "user:bob")
            + boundary("late", "review", "timeDuration", "PT2H")
            + task("escalated", "user:mgr")
            + '<endEvent id="e"/><endEvent id="e2"/>'
            + chain("s", "review", "e")
            + flow("f_late", "late", "escalated")
            + flow("f_esc", "escalated", "e2")
        )
    )
    inst = eng.start("p", starter="alice")
    assert [j.kind for j in jobs_of(eng, PENDING)] == ["timer"]
    clock.advance(hours=1, minutes=59)
    assert run_jobs() == 0  # not due yet
    clock.advance(minutes=2)
    assert run_jobs() == 1
    view = eng.instance(inst.id)
    assert [(t.node_id, t.assignee) for t in view.tasks] == [("escalated", "mgr")]
    assert "timer_fired" in [h.action for h in view.history]
    assert eng.tasks(instance_id=inst.id, status="cancelled")[0].node_id == "review"


def test_deciding_first_disarms_the_timer_in_the_same_transaction(
    eng: ProcessEngine, clock: FakeClock, run_jobs: Callable[[], int]
) -> None:
    eng.deploy(
        bpmn(
            '<startEvent id="s"/>'
            + task("review", "user:bob")
            + boundary("late", "review", "timeDuration", "PT2H")
            + task("escalated", "user:mgr")
            + '<endEvent id="e"/>'
            + chain("s", "review", "e")
            + flow("f_late", "late", "escalated")
            + flow("f_esc", "escalated", "e")
        )
    )
    inst = eng.start("p", starter="alice")
    done = eng.act(inst.tasks[0].id, "approve", actor="bob")
    assert done.status == "completed"
    assert [j.status for j in jobs_of(eng)] == [CANCELLED]
    clock.advance(hours=3)
    assert run_jobs() == 0


def test_non_interrupting_cycle_fires_repeatedly_until_the_task_is_done(
    eng: ProcessEngine, clock: FakeClock, run_jobs: Callable[[], int]
) -> None:
    eng.deploy(
        bpmn(
            '<startEvent id="s"/>'
            + task("work", "user:bob")
            + boundary("nag", "work", "timeCycle", "R/PT1H", interrupting=False)
            + task("remind", "user:mgr")
            + '<endEvent id="e"/><endEvent id="e2"/>'
            + chain("s", "work", "e")
            + flow("f_nag", "nag", "remind")
            + flow("f_r", "remind", "e2")
        )
    )
    inst = eng.start("p", starter="alice")
    for hour in (1, 2, 3):
        clock.advance(hours=1, seconds=1)
        assert run_jobs() == 1, hour
    tasks = eng.tasks(instance_id=inst.id)
    assert sorted(t.node_id for t in tasks) == ["remind", "remind", "remind", "work"]
    work = next(t for t in tasks if t.node_id == "work")
    eng.act(work.id, "approve", actor="bob")
    assert [j.status for j in jobs_of(eng, PENDING)] == []
    clock.advance(hours=5)
    assert run_jobs() == 0


def test_intermediate_timer_waits_then_moves_on(
    eng: ProcessEngine, clock: FakeClock, run_jobs: Callable[[], int]
) -> None:
    eng.deploy(
        bpmn(
            '<startEvent id="s"/><intermediateCatchEvent id="wait">'
            + timer_def("timeDuration", "${delay}")
            + "</intermediateCatchEvent>"
            + task("t", "user:bob")
            + '<endEvent id="e"/>'
            + chain("s", "wait", "t", "e")
        )
    )
    inst = eng.start("p", starter="alice", data={"delay": "P1D"})
    assert inst.tasks == []
    clock.advance(hours=23)
    assert run_jobs() == 0
    clock.advance(hours=2)
    assert run_jobs() == 1
    assert [t.node_id for t in eng.instance(inst.id).tasks] == ["t"]
    assert [j.status for j in jobs_of(eng)] == [DONE]


def test_boundary_timer_on_a_subprocess_cancels_everything_inside(
    eng: ProcessEngine, clock: FakeClock, run_jobs: Callable[[], int]
) -> None:
    inner = '<startEvent id="is"/>' + task("a", "user:bob") + '<endEvent id="ie"/>' + chain("is", "a", "ie")
    eng.deploy(
        bpmn(
            f'<startEvent id="s"/><subProcess id="sub">{inner}</subProcess>'
            + boundary("t", "sub", "timeDate", "2026-11-24T00:00:00Z")
            + task("late", "user:mgr")
            + '<endEvent id="e"/>'
            + chain("s", "sub", "e")
            + flow("f_t", "t", "late")
            + flow("f_l", "late", "e")
        )
    )
    inst = eng.start("p", starter="alice")
    clock.advance(days=1)
    assert run_jobs() == 1
    assert [t.node_id for t in eng.instance(inst.id).tasks] == ["late"]


def test_several_boundary_timers_the_earliest_wins_and_disarms_the_others(
    eng: ProcessEngine, clock: FakeClock, run_jobs: Callable[[], int]
) -> None:
    body = '<startEvent id="s"/>' + task("first", "user:bob") + '<endEvent id="e"/><endEvent id="late_end"/>'
    for n, value in ((1, "PT2H"), (2, "PT1H"), (3, "PT3H")):
        body += boundary(f"t{n}", "first", "timeDuration", value) + task(f"after{n}", "user:mgr")
        body += flow(f"f_t{n}", f"t{n}", f"after{n}") + flow(f"f_a{n}", f"after{n}", "late_end")
    eng.deploy(bpmn(body + chain("s", "first", "e")))
    inst = eng.start("p", starter="alice")
    clock.advance(hours=1, seconds=1)
    assert run_jobs() == 1  # PT1H fired; the other two were cancelled with the task
    clock.advance(hours=5)
    assert run_jobs() == 0
    assert [t.node_id for t in eng.instance(inst.id).tasks] == ["after2"]
    assert sorted(j.status for j in jobs_of(eng)) == [CANCELLED, CANCELLED, DONE]


def test_spiff_style_quoted_duration_on_a_subprocess_does_not_interrupt(
    eng: ProcessEngine, clock: FakeClock, run_jobs: Callable[[], int]
) -> None:
    inner = (
        '<startEvent id="is"/>' + task("work", "user:bob") + '<endEvent id="ie"/>' + chain("is", "work", "ie")
    )
    eng.deploy(
        bpmn(
            f'<startEvent id="s"/><subProcess id="sub">{inner}</subProcess>'
            + boundary("bench", "sub", "timeDuration", '"PT0.2S"', interrupting=False)
            + task("why", "user:mgr")
            + '<parallelGateway id="join"/><endEvent id="e"/>'
            + chain("s", "sub", "join", "e")
            + flow("f_b", "bench", "why")
            + flow("f_w", "why", "join")
        )
    )
    inst = eng.start("p", starter="alice")
    clock.advance(seconds=1)
    assert run_jobs() == 1
    assert sorted(t.node_id for t in eng.instance(inst.id).tasks) == ["why", "work"]
    for open_task in eng.instance(inst.id).tasks:
        eng.act(open_task.id, "approve", actor=open_task.assignee or "")
    assert eng.instance(inst.id).status == "completed"
