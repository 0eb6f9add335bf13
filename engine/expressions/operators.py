"""Arithmetic, membership and negation with the language's strict type rules.

``+ - * / %`` take numbers only (``+`` also joins two strings or two lists); int with
int stays int except ``/``, which always gives a Decimal. Nothing is coerced from text.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any, Final

from engine.errors import ExpressionError

from .messages import type_name
from .values import DECIMAL_CONTEXT as CTX
from .values import Number, is_list, loosely_equal, to_number


def _numbers(left: Any, right: Any, verb: str, hint: str = "") -> tuple[Number, Number]:
    a, b = to_number(left), to_number(right)
    if a is None or b is None:
        if isinstance(left, str) or isinstance(right, str):
            hint = hint or "convert with number() or str() first"
        message = f"cannot {verb} {type_name(left)} and {type_name(right)}"
        raise ExpressionError(f"{message} ({hint})" if hint else message)
    return a, b


# Bounds on values an expression can build, so that a long chain such as a*a*a*... or
# s+s+s+... over large data cannot run for minutes or exhaust memory.
MAX_INT_BITS: Final = 14_300  # about 4300 decimal digits, Python's own int-to-text limit
MAX_TEXT_LENGTH: Final = 1_000_000
MAX_LIST_LENGTH: Final = 100_000


def add(left: Any, right: Any) -> Any:
    if type(left) is int and type(right) is int:
        return left + right
    if isinstance(left, str) and isinstance(right, str):
        if len(left) + len(right) > MAX_TEXT_LENGTH:
            raise ExpressionError(f"text would be longer than {MAX_TEXT_LENGTH} characters")
        return str(left) + str(right)
    if is_list(left) and is_list(right):
        if len(left) + len(right) > MAX_LIST_LENGTH:
            raise ExpressionError(f"list would be longer than {MAX_LIST_LENGTH} items")
        return [*left, *right]
    a, b = _numbers(left, right, "add")
    if type(a) is int and type(b) is int:
        return a + b
    return CTX.add(a, b)


def subtract(left: Any, right: Any) -> Any:
    if type(left) is int and type(right) is int:
        return left - right
    a, b = _numbers(left, right, "subtract")
    if type(a) is int and type(b) is int:
        return a - b
    return CTX.subtract(a, b)


def multiply(left: Any, right: Any) -> Any:
    a, b = _numbers(left, right, "multiply", _repetition_hint(left, right))
    if type(a) is int and type(b) is int:
        if a.bit_length() + b.bit_length() > MAX_INT_BITS:
            raise ExpressionError("number is too large")
        return a * b
    return CTX.multiply(a, b)


def divide(left: Any, right: Any) -> Decimal:
    a, b = _numbers(left, right, "divide")
    if b == 0:
        raise ExpressionError("division by zero")
    return CTX.divide(a, b)


def modulo(left: Any, right: Any) -> Number:
    """Remainder with the sign of the divisor for ints and decimals alike (like Python)."""
    a, b = _numbers(left, right, "take the remainder of")
    if b == 0:
        raise ExpressionError("division by zero")
    if type(a) is int and type(b) is int:
        return a % b
    remainder = CTX.remainder(a, b)  # truncating: the sign of the dividend
    if remainder.is_finite() and remainder != 0 and (remainder < 0) != (b < 0):
        remainder = CTX.add(remainder, b)
    return remainder


def negate(value: Any) -> Number:
    if type(value) is int:
        return -value
    number = to_number(value)
    if number is None:
        raise ExpressionError(f"cannot negate {type_name(value)}")
    return -number if type(number) is int else CTX.minus(number)


def contains(container: Any, item: Any) -> bool:
    """``item in container`` for a list (item equality), a string (substring) or a map (key)."""
    if isinstance(container, str):
        if not isinstance(item, str):
            raise ExpressionError(f"cannot look for {type_name(item)} in a str")
        return item in container
    if is_list(container):
        return any(loosely_equal(item, element) for element in container)
    if isinstance(container, Mapping):
        if not isinstance(item, (str, int)) or isinstance(item, bool):
            raise ExpressionError(f"map keys are str or int, not {type_name(item)}")
        return item in container
    raise ExpressionError(f'"in" needs a list, str or map on the right, got {type_name(container)}')


def _repetition_hint(left: Any, right: Any) -> str:
    if isinstance(left, (str, list, tuple)) or isinstance(right, (str, list, tuple)):
        return "repetition is not supported; * is for numbers"
    return ""


BINARY: Final[dict[str, Callable[[Any, Any], Any]]] = {
    "+": add,
    "-": subtract,
    "*": multiply,
    "/": divide,
    "%": modulo,
}
