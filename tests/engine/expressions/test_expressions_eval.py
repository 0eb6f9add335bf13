"""Evaluation: operators, type rules, data access and the messages for runtime errors."""

from __future__ import annotations

from collections import OrderedDict
from decimal import Decimal
from typing import Any

import pytest

from engine.errors import ExpressionError
from engine.expressions import compile_expression, evaluate


def error_of(source: str, variables: Any = None) -> str:
    with pytest.raises(ExpressionError) as caught:
        evaluate(source, {} if variables is None else variables)
    return caught.value.message


# --- arithmetic -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("1 + 2", 3),
        ("5 - 7", -2),
        ("6 * 7", 42),
        ("7 / 2", Decimal("3.5")),
        ("6 / 3", Decimal("2")),
        ("1 / 3", Decimal("0.3333333333333333333333333333333333")),
        ("7 % 3", 1),
        ("-7 % 3", 2),
        ("7 % -3", -2),
        ("7.5 % 2", Decimal("1.5")),
        ("-7.5 % 2", Decimal("0.5")),
        ("7.5 % -2", Decimal("-0.5")),
        ("1.5 + 1", Decimal("2.5")),
        ("1 - 0.25", Decimal("0.75")),
        ("1.5 * 2", Decimal("3.0")),
        ("-(1.5)", Decimal("-1.5")),
        ("'ab' + 'cd'", "abcd"),
        ("[1] + [2, 3]", [1, 2, 3]),
        ("99999999999999999999 * 99999999999999999999", 99999999999999999999**2),
    ],
)
def test_arithmetic(source: str, expected: Any) -> None:
    result = evaluate(source, {})
    assert result == expected
    assert type(result) is type(expected)


def test_arithmetic_with_variables_of_each_numeric_type() -> None:
    assert evaluate("a + b", {"a": 0.1, "b": 0.2}) == Decimal("0.3")
    assert evaluate("a * 2", {"a": Decimal("1.10")}) == Decimal("2.20")
    assert evaluate("a - 1", {"a": 10}) == 9
    assert evaluate("-a", {"a": 2.5}) == Decimal("-2.5")
    assert evaluate("-a", {"a": 3}) == -3


@pytest.mark.parametrize(
    ("source", "variables", "expected"),
    [
        ("1 / 0", {}, "division by zero"),
        ("1 % 0", {}, "division by zero"),
        ("a / b", {"a": 1.5, "b": 0.0}, "division by zero"),
        ("'a' * 3", {}, "cannot multiply str and int (repetition is not supported; * is for numbers)"),
        ("[1] * 3", {}, "cannot multiply list and int (repetition is not supported"),
        ("'a' + 1", {}, "cannot add str and int (convert with number() or str() first)"),
        ("a + 1", {"a": "10"}, "cannot add str and int"),
        ("true + 1", {}, "cannot add bool and int"),
        ("null + 1", {}, "cannot add null and int"),
        ("'a' - 'b'", {}, "cannot subtract str and str"),
        ("[1] / 2", {}, "cannot divide list and int"),
        ("-'a'", {}, "cannot negate str"),
        ("-true", {}, "cannot negate bool"),
    ],
)
def test_arithmetic_errors(source: str, variables: dict[str, Any], expected: str) -> None:
    assert error_of(source, variables).startswith(expected)


def test_runtime_errors_name_the_source() -> None:
    assert error_of("1 / 0") == 'division by zero in "1 / 0"'


def test_huge_results_are_errors() -> None:
    assert error_of("a * a", {"a": Decimal("1e999990")}) == 'number is too large in "a * a"'
    assert evaluate("a * a", {"a": 10**2000}) == 10**4000
    assert error_of("a * a * a", {"a": 10**2000}) == 'number is too large in "a * a * a"'
    assert error_of("s + s", {"s": "x" * 600_000}).startswith("text would be longer than 1000000 characters")
    assert error_of("l + l", {"l": [0] * 60_000}).startswith("list would be longer than 100000 items")
    assert error_of("str(a)", {"a": 10**4400}) == 'number has too many digits to convert in "str(a)"'


# --- comparison -------------------------------------------------------------------------


@pytest.mark.parametrize("amount", [12000, 12000.0, Decimal("12000"), Decimal("10000.51"), 10000.51])
def test_money_comparisons_work_for_every_numeric_type(amount: Any) -> None:
    assert evaluate("amount > 10000", {"amount": amount}) is True
    assert evaluate("amount > 10000.50", {"amount": amount}) is True
    assert evaluate("amount >= 10000.51", {"amount": amount}) is True
    assert evaluate("amount < 10000.50", {"amount": amount}) is False


def test_floats_are_read_through_their_repr() -> None:
    assert evaluate("rate == 0.1", {"rate": 0.1}) is True
    assert evaluate("rate <= 0.1", {"rate": 0.1}) is True
    assert evaluate("a + b == 0.3", {"a": 0.1, "b": 0.2}) is True


