"""Regular expressions for ``matches()`` with guards against catastrophic backtracking.

Python's ``re`` backtracks and has no timeout, so we bound what it is given: patterns
are string literals checked when the expression is compiled (at most 200 characters, no
backreferences, no quantified group that itself contains a variable quantifier or an
alternation, the shapes behind exponential blow-up such as ``(a+)+`` or ``(a|a)*``),
and the text matched is at most 10,000 characters.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Final

from engine.errors import ExpressionError

MAX_PATTERN_LENGTH: Final = 200
MAX_INPUT_LENGTH: Final = 10_000

_REPEAT = re.compile(r"\{(\d*)(,?)(\d*)\}")


class _Group:
    __slots__ = ("alternation", "quantifier")

    def __init__(self) -> None:
        self.quantifier = False  # holds a variable quantifier (*, +, ?, {m,n})
        self.alternation = False  # holds a "|"


@lru_cache(maxsize=256)
def compile_pattern(pattern: str) -> re.Pattern[str]:
    """Check and compile ``pattern``; raise ExpressionError when it is refused."""
    if len(pattern) > MAX_PATTERN_LENGTH:
        raise ExpressionError(f"regular expression is longer than {MAX_PATTERN_LENGTH} characters")
    _check_backtracking(pattern)
    try:
        return re.compile(pattern)
    except (re.error, OverflowError, ValueError, RecursionError) as exc:
        raise ExpressionError(f"invalid regular expression: {exc}") from None


def full_match(pattern: re.Pattern[str], text: str) -> bool:
    if len(text) > MAX_INPUT_LENGTH:
        raise ExpressionError(f"matches() needs a text of at most {MAX_INPUT_LENGTH} characters")
    return pattern.fullmatch(text) is not None


def _refuse(reason: str) -> ExpressionError:
    return ExpressionError(f"regular expression refused: {reason}")


def _check_backtracking(pattern: str) -> None:
    stack: list[_Group] = [_Group()]
    closed: _Group | None = None  # the group that ended just before the current position
    i, n = 0, len(pattern)
    while i < n:
        ch = pattern[i]
        if ch == "\\":
            nxt = pattern[i + 1 : i + 2]
            if nxt.isdigit() and nxt != "0":
                raise _refuse("backreferences are not allowed")
            i, closed = i + 2, None
        elif ch == "[":
            i, closed = _skip_class(pattern, i + 1), None
        elif ch == "(":
            if pattern.startswith(("(?P=", "(?("), i):
                raise _refuse("backreferences are not allowed")
            stack.append(_Group())
            i, closed = _skip_group_prefix(pattern, i + 1), None
        elif ch == ")":
            closed = stack.pop() if len(stack) > 1 else None
            if closed is not None:
                stack[-1].quantifier |= closed.quantifier
                stack[-1].alternation |= closed.alternation
            i += 1
        elif ch == "|":
            stack[-1].alternation = True
            i, closed = i + 1, None
        elif ch in "*+?" or (ch == "{" and _REPEAT.match(pattern, i)):
            end, variable = _quantifier_end(pattern, i)
            if closed is not None and variable and (closed.quantifier or closed.alternation):
                raise _refuse("a repeated group must not contain a repetition or an alternation")
            stack[-1].quantifier |= variable
            i, closed = end, None
        else:
            i, closed = i + 1, None


def _skip_class(pattern: str, i: int) -> int:
    """Index just after the ``]`` closing a character class whose body starts at ``i``."""
    if pattern[i : i + 1] == "^":
        i += 1
    if pattern[i : i + 1] == "]":  # a leading "]" is literal
        i += 1
    while i < len(pattern) and pattern[i] != "]":
        i += 2 if pattern[i] == "\\" else 1
    return i + 1


def _skip_group_prefix(pattern: str, i: int) -> int:
    """Skip ``?:``, ``?P<name>``, ``?=``, ``?<!``, ``?i`` ... after an opening parenthesis."""
    if pattern[i : i + 1] != "?":
        return i
    i += 1
    if pattern.startswith("P<", i):
        end = pattern.find(">", i)
        return len(pattern) if end < 0 else end + 1
    if pattern.startswith(("<=", "<!"), i):
        return i + 2
    while i < len(pattern) and pattern[i] not in ":)=!":
        i += 1  # inline flags such as (?i) or (?i:...)
    return i + 1 if pattern[i : i + 1] in (":", "=", "!") else i


def _quantifier_end(pattern: str, i: int) -> tuple[int, bool]:
    """End of the quantifier at ``i`` (with a lazy/possessive suffix) and whether it varies."""
    if pattern[i] == "{":
        match = _REPEAT.match(pattern, i)
        assert match is not None
        low, comma, high = match.groups()
        end, variable = match.end(), bool(comma) and low != high
    else:
        end, variable = i + 1, True
    if pattern[end : end + 1] in ("?", "+"):
        end += 1
    return end, variable
