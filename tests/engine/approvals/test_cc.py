"""A6: CC (抄送) configured per step and by an approver; CC'd people read and comment, never act."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from approval_support import snapshot, task_of
from support import bpmn, chain, task

from engine import NotAllowed, ProcessEngine
from engine.store.schema import outbox

CC = bpmn(
    '<startEvent id="s"/>'
    + task("a", "user:bob", 'jw:cc="dept-head,role:hr,user:fin1,carol"')
    + task("b", "user:dave")
    + '<endEvent id="e"/>'
    + chain("s", "a", "b", "e")
)


def cc_events(eng: ProcessEngine) -> list[dict[str, object]]:
    with eng.db.read() as conn:
        return [
            r.payload
            for r in conn.execute(
                sa.select(outbox).where(outbox.c.topic == "instance.cc").order_by(outbox.c.id)
            )
        ]


def test_configured_cc_goes_out_when_the_step_is_approved(eng: ProcessEngine) -> None:
    eng.deploy(CC)
    inst = eng.start("p", starter="alice")
    assert cc_events(eng) == []
    eng.act(inst.tasks[0].id, "approve", actor="bob")
    (event,) = cc_events(eng)
    assert event["recipients"] == ["mgr", "hr1", "fin1", "carol"]  # alice's dept head is mgr
    assert [i.id for i in eng.instances_cc_to("hr1")] == [inst.id]
    assert eng.instances_cc_to("dave") == []


def test_configured_cc_is_not_sent_on_rejection(eng: ProcessEngine) -> None:
    eng.deploy(CC)
    inst = eng.start("p", starter="alice")
    eng.act(inst.tasks[0].id, "reject", actor="bob")
    assert cc_events(eng) == []


def test_an_approver_copies_people_by_hand_once_each(eng: ProcessEngine) -> None:
    eng.deploy(CC)
    inst = eng.start("p", starter="alice")
    t = inst.tasks[0].id
    out = eng.act(t, "cc", actor="bob", to=["dave", "boss"], comment="FYI")
    assert [x.id for x in out.tasks] == [t]  # the task stays open
    eng.act(t, "cc", actor="bob", to=["dave"])
    assert [e["recipients"] for e in cc_events(eng)] == [["dave", "boss"]]
    history = [h for h in eng.instance(inst.id).history if h.action == "cc"]
    assert history[0].actor == "bob" and history[0].details == {"recipients": ["dave", "boss"]}


def test_cc_recipients_comment_but_never_act(eng: ProcessEngine) -> None:
    eng.deploy(CC)
    inst = eng.start("p", starter="alice")
    eng.act(inst.tasks[0].id, "approve", actor="bob")
    dave_task = task_of(eng, inst.id, "dave")
    eng.act(dave_task, "comment", actor="hr1", comment="已知悉")
    assert eng.instance(inst.id).history[-1].action == "commented"
    before = snapshot(eng)
    with pytest.raises(
        NotAllowed, match="hr1 was copied on this request and can read and comment, not approve"
    ):
        eng.act(dave_task, "approve", actor="hr1")
    assert snapshot(eng) == before


def test_strangers_cannot_comment(eng: ProcessEngine) -> None:
    eng.deploy(CC)
    inst = eng.start("p", starter="alice")
    with pytest.raises(NotAllowed, match="is not an approver"):
        eng.act(inst.tasks[0].id, "comment", actor="dave", comment="hello")


def test_a_cc_list_naming_someone_who_left_does_not_block_the_approval(eng: ProcessEngine) -> None:
    xml = CC.replace('jw:cc="dept-head,role:hr,user:fin1,carol"', 'jw:cc="user:ghost,role:hr"')
    eng.deploy(xml)
    inst = eng.start("p", starter="alice")
    eng.act(inst.tasks[0].id, "approve", actor="bob")
    assert [e["recipients"] for e in cc_events(eng)] == [["hr1"]]
    failed = [h for h in eng.instance(inst.id).history if h.action == "cc_failed"]
    assert "ghost" in str(failed[0].details["reason"])
