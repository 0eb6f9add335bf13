"""A4: transfer (转交) and delegate (委派)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from approval_support import open_tasks, snapshot
from support import bpmn, chain, task

from engine import Conflict, InvalidInput, NotAllowed, NotFound, ProcessEngine
from engine.store.schema import outbox

TWO = bpmn(
    '<startEvent id="s"/>'
    + task("a", "user:bob")
    + task("b", "user:carol")
    + '<endEvent id="e"/>'
    + chain("s", "a", "b", "e")
)


def test_transfer_moves_the_task_and_history_says_who_moved_it(eng: ProcessEngine) -> None:
    eng.deploy(TWO)
    inst = eng.start("p", starter="alice")
    old = inst.tasks[0].id
    out = eng.act(old, "transfer", actor="bob", to=["dave"], comment="我出差，转给Dave")
    assert [(t.node_id, t.assignee) for t in out.tasks] == [("a", "dave")]
    moved = [h for h in eng.instance(inst.id).history if h.action == "transferred"]
    assert moved[0].actor == "bob" and moved[0].details["from"] == "bob" and moved[0].details["to"] == "dave"
    with pytest.raises(Conflict, match=f'task "{old}" was already completed by bob'):
        eng.act(old, "approve", actor="bob")
    with eng.db.read() as conn:
        told = conn.execute(sa.select(outbox.c.payload).where(outbox.c.topic == "task.transferred")).scalar()
    assert told["recipients"] == ["dave"]
    eng.act(out.tasks[0].id, "approve", actor="dave")
    assert open_tasks(eng, inst.id) == [("b", "carol")]


def test_transfer_needs_one_active_person_other_than_yourself(eng: ProcessEngine) -> None:
    eng.deploy(TWO)
    inst = eng.start("p", starter="alice")
    t = inst.tasks[0].id
    before = snapshot(eng)
    with pytest.raises(InvalidInput, match="transfer needs --to USER"):
        eng.act(t, "transfer", actor="bob")
    with pytest.raises(NotFound, match="not an active user: ghost"):
        eng.act(t, "transfer", actor="bob", to=["ghost"])
    with pytest.raises(InvalidInput, match="names yourself"):
        eng.act(t, "transfer", actor="bob", to=["bob"])
    with pytest.raises(InvalidInput, match="takes one person"):
        eng.act(t, "transfer", actor="bob", to=["dave", "carol"])
    with pytest.raises(NotAllowed, match="carol is not an approver"):
        eng.act(t, "transfer", actor="carol", to=["dave"])
    assert snapshot(eng) == before


def test_delegate_answers_and_the_task_comes_back_to_the_delegator(eng: ProcessEngine) -> None:
    eng.deploy(TWO)
    inst = eng.start("p", starter="alice")
    out = eng.act(inst.tasks[0].id, "delegate", actor="bob", to=["dave"], comment="请帮忙看下预算")
    assert [(t.node_id, t.assignee) for t in out.tasks] == [("a", "dave")]
    out = eng.act(out.tasks[0].id, "approve", actor="dave", comment="预算没问题")
    assert [(t.node_id, t.assignee) for t in out.tasks] == [("a", "bob")]  # back to bob, not decided yet
    answered = [h for h in eng.instance(inst.id).history if h.action == "delegate_answered"]
    assert answered[0].details == {"opinion": "approved", "owner": "bob", "comment": "预算没问题"}
    eng.act(out.tasks[0].id, "approve", actor="bob")
    assert open_tasks(eng, inst.id) == [("b", "carol")]


def test_a_delegate_can_only_answer_or_transfer(eng: ProcessEngine) -> None:
    eng.deploy(TWO)
    inst = eng.start("p", starter="alice")
    delegated = eng.act(inst.tasks[0].id, "delegate", actor="bob", to=["dave"]).tasks[0].id
    with pytest.raises(NotAllowed, match="a delegated task can only be answered"):
        eng.act(delegated, "return", actor="dave")
    with pytest.raises(NotAllowed, match="a delegated task can only be answered"):
        eng.act(delegated, "delegate", actor="dave", to=["carol"])


def test_delegate_then_transfer_keeps_the_delegation(eng: ProcessEngine) -> None:
    eng.deploy(TWO)
    inst = eng.start("p", starter="alice")
    delegated = eng.act(inst.tasks[0].id, "delegate", actor="bob", to=["dave"]).tasks[0].id
    passed_on = eng.act(delegated, "transfer", actor="dave", to=["carol"]).tasks[0]
    assert passed_on.assignee == "carol"
    back = eng.act(passed_on.id, "reject", actor="carol", comment="不建议").tasks[0]
    assert back.assignee == "bob"  # a rejecting opinion does not decide: the delegator does
    assert eng.instance(inst.id).status == "running"
    # and the delegator may transfer the task once it is back
    final = eng.act(back.id, "transfer", actor="bob", to=["mgr"]).tasks[0]
    assert final.assignee == "mgr"
    eng.act(final.id, "approve", actor="mgr")
    assert open_tasks(eng, inst.id) == [("b", "carol")]


def test_transfer_of_a_pooled_task_goes_to_one_person(eng: ProcessEngine) -> None:
    eng.deploy(
        bpmn(
            '<startEvent id="s"/>' + task("a", "role:reviewers") + '<endEvent id="e"/>' + chain("s", "a", "e")
        )
    )
    inst = eng.start("p", starter="alice")
    out = eng.act(inst.tasks[0].id, "transfer", actor="carol", to=["mgr"])
    assert [(t.assignee, t.candidates) for t in out.tasks] == [("mgr", [])]
