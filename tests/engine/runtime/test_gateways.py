from __future__ import annotations

import pytest
import sqlalchemy as sa
from support import bpmn, flow, task

from engine import InvalidInput, ProcessEngine
from engine.store.schema import instances

XOR = bpmn(
    '<startEvent id="s"/><exclusiveGateway id="g" default="f_small"/>'
    + task("big", "role:fin")
    + task("mid", "manager")
    + task("small", "starter")
    + '<endEvent id="e"/>'
    + flow("f0", "s", "g")
    + flow("f_big", "g", "big", "${amount > 10000}")
    + flow("f_mid", "g", "mid", "${amount > 1000}")
    + flow("f_small", "g", "small")
    + flow("f1", "big", "e")
    + flow("f2", "mid", "e")
    + flow("f3", "small", "e")
)


@pytest.mark.parametrize(("amount", "node"), [(20000, "big"), (5000, "mid"), (10, "small")])
def test_exclusive_takes_the_first_true_condition_else_default(
    eng: ProcessEngine, amount: int, node: str
) -> None:
    eng.deploy(XOR)
    inst = eng.start("p", starter="alice", data={"amount": amount})
    assert [t.node_id for t in inst.tasks] == [node]


def test_exclusive_without_match_or_default_fails_and_writes_nothing(eng: ProcessEngine) -> None:
    xml = bpmn(
        '<startEvent id="s"/><exclusiveGateway id="g"/>'
        + task("a", "starter")
        + task("b", "starter")
        + '<endEvent id="e"/>'
        + flow("f0", "s", "g")
        + flow("fa", "g", "a", "${input == 1}")
        + flow("fb", "g", "b", "${input == 2}")
        + flow("f1", "a", "e")
        + flow("f2", "b", "e")
    )
    eng.deploy(xml)
    with pytest.raises(InvalidInput, match='no outgoing flow of exclusiveGateway "g" matched'):
        eng.start("p", starter="alice", data={"input": 3})
    with pytest.raises(InvalidInput, match='condition of flow "fa"'):
        eng.start("p", starter="alice", data={})
    with eng.db.read() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(instances)).scalar_one() == 0


PARALLEL = bpmn(
    '<startEvent id="s"/><parallelGateway id="fork"/><parallelGateway id="join"/>'
    + task("a", "user:bob")
    + task("b", "user:carol")
    + task("after", "starter")
    + '<endEvent id="e"/>'
    + flow("f0", "s", "fork")
    + flow("fa", "fork", "a")
    + flow("fb", "fork", "b")
    + flow("ja", "a", "join")
    + flow("jb", "b", "join")
    + flow("f1", "join", "after")
    + flow("f2", "after", "e")
)


def test_parallel_join_waits_for_every_branch(eng: ProcessEngine) -> None:
    eng.deploy(PARALLEL)
    inst = eng.start("p", starter="alice")
    by_node = {t.node_id: t for t in inst.tasks}
    assert set(by_node) == {"a", "b"}
    inst = eng.act(by_node["b"].id, "approve", actor="carol")
    assert [t.node_id for t in inst.tasks] == ["a"]
    inst = eng.act(by_node["a"].id, "approve", actor="bob")
    assert [t.node_id for t in inst.tasks] == ["after"]


def test_reject_in_one_branch_cancels_the_other(eng: ProcessEngine) -> None:
    eng.deploy(PARALLEL)
    inst = eng.start("p", starter="alice")
    by_node = {t.node_id: t for t in inst.tasks}
    out = eng.act(by_node["a"].id, "reject", actor="bob")
    assert out.status == "rejected"
    cancelled = eng.tasks(instance_id=inst.id, status="cancelled")
    assert [t.node_id for t in cancelled] == ["b"]


INCLUSIVE = bpmn(
    '<startEvent id="s"/><inclusiveGateway id="split" default="f_none"/><inclusiveGateway id="merge"/>'
    + task("it", "user:bob")
    + task("legal", "user:carol")
    + task("finance", "user:dave")
    + task("after", "starter")
    + '<endEvent id="e"/>'
    + flow("f0", "s", "split")
    + flow("f_it", "split", "it", "${'it' in needs}")
    + flow("f_legal", "split", "legal", "${'legal' in needs}")
    + flow("f_none", "split", "finance")
    + flow("j1", "it", "merge")
    + flow("j2", "legal", "merge")
    + flow("j3", "finance", "merge")
    + flow("f1", "merge", "after")
    + flow("f2", "after", "e")
)


def test_inclusive_split_takes_every_true_flow_and_join_waits_only_for_those(eng: ProcessEngine) -> None:
    eng.deploy(INCLUSIVE)
    inst = eng.start("p", starter="alice", data={"needs": ["it", "legal"]})
    by_node = {t.node_id: t for t in inst.tasks}
    assert set(by_node) == {"it", "legal"}
    inst = eng.act(by_node["it"].id, "approve", actor="bob")
    assert [t.node_id for t in inst.tasks] == ["legal"]
    inst = eng.act(by_node["legal"].id, "approve", actor="carol")
    assert [t.node_id for t in inst.tasks] == ["after"]


def test_inclusive_default_when_nothing_matches_and_join_passes_single_token(eng: ProcessEngine) -> None:
    eng.deploy(INCLUSIVE)
    inst = eng.start("p", starter="alice", data={"needs": []})
    assert [t.node_id for t in inst.tasks] == ["finance"]
    inst = eng.act(inst.tasks[0].id, "approve", actor="dave")
    assert [t.node_id for t in inst.tasks] == ["after"]


def test_subprocess_runs_its_scope_then_continues(eng: ProcessEngine) -> None:
    xml = bpmn(
        '<startEvent id="s"/>'
        '<subProcess id="sub"><startEvent id="ss"/>'
        + task("inner", "manager")
        + '<endEvent id="se"/>'
        + flow("sf1", "ss", "inner")
        + flow("sf2", "inner", "se")
        + "</subProcess>"
        + task("outer", "role:hr")
        + '<endEvent id="e"/>'
        + flow("f0", "s", "sub")
        + flow("f1", "sub", "outer")
        + flow("f2", "outer", "e")
    )
    eng.deploy(xml)
    inst = eng.start("p", starter="alice")
    assert [t.node_id for t in inst.tasks] == ["inner"]
    inst = eng.act(inst.tasks[0].id, "approve", actor="mgr")
    assert [t.node_id for t in inst.tasks] == ["outer"]
    inst = eng.act(inst.tasks[0].id, "approve", actor="hr1")
    assert inst.status == "completed"


def test_terminate_end_cancels_parallel_work(eng: ProcessEngine) -> None:
    xml = bpmn(
        '<startEvent id="s"/><parallelGateway id="fork"/>'
        + task("a", "user:bob")
        + task("b", "user:carol")
        + '<endEvent id="stop"><terminateEventDefinition/></endEvent><endEvent id="e"/>'
        + flow("f0", "s", "fork")
        + flow("fa", "fork", "a")
        + flow("fb", "fork", "b")
        + flow("f1", "a", "stop")
        + flow("f2", "b", "e")
    )
    eng.deploy(xml)
    inst = eng.start("p", starter="alice")
    a = next(t for t in inst.tasks if t.node_id == "a")
    out = eng.act(a.id, "approve", actor="bob")
    assert out.status == "completed" and out.tasks == []
    assert [t.node_id for t in eng.tasks(instance_id=inst.id, status="cancelled")] == ["b"]
