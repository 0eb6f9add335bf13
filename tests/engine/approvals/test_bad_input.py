"""Bad input gives a clear error and changes nothing: every table is compared before and after."""

from __future__ import annotations

import pytest
from approval_support import ORG, snapshot
from support import bpmn, chain, task

from engine import InvalidInput, JingweiError, NotAllowed, NotFound, ProcessEngine

FORM = {
    "type": "default",
    "components": [
        {"type": "textfield", "key": "title", "validate": {"required": True}},
        {"type": "money", "key": "total", "properties": {"jw:sumOf": "lines.amount"}},
        {
            "type": "dynamiclist",
            "path": "lines",
            "components": [{"type": "money", "key": "amount", "validate": {"required": True, "min": 0}}],
        },
        {"type": "textfield", "key": "remark"},
    ],
}
TWO = bpmn(
    '<startEvent id="s"/>'
    + task("a", "user:bob", 'jw:fieldPermissions="remark:editable"')
    + task("b", "user:carol")
    + '<endEvent id="e"/>'
    + chain("s", "a", "b", "e")
)
GOOD = {"title": "t", "total": 3, "lines": [{"amount": 1}, {"amount": 2}]}


@pytest.mark.parametrize(
    ("action", "kwargs", "error", "needle"),
    [
        ("explode", {"actor": "bob"}, InvalidInput, 'unknown action "explode"'),
        ("approve", {"actor": "carol"}, NotAllowed, "carol is not an approver"),
        ("approve", {"actor": "ghost"}, NotFound, 'unknown user "ghost"'),
        ("return", {"actor": "bob", "node": "b"}, InvalidInput, 'cannot return to "b"'),
        ("return", {"actor": "bob", "node": "nope"}, InvalidInput, 'cannot return to "nope"'),
        (
            "approve",
            {"actor": "bob", "data": {"remark": 5}},
            InvalidInput,
            "remark: Input should be a valid string",
        ),
        ("approve", {"actor": "bob", "data": {"total": 9}}, NotAllowed, '"total" is read-only at this step'),
        (
            "transfer",
            {"actor": "bob", "data": {"remark": "x"}, "to": ["dave"]},
            InvalidInput,
            "does not take --data",
        ),
    ],
)
def test_bad_input_is_refused_and_nothing_changes(
    eng: ProcessEngine, action: str, kwargs: dict[str, object], error: type[JingweiError], needle: str
) -> None:
    assert ORG
    eng.deploy(TWO, form=FORM)
    inst = eng.start("p", starter="alice", data=GOOD)
    before = snapshot(eng)
    with pytest.raises(error) as caught:
        eng.act(inst.tasks[0].id, action, **kwargs)  # type: ignore[arg-type]
    assert needle in caught.value.message and "\n" not in caught.value.message
    assert snapshot(eng) == before


def test_a_start_that_fails_validation_writes_nothing(eng: ProcessEngine) -> None:
    eng.deploy(TWO, form=FORM)
    before = snapshot(eng)
    with pytest.raises(InvalidInput) as caught:
        eng.start("p", starter="alice", data={"total": 4, "lines": [{"amount": 1}, {}]})
    assert caught.value.details == [
        {"field": "title", "message": "is required"},
        {"field": "lines[1].amount", "message": "is required"},
    ]
    assert snapshot(eng) == before
