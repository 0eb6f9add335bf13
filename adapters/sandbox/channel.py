"""The sandbox channel: reaches every org user, "sends" by notifying the page live.

It keeps nothing itself: cards live in ``card_deliveries`` and the conversation's text in
``chat_messages`` (engine/conversations.py), written by the service before it publishes here.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import defaultdict
from typing import Any

from cards import Card

NAME = "sandbox"


class SandboxChannel:
    name = NAME

    def __init__(self) -> None:
        self._listeners: dict[str, set[asyncio.Queue[dict[str, Any]]]] = defaultdict(set)

    def reaches(self, user_id: str) -> bool:
        return True

    async def send(self, user_id: str, card: Card, handle: str | None) -> str | None:
        self._publish(user_id, {"type": "card", "card": card.to_dict(), "update": handle is not None})
        return handle or f"sandbox:{card.card_id}"

    def say(self, user_id: str, message: dict[str, Any]) -> None:
        """Show a line of the conversation (already kept by the service) on the user's open pages."""
        self._publish(user_id, {"type": "message", "message": message})

    def subscribe(self, user_id: str) -> asyncio.Queue[dict[str, Any]]:
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(maxsize=100)
        self._listeners[user_id].add(queue)
        return queue

    def unsubscribe(self, user_id: str, queue: asyncio.Queue[dict[str, Any]]) -> None:
        self._listeners[user_id].discard(queue)

    def close_all(self) -> None:
        """Tell every live page stream to end (the server is shutting down)."""
        for queues in self._listeners.values():
            for queue in list(queues):
                with contextlib.suppress(asyncio.QueueFull):
                    queue.put_nowait({"type": "bye"})

    def _publish(self, user_id: str, event: dict[str, Any]) -> None:
        for queue in list(self._listeners[user_id]):
            if queue.full():  # a stalled page must not hold the bot up: it reloads the inbox instead
                continue
            queue.put_nowait(event)


__all__ = ["NAME", "SandboxChannel"]
