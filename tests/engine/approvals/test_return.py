"""A3/A5: return to the previous step, to any step passed, to the starter; resubmit; parallel branches."""

from __future__ import annotations

import pytest
from approval_support import actions, open_tasks, snapshot, task_of
from support import bpmn, chain, flow, task

from engine import InvalidInput, NotAllowed, ProcessEngine


def three_steps(extra_b: str = "", process_attrs: str = "") -> str:
    return bpmn(
        '<startEvent id="s"/>'
        + task("a", "user:bob")
        + task("b", "user:carol", extra_b)
        + task("c", "user:dave")
        + '<endEvent id="e"/>'
        + chain("s", "a", "b", "c", "e"),
        attrs=process_attrs,
    )


def approve(eng: ProcessEngine, instance_id: str, who: str) -> None:
    eng.act(task_of(eng, instance_id, who), "approve", actor=who)


def test_return_to_the_previous_step_then_the_flow_runs_on_again(eng: ProcessEngine) -> None:
    eng.deploy(three_steps())
    inst = eng.start("p", starter="alice")
    approve(eng, inst.id, "bob")
    out = eng.act(task_of(eng, inst.id, "carol"), "return", actor="carol", comment="补充发票")
    assert [(t.node_id, t.assignee) for t in out.tasks] == [("a", "bob")]
    returned = [h for h in eng.instance(inst.id).history if h.action == "returned"]
    assert returned[0].actor == "carol" and returned[0].details["to"] == "a"
    approve(eng, inst.id, "bob")
    assert open_tasks(eng, inst.id) == [("b", "carol")]  # restart (default): b is asked again


def test_return_to_any_step_passed(eng: ProcessEngine) -> None:
    eng.deploy(three_steps())
    inst = eng.start("p", starter="alice")
    approve(eng, inst.id, "bob")
    approve(eng, inst.id, "carol")
    out = eng.act(task_of(eng, inst.id, "dave"), "return", actor="dave", node="a")
    assert [(t.node_id, t.assignee) for t in out.tasks] == [("a", "bob")]


def test_return_to_a_step_not_passed_is_refused_and_changes_nothing(eng: ProcessEngine) -> None:
    eng.deploy(three_steps())
    inst = eng.start("p", starter="alice")
    approve(eng, inst.id, "bob")
    before = snapshot(eng)
    carol = task_of(eng, inst.id, "carol")
    with pytest.raises(InvalidInput, match='cannot return to "c": the request has not passed it'):
        eng.act(carol, "return", actor="carol", node="c")
    with pytest.raises(InvalidInput, match='cannot return to "nowhere": it is not a user step'):
        eng.act(carol, "return", actor="carol", node="nowhere")
    assert snapshot(eng) == before


def test_return_to_the_starter_and_resubmit_restarts_from_the_first_step(eng: ProcessEngine) -> None:
    eng.deploy(three_steps())
    inst = eng.start("p", starter="alice", data={"amount": 10})
    approve(eng, inst.id, "bob")
    out = eng.act(task_of(eng, inst.id, "carol"), "return", actor="carol", node="starter", comment="缺合同")
    assert [(t.node_id, t.assignee) for t in out.tasks] == [("s", "alice")]
    with pytest.raises(InvalidInput, match="asks the starter to resubmit"):
        eng.act(out.tasks[0].id, "approve", actor="alice")
    out = eng.act(out.tasks[0].id, "resubmit", actor="alice", data={"amount": 12}, comment="已补充")
    assert [(t.node_id, t.assignee) for t in out.tasks] == [("a", "bob")]
    assert out.data["amount"] == 12
    assert "resubmitted" in actions(eng, inst.id)


def test_resubmit_resumes_at_the_returning_step_when_configured(eng: ProcessEngine) -> None:
    eng.deploy(three_steps(extra_b='jw:resubmit="resume"'))
    inst = eng.start("p", starter="alice")
    approve(eng, inst.id, "bob")
    starter_task = eng.act(task_of(eng, inst.id, "carol"), "return", actor="carol", node="starter").tasks[0]
    out = eng.act(starter_task.id, "resubmit", actor="alice")
    assert [(t.node_id, t.assignee) for t in out.tasks] == [("b", "carol")]


def test_resume_after_a_return_to_an_earlier_step_skips_the_steps_between(eng: ProcessEngine) -> None:
    eng.deploy(three_steps(process_attrs=' jw:resubmit="resume"'))
    inst = eng.start("p", starter="alice")
    approve(eng, inst.id, "bob")
    approve(eng, inst.id, "carol")
    eng.act(task_of(eng, inst.id, "dave"), "return", actor="dave", node="a")
    approve(eng, inst.id, "bob")
    assert open_tasks(eng, inst.id) == [("c", "dave")]


def test_the_first_step_returns_to_the_starter(eng: ProcessEngine) -> None:
    eng.deploy(three_steps())
    inst = eng.start("p", starter="alice")
    out = eng.act(task_of(eng, inst.id, "bob"), "return", actor="bob")
    assert [(t.node_id, t.assignee) for t in out.tasks] == [("s", "alice")]


def test_withdraw_after_a_return_to_the_starter(eng: ProcessEngine) -> None:
    eng.deploy(three_steps())
    inst = eng.start("p", starter="alice")
    approve(eng, inst.id, "bob")
    with pytest.raises(NotAllowed, match="already decided"):
        eng.withdraw(inst.id, actor="alice")
    eng.act(task_of(eng, inst.id, "carol"), "return", actor="carol", node="starter")
    out = eng.withdraw(inst.id, actor="alice")
    assert out.status == "withdrawn" and eng.tasks(instance_id=inst.id) == []


