"""The Stream client (the SDK's, with our lifecycle) against the fake gateway."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from dingtalk_fake import CARD_TOPIC, FakeDingTalk
from dingtalk_stream import CallbackHandler, CallbackMessage, Credential

from adapters.dingtalk import Backoff, DingTalkConfig, StreamClient

FAST = Backoff(base=0.05, cap=0.2, jitter=0.01)


class Recorder(CallbackHandler):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__()
        self.seen: list[str] = []
        self.delay = 0.0

    async def process(self, message: CallbackMessage) -> tuple[int, Any]:
        self.seen.append(message.headers.message_id)
        await asyncio.sleep(self.delay)
        return 200, {"n": len(self.seen), "got": message.data}


class Running:
    def __init__(self, client: StreamClient, recorder: Recorder, task: asyncio.Task[None]) -> None:
        self.client, self.recorder, self.task = client, recorder, task


async def _start(fake: FakeDingTalk, config: DingTalkConfig) -> Running:
    client = StreamClient(
        Credential(config.client_id, config.client_secret), endpoint=config.endpoint, backoff=FAST
    )
    recorder = Recorder()
    client.register_callback_handler(CARD_TOPIC, recorder)
    task = asyncio.get_running_loop().create_task(client.run())
    return Running(client, recorder, task)


@pytest.fixture
async def running(fake: FakeDingTalk, config: DingTalkConfig) -> AsyncIterator[Running]:
    run = await _start(fake, config)
    await fake.until(lambda: fake.live_connections() == 1, what="a connection")
    yield run
    await run.client.stop()
    await asyncio.wait_for(run.task, 5)
    assert fake.errors == []


async def test_it_subscribes_to_its_topics_and_answers_pings(fake: FakeDingTalk, running: Running) -> None:
    (opened,) = fake.opened
    assert opened["clientId"] == fake.client_id and opened["subscriptions"] == [
        {"type": "CALLBACK", "topic": CARD_TOPIC}
    ]
    assert opened["ua"].startswith("dingtalk-sdk-python/")
    ping = await fake.ping()
    ack = await fake.ack(ping)
    assert ack["code"] == 200 and ack["data"] == fake.frames[ping].data


async def test_a_redelivered_frame_gets_the_first_answer_and_runs_once(
    fake: FakeDingTalk, running: Running
) -> None:
    message_id = await fake.push(CARD_TOPIC, {"outTrackId": "x"})
    first = await fake.ack(message_id)
    await fake.redeliver(message_id)
    second = await fake.ack(message_id, count=2)
    assert first["data"] == second["data"] == {"response": {"n": 1, "got": {"outTrackId": "x"}}}
    assert running.recorder.seen == [message_id]
    assert running.client.stats.redeliveries == 1


async def test_a_duplicate_arriving_while_the_first_runs_waits_for_it(
    fake: FakeDingTalk, running: Running
) -> None:
    running.recorder.delay = 0.3
    message_id = await fake.push(CARD_TOPIC, {"outTrackId": "x"})
    await fake.until(lambda: running.recorder.seen)
    await fake.redeliver(message_id)
    await fake.ack(message_id, count=2)
    assert running.recorder.seen == [message_id]
    assert fake.frames[message_id].acks[0]["data"] == fake.frames[message_id].acks[1]["data"]


async def test_disconnect_moves_to_a_new_connection_and_answers_on_the_old_one(
    fake: FakeDingTalk, running: Running
) -> None:
    running.recorder.delay = 0.3
    inflight = await fake.push(CARD_TOPIC, {"n": 1})
    await fake.until(lambda: running.recorder.seen)
    old = await fake.disconnect()
    await fake.until(lambda: len(fake.conns) == 2 and fake.conns[1].open, what="a second connection")
    ack = await fake.ack(inflight)
    assert fake.frames[inflight].conn is old  # answered where it came from, before the old socket closed
    assert ack["code"] == 200
    later = await fake.push(CARD_TOPIC, {"n": 2})
    await fake.ack(later)
    assert fake.frames[later].conn is fake.conns[1]
    assert running.recorder.seen == [inflight, later]
    await fake.until(lambda: not old.open, what="the old socket to close")
    assert running.client.stats.disconnects == 1 and len(fake.opened) == 2


async def test_an_abrupt_drop_reconnects_and_the_redelivery_is_not_run_twice(
    fake: FakeDingTalk, running: Running
) -> None:
    running.recorder.delay = 0.3
    message_id = await fake.push(CARD_TOPIC, {"n": 1})
    await fake.until(lambda: running.recorder.seen)
    await fake.drop()
    await fake.until(lambda: len(fake.conns) == 2 and fake.conns[1].open, what="a new connection")
    ack = await fake.ack(message_id)
    assert fake.frames[message_id].deliveries == 2 and fake.frames[message_id].conn is fake.conns[1]
    assert ack["data"]["response"]["n"] == 1
    assert running.recorder.seen == [message_id]
    assert running.client.stats.drops == 1


async def test_failed_opens_are_retried_with_backoff(fake: FakeDingTalk, config: DingTalkConfig) -> None:
    fake.refuse_open = 2
    run = await _start(fake, config)
    try:
        await fake.until(lambda: fake.live_connections() == 1, what="a connection")
        assert len(fake.opened) == 3
    finally:
        await run.client.stop()
        await asyncio.wait_for(run.task, 5)


async def test_stop_ends_the_client_without_reconnecting(fake: FakeDingTalk, running: Running) -> None:
    await running.client.stop()
    await asyncio.wait_for(running.task, 5)
    await asyncio.sleep(0.3)
    assert fake.live_connections() == 0 and len(fake.opened) == 1
