"""Parsing: wrappers, literals, precedence, limits and the messages for syntax errors."""

from __future__ import annotations

import pickle
from decimal import Decimal
from typing import Any

import pytest

from engine.errors import ExpressionError, InvalidInput
from engine.expressions import Expression, compile_expression, evaluate, names_used


def error_of(source: Any, variables: dict[str, Any] | None = None) -> ExpressionError:
    with pytest.raises(ExpressionError) as caught:
        evaluate(source, variables or {})
    return caught.value


# --- wrappers -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "variables", "expected"),
    [
        ("${input == 1}", {"input": 1}, True),
        ("${input == 1}", {"input": 2}, False),
        ("#{!approved}", {"approved": False}, True),
        ("#{!approved}", {"approved": True}, False),
        ("${score <= 5}", {"score": 5}, True),
        ("  ${ amount > 100 }  ", {"amount": 101}, True),
        ("amount > 100", {"amount": 99}, False),
        (
            "${nrOfCompletedInstances/nrOfInstances >= 0.6 }",
            {"nrOfCompletedInstances": 3, "nrOfInstances": 5},
            True,
        ),
        (
            "${nrOfCompletedInstances/nrOfInstances >= 0.6 }",
            {"nrOfCompletedInstances": 2, "nrOfInstances": 5},
            False,
        ),
        ("${'}' == '}'}", {}, True),
    ],
)
def test_wrappers_and_plain_text(source: str, variables: dict[str, Any], expected: Any) -> None:
    assert evaluate(source, variables) == expected


def test_source_keeps_the_original_text() -> None:
    expression = compile_expression("  ${ a > 1 }")
    assert expression.source == "  ${ a > 1 }"
    assert isinstance(expression, Expression)


@pytest.mark.parametrize("source", ["", "   ", "${}", "#{  }"])
def test_empty_expression(source: str) -> None:
    assert "empty expression" in error_of(source).message


def test_missing_closing_brace() -> None:
    assert 'missing closing "}" for "${"' in error_of("${a > 1").message


def test_composite_expressions_are_refused() -> None:
    message = error_of("${a} and ${b}").message
    assert 'unexpected "}"' in message
    assert "only one" in message


def test_feel_is_refused() -> None:
    message = error_of("=fraud").message
    assert message.startswith("FEEL expressions are not supported")


# --- literals -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("42", 42),
        ("007", 7),
        ("10000.50", Decimal("10000.50")),
        ("1e3", Decimal("1000")),
        ("2.5E-1", Decimal("0.25")),
        ("'single'", "single"),
        ('"double"', "double"),
        (r"'it\'s'", "it's"),
        (r'"say \"hi\""', 'say "hi"'),
        (r"'a\\b'", "a\\b"),
        (r"'line\nnext\ttab\r'", "line\nnext\ttab\r"),
        (r"'\u4e2d\u6587'", "中文"),
        (r"'\d+'", "\\d+"),
        ("'中文'", "中文"),
        ("true", True),
        ("false", False),
        ("null", None),
        ("True", True),
        ("False", False),
        ("None", None),
        ("[1, 2, 'a']", [1, 2, "a"]),
        ("[]", []),
        ("[1, [2, [3]],]", [1, [2, [3]]]),
        ("-5", -5),
        ("-1.5", Decimal("-1.5")),
    ],
)
def test_literals(source: str, expected: Any) -> None:
    result = evaluate(source, {})
    assert result == expected
    assert type(result) is type(expected)


def test_decimal_literals_are_exact() -> None:
    assert evaluate("0.1 + 0.2 == 0.3", {}) is True
    assert evaluate("0.12345678901234567890123456789", {}) == Decimal("0.12345678901234567890123456789")


def test_list_literals_are_fresh_each_time() -> None:
    expression = compile_expression("[1, 2]")
    first = expression.evaluate({})
    first.append(3)
    assert expression.evaluate({}) == [1, 2]


def test_unicode_names() -> None:
    assert evaluate("金额 > 1000", {"金额": 2000}) is True
    assert evaluate("表单.部门 == '财务'", {"表单": {"部门": "财务"}}) is True


