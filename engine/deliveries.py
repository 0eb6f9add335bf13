"""Where each card went: card ↔ task ↔ recipient, with the channel's handle for updating it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from engine.store import Database
from engine.store.chat_tables import card_deliveries
from engine.store.statements import FastStatement


@dataclass(frozen=True, slots=True)
class Delivery:
    card_id: str
    channel: str
    recipient: str
    handle: str | None
    payload: dict[str, Any] | None
    updated_at: datetime
    id: int | None = None


# The notifier runs these for every card it sends or updates (engine/store/statements.py).
_KEY = (
    card_deliveries.c.card_id == sa.bindparam("card_id"),
    card_deliveries.c.channel == sa.bindparam("channel"),
    card_deliveries.c.recipient == sa.bindparam("recipient"),
)
_SELECT = FastStatement(sa.select(card_deliveries).where(*_KEY))
_SELECT_ID = FastStatement(sa.select(card_deliveries.c.id).where(*_KEY))
_SELECT_OF_CARD = FastStatement(
    sa.select(card_deliveries).where(card_deliveries.c.card_id == sa.bindparam("card_id"))
)
_UPDATE_BY_ID = FastStatement(
    card_deliveries.update()
    .where(card_deliveries.c.id == sa.bindparam("delivery_id"))
    .values(payload=sa.bindparam("payload"), updated_at=sa.bindparam("updated_at"))
)
_UPDATE_WITH_HANDLE = FastStatement(
    card_deliveries.update()
    .where(card_deliveries.c.id == sa.bindparam("delivery_id"))
    .values(
        payload=sa.bindparam("payload"), updated_at=sa.bindparam("updated_at"), handle=sa.bindparam("handle")
    )
)
_INSERT = FastStatement(
    card_deliveries.insert().values(
        {c.name: sa.bindparam(c.name) for c in card_deliveries.c if c.name != "id"}
    )
)


def _delivery(r: dict[str, Any]) -> Delivery:
    return Delivery(
        r["card_id"], r["channel"], r["recipient"], r["handle"], r["payload"], r["updated_at"], r["id"]
    )


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
        known: Delivery | None = None,
    ) -> bool:
        """Insert or update the delivery; True when it is new (the card must be sent, not updated).

        Read first, then update by primary key or insert: an UPDATE that finds no row takes a
        gap lock on MariaDB/MySQL, and two of those followed by INSERTs deadlock (the notifier
        and an inline answer record deliveries at the same time). Two inserts of the same
        delivery race to the unique key; the loser updates the winner's row.
        """
        key = {"card_id": card_id, "channel": channel, "recipient": recipient}
        values: dict[str, Any] = {"payload": payload, "updated_at": now, "handle": handle}
        update = _UPDATE_BY_ID if handle is None else _UPDATE_WITH_HANDLE
        # ``known``: the delivery the caller has just read (``get``), so it is not looked up again
        known_id = known.id if known is not None else None
        for attempt in range(3):
            try:
                # durable=False: losing this record in a crash means the card is sent again
                with self.db.write(durable=False) as conn:
                    if known_id is None:
                        found = _SELECT_ID.first(conn, key)
                        known_id = found["id"] if found is not None else None
                    if known_id is not None:
                        cursor = update.execute(conn, {**values, "delivery_id": known_id})
                        updated = cursor.rowcount
                        cursor.close()
                        if updated:
                            return False
                        known_id = None  # gone since it was read: record it anew
                    _INSERT.execute(
                        conn,
                        {**key, **values, "task_id": task_id, "instance_id": instance_id, "sent_at": now},
                    ).close()
                    return True
            except (sa.exc.IntegrityError, self.db.engine.dialect.dbapi.IntegrityError):  # type: ignore[union-attr]
                known_id = None
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def of_card(self, card_id: str) -> list[Delivery]:
        with self.db.read() as conn:
            return [_delivery(r) for r in _SELECT_OF_CARD.all(conn, {"card_id": card_id})]

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
            r = _SELECT.first(conn, {"card_id": card_id, "channel": channel, "recipient": recipient})
        return None if r is None else _delivery(r)


__all__ = ["CardDeliveries", "Delivery"]
