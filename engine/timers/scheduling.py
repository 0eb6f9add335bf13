"""Scheduled starts as jobs: armed at deploy, re-armed each time one fires."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from engine.clock import IdFactory
from engine.jobs.model import PENDING, START
from engine.jobs.store import insert_jobs, job_row
from engine.store.schema import jobs
from engine.timers.schedule import ScheduleSpec
from engine.timers.spec import Due


def marker(key: str) -> str:
    return f"schedule:{key}"[:255]


def schedule_starts(
    conn: sa.Connection, key: str, schedule: ScheduleSpec | None, *, now: datetime, ids: IdFactory
) -> None:
    """A new version of ``key`` was deployed: its schedule replaces the older versions' (if any)."""
    conn.execute(
        jobs.update()
        .where(jobs.c.kind == START, jobs.c.node_id == marker(key), jobs.c.status == PENDING)
        .values(status="cancelled", finished_at=now)
    )
    if schedule is not None:
        arm_start(conn, key, schedule.starter, schedule.first(now), now=now, ids=ids)


def arm_start(
    conn: sa.Connection, key: str, starter: str, due: Due, *, now: datetime, ids: IdFactory
) -> None:
    payload: dict[str, Any] = {
        "process_key": key,
        "starter": starter,
        "data": {},
        "cycle": due.cycle,
        "scheduled": True,
    }
    insert_jobs(
        conn, [job_row(id=ids(), kind=START, due_at=due.at, payload=payload, now=now, node_id=marker(key))]
    )


__all__ = ["arm_start", "marker", "schedule_starts"]
