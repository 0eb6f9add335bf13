"""Five-field cron (minute hour day month weekday), computed by APScheduler's ``CronTrigger``.

Quartz expressions (six or seven fields, ``?``, ``L``, ``W``, ``#``) are refused with a clear
message rather than guessed at: Camunda users paste them, and a wrong guess fires at the wrong time.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from apscheduler.triggers.cron import CronTrigger

from engine.errors import InvalidInput

_DAY_NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat", "sun")
_QUARTZ_MARKS = re.compile(r"[?LW#]")
_SECOND = timedelta(seconds=1)


def _weekday_names(field: str) -> str:
    """Standard cron counts weekdays 0-7 from Sunday; APScheduler 3 counts 0-6 from Monday."""
    return re.sub(r"\b([0-7])\b", lambda m: _DAY_NAMES[int(m.group(1))], field)


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidInput(f'unknown time zone "{name}"') from exc


def cron_trigger(expression: str, timezone: str = "UTC") -> CronTrigger:
    fields = expression.split()
    if len(fields) in (6, 7) or _QUARTZ_MARKS.search(expression):
        raise InvalidInput(
            f'cron "{expression}" looks like a Quartz expression (seconds field, ?, L, W or #), which is '
            "not supported; write five fields: minute hour day-of-month month day-of-week"
        )
    if len(fields) != 5:
        raise InvalidInput(
            f'cron "{expression}" needs five fields: minute hour day-of-month month day-of-week'
        )
    minute, hour, day, month, weekday = fields
    try:
        return CronTrigger(
            minute=minute,
            hour=hour,
            day=day,
            month=month,
            day_of_week=_weekday_names(weekday),
            timezone=zone(timezone),
        )
    except ValueError as exc:
        raise InvalidInput(f'cron "{expression}" does not parse: {exc}') from exc


def next_cron(expression: str, after: datetime, timezone: str = "UTC") -> datetime | None:
    """The first fire time strictly after ``after`` (naive UTC in, naive UTC out)."""
    trigger = cron_trigger(expression, timezone)
    moment = trigger.get_next_fire_time(None, after.replace(tzinfo=UTC))
    if moment is None:
        return None
    result = moment.astimezone(UTC).replace(tzinfo=None)
    if result <= after:  # APScheduler may return ``after`` itself when it matches exactly
        moment = trigger.get_next_fire_time(moment, moment.replace(microsecond=0) + _SECOND)
        result = moment.astimezone(UTC).replace(tzinfo=None) if moment else None
    return result


def looks_like_cron(text: str) -> bool:
    return len(text.split()) >= 5 and not text.strip().startswith(("R", "P"))


__all__ = ["cron_trigger", "looks_like_cron", "next_cron", "zone"]
