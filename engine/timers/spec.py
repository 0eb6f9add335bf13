"""What a timer says (``timeDuration`` / ``timeDate`` / ``timeCycle``) and when it is due.

Literal values are checked at deploy; ``${...}`` values are expressions evaluated when the timer
is armed (``${deadline}``, ``${'PT' + hours + 'H'}``). SpiffWorkflow writes literals as quoted
Python strings (``"PT0.2S"``); the quotes are dropped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from engine.errors import ExpressionError, InvalidInput
from engine.expressions import compile_expression
from engine.model import CompiledExpression
from engine.timers.calendar import DEFAULT_CALENDAR, BusinessCalendar
from engine.timers.cron import looks_like_cron, next_cron
from engine.timers.iso import parse_datetime, parse_duration, parse_repeat

DURATION = "duration"
DATE = "date"
CYCLE = "cycle"
KINDS = {"timeDuration": DURATION, "timeDate": DATE, "timeCycle": CYCLE}


@dataclass(frozen=True, slots=True)
class Due:
    at: datetime
    cycle: dict[str, Any] | None = None  # what the next occurrence needs, kept in the job payload


@dataclass(frozen=True, slots=True)
class TimerSpec:
    kind: str  # duration | date | cycle
    text: str  # the literal, or the expression source
    expression: CompiledExpression | None = None
    calendar: str | None = None  # a business calendar name: day parts count working days
    timezone: str = "UTC"  # for cron cycles

    def first_due(
        self, now: datetime, variables: dict[str, Any], calendar: BusinessCalendar | None = None
    ) -> Due:
        text = self.resolve(variables)
        return first_due(self.kind, text, now, calendar, self.timezone)

    def resolve(self, variables: dict[str, Any]) -> str:
        if self.expression is None:
            return self.text
        try:
            value = self.expression.evaluate(variables)
        except ExpressionError as exc:
            raise InvalidInput(f"timer {self.text}: {exc.message}") from exc
        if isinstance(value, datetime):
            return value.isoformat()
        if not isinstance(value, str):
            raise InvalidInput(f"timer {self.text} gave {value!r}, not an ISO 8601 text")
        return value


def first_due(
    kind: str, text: str, now: datetime, calendar: BusinessCalendar | None, timezone: str = "UTC"
) -> Due:
    if kind == DURATION:
        duration = parse_duration(text)
        return Due(calendar.add(now, duration) if calendar else duration.add_to(now))
    if kind == DATE:
        return Due(parse_datetime(text))
    if looks_like_cron(text):
        at = next_cron(text, now, timezone)
        if at is None:
            raise InvalidInput(f'cron "{text}" never fires')
        return Due(at, {"cron": text, "timezone": timezone})
    repeat = parse_repeat(text)
    at = repeat.first(now)
    if calendar is not None and repeat.start is None:
        at = calendar.add(now, repeat.every)
    left = None if repeat.count is None else repeat.count - 1
    return Due(at, {"every": text.split("/")[-1], "left": left, "calendar": calendar is not None})


def next_due(cycle: dict[str, Any], after: datetime, calendar: BusinessCalendar | None) -> Due | None:
    """The occurrence after ``after`` of a cycle started by ``first_due``; None when it is used up."""
    if "cron" in cycle:
        at = next_cron(cycle["cron"], after, cycle.get("timezone", "UTC"))
        return None if at is None else Due(at, cycle)
    left = cycle.get("left")
    if left is not None and left <= 0:
        return None
    every = parse_duration(cycle["every"])
    at = (calendar or DEFAULT_CALENDAR).add(after, every) if cycle.get("calendar") else every.add_to(after)
    return Due(at, {**cycle, "left": None if left is None else left - 1})


def parse_timer(kind: str, raw: str, *, calendar: str | None = None, timezone: str = "UTC") -> TimerSpec:
    """Check a timer value at deploy; ``InvalidInput`` names what is wrong."""
    text = raw.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        text = text[1:-1].strip()
    if not text:
        raise InvalidInput("the timer has no value")
    if text.startswith(("${", "#{")):
        try:
            return TimerSpec(kind, text, compile_expression(text), calendar, timezone)
        except ExpressionError as exc:
            raise InvalidInput(f"timer expression does not parse: {exc.message}") from exc
    spec = TimerSpec(kind, text, None, calendar, timezone)
    first_due(kind, text, datetime(2000, 1, 1), None, timezone)  # validates the literal
    return spec


__all__ = ["CYCLE", "DATE", "DURATION", "KINDS", "Due", "TimerSpec", "first_due", "next_due", "parse_timer"]
