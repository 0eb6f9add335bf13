"""Where each card went: card ↔ task ↔ recipient, with the channel's handle for updating it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from engine.store import Database
from engine.store.chat_tables import card_deliveries


@dataclass(frozen=True, slots=True)
class Delivery:
    card_id: str
    channel: str
    recipient: str
    handle: str | None
    payload: dict[str, Any] | None
    updated_at: datetime


class CardDeliveries:
    def __init__(self, db: Database) -> None:
        self.db = db

    def record(
        self,
        *,
        card_id: str,
        channel: str,
        recipient: str,
        payload: dict[str, Any],
        now: datetime,
        handle: str | None = None,
        task_id: str | None = None,
        instance_id: str | None = None,
    ) -> bool:
        """Insert or update the delivery; True when it is new (the card must be sent, not updated).

        Read first, then update by primary key or insert: an UPDATE that finds no row takes a
        gap lock on MariaDB/MySQL, and two of those followed by INSERTs deadlock (the notifier
        and an inline answer record deliveries at the same time). Two inserts of the same
        delivery race to the unique key; the loser updates the winner's row.
        """
        key = (
            card_deliveries.c.card_id == card_id,
            card_deliveries.c.channel == channel,
            card_deliveries.c.recipient == recipient,
        )
        values: dict[str, Any] = {"payload": payload, "updated_at": now}
        if handle is not None:
            values["handle"] = handle
        for attempt in range(3):
            try:
                # durable=False: losing this record in a crash means the card is sent again
                with self.db.write(durable=False) as conn:
                    found = conn.execute(sa.select(card_deliveries.c.id).where(*key)).scalar()
                    if found is not None:
                        conn.execute(
                            card_deliveries.update().where(card_deliveries.c.id == found).values(**values)
                        )
                        return False
                    conn.execute(
                        card_deliveries.insert(),
                        {
                            "card_id": card_id,
                            "channel": channel,
                            "recipient": recipient,
                            "task_id": task_id,
                            "instance_id": instance_id,
                            "handle": handle,
                            "payload": payload,
                            "sent_at": now,
                            "updated_at": now,
                        },
                    )
                    return True
            except sa.exc.IntegrityError:
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def of_card(self, card_id: str) -> list[Delivery]:
        with self.db.read() as conn:
            rows = conn.execute(sa.select(card_deliveries).where(card_deliveries.c.card_id == card_id)).all()
        return [Delivery(r.card_id, r.channel, r.recipient, r.handle, r.payload, r.updated_at) for r in rows]

    def inbox(self, channel: str, recipient: str, limit: int = 50) -> list[Delivery]:
        """A person's cards on a channel, newest first, each in its latest state."""
        with self.db.read() as conn:
            rows = conn.execute(
                sa.select(card_deliveries)
                .where(card_deliveries.c.channel == channel, card_deliveries.c.recipient == recipient)
                .order_by(card_deliveries.c.sent_at.desc(), card_deliveries.c.id.desc())
                .limit(limit)
            ).all()
        return [Delivery(r.card_id, r.channel, r.recipient, r.handle, r.payload, r.updated_at) for r in rows]

    def get(self, card_id: str, channel: str, recipient: str) -> Delivery | None:
        with self.db.read() as conn:
            r = conn.execute(
                sa.select(card_deliveries).where(
                    card_deliveries.c.card_id == card_id,
                    card_deliveries.c.channel == channel,
                    card_deliveries.c.recipient == recipient,
                )
            ).first()
        return (
            None
            if r is None
            else Delivery(r.card_id, r.channel, r.recipient, r.handle, r.payload, r.updated_at)
        )


__all__ = ["CardDeliveries", "Delivery"]
