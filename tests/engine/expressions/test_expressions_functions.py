"""The whitelisted functions, their type checks, the clock and the regex guards."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest

from engine.errors import ExpressionError
from engine.expressions import compile_expression, evaluate

VARS: dict[str, Any] = {
    "name": "  Alice  ",
    "items": [{"price": 3}, {"price": 4}],
    "prices": [3, 4.5, Decimal("2.5")],
    "form": {"amount": 12000, "optional": None, "lines": [{"sku": "A"}]},
    "d": date(2024, 1, 31),
    "dt": datetime(2024, 1, 31, 23, 30, tzinfo=UTC),
}
NOW = datetime(2024, 3, 15, 9, 0, tzinfo=timezone(timedelta(hours=8)))


def run(source: str) -> Any:
    return evaluate(source, VARS, now=NOW)


def error_of(source: str) -> str:
    with pytest.raises(ExpressionError) as caught:
        run(source)
    return caught.value.message


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        # text
        ("len('abc')", 3),
        ("len(items)", 2),
        ("len(form)", 3),
        ("lower('AbC')", "abc"),
        ("upper('AbC')", "ABC"),
        ("trim(name)", "Alice"),
        ("contains('hello', 'ell')", True),
        ("contains(['a', 'b'], 'b')", True),
        ("contains([1, 2], 3)", False),
        ("startsWith('INV-001', 'INV-')", True),
        ("endsWith('report.pdf', '.pdf')", True),
        ("endsWith('report.pdf', '.doc')", False),
        ("matches('INV-0042', 'INV-\\d{4}')", True),
        ("matches('INV-42', 'INV-\\\\d{4}')", False),
        ("matches('a@corp.com', '[^@]+@corp\\.com')", True),
        ("matches('HR', 'HR|Finance')", True),
        ("matches('xHR', 'HR|Finance')", False),
        ("matches('abab', '(?:ab){2}')", True),
        # numbers
        ("abs(-3)", 3),
        ("abs(-2.5)", Decimal("2.5")),
        ("round(2.5)", 3),
        ("round(-2.5)", -3),
        ("round(2.4)", 2),
        ("round(1.005, 2)", Decimal("1.01")),
        ("round(10 / 3, 2)", Decimal("3.33")),
        ("round(1234, -2)", 1200),
        ("round(1250, -2)", 1300),
        ("round(-1250, -2)", -1300),
        ("round(1250.4, -2)", 1300),
        ("round(7, 2)", 7),
        ("min(3, 1, 2)", 1),
        ("max(3, 1, 2)", 3),
        ("min(prices)", Decimal("2.5")),
        ("max(prices)", 4.5),
        ("max(['b', 'a'])", "b"),
        ("sum([1, 2, 3])", 6),
        ("sum(prices)", Decimal("10.0")),
        ("sum([])", 0),
        ("count(items)", 2),
        ("count([])", 0),
        ("int(3.9)", 3),
        ("int(-3.9)", -3),
        ("int('42')", 42),
        ("int(' 7.8 ')", 7),
        ("number('12000')", 12000),
        ("number('-1.50')", Decimal("-1.50")),
        ("number('1e3')", Decimal("1E+3")),
        ("number(2.5)", Decimal("2.5")),
        ("str(12)", "12"),
        ("str(1.50)", "1.50"),
        ("str(1e3)", "1000"),
        ("str(true)", "true"),
        ("str(null)", "null"),
        ("str('x')", "x"),
        ("str([1, 'a', null])", "[1, 'a', null]"),
        ("str(d)", "2024-01-31"),
        ("'No. ' + str(7)", "No. 7"),
        # dates
        ("date('2024-01-31')", date(2024, 1, 31)),
        ("date('2024-01-31T10:00:00+08:00')", date(2024, 1, 31)),
        ("date(2024, 2, 29)", date(2024, 2, 29)),
        ("date(dt)", date(2024, 1, 31)),
        ("date(d)", date(2024, 1, 31)),
        ("datetime('2024-01-31T10:00:00Z')", datetime(2024, 1, 31, 10, tzinfo=UTC)),
        ("datetime('2024-01-31 10:00')", datetime(2024, 1, 31, 10, tzinfo=UTC)),
        ("datetime(d)", datetime(2024, 1, 31, tzinfo=UTC)),
        ("today()", date(2024, 3, 15)),
        ("now()", NOW),
        ("now() == now()", True),
        ("days_between(d, date('2024-03-01'))", 30),
        ("days_between(date('2024-03-01'), d)", -30),
        ("days_between(dt, d)", 0),
        ("days_between(d, today())", 44),
        ("add_days(d, 1)", date(2024, 2, 1)),
        ("add_days(d, -31)", date(2023, 12, 31)),
        ("add_days(dt, 10 / 2)", datetime(2024, 2, 5, 23, 30, tzinfo=UTC)),
        ("year(d)", 2024),
        ("month(d)", 1),
        ("day(d)", 31),
        ("weekday(d)", 3),
        ("weekday(date('2024-02-04'))", 7),
        ("today() > d", True),
        ("add_days(d, 30) < today()", True),
        # variables
        ("has('form.amount')", True),
        ("has('form.missing')", False),
        ("has('form.optional')", False),
        ("has('nothing')", False),
        ("has('form.lines.0.sku')", True),
        ("has('form.lines.1.sku')", False),
        ("has('form.amount.x')", False),
        ("get('form.amount', 0)", 12000),
        ("get('form.missing', 0)", 0),
        ("get('form.optional', 'n/a')", "n/a"),
        ("get('form.missing')", None),
        ("get('form.lines.0.sku')", "A"),
        ("get('form.' + 'amount')", 12000),
    ],
)
def test_functions(source: str, expected: Any) -> None:
    result = run(source)
    assert result == expected
    assert type(result) is type(expected)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("len(5)", "len() needs a str, list or map, got int"),
        ("lower(null)", "lower() needs a str, got null"),
        ("upper(1)", "upper() needs a str, got int"),
        ("trim([])", "trim() needs a str, got list"),
        ("contains(5, 1)", "contains() needs a str or list, got int"),
        ("contains('abc', 1)", "cannot look for int in a str"),
        ("startsWith(1, 'a')", "startsWith() needs a str, got int"),
        ("endsWith('a', null)", "endsWith() needs a str, got null"),
        ("matches(5, 'a')", "matches() needs a str, got int"),
        ("abs('1')", "abs() needs a number, got str"),
        ("round(1.5, 0.5)", "round() needs a whole number, got 0.5"),
        ("round(1.5, 21)", "round() digits must be between -20 and 20"),
        ("min([])", "min() of an empty list"),
        ("max(1, 'a')", "cannot compare str with int"),
        ("sum(5)", "sum() needs a list, got int"),
        ("sum([1, 'a'])", "sum() needs a list of numbers, found str"),
        ("count('abc')", "count() needs a list, got str"),
        ("int('abc')", 'cannot convert "abc" to a number'),
        ("number('')", 'cannot convert "" to a number'),
        ("number('1,000')", 'cannot convert "1,000" to a number'),
        ("number('nan')", 'cannot convert "nan" to a number'),
        ("number(true)", "number() needs a number, got bool"),
        ("number(null)", "number() needs a number, got null"),
        ("date('31/01/2024')", 'date() cannot read "31/01/2024" (expected YYYY-MM-DD)'),
        ("date(2024, 2, 30)", "date(): day is out of range for month"),
        ("date(2024, 2)", "date() takes a text, a date, or year, month and day"),
        ("date(5)", "date() needs a str, got int"),
        ("datetime('soon')", 'datetime() cannot read "soon"'),
        (
            "days_between('2024-01-01', d)",
            "days_between() needs a date or datetime, got str (convert with date(",
        ),
        ("add_days(d, 1.5)", "add_days() needs a whole number, got 1.5"),
        ("add_days(d, 99999999)", "add_days() result is out of range"),
        ("year('2024')", "year() needs a date or datetime, got str"),
        ("has(1)", "has() needs a str, got int"),
        ("get('')", "get() needs a path of 1 to 200 characters"),
        ("d < '2024-02-01'", "cannot compare date with str"),
    ],
)
def test_function_errors(source: str, expected: str) -> None:
    assert error_of(source).startswith(expected)


def test_has_and_get_are_not_counted_as_names() -> None:
    assert compile_expression("has('x') and get('y', 1) > 0").names == frozenset()


def test_the_clock_defaults_to_utc_now() -> None:
    before = datetime.now(UTC)
    result = evaluate("now()", {})
    assert before <= result <= datetime.now(UTC)
    assert evaluate("today()", {}, now=datetime(2024, 5, 1, 12)) == date(2024, 5, 1)
    assert evaluate("now()", {}, now=datetime(2024, 5, 1, 12)) == datetime(2024, 5, 1, 12, tzinfo=UTC)


def test_today_is_in_the_clock_timezone() -> None:
    late_utc = datetime(2024, 3, 14, 20, 0, tzinfo=UTC)  # already the 15th in Shanghai
    assert evaluate("today()", {}, now=late_utc) == date(2024, 3, 14)
    assert evaluate("today()", {}, now=late_utc.astimezone(timezone(timedelta(hours=8)))) == date(2024, 3, 15)


# --- regular expressions ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "reason"),
    [
        ("(a+)+$", "a repeated group must not contain a repetition or an alternation"),
        ("(a*)*", "a repeated group must not contain a repetition or an alternation"),
        ("(a|aa)+", "a repeated group must not contain a repetition or an alternation"),
        ("(?:a|b)*c", "a repeated group must not contain a repetition or an alternation"),
        ("((ab)+c)+", "a repeated group must not contain a repetition or an alternation"),
        ("(\\w+\\s?){2,}", "a repeated group must not contain a repetition or an alternation"),
        ("(a)\\1", "backreferences are not allowed"),
        ("(?P<x>a)(?P=x)", "backreferences are not allowed"),
        ("a" * 201, "regular expression is longer than 200 characters"),
        ("(", "invalid regular expression"),
        ("a{99999999999}", "invalid regular expression"),
    ],
)
def test_dangerous_patterns_are_refused_at_compile_time(pattern: str, reason: str) -> None:
    with pytest.raises(ExpressionError) as caught:
        compile_expression(f"matches(x, {pattern!r})")
    assert reason in caught.value.message
    assert "at column 12" in caught.value.message


@pytest.mark.parametrize(
    "pattern",
    ["(ab)+", "(a|b)", "[(+*)]+", "(\\d{3})+", "(?i)abc", "(?:x{2}){3}", "a+?b*", "[\\]]+", "(a)(b)+"],
)
def test_safe_patterns_are_accepted(pattern: str) -> None:
    compile_expression(f"matches(x, {pattern!r})")


def test_matches_caps_the_input_length() -> None:
    expression = compile_expression("matches(x, 'a*')")
    assert expression.evaluate({"x": "a" * 10_000}) is True
    with pytest.raises(ExpressionError, match="at most 10000 characters"):
        expression.evaluate({"x": "a" * 10_001})
