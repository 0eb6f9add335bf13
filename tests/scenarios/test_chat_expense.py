"""An expense claim from chat command to result card, through the bot and the notifier."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from engine.store.schema import history

pytestmark = pytest.mark.asyncio


async def test_expense_from_apply_to_result_card(chat) -> None:  # type: ignore[no-untyped-def]
    reply = await chat.send("zhangwei", "/apply 报销 amount=20000 reason=出差")
    assert reply.ok, reply.text
    instance_id = reply.cards[0].instance_id
    (manager_card,) = chat.inbox("chenjie")
    assert manager_card["status"] == "open" and [a["action"] for a in manager_card["actions"]] == [
        "approve",
        "reject",
    ]
    assert {"label": "amount", "value": "20000"} in manager_card["fields"]

    reply = await chat.click("chenjie", manager_card["card_id"], "approve")
    assert reply.ok and reply.updated[0].status_text.startswith("已同意 · 陈杰")
    (director_card,) = chat.inbox("zhouli")
    reply = await chat.click("zhouli", director_card["card_id"], "approve")
    assert reply.ok

    result = [c for c in chat.inbox("zhangwei") if c["kind"] == "result"]
    assert result and result[0]["status"] == "completed" and result[0]["instance_id"] == instance_id
    for user, card_id in (("chenjie", manager_card["card_id"]), ("zhouli", director_card["card_id"])):
        (final,) = [c for c in chat.inbox(user) if c["card_id"] == card_id]
        assert final["status"] == "approved" and final["actions"] == []


async def test_second_click_answers_clearly_and_changes_nothing(chat) -> None:  # type: ignore[no-untyped-def]
    await chat.send("zhangwei", "/apply expense amount=50 reason=打车")
    (card,) = chat.inbox("chenjie")
    assert (await chat.click("chenjie", card["card_id"], "approve")).ok
    with chat.services.engine.db.read() as conn:
        before = conn.execute(sa.select(sa.func.count()).select_from(history)).scalar_one()
    again = await chat.click("chenjie", card["card_id"], "reject")
    assert not again.ok and "已被处理" in (again.text or "") and "陈杰" in (again.text or "")
    with chat.services.engine.db.read() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(history)).scalar_one() == before


async def test_redelivered_event_gets_the_recorded_answer(chat) -> None:  # type: ignore[no-untyped-def]
    first = await chat.send("zhangwei", "/apply expense amount=50 reason=打车", key="wecom-msg-1")
    second = await chat.send("zhangwei", "/apply expense amount=50 reason=打车", key="wecom-msg-1")
    assert second.text == first.text and [c.card_id for c in second.cards] == [c.card_id for c in first.cards]
    assert len(chat.services.engine.instances(starter="zhangwei")) == 1


async def test_unknown_command_suggests_and_stranger_is_refused(chat) -> None:  # type: ignore[no-untyped-def]
    reply = await chat.send("zhangwei", "/tood")
    assert "/todo" in (reply.text or "")
    stranger = await chat.send("nobody", "/todo")
    assert not stranger.ok and "organisation" in (stranger.text or "")


async def test_todo_mine_and_chinese_aliases(chat) -> None:  # type: ignore[no-untyped-def]
    await chat.send("zhangwei", "／申请 请假 days＝5 reason=“回老家 探亲”")
    todo = await chat.send("chenjie", "待办")
    assert len(todo.cards) == 1 and todo.cards[0].kind == "task"
    mine = await chat.send("zhangwei", "/我的申请")
    assert mine.cards[0].status == "running"
    assert {"label": "reason", "value": "回老家 探亲"} in [
        {"label": f.label, "value": f.value} for f in mine.cards[0].fields
    ]
