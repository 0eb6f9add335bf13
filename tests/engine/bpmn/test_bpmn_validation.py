"""Graph and attribute validation at deploy: every problem collected, each naming its element."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from engine.bpmn import parse_bpmn
from engine.errors import BpmnError

Refuse = Callable[[bytes | str], BpmnError]  # the ``refused`` fixture: parse, expect BpmnError, check it


def messages(error: BpmnError) -> list[str]:
    return [detail["message"] for detail in error.details]


# --- graph validation ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            '<bpmn:startEvent id="start" />',
            "",
            [
                'sequenceFlow "f1" has sourceRef "start", which is not in this process',
                'process "p" has no none startEvent',
            ],
        ),
        (
            '<bpmn:endEvent id="end" />',
            '<bpmn:endEvent id="end" /><bpmn:startEvent id="start2" />'
            '<bpmn:sequenceFlow id="f9" sourceRef="start2" targetRef="end" />',
            ['process "p" has 2 start events (start, start2); exactly one is supported'],
        ),
        (
            '<bpmn:endEvent id="end" />',
            '<bpmn:endEvent id="end" /><bpmn:userTask id="orphan" jw:approver="starter" />'
            '<bpmn:sequenceFlow id="f9" sourceRef="orphan" targetRef="end" />',
            ['userTask "orphan" cannot be reached from the start event'],
        ),
        (
            'targetRef="end" />',
            'targetRef="end" /><bpmn:sequenceFlow id="f9" sourceRef="task" targetRef="stuck" />'
            '<bpmn:userTask id="stuck" jw:approver="starter" />',
            ['userTask "stuck" has no outgoing sequence flow (dead end)'],
        ),
        (
            'targetRef="end" />',
            'targetRef="end" /><bpmn:sequenceFlow id="f9" sourceRef="task" targetRef="start" />',
            ['startEvent "start" has incoming sequence flows; a start event cannot have any'],
        ),
        (
            'targetRef="end" />',
            'targetRef="end" /><bpmn:sequenceFlow id="f9" sourceRef="end" targetRef="task" />',
            ['endEvent "end" has outgoing sequence flows; an end event cannot have any'],
        ),
        (
            'targetRef="end" />',
            'targetRef="end" /><bpmn:sequenceFlow id="f9" sourceRef="task" targetRef="gw" />'
            '<bpmn:parallelGateway id="gw" />',
            ['parallelGateway "gw" has no outgoing sequence flow'],
        ),
        (
            'targetRef="end" />',
            'targetRef="end" /><bpmn:sequenceFlow id="f9" sourceRef="task" targetRef="nowhere" />',
            ['sequenceFlow "f9" has targetRef "nowhere", which is not in this process'],
        ),
        (
            '<bpmn:sequenceFlow id="f2" sourceRef="task" targetRef="end" />',
            '<bpmn:sequenceFlow id="f2" targetRef="end" />',
            [
                'sequenceFlow "f2" has no sourceRef',
                'userTask "task" has no outgoing sequence flow (dead end)',
                'endEvent "end" cannot be reached from the start event',
            ],
        ),
        (
            '<bpmn:userTask id="task" jw:approver="starter" />',
            '<bpmn:userTask id="task" jw:approver="starter" default="f1" />',
            ['userTask "task" names default flow "f1", which is not one of its outgoing flows'],
        ),
        (
            '<bpmn:endEvent id="end" />',
            '<bpmn:endEvent id="task" />',
            [
                'id "task" is used by 2 elements (userTask, endEvent)',
                'sequenceFlow "f2" has targetRef "end", which is not in this process',
            ],
        ),
        (
            '<bpmn:endEvent id="end" />',
            '<bpmn:endEvent id="end" jw:approver="starter" />',
            ['endEvent "end" has unknown attribute jw:approver (known here: none)'],
        ),
        (
            '<bpmn:sequenceFlow id="f2" sourceRef="task" targetRef="end" />',
            '<bpmn:sequenceFlow sourceRef="task" targetRef="end" />',
            ['a sequenceFlow from "task" to "end" has no id'],
        ),
    ],
)
def test_graph_problems_name_the_element(
    process_doc: Callable[..., str],
    chain: str,
    old: str,
    new: str,
    expected: list[str],
    refused: Refuse,
) -> None:
    assert old in chain
    assert messages(refused(process_doc(chain.replace(old, new, 1)))) == expected


def test_gateway_problems(process_doc: Callable[..., str], refused: Refuse) -> None:
    body = """
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="gw" />
    <bpmn:inclusiveGateway id="gw" default="f_c" />
    <bpmn:sequenceFlow id="f_a" sourceRef="gw" targetRef="end" />
    <bpmn:sequenceFlow id="f_b" sourceRef="gw" targetRef="end" />
    <bpmn:sequenceFlow id="f_c" sourceRef="gw" targetRef="end">
      <bpmn:conditionExpression>${x}</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:exclusiveGateway id="gw2" default="f_a" />
    <bpmn:sequenceFlow id="f_d" sourceRef="gw" targetRef="gw2">
      <bpmn:conditionExpression>${y}</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f_e" sourceRef="gw2" targetRef="end" />
    <bpmn:endEvent id="end" />
    """
    assert messages(refused(process_doc(body))) == [
        'sequenceFlow "f_c" is the default flow of inclusiveGateway "gw" and cannot also have a condition',
        'sequenceFlow "f_a" leaves inclusiveGateway "gw" without a condition; give every outgoing flow but '
        "the default one a condition",
        'sequenceFlow "f_b" leaves inclusiveGateway "gw" without a condition; give every outgoing flow but '
        "the default one a condition",
        'exclusiveGateway "gw2" names default flow "f_a", which is not one of its outgoing flows',
    ]


def test_conditions_leaving_a_parallel_gateway_are_dropped(process_doc: Callable[..., str]) -> None:
    body = """
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="fork" />
    <bpmn:parallelGateway id="fork" />
    <bpmn:sequenceFlow id="f2" sourceRef="fork" targetRef="end">
      <bpmn:conditionExpression>${x}</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:endEvent id="end" />
    """
    assert parse_bpmn(process_doc(body)).definition.flows["f2"].condition is None


def test_subprocess_scope_problems(process_doc: Callable[..., str], refused: Refuse) -> None:
    body = """
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="sub" />
    <bpmn:subProcess id="sub">
      <bpmn:userTask id="inner" jw:approver="starter" />
      <bpmn:sequenceFlow id="f_out" sourceRef="inner" targetRef="end" />
    </bpmn:subProcess>
    <bpmn:sequenceFlow id="f2" sourceRef="sub" targetRef="end" />
    <bpmn:endEvent id="end" />
    """
    assert messages(refused(process_doc(body))) == [
        'sequenceFlow "f_out" connects "inner" to "end" across a subProcess boundary',
        'userTask "inner" has no outgoing sequence flow (dead end)',
        'subProcess "sub" has no none startEvent',
    ]


@pytest.mark.parametrize(
    ("attrs", "expected"),
    [
        ('jw:aprover="starter"', "has unknown attribute jw:aprover (known here: jw:approvalMode"),
        ('jw:approver="starter" jw:onReject="stop"', 'has jw:onReject="stop"; use one of end, continue'),
        ('jw:approver="starter" jw:emptyApprover="skip"', "use one of fail, pass, admin, reject"),
    ],
)
def test_jw_attribute_typos(
    user_task_doc: Callable[..., str], attrs: str, expected: str, refused: Refuse
) -> None:
    error = refused(user_task_doc(attrs))
    assert expected in error.message
    assert error.details[0]["element_id"] == "task"


def test_unknown_process_attribute_and_jw_element(
    process_doc: Callable[..., str], chain: str, refused: Refuse
) -> None:
    body = "<bpmn:extensionElements><jw:hooks/></bpmn:extensionElements>" + chain
    error = refused(process_doc(body, process_attrs='jw:categroy="x"'))
    assert messages(error) == [
        'process "p" has unknown attribute jw:categroy (known here: jw:admin, jw:category, jw:dedupe, '
        "jw:formKey, jw:resubmit, jw:schedule, jw:scheduleAs, jw:timezone)",
        'process "p" holds unknown element jw:hooks (jw extensions are attributes)',
    ]


@pytest.mark.parametrize(
    ("attrs", "loop", "expected"),
    [
        (
            'jw:approver="starter"',
            "<bpmn:loopCardinality>2</bpmn:loopCardinality><bpmn:loopDataInputRef>xs</bpmn:loopDataInputRef>",
            'userTask "task": multi-instance sets both loopCardinality and a collection; keep one',
        ),
        (
            'jw:approver="manager"',
            "",
            'userTask "task": multi-instance needs loopCardinality or a collection',
        ),
        (
            'jw:approver="starter"',
            "<bpmn:loopCardinality>${1 +}</bpmn:loopCardinality>",
            'userTask "task": loopCardinality "${1 +}" does not parse',
        ),
        (
            'jw:approver="user:a,b"',
            "<bpmn:completionCondition>${a ==}</bpmn:completionCondition>",
            'userTask "task": completionCondition "${a ==}" does not parse',
        ),
    ],
)
def test_multi_instance_problems(
    user_task_doc: Callable[..., str],
    attrs: str,
    loop: str,
    expected: str,
    refused: Refuse,
) -> None:
    body = f"<bpmn:multiInstanceLoopCharacteristics>{loop}</bpmn:multiInstanceLoopCharacteristics>"
    error = refused(user_task_doc(attrs, body))
    assert error.message.startswith("BPMN refused: " + expected)


def test_every_problem_is_collected(process_doc: Callable[..., str], refused: Refuse) -> None:
    body = """
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="a" />
    <bpmn:userTask id="a" />
    <bpmn:sequenceFlow id="f2" sourceRef="a" targetRef="svc" />
    <bpmn:scriptTask id="svc" />
    <bpmn:sequenceFlow id="f3" sourceRef="svc" targetRef="b" />
    <bpmn:userTask id="b" jw:approver="boss" />
    <bpmn:sequenceFlow id="f4" sourceRef="b" targetRef="end" />
    <bpmn:endEvent id="end" />
    """
    error = refused(process_doc(body))
    assert error.message == 'BPMN refused: scriptTask "svc" is not supported yet (2 more problems in details)'
    assert [d["element_id"] for d in error.details] == ["svc", "a", "b"]
