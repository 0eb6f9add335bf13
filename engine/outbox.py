"""The outbox relay: rows written by commands are handed to consumers after commit.

Consumers run inside the relay's transaction and only write rows (a webhook consumer writes
one delivery job per subscription), so a row is handed over exactly once: the relay marks it
``done`` in the same transaction. Relays in several processes take rows one batch at a time
in id order (a plain row lock, not SKIP LOCKED), so consumers see each instance's events in
the order they were committed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from engine.clock import Clock, utcnow
from engine.store import Database
from engine.store.schema import outbox

PENDING = "pending"
DONE = "done"


@dataclass(frozen=True, slots=True)
class OutboxRow:
    id: int
    topic: str
    instance_id: str | None
    task_id: str | None
    payload: dict[str, Any]
    created_at: datetime


Consumer = Callable[[sa.Connection, OutboxRow], None]


class OutboxRelay:
    def __init__(
        self, db: Database, consumers: list[Consumer], *, clock: Clock = utcnow, batch: int = 200
    ) -> None:
        self.db = db
        self.consumers = list(consumers)
        self.clock = clock
        self.batch = batch

    def run_once(self) -> int:
        now = self.clock()
        ready = outbox.c.status == PENDING, outbox.c.available_at <= now
        with self.db.read() as conn:  # an idle poll stays a plain read
            if conn.execute(sa.select(outbox.c.id).where(*ready).limit(1)).first() is None:
                return 0
        with self.db.write() as conn:
            stmt = sa.select(outbox).where(*ready).order_by(outbox.c.id).limit(self.batch)
            if self.db.dialect != "sqlite":
                stmt = stmt.with_for_update()
            rows = [
                OutboxRow(r.id, r.topic, r.instance_id, r.task_id, r.payload, r.created_at)
                for r in conn.execute(stmt)
            ]
            for row in rows:
                for consumer in self.consumers:
                    consumer(conn, row)
            if rows:
                conn.execute(
                    outbox.update()
                    .where(outbox.c.id.in_([r.id for r in rows]))
                    .values(status=DONE, attempts=outbox.c.attempts + 1)
                )
        return len(rows)

    def drain(self, max_rounds: int = 1000) -> int:
        total = 0
        for _ in range(max_rounds):
            done = self.run_once()
            total += done
            if done < self.batch:
                break
        return total


__all__ = ["Consumer", "OutboxRelay", "OutboxRow"]