def test_numeric_strings_are_not_coerced() -> None:
    assert error_of("amount > 10000", {"amount": "12000"}) == (
        'cannot compare str with int in "amount > 10000"'
    )
    assert error_of("amount == 10000", {"amount": "10000"}).startswith("cannot compare str with int")
    assert evaluate("number(amount) > 10000", {"amount": "12000"}) is True


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("1 < 2", True),
        ("2 <= 2", True),
        ("3 > 2.5", True),
        ("2 >= 3", False),
        ("1 == 1.0", True),
        ("1 != 1.0", False),
        ("'abc' < 'abd'", True),
        ("'b' > 'a'", True),
        ("'x' == 'x'", True),
        ("true == true", True),
        ("true != false", True),
        ("null == null", True),
        ("null == 0", False),
        ("'' != null", True),
        ("[1, 'a'] == [1, 'a']", True),
        ("[1, 'a'] == ['a', 1]", False),
        ("[1, [2.0]] == [1, [2]]", True),
        ("date('2024-01-31') < date('2024-02-01')", True),
        ("date('2024-01-31') == date(2024, 1, 31)", True),
        ("datetime('2024-01-31T08:00:00+08:00') == datetime('2024-01-31T00:00:00Z')", True),
        ("datetime('2024-01-31T08:00:00') > datetime('2024-01-31T07:00:00Z')", True),
    ],
)
def test_comparisons(source: str, expected: bool) -> None:
    assert evaluate(source, {}) is expected


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("'a' < 1", "cannot compare str with int"),
        ("1 < 'a'", "cannot compare int with str"),
        ("1.5 < 'a'", "cannot compare decimal with str"),
        ("'a' == 1", "cannot compare str with int"),
        ("true == 1", "cannot compare bool with int"),
        ("null < 1", "cannot compare null with int"),
        ("true < false", '"<" cannot compare bool values'),
        ("[1] < [2]", '"<" cannot compare list values'),
        ("date('2024-01-01') < '2024-02-01'", "cannot compare date with str"),
        ("date('2024-01-01') == datetime('2024-01-01')", "cannot compare date with datetime"),
    ],
)
def test_comparison_type_errors(source: str, expected: str) -> None:
    assert error_of(source).startswith(expected)


def test_nan_cannot_be_ordered() -> None:
    assert error_of("a < 1", {"a": float("nan")}).startswith("cannot compare NaN")
    assert evaluate("a == a", {"a": float("nan")}) is False


def test_maps_compare_by_content() -> None:
    assert evaluate("a == b", {"a": {"x": 1, "y": [1]}, "b": OrderedDict(y=[1.0], x=1)}) is True
    assert evaluate("a != b", {"a": {"x": 1}, "b": {"x": "1"}}) is True


# --- logic, membership, empty, conditional -------------------------------------------------


def test_and_or_short_circuit_and_return_booleans() -> None:
    assert evaluate("false and missing", {}) is False
    assert evaluate("true or missing", {}) is True
    assert evaluate("has('x') && x > 1", {}) is False
    assert evaluate("a and b", {"a": 1, "b": "yes"}) is True
    assert evaluate("a or b", {"a": 0, "b": ""}) is False
    assert "unknown variable" in error_of("true and missing")


@pytest.mark.parametrize(
    ("value", "truthy"),
    [(None, False), (False, False), (0, False), (Decimal(0), False), ("", False), ([], False), ({}, False)]
    + [(True, True), (1, True), ("false", True), ([0], True), ({"a": 1}, True)],
)
def test_truthiness(value: Any, truthy: bool) -> None:
    assert evaluate("x ? 'yes' : 'no'", {"x": value}) == ("yes" if truthy else "no")
    assert evaluate("!x", {"x": value}) is (not truthy)
    assert evaluate("not x", {"x": value}) is (not truthy)


def test_conditional_evaluates_only_the_chosen_branch() -> None:
    assert evaluate("ok ? 1 : missing", {"ok": True}) == 1
    assert evaluate("ok ? missing : 2", {"ok": False}) == 2


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("'HR' in ['HR', 'IT']", True),
        ("'OPS' in ['HR', 'IT']", False),
        ("'OPS' not in ['HR', 'IT']", True),
        ("1 in [1.0, 2]", True),
        ("'1' in [1, 2]", False),
        ("null in [null]", True),
        ("[1] in [[1], [2]]", True),
        ("'ell' in 'hello'", True),
        ("'x' not in 'hello'", True),
        ("'k' in m", True),
        ("'z' in m", False),
    ],
)
def test_membership(source: str, expected: bool) -> None:
    assert evaluate(source, {"m": {"k": 1}}) is expected


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("1 in 'abc'", "cannot look for int in a str"),
        ("'a' in 5", '"in" needs a list, str or map on the right, got int'),
        ("'a' in null", '"in" needs a list, str or map on the right, got null'),
        ("[1] in m", "map keys are str or int, not list"),
    ],
)
def test_membership_errors(source: str, expected: str) -> None:
    assert error_of(source, {"m": {}}).startswith(expected)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, True), ("", True), ([], True), ({}, True), ((), True)]
    + [(" ", False), ([None], False), ({"a": None}, False), (0, False), (False, False)],
)
def test_empty(value: Any, expected: bool) -> None:
    assert evaluate("empty x", {"x": value}) is expected
    assert evaluate("not empty x", {"x": value}) is (not expected)


