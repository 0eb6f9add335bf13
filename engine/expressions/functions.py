"""The whitelist of functions an expression may call, by name only.

Each function checks its argument types and raises ExpressionError with the function's
name in the message; nothing here reaches Python attributes or builtins chosen by users.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Final

from engine.errors import ExpressionError

from .messages import quote, short, type_name
from .operators import add
from .operators import contains as contains_value
from .safe_regex import full_match
from .values import DECIMAL_CONTEXT as CTX
from .values import Number, aware, comparable, is_list, to_number, to_text

MAX_PATH_LENGTH: Final = 200
_NUMERIC_TEXT = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_INTEGER_TEXT = re.compile(r"[+-]?[0-9]+")


@dataclass(frozen=True, slots=True)
class Function:
    name: str
    impl: Callable[..., Any]
    min_args: int
    max_args: int | None  # None: any number
    context: str = ""  # "variables" or "now": passed before the arguments
    pattern_arg: int | None = None  # index of an argument that must be a regex string literal

    def arity_text(self) -> str:
        if self.max_args is None:
            return f"at least {self.min_args} argument" + ("s" if self.min_args != 1 else "")
        if self.min_args == self.max_args:
            return f"{self.min_args} argument" + ("s" if self.min_args != 1 else "")
        return f"{self.min_args} to {self.max_args} arguments"


def _need(name: str, value: Any, kinds: type | tuple[type, ...], what: str) -> None:
    if not isinstance(value, kinds):
        raise ExpressionError(f"{name}() needs {what}, got {type_name(value)}")


def _number(name: str, value: Any) -> Number:
    number = to_number(value)
    if number is None:
        raise ExpressionError(f"{name}() needs a number, got {type_name(value)}")
    return number


def _whole(name: str, value: Any) -> int:
    """An int argument; integral decimals such as the result of 10/2 are accepted."""
    number = _number(name, value)
    if isinstance(number, Decimal):
        if not number.is_finite() or number != number.to_integral_value():
            raise ExpressionError(f"{name}() needs a whole number, got {short(number)}")
        return int(number)
    return number


def _text(name: str, value: Any) -> str:
    _need(name, value, str, "a str")
    return str(value)


def _day(name: str, value: Any) -> date:
    if not isinstance(value, date):
        hint = " (convert with date('2024-01-31'))" if isinstance(value, str) else ""
        raise ExpressionError(f"{name}() needs a date or datetime, got {type_name(value)}{hint}")
    return value


# --- text ---------------------------------------------------------------------------


def _len(value: Any) -> int:
    _need("len", value, (str, list, tuple, Mapping), "a str, list or map")
    return len(value)


def _contains(container: Any, item: Any) -> bool:
    if not isinstance(container, (str, list, tuple)):
        raise ExpressionError(f"contains() needs a str or list, got {type_name(container)}")
    return contains_value(container, item)


def _starts_with(text: Any, prefix: Any) -> bool:
    return _text("startsWith", text).startswith(_text("startsWith", prefix))


def _ends_with(text: Any, suffix: Any) -> bool:
    return _text("endsWith", text).endswith(_text("endsWith", suffix))


def _matches(text: Any, pattern: re.Pattern[str]) -> bool:
    return full_match(pattern, _text("matches", text))


# --- numbers ------------------------------------------------------------------------


def _abs(value: Any) -> Number:
    number = _number("abs", value)
    return abs(number) if isinstance(number, int) else CTX.abs(number)


def _round(value: Any, digits: Any = 0) -> Number:
    """Half away from zero (commercial rounding); an int when ``digits`` <= 0."""
    number, places = _number("round", value), _whole("round", digits)
    if not -20 <= places <= 20:
        raise ExpressionError("round() digits must be between -20 and 20")
    if isinstance(number, int):
        if places >= 0:
            return number
        unit = 10**-places
        quotient, remainder = divmod(abs(number), unit)
        if 2 * remainder >= unit:
            quotient += 1
        return (quotient * unit) if number >= 0 else -(quotient * unit)
    if places > 0:
        return number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP, context=CTX)
    scaled = number.scaleb(places, context=CTX).to_integral_value(rounding=ROUND_HALF_UP, context=CTX)
    return int(scaled) * 10**-places


def _extreme(name: str, args: tuple[Any, ...], pick_smaller: bool) -> Any:
    items = args[0] if len(args) == 1 and is_list(args[0]) else args
    if not items:
        raise ExpressionError(f"{name}() of an empty list")
    best = items[0]
    for item in items[1:]:
        a, b = comparable(item, best, "<")
        if (a < b) if pick_smaller else (a > b):
            best = item
    return best


def _min(*args: Any) -> Any:
    return _extreme("min", args, pick_smaller=True)


def _max(*args: Any) -> Any:
    return _extreme("max", args, pick_smaller=False)


def _sum(values: Any) -> Any:
    _need("sum", values, (list, tuple), "a list")
    total: Any = 0
    for value in values:
        if to_number(value) is None:
            raise ExpressionError(f"sum() needs a list of numbers, found {type_name(value)}")
        total = add(total, value)
    return total


def _pluck(values: Any, name: Any) -> list[Any]:
    """``pluck(lines, 'amount')``: the field of every map in a list (rule checks over table rows)."""
    _need("pluck", values, (list, tuple), "a list")
    key = _text("pluck", name)
    out = []
    for item in values:
        if not isinstance(item, Mapping) or key not in item:
            raise ExpressionError(f'pluck() needs maps with a field "{key}", found {type_name(item)}')
        out.append(item[key])
    return out


def _count(values: Any) -> int:
    _need("count", values, (list, tuple), "a list")
    return len(values)


def _to_number(value: Any) -> Number:
    """Explicit conversion: numbers pass through, numeric strings are parsed."""
    if isinstance(value, str):
        text = value.strip()
        if len(text) > 100 or not _NUMERIC_TEXT.fullmatch(text):
            raise ExpressionError(f"cannot convert {quote(value, 40)} to a number")
        if _INTEGER_TEXT.fullmatch(text):
            return int(text)
        number = Decimal(text)
        if abs(number.adjusted()) > 999_999:
            raise ExpressionError(f"number {quote(value, 40)} is out of range")
        return number
    return _number("number", value)


def _to_int(value: Any) -> int:
    """Truncates toward zero; accepts numbers and numeric strings."""
    number = _to_number(value)
    if isinstance(number, Decimal):
        if not number.is_finite():
            raise ExpressionError(f"cannot convert {number} to int")
        return int(number)
    return number


# --- dates --------------------------------------------------------------------------


def _date(*args: Any) -> date:
    if len(args) == 3:
        year, month, day = (_whole("date", a) for a in args)
        try:
            return date(year, month, day)
        except (ValueError, OverflowError) as exc:
            raise ExpressionError(f"date(): {exc}") from None
    if len(args) != 1:
        raise ExpressionError("date() takes a text, a date, or year, month and day")
    value = args[0]
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text("date", value).strip()
    if len(text) > 64:
        raise ExpressionError("date() text is too long")
    try:
        return date.fromisoformat(text) if len(text) <= 10 else datetime.fromisoformat(text).date()
    except ValueError:
        raise ExpressionError(f"date() cannot read {quote(value, 40)} (expected YYYY-MM-DD)") from None


def _datetime(value: Any) -> datetime:
    """Naive results are read as UTC."""
    if isinstance(value, datetime):
        return aware(value)
    if isinstance(value, date):
        return datetime.combine(value, time(), UTC)
    text = _text("datetime", value).strip()
    if len(text) > 64:
        raise ExpressionError("datetime() text is too long")
    try:
        return aware(datetime.fromisoformat(text))
    except ValueError:
        raise ExpressionError(
            f"datetime() cannot read {quote(value, 40)} (expected ISO 8601, e.g. 2024-01-31T09:00:00+08:00)"
        ) from None


def _now(clock: datetime) -> datetime:
    return clock


def _today(clock: datetime) -> date:
    return clock.date()


def _days_between(start: Any, end: Any) -> int:
    """Calendar days from ``start`` to ``end`` (datetimes count by their date)."""
    first, last = _day("days_between", start), _day("days_between", end)
    first = first.date() if isinstance(first, datetime) else first
    last = last.date() if isinstance(last, datetime) else last
    return (last - first).days


def _add_days(day: Any, days: Any) -> date:
    start, count = _day("add_days", day), _whole("add_days", days)
    try:
        return start + timedelta(days=count)
    except (OverflowError, ValueError):
        raise ExpressionError("add_days() result is out of range") from None


def _year(day: Any) -> int:
    return _day("year", day).year


def _month(day: Any) -> int:
    return _day("month", day).month


def _day_of_month(day: Any) -> int:
    return _day("day", day).day


def _weekday(day: Any) -> int:
    """ISO weekday: Monday is 1, Sunday is 7."""
    return _day("weekday", day).isoweekday()


# --- variables ----------------------------------------------------------------------

_MISSING: Final = object()


def _lookup(name: str, variables: Mapping[str, Any], path: Any) -> Any:
    """Follow a dotted path such as ``form.items.0.price``; ``_MISSING`` when absent."""
    text = _text(name, path)
    if not text or len(text) > MAX_PATH_LENGTH:
        raise ExpressionError(f"{name}() needs a path of 1 to {MAX_PATH_LENGTH} characters")
    current: Any = variables
    for part in text.split("."):
        if isinstance(current, Mapping):
            current = current.get(part, _MISSING)
        elif is_list(current) and part.isascii() and part.isdigit() and int(part) < len(current):
            current = current[int(part)]
        else:
            return _MISSING
        if current is _MISSING:
            return _MISSING
    return current


def _has(variables: Mapping[str, Any], path: Any) -> bool:
    """True when the path exists and is not null."""
    return _lookup("has", variables, path) not in (_MISSING, None)


def _get(variables: Mapping[str, Any], path: Any, default: Any = None) -> Any:
    """The value at the path, or ``default`` when it is missing or null."""
    value = _lookup("get", variables, path)
    return default if value is _MISSING or value is None else value


def _f(name: str, impl: Callable[..., Any], low: int, high: int | None, **extra: Any) -> Function:
    return Function(name, impl, low, high, **extra)


FUNCTIONS: Final[dict[str, Function]] = {
    f.name: f
    for f in (
        _f("len", _len, 1, 1),
        _f("lower", lambda s: _text("lower", s).lower(), 1, 1),
        _f("upper", lambda s: _text("upper", s).upper(), 1, 1),
        _f("trim", lambda s: _text("trim", s).strip(), 1, 1),
        _f("contains", _contains, 2, 2),
        _f("startsWith", _starts_with, 2, 2),
        _f("endsWith", _ends_with, 2, 2),
        _f("matches", _matches, 2, 2, pattern_arg=1),
        _f("abs", _abs, 1, 1),
        _f("round", _round, 1, 2),
        _f("min", _min, 1, None),
        _f("max", _max, 1, None),
        _f("sum", _sum, 1, 1),
        _f("count", _count, 1, 1),
        _f("pluck", _pluck, 2, 2),
        _f("int", _to_int, 1, 1),
        _f("number", _to_number, 1, 1),
        _f("str", to_text, 1, 1),
        _f("date", _date, 1, 3),
        _f("datetime", _datetime, 1, 1),
        _f("today", _today, 0, 0, context="now"),
        _f("now", _now, 0, 0, context="now"),
        _f("days_between", _days_between, 2, 2),
        _f("add_days", _add_days, 2, 2),
        _f("year", _year, 1, 1),
        _f("month", _month, 1, 1),
        _f("day", _day_of_month, 1, 1),
        _f("weekday", _weekday, 1, 1),
        _f("has", _has, 1, 1, context="variables"),
        _f("get", _get, 1, 2, context="variables"),
    )
}
