"""The approval bookkeeping is optional in the state JSON: version-1 states from before it still run."""

from __future__ import annotations

import sqlalchemy as sa
from approval_support import open_tasks
from support import bpmn, chain, task

from engine import ProcessEngine
from engine.runtime.state import SCHEMA_VERSION, InstanceState
from engine.store.schema import instances

TWO = bpmn(
    '<startEvent id="s"/>'
    + task("a", "user:bob")
    + task("b", "user:carol")
    + '<endEvent id="e"/>'
    + chain("s", "a", "b", "e")
)


def test_a_state_written_before_the_approval_operations_loads_and_runs(eng: ProcessEngine) -> None:
    eng.deploy(TWO)
    inst = eng.start("p", starter="alice")
    old = {
        "schema_version": 1,
        "tokens": [
            {"id": "1", "node": "a", "status": "waiting", "via": "f_s_a", "tasks": [inst.tasks[0].id]}
        ],
        "next_token": 2,
        "decided": 0,
    }
    with eng.db.write() as conn:
        conn.execute(sa.update(instances).where(instances.c.id == inst.id).values(state=old))
    loaded = InstanceState.from_json(old)
    assert loaded.trail == [] and loaded.undo is None and loaded.to_json() == old
    eng.act(inst.tasks[0].id, "approve", actor="bob")
    assert open_tasks(eng, inst.id) == [("b", "carol")]
    out = eng.act(eng.tasks(instance_id=inst.id)[0].id, "return", actor="carol")
    assert [t.node_id for t in out.tasks] == ["a"]
    assert SCHEMA_VERSION == 1
