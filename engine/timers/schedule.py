"""Scheduled process starts: a timer start event or ``jw:schedule`` on the process.

At deploy the next occurrence becomes a ``start`` job; when it fires, the worker starts an
instance (as ``jw:scheduleAs``, else the process admin) and writes the next occurrence, in one
transaction. A new version replaces the schedule of the older ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from engine.errors import InvalidInput
from engine.timers.calendar import DEFAULT_ZONE
from engine.timers.spec import CYCLE, DATE, DURATION, Due, TimerSpec, first_due, next_due, parse_timer


@dataclass(frozen=True, slots=True)
class ScheduleSpec:
    timer: TimerSpec
    starter: str
    timezone: str = DEFAULT_ZONE

    def first(self, now: datetime) -> Due:
        return first_due(self.timer.kind, self.timer.text, now, None, self.timezone)

    @staticmethod
    def following(cycle: dict[str, Any] | None, after: datetime) -> Due | None:
        return None if cycle is None else next_due(cycle, after, None)


def parse_schedule(raw: str, *, timezone: str = DEFAULT_ZONE) -> TimerSpec:
    """``cron:0 9 * * 1-5``, ``R/P1D``, ``R/2026-12-01T09:00:00+08:00/P7D`` or a date-time."""
    text = raw.strip()
    if text.startswith("cron:"):
        return parse_timer(CYCLE, text[5:].strip(), timezone=timezone)
    if text.startswith("R"):
        return parse_timer(CYCLE, text, timezone=timezone)
    if text.startswith("P"):
        return parse_timer(DURATION, text, timezone=timezone)
    if text[:1].isdigit():
        return parse_timer(DATE, text, timezone=timezone)
    raise InvalidInput(f'jw:schedule="{raw}": use cron:MIN HOUR DAY MONTH WEEKDAY, R/P1D or a date-time')


__all__ = ["ScheduleSpec", "parse_schedule"]
