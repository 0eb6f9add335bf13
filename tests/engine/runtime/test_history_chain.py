from __future__ import annotations

import sqlalchemy as sa
from support import bpmn, chain, task

from engine import ProcessEngine
from engine.store.schema import history

TWO = bpmn(
    '<startEvent id="s"/>'
    + task("t1", "manager")
    + task("t2", "role:hr")
    + '<endEvent id="e"/>'
    + chain("s", "t1", "t2", "e")
)


def _finished(eng: ProcessEngine) -> str:
    eng.deploy(TWO)
    inst = eng.start("p", starter="alice", data={"reason": "出差"})
    inst = eng.act(inst.tasks[0].id, "approve", actor="mgr", comment="同意 ✓")
    inst = eng.act(inst.tasks[0].id, "approve", actor="hr1")
    return inst.id


def test_each_row_carries_the_previous_hash(eng: ProcessEngine) -> None:
    iid = _finished(eng)
    rows = eng.instance(iid).history
    assert [r.seq for r in rows] == list(range(1, len(rows) + 1))
    with eng.db.read() as conn:
        stored = conn.execute(
            sa.select(history.c.prev_hash, history.c.hash)
            .where(history.c.instance_id == iid)
            .order_by(history.c.seq)
        ).all()
    assert stored[0].prev_hash == "0" * 64
    for before, after in zip(stored, stored[1:], strict=False):
        assert after.prev_hash == before.hash
    assert eng.verify_history(iid).ok


def test_editing_a_row_is_detected(eng: ProcessEngine) -> None:
    iid = _finished(eng)
    with eng.db.write() as conn:
        conn.execute(
            history.update().where(history.c.instance_id == iid, history.c.seq == 3).values(actor="boss")
        )
    check = eng.verify_history(iid)
    assert not check.ok and check.first_bad_seq == 3


def test_cutting_the_tail_is_detected(eng: ProcessEngine) -> None:
    iid = _finished(eng)
    with eng.db.write() as conn:
        last = conn.execute(
            sa.select(sa.func.max(history.c.seq)).where(history.c.instance_id == iid)
        ).scalar_one()
        conn.execute(history.delete().where(history.c.instance_id == iid, history.c.seq == last))
    check = eng.verify_history(iid)
    assert not check.ok and "expects" in check.message
