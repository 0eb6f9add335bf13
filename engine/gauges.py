"""What operators watch: figures read from the database at scrape time, the same for every replica."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa

from engine.jobs.model import DEAD, PENDING
from engine.queries import count_outbox, count_tasks
from engine.store.chat_tables import outbox_cursors
from engine.store.schema import jobs, outbox


@dataclass(frozen=True, slots=True)
class Gauges:
    open_tasks: int
    outbox_backlog: int  # rows the automation relay has not dispatched yet
    job_lag_seconds: float  # how long the oldest due job has been waiting (0: none waiting)
    dead_jobs: int  # jobs that used up their attempts (``jingwei jobs --dead``)
    unsent: dict[str, int] = field(default_factory=dict)  # per feed consumer (notifier, …): rows not handled


def read_gauges(conn: sa.Connection, now: datetime) -> Gauges:
    oldest = conn.execute(
        sa.select(sa.func.min(jobs.c.due_at)).where(jobs.c.status == PENDING, jobs.c.due_at <= now)
    ).scalar()
    dead = conn.execute(sa.select(sa.func.count()).where(jobs.c.status == DEAD)).scalar_one()
    cursors = conn.execute(sa.select(outbox_cursors.c.consumer, outbox_cursors.c.last_id)).all()
    unsent = {
        consumer: int(
            conn.execute(
                sa.select(sa.func.count()).select_from(outbox).where(outbox.c.id > last)
            ).scalar_one()
        )
        for consumer, last in cursors
    }
    return Gauges(
        open_tasks=count_tasks(conn, status="open"),
        outbox_backlog=count_outbox(conn),
        job_lag_seconds=max(0.0, (now - oldest).total_seconds()) if oldest is not None else 0.0,
        dead_jobs=int(dead),
        unsent=unsent,
    )


__all__ = ["Gauges", "read_gauges"]
