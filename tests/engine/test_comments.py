"""ProcessEngine.comment: who may comment, mentions, history and outbox rows."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa

from engine import Database, NotAllowed, NotFound, ProcessEngine

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
pytestmark = pytest.mark.db


@pytest.fixture
def inst_id(engine: ProcessEngine) -> str:
    engine.deploy((EXAMPLES / "expense.bpmn").read_bytes())
    return engine.start("expense", starter="zhangwei", data={"amount": 12800}).id


def _outbox(db: Database, topic: str) -> list[dict[str, object]]:
    with db.read() as conn:
        rows = conn.execute(sa.text("SELECT payload FROM outbox WHERE topic = :t"), {"t": topic}).scalars()
        return [p if isinstance(p, dict) else json.loads(p) for p in rows]


def test_the_starter_comments_with_mentions(engine: ProcessEngine, db: Database, inst_id: str) -> None:
    entry = engine.comment(inst_id, actor="zhangwei", text=" 请尽快 ", mentions=["zhouli", "zhouli"])
    assert (entry.action, entry.actor, entry.details) == (
        "commented",
        "zhangwei",
        {"comment": "请尽快", "mentions": ["zhouli"]},
    )
    assert _outbox(db, "instance.commented") == [
        {"by": "zhangwei", "comment": "请尽快", "recipients": ["zhouli"]}
    ]
    assert engine.verify_history(inst_id).ok
    assert engine.instance(inst_id).history[-1].seq == entry.seq


def test_past_approvers_still_comment_outsiders_do_not(engine: ProcessEngine, inst_id: str) -> None:
    task = engine.instance(inst_id).tasks[0]
    engine.act(task.id, "approve", actor="chenjie")
    assert engine.comment(inst_id, actor="chenjie", text="补充说明").actor == "chenjie"
    with pytest.raises(NotAllowed):
        engine.comment(inst_id, actor="lina", text="hi")
    with pytest.raises(NotFound):
        engine.comment(inst_id, actor="ghost", text="hi")


def test_comments_on_finished_instances_are_kept(engine: ProcessEngine, inst_id: str) -> None:
    engine.withdraw(inst_id, actor="zhangwei")
    engine.comment(inst_id, actor="zhangwei", text="撤回原因：金额有误")
    inst = engine.instance(inst_id)
    assert inst.status == "withdrawn"
    assert inst.ended_at is not None


def test_unknown_mentions_and_foreign_tasks_are_not_found(engine: ProcessEngine, inst_id: str) -> None:
    with pytest.raises(NotFound, match="nobody"):
        engine.comment(inst_id, actor="zhangwei", text="hi", mentions=["nobody"])
    other = engine.start("expense", starter="zhangwei", data={"amount": 1})
    with pytest.raises(NotFound):
        engine.comment(inst_id, actor="zhangwei", text="hi", task_id=other.tasks[0].id)
