"""Timers: ISO 8601 durations, dates and cycles, cron, business-day calendars (docs/automation.md)."""

from engine.timers.calendar import DEFAULT_CALENDAR, BusinessCalendar
from engine.timers.cron import cron_trigger, next_cron
from engine.timers.iso import Duration, parse_datetime, parse_duration, parse_repeat
from engine.timers.spec import CYCLE, DATE, DURATION, KINDS, Due, TimerSpec, first_due, next_due, parse_timer

__all__ = [
    "CYCLE",
    "DATE",
    "DEFAULT_CALENDAR",
    "DURATION",
    "KINDS",
    "BusinessCalendar",
    "Due",
    "Duration",
    "TimerSpec",
    "cron_trigger",
    "first_due",
    "next_cron",
    "next_due",
    "parse_datetime",
    "parse_duration",
    "parse_repeat",
    "parse_timer",
]
