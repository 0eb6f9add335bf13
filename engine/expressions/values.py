"""The language's type rules: numbers, equality, ordering, emptiness and text conversion.

Inside the language every non-integer number is a ``Decimal``: float inputs are read
through their shortest ``repr`` (so a float 0.1 equals the literal 0.1) and all decimal
arithmetic runs in ``DECIMAL_CONTEXT`` rather than the thread's mutable default context.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from decimal import Context, Decimal, DivisionByZero, InvalidOperation, Overflow
from typing import Any, Final

from engine.errors import ExpressionError

from .messages import short, type_name

DECIMAL_CONTEXT: Final = Context(
    prec=34,  # IEEE decimal128: exact for any realistic amount of money
    Emin=-999_999,
    Emax=999_999,
    traps=[InvalidOperation, DivisionByZero, Overflow],
)

Number = int | Decimal


def to_number(value: Any) -> Number | None:
    """``value`` as an int or Decimal, or None when it is not a number (bools are not)."""
    kind = type(value)
    if kind is int or kind is Decimal:
        return value
    if kind is float:
        return Decimal(repr(value))
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return Decimal(repr(float(value)))
    if isinstance(value, Decimal):
        return value
    return None


def is_list(value: Any) -> bool:
    return isinstance(value, (list, tuple))


def category(value: Any) -> str:
    """Equality and ordering only relate values of the same category."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float, Decimal)):
        return "number"
    if isinstance(value, str):
        return "str"
    if is_list(value):
        return "list"
    if isinstance(value, Mapping):
        return "map"
    if isinstance(value, datetime):
        return "datetime"
    if isinstance(value, date):
        return "date"
    return "other"


def aware(value: datetime) -> datetime:
    """Naive datetimes are read as UTC so they compare with ``now()``."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def equals(left: Any, right: Any) -> bool:
    """``==``: null equals only null; other values must be of the same category."""
    if left is None or right is None:
        return left is None and right is None
    kind = category(left)
    if kind != category(right):
        raise ExpressionError(f"cannot compare {type_name(left)} with {type_name(right)}")
    return _same(left, right, kind)


def loosely_equal(left: Any, right: Any) -> bool:
    """Equality for list items and ``in``: values of different categories are just unequal."""
    if left is None or right is None:
        return left is None and right is None
    kind = category(left)
    return kind == category(right) and _same(left, right, kind)


def _same(left: Any, right: Any, kind: str) -> bool:
    if kind == "number":
        return bool(to_number(left) == to_number(right))
    if kind == "list":
        return len(left) == len(right) and all(loosely_equal(a, b) for a, b in zip(left, right, strict=True))
    if kind == "map":
        return left.keys() == right.keys() and all(loosely_equal(left[k], right[k]) for k in left)
    if kind == "datetime":
        return aware(left) == aware(right)
    return bool(left == right)


def comparable(left: Any, right: Any, op: str) -> tuple[Any, Any]:
    """The pair to hand to a Python ordering operator, or an error naming the types."""
    a, b = to_number(left), to_number(right)
    if a is not None and b is not None:
        if (isinstance(a, Decimal) and a.is_nan()) or (isinstance(b, Decimal) and b.is_nan()):
            raise ExpressionError("cannot compare NaN")
        return a, b
    kind = category(left)
    if kind != category(right):
        raise ExpressionError(f"cannot compare {type_name(left)} with {type_name(right)}")
    if kind in ("str", "date"):
        return left, right
    if kind == "datetime":
        return aware(left), aware(right)
    raise ExpressionError(f'"{op}" cannot compare {type_name(left)} values')


def truthy(value: Any) -> bool:
    """Python truthiness: null, false, 0, '' and empty lists/maps are false."""
    return bool(value)


def is_empty(value: Any) -> bool:
    """JUEL ``empty``: true for null, '' and empty lists/maps; false for anything else."""
    if value is None:
        return True
    if isinstance(value, (str, list, tuple, Mapping)):
        return len(value) == 0
    return False


def number_text(value: Number) -> str:
    """Plain notation for moderate decimals (``1000`` rather than ``1E+3``)."""
    if isinstance(value, Decimal) and value.is_finite() and -30 <= value.adjusted() <= 30:
        return format(value, "f")
    return str(value)


def to_text(value: Any) -> str:
    """What ``str(x)`` returns: the value as it would be written in an expression."""
    if isinstance(value, str):
        return value
    return _literal_text(value, top=True)


def _literal_text(value: Any, *, top: bool = False) -> str:
    if value is None or isinstance(value, bool):
        return short(value)
    number = to_number(value)
    if number is not None:
        return number_text(number)
    if isinstance(value, str):
        return value if top else "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if is_list(value):
        return "[" + ", ".join(_literal_text(v) for v in value) + "]"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{_literal_text(k)}: {_literal_text(v)}" for k, v in value.items()) + "}"
    raise ExpressionError(f"cannot convert {type_name(value)} to str")