# --- precedence -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("1 + 2 * 3", 7),
        ("(1 + 2) * 3", 9),
        ("10 - 4 - 3", 3),
        ("10 - (4 - 3)", 9),
        ("2 * 3 % 4", 2),
        ("-2 * 3", -6),
        ("- 2 + 5", 3),
        ("-(2 + 5)", -7),
        ("1 + 2 == 3", True),
        ("2 * 3 > 5", True),
        ("(1 < 2) == true", True),
        ("true or false and false", True),
        ("(true or false) and false", False),
        ("not true == false", True),
        ("not 1 in [1, 2]", False),
        ("not 3 in [1, 2]", True),
        ("1 not in [2]", True),
        ("!false && false", False),
        ("!(false && false)", True),
        ("true ? 1 : 2 + 3", 1),
        ("false ? 1 : 2 + 3", 5),
        ("false ? 1 : false ? 2 : 3", 3),
        ("false ? 1 : true ? 2 : 3", 2),
        ("true ? false ? 1 : 2 : 3", 2),
        ("false or true ? 'y' : 'n'", "y"),
        ("1 < 2 and 3 > 2", True),
        ("1 == 1 and 2 != 3", True),
        ("empty '' and true", True),
        ("empty [1] or 1 > 0", True),
        ("-len('abc')", -3),
        ("1 + 2 in [3]", True),
        ("5 gt 3 and 2 le 2", True),
        ("1 eq 1 and 1 ne 2 and 1 lt 2 and not (2 ge 3)", True),
        ("9 div 2", Decimal("4.5")),
        ("7 mod 3", 1),
        ("1 == 1 && 2 == 2 || false", True),
    ],
)
def test_precedence(source: str, expected: Any) -> None:
    result = evaluate(source, {})
    assert result == expected
    assert type(result) is type(expected)


@pytest.mark.parametrize(
    "source", ["a < b < c", "a == b == c", "a < b == true", "true == a < b", "a in b in c"]
)
def test_chained_comparisons_are_refused(source: str) -> None:
    assert "chained comparisons are not supported" in error_of(source).message


def test_long_flat_chains_are_not_nesting() -> None:
    terms = "+".join(["1"] * 600)
    assert evaluate(terms, {}) == 600
    conditions = " and ".join(["a"] * 300)
    assert evaluate(conditions, {"a": True}) is True
    path = "a" + ".a" * 500
    data: dict[str, Any] = {"a": 1}
    for _ in range(500):
        data = {"a": data}
    assert evaluate(path, data) == 1


# --- limits ---------------------------------------------------------------------------


def test_nesting_depth_limit() -> None:
    assert evaluate("(" * 49 + "1" + ")" * 49, {}) == 1
    message = error_of("(" * 60 + "1" + ")" * 60).message
    assert "nested too deeply" in message
    assert "nested too deeply" in error_of("-" * 100 + "1").message
    assert "nested too deeply" in error_of("[" * 100 + "]" * 100).message
    assert "nested too deeply" in error_of("len(" * 100 + "'x'" + ")" * 100).message


def test_source_length_limit() -> None:
    assert evaluate("1" + " " * 1998 + "", {}) == 1
    message = error_of("1" + " " * 2000).message
    assert "expression is too long (2001 characters; the limit is 2000)" in message


def test_only_strings_compile() -> None:
    assert "must be a str, got int" in error_of(42).message
    assert "must be a str, got list" in error_of(["a"]).message


# --- syntax errors ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("a > (1))", 'unexpected ")" at column 8 in "a > (1))"'),
        ("a >", 'unexpected end of expression in "a >"'),
        ("(a > 1", 'missing ")" in "(a > 1"; "(" at column 1 is never closed'),
        ("a b", 'unexpected "b" at column 3 in "a b"; expected an operator'),
        ("a AND b", 'unexpected "AND" at column 3 in "a AND b"; did you mean "and"?'),
        ("a = 1", '"=" is not an operator at column 3 in "a = 1"; use "==" to compare'),
        ("a & b", '"&" is not an operator at column 3 in "a & b"; use "&&"'),
        ("a | b", '"|" is not an operator at column 3 in "a | b"; use "||"'),
        ("2 ** 3", '"**" is not an operator at column 3 in "2 ** 3"; there is no power operator'),
        ("'abc", "unterminated string at column 1 in \"'abc\"; close it with '"),
        ("10abc > 1", 'invalid number "10abc" at column 1 in "10abc > 1"'),
        ("a ? 1", 'unexpected end of expression in "a ? 1"; expected ":" for the "?" at column 3'),
        ("items.0", 'unexpected "0" at column 7 in "items.0"; use [0] for list items'),
        ("a.", 'unexpected end of expression in "a."; expected a field name after "."'),
        ("[1 2]", 'unexpected "2" at column 4 in "[1 2]"; expected "]"'),
        ("a @ b", 'unexpected character "@" at column 3 in "a @ b"'),
        (r"'\u12'", "invalid \\u escape (expected 4 hex digits) at column 2 in \"'\\\\u12'\""),
        ("${score &lt;= 5}", 'XML entity "&lt;" found at column 9 in "${score &lt;= 5}"'),
        ("a （ b", 'unexpected character "（" at column 3 in "a （ b"; use the ASCII "("'),
        ("a ＞ 1", 'unexpected character "＞" at column 3 in "a ＞ 1"; use the ASCII ">"'),
        ("name == “x”", 'unexpected character "“" at column 9 in "name == “x”"; use the ASCII "\\""'),
        ("1e999999999", 'number "1e999999999" is out of range at column 1 in "1e999999999"'),
    ],
)
def test_syntax_error_messages(source: str, expected: str) -> None:
    assert error_of(source).message.startswith(expected)


