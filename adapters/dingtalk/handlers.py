"""The SDK handlers for our two topics, and what they hand events to (``ChatSink``, the app's side).

Bot messages are acknowledged at once and handled after (DingTalk redelivers slow
ones); a card click is answered within DingTalk's 2-second deadline with the updated
card in the ACK, which updates the clicker's copy in place.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Coroutine
from contextlib import AbstractContextManager
from typing import Any, Protocol

from dingtalk_stream import AckMessage, CallbackHandler, CallbackMessage

from adapters.dingtalk.card_instances import callback_response
from adapters.dingtalk.files import FileRefused, Files
from adapters.dingtalk.inbound import Incoming, Origin, parse_bot_message, parse_card_callback
from adapters.dingtalk.robot import Robot
from adapters.events import CardAction, ChatEvent, FileReceived
from cards import Card, render_dingtalk

log = logging.getLogger("jingwei.dingtalk")

CALLBACK_DEADLINE_SECONDS = 1.5  # DingTalk allows 2 s; keep a margin for the ACK's way back
Spawn = Callable[[Coroutine[Any, Any, Any], str], Any]


class Copies(Protocol):
    """What the card callback tells the channel about the clicker's copy."""

    def answering(self, track_id: str) -> AbstractContextManager[None]: ...

    def shown(self, track_id: str, card_data: dict[str, Any]) -> None: ...


class ChatSink(Protocol):
    """The app's side: it runs the bot; the adapter only translates and transports."""

    async def message(self, event: ChatEvent, origin: Origin) -> None:
        """Handle a message (text, mention, file) and answer the sender."""
        ...

    async def card_action(self, event: CardAction, track_id: str) -> Card | None:
        """Handle a click; return the card the clicker's copy should show now."""
        ...


class BotMessages(CallbackHandler):
    """``/v1.0/im/bot/messages/get``: ACK first, then translate and hand on in a task."""

    def __init__(self, sink: ChatSink, files: Files, robot: Robot, spawn: Spawn) -> None:
        super().__init__()
        self.sink = sink
        self.files = files
        self.robot = robot
        self.spawn = spawn
        self._senders: dict[str, asyncio.Lock] = {}  # one person's messages are handled in order

    async def process(self, message: CallbackMessage) -> tuple[int, Any]:
        incoming = parse_bot_message(message.data, message.headers.message_id or "")
        if incoming is not None:
            self.spawn(self.handle(incoming), "dingtalk-message")
        return AckMessage.STATUS_OK, "OK"

    async def handle(self, incoming: Incoming) -> None:
        """Handle one message after the sender's earlier ones ("/apply …" then the receipt)."""
        sender = incoming.origin.user
        lock = self._senders.setdefault(sender, asyncio.Lock())
        try:
            async with lock:
                await self._handle(incoming)
        finally:
            if not lock.locked() and self._senders.get(sender) is lock:
                del self._senders[sender]

    async def _handle(self, incoming: Incoming) -> None:
        for event in incoming.events:
            if isinstance(event, FileReceived):
                try:
                    event = await self.files.fetch(event)
                except FileRefused as refused:
                    await self.robot.say(incoming.origin, str(refused))
                    continue
            await self.sink.message(event, incoming.origin)


class CardCallbacks(CallbackHandler):
    """``/v1.0/card/instances/callback``: decide, then answer with the clicker's updated card."""

    def __init__(
        self,
        sink: ChatSink,
        copies: Copies,
        spawn: Spawn,
        *,
        deadline: float = CALLBACK_DEADLINE_SECONDS,
    ) -> None:
        super().__init__()
        self.sink = sink
        self.copies = copies
        self.spawn = spawn
        self.deadline = deadline
        self.latencies: list[float] = []  # seconds from frame to answer, the last few hundred

    async def process(self, message: CallbackMessage) -> tuple[int, Any]:
        started = time.perf_counter()
        parsed = parse_card_callback(message.data, message.headers.message_id or "")
        if parsed is None:
            return AckMessage.STATUS_OK, {}
        event, track_id = parsed
        with self.copies.answering(track_id):
            work = self.spawn(self.sink.card_action(event, track_id), "dingtalk-card-action")
            try:
                card = await asyncio.wait_for(asyncio.shield(work), timeout=self.deadline)
            except TimeoutError:
                # the decision still completes; the notifier then updates every copy through the API
                log.warning("DingTalk: card action %s took longer than %.1f s", event.key, self.deadline)
                return AckMessage.STATUS_OK, {}
            finally:
                self.latencies = [*self.latencies[-499:], time.perf_counter() - started]
            if card is None:
                return AckMessage.STATUS_OK, {}
            data = render_dingtalk(card)
            self.copies.shown(track_id, data)
        return AckMessage.STATUS_OK, callback_response(data)


__all__ = ["CALLBACK_DEADLINE_SECONDS", "BotMessages", "CardCallbacks", "ChatSink", "Copies"]
