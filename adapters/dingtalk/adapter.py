"""One process's DingTalk: the OpenAPI client, the notifier channel and the Stream client, composed.

adapter = DingTalkAdapter(config, session)
adapter.listen(sink)          # the app's ChatSink: where messages and clicks go
task = loop.create_task(adapter.stream.run())
...
await adapter.stream.stop()
"""

from __future__ import annotations

import aiohttp
from dingtalk_stream import Credential

from adapters.dingtalk.card_instances import CardInstances
from adapters.dingtalk.channel import DingTalkChannel, Identities
from adapters.dingtalk.config import DingTalkConfig
from adapters.dingtalk.files import Files
from adapters.dingtalk.handlers import BotMessages, CardCallbacks, ChatSink
from adapters.dingtalk.inbound import BOT_TOPIC, CARD_TOPIC
from adapters.dingtalk.openapi import OpenApi
from adapters.dingtalk.robot import Robot
from adapters.dingtalk.stream import Backoff, StreamClient


class DingTalkAdapter:
    def __init__(
        self, config: DingTalkConfig, session: aiohttp.ClientSession, *, backoff: Backoff | None = None
    ) -> None:
        self.config = config
        self.api = OpenApi(config, session)
        self.identities = Identities()
        self.robot = Robot(self.api, config)
        self.cards = CardInstances(self.api, config)
        self.channel = DingTalkChannel(self.cards, self.robot, self.identities)
        self.stream = StreamClient(
            Credential(config.client_id, config.client_secret), endpoint=config.endpoint, backoff=backoff
        )
        self.card_callbacks: CardCallbacks | None = None

    def listen(self, sink: ChatSink) -> None:
        """Route bot messages and card clicks to ``sink`` (before ``stream.run()``)."""
        spawn = self.stream.spawn
        self.card_callbacks = CardCallbacks(sink, self.channel, spawn)
        self.stream.register_callback_handler(
            BOT_TOPIC, BotMessages(sink, Files(self.api, self.config), self.robot, spawn)
        )
        self.stream.register_callback_handler(CARD_TOPIC, self.card_callbacks)


__all__ = ["DingTalkAdapter"]
