"""Sending to DingTalk: the token, template cards, robot messages, files, and the notifier channel."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

import aiohttp
import pytest
from dingtalk_fake import FakeDingTalk
from dingtalk_payloads import card_callback
from dingtalk_stream import CallbackMessage

from adapters.dingtalk import DingTalkConfig, DingTalkError, OpenApi
from adapters.dingtalk.card_instances import CardInstances
from adapters.dingtalk.channel import DingTalkChannel, Identities, digest
from adapters.dingtalk.files import FileRefused, Files
from adapters.dingtalk.handlers import CardCallbacks
from adapters.dingtalk.inbound import Origin, out_track_id
from adapters.dingtalk.robot import Robot
from adapters.events import CardAction, ChatEvent, FileReceived
from cards import RESULT, TASK, Card, CardLink, render_dingtalk
from cards import CardAction as Button
from engine import UploadPolicy


@pytest.fixture
async def api(config: DingTalkConfig) -> AsyncIterator[OpenApi]:
    async with aiohttp.ClientSession() as session:
        yield OpenApi(config, session)


def _task_card(status: str = "open") -> Card:
    is_open = status == "open"
    return Card(
        card_id="task-t1",
        kind=TASK,
        title="李雷的费用报销",
        status=status,
        status_text="待审批" if is_open else "已同意 · 陈杰",
        actions=(Button("approve", "同意", "primary"), Button("reject", "驳回", "danger")) if is_open else (),
        links=(CardLink("查看详情", "https://jw.example/h5/task/t1?exp=1&sig=a"),),
        task_id="t1",
    )


async def test_the_token_is_reused_and_refreshed_when_dingtalk_rejects_it(
    fake: FakeDingTalk, api: OpenApi
) -> None:
    robot = Robot(api, api.config)
    user = fake.directory.staff["lilei"]
    await robot.to_user(user, "sampleText", {"content": "一"})
    await robot.to_user(user, "sampleText", {"content": "二"})
    assert fake.calls.count(("POST", "/v1.0/oauth2/accessToken")) == 1
    fake.expire_tokens()
    await robot.to_user(user, "sampleText", {"content": "三"})
    await api.topapi("/topapi/v2/user/get", {"userid": user})
    fake.expire_tokens()
    await api.topapi("/topapi/v2/user/get", {"userid": user})
    assert fake.calls.count(("POST", "/v1.0/oauth2/accessToken")) == 3
    assert [m["param"]["content"] for m in fake.messages] == ["一", "二", "三"]
    with pytest.raises(DingTalkError) as refused:
        await robot.to_user("nobody", "sampleText", {"content": "?"})
    assert refused.value.code == "user.invalid"
    with pytest.raises(DingTalkError) as gone:
        await api.topapi("/topapi/v2/user/get", {"userid": "nobody"})
    assert gone.value.code == "60121"


async def test_a_card_is_created_once_then_updated_in_place(fake: FakeDingTalk, api: OpenApi) -> None:
    cards = CardInstances(api, api.config)
    user = fake.directory.staff["chenjie"]
    track = out_track_id("task-t1", user)
    await cards.create_and_deliver(track, render_dingtalk(_task_card()), user, preview="李雷的费用报销")
    await cards.create_and_deliver(
        track, render_dingtalk(_task_card("approved")), user, preview="again"
    )  # a retry
    card = fake.cards[track]
    assert card.user == user and card.data["status"] == "approved" and card.updates == 1
    with pytest.raises(DingTalkError) as failed:
        await cards.create_and_deliver("task-t2_x", render_dingtalk(_task_card()), "nobody", preview="-")
    assert failed.value.code == "deliver.failed"
    no_template = CardInstances(api, DingTalkConfig(client_id="a", client_secret="b"))
    with pytest.raises(DingTalkError, match="CARD_TEMPLATE_ID"):
        await no_template.create_and_deliver("t", render_dingtalk(_task_card()), user, preview="-")
    assert fake.errors == []


async def test_the_channel_updates_cards_and_notifies_only_about_news(
    fake: FakeDingTalk, api: OpenApi
) -> None:
    user = fake.directory.staff["chenjie"]
    channel = DingTalkChannel(
        CardInstances(api, api.config), Robot(api, api.config), Identities({"chenjie": user})
    )
    assert channel.reaches("chenjie") and not channel.reaches("lilei")
    handle = await channel.send("chenjie", _task_card(), None)
    assert handle == out_track_id("task-t1", user)
    assert await channel.send("chenjie", _task_card(), handle) == handle  # same card: no call
    assert fake.cards[handle].updates == 0
    await channel.send("chenjie", _task_card("approved"), handle)
    assert fake.cards[handle].updates == 1 and fake.cards[handle].data["status"] == "approved"

    def result(url: str) -> Card:
        return Card(
            "instance-i1", RESULT, "你的费用报销", "completed", "已通过", links=(CardLink("查看详情", url),)
        )

    first = await channel.send("chenjie", result("https://x/h5/instance/i1?exp=1&u=chenjie&sig=aa"), None)
    relinked = result("https://x/h5/instance/i1?exp=2&u=chenjie&sig=bb")
    assert await channel.send("chenjie", relinked, first) == first  # only the link's signature changed
    assert len(fake.messages) == 1 and fake.messages[0]["msgKey"] == "sampleActionCard"
    assert first is not None and first.startswith("msg:")
    signed = {"a": "1", "detailUrl": "https://x/h5/task/t?exp=1&u=bob&sig=00"}
    later = {**signed, "detailUrl": "https://x/h5/task/t?exp=9&u=bob&sig=ff"}
    assert digest({"cardParamMap": signed}) == digest({"cardParamMap": later})
    assert digest({"cardParamMap": signed}) != digest(
        {"cardParamMap": {**signed, "detailUrl": "https://x/h5/task/t"}}
    )


async def test_files_respect_the_size_and_type_limits(fake: FakeDingTalk, api: OpenApi) -> None:
    small = DingTalkConfig(client_id=fake.client_id, client_secret=fake.client_secret, endpoint=fake.base,
                           files=UploadPolicy(max_bytes=1000))  # fmt: skip
    files = Files(OpenApi(small, api.session), small)
    fake.files["ok"] = (b"%PDF small", "application/pdf")
    fake.files["big"] = (b"x" * 1001, "application/pdf")
    event = FileReceived("dingtalk", "u", "c", "dingtalk:m1", filename="a.pdf", media_ref="ok")
    fetched = await files.fetch(event)
    assert (fetched.data, fetched.size, fetched.content_type) == (b"%PDF small", 10, "application/pdf")
    with pytest.raises(FileRefused, match="文件太大"):
        await files.fetch(FileReceived("dingtalk", "u", "c", "k", filename="b.pdf", media_ref="big"))
    downloads = fake.calls.count(("POST", "/v1.0/robot/messageFiles/download"))
    with pytest.raises(FileRefused, match="不支持"):
        await files.fetch(FileReceived("dingtalk", "u", "c", "k", filename="run.exe", media_ref="ok"))
    assert (
        fake.calls.count(("POST", "/v1.0/robot/messageFiles/download")) == downloads
    )  # refused before fetching
    with pytest.raises(FileRefused, match="下载失败"):
        await files.fetch(FileReceived("dingtalk", "u", "c", "k", filename="c.pdf", media_ref="expired"))


class SlowSink:
    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.done: list[str] = []

    async def message(self, event: ChatEvent, origin: Origin) -> None:
        raise AssertionError("not used")

    async def card_action(self, event: CardAction, track_id: str) -> Card | None:
        await asyncio.sleep(self.delay)
        self.done.append(event.key)
        return _task_card("approved")


class Copies:
    def __init__(self) -> None:
        self.shown_tracks: list[str] = []

    @contextlib.contextmanager
    def answering(self, track_id: str) -> Iterator[None]:
        yield

    def shown(self, track_id: str, card_data: dict[str, Any]) -> None:
        self.shown_tracks.append(track_id)


def _click(track: str) -> CallbackMessage:
    return CallbackMessage.from_dict(
        {"type": "CALLBACK", "headers": {"messageId": "m1", "topic": "/v1.0/card/instances/callback"},
         "data": json.dumps(card_callback(track, "u", "approve"))}
    )  # fmt: skip


async def test_a_slow_decision_is_acknowledged_in_time_and_still_completes() -> None:
    tasks: set[asyncio.Task[Any]] = set()

    def spawn(coro: Any, name: str) -> asyncio.Task[Any]:
        task = asyncio.ensure_future(coro)
        tasks.add(task)
        return task

    copies = Copies()
    sink = SlowSink(0.3)
    handler = CardCallbacks(sink, copies, spawn, deadline=0.1)
    code, answer = await handler.process(_click("task-t1_abc"))
    assert (code, answer, sink.done) == (200, {}, [])
    await asyncio.gather(*tasks)
    assert sink.done == ["dingtalk:cb:m1"] and copies.shown_tracks == []  # the notifier updates it later

    fast = CardCallbacks(SlowSink(0), copies, spawn)
    code, answer = await fast.process(_click("task-t1_abc"))
    assert answer["cardData"]["cardParamMap"]["status"] == "approved" and copies.shown_tracks == [
        "task-t1_abc"
    ]
    assert answer["cardUpdateOptions"] == {"updateCardDataByKey": True}


async def test_an_update_of_the_clickers_copy_waits_for_the_answer(fake: FakeDingTalk, api: OpenApi) -> None:
    user = fake.directory.staff["chenjie"]
    channel = DingTalkChannel(
        CardInstances(api, api.config), Robot(api, api.config), Identities({"chenjie": user})
    )
    handle = await channel.send("chenjie", _task_card(), None)
    assert handle is not None
    with channel.answering(handle):  # the notifier fans the decision out while the click is answered
        pending = asyncio.ensure_future(channel.send("chenjie", _task_card("approved"), handle))
        await asyncio.sleep(0.1)
        assert not pending.done()
        channel.shown(handle, render_dingtalk(_task_card("approved")))
    assert await pending == handle
    assert fake.cards[handle].updates == 0  # the answer already showed it
