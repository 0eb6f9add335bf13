from __future__ import annotations

import pytest
import sqlalchemy as sa
from support import bpmn, chain, flow, task

from engine import Conflict, InvalidInput, NoApprover, NotAllowed, NotFound, ProcessEngine
from engine.store.schema import history, instances, outbox, tasks

TWO_STEP = bpmn(
    '<startEvent id="s"/>'
    + task("t1", "manager")
    + task("t2", "role:hr")
    + '<endEvent id="e"/>'
    + chain("s", "t1", "t2", "e")
)


def counts(eng: ProcessEngine) -> dict[str, int]:
    with eng.db.read() as conn:
        return {
            t.name: conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
            for t in (instances, tasks, history, outbox)
        }


def test_two_step_approval_runs_to_completion(eng: ProcessEngine) -> None:
    eng.deploy(TWO_STEP)
    inst = eng.start("p", starter="alice", data={"amount": 5})
    assert inst.status == "running"
    assert [(t.node_id, t.assignee) for t in inst.tasks] == [("t1", "mgr")]
    inst = eng.act(inst.tasks[0].id, "approve", actor="mgr", comment="ok")
    assert [(t.node_id, t.assignee) for t in inst.tasks] == [("t2", "hr1")]
    inst = eng.act(inst.tasks[0].id, "approve", actor="hr1")
    assert inst.status == "completed" and inst.tasks == []
    full = eng.instance(inst.id)
    actions = [h.action for h in full.history]
    assert actions == ["started", "task_created", "approved", "task_created", "approved", "ended"]
    assert full.history[2].details == {"comment": "ok"} and full.history[2].actor == "mgr"
    assert eng.verify_history(inst.id).ok
    assert eng.tasks(assignee="mgr") == []
    done = eng.tasks(instance_id=inst.id, status="completed")
    assert {t.completed_by for t in done} == {"mgr", "hr1"}


def test_reject_ends_the_instance_as_rejected(eng: ProcessEngine) -> None:
    eng.deploy(TWO_STEP)
    inst = eng.start("p", starter="alice")
    inst = eng.act(inst.tasks[0].id, "reject", actor="mgr", comment="no budget")
    assert inst.status == "rejected"
    full = eng.instance(inst.id)
    assert full.history[-1].action == "ended" and full.history[-1].details["status"] == "rejected"
    assert full.ended_at is not None


def test_on_reject_continue_routes_by_approved_variable(eng: ProcessEngine) -> None:
    xml = bpmn(
        '<startEvent id="s"/>'
        + task("t1", "manager", 'jw:onReject="continue"')
        + '<exclusiveGateway id="g" default="f_yes"/>'
        + task("fix", "starter")
        + '<endEvent id="e"/>'
        + flow("f1", "s", "t1")
        + flow("f2", "t1", "g")
        + flow("f_no", "g", "fix", "${!approved}")
        + flow("f_yes", "g", "e")
        + flow("f3", "fix", "e")
    )
    eng.deploy(xml)
    inst = eng.start("p", starter="alice")
    inst = eng.act(inst.tasks[0].id, "reject", actor="mgr")
    assert inst.status == "running"
    assert [(t.node_id, t.assignee) for t in inst.tasks] == [("fix", "alice")]


def test_only_the_assignee_may_act(eng: ProcessEngine) -> None:
    eng.deploy(TWO_STEP)
    inst = eng.start("p", starter="alice")
    before = counts(eng)
    with pytest.raises(NotAllowed, match="bob is not an approver"):
        eng.act(inst.tasks[0].id, "approve", actor="bob")
    with pytest.raises(NotFound, match='unknown user "ghost"'):
        eng.act(inst.tasks[0].id, "approve", actor="ghost")
    assert counts(eng) == before


def test_acting_twice_on_a_task_is_a_conflict_naming_the_task(eng: ProcessEngine) -> None:
    eng.deploy(TWO_STEP)
    inst = eng.start("p", starter="alice")
    task_id = inst.tasks[0].id
    eng.act(task_id, "approve", actor="mgr")
    with pytest.raises(Conflict, match=f'task "{task_id}" was already completed by mgr'):
        eng.act(task_id, "reject", actor="mgr")


def test_unknown_starter_action_and_bad_data_are_refused_without_writes(eng: ProcessEngine) -> None:
    eng.deploy(TWO_STEP)
    before = counts(eng)
    with pytest.raises(NotFound, match='unknown user "nobody"'):
        eng.start("p", starter="nobody")
    with pytest.raises(NotFound, match='no process definition "nope"'):
        eng.start("nope", starter="alice")
    with pytest.raises(InvalidInput, match="must be a JSON object"):
        eng.start("p", starter="alice", data=[1, 2])  # type: ignore[arg-type]
    inst = eng.start("p", starter="alice")
    with pytest.raises(InvalidInput, match='unknown action "explode"'):
        eng.act(inst.tasks[0].id, "explode", actor="mgr")
    assert counts(eng)["instances"] == before["instances"] + 1


