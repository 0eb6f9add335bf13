"""The public entry points: compile once (cached), evaluate many times.

This is the only place that catches Python exceptions, so exactly one rule holds
for callers: ``compile_expression`` and ``evaluate`` raise ExpressionError or nothing.
"""

from __future__ import annotations

import decimal
from collections.abc import Mapping
from datetime import UTC, datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any, NoReturn

from engine.errors import ExpressionError

from .evaluator import Evaluator, compile_tree
from .messages import quote, type_name
from .nodes import variable_names
from .parser import parse
from .values import aware

if TYPE_CHECKING:
    from engine.model import CompiledExpression

CACHE_SIZE = 4096


class Expression:
    """A compiled expression: immutable, thread-safe, cheap to evaluate repeatedly."""

    __slots__ = ("_evaluator", "_uses_clock", "names", "source")

    source: str
    names: frozenset[str]  # top-level variables the expression reads
    _evaluator: Evaluator
    _uses_clock: bool

    def __init__(self, source: str, names: frozenset[str], evaluator: Evaluator, uses_clock: bool) -> None:
        object.__setattr__(self, "source", source)
        object.__setattr__(self, "names", names)
        object.__setattr__(self, "_evaluator", evaluator)
        object.__setattr__(self, "_uses_clock", uses_clock)

    def evaluate(self, variables: Mapping[str, Any], *, now: datetime | None = None) -> Any:
        """Evaluate against ``variables``; ``now`` is the clock for ``now()``/``today()``."""
        if type(variables) is not dict and not isinstance(variables, Mapping):
            raise ExpressionError(f"variables must be a map, got {type_name(variables)}")
        if now is not None or self._uses_clock:
            now = _clock(now)
        try:
            return self._evaluator(variables, now)
        except ExpressionError as exc:
            self._fail(exc.message, None)
        except RecursionError:
            self._fail("the data or the expression is nested too deeply", None)
        except Exception as exc:  # anything else is turned into a readable ExpressionError
            self._fail(_explain(exc), exc)

    def _fail(self, problem: str, cause: BaseException | None) -> NoReturn:
        error = ExpressionError(f"{problem} in {quote(self.source)}", details={"source": self.source})
        raise error from cause

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("Expression objects are immutable")

    def __delattr__(self, name: str) -> None:
        raise AttributeError("Expression objects are immutable")

    def __reduce__(self) -> tuple[Any, tuple[str]]:
        return (compile_expression, (self.source,))  # closures do not pickle; recompile instead

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Expression) and other.source == self.source

    def __hash__(self) -> int:
        return hash(self.source)

    def __repr__(self) -> str:
        return f"Expression({self.source!r})"


def compile_expression(source: str) -> Expression:
    """Parse and compile ``source`` once; identical sources share one cached result."""
    if not isinstance(source, str):
        raise ExpressionError(f"an expression must be a str, got {type_name(source)}")
    # a str subclass could override __eq__/__hash__ and confuse the cache
    return _compile(source if type(source) is str else str.__str__(source))


@lru_cache(maxsize=CACHE_SIZE)
def _compile(source: str) -> Expression:
    try:
        tree = parse(source)
        evaluator, uses_clock = compile_tree(tree)
        return Expression(source, variable_names(tree), evaluator, uses_clock)
    except ExpressionError:
        raise
    except RecursionError:
        raise ExpressionError(f"expression is nested too deeply in {quote(source)}") from None
    except Exception as exc:
        message = f"internal error while compiling {quote(source)} ({type(exc).__name__})"
        raise ExpressionError(message, details={"source": source}) from exc


def evaluate(source: str, variables: Mapping[str, Any], *, now: datetime | None = None) -> Any:
    """Compile (cached) and evaluate ``source`` in one call."""
    return compile_expression(source).evaluate(variables, now=now)


def names_used(expression: Expression | str) -> frozenset[str]:
    """Top-level variable names ``expression`` reads (not those behind ``has``/``get``)."""
    if isinstance(expression, Expression):
        return expression.names
    return compile_expression(expression).names


def _clock(now: Any) -> datetime:
    if now is None:
        return datetime.now(UTC)
    if not isinstance(now, datetime):
        raise ExpressionError(f"now must be a datetime, got {type_name(now)}")
    return aware(now)


def _explain(exc: Exception) -> str:
    """A user-facing sentence for an exception raised below the language's own checks."""
    if isinstance(exc, ZeroDivisionError):
        return "division by zero"
    if isinstance(exc, decimal.Overflow):
        return "number is too large"
    if isinstance(exc, decimal.InvalidOperation):
        return "invalid decimal operation (NaN, infinity or a result beyond 34 digits)"
    if isinstance(exc, OverflowError):
        return "number or date is out of range"
    if isinstance(exc, MemoryError):
        return "out of memory"
    if isinstance(exc, ValueError) and "limit" in str(exc):
        return "number has too many digits to convert"
    detail = str(exc)[:200]
    return f"internal error while evaluating ({type(exc).__name__}: {detail})"


if TYPE_CHECKING:

    def _conforms(expression: Expression) -> CompiledExpression:
        return expression  # mypy checks Expression against engine.model's protocol
