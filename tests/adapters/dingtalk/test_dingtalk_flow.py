"""End to end: the real ``dingtalk_stream`` SDK in the app, against the fake DingTalk.

The example company is synced from the fake's address book (``jingwei org sync dingtalk``),
so DingTalk userIds differ from org ids and identity mapping is exercised throughout.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from dingtalk_directory import FakeUser
from dingtalk_fake import FakeCard, FakeDingTalk
from support import load_example_org

from admin_web import cli
from admin_web.app import create_app
from admin_web.dingtalk import DINGTALK
from admin_web.settings import Settings
from engine import Database, ProcessEngine

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"


@dataclass
class World:
    fake: FakeDingTalk
    engine: ProcessEngine
    client: Any

    def staff(self, user: str) -> str:
        return self.fake.directory.staff[user]

    def task_cards(self, user: str) -> list[FakeCard]:
        return [
            c for c in self.fake.cards.values() if c.user == self.staff(user) and c.data["kind"] == "task"
        ]

    def messages(self, user: str) -> list[dict[str, Any]]:
        return [m for m in self.fake.messages if m["to"] == self.staff(user)]

    async def open_card(self, user: str) -> FakeCard:
        cards: list[FakeCard] = await self.fake.until(
            lambda: [c for c in self.task_cards(user) if c.data["status"] == "open"],
            what=f"a card for {user}",
        )
        return cards[-1]


@pytest.fixture
async def world(
    fake: FakeDingTalk, db: Database, tmp_path: Path, aiohttp_client: Any, monkeypatch: pytest.MonkeyPatch
) -> World:
    load_example_org(db)
    engine = ProcessEngine(db)
    for key in ("expense", "leave"):
        engine.deploy((EXAMPLES / f"{key}.bpmn").read_bytes())
    url = db.url.render_as_string(hide_password=False)
    monkeypatch.setenv("JINGWEI_DINGTALK_CLIENT_ID", fake.client_id)
    monkeypatch.setenv("JINGWEI_DINGTALK_CLIENT_SECRET", fake.client_secret)
    monkeypatch.setenv("JINGWEI_DINGTALK_CARD_TEMPLATE_ID", fake.template_id)
    # the CLI runs its own event loop: give it a thread
    assert await asyncio.to_thread(cli.main, ["org", "sync", "dingtalk", "--db", url, "--json"]) == 0
    settings = Settings(db=url, attachments_dir=tmp_path / "files", workers=4)
    client = await aiohttp_client(create_app(settings))
    await fake.until(lambda: fake.live_connections() == 1, what="the app's Stream connection")
    return World(fake, engine, client)


def _params(ack: dict[str, Any]) -> dict[str, str]:
    params: dict[str, str] = ack["data"]["response"]["cardData"]["cardParamMap"]
    return params


async def test_expense_claim_approved_in_dingtalk(world: World) -> None:
    fake = world.fake
    sent = await fake.push_message(world.staff("lilei"), "/apply 报销 amount=20000 reason=出差")
    assert (await fake.ack(sent))["code"] == 200  # acknowledged at once, handled after

    manager = await world.open_card("chenjie")
    assert manager.callback_type == "STREAM" and manager.data["cardId"].startswith("task-")
    assert [a["action"] for a in json.loads(manager.data["actions"])] == ["approve", "reject"]
    assert {f["label"]: f["value"] for f in json.loads(manager.data["fields"])}["amount"] == "20000"
    submitted = await fake.until(lambda: [m for m in world.messages("lilei") if m["msgKey"] == "sampleText"])
    assert "已提交" in submitted[0]["param"]["content"]

    click = await fake.click(manager.track_id, world.staff("chenjie"), "approve")
    ack = await fake.ack(click)
    shown = _params(ack)
    assert shown["status"] == "approved" and shown["decided"] == "true" and shown["actions"] == "[]"
    assert shown["statusText"].startswith("已同意 · 陈杰")
    assert manager.data["status"] == "approved" and manager.answered == 1
    assert fake.frames[click].latencies[0] < 1.5

    director = await world.open_card("zhouli")
    click2 = await fake.click(director.track_id, world.staff("zhouli"), "approve")
    old = await fake.disconnect()  # the gateway moves us while the director's click is being handled
    ack2 = await fake.ack(click2)
    assert _params(ack2)["status"] == "approved"
    await fake.until(lambda: len(fake.conns) == 2 and fake.conns[1].open, what="a new connection")
    await fake.until(lambda: not old.open, what="the old connection to close")

    result = await fake.until(
        lambda: [m for m in world.messages("lilei") if m["msgKey"] == "sampleActionCard"
                 and "已通过" in m["param"]["text"]],
        what="the requester's notice",
    )  # fmt: skip
    assert result[0]["param"]["singleURL"].startswith("dingtalk://dingtalkclient/page/link?url=")
    (instance,) = world.engine.instances(starter="lilei")
    assert instance.status == "completed"

    # a redelivered callback answers the same and changes nothing
    before = (len(world.engine.instance(instance.id).history), len(fake.messages), director.updates)
    await fake.redeliver(click2)
    again = await fake.ack(click2, count=2)
    assert _params(again) == _params(ack2)
    await asyncio.sleep(0.3)
    assert (len(world.engine.instance(instance.id).history), len(fake.messages), director.updates) == before
    # ... also in a process that never saw it (restarted, or another node): the recorded answer is replayed
    world.client.app[DINGTALK].stream._acks.clear()
    await fake.redeliver(click2)
    third = await fake.ack(click2, count=3)
    assert (
        _params(third)["status"] == "approved" and _params(third)["statusText"] == _params(ack2)["statusText"]
    )
    await asyncio.sleep(0.3)
    assert (len(world.engine.instance(instance.id).history), len(fake.messages), director.updates) == before

    # a redelivered message does not start a second claim
    await fake.redeliver(sent)
    await fake.ack(sent, count=2)
    await asyncio.sleep(0.3)
    assert len(world.engine.instances(starter="lilei")) == 1

    # nothing lost over the move: the new connection serves the next message
    todo = await fake.push_message(world.staff("chenjie"), "/todo")
    await fake.ack(todo)
    await fake.until(
        lambda: any("没有待办" in m["param"].get("content", "") for m in world.messages("chenjie"))
    )
    assert fake.frames[todo].conn is fake.conns[1]
    # the clickers' copies were updated by the ACKs (the manager's may later show newer history)
    assert (manager.answered, director.answered, director.updates) == (1, 3, 0), (fake.puts, director.data)
    assert world.client.app[DINGTALK].stream.stats.disconnects == 1
    assert fake.errors == []


async def test_other_recipients_copies_are_updated_through_the_api(world: World) -> None:
    fake = world.fake
    await fake.push_message(world.staff("lilei"), "/apply 请假 days=5 reason=探亲")
    manager = await world.open_card("chenjie")
    await fake.ack(await fake.click(manager.track_id, world.staff("chenjie"), "approve"))
    liuting, songjia = await world.open_card("liuting"), await world.open_card("songjia")
    assert liuting.track_id != songjia.track_id and liuting.data["cardId"] == songjia.data["cardId"]

    ack = await fake.ack(await fake.click(songjia.track_id, world.staff("songjia"), "approve"))
    assert _params(ack)["statusText"].startswith("已同意 · 宋佳")
    await fake.until(lambda: liuting.updates == 1, what="the other HR person's copy to be updated")
    assert liuting.data["status"] == "approved" and liuting.data["actions"] == "[]"
    assert liuting.data["statusText"].startswith("已同意 · 宋佳")
    assert songjia.updates == 0

    late = await fake.ack(await fake.click(liuting.track_id, world.staff("liuting"), "approve"))
    assert _params(late)["status"] == "approved"  # a stale click shows who handled it
    await fake.until(
        lambda: any("已被处理" in m["param"].get("content", "") for m in world.messages("liuting"))
    )
    assert fake.errors == []


async def test_files_mentions_and_strangers(world: World) -> None:
    fake = world.fake
    await fake.push_message(world.staff("lilei"), "/apply expense amount=88 reason=打车")
    await world.open_card("chenjie")
    fake.files["code-receipt"] = (b"%PDF-1.4 receipt", "application/pdf")
    await fake.push_message(
        world.staff("lilei"),
        msgtype="file",
        content={"downloadCode": "code-receipt", "fileName": "receipt.pdf"},
    )
    fake.files["code-photo"] = (b"\x89PNG fake", "image/png")
    await fake.push_message(world.staff("lilei"), msgtype="picture", content={"downloadCode": "code-photo"})

    def attached() -> list[dict[str, Any]]:
        return [m for m in world.messages("lilei") if "已附加" in m["param"].get("content", "")]

    await fake.until(lambda: len(attached()) == 2, what="two attachments")
    assert "receipt.pdf" in attached()[0]["param"]["content"]  # in the order sent
    assert attached()[1]["param"]["content"].startswith("已附加 picture-")
    (instance,) = world.engine.instances(starter="lilei")
    names = [a.filename for a in world.engine.attachments(instance.id)]
    assert names[0] == "receipt.pdf" and names[1].endswith(".png")

    fake.files["code-big"] = (b"x" * (21 * 1024 * 1024), "application/pdf")
    await fake.push_message(
        world.staff("lilei"), msgtype="file", content={"downloadCode": "code-big", "fileName": "big.pdf"}
    )
    await fake.push_message(
        world.staff("lilei"), msgtype="file", content={"downloadCode": "code-receipt", "fileName": "tool.exe"}
    )
    await fake.until(
        lambda: any("文件太大" in m["param"].get("content", "") for m in world.messages("lilei"))
    )
    await fake.until(
        lambda: any("不支持的文件" in m["param"].get("content", "") for m in world.messages("lilei"))
    )

    await fake.push_message(world.staff("chenjie"), "/todo", group=True)
    answer = await fake.until(lambda: [m for m in fake.messages if m["to"].startswith("cid-group-")])
    assert "待办" in answer[0]["param"]["content"]

    # joined DingTalk after the last sync: told how to get access, nothing else happens
    fake.directory.users["dt9999"] = FakeUser("dt9999", "新同事", "13900000000", "new@example.cn", "", [1])
    await fake.push_message("dt9999", "/todo")
    told = await fake.until(lambda: [m for m in fake.messages if m["to"] == "dt9999"], what="the answer")
    assert "绑定组织账号" in told[0]["param"]["content"]
    assert fake.errors == []
