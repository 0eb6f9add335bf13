"""Pratt (precedence-climbing) parser from tokens to the syntax tree in ``nodes``.

Only names followed by ``(`` are calls, and only of whitelisted functions; calls on
anything else (``customer.prop("age")``) are refused here, before anything runs.
"""

from __future__ import annotations

import difflib
from decimal import Decimal
from typing import Final

from engine.errors import ExpressionError

from .functions import FUNCTIONS
from .lexer import CONSTANT, CONSTANTS, END, NAME, NUMBER, OP, STRING, WORD_OPERATORS, Token, tokenize
from .messages import quote, syntax_error
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
from .safe_regex import compile_pattern

MAX_DEPTH: Final = 50

# binding powers: higher binds tighter (see the precedence table in docs/expressions.md)
_CONDITIONAL: Final = 10
_OR: Final = 20
_AND: Final = 30
_NOT: Final = 35  # prefix "not"/"!" takes a whole comparison: not a == b is not (a == b)
_EQUALITY: Final = 40
_RELATION: Final = 50
_SUM: Final = 60
_PRODUCT: Final = 70
_PREFIX: Final = 80  # unary minus and "empty"
_INFIX: Final[dict[str, int]] = {
    "?": _CONDITIONAL,
    "or": _OR,
    "and": _AND,
    "==": _EQUALITY,
    "!=": _EQUALITY,
    "<": _RELATION,
    "<=": _RELATION,
    ">": _RELATION,
    ">=": _RELATION,
    "in": _RELATION,
    "+": _SUM,
    "-": _SUM,
    "*": _PRODUCT,
    "/": _PRODUCT,
    "%": _PRODUCT,
}


def parse(source: str) -> Node:
    """Parse ``source`` (optionally wrapped in ``${ }``/``#{ }``) into a syntax tree."""
    return _Parser(source, tokenize(source)).parse()


