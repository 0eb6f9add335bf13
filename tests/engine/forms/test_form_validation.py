"""F2: every submission is validated on the server; errors are per field, the message one line."""

from __future__ import annotations

from typing import Any

import pytest
from form_support import EVERY_KIND
from support import bpmn, chain, task

from engine import InvalidInput, ProcessEngine

PROCESS = bpmn('<startEvent id="s"/>' + task("a", "manager") + '<endEvent id="e"/>' + chain("s", "a", "e"))
VALID: dict[str, Any] = {
    "title": "出差",
    "days": 2.5,
    "total": 1234.5,
    "due": "2026-12-01",
    "period": {"start": "2026-12-01", "end": "2026-12-03"},
    "kind": "travel",
    "urgent": "no",
    "tags": ["a"],
    "agree": True,
    "reviewer": "bob",
    "dept": "eng",
    "invoices": ["att-1", {"id": "att-2", "name": "发票.pdf"}],
    "lines": [{"item": "机票", "amount": 1000}, {"item": "酒店", "amount": 234.5}],
}


@pytest.fixture
def started(eng: ProcessEngine) -> ProcessEngine:
    eng.deploy(PROCESS, form=EVERY_KIND)
    return eng


def test_a_valid_submission_is_stored_as_submitted(started: ProcessEngine) -> None:
    inst = started.start("p", starter="alice", data=VALID)
    assert inst.data == VALID


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"title": ""}, "title", "at least 1 character"),
        ({"title": "x" * 51}, "title", "at most 50 characters"),
        ({"days": 31}, "days", "less than or equal to 30"),
        ({"days": 1.25}, "days", "no more than 1 decimal place"),
        ({"total": 1.234}, "total", "no more than 2 decimal places"),
        ({"due": "next week"}, "due", "valid date"),
        (
            {"period": {"start": "2026-12-03", "end": "2026-12-01"}},
            "period",
            "the end date is before the start",
        ),
        ({"kind": "party"}, "kind", "Input should be 'travel'"),
        ({"tags": ["a", "z"]}, "tags[1]", "Input should be 'a' or 'b'"),
        ({"reviewer": "ghost"}, "reviewer", "ghost: not an active user"),
        ({"dept": "nowhere"}, "dept", "nowhere: not a department"),
        ({"invoices": [{"name": "no id"}]}, "invoices[0]", "an attachment is an id"),
        ({"lines": []}, "lines", "at least 1 item"),
        ({"lines": [{"item": "x", "amount": "abc"}]}, "lines[0].amount", "valid decimal"),
        ({"bogus": 1}, "bogus", "is not a field of this form"),
    ],
)
def test_each_bad_field_is_named(
    started: ProcessEngine, change: dict[str, Any], field: str, message: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        started.start("p", starter="alice", data={**VALID, **change})
    fields = [d["field"] for d in caught.value.details]
    assert field in fields, caught.value.details
    assert message in caught.value.details[fields.index(field)]["message"]
    assert "\n" not in caught.value.message and caught.value.message.startswith("form data refused: ")


def test_a_missing_required_field(started: ProcessEngine) -> None:
    data = {k: v for k, v in VALID.items() if k != "title"}
    with pytest.raises(InvalidInput, match="form data refused: title: is required"):
        started.start("p", starter="alice", data=data)


def test_total_must_equal_the_sum_of_the_lines(eng: ProcessEngine) -> None:
    form = {
        "components": [
            {"type": "money", "key": "total", "properties": {"jw:sumOf": "lines[].amount"}},
            {"type": "dynamiclist", "path": "lines", "components": [{"type": "money", "key": "amount"}]},
        ]
    }
    eng.deploy(PROCESS, form=form)
    eng.start("p", starter="alice", data={"total": 30.5, "lines": [{"amount": 10}, {"amount": 20.5}]})
    with pytest.raises(InvalidInput) as caught:
        eng.start("p", starter="alice", data={"total": 31, "lines": [{"amount": 10}, {"amount": 20.5}]})
    assert caught.value.details == [
        {"field": "total", "message": "must equal the sum of lines[].amount (30.5)"}
    ]


NESTED = {
    "components": [
        {"type": "textfield", "key": "title", "label": "Title", "validate": {"required": True}},
        {
            "type": "group",
            "label": "Applicant",
            "path": "applicant",
            "components": [
                {"type": "textfield", "key": "name", "label": "Name", "validate": {"required": True}},
                {
                    "type": "textfield",
                    "key": "phone",
                    "label": "Phone",
                    "validate": {"pattern": "^1[0-9]{10}$"},
                },
                {"type": "userpicker", "key": "backup", "label": "Backup"},
                {"type": "number", "key": "total", "properties": {"jw:sumOf": "costs.amount"}},
                {
                    "type": "dynamiclist",
                    "path": "costs",
                    "components": [{"type": "number", "key": "amount", "label": "Amount"}],
                },
            ],
        },
    ]
}


def test_a_group_with_a_path_is_one_nested_object(eng: ProcessEngine) -> None:
    eng.deploy(PROCESS, form=NESTED)
    data = {
        "title": "出差",
        "applicant": {
            "name": "Bob",
            "phone": "13800000000",
            "total": 30,
            "costs": [{"amount": 10}, {"amount": 20}],
        },
    }
    inst = eng.start("p", starter="alice", data=data)
    assert inst.data == data
    bad = {
        "title": "x",
        "applicant": {"phone": "12", "backup": "nobody", "extra": 1},
    }
    with pytest.raises(InvalidInput) as refused:
        eng.start("p", starter="alice", data=bad)
    fields = {d["field"] for d in refused.value.details}
    assert fields == {"applicant.name", "applicant.phone", "applicant.extra"}
    with pytest.raises(InvalidInput, match="applicant.total: must equal the sum of costs"):
        eng.start("p", starter="alice", data={**data, "applicant": {**data["applicant"], "total": 31}})
    with pytest.raises(InvalidInput, match="applicant.backup: nobody: not an active user"):
        eng.start("p", starter="alice", data={**data, "applicant": {**data["applicant"], "backup": "nobody"}})
    with pytest.raises(InvalidInput, match="applicant: is required"):
        eng.start("p", starter="alice", data={"title": "x"})


def test_a_group_path_must_be_a_key(eng: ProcessEngine) -> None:
    form = {"components": [{"type": "group", "path": "a.b", "components": []}]}
    with pytest.raises(InvalidInput, match="path names its object"):
        eng.deploy(PROCESS, form=form)
