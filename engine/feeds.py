"""Reading the outbox in order, once per consumer, safely from several processes.

A consumer (``"notifier"``, ``"webhooks"``) holds a cursor: the id of the last outbox row it
finished. ``lease()`` claims the cursor for a while and returns the rows after it; the
holder handles them and calls ``advance()``. If it crashes, the lease expires and another
process takes over from the last advanced row: delivery is at least once, in order.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from engine.clock import Clock, utcnow
from engine.store import Database
from engine.store.chat_tables import outbox_cursors
from engine.store.schema import outbox


@dataclass(frozen=True, slots=True)
class OutboxRow:
    id: int
    topic: str
    instance_id: str | None
    task_id: str | None
    payload: dict[str, Any]
    created_at: datetime


class Feed:
    def __init__(
        self,
        db: Database,
        consumer: str,
        *,
        owner: str,
        lease: timedelta = timedelta(seconds=30),
        clock: Clock = utcnow,
    ) -> None:
        self.db = db
        self.consumer = consumer
        self.owner = owner
        self.lease_for = lease
        self.clock = clock

    def _ensure(self, conn: sa.Connection) -> None:
        exists = conn.execute(
            sa.select(outbox_cursors.c.consumer).where(outbox_cursors.c.consumer == self.consumer)
        ).first()
        if exists is None:
            try:
                with conn.begin_nested():
                    conn.execute(outbox_cursors.insert(), {"consumer": self.consumer, "last_id": 0})
            except sa.exc.IntegrityError:
                pass  # another process created it first

    def lease(self, limit: int = 100) -> list[OutboxRow]:
        """The next rows for this consumer, or [] when there are none or someone else holds the lease."""
        now = self.clock()
        with self.db.write(durable=False) as conn:
            self._ensure(conn)
            claimed = conn.execute(
                outbox_cursors.update()
                .where(
                    outbox_cursors.c.consumer == self.consumer,
                    sa.or_(
                        outbox_cursors.c.leased_by.is_(None),
                        outbox_cursors.c.leased_by == self.owner,
                        outbox_cursors.c.lease_until < now,
                    ),
                )
                .values(leased_by=self.owner, lease_until=now + self.lease_for)
            ).rowcount
            if claimed != 1:
                return []
            last = conn.execute(
                sa.select(outbox_cursors.c.last_id).where(outbox_cursors.c.consumer == self.consumer)
            ).scalar_one()
            rows = conn.execute(
                sa.select(outbox).where(outbox.c.id > last).order_by(outbox.c.id).limit(limit)
            ).all()
            if not rows:  # nothing to do: let go at once, in the same transaction
                self._release(conn)
        return [OutboxRow(r.id, r.topic, r.instance_id, r.task_id, r.payload, r.created_at) for r in rows]

    def advance(self, last_id: int, *, release: bool = True) -> None:
        """Mark every row up to ``last_id`` handled (a crash before this repeats them: at least once)."""
        values: dict[str, Any] = {"last_id": last_id}
        if release:
            values.update(leased_by=None, lease_until=None)
        with self.db.write(durable=False) as conn:
            conn.execute(self._mine().values(**values))

    def _mine(self) -> sa.Update:
        return outbox_cursors.update().where(
            outbox_cursors.c.consumer == self.consumer, outbox_cursors.c.leased_by == self.owner
        )

    def _release(self, conn: sa.Connection) -> None:
        conn.execute(self._mine().values(leased_by=None, lease_until=None))

    def backlog(self) -> int:
        with self.db.read() as conn:
            last = conn.execute(
                sa.select(outbox_cursors.c.last_id).where(outbox_cursors.c.consumer == self.consumer)
            ).scalar()
            return int(
                conn.execute(
                    sa.select(sa.func.count()).select_from(outbox).where(outbox.c.id > (last or 0))
                ).scalar_one()
            )


__all__ = ["Feed", "OutboxRow"]