class _Parser:
    def __init__(self, source: str, tokens: list[Token]) -> None:
        self.source = source
        self.tokens = tokens
        self.index = 0
        self.depth = 0
        # comparisons not wrapped in parentheses: another comparison may not use them
        # as an operand, which refuses both JUEL's (a < b) < c and Python's chaining
        self.bare_comparisons: set[int] = set()

    # --- token helpers ----------------------------------------------------------------

    def peek(self, ahead: int = 0) -> Token:
        return self.tokens[min(self.index + ahead, len(self.tokens) - 1)]

    def advance(self) -> Token:
        token = self.tokens[self.index]
        if token.kind != END:
            self.index += 1
        return token

    def at(self, op: str, ahead: int = 0) -> bool:
        token = self.peek(ahead)
        return token.kind == OP and token.value == op

    def error(self, problem: str, pos: int | None, hint: str = "") -> ExpressionError:
        return syntax_error(problem, self.source, pos, hint)

    def unexpected(self, token: Token, hint: str = "") -> ExpressionError:
        if token.kind == END:
            return self.error("unexpected end of expression", None, hint)
        lowered = token.text.lower()
        if token.kind == NAME and (lowered in WORD_OPERATORS or lowered in CONSTANTS):
            hint = f"did you mean {quote(lowered)}?"
        return self.error(f"unexpected {quote(token.text)}", token.pos, hint)

    def expect(self, op: str, opener: Token) -> Token:
        if self.at(op):
            return self.advance()
        token = self.peek()
        if token.kind == END:
            hint = f"{quote(opener.text)} at column {opener.pos + 1} is never closed"
            raise self.error(f"missing {quote(op)}", None, hint)
        raise self.unexpected(token, f"expected {quote(op)}")

    # --- expressions ------------------------------------------------------------------

    def parse(self) -> Node:
        node = self.expression(0)
        token = self.peek()
        if token.kind != END:
            operand_like = token.kind in (NAME, NUMBER, STRING, CONSTANT)
            raise self.unexpected(token, "expected an operator" if operand_like else "")
        return node

    def expression(self, right_power: int) -> Node:
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                raise self.error(
                    f"expression is nested too deeply (more than {MAX_DEPTH} levels)", self.peek().pos
                )
            left = self.prefix()
            while True:
                power = self.infix_power()
                if power <= right_power:
                    return left
                left = self.infix(left, power)
        finally:
            self.depth -= 1

    def infix_power(self) -> int:
        token = self.peek()
        if token.kind != OP:
            return 0
        if token.value == "not":  # only as "not in"
            return _RELATION if self.at("in", 1) else 0
        return _INFIX.get(token.value, 0)

    def infix(self, left: Node, power: int) -> Node:
        op = self.peek().value
        if op == "?":
            return self.conditional(left)
        if op in ("and", "or"):
            operands = [left]
            while self.at(op):
                self.advance()
                operands.append(self.expression(power))
            return Logic(op=op, operands=tuple(operands), start=left.start, end=operands[-1].end)
        if power in (_EQUALITY, _RELATION):
            return self.comparison(left, power)
        rest: list[tuple[str, Node]] = []
        while self.infix_power() == power:  # flatten a - b + c into one node
            symbol = self.advance().value
            rest.append((symbol, self.expression(power)))
        return Arithmetic(first=left, rest=tuple(rest), start=left.start, end=rest[-1][1].end)

    def comparison(self, left: Node, power: int) -> Node:
        token = self.advance()
        op = token.value
        if op == "not":
            self.advance()
            op = "not in"
        if id(left) in self.bare_comparisons:
            raise self.chained(token.pos)
        right = self.expression(power)
        if isinstance(right, Compare) and id(right) in self.bare_comparisons:
            raise self.chained(right.op_pos)
        node = Compare(op=op, left=left, right=right, op_pos=token.pos, start=left.start, end=right.end)
        self.bare_comparisons.add(id(node))
        return node

    def chained(self, pos: int) -> ExpressionError:
        return self.error(
            "chained comparisons are not supported",
            pos,
            'combine them with "and", e.g. "a < b and b < c", or add parentheses',
        )

    def conditional(self, test: Node) -> Node:
        question = self.advance()
        then = self.expression(0)
        if not self.at(":"):
            token = self.peek()
            hint = f'expected ":" for the "?" at column {question.pos + 1}'
            raise self.unexpected(token, hint)
        self.advance()
        otherwise = self.expression(_CONDITIONAL - 1)  # right-associative
        return Conditional(test=test, then=then, otherwise=otherwise, start=test.start, end=otherwise.end)

    def prefix(self) -> Node:
        token = self.advance()
        node: Node
        if token.kind in (NUMBER, STRING, CONSTANT):
            node = Literal(value=token.value, start=token.pos, end=token.end)
        elif token.kind == NAME:
            if self.at("("):
                node = self.call(token)
            else:
                node = Name(name=self.name(token), start=token.pos, end=token.end)
        elif token.kind == OP and token.value == "(":
            node = self.expression(0)
            self.expect(")", token)
            self.bare_comparisons.discard(id(node))
        elif token.kind == OP and token.value == "[":
            node = self.list_display(token)
        elif token.kind == OP and token.value in ("-", "not", "empty"):
            return self.unary(token)
        else:
            raise self.unexpected(token)
        return self.postfix(node, token.pos)

    def unary(self, token: Token) -> Node:
        op = token.value
        operand = self.expression(_NOT if op == "not" else _PREFIX)
        if op == "-" and isinstance(operand, Literal) and type(operand.value) in (int, Decimal):
            # fold so -5 is a constant; copy_negate is exact, unlike unary minus
            value = -operand.value if type(operand.value) is int else operand.value.copy_negate()
            return Literal(value=value, start=token.pos, end=operand.end)
        return Unary(op=op, operand=operand, start=token.pos, end=operand.end)

    def name(self, token: Token) -> str:
        if token.text.startswith("__"):
            raise self.error('names starting with "__" are not allowed', token.pos)
        return token.text

    def call(self, token: Token) -> Node:
        function = FUNCTIONS.get(token.text)
        if function is None:
            close = difflib.get_close_matches(token.text, list(FUNCTIONS), n=1)
            hint = f"did you mean {quote(close[0])}?" if close else ""
            raise self.error(f"unknown function {quote(token.text)}", token.pos, hint)
        opener = self.advance()
        args: list[Node] = []
        while not self.at(")"):
            args.append(self.expression(0))
            if not self.at(","):
                break
            self.advance()
        close_token = self.expect(")", opener)
        low, high = function.min_args, function.max_args
        if len(args) < low or (high is not None and len(args) > high):
            raise self.error(f"{function.name}() takes {function.arity_text()}, got {len(args)}", token.pos)
        if function.pattern_arg is not None:
            self.check_pattern(function.name, args[function.pattern_arg])
        return Call(function=function.name, args=tuple(args), start=token.pos, end=close_token.end)

    def check_pattern(self, function: str, arg: Node) -> None:
        if not (isinstance(arg, Literal) and isinstance(arg.value, str)):
            raise self.error(f"{function}() needs its pattern as a string literal", arg.start)
        try:
            compile_pattern(arg.value)
        except ExpressionError as exc:
            raise self.error(exc.message, arg.start) from None

    def list_display(self, opener: Token) -> Node:
        items: list[Node] = []
        while not self.at("]"):
            items.append(self.expression(0))
            if not self.at(","):
                break
            self.advance()
        close = self.expect("]", opener)
        return ListDisplay(items=tuple(items), start=opener.pos, end=close.end)

    def postfix(self, node: Node, start: int) -> Node:
        steps: list[FieldStep | IndexStep] = []
        end = node.end
        while True:
            token = self.peek()
            prefix = self.source[start : token.pos].strip()
            if self.at("."):
                self.advance()
                field = self.advance()
                if not field.is_word:
                    hint = 'expected a field name after "."'
                    if field.kind == NUMBER:
                        hint = "use [0] for list items"
                    raise self.unexpected(field, hint)
                name = self.name(field)
                if self.at("("):
                    raise self.error(
                        f"method calls are not supported: {prefix}.{name}(...)",
                        field.pos,
                        "only built-in functions can be called, by name, e.g. len(x)",
                    )
                steps.append(FieldStep(name=name, prefix=prefix))
                end = field.end
            elif self.at("["):
                self.advance()
                index = self.expression(0)
                end = self.expect("]", token).end
                steps.append(IndexStep(index=index, prefix=prefix))
            elif self.at("("):
                raise self.error(
                    "only built-in functions can be called",
                    token.pos,
                    f"{quote(prefix)} is not a function name",
                )
            else:
                break
        return Path(base=node, steps=tuple(steps), start=start, end=end) if steps else node
