"""Business-day calendars: which days count when a timeout says ``P2D`` on a working calendar.

A calendar is data (``calendars`` table, JSON with ``schema_version``): a time zone, the weekend
days, public holidays, and make-up working days (调休: a Saturday that is worked). Under a
calendar, the day part of a duration counts working days; the clock part (hours, minutes) is
then added as elapsed time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from engine.errors import InvalidInput
from engine.timers.cron import zone
from engine.timers.iso import Duration, add_months

SCHEMA_VERSION = 1
DEFAULT_ZONE = "Asia/Shanghai"
MAX_SCAN_DAYS = 3660  # a calendar without working days must not loop forever


@dataclass(frozen=True, slots=True)
class BusinessCalendar:
    name: str = "default"
    timezone: str = DEFAULT_ZONE
    weekend: frozenset[int] = frozenset({6, 7})  # ISO weekdays: Saturday, Sunday
    holidays: frozenset[date] = field(default_factory=frozenset)
    workdays: frozenset[date] = field(default_factory=frozenset)  # make-up working days on a weekend

    def is_working_day(self, day: date) -> bool:
        if day in self.workdays:
            return True
        return day.isoweekday() not in self.weekend and day not in self.holidays

    def add(self, moment: datetime, duration: Duration) -> datetime:
        """``moment`` (naive UTC) plus ``duration``, days counted as working days in this calendar."""
        tz = zone(self.timezone)
        local = moment.replace(tzinfo=UTC).astimezone(tz).replace(tzinfo=None)
        local = add_months(local, duration.years * 12 + duration.months)
        day = local.date()
        remaining = duration.day_count
        scanned = 0
        while remaining > 0:
            day += timedelta(days=1)
            scanned += 1
            if scanned > MAX_SCAN_DAYS:
                raise InvalidInput(f'calendar "{self.name}" has no working days in ten years')
            if self.is_working_day(day):
                remaining -= 1
        result = datetime.combine(day, local.time()) + duration.clock_part
        return result.replace(tzinfo=tz).astimezone(UTC).replace(tzinfo=None)

    def to_json(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "name": self.name,
            "timezone": self.timezone,
            "weekend": sorted(self.weekend),
            "holidays": sorted(d.isoformat() for d in self.holidays),
            "workdays": sorted(d.isoformat() for d in self.workdays),
        }

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> BusinessCalendar:
        version = raw.get("schema_version", SCHEMA_VERSION)
        if version != SCHEMA_VERSION:
            raise InvalidInput(f"calendar schema_version {version!r} is not known to this release")
        try:
            weekend = frozenset(int(d) for d in raw.get("weekend", (6, 7)))
            if not weekend <= set(range(1, 8)):
                raise ValueError("weekend days are ISO weekdays 1 (Monday) to 7 (Sunday)")
            calendar = cls(
                name=str(raw.get("name") or "default"),
                timezone=str(raw.get("timezone") or DEFAULT_ZONE),
                weekend=weekend,
                holidays=frozenset(date.fromisoformat(d) for d in raw.get("holidays", ())),
                workdays=frozenset(date.fromisoformat(d) for d in raw.get("workdays", ())),
            )
        except (TypeError, ValueError) as exc:
            raise InvalidInput(f"calendar is not valid: {exc}") from exc
        zone(calendar.timezone)
        return calendar


DEFAULT_CALENDAR = BusinessCalendar()

__all__ = ["DEFAULT_CALENDAR", "SCHEMA_VERSION", "BusinessCalendar"]