def test_empty_approver_fails_the_start_and_writes_nothing(eng: ProcessEngine) -> None:
    xml = bpmn(
        '<startEvent id="s"/>'
        + task("t1", "role:nobody-has-it")
        + '<endEvent id="e"/>'
        + chain("s", "t1", "e")
    )
    eng.deploy(xml)
    before = counts(eng)
    with pytest.raises(NoApprover, match='no approver found for "t1"'):
        eng.start("p", starter="alice")
    assert counts(eng) == before


@pytest.mark.parametrize(
    ("rule", "status", "action"),
    [("pass", "completed", "auto_approved"), ("reject", "rejected", "auto_rejected")],
)
def test_empty_approver_rules(eng: ProcessEngine, rule: str, status: str, action: str) -> None:
    xml = bpmn(
        '<startEvent id="s"/>'
        + task("t1", "role:nobody-has-it", f'jw:emptyApprover="{rule}"')
        + '<endEvent id="e"/>'
        + chain("s", "t1", "e")
    )
    eng.deploy(xml)
    inst = eng.start("p", starter="alice")
    assert inst.status == status
    assert action in [h.action for h in eng.instance(inst.id).history]


def test_empty_approver_goes_to_the_process_admin(eng: ProcessEngine) -> None:
    xml = bpmn(
        '<startEvent id="s"/>'
        + task("t1", "role:nobody-has-it", 'jw:emptyApprover="admin"')
        + '<endEvent id="e"/>'
        + chain("s", "t1", "e"),
        attrs=' jw:admin="boss"',
    )
    eng.deploy(xml)
    inst = eng.start("p", starter="alice")
    assert [t.assignee for t in inst.tasks] == ["boss"]


def test_withdraw_only_by_the_starter_and_only_before_any_decision(eng: ProcessEngine) -> None:
    eng.deploy(TWO_STEP)
    inst = eng.start("p", starter="alice")
    with pytest.raises(NotAllowed, match="only the starter"):
        eng.withdraw(inst.id, actor="mgr")
    out = eng.withdraw(inst.id, actor="alice")
    assert out.status == "withdrawn" and out.tasks == []
    with pytest.raises(Conflict, match="already withdrawn"):
        eng.withdraw(inst.id, actor="alice")
    second = eng.start("p", starter="alice")
    eng.act(second.tasks[0].id, "approve", actor="mgr")
    with pytest.raises(NotAllowed, match="already decided"):
        eng.withdraw(second.id, actor="alice")


def test_urge_notifies_current_approvers_and_is_rate_limited(eng: ProcessEngine) -> None:
    eng.deploy(TWO_STEP)
    inst = eng.start("p", starter="alice")
    eng.urge(inst.id, actor="alice")
    with pytest.raises(Conflict, match="urged recently"):
        eng.urge(inst.id, actor="alice")
    with eng.db.read() as conn:
        payloads = [
            r.payload for r in conn.execute(sa.select(outbox).where(outbox.c.topic == "instance.urged"))
        ]
    assert payloads == [{"by": "alice", "recipients": ["mgr"], "task_ids": [inst.tasks[0].id]}]


def test_comment_by_starter_is_recorded_without_moving_the_token(eng: ProcessEngine) -> None:
    eng.deploy(TWO_STEP)
    inst = eng.start("p", starter="alice")
    out = eng.act(inst.tasks[0].id, "comment", actor="alice", comment="附件已补充")
    assert [t.id for t in out.tasks] == [inst.tasks[0].id]
    assert eng.instance(inst.id).history[-1].action == "commented"


def test_instances_stay_on_their_version(eng: ProcessEngine) -> None:
    v1 = eng.deploy(TWO_STEP)
    inst = eng.start("p", starter="alice")
    v2 = eng.deploy(
        bpmn(
            '<startEvent id="s"/>' + task("only", "starter") + '<endEvent id="e"/>' + chain("s", "only", "e")
        )
    )
    assert (v1.version, v2.version) == (1, 2)
    after = eng.act(inst.tasks[0].id, "approve", actor="mgr")
    assert after.version == 1 and after.tasks[0].node_id == "t2"
    new = eng.start("p", starter="alice")
    assert new.version == 2 and new.tasks[0].node_id == "only"
    old = eng.start("p", starter="alice", version=1)
    assert old.tasks[0].node_id == "t1"


def test_outbox_rows_commit_with_the_command(eng: ProcessEngine) -> None:
    eng.deploy(TWO_STEP)
    inst = eng.start("p", starter="alice")
    with eng.db.read() as conn:
        topics = [r.topic for r in conn.execute(sa.select(outbox.c.topic).order_by(outbox.c.id))]
    assert topics == ["instance.started", "task.created"]
    assert inst.tasks
