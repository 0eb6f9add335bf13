"""Decision tables: unary tests, hit policies, typed inputs, DMN import refusals."""

from __future__ import annotations

from typing import Any

import pytest

from engine.decisions import parse_dmn, table_from_json
from engine.decisions.unary import to_expression
from engine.errors import InvalidInput


def table(policy: str, rules: list[dict[str, Any]], **extra: Any) -> Any:
    return table_from_json(
        {
            "key": "t",
            "hit_policy": policy,
            "inputs": [{"name": "x", "expression": "x", "type": "number"}],
            "outputs": [{"name": "out"}],
            "rules": rules,
            **extra,
        }
    )


@pytest.mark.parametrize(
    ("entry", "value", "holds"),
    [
        ("-", 5, True),
        ("< 10", 5, True),
        ("< 10", 10, False),
        ("[1..10]", 10, True),
        ("]1..10[", 10, False),
        ("1, 2, 3", 2, True),
        ("not(1, 2)", 2, False),
        ("? > 3 and ? < 6", 5, True),
        ("5", 5, True),
    ],
)
def test_unary_tests(entry: str, value: int, holds: bool) -> None:
    t = table("FIRST", [{"when": [entry], "then": ["'y'"]}])
    assert (t.evaluate({"x": value}) == [{"out": "y"}]) is holds


def test_hit_policies() -> None:
    rules = [{"when": ["> 1"], "then": ["1"]}, {"when": ["> 2"], "then": ["10"]}]
    assert table("FIRST", rules).evaluate({"x": 5}) == [{"out": 1}]
    assert table("COLLECT", rules).evaluate({"x": 5}) == [{"out": 1}, {"out": 10}]
    assert table("COLLECT", rules, aggregation="SUM").evaluate({"x": 5}) == [{"out": 11}]
    assert table("COLLECT", rules, aggregation="COUNT").evaluate({"x": 5}) == [{"out": 2}]
    assert table("COLLECT", rules, aggregation="MAX").evaluate({"x": 5}) == [{"out": 10}]
    with pytest.raises(InvalidInput, match="UNIQUE"):
        table("UNIQUE", rules).evaluate({"x": 5})
    assert table("UNIQUE", rules).evaluate({"x": 1.5}) == [{"out": 1}]


def test_typed_inputs_convert_text_and_refuse_nonsense() -> None:
    t = table("FIRST", [{"when": ["> 1000"], "then": ["'big'"]}])
    assert t.evaluate({"x": "2000"}) == [{"out": "big"}]
    with pytest.raises(InvalidInput, match="should be number"):
        t.evaluate({"x": "lots"})
    assert t.evaluate({}) == []  # a missing input is null: only "-" matches it


def test_table_errors_name_the_rule() -> None:
    with pytest.raises(InvalidInput, match="rule 1"):
        table("FIRST", [{"when": ["< <"], "then": ["1"]}])
    with pytest.raises(InvalidInput, match="hit policy"):
        table("PRIORITY", [])
    assert to_expression("-") is None


def test_dmn_refuses_what_it_cannot_run() -> None:
    literal = (
        '<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/"><decision id="d">'
        "<literalExpression><text>1</text></literalExpression></decision></definitions>"
    )
    with pytest.raises(InvalidInput, match='decision "d" is not a decision table'):
        parse_dmn(literal)
    with pytest.raises(InvalidInput, match="not allowed"):
        parse_dmn('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><definitions/>')
