"""A5: take-back (拿回): recall one's own decision while the next step has not acted."""

from __future__ import annotations

import pytest
from approval_support import open_tasks, task_of
from support import bpmn, chain, task

from engine import Conflict, NotAllowed, ProcessEngine

THREE = bpmn(
    '<startEvent id="s"/>'
    + task("a", "user:bob")
    + task("b", "role:reviewers", 'jw:approvalMode="or"')
    + task("c", "user:mgr")
    + '<endEvent id="e"/>'
    + chain("s", "a", "b", "c", "e")
)


def test_take_back_before_the_next_step_acts(eng: ProcessEngine) -> None:
    eng.deploy(THREE)
    inst = eng.start("p", starter="alice")
    mine = inst.tasks[0].id
    eng.act(mine, "approve", actor="bob")
    assert len(open_tasks(eng, inst.id)) == 3
    out = eng.act(mine, "take-back", actor="bob")
    assert [(t.node_id, t.assignee) for t in out.tasks] == [("a", "bob")]
    assert {t.assignee for t in eng.tasks(instance_id=inst.id, status="cancelled")} == {
        "bob",
        "carol",
        "dave",
    }
    assert "taken_back" in [h.action for h in eng.instance(inst.id).history]
    eng.act(out.tasks[0].id, "approve", actor="bob")
    assert len(open_tasks(eng, inst.id)) == 3


def test_take_back_of_an_or_sign_reopens_the_siblings(eng: ProcessEngine) -> None:
    eng.deploy(THREE)
    inst = eng.start("p", starter="alice")
    eng.act(inst.tasks[0].id, "approve", actor="bob")
    carol = task_of(eng, inst.id, "carol")
    eng.act(carol, "approve", actor="carol")
    assert open_tasks(eng, inst.id) == [("c", "mgr")]
    eng.act(carol, "take-back", actor="carol")
    assert open_tasks(eng, inst.id) == [("b", "bob"), ("b", "carol"), ("b", "dave")]


def test_no_take_back_once_the_next_step_acted(eng: ProcessEngine) -> None:
    eng.deploy(THREE)
    inst = eng.start("p", starter="alice")
    mine = inst.tasks[0].id
    eng.act(mine, "approve", actor="bob")
    eng.act(task_of(eng, inst.id, "dave"), "approve", actor="dave")
    with pytest.raises(Conflict, match="can no longer be taken back: the next step has already acted"):
        eng.act(mine, "take-back", actor="bob")


def test_only_the_decider_takes_back(eng: ProcessEngine) -> None:
    eng.deploy(THREE)
    inst = eng.start("p", starter="alice")
    mine = inst.tasks[0].id
    eng.act(mine, "approve", actor="bob")
    with pytest.raises(NotAllowed, match="carol did not decide task"):
        eng.act(mine, "take-back", actor="carol")


def test_take_back_restores_the_form_fields_the_decision_edited(eng: ProcessEngine) -> None:
    eng.deploy(THREE)
    inst = eng.start("p", starter="alice", data={"amount": 100, "reason": "trip"})
    mine = inst.tasks[0].id
    eng.act(mine, "approve", actor="bob", data={"amount": 90, "remark": "capped at 90"})
    assert eng.instance(inst.id).data == {
        "amount": 90,
        "reason": "trip",
        "remark": "capped at 90",
        "approved": True,
    }
    eng.act(mine, "take-back", actor="bob")
    data = eng.instance(inst.id).data
    assert (data["amount"], data["reason"], "remark" in data) == (100, "trip", False)
    versions = eng.data_versions(inst.id)
    assert [v.data for v in versions] == [
        {"amount": 100, "reason": "trip"},
        {"amount": 90, "reason": "trip", "remark": "capped at 90"},
        {"amount": 100, "reason": "trip"},
    ]
    assert versions[-1].actor == "bob"
    assert eng.verify_history(inst.id).ok


def test_take_back_of_a_decision_without_edits_writes_no_data_version(eng: ProcessEngine) -> None:
    eng.deploy(THREE)
    inst = eng.start("p", starter="alice", data={"amount": 100})
    eng.act(inst.tasks[0].id, "approve", actor="bob")
    eng.act(inst.tasks[0].id, "take-back", actor="bob")
    assert len(eng.data_versions(inst.id)) == 1
    assert eng.instance(inst.id).data.get("amount") == 100
