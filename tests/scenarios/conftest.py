from __future__ import annotations

from datetime import datetime

import pytest
from scenarios_helpers import EXAMPLES

from adapters import CardAction, CommandText
from adapters.sandbox import SandboxChannel
from bot import Context, Notifier, Reply, Services, create_bot
from engine import ProcessEngine, utcnow
from engine.deliveries import CardDeliveries
from engine.inbound import InboundEvents
from engine.people import People


class Chat:
    """Drives the bot like the sandbox page does: type, click, read the inbox."""

    def __init__(self, engine: ProcessEngine) -> None:
        self.channel = SandboxChannel()
        self.services = Services(
            engine=engine,
            people=People(engine.db),
            inbound=InboundEvents(engine.db),
            links=lambda kind, ident: f"http://test/h5/{kind}/{ident}",
            clock=utcnow,
        )
        self.bot = create_bot()
        self.notifier = Notifier(self.services, [self.channel], owner="test")
        self.deliveries = CardDeliveries(engine.db)
        self.seq = 0

    def _key(self) -> str:
        self.seq += 1
        return f"evt-{self.seq}"

    async def send(self, user: str, text: str, key: str | None = None) -> Reply:
        event = CommandText("sandbox", user, f"dm:{user}", key or self._key(), text=text)
        reply = await self.bot.dispatch(Context(event, self.services))
        await self.notifier.drain()
        return reply

    async def click(self, user: str, card_id: str, action: str, key: str | None = None) -> Reply:
        event = CardAction("sandbox", user, f"dm:{user}", key or self._key(), card_id=card_id, action=action)
        reply = await self.bot.dispatch(Context(event, self.services))
        await self.notifier.drain()
        return reply

    def inbox(self, user: str) -> list[dict]:
        return [d.payload or {} for d in self.deliveries.inbox("sandbox", user)]


@pytest.fixture
def chat(engine: ProcessEngine) -> Chat:
    for key in ("expense", "leave"):
        engine.deploy((EXAMPLES / f"{key}.bpmn").read_bytes())
    return Chat(engine)


NOW = datetime(2026, 11, 25, 9, 0)
