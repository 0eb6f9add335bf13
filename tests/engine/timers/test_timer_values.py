"""ISO 8601 durations, dates and cycles, five-field cron, business calendars."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from engine.errors import InvalidInput
from engine.timers import (
    BusinessCalendar,
    first_due,
    next_cron,
    next_due,
    parse_duration,
    parse_repeat,
    parse_timer,
)


@pytest.mark.parametrize(
    ("text", "days", "seconds"),
    [("P2D", 2, 0), ("PT2H", 0, 7200), ("P1DT12H", 1, 43200), ("P2W", 14, 0), ("PT0.2S", 0, Decimal("0.2"))],
)
def test_durations(text: str, days: int, seconds: object) -> None:
    duration = parse_duration(text)
    assert duration.day_count == days
    assert duration.clock_part.total_seconds() == float(seconds)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", ["P", "PT", "2D", "P1.5D", "P1000Y", "PT-1H", ""])
def test_bad_durations_are_refused(bad: str) -> None:
    with pytest.raises(InvalidInput):
        parse_duration(bad)


def test_months_keep_the_day_and_clamp() -> None:
    assert parse_duration("P1M").add_to(datetime(2026, 1, 31)) == datetime(2026, 2, 28)


def test_repeats() -> None:
    assert parse_repeat("R/PT1H").count is None
    assert parse_repeat("R3/PT1H").count == 3
    start = parse_repeat("R/2026-01-01T00:00:00Z/P1D")
    assert start.first(datetime(2026, 1, 3, 12)) == datetime(2026, 1, 4)
    due = first_due("cycle", "R2/PT1H", datetime(2026, 1, 1), None)
    second = next_due(due.cycle or {}, due.at, None)
    assert second is not None and second.at == datetime(2026, 1, 1, 2)
    assert next_due(second.cycle or {}, second.at, None) is None  # R2: two occurrences


def test_cron_counts_weekdays_like_cron_and_refuses_quartz() -> None:
    wednesday = datetime(2026, 11, 25, 12)
    assert next_cron("0 9 * * 1", wednesday) == datetime(2026, 11, 30, 9)  # Monday, not Tuesday
    assert next_cron("0 9 * * 1-5", wednesday, "Asia/Shanghai") == datetime(2026, 11, 26, 1)
    with pytest.raises(InvalidInput, match="Quartz"):
        parse_timer("cycle", "0 0/5 * * * ?")
    with pytest.raises(InvalidInput, match="five fields"):
        parse_timer("cycle", "0 9 * * * * * *")


def test_business_calendar_skips_weekends_holidays_and_counts_make_up_days() -> None:
    cal = BusinessCalendar(
        holidays=frozenset({date(2026, 10, 1), date(2026, 10, 2)}), workdays=frozenset({date(2026, 10, 10)})
    )
    # Wednesday 2026-09-30 10:00 Shanghai + 2 working days: Thu/Fri are holidays, Sat 10-03 is not worked,
    # Monday 10-05 and Tuesday 10-06 are
    start = datetime(2026, 9, 30, 2)
    assert cal.add(start, parse_duration("P2D")) == datetime(2026, 10, 6, 2)
    assert cal.is_working_day(date(2026, 10, 10))  # a Saturday worked in exchange
    assert BusinessCalendar.from_json(cal.to_json()) == cal


def test_expressions_and_quoted_literals() -> None:
    spec = parse_timer("duration", "${'PT' + str(hours) + 'H'}")
    assert spec.first_due(datetime(2026, 1, 1), {"hours": 3}).at == datetime(2026, 1, 1, 3)
    assert parse_timer("duration", '"PT0.2S"').text == "PT0.2S"
