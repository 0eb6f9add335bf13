"""DMN input entries (FEEL unary tests, the common subset) compiled to our expression language.

Accepted: ``-`` or empty (any value), a value (``"gold"``, ``42``, ``true``, ``date("2026-01-01")``, a
variable), comparisons (``< 1000``, ``>= 5``), ranges (``[1..10]``, ``]1..10[``, ``(1..10)``), lists of
any of these (``"a","b"``), ``not(...)``, and expressions using ``?`` for the input value
(``? > limit and ? < 2 * limit``). The input value is the variable ``cellInput``.
"""

from __future__ import annotations

import re

from engine.errors import ExpressionError, InvalidInput
from engine.expressions import compile_expression
from engine.model import CompiledExpression

INPUT = "cellInput"
_RANGE = re.compile(r"^([\[\]\(])\s*(.+?)\s*\.\.\s*(.+?)\s*([\[\]\)])$", re.DOTALL)
_COMPARE = re.compile(r"^(<=|>=|<|>|!=|=)\s*(.+)$", re.DOTALL)


def split_top(text: str, sep: str = ",") -> list[str]:
    """Split on ``sep`` outside quotes and brackets."""
    parts: list[str] = []
    depth, quote, start = 0, "", 0
    for i, ch in enumerate(text):
        if quote:
            if ch == quote and text[i - 1] != "\\":
                quote = ""
        elif ch in "\"'":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch == sep and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return [p.strip() for p in parts]


def _replace_question_mark(text: str) -> str:
    out: list[str] = []
    quote = ""
    for i, ch in enumerate(text):
        if quote:
            if ch == quote and text[i - 1] != "\\":
                quote = ""
        elif ch in "\"'":
            quote = ch
        elif ch == "?":
            out.append(INPUT)
            continue
        out.append(ch)
    return "".join(out)


def _one(test: str) -> str:
    if test.startswith("${") or test.startswith("#{"):
        return test[2:-1]
    if _replace_question_mark(test) != test:
        return f"({_replace_question_mark(test)})"
    match = _RANGE.match(test)
    if match:
        low_open, low, high, high_close = match.groups()
        low_op = ">=" if low_open == "[" else ">"
        high_op = "<=" if high_close == "]" else "<"
        return f"({INPUT} {low_op} ({low}) and {INPUT} {high_op} ({high}))"
    match = _COMPARE.match(test)
    if match:
        op, value = match.groups()
        op = "==" if op == "=" else op
        return f"({INPUT} {op} ({value}))"
    return f"({INPUT} == ({test}))"


def to_expression(entry: str) -> str | None:
    """Our-language source for a unary-test entry; None means "any value"."""
    text = entry.strip()
    if text in ("", "-"):
        return None
    negate = False
    lowered = text.lower()
    if lowered.startswith("not(") and text.endswith(")"):
        negate, text = True, text[4:-1].strip()
    parts = [p for p in split_top(text) if p]
    if not parts:
        return None
    joined = " or ".join(_one(p) for p in parts)
    return f"not ({joined})" if negate else joined


def compile_entry(entry: str, where: str) -> CompiledExpression | None:
    source = to_expression(entry)
    if source is None:
        return None
    try:
        return compile_expression(source)
    except ExpressionError as exc:
        raise InvalidInput(f"{where}: input entry {entry!r} is not supported: {exc.message}") from exc


def compile_output(entry: str, where: str) -> CompiledExpression | None:
    text = entry.strip()
    if not text:
        return None
    try:
        return compile_expression(text)
    except ExpressionError as exc:
        raise InvalidInput(f"{where}: output entry {entry!r} does not parse: {exc.message}") from exc


__all__ = ["INPUT", "compile_entry", "compile_output", "split_top", "to_expression"]
