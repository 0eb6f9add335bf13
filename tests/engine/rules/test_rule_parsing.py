"""Rules are checked at deploy: every mistake names the rule."""

from __future__ import annotations

import json
from typing import Any

import pytest

from engine.errors import InvalidInput
from engine.rules import parse_rules


def rules(*items: dict[str, Any]) -> str:
    return json.dumps({"schema_version": 1, "rules": list(items)})


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ({"id": "a", "on": "sometime", "then": [{"set": {"x": "1"}}]}, 'rule "a" has on="sometime"'),
        ({"id": "a", "on": "enter:nope", "then": [{"set": {"x": "1"}}]}, 'names node "nope"'),
        (
            {"id": "a", "on": "start", "when": "x >", "then": [{"set": {"x": "1"}}]},
            'rule "a" when does not parse',
        ),
        ({"id": "a", "on": "start", "then": [{"explode": {}}]}, 'unknown action "explode"'),
        (
            {"id": "a", "on": "enter:t", "then": [{"lookup": {"connector": "c", "into": "b"}}]},
            "lookup runs on",
        ),
        ({"id": "a", "on": "start", "then": [{"route": {"variable": "v", "to": "nobody:x"}}]}, 'rule "a"'),
        ({"id": "a", "on": "start", "then": []}, 'rule "a" needs "then"'),
    ],
)
def test_mistakes_are_named(rule: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        parse_rules(rules(rule), {"t"})


def test_schema_version_and_duplicates() -> None:
    with pytest.raises(InvalidInput, match="schema_version"):
        parse_rules(json.dumps({"schema_version": 9, "rules": []}), set())
    twice = {"id": "a", "on": "start", "then": [{"set": {"x": "1"}}]}
    with pytest.raises(InvalidInput, match="appears twice"):
        parse_rules(rules(twice, twice), set())
