from __future__ import annotations

import pytest
from support import bpmn, chain, task

from engine import ProcessEngine


def mi_process(loop: str, approver: str = "role:reviewers", extra: str = "") -> str:
    return bpmn(
        '<startEvent id="s"/>'
        + task("review", approver, extra, f"<multiInstanceLoopCharacteristics {loop}")
        + task("after", "starter")
        + '<endEvent id="e"/>'
        + chain("s", "review", "after", "e")
    )


def test_parallel_countersign_needs_every_approval(eng: ProcessEngine) -> None:
    eng.deploy(mi_process('isSequential="false"/>'))
    inst = eng.start("p", starter="alice")
    assert sorted(t.assignee or "" for t in inst.tasks) == ["bob", "carol", "dave"]
    for t in inst.tasks[:-1]:
        inst = eng.act(t.id, "approve", actor=t.assignee or "")
        assert {x.node_id for x in inst.tasks} == {"review"}
    last = inst.tasks[0]
    inst = eng.act(last.id, "approve", actor=last.assignee or "")
    assert [t.node_id for t in inst.tasks] == ["after"]


def test_one_rejection_decides_a_countersign(eng: ProcessEngine) -> None:
    eng.deploy(mi_process('isSequential="false"/>'))
    inst = eng.start("p", starter="alice")
    t = inst.tasks[0]
    out = eng.act(t.id, "reject", actor=t.assignee or "")
    assert out.status == "rejected"
    assert len(eng.tasks(instance_id=inst.id, status="cancelled")) == 2


def test_completion_condition_ratio_cancels_the_rest(eng: ProcessEngine) -> None:
    loop = (
        'isSequential="false"><completionCondition>${nrOfCompletedInstances/nrOfInstances &gt;= 0.6}'
        "</completionCondition></multiInstanceLoopCharacteristics>"
    )
    eng.deploy(mi_process(loop))
    inst = eng.start("p", starter="alice")
    first, second = inst.tasks[0], inst.tasks[1]
    inst = eng.act(first.id, "approve", actor=first.assignee or "")
    assert len(inst.tasks) == 2
    inst = eng.act(second.id, "approve", actor=second.assignee or "")
    assert [t.node_id for t in inst.tasks] == ["after"]
    assert len(eng.tasks(instance_id=inst.id, status="cancelled")) == 1


def test_sequential_visits_approvers_in_order(eng: ProcessEngine) -> None:
    eng.deploy(mi_process('isSequential="true"/>', approver="user:dave,bob,carol"))
    inst = eng.start("p", starter="alice")
    order = []
    while inst.tasks and inst.tasks[0].node_id == "review":
        assert len(inst.tasks) == 1
        t = inst.tasks[0]
        order.append(t.assignee)
        inst = eng.act(t.id, "approve", actor=t.assignee or "")
    assert order == ["dave", "bob", "carol"]


@pytest.mark.parametrize("sequential", ["true", "false"])
def test_collection_with_element_variable_assigns_each_item(eng: ProcessEngine, sequential: str) -> None:
    xml = bpmn(
        '<startEvent id="s"/>'
        '<userTask id="review" name="Review ${loopCounter}" camunda:assignee="${reviewer}">'
        f'<multiInstanceLoopCharacteristics isSequential="{sequential}" camunda:collection="${{reviewers}}" '
        'camunda:elementVariable="reviewer"/></userTask>'
        '<endEvent id="e"/>' + chain("s", "review", "e")
    )
    eng.deploy(xml)
    inst = eng.start("p", starter="alice", data={"reviewers": ["carol", "bob"]})
    seen = []
    while inst.status == "running":
        t = inst.tasks[0]
        seen.append((t.assignee, t.name))
        inst = eng.act(t.id, "approve", actor=t.assignee or "")
    assert sorted(seen) == [("bob", "Review 1"), ("carol", "Review 0")]
    assert inst.status == "completed"


def test_candidates_offer_one_task_to_several_people(eng: ProcessEngine) -> None:
    xml = bpmn(
        '<startEvent id="s"/>'
        + task("pick", "role:reviewers")
        + '<endEvent id="e"/>'
        + chain("s", "pick", "e")
    )
    eng.deploy(xml)
    inst = eng.start("p", starter="alice")
    (t,) = inst.tasks
    assert t.assignee is None and sorted(t.candidates) == ["bob", "carol", "dave"]
    assert [x.id for x in eng.tasks(assignee="carol")] == [t.id]
    out = eng.act(t.id, "approve", actor="carol")
    assert out.status == "completed"
    assert eng.tasks(assignee="bob") == []
