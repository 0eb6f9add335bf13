"""Turning outbox events into cards for the right people on their channels (C2).

The notifier reads the outbox through its own feed cursor (at least once, in order),
decides who must see which card, and hands each card to every channel that reaches the
person. A card already delivered to someone is updated in place, never sent twice.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from bot.cards import build_notice_card, build_result_card, build_task_card
from bot.context import Services
from cards import Card, CardLink
from engine.deliveries import CardDeliveries
from engine.feeds import Feed, OutboxRow

log = logging.getLogger(__name__)
CONSUMER = "notifier"


class Channel(Protocol):
    """What an adapter offers the notifier."""

    name: str

    def reaches(self, user_id: str) -> bool: ...

    async def send(self, user_id: str, card: Card, handle: str | None) -> str | None:
        """Send the card, or update it in place when ``handle`` is known; returns the handle."""
        ...


@dataclass(frozen=True, slots=True)
class Planned:
    card: Card
    recipients: tuple[str, ...]
    update_only: bool = False  # only people who already have this card


def plan(services: Services, deliveries: CardDeliveries, row: OutboxRow) -> list[Planned]:
    """Blocking: which card goes to whom for one outbox event (its queries share one connection)."""
    with services.engine.db.read():
        return _plan(services, deliveries, row)


def _plan(services: Services, deliveries: CardDeliveries, row: OutboxRow) -> list[Planned]:
    topic, payload = row.topic, row.payload
    if topic == "task.created" and row.task_id:
        assigned = [payload["assignee"]] if payload.get("assignee") else list(payload.get("candidates") or [])
        return [Planned(build_task_card(services, row.task_id), tuple(assigned))]
    if topic in ("task.completed", "task.cancelled", "task.transferred", "task.delegated") and row.task_id:
        card = build_task_card(services, row.task_id)
        extra = tuple(u for u in (payload.get("to"),) if u)
        holders = tuple(sorted({d.recipient for d in deliveries.of_card(card.card_id)}))
        planned = [Planned(card, holders, update_only=True)]
        if extra:
            planned.append(Planned(card, extra))
        return planned
    if topic.startswith("instance.") and row.instance_id:
        kind = topic.split(".", 1)[1]
        if kind in ("completed", "rejected", "withdrawn", "terminated"):
            card = build_result_card(services, row.instance_id)
            return [Planned(card, (services.engine.instance(row.instance_id, with_history=False).starter,))]
        notices = {"urged": "urge", "cc": "cc", "returned": "returned", "commented": "mention"}
        if kind in notices:
            people = tuple[str, ...](
                payload.get("recipients") or payload.get("mentions") or payload.get("to") or ()
            )
            if not people:
                return []
            card = build_notice_card(
                services,
                notices[kind],
                row.instance_id,
                payload.get("by"),
                f"{row.id}",
                str(payload.get("comment") or ""),
            )
            return [Planned(card, people)]
    return []


class Notifier:
    def __init__(
        self, services: Services, channels: Sequence[Channel], *, owner: str, concurrency: int = 4
    ) -> None:
        self.services = services
        self.concurrency = concurrency  # instances whose cards are built and sent at the same time
        self.channels = list(channels)
        self.deliveries = CardDeliveries(services.engine.db)
        self.feed = Feed(services.engine.db, CONSUMER, owner=owner, clock=services.clock)
        # The feed's lease is per process: two drains at once in one process would send twice.
        self._draining = asyncio.Lock()

    def personalise(self, card: Card, user: str) -> Card:
        """The recipient's copy: its detail link lets that person act on the H5 page."""
        sign = self.services.personal_links
        if sign is None or not card.links:
            return card
        target = (
            ("task", card.task_id)
            if card.task_id
            else ("instance", card.instance_id)
            if card.instance_id
            else None
        )
        if target is None or target[1] is None:
            return card
        link = CardLink(card.links[0].label, sign(target[0], target[1], user))
        return dataclasses.replace(card, links=(link, *card.links[1:]))

    async def deliver(self, card: Card, recipients: Sequence[str], *, update_only: bool = False) -> None:
        """Send or update ``card`` for each recipient on every channel that reaches them."""
        shared = card
        for user in recipients:
            card = self.personalise(shared, user)
            for channel in self.channels:
                if not channel.reaches(user):
                    continue
                known = await self.services.run(self.deliveries.get, card.card_id, channel.name, user)
                if update_only and known is None:
                    continue
                handle = await channel.send(user, card, known.handle if known else None)
                await self.services.run(
                    self.deliveries.record,
                    card_id=card.card_id,
                    channel=channel.name,
                    recipient=user,
                    payload=card.to_dict(),
                    now=self.services.clock(),
                    handle=handle,
                    task_id=card.task_id,
                    instance_id=card.instance_id,
                    known=known,
                )

    async def drain(self, limit: int = 100) -> int:
        """Handle every pending outbox event; returns how many were handled."""
        async with self._draining:
            return await self._drain(limit)

    async def _drain(self, limit: int) -> int:
        handled = 0
        while True:
            rows = await self.services.run(self.feed.lease, limit)  # releases when there are none
            if not rows:
                return handled
            # One instance's events stay in order; different instances go side by side (their
            # cards are independent), which hides the database's round trips behind each other.
            lanes: dict[str, list[OutboxRow]] = {}
            for row in rows:
                lanes.setdefault(row.instance_id or f"row:{row.id}", []).append(row)
            gate = asyncio.Semaphore(self.concurrency)
            await asyncio.gather(*(self._lane(lane, gate) for lane in lanes.values()))
            # The cursor moves once per batch: a crash repeats at most one batch, and a repeat
            # updates the cards already sent (the deliveries remember them) instead of resending.
            await self.services.run(self.feed.advance, rows[-1].id, release=False)
            handled += len(rows)

    async def _lane(self, rows: Sequence[OutboxRow], gate: asyncio.Semaphore) -> None:
        async with gate:
            for row in rows:
                try:
                    planned = await self.services.run(plan, self.services, self.deliveries, row)
                    for item in planned:
                        await self.deliver(item.card, item.recipients, update_only=item.update_only)
                except Exception:
                    # a card we cannot build or send must not block everyone else's notifications
                    log.exception("notifier: outbox row %s (%s) failed", row.id, row.topic)


__all__ = ["CONSUMER", "Channel", "Notifier", "Planned", "plan"]
