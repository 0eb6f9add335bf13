"""A7: automatic approval (去重, jw:dedupe) and the empty-approver rules, each explained in history."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from approval_support import open_tasks, task_of
from support import bpmn, chain, task

from engine import NoApprover, ProcessEngine
from engine.store.schema import outbox


def steps(dedupe: str, *approvers: str) -> str:
    ids = [f"t{i}" for i in range(len(approvers))]
    body = "".join(task(tid, who) for tid, who in zip(ids, approvers, strict=True))
    return bpmn(
        '<startEvent id="s"/>' + body + '<endEvent id="e"/>' + chain("s", *ids, "e"),
        attrs=f' jw:dedupe="{dedupe}"',
    )


def auto_rows(eng: ProcessEngine, instance_id: str) -> list[tuple[str | None, dict[str, object]]]:
    return [(h.node_id, h.details) for h in eng.instance(instance_id).history if h.action == "auto_approved"]


def test_starter_rule_skips_a_step_the_starter_would_approve(eng: ProcessEngine) -> None:
    eng.deploy(steps("starter", "starter", "user:bob"))
    inst = eng.start("p", starter="alice")
    assert open_tasks(eng, inst.id) == [("t1", "bob")]
    assert auto_rows(eng, inst.id) == [("t0", {"approver": "alice", "reason": "alice started this request"})]


def test_adjacent_skips_only_right_after_the_same_approver(eng: ProcessEngine) -> None:
    eng.deploy(steps("adjacent", "user:bob", "user:bob", "user:carol", "user:bob"))
    inst = eng.start("p", starter="alice")
    eng.act(task_of(eng, inst.id, "bob"), "approve", actor="bob")
    assert open_tasks(eng, inst.id) == [("t2", "carol")]  # t1 auto-approved
    eng.act(task_of(eng, inst.id, "carol"), "approve", actor="carol")
    assert open_tasks(eng, inst.id) == [("t3", "bob")]  # not adjacent: asked again


def test_anywhere_skips_anyone_who_approved_earlier(eng: ProcessEngine) -> None:
    eng.deploy(steps("anywhere", "user:bob", "user:carol", "user:bob"))
    inst = eng.start("p", starter="alice")
    eng.act(task_of(eng, inst.id, "bob"), "approve", actor="bob")
    out = eng.act(task_of(eng, inst.id, "carol"), "approve", actor="carol")
    assert out.status == "completed"
    assert auto_rows(eng, inst.id) == [("t2", {"approver": "bob", "reason": 'bob already approved "t0"'})]


def test_a_task_can_switch_dedupe_off(eng: ProcessEngine) -> None:
    xml = steps("anywhere", "user:bob", "user:bob").replace(
        'id="t1" name="t1"', 'id="t1" name="t1" jw:dedupe="off"'
    )
    eng.deploy(xml)
    inst = eng.start("p", starter="alice")
    eng.act(task_of(eng, inst.id, "bob"), "approve", actor="bob")
    assert open_tasks(eng, inst.id) == [("t1", "bob")]


def test_dedupe_in_a_countersign_counts_the_earlier_approval(eng: ProcessEngine) -> None:
    xml = bpmn(
        '<startEvent id="s"/>'
        + task("t0", "user:bob")
        + task("t1", "role:reviewers", 'jw:approvalMode="countersign"')
        + '<endEvent id="e"/>'
        + chain("s", "t0", "t1", "e"),
        attrs=' jw:dedupe="anywhere"',
    )
    eng.deploy(xml)
    inst = eng.start("p", starter="alice")
    eng.act(task_of(eng, inst.id, "bob"), "approve", actor="bob")
    assert open_tasks(eng, inst.id) == [("t1", "carol"), ("t1", "dave")]


def test_dedupe_across_a_return(eng: ProcessEngine) -> None:
    """The step returned to is asked for real; after a return to the starter approvals start over."""
    eng.deploy(steps("anywhere", "user:bob", "user:carol", "user:bob", "user:dave"))
    inst = eng.start("p", starter="alice")
    eng.act(task_of(eng, inst.id, "bob"), "approve", actor="bob")
    eng.act(task_of(eng, inst.id, "carol"), "approve", actor="carol")
    assert open_tasks(eng, inst.id) == [("t3", "dave")]  # t2 auto-approved: bob approved t0
    # dave returns to t2, which bob only passed automatically: bob must now look himself
    eng.act(task_of(eng, inst.id, "dave"), "return", actor="dave", node="t2")
    assert open_tasks(eng, inst.id) == [("t2", "bob")]
    eng.act(task_of(eng, inst.id, "bob"), "approve", actor="bob")
    # back to the starter: a new round, nobody's earlier approval counts
    eng.act(task_of(eng, inst.id, "dave"), "return", actor="dave", node="starter")
    eng.act(task_of(eng, inst.id, "alice"), "resubmit", actor="alice")
    eng.act(task_of(eng, inst.id, "bob"), "approve", actor="bob")
    eng.act(task_of(eng, inst.id, "carol"), "approve", actor="carol")
    assert open_tasks(eng, inst.id) == [("t3", "dave")]  # t2 auto-approved again within the new round
    assert [n for n, _ in auto_rows(eng, inst.id)] == ["t2", "t2"]


# --- empty approver ------------------------------------------------------------------------------


def nobody(rule: str, first: str = "user:bob", attrs: str = "") -> str:
    return bpmn(
        '<startEvent id="s"/>'
        + task("a", first)
        + task("t1", "role:nobody-has-it", f'jw:emptyApprover="{rule}"')
        + '<endEvent id="e"/>'
        + chain("s", "a", "t1", "e"),
        attrs=attrs,
    )


@pytest.mark.parametrize(
    ("rule", "attrs", "status", "action", "assignee"),
    [
        ("pass", "", "completed", "auto_approved", None),
        ("reject", "", "rejected", "auto_rejected", None),
        ("admin", ' jw:admin="hr1"', "running", "assigned_to_admin", "hr1"),
        ("admin", "", "running", "assigned_to_admin", "boss"),  # no jw:admin: the org's admin role
        ("fail", "", "running", "no_approver", None),
    ],
)
def test_empty_approver_rules_leave_a_history_row_that_explains(
    eng: ProcessEngine, rule: str, attrs: str, status: str, action: str, assignee: str | None
) -> None:
    eng.deploy(nobody(rule, attrs=attrs))
    inst = eng.start("p", starter="alice")
    out = eng.act(inst.tasks[0].id, "approve", actor="bob")
    assert out.status == status
    (row,) = [h for h in eng.instance(inst.id).history if h.action == action]
    assert row.node_id == "t1" and 'no approver found for "t1" (role nobody-has-it)' in str(
        row.details["reason"]
    )
    assert [t.assignee for t in out.tasks] == ([assignee] if assignee else [])


def test_fail_mid_instance_waits_and_tells_the_admins(eng: ProcessEngine) -> None:
    eng.deploy(nobody("fail", attrs=' jw:admin="hr1"'))
    inst = eng.start("p", starter="alice")
    eng.act(inst.tasks[0].id, "approve", actor="bob")
    with eng.db.read() as conn:
        stuck = conn.execute(sa.select(outbox.c.payload).where(outbox.c.topic == "instance.stuck")).scalar()
    assert stuck["recipients"] == ["hr1", "alice"]
    out = eng.jump(inst.id, actor="hr1", node="e", reason="无人审批，人工放行")
    assert out.status == "completed"


def test_fail_at_the_start_refuses_the_start(eng: ProcessEngine) -> None:
    eng.deploy(nobody("fail", first="role:nobody-has-it"))
    with pytest.raises(NoApprover, match='no approver found for "a"'):
        eng.start("p", starter="alice")
