"""Helpers that render sources, values and positions into one-line error messages."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from engine.errors import ExpressionError

_MAX_QUOTED = 120


def quote(text: str, limit: int = _MAX_QUOTED) -> str:
    """``text`` in double quotes with escapes, shortened so messages stay one line."""
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    return json.dumps(text, ensure_ascii=False)


def type_name(value: Any) -> str:
    """The language's name for the type of ``value`` (what users see in messages)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, (Decimal, float)):
        return "decimal"
    if isinstance(value, str):
        return "str"
    if isinstance(value, (list, tuple)):
        return "list"
    if isinstance(value, Mapping):
        return "map"
    if isinstance(value, datetime):
        return "datetime"
    if isinstance(value, date):
        return "date"
    return type(value).__name__


def short(value: Any, limit: int = 40) -> str:
    """A short, safe rendering of a value for messages; never raises."""
    try:
        if isinstance(value, str):
            return quote(value, limit)
        if isinstance(value, bool) or value is None:
            return {True: "true", False: "false", None: "null"}[value]
        if isinstance(value, int) and value.bit_length() > 128:
            # str() of a huge int is slow and may hit Python's digit limit
            return "a very large int"
        text = str(value)
    except Exception:
        return type_name(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def syntax_error(problem: str, source: str, pos: int | None, hint: str = "") -> ExpressionError:
    """An error for a problem found while reading the source, at 0-based index ``pos``."""
    where = f" at column {pos + 1}" if pos is not None else ""
    message = f"{problem}{where} in {quote(source)}"
    if hint:
        message += f"; {hint}"
    details: dict[str, Any] = {"source": source}
    if pos is not None:
        details["column"] = pos + 1
    return ExpressionError(message, details=details)
