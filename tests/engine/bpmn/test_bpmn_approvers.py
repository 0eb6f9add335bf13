"""How a userTask's approvers are read: jw:approver, vendor attributes, potentialOwner."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from engine.bpmn import parse_bpmn
from engine.errors import BpmnError
from engine.model import ApproverSpec


def approver_of(doc: str) -> ApproverSpec:
    return parse_bpmn(doc).definition.nodes["task"].approver


def plain(spec: ApproverSpec) -> tuple[str, Any]:
    """Expressions compare by source, everything else by value."""
    arg = spec.arg.source if spec.strategy == "expression" else spec.arg
    return spec.strategy, arg


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("user:alice,bob", ("user", ["alice", "bob"])),
        ("user: alice , bob ,", ("user", ["alice", "bob"])),
        ("role:finance-director", ("role", ["finance-director"])),
        ("role:a,b", ("role", ["a", "b"])),
        ("dept-head", ("dept_head", None)),
        ("dept-head:D042", ("dept_head", "D042")),
        ("manager", ("manager", 1)),
        ("manager:3", ("manager", 3)),
        ("starter", ("starter", None)),
        ("field:approver", ("field", "approver")),
        ("field:form.reviewer", ("field", "form.reviewer")),
        ("expr:${starter}", ("expression", "${starter}")),
        ("expr:${amount > 100 ? 'boss' : 'clerk'}", ("expression", "${amount > 100 ? 'boss' : 'clerk'}")),
        ("  Manager:2 ", ("manager", 2)),
    ],
)
def test_jw_approver_values(user_task_doc: Callable[..., str], value: str, expected: tuple[str, Any]) -> None:
    assert plain(approver_of(user_task_doc(f'jw:approver="{value}"'))) == expected


@pytest.mark.parametrize(
    "value",
    [
        "",
        "boss",
        "user:",
        "role: , ",
        "manager:0",
        "manager:x",
        "manager:-1",
        "manager:²",
        "manager:100",
        "starter:me",
        "dept-head:",
        "field:",
        "field:a b",
        "expr:",
        "expr:${amount >}",
    ],
)
def test_bad_jw_approver_values_name_the_task_and_the_value(
    user_task_doc: Callable[..., str], value: str
) -> None:
    with pytest.raises(BpmnError) as caught:
        parse_bpmn(user_task_doc(f'jw:approver="{value}"'))
    assert len(caught.value.details) == 1  # no second "has no approver" for the same task
    detail = caught.value.details[0]
    assert detail["element_id"] == "task"
    assert detail["element_type"] == "userTask"
    assert 'userTask "task"' in detail["message"]
    assert "jw:approver" in detail["message"]


@pytest.mark.parametrize("dialect", ["camunda", "flowable", "activiti"])
@pytest.mark.parametrize(
    ("attrs", "expected"),
    [
        ('{d}:assignee="kermit"', ("user", ["kermit"])),
        ('{d}:assignee="${starter}"', ("expression", "${starter}")),
        ('{d}:assignee="#{initiator}"', ("expression", "#{initiator}")),
        ('{d}:candidateUsers="a, b"', ("user", ["a", "b"])),
        ('{d}:candidateUsers="${reviewers}"', ("expression", "${reviewers}")),
        ('{d}:candidateGroups="management,accounting"', ("role", ["management", "accounting"])),
    ],
)
def test_vendor_attributes(
    user_task_doc: Callable[..., str], dialect: str, attrs: str, expected: tuple[str, Any]
) -> None:
    doc = user_task_doc(attrs.replace("{d}", dialect))
    assert plain(approver_of(doc)) == expected
    key = attrs.replace("{d}", dialect).split("=")[0]
    assert key in parse_bpmn(doc).definition.nodes["task"].extensions


CANDIDATES = 'camunda:candidateUsers="a" camunda:candidateGroups="g"'


def test_precedence_jw_over_assignee_over_candidates(user_task_doc: Callable[..., str]) -> None:
    everything = 'jw:approver="starter" camunda:assignee="kermit" ' + CANDIDATES
    assert approver_of(user_task_doc(everything)).strategy == "starter"
    no_jw = 'camunda:assignee="kermit" ' + CANDIDATES
    assert plain(approver_of(user_task_doc(no_jw))) == ("user", ["kermit"])
    assert plain(approver_of(user_task_doc(CANDIDATES))) == ("user", ["a"])


def test_candidates_win_over_potential_owner(user_task_doc: Callable[..., str]) -> None:
    owner = (
        "<bpmn:potentialOwner><bpmn:resourceAssignmentExpression>"
        "<bpmn:formalExpression>user(gonzo)</bpmn:formalExpression>"
        "</bpmn:resourceAssignmentExpression></bpmn:potentialOwner>"
    )
    doc = user_task_doc('camunda:candidateGroups="g"', owner)
    assert plain(approver_of(doc)) == ("role", ["g"])
    assert parse_bpmn(doc).definition.nodes["task"].extensions["potentialOwner"] == "user(gonzo)"


def test_camunda_wins_over_flowable_for_the_same_attribute(user_task_doc: Callable[..., str]) -> None:
    doc = user_task_doc('flowable:assignee="f" camunda:assignee="c"')
    assert plain(approver_of(doc)) == ("user", ["c"])


def test_blank_vendor_attribute_is_ignored(user_task_doc: Callable[..., str]) -> None:
    doc = user_task_doc('camunda:assignee="  " camunda:candidateGroups="g"')
    assert plain(approver_of(doc)) == ("role", ["g"])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("user(gonzo), user(kermit)", ("user", ["gonzo", "kermit"])),
        ("group(management)", ("role", ["management"])),
        ("sales, management", ("role", ["sales", "management"])),
        ("${reviewer}", ("expression", "${reviewer}")),
    ],
)
def test_potential_owner(user_task_doc: Callable[..., str], text: str, expected: tuple[str, Any]) -> None:
    owner = (
        "<bpmn:potentialOwner><bpmn:resourceAssignmentExpression>"
        f"<bpmn:formalExpression>{text}</bpmn:formalExpression>"
        "</bpmn:resourceAssignmentExpression></bpmn:potentialOwner>"
    )
    assert plain(approver_of(user_task_doc("", owner))) == expected


def test_human_performer_counts_as_an_owner(user_task_doc: Callable[..., str]) -> None:
    performer = (
        "<bpmn:humanPerformer><bpmn:resourceAssignmentExpression>"
        "<bpmn:formalExpression>user(kermit)</bpmn:formalExpression>"
        "</bpmn:resourceAssignmentExpression></bpmn:humanPerformer>"
    )
    assert plain(approver_of(user_task_doc("", performer))) == ("user", ["kermit"])


@pytest.mark.parametrize(
    ("attrs", "body", "words"),
    [
        ('camunda:candidateGroups="${groups}"', "", "group expressions are not supported yet"),
        ('camunda:assignee="${a >}"', "", "does not parse"),
        (
            "",
            "<bpmn:potentialOwner><bpmn:resourceAssignmentExpression>"
            "<bpmn:formalExpression>user(a), group(b)</bpmn:formalExpression>"
            "</bpmn:resourceAssignmentExpression></bpmn:potentialOwner>",
            "mixing user() and group()",
        ),
        ("", "", "has no approver: set jw:approver, camunda:assignee, candidateUsers or candidateGroups"),
    ],
)
def test_approver_refusals(user_task_doc: Callable[..., str], attrs: str, body: str, words: str) -> None:
    with pytest.raises(BpmnError) as caught:
        parse_bpmn(user_task_doc(attrs, body))
    assert words in caught.value.message
    assert caught.value.details[0]["element_id"] == "task"