# --- data access ------------------------------------------------------------------------

DATA: dict[str, Any] = {
    "form": {"amount": 12000, "dept": "IT", "lines": [{"price": 10}, {"price": 20.5}]},
    "applicant": {"department": {"name": "Finance"}},
    "items": [{"price": 3}, {"price": 4}],
    "data": {"my key": "v", 7: "seven"},
    "matrix": [[1, 2], [3, 4]],
    "empty_value": None,
    "text": "abc",
}


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("form.amount", 12000),
        ("applicant.department.name", "Finance"),
        ("items[0].price", 3),
        ("items[-1].price", 4),
        ("items[1 + 0].price", 4),
        ("form.lines[1].price", 20.5),
        ("data['my key']", "v"),
        ("data[7]", "seven"),
        ("matrix[1][0]", 3),
        ("form['dept'] == 'IT'", True),
        ("[10, 20][1]", 20),
        ("empty_value == null", True),
    ],
)
def test_data_access(source: str, expected: Any) -> None:
    assert evaluate(source, DATA) == expected


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("amout > 1", 'unknown variable "amout" in "amout > 1"'),
        ("fomr.amount", 'unknown variable "fomr" (did you mean "form"?)'),
        ("form.amout", '"form" has no field "amout" in "form.amout"'),
        ("applicant.department.nam", '"applicant.department" has no field "nam"'),
        ("items[5].price", 'index 5 is out of range for "items" (length 2)'),
        ("items['a']", "list index must be an int, got str"),
        ("items[0.0]", "list index must be an int, got decimal"),
        ("items[true]", "list index must be an int, got bool"),
        ("data['nope']", '"data" has no field "nope"'),
        ("data[[1]]", "map keys are str or int, not list"),
        ("items.price", '"items" is a list, not a map; cannot read field "price" (use items[0].price'),
        ("empty_value.x", '"empty_value" is null, not a map; cannot read field "x"'),
        ("text.length", '"text" is a str, not a map; cannot read field "length"'),
        ("text[0]", '"text" is a str, not a list or map; cannot read [0]'),
        ("form.amount.value", '"form.amount" is an int, not a map'),
    ],
)
def test_data_access_errors(source: str, expected: str) -> None:
    assert error_of(source, DATA).startswith(expected)


def test_fields_never_read_python_attributes() -> None:
    class Record:
        amount = 5

    assert error_of("r.amount", {"r": Record()}).startswith('"r" is a Record, not a map')
    assert error_of("r.amount", {"r": 5}).startswith('"r" is an int, not a map')


def test_mappings_other_than_dict_are_read_by_key() -> None:
    assert evaluate("a.b", OrderedDict(a=OrderedDict(b=2))) == 2


def test_multi_instance_completion_condition() -> None:
    condition = compile_expression("${nrOfCompletedInstances/nrOfInstances >= 0.6 }")
    for done, total, expected in [(3, 5, True), (2, 5, False), (2, 3, True), (1, 3, False), (5, 5, True)]:
        variables = {
            "nrOfInstances": total,
            "nrOfCompletedInstances": done,
            "nrOfActiveInstances": total - done,
            "loopCounter": done,
        }
        assert condition.evaluate(variables) is expected
    assert "division by zero" in error_of("a / b >= 0.6", {"a": 0, "b": 0})


def test_spiff_style_conditions() -> None:
    assert evaluate("approved == True and comment != None", {"approved": True, "comment": "ok"}) is True
    assert evaluate("not approved", {"approved": False}) is True


# --- evaluate() arguments -----------------------------------------------------------------


def test_variables_must_be_a_mapping() -> None:
    assert error_of("1", [1]) == "variables must be a map, got list"
    assert error_of("1", "a=1") == "variables must be a map, got str"


def test_now_must_be_a_datetime() -> None:
    with pytest.raises(ExpressionError, match="now must be a datetime, got str"):
        evaluate("now()", {}, now="2024-01-01")  # type: ignore[arg-type]


def test_mapping_failures_become_expression_errors() -> None:
    class Broken(dict[str, Any]):
        def __getitem__(self, key: str) -> Any:
            raise RuntimeError("database is down")

    message = error_of("a > 1", Broken(a=1))
    assert message.startswith("internal error while evaluating (RuntimeError: database is down)")


def test_deep_data_becomes_an_expression_error() -> None:
    nested: list[Any] = []
    for _ in range(100_000):
        nested = [nested]
    assert "nested too deeply" in error_of("a == b", {"a": nested, "b": nested})


def test_cyclic_data_becomes_an_expression_error() -> None:
    cycle: list[Any] = []
    cycle.append(cycle)
    assert "nested too deeply" in error_of("a == b", {"a": cycle, "b": [cycle]})
