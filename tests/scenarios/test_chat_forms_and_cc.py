"""Starting a process with a form from chat, and copying people in."""

from __future__ import annotations

from scenarios_helpers import EXAMPLES


async def test_missing_form_fields_get_a_form_card(chat) -> None:  # type: ignore[no-untyped-def]
    engine = chat.services.engine
    engine.deploy(
        (EXAMPLES / "contract.bpmn").read_bytes(),
        form=(EXAMPLES / "contract-form.json").read_text(encoding="utf-8"),
    )
    reply = await chat.send("lilei", "/apply 合同 title=服务器采购")
    assert not reply.ok and "please complete the form" in (reply.text or "")
    (card,) = reply.cards
    assert card.kind == "form"
    labels = {f.label: f.value for f in card.fields}
    assert labels["合同名称"] == "" and labels["合同相对方"] == "（必填）"
    assert engine.instances(starter="lilei") == []


async def test_cc_copies_someone_by_name(chat) -> None:  # type: ignore[no-untyped-def]
    await chat.send("lilei", "/apply 报销 amount=300 reason=打车")
    (task,) = chat.services.engine.tasks(assignee="chenjie")
    reply = await chat.send("chenjie", f"/cc {task.id} @李娜")
    assert reply.ok, reply.text
    copied = chat.services.engine.instances_cc_to("lina")
    assert [i.id for i in copied] == [task.instance_id]
    unknown = await chat.send("chenjie", f"/cc {task.id} @nobody-here")
    assert not unknown.ok and "nobody called" in (unknown.text or "")
