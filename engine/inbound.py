"""Idempotency of inbound chat events: the first delivery runs, redeliveries get its answer."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from engine.store import Database
from engine.store.chat_tables import inbound_events

PROCESSING = "processing"
DONE = "done"


class InboundEvents:
    def __init__(self, db: Database) -> None:
        self.db = db

    def claim(self, key: str, channel: str, now: datetime) -> tuple[bool, dict[str, Any] | None]:
        """(True, None) when this delivery should run; (False, answer) for a redelivery.

        The answer is None while the first delivery is still being handled.
        """
        try:
            with self.db.write() as conn:
                conn.execute(
                    inbound_events.insert(),
                    {
                        "key": key,
                        "channel": channel,
                        "status": PROCESSING,
                        "answer": None,
                        "received_at": now,
                    },
                )
            return True, None
        except sa.exc.IntegrityError:
            with self.db.read() as conn:
                row = conn.execute(
                    sa.select(inbound_events.c.answer).where(inbound_events.c.key == key)
                ).first()
            return False, None if row is None else row.answer

    def seen(self, key: str) -> bool:
        """True when an event with ``key`` was handled or is being handled (adapters skip redeliveries)."""
        with self.db.read() as conn:
            return (
                conn.execute(sa.select(inbound_events.c.key).where(inbound_events.c.key == key)).first()
                is not None
            )

    def record(self, key: str, answer: dict[str, Any]) -> None:
        with self.db.write() as conn:
            conn.execute(
                inbound_events.update().where(inbound_events.c.key == key).values(status=DONE, answer=answer)
            )

    def release(self, key: str) -> None:
        """Forget a claim whose handling failed before changing anything, so a retry may run."""
        with self.db.write() as conn:
            conn.execute(inbound_events.delete().where(inbound_events.c.key == key))


__all__ = ["InboundEvents"]
