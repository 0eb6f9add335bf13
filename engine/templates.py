"""``${...}`` placeholders in text and JSON, evaluated with the expression language (never Jinja2).

``render_text("单号 ${form.no}", vars)`` interpolates; ``render_json`` walks a JSON value and
renders every string in it; a string that is exactly one placeholder keeps the value's type
(``"${amount}"`` → ``12800``, not ``"12800"``). Connectors, rules and sendTask messages use it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from engine.errors import ExpressionError, InvalidInput
from engine.expressions import compile_expression

_MAX_PARTS = 200


def placeholders(template: str) -> list[tuple[int, int]]:
    """``(start, end)`` spans of each ``${...}`` (quotes and nested braces respected)."""
    spans: list[tuple[int, int]] = []
    i = 0
    while True:
        start = template.find("${", i)
        if start < 0:
            return spans
        depth, quote, j = 0, "", start + 1
        while j < len(template):
            ch = template[j]
            if quote:
                if ch == "\\":
                    j += 1
                elif ch == quote:
                    quote = ""
            elif ch in "'\"":
                quote = ch
            elif ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
                if depth == 0:
                    break
            j += 1
        if j >= len(template):
            raise InvalidInput(f"unclosed ${{ in {template!r}")
        spans.append((start, j + 1))
        if len(spans) > _MAX_PARTS:
            raise InvalidInput(f"too many placeholders in {template[:60]!r}")
        i = j + 1


def check_template(template: str) -> None:
    """Compile every placeholder now (deploy time); raises ``InvalidInput``."""
    for start, end in placeholders(template):
        compile_expression(template[start:end])


def _evaluate(source: str, variables: Mapping[str, Any], where: str) -> Any:
    try:
        return compile_expression(source).evaluate(variables)
    except ExpressionError as exc:
        raise InvalidInput(f"{where}: {exc.message}", details={"expression": source}) from exc


def plain(value: Any) -> Any:
    """A JSON-ready copy: Decimals become int or float, dates ISO text."""
    if isinstance(value, bool) or value is None or isinstance(value, int | float | str):
        return value
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return str(value)


def _text(value: Any) -> str:
    value = plain(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        import orjson

        return orjson.dumps(value).decode()
    return str(value)


def render_text(template: str, variables: Mapping[str, Any], *, where: str = "template") -> str:
    spans = placeholders(template)
    if not spans:
        return template
    out: list[str] = []
    last = 0
    for start, end in spans:
        out.append(template[last:start])
        out.append(_text(_evaluate(template[start:end], variables, where)))
        last = end
    out.append(template[last:])
    return "".join(out)


def render_value(template: str, variables: Mapping[str, Any], *, where: str = "template") -> Any:
    spans = placeholders(template)
    if len(spans) == 1 and spans[0] == (0, len(template)):
        return plain(_evaluate(template, variables, where))
    return render_text(template, variables, where=where)


def render_json(value: Any, variables: Mapping[str, Any], *, where: str = "template") -> Any:
    if isinstance(value, str):
        return render_value(value, variables, where=where)
    if isinstance(value, Mapping):
        return {k: render_json(v, variables, where=f"{where}.{k}") for k, v in value.items()}
    if isinstance(value, list):
        return [render_json(v, variables, where=where) for v in value]
    return value


def check_json(value: Any) -> None:
    if isinstance(value, str):
        check_template(value)
    elif isinstance(value, Mapping):
        for item in value.values():
            check_json(item)
    elif isinstance(value, list):
        for item in value:
            check_json(item)


__all__ = [
    "check_json",
    "check_template",
    "placeholders",
    "plain",
    "render_json",
    "render_text",
    "render_value",
]
