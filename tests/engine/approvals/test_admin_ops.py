"""A9: terminate, reassign and jump: admins only, a reason each, all audited."""

from __future__ import annotations

import pytest
from approval_support import open_tasks, snapshot, task_of
from support import bpmn, chain, task

from engine import Conflict, InvalidInput, NotAllowed, ProcessEngine

THREE = bpmn(
    '<startEvent id="s"/>'
    + task("a", "user:bob")
    + task("b", "user:carol")
    + task("c", "user:dave")
    + '<endEvent id="e"/>'
    + chain("s", "a", "b", "c", "e"),
    attrs=' jw:admin="hr1"',
)


def row(eng: ProcessEngine, instance_id: str, action: str) -> tuple[str | None, dict[str, object]]:
    (found,) = [(h.actor, h.details) for h in eng.instance(instance_id).history if h.action == action]
    return found


def test_terminate_ends_the_instance_with_the_reason(eng: ProcessEngine) -> None:
    eng.deploy(THREE)
    inst = eng.start("p", starter="alice")
    out = eng.terminate(inst.id, actor="boss", reason="项目取消")
    assert out.status == "terminated" and out.tasks == []
    assert row(eng, inst.id, "terminated") == ("boss", {"reason": "项目取消"})
    with pytest.raises(Conflict, match="already terminated"):
        eng.terminate(inst.id, actor="boss", reason="again")


def test_reassign_moves_an_open_task_and_records_who_and_why(eng: ProcessEngine) -> None:
    eng.deploy(THREE)
    inst = eng.start("p", starter="alice")
    out = eng.reassign(inst.tasks[0].id, actor="hr1", to="mgr", reason="Bob 已离职")
    assert [(t.node_id, t.assignee) for t in out.tasks] == [("a", "mgr")]
    actor, details = row(eng, inst.id, "reassigned")
    assert actor == "hr1" and details["from"] == "bob" and details["to"] == "mgr"
    assert details["reason"] == "Bob 已离职"


def test_jump_moves_to_any_node_of_the_process(eng: ProcessEngine) -> None:
    eng.deploy(THREE)
    inst = eng.start("p", starter="alice")
    out = eng.jump(inst.id, actor="boss", node="c", reason="紧急采购，跳过审批")
    assert [(t.node_id, t.assignee) for t in out.tasks] == [("c", "dave")]
    assert [t.assignee for t in eng.tasks(instance_id=inst.id, status="cancelled")] == ["bob"]
    assert row(eng, inst.id, "jumped") == ("boss", {"reason": "紧急采购，跳过审批"})
    eng.jump(inst.id, actor="boss", node="a", reason="重新审批")
    assert open_tasks(eng, inst.id) == [("a", "bob")]


def test_admin_operations_need_an_admin_and_a_reason_and_change_nothing_otherwise(eng: ProcessEngine) -> None:
    eng.deploy(THREE)
    inst = eng.start("p", starter="alice")
    t = inst.tasks[0].id
    before = snapshot(eng)
    with pytest.raises(NotAllowed, match="only an admin"):
        eng.terminate(inst.id, actor="bob", reason="x")
    with pytest.raises(NotAllowed, match="only an admin"):
        eng.reassign(t, actor="alice", to="mgr", reason="x")
    with pytest.raises(InvalidInput, match="terminate needs a reason"):
        eng.terminate(inst.id, actor="boss", reason="  ")
    with pytest.raises(InvalidInput, match="jump needs a reason"):
        eng.jump(inst.id, actor="boss", node="c", reason=None)
    with pytest.raises(InvalidInput, match='no node "zzz" in this process'):
        eng.jump(inst.id, actor="boss", node="zzz", reason="x")
    assert snapshot(eng) == before
    assert eng.verify_history(inst.id).ok


def test_reassign_of_a_closed_task_is_a_conflict(eng: ProcessEngine) -> None:
    eng.deploy(THREE)
    inst = eng.start("p", starter="alice")
    eng.act(inst.tasks[0].id, "approve", actor="bob")
    with pytest.raises(Conflict, match="only open tasks can be reassigned"):
        eng.reassign(inst.tasks[0].id, actor="boss", to="mgr", reason="x")
    assert task_of(eng, inst.id, "carol")
