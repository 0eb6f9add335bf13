"""Business calendars in the database (``jingwei calendar set|list``); read by commands via lookups."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from engine.store.schema import calendars
from engine.timers.calendar import BusinessCalendar


def save_calendar(conn: sa.Connection, calendar: BusinessCalendar, now: datetime) -> None:
    conn.execute(calendars.delete().where(calendars.c.name == calendar.name))
    conn.execute(calendars.insert().values(name=calendar.name, config=calendar.to_json(), updated_at=now))


def list_calendars(conn: sa.Connection) -> list[dict[str, Any]]:
    return [dict(r.config) for r in conn.execute(sa.select(calendars.c.config).order_by(calendars.c.name))]


__all__ = ["list_calendars", "save_calendar"]
