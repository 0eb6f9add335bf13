"""The syntax tree the parser builds and the evaluator compiles; plain immutable records.

Left-associative chains (``a + b - c``, ``a and b and c``, ``a.b[0].c``) are kept flat
so evaluation depth follows parenthesised nesting only, which the parser bounds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True, kw_only=True)
class Node:
    start: int  # 0-based span in the original source, for messages
    end: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Literal(Node):
    value: Any  # None, bool, int, Decimal or str


@dataclass(frozen=True, slots=True, kw_only=True)
class ListDisplay(Node):
    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Name(Node):
    name: str


@dataclass(frozen=True, slots=True, kw_only=True)
class FieldStep:
    name: str
    prefix: str  # source text of the object being read, e.g. "applicant.department"


@dataclass(frozen=True, slots=True, kw_only=True)
class IndexStep:
    index: Node
    prefix: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Path(Node):
    base: Node
    steps: tuple[FieldStep | IndexStep, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Call(Node):
    function: str
    args: tuple[Node, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Unary(Node):
    op: str  # "-", "not", "empty"
    operand: Node


@dataclass(frozen=True, slots=True, kw_only=True)
class Arithmetic(Node):
    first: Node
    rest: tuple[tuple[str, Node], ...]  # ("+", node), ("*", node) ... all of one precedence level


@dataclass(frozen=True, slots=True, kw_only=True)
class Logic(Node):
    op: str  # "and" or "or"
    operands: tuple[Node, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Compare(Node):
    op: str  # "==", "!=", "<", "<=", ">", ">=", "in", "not in"
    left: Node
    right: Node
    op_pos: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Conditional(Node):
    test: Node
    then: Node
    otherwise: Node


def children(node: Node) -> tuple[Node, ...]:
    """The direct sub-expressions of ``node``."""
    if isinstance(node, ListDisplay):
        return node.items
    if isinstance(node, Path):
        return (node.base, *(s.index for s in node.steps if isinstance(s, IndexStep)))
    if isinstance(node, Call):
        return node.args
    if isinstance(node, Unary):
        return (node.operand,)
    if isinstance(node, Arithmetic):
        return (node.first, *(operand for _, operand in node.rest))
    if isinstance(node, Logic):
        return node.operands
    if isinstance(node, Compare):
        return (node.left, node.right)
    if isinstance(node, Conditional):
        return (node.test, node.then, node.otherwise)
    return ()


def walk(node: Node) -> list[Node]:
    """Every node of the tree, parents first."""
    found: list[Node] = []
    stack = [node]
    while stack:
        current = stack.pop()
        found.append(current)
        stack.extend(reversed(children(current)))
    return found


def variable_names(node: Node) -> frozenset[str]:
    """Top-level variables the expression reads (``has``/``get`` paths are not counted)."""
    return frozenset(n.name for n in walk(node) if isinstance(n, Name))
