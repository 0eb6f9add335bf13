"""Compiles the syntax tree into nested Python closures.

Evaluating is then one chain of plain function calls, with no per-node dispatch; the
common shapes (``amount > 10000``, ``form.amount``) get short paths for ints and strings.
Closures raise ExpressionError without the source; ``expression`` adds it.
"""

from __future__ import annotations

import difflib
import operator
from collections.abc import Callable, Mapping
from datetime import datetime
from itertools import islice
from typing import Any, Final

from engine.errors import ExpressionError

from .functions import FUNCTIONS
from .messages import quote, short, type_name
from .nodes import (
    Arithmetic,
    Call,
    Compare,
    Conditional,
    FieldStep,
    IndexStep,
    ListDisplay,
    Literal,
    Logic,
    Name,
    Node,
    Path,
    Unary,
)
from .operators import BINARY, contains, negate
from .safe_regex import compile_pattern
from .values import comparable, equals, is_empty

Variables = Mapping[str, Any]
Evaluator = Callable[[Variables, datetime | None], Any]
_Step = Callable[[Any, Variables, datetime | None], Any]

_ORDER: Final[dict[str, Callable[[Any, Any], bool]]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


def compile_tree(node: Node) -> tuple[Evaluator, bool]:
    """The evaluator for ``node`` and whether it reads the clock (``now()``/``today()``)."""
    compiler = _Compiler()
    return compiler.compile(node), compiler.uses_clock


class _Compiler:
    def __init__(self) -> None:
        self.uses_clock = False

    def compile(self, node: Node) -> Evaluator:
        if isinstance(node, Literal):
            return _constant(node.value)
        if isinstance(node, Name):
            return _variable(node.name)
        if isinstance(node, Path):
            return self.path(node)
        if isinstance(node, Compare):
            return self.compare(node)
        if isinstance(node, Arithmetic):
            return self.arithmetic(node)
        if isinstance(node, Logic):
            return self.logic(node)
        if isinstance(node, Unary):
            return self.unary(node)
        if isinstance(node, Conditional):
            return self.conditional(node)
        if isinstance(node, Call):
            return self.call(node)
        if isinstance(node, ListDisplay):
            return self.list_display(node)
        raise TypeError(f"unknown node {type(node).__name__}")

    def path(self, node: Path) -> Evaluator:
        base = self.compile(node.base)
        steps = tuple(
            _field(s.name, s.prefix) if isinstance(s, FieldStep) else self.index(s) for s in node.steps
        )
        if len(steps) == 1:
            (step,) = steps

            def single(v: Variables, now: datetime | None) -> Any:
                return step(base(v, now), v, now)

            return single

        def path(v: Variables, now: datetime | None) -> Any:
            value = base(v, now)
            for step in steps:
                value = step(value, v, now)
            return value

        return path

    def index(self, step: IndexStep) -> _Step:
        index, prefix = self.compile(step.index), step.prefix

        def item(obj: Any, v: Variables, now: datetime | None) -> Any:
            key = index(v, now)
            if isinstance(obj, (list, tuple)):
                if not isinstance(key, int) or isinstance(key, bool):
                    raise ExpressionError(f"list index must be an int, got {type_name(key)}")
                if -len(obj) <= key < len(obj):
                    return obj[key]
                raise ExpressionError(
                    f"index {short(key)} is out of range for {quote(prefix)} (length {len(obj)})"
                )
            if isinstance(obj, Mapping):
                if not isinstance(key, (str, int)) or isinstance(key, bool):
                    raise ExpressionError(f"map keys are str or int, not {type_name(key)}")
                try:
                    return obj[key]
                except KeyError:
                    raise ExpressionError(f"{quote(prefix)} has no field {short(key)}") from None
            problem = f"{quote(prefix)} is {_a(obj)}, not a list or map"
            raise ExpressionError(f"{problem}; cannot read [{short(key)}]")

        return item

    def compare(self, node: Compare) -> Evaluator:
        left, right, op = self.compile(node.left), self.compile(node.right), node.op
        if op in ("in", "not in"):
            negated = op == "not in"

            def membership(v: Variables, now: datetime | None) -> bool:
                item = left(v, now)
                return contains(right(v, now), item) is not negated

            return membership
        if op in ("==", "!="):
            negated = op == "!="

            def equality(v: Variables, now: datetime | None) -> bool:
                a, b = left(v, now), right(v, now)
                kind = type(a)
                if kind is type(b) and (kind is int or kind is str or kind is bool):
                    return (a == b) is not negated
                return equals(a, b) is not negated

            return equality
        test = _ORDER[op]
        if isinstance(node.right, Literal):
            constant = node.right.value  # amount > 10000: skip a call per evaluation

            def order_constant(v: Variables, now: datetime | None) -> bool:
                a = left(v, now)
                if type(a) is type(constant) and type(a) is int:
                    return test(a, constant)
                return test(*comparable(a, constant, op))

            return order_constant

        def order(v: Variables, now: datetime | None) -> bool:
            a, b = left(v, now), right(v, now)
            kind = type(a)
            if kind is type(b) and (kind is int or kind is str):
                return test(a, b)
            return test(*comparable(a, b, op))

        return order

    def arithmetic(self, node: Arithmetic) -> Evaluator:
        first = self.compile(node.first)
        rest = tuple((BINARY[op], self.compile(operand)) for op, operand in node.rest)
        if len(rest) == 1:
            ((apply, second),) = rest

            def binary(v: Variables, now: datetime | None) -> Any:
                return apply(first(v, now), second(v, now))

            return binary

        def chain(v: Variables, now: datetime | None) -> Any:
            value = first(v, now)
            for apply, operand in rest:
                value = apply(value, operand(v, now))
            return value

        return chain

    def logic(self, node: Logic) -> Evaluator:
        operands = tuple(self.compile(operand) for operand in node.operands)
        if node.op == "and":

            def all_true(v: Variables, now: datetime | None) -> bool:
                for operand in operands:
                    if not operand(v, now):
                        return False
                return True

            return all_true

        def any_true(v: Variables, now: datetime | None) -> bool:
            for operand in operands:
                if operand(v, now):
                    return True
            return False

        return any_true

    def unary(self, node: Unary) -> Evaluator:
        operand = self.compile(node.operand)
        if node.op == "not":
            return lambda v, now: not operand(v, now)
        if node.op == "empty":
            return lambda v, now: is_empty(operand(v, now))
        return lambda v, now: negate(operand(v, now))

    def conditional(self, node: Conditional) -> Evaluator:
        test, then, otherwise = (self.compile(n) for n in (node.test, node.then, node.otherwise))
        return lambda v, now: then(v, now) if test(v, now) else otherwise(v, now)

    def list_display(self, node: ListDisplay) -> Evaluator:
        items = tuple(self.compile(item) for item in node.items)
        return lambda v, now: [item(v, now) for item in items]

    def call(self, node: Call) -> Evaluator:
        function = FUNCTIONS[node.function]
        args = [self.compile(arg) for arg in node.args]
        if function.pattern_arg is not None:
            literal = node.args[function.pattern_arg]
            assert isinstance(literal, Literal)  # the parser insists on a string literal
            args[function.pattern_arg] = _constant(compile_pattern(literal.value))
        impl = function.impl
        if function.context == "now":
            self.uses_clock = True
            return lambda v, now: impl(now)
        if function.context == "variables":
            return lambda v, now: impl(v, *[arg(v, now) for arg in args])
        if len(args) == 1:
            (only,) = args
            return lambda v, now: impl(only(v, now))
        return lambda v, now: impl(*[arg(v, now) for arg in args])


def _constant(value: Any) -> Evaluator:
    return lambda v, now: value


def _variable(name: str) -> Evaluator:
    def variable(v: Variables, now: datetime | None) -> Any:
        try:
            return v[name]
        except KeyError:
            raise _unknown_variable(name, v) from None

    return variable


def _unknown_variable(name: str, variables: Variables) -> ExpressionError:
    known = [key for key in islice(variables, 1000) if isinstance(key, str) and len(key) <= 100]
    close = difflib.get_close_matches(name, known, n=1)
    hint = f" (did you mean {quote(close[0])}?)" if close else ""
    return ExpressionError(f"unknown variable {quote(name)}{hint}")


def _field(name: str, prefix: str) -> _Step:
    def field(obj: Any, v: Variables, now: datetime | None) -> Any:
        if type(obj) is dict or isinstance(obj, Mapping):
            try:
                return obj[name]
            except KeyError:
                raise ExpressionError(f"{quote(prefix)} has no field {quote(name)}") from None
        hint = f" (use {prefix}[0].{name} to read an item)" if isinstance(obj, (list, tuple)) else ""
        problem = f"{quote(prefix)} is {_a(obj)}, not a map"
        raise ExpressionError(f"{problem}; cannot read field {quote(name)}{hint}")

    return field


def _a(value: Any) -> str:
    name = type_name(value)
    return name if value is None else ("an " if name[0] in "aeiou" else "a ") + name