@pytest.mark.parametrize(
    ("allowed", "target", "needle"),
    [
        ("previous", "starter", 'may return only to: previous \\(jw:returnTo\\), not "starter"'),
        ("starter", "a", 'may return only to: starter \\(jw:returnTo\\), not "a"'),
    ],
)
def test_return_to_restrictions(eng: ProcessEngine, allowed: str, target: str, needle: str) -> None:
    eng.deploy(three_steps(extra_b=f'jw:returnTo="{allowed}"'))
    inst = eng.start("p", starter="alice")
    approve(eng, inst.id, "bob")
    with pytest.raises(InvalidInput, match=needle):
        eng.act(task_of(eng, inst.id, "carol"), "return", actor="carol", node=target)


def test_reject_can_return_instead_of_ending(eng: ProcessEngine) -> None:
    eng.deploy(three_steps(extra_b='jw:onReject="return"'))
    inst = eng.start("p", starter="alice")
    approve(eng, inst.id, "bob")
    out = eng.act(task_of(eng, inst.id, "carol"), "reject", actor="carol")
    assert out.status == "running" and [t.node_id for t in out.tasks] == ["a"]


# --- parallel branches -------------------------------------------------------------------------

PARALLEL = bpmn(
    '<startEvent id="s"/>'
    + task("a", "user:boss")
    + '<parallelGateway id="fork"/>'
    + task("x1", "user:bob")
    + task("x2", "user:carol")
    + task("y1", "user:dave")
    + '<parallelGateway id="join"/>'
    + task("z", "user:mgr")
    + '<endEvent id="e"/>'
    + chain("s", "a", "fork")
    + flow("fx", "fork", "x1")
    + flow("fy", "fork", "y1")
    + chain("x1", "x2")
    + flow("jx", "x2", "join")
    + flow("jy", "y1", "join")
    + chain("join", "z", "e")
)


def into_branches(eng: ProcessEngine, xml: str = PARALLEL) -> str:
    eng.deploy(xml)
    inst = eng.start("p", starter="alice")
    approve(eng, inst.id, "boss")
    approve(eng, inst.id, "bob")
    assert open_tasks(eng, inst.id) == [("x2", "carol"), ("y1", "dave")]
    return inst.id


def test_return_inside_a_branch_leaves_the_other_branch_alone(eng: ProcessEngine) -> None:
    iid = into_branches(eng)
    other = task_of(eng, iid, "dave")
    eng.act(task_of(eng, iid, "carol"), "return", actor="carol", node="x1")
    assert open_tasks(eng, iid) == [("x1", "bob"), ("y1", "dave")]
    assert task_of(eng, iid, "dave") == other  # the same task, untouched
    approve(eng, iid, "dave")
    approve(eng, iid, "bob")
    assert open_tasks(eng, iid) == [("x2", "carol")]
    approve(eng, iid, "carol")
    assert open_tasks(eng, iid) == [("z", "mgr")]  # the join fired exactly once
    approve(eng, iid, "mgr")
    assert eng.instance(iid).status == "completed"


def test_return_from_a_branch_to_before_the_fork_reruns_the_whole_parallel_section(
    eng: ProcessEngine,
) -> None:
    iid = into_branches(eng)
    eng.act(task_of(eng, iid, "carol"), "return", actor="carol", node="a")
    assert open_tasks(eng, iid) == [("a", "boss")]
    cancelled = {t.assignee for t in eng.tasks(instance_id=iid, status="cancelled")}
    assert cancelled == {"dave"}
    approve(eng, iid, "boss")
    assert open_tasks(eng, iid) == [("x1", "bob"), ("y1", "dave")]


def test_resume_from_before_the_fork_reopens_every_branch_where_it_stood(eng: ProcessEngine) -> None:
    iid = into_branches(eng, PARALLEL.replace('id="x2" name="x2"', 'id="x2" name="x2" jw:resubmit="resume"'))
    eng.act(task_of(eng, iid, "carol"), "return", actor="carol", node="a")
    approve(eng, iid, "boss")
    assert open_tasks(eng, iid) == [("x2", "carol"), ("y1", "dave")]
    approve(eng, iid, "carol")
    approve(eng, iid, "dave")
    assert open_tasks(eng, iid) == [("z", "mgr")]


def test_return_into_the_other_branch_is_refused(eng: ProcessEngine) -> None:
    iid = into_branches(eng)
    approve(eng, iid, "dave")  # y1 passed, on the other branch
    with pytest.raises(
        InvalidInput, match='cannot return to "y1": the request has not passed it on this path'
    ):
        eng.act(task_of(eng, iid, "carol"), "return", actor="carol", node="y1")


def test_return_to_the_starter_from_a_branch_cancels_every_branch(eng: ProcessEngine) -> None:
    iid = into_branches(eng)
    out = eng.act(task_of(eng, iid, "dave"), "return", actor="dave", node="starter")
    assert [(t.node_id, t.assignee) for t in out.tasks] == [("s", "alice")]
    out = eng.act(out.tasks[0].id, "resubmit", actor="alice")
    assert [(t.node_id, t.assignee) for t in out.tasks] == [("a", "boss")]
    assert eng.verify_history(iid).ok
