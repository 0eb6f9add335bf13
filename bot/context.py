"""What a handler gets (``Context``) and gives back (``Reply``)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any, TypeVar

from adapters import ChatEvent
from bot.grammar import ParsedCommand
from cards import Card, Links
from engine import ProcessEngine
from engine.inbound import InboundEvents
from engine.people import People

T = TypeVar("T")
PROCESS_NAMES_TTL = 60.0
Runner = Callable[[Callable[[], Any]], Any]  # runs a blocking call off the event loop


@dataclass
class Services:
    """Everything handlers use; built once by the app factory."""

    engine: ProcessEngine
    people: People
    inbound: InboundEvents
    links: Links
    clock: Callable[[], datetime]
    executor: Any = None  # concurrent.futures.Executor; None = the loop's default
    # (kind, id, user) -> a link that also lets ``user`` act on the H5 page; None: shared links only
    personal_links: Callable[[str, str, str], str] | None = None
    _names: dict[str, str] = field(default_factory=dict, repr=False)
    _names_at: float = field(default=-PROCESS_NAMES_TTL - 1.0, repr=False)

    async def run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run a blocking engine call in the thread pool: the event loop never waits on the database."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.executor, partial(fn, *args, **kwargs))

    def process_name(self, key: str) -> str:
        """The short display name of a process ("费用报销"); cached a minute, not read per card."""
        now = time.monotonic()
        if now - self._names_at > PROCESS_NAMES_TTL:
            # "费用报销 Expense claim" -> "费用报销": cards are read in Chinese first
            self._names = {
                v.key: v.name.split(" ")[0] or v.key for v in self.engine.definitions(latest_only=True)
            }
            self._names_at = now
        return self._names.get(key, key)

    def name(self, user_id: str | None) -> str:
        if not user_id:
            return "-"
        return self.people.names([user_id]).get(user_id, user_id)


@dataclass(frozen=True, slots=True)
class Reply:
    """The bot's answer to one event: text and cards for the sender, plus cards that changed.

    ``updated`` are cards whose earlier copies (this user's and everyone else's) must now
    show a new state; the sender's copy is updated inline, others through the notifier.
    """

    text: str | None = None
    cards: tuple[Card, ...] = ()
    updated: tuple[Card, ...] = ()
    ok: bool = True

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "cards": [c.to_dict() for c in self.cards],
            "updated": [c.to_dict() for c in self.updated],
            "ok": self.ok,
        }


@dataclass
class Context:
    event: ChatEvent
    services: Services
    user: str | None = None  # the org user, set by the identity middleware
    command: ParsedCommand | None = None
    extras: dict[str, Any] = field(default_factory=dict)

    async def run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        return await self.services.run(fn, *args, **kwargs)

    @property
    def actor(self) -> str:
        if self.user is None:
            raise RuntimeError("the identity middleware did not run")
        return self.user


__all__ = ["Context", "Reply", "Runner", "Services"]
