"""A4: add signers before, after and in parallel (加签); remove an unanswered signer (减签)."""

from __future__ import annotations

import pytest
from approval_support import actions, open_tasks, snapshot, task_of
from support import bpmn, chain, task

from engine import InvalidInput, NotAllowed, ProcessEngine

ONE = bpmn(
    '<startEvent id="s"/>'
    + task("a", "user:bob")
    + task("b", "user:carol")
    + '<endEvent id="e"/>'
    + chain("s", "a", "b", "e")
)
SEQUENTIAL = bpmn(
    '<startEvent id="s"/>'
    + task("review", "user:bob,carol", 'jw:approvalMode="sequential"')
    + task("after", "starter")
    + '<endEvent id="e"/>'
    + chain("s", "review", "after", "e")
)


def test_add_signer_before_asks_them_first_then_comes_back(eng: ProcessEngine) -> None:
    eng.deploy(ONE)
    inst = eng.start("p", starter="alice")
    out = eng.act(inst.tasks[0].id, "add-signer", actor="bob", to=["dave", "mgr"], position="before")
    assert sorted((t.node_id, t.assignee) for t in out.tasks) == [("a", "dave"), ("a", "mgr")]
    eng.act(task_of(eng, inst.id, "dave"), "approve", actor="dave")
    assert open_tasks(eng, inst.id) == [("a", "mgr")]
    eng.act(task_of(eng, inst.id, "mgr"), "approve", actor="mgr")
    assert open_tasks(eng, inst.id) == [("a", "bob")]
    eng.act(task_of(eng, inst.id, "bob"), "approve", actor="bob")
    assert open_tasks(eng, inst.id) == [("b", "carol")]


def test_add_signer_after_approves_now_and_waits_for_them(eng: ProcessEngine) -> None:
    eng.deploy(ONE)
    inst = eng.start("p", starter="alice")
    out = eng.act(inst.tasks[0].id, "add-signer", actor="bob", to=["dave"], position="after")
    assert [(t.node_id, t.assignee) for t in out.tasks] == [("a", "dave")]
    assert "approved" in actions(eng, inst.id)
    eng.act(out.tasks[0].id, "approve", actor="dave")
    assert open_tasks(eng, inst.id) == [("b", "carol")]


def test_add_signer_in_parallel_needs_everyone(eng: ProcessEngine) -> None:
    eng.deploy(ONE)
    inst = eng.start("p", starter="alice")
    eng.act(inst.tasks[0].id, "add-signer", actor="bob", to=["dave"], position="parallel")
    assert open_tasks(eng, inst.id) == [("a", "bob"), ("a", "dave")]
    eng.act(task_of(eng, inst.id, "bob"), "approve", actor="bob")
    assert open_tasks(eng, inst.id) == [("a", "dave")]
    eng.act(task_of(eng, inst.id, "dave"), "approve", actor="dave")
    assert open_tasks(eng, inst.id) == [("b", "carol")]


def test_an_added_signer_rejecting_rejects_the_step(eng: ProcessEngine) -> None:
    eng.deploy(ONE)
    inst = eng.start("p", starter="alice")
    eng.act(inst.tasks[0].id, "add-signer", actor="bob", to=["dave"], position="parallel")
    out = eng.act(task_of(eng, inst.id, "dave"), "reject", actor="dave")
    assert out.status == "rejected"


def test_add_signer_before_on_a_sequential_node(eng: ProcessEngine) -> None:
    eng.deploy(SEQUENTIAL)
    inst = eng.start("p", starter="alice")
    assert open_tasks(eng, inst.id) == [("review", "bob")]
    eng.act(task_of(eng, inst.id, "bob"), "add-signer", actor="bob", to=["dave"], position="before")
    assert open_tasks(eng, inst.id) == [("review", "dave")]
    eng.act(task_of(eng, inst.id, "dave"), "approve", actor="dave")
    assert open_tasks(eng, inst.id) == [("review", "bob")]  # back to bob, carol is not asked yet
    eng.act(task_of(eng, inst.id, "bob"), "approve", actor="bob")
    assert open_tasks(eng, inst.id) == [("review", "carol")]
    eng.act(task_of(eng, inst.id, "carol"), "approve", actor="carol")
    assert open_tasks(eng, inst.id) == [("after", "alice")]


def test_add_signer_after_on_a_sequential_node_comes_before_the_next_in_line(eng: ProcessEngine) -> None:
    eng.deploy(SEQUENTIAL)
    inst = eng.start("p", starter="alice")
    eng.act(task_of(eng, inst.id, "bob"), "add-signer", actor="bob", to=["dave"], position="after")
    assert open_tasks(eng, inst.id) == [("review", "dave")]
    eng.act(task_of(eng, inst.id, "dave"), "approve", actor="dave")
    assert open_tasks(eng, inst.id) == [("review", "carol")]


def test_remove_a_signer_who_has_not_answered(eng: ProcessEngine) -> None:
    eng.deploy(ONE)
    inst = eng.start("p", starter="alice")
    eng.act(inst.tasks[0].id, "add-signer", actor="bob", to=["dave", "mgr"], position="before")
    eng.act(task_of(eng, inst.id, "dave"), "approve", actor="dave")
    out = eng.act(task_of(eng, inst.id, "mgr"), "remove-signer", actor="bob", to=["mgr"])
    assert [(t.node_id, t.assignee) for t in out.tasks] == [("a", "bob")]  # the stage is done: back to bob
    assert "signers_removed" in actions(eng, inst.id)


def test_remove_signer_after_add_after_completes_the_step(eng: ProcessEngine) -> None:
    eng.deploy(ONE)
    inst = eng.start("p", starter="alice")
    dave = eng.act(inst.tasks[0].id, "add-signer", actor="bob", to=["dave"], position="after").tasks[0]
    out = eng.act(dave.id, "remove-signer", actor="bob", to=["dave"])
    assert [(t.node_id, t.assignee) for t in out.tasks] == [("b", "carol")]


def test_only_the_adder_or_an_admin_removes_a_signer(eng: ProcessEngine) -> None:
    eng.deploy(ONE)
    inst = eng.start("p", starter="alice")
    eng.act(inst.tasks[0].id, "add-signer", actor="bob", to=["dave", "mgr"], position="parallel")
    before = snapshot(eng)
    with pytest.raises(NotAllowed, match="carol is not an approver"):
        eng.act(task_of(eng, inst.id, "dave"), "remove-signer", actor="carol", to=["dave"])
    with pytest.raises(InvalidInput, match="no signer you added at this step is still waiting"):
        eng.act(task_of(eng, inst.id, "dave"), "remove-signer", actor="dave", to=["mgr"])
    assert snapshot(eng) == before
    eng.act(task_of(eng, inst.id, "dave"), "remove-signer", actor="boss", to=["dave"])  # boss: admin
    assert open_tasks(eng, inst.id) == [("a", "bob"), ("a", "mgr")]


def test_bad_position_is_refused(eng: ProcessEngine) -> None:
    eng.deploy(ONE)
    inst = eng.start("p", starter="alice")
    with pytest.raises(InvalidInput, match="--position must be one of before, after, parallel"):
        eng.act(inst.tasks[0].id, "add-signer", actor="bob", to=["dave"], position="sideways")
