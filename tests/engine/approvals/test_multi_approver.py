"""A2: countersign, or-sign, sequential and vote nodes, configured by jw:approvalMode."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from approval_support import actions, open_tasks, task_of
from support import bpmn, chain, task

from engine import BpmnError, Conflict, ProcessEngine


def process(mode: str, approver: str = "role:reviewers", extra: str = "") -> str:
    return bpmn(
        '<startEvent id="s"/>'
        + task("review", approver, f'jw:approvalMode="{mode}" {extra}')
        + task("after", "starter")
        + '<endEvent id="e"/>'
        + chain("s", "review", "after", "e")
    )


def test_countersign_needs_everyone_to_approve(eng: ProcessEngine) -> None:
    eng.deploy(process("countersign"))
    inst = eng.start("p", starter="alice")
    assert open_tasks(eng, inst.id) == [("review", "bob"), ("review", "carol"), ("review", "dave")]
    eng.act(task_of(eng, inst.id, "bob"), "approve", actor="bob")
    eng.act(task_of(eng, inst.id, "carol"), "approve", actor="carol")
    assert open_tasks(eng, inst.id) == [("review", "dave")]
    out = eng.act(task_of(eng, inst.id, "dave"), "approve", actor="dave")
    assert [(t.node_id, t.assignee) for t in out.tasks] == [("after", "alice")]


def test_countersign_with_a_rejection_rejects_at_once_and_closes_the_rest(eng: ProcessEngine) -> None:
    eng.deploy(process("countersign"))
    inst = eng.start("p", starter="alice")
    eng.act(task_of(eng, inst.id, "bob"), "approve", actor="bob")
    out = eng.act(task_of(eng, inst.id, "carol"), "reject", actor="carol", comment="预算不足")
    assert out.status == "rejected"
    cancelled = eng.tasks(instance_id=inst.id, status="cancelled")
    assert [t.assignee for t in cancelled] == ["dave"]


def test_countersign_wait_lets_everyone_answer_before_rejecting(eng: ProcessEngine) -> None:
    eng.deploy(process("countersign:wait"))
    inst = eng.start("p", starter="alice")
    eng.act(task_of(eng, inst.id, "bob"), "reject", actor="bob")
    assert open_tasks(eng, inst.id) == [("review", "carol"), ("review", "dave")]
    eng.act(task_of(eng, inst.id, "carol"), "approve", actor="carol")
    out = eng.act(task_of(eng, inst.id, "dave"), "approve", actor="dave")
    assert out.status == "rejected"


def test_countersign_rejection_can_continue_with_approved_false(eng: ProcessEngine) -> None:
    eng.deploy(process("countersign", extra='jw:onReject="continue"'))
    inst = eng.start("p", starter="alice")
    out = eng.act(task_of(eng, inst.id, "bob"), "reject", actor="bob")
    assert out.status == "running" and out.data["approved"] is False
    assert [t.node_id for t in out.tasks] == ["after"]


def test_or_sign_first_answer_decides_and_closes_the_others_as_decided_by(eng: ProcessEngine) -> None:
    eng.deploy(process("or"))
    inst = eng.start("p", starter="alice")
    carol = task_of(eng, inst.id, "carol")
    bob = task_of(eng, inst.id, "bob")
    out = eng.act(carol, "approve", actor="carol")
    assert [t.node_id for t in out.tasks] == ["after"]
    closed = {t.assignee: t for t in eng.tasks(instance_id=inst.id, status="cancelled")}
    assert set(closed) == {"bob", "dave"}
    with pytest.raises(Conflict, match=f'task "{bob}" was already decided'):
        eng.act(bob, "approve", actor="bob")


def test_or_sign_rejection_by_the_first_decides_too(eng: ProcessEngine) -> None:
    eng.deploy(process("or"))
    inst = eng.start("p", starter="alice")
    assert eng.act(task_of(eng, inst.id, "dave"), "reject", actor="dave").status == "rejected"


def _race(eng: ProcessEngine, pairs: list[tuple[str, str]]) -> list[Any]:
    """Both approvers press approve at the same moment, each in its own thread."""
    barrier = threading.Barrier(len(pairs))
    results: list[Any] = [None] * len(pairs)

    def worker(i: int, task_id: str, who: str) -> None:
        barrier.wait()
        try:
            results[i] = eng.act(task_id, "approve", actor=who).status
        except Conflict as exc:
            results[i] = exc

    threads = [threading.Thread(target=worker, args=(i, t, w)) for i, (t, w) in enumerate(pairs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_or_sign_race_two_threads_one_decides_the_other_gets_already_decided(eng: ProcessEngine) -> None:
    eng.deploy(process("or"))
    for _ in range(4):
        inst = eng.start("p", starter="alice")
        results = _race(eng, [(task_of(eng, inst.id, who), who) for who in ("bob", "carol")])
        wins = [r for r in results if isinstance(r, str)]
        losses = [r for r in results if isinstance(r, Conflict)]
        assert len(wins) == 1 and len(losses) == 1, results
        assert "already decided" in losses[0].message
        history = actions(eng, inst.id)
        assert history.count("approved") == 1
        assert open_tasks(eng, inst.id) == [("after", "alice")]
        assert eng.verify_history(inst.id).ok


def test_sequential_asks_one_after_another_in_order(eng: ProcessEngine) -> None:
    eng.deploy(process("sequential", approver="user:dave,bob,carol"))
    inst = eng.start("p", starter="alice")
    order = []
    while True:
        current = eng.tasks(instance_id=inst.id)
        assert len(current) == 1
        if current[0].node_id != "review":
            break
        order.append(current[0].assignee)
        eng.act(current[0].id, "approve", actor=current[0].assignee or "")
    assert order == ["dave", "bob", "carol"]


def test_sequential_stops_at_the_first_rejection(eng: ProcessEngine) -> None:
    eng.deploy(process("sequential", approver="user:dave,bob,carol"))
    inst = eng.start("p", starter="alice")
    eng.act(task_of(eng, inst.id, "dave"), "approve", actor="dave")
    assert eng.act(task_of(eng, inst.id, "bob"), "reject", actor="bob").status == "rejected"
    assert eng.tasks(instance_id=inst.id) == []


def test_vote_is_approved_once_the_ratio_is_reached(eng: ProcessEngine) -> None:
    eng.deploy(process("vote:60"))  # 3 voters: 2 approvals reach 60 %
    inst = eng.start("p", starter="alice")
    eng.act(task_of(eng, inst.id, "bob"), "approve", actor="bob")
    assert len(open_tasks(eng, inst.id)) == 2
    out = eng.act(task_of(eng, inst.id, "dave"), "approve", actor="dave")
    assert [t.node_id for t in out.tasks] == ["after"]
    assert [t.assignee for t in eng.tasks(instance_id=inst.id, status="cancelled")] == ["carol"]


def test_vote_is_rejected_as_soon_as_the_ratio_cannot_be_reached(eng: ProcessEngine) -> None:
    eng.deploy(process("vote:60"))
    inst = eng.start("p", starter="alice")
    eng.act(task_of(eng, inst.id, "bob"), "reject", actor="bob")
    assert eng.instance(inst.id).status == "running"  # 2 of 3 can still reach 60 %
    out = eng.act(task_of(eng, inst.id, "carol"), "reject", actor="carol")
    assert out.status == "rejected"


@pytest.mark.parametrize(
    ("mode", "needle"),
    [
        ("all", 'jw:approvalMode="all"; use countersign'),
        ("vote:0", "a vote needs a percentage from 1 to 100"),
        ("vote:abc", "use countersign, countersign:wait, or, sequential or vote:60"),
    ],
)
def test_bad_approval_modes_are_refused_at_deploy(eng: ProcessEngine, mode: str, needle: str) -> None:
    with pytest.raises(BpmnError, match=needle):
        eng.deploy(process(mode))


def test_sequential_mode_with_a_parallel_loop_is_refused(eng: ProcessEngine) -> None:
    xml = process("sequential").replace(
        'jw:approvalMode="sequential" >', 'jw:approvalMode="sequential" ><multiInstanceLoopCharacteristics/>'
    )
    with pytest.raises(BpmnError, match="isSequential"):
        eng.deploy(xml)
