"""ISO 8601 as BPMN timers write it: durations (``P2D``, ``PT1H30M``), dates, repeating cycles.

Cycles are ``R/PT1H`` (forever), ``R3/PT1H`` (three times) or ``R3/2026-12-01T09:00:00+08:00/P1D``
(from a start). Cron cycles live in ``engine/timers/cron.py``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation

from engine.errors import InvalidInput

_DURATION = re.compile(
    r"P(?!$)(?:(?P<years>\d+)Y)?(?:(?P<months>\d+)M)?(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?=\d)(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+(?:[.,]\d+)?)S)?)?"
)
_REPEAT = re.compile(r"R(?P<count>\d*)")
MAX_DAYS = 366 * 100  # a timer further out than a century is a typo


@dataclass(frozen=True, slots=True)
class Duration:
    years: int = 0
    months: int = 0
    weeks: int = 0
    days: int = 0
    hours: int = 0
    minutes: int = 0
    seconds: Decimal = Decimal(0)

    @property
    def day_count(self) -> int:
        """The day part (weeks included): what a business calendar counts in working days."""
        return self.weeks * 7 + self.days

    @property
    def clock_part(self) -> timedelta:
        return timedelta(hours=self.hours, minutes=self.minutes, seconds=float(self.seconds))

    def is_zero(self) -> bool:
        return not (self.years or self.months or self.day_count or self.clock_part)

    def add_to(self, moment: datetime) -> datetime:
        """``moment`` plus this duration on the plain calendar (months keep the day, clamped)."""
        shifted = add_months(moment, self.years * 12 + self.months)
        return shifted + timedelta(days=self.day_count) + self.clock_part

    def subtract_from(self, moment: datetime) -> datetime:
        shifted = add_months(moment, -(self.years * 12 + self.months))
        return shifted - timedelta(days=self.day_count) - self.clock_part


def add_months(moment: datetime, months: int) -> datetime:
    if not months:
        return moment
    index = moment.year * 12 + moment.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    for day in (moment.day, 30, 29, 28):
        try:
            return moment.replace(year=year, month=month, day=min(moment.day, day))
        except ValueError:
            continue
    raise InvalidInput(f"cannot add {months} months to {moment.isoformat()}")


def parse_duration(text: str) -> Duration:
    """``P3D``, ``PT2H``, ``P1DT12H``, ``PT0.2S``, ``P2W``; anything else is ``InvalidInput``."""
    raw = text.strip()
    match = _DURATION.fullmatch(raw)
    if match is None:
        raise InvalidInput(f'"{text}" is not an ISO 8601 duration (examples: PT2H, P3D, P1DT12H)')
    parts = match.groupdict()
    try:
        seconds = Decimal((parts["seconds"] or "0").replace(",", "."))
    except InvalidOperation as exc:  # the pattern makes this unreachable; keep the error tree honest
        raise InvalidInput(f'"{text}" has bad seconds') from exc
    duration = Duration(
        years=int(parts["years"] or 0),
        months=int(parts["months"] or 0),
        weeks=int(parts["weeks"] or 0),
        days=int(parts["days"] or 0),
        hours=int(parts["hours"] or 0),
        minutes=int(parts["minutes"] or 0),
        seconds=seconds,
    )
    rough_days = duration.years * 366 + duration.months * 31 + duration.day_count + duration.hours / 24
    if rough_days > MAX_DAYS:
        raise InvalidInput(f'duration "{text}" is longer than a century')
    return duration


def parse_datetime(text: str) -> datetime:
    """An ISO 8601 date or date-time; the result is naive UTC (naive input is read as UTC)."""
    raw = text.strip()
    if raw.endswith("Z"):
        raw = raw[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError as exc:
        raise InvalidInput(
            f'"{text}" is not an ISO 8601 date-time (example: 2026-12-01T09:00:00+08:00)'
        ) from exc
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment


@dataclass(frozen=True, slots=True)
class Repeat:
    """``R[n]/[start/]duration``: ``count`` None repeats forever."""

    count: int | None
    start: datetime | None
    every: Duration

    def first(self, now: datetime) -> datetime:
        if self.start is None:
            return self.every.add_to(now)
        moment = self.start
        while moment < now:  # a start in the past: the next occurrence from now on
            moment = self.every.add_to(moment)
        return moment


def parse_repeat(text: str) -> Repeat:
    parts = text.strip().split("/")
    match = _REPEAT.fullmatch(parts[0]) if parts else None
    if match is None or len(parts) not in (2, 3):
        raise InvalidInput(f'"{text}" is not an ISO 8601 repeating interval (examples: R/PT1H, R3/P1D)')
    count = int(match.group("count")) if match.group("count") else None
    if count == 0:
        raise InvalidInput(f'"{text}" repeats zero times')
    start = parse_datetime(parts[1]) if len(parts) == 3 else None
    every = parse_duration(parts[-1])
    if every.is_zero():
        raise InvalidInput(f'"{text}" repeats every zero seconds')
    return Repeat(count, start, every)


__all__ = ["Duration", "Repeat", "add_months", "parse_datetime", "parse_duration", "parse_repeat"]