def test_syntax_errors_are_one_line_and_carry_details() -> None:
    error = error_of("a >\n (1))")
    assert "\n" not in error.message
    assert error.details == {"source": "a >\n (1))", "column": 9}
    assert isinstance(error, InvalidInput)
    assert error.code == "invalid_expression"


def test_long_sources_are_shortened_in_messages() -> None:
    message = error_of("a" * 500 + " >").message
    assert len(message) < 200


# --- calls ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('customer.prop("age").numberValue()', "method calls are not supported: customer.prop(...)"),
        ("execution.getVariable('x') == 1", "method calls are not supported: execution.getVariable(...)"),
        ("'abc'.length()", "method calls are not supported: 'abc'.length(...)"),
        ("a.b.c.d(1)", "method calls are not supported: a.b.c.d(...)"),
        ("items[0].run()", "method calls are not supported: items[0].run(...)"),
        ("(len)(1)", 'only built-in functions can be called at column 6 in "(len)(1)"; "(len)" is not'),
        ("items[0](1)", "only built-in functions can be called"),
        ("len('a')('b')", "only built-in functions can be called"),
        ("lenght(x)", 'unknown function "lenght" at column 1 in "lenght(x)"; did you mean "len"?'),
        ("eval('1')", 'unknown function "eval"'),
        ("__import__('os')", 'unknown function "__import__"'),
        ("len(1, 2)", "len() takes 1 argument, got 2 at column 1"),
        ("today(1)", "today() takes 0 arguments, got 1"),
        ("round()", "round() takes 1 to 2 arguments, got 0"),
        ("min()", "min() takes at least 1 argument, got 0"),
        ("len(", 'unexpected end of expression in "len("'),
        ("len('a' 'b')", "unexpected \"'b'\" at column 9 in \"len('a' 'b')\"; expected \")\""),
        ("len(,)", 'unexpected ","'),
    ],
)
def test_call_errors(source: str, expected: str) -> None:
    assert expected in error_of(source).message


def test_method_calls_are_refused_before_evaluation() -> None:
    class Spy(dict[str, Any]):
        called = False

        def prop(self, name: str) -> None:  # pragma: no cover - must never run
            Spy.called = True

    with pytest.raises(ExpressionError):
        evaluate("customer.prop('age')", {"customer": Spy()})
    assert Spy.called is False


def test_trailing_commas_are_allowed() -> None:
    assert evaluate("len('ab',)", {}) == 2
    assert evaluate("[1,]", {}) == [1]


def test_dunder_names_are_refused() -> None:
    assert 'names starting with "__" are not allowed' in error_of("__class__").message
    assert 'names starting with "__" are not allowed' in error_of("x.__class__").message


def test_variables_may_share_names_with_functions_and_fields_may_be_keywords() -> None:
    assert evaluate("count + len(str)", {"count": 1, "str": "ab"}) == 3
    data = {"task": {"empty": 1, "in": 2, "null": 3, "true": 4, "and": 5}}
    assert evaluate("task.empty + task.in + task.null + task.true + task.and", data) == 15


def test_matches_needs_a_literal_pattern() -> None:
    assert "matches() needs its pattern as a string literal at column 12" in error_of("matches(a, p)").message


# --- the compiled object --------------------------------------------------------------


def test_names_used() -> None:
    expression = compile_expression("${form.amount > limit and len(items) > 0 and has('optional.x')}")
    assert expression.names == frozenset({"form", "limit", "items"})
    assert names_used(expression) == expression.names
    assert names_used("a + b[c].d") == frozenset({"a", "b", "c"})
    assert names_used("1 + 2") == frozenset()


def test_compiled_expressions_are_cached_and_immutable() -> None:
    first = compile_expression("amount > 10000")
    assert compile_expression("amount > 10000") is first
    with pytest.raises(AttributeError):
        first.source = "1"
    with pytest.raises(AttributeError):
        del first.names
    assert first == compile_expression("amount > 10000")
    assert hash(first) == hash("amount > 10000")
    assert repr(first) == "Expression('amount > 10000')"


def test_compiled_expressions_pickle() -> None:
    expression = compile_expression("a + 1")
    restored = pickle.loads(pickle.dumps(expression))
    assert restored.evaluate({"a": 1}) == 2


def test_a_literal_beyond_decimals_range_is_a_clear_error() -> None:
    with pytest.raises(ExpressionError, match="out of range"):
        compile_expression("1e399999999999999999999 > 1")
