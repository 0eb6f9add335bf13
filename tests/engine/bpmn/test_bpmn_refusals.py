"""Elements and vendor hooks outside the executable subset are refused by name."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from engine.bpmn import parse_bpmn
from engine.errors import BpmnError

Refuse = Callable[[bytes | str], BpmnError]  # the ``refused`` fixture: parse, expect BpmnError, check it


def messages(error: BpmnError) -> list[str]:
    return [detail["message"] for detail in error.details]


# --- unsupported elements ------------------------------------------------------------------

REFUSED_TAGS = [
    "task",
    "receiveTask",
    "scriptTask",
    "manualTask",
    "callActivity",
    "intermediateThrowEvent",
    "eventBasedGateway",
    "complexGateway",
    "transaction",
    "adHocSubProcess",
    "somethingNew",
]


@pytest.mark.parametrize("tag", REFUSED_TAGS)
def test_unsupported_flow_elements_are_named(
    process_doc: Callable[..., str], tag: str, refused: Refuse
) -> None:
    body = f"""
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="X_1" />
    <bpmn:{tag} id="X_1" />
    <bpmn:sequenceFlow id="f2" sourceRef="X_1" targetRef="end" />
    <bpmn:endEvent id="end" />
    """
    error = refused(process_doc(body))
    assert error.message == f'BPMN refused: {tag} "X_1" is not supported yet'
    assert error.details == [
        {"element_id": "X_1", "element_type": tag, "message": f'{tag} "X_1" is not supported yet'}
    ]


def test_boundary_event_leads_and_its_path_is_not_reported_unreachable(
    bpmn_file: Callable[[str], bytes], refused: Refuse
) -> None:
    error = refused(bpmn_file("refused-elements.bpmn"))
    assert error.message == (
        'BPMN refused: boundaryEvent "Timer_1" with messageEventDefinition is not supported yet '
        "(1 more problem in details)"
    )
    assert [d["element_id"] for d in error.details] == ["Timer_1", "notify"]
    assert "camunda:class on serviceTask" in error.details[1]["message"]


@pytest.mark.parametrize("event", ["boundaryEvent", "intermediateCatchEvent"])
@pytest.mark.parametrize(
    "definition", ["messageEventDefinition", "signalEventDefinition", "errorEventDefinition"]
)
def test_events_other_than_timers_are_refused_by_kind(
    process_doc: Callable[..., str], event: str, definition: str, refused: Refuse
) -> None:
    attached = 'attachedToRef="task"' if event == "boundaryEvent" else ""
    body = f"""
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="task" />
    <bpmn:userTask id="task" jw:approver="starter" />
    <bpmn:sequenceFlow id="f2" sourceRef="task" targetRef="end" />
    <bpmn:{event} id="odd" {attached}><bpmn:{definition} /></bpmn:{event}>
    <bpmn:sequenceFlow id="f3" sourceRef="odd" targetRef="end" />
    <bpmn:endEvent id="end" />
    """
    if event == "intermediateCatchEvent":
        body = body.replace('targetRef="end" />\n    <bpmn:{event}', "")
        body += '<bpmn:sequenceFlow id="f4" sourceRef="start" targetRef="odd" />'
    error = refused(process_doc(body))
    assert error.message.startswith(f'BPMN refused: {event} "odd" with {definition} is not supported yet')


@pytest.mark.parametrize(
    ("event", "definition"),
    [
        ("startEvent", "messageEventDefinition"),
        ("startEvent", "signalEventDefinition"),
        ("endEvent", "errorEventDefinition"),
        ("endEvent", "messageEventDefinition"),
        ("endEvent", "escalationEventDefinition"),
    ],
)
def test_events_with_definitions_are_refused(
    process_doc: Callable[..., str], event: str, definition: str, refused: Refuse
) -> None:
    body = f"""
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="task" />
    <bpmn:userTask id="task" jw:approver="starter" />
    <bpmn:sequenceFlow id="f2" sourceRef="task" targetRef="end" />
    <bpmn:endEvent id="end" />
    <bpmn:{event} id="odd"><bpmn:{definition} /></bpmn:{event}>
    """
    if event == "endEvent":
        body += '<bpmn:sequenceFlow id="f3" sourceRef="task" targetRef="odd" />'
    error = refused(process_doc(body))
    assert error.message.startswith(f'BPMN refused: {event} "odd" with {definition} is not supported yet')


def test_event_subprocess_and_multi_instance_subprocess(
    process_doc: Callable[..., str], refused: Refuse
) -> None:
    body = """
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="sub" />
    <bpmn:subProcess id="sub">
      <bpmn:multiInstanceLoopCharacteristics><bpmn:loopCardinality>2</bpmn:loopCardinality>
      </bpmn:multiInstanceLoopCharacteristics>
      <bpmn:startEvent id="s2" /><bpmn:sequenceFlow id="f2" sourceRef="s2" targetRef="e2" />
      <bpmn:endEvent id="e2" />
    </bpmn:subProcess>
    <bpmn:sequenceFlow id="f3" sourceRef="sub" targetRef="end" />
    <bpmn:endEvent id="end" />
    <bpmn:subProcess id="events" triggeredByEvent="true">
      <bpmn:startEvent id="s3"><bpmn:timerEventDefinition /></bpmn:startEvent>
    </bpmn:subProcess>
    """
    assert messages(refused(process_doc(body))) == [
        'multiInstanceLoopCharacteristics on subProcess "sub" is not supported yet',
        'event subProcess "events" is not supported yet',
    ]


def test_standard_loop_on_user_task(user_task_doc: Callable[..., str], refused: Refuse) -> None:
    error = refused(user_task_doc('jw:approver="starter"', "<bpmn:standardLoopCharacteristics />"))
    assert (
        error.message == 'BPMN refused: standardLoopCharacteristics on userTask "task" is not supported yet'
    )


@pytest.mark.parametrize(
    ("hook", "name"),
    [
        ('<camunda:taskListener event="create" class="x.Y"/>', "camunda:taskListener"),
        ('<camunda:executionListener event="start" expression="${x}"/>', "camunda:executionListener"),
        ('<flowable:taskListener event="create"/>', "flowable:taskListener"),
        ('<flowable:executionListener event="end"/>', "flowable:executionListener"),
        ('<activiti:taskListener event="create"/>', "activiti:taskListener"),
        ('<activiti:eventListener events="x"/>', "activiti:eventListener"),
        (
            '<camunda:inputOutput><camunda:inputParameter name="a">1</camunda:inputParameter>'
            "</camunda:inputOutput>",
            "camunda:inputOutput",
        ),
    ],
)
def test_vendor_execution_hooks_are_refused(
    user_task_doc: Callable[..., str], hook: str, name: str, refused: Refuse
) -> None:
    body = f"<bpmn:extensionElements>{hook}</bpmn:extensionElements>"
    error = refused(user_task_doc('jw:approver="starter"', body))
    assert error.message == f'BPMN refused: {name} on userTask "task" is not supported yet'


def test_hooks_on_the_process_and_on_flows_are_refused(
    process_doc: Callable[..., str], chain: str, refused: Refuse
) -> None:
    listener = '<bpmn:extensionElements><camunda:executionListener event="take"/></bpmn:extensionElements>'
    body = listener + chain.replace(
        '<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="task" />',
        f'<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="task">{listener}</bpmn:sequenceFlow>',
    )
    assert messages(refused(process_doc(body))) == [
        'camunda:executionListener on process "p" is not supported yet',
        'camunda:executionListener on sequenceFlow "f1" is not supported yet',
    ]


# --- conditions ------------------------------------------------------------------------------


def xor_doc(condition: str, process_doc: Callable[..., str], definitions_attrs: str = "") -> str:
    body = f"""
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="gw" />
    <bpmn:exclusiveGateway id="gw" default="f_else" />
    <bpmn:sequenceFlow id="f_yes" sourceRef="gw" targetRef="end">{condition}</bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f_else" sourceRef="gw" targetRef="end" />
    <bpmn:endEvent id="end" />
    """
    return process_doc(body, definitions_attrs=definitions_attrs)


@pytest.mark.parametrize(
    "language", ["http://www.w3.org/1999/XPath", "groovy", "javascript", "JavaScript", "python"]
)
def test_condition_languages_other_than_juel_are_refused(
    process_doc: Callable[..., str], language: str, refused: Refuse
) -> None:
    condition = f'<bpmn:conditionExpression language="{language}">x</bpmn:conditionExpression>'
    error = refused(xor_doc(condition, process_doc))
    assert error.message == (
        f'BPMN refused: sequenceFlow "f_yes": condition language "{language}" is not supported yet '
        "(write ${...} expressions)"
    )


def test_document_expression_language_applies_to_conditions(
    process_doc: Callable[..., str], refused: Refuse
) -> None:
    doc = xor_doc(
        "<bpmn:conditionExpression>x == 1</bpmn:conditionExpression>",
        process_doc,
        'expressionLanguage="http://groovy.codehaus.org/"',
    )
    assert 'condition language "http://groovy.codehaus.org/" is not supported yet' in refused(doc).message


def test_document_level_xpath_is_boilerplate(process_doc: Callable[..., str], refused: Refuse) -> None:
    xpath = 'expressionLanguage="http://www.w3.org/1999/XPath"'
    good = xor_doc("<bpmn:conditionExpression>${x == 1}</bpmn:conditionExpression>", process_doc, xpath)
    assert parse_bpmn(good).definition.flows["f_yes"].condition is not None
    bad = xor_doc(
        "<bpmn:conditionExpression>bpmn:getDataObject('a')</bpmn:conditionExpression>", process_doc, xpath
    )
    assert "the file declares XPath conditions" in refused(bad).message


def test_unparsable_condition_names_the_flow_and_quotes_the_error(
    process_doc: Callable[..., str], refused: Refuse
) -> None:
    error = refused(
        xor_doc("<bpmn:conditionExpression>${amount &gt;}</bpmn:conditionExpression>", process_doc)
    )
    assert error.message.startswith(
        'BPMN refused: sequenceFlow "f_yes" has condition "${amount >}" that does not'
    )
    assert error.details[0]["element_id"] == "f_yes"


def test_empty_condition_counts_as_none(process_doc: Callable[..., str], refused: Refuse) -> None:
    error = refused(xor_doc("<bpmn:conditionExpression>  </bpmn:conditionExpression>", process_doc))
    assert error.message == (
        'BPMN refused: sequenceFlow "f_yes" leaves exclusiveGateway "gw" without a condition; '
        "give every outgoing flow but the default one a condition"
    )


def test_flowable_variable_aggregation_on_a_loop_is_refused(
    user_task_doc: Callable[..., str], refused: Refuse
) -> None:
    loop = (
        "<bpmn:multiInstanceLoopCharacteristics><bpmn:extensionElements>"
        '<flowable:variableAggregation target="reviews"/></bpmn:extensionElements>'
        "<bpmn:loopCardinality>2</bpmn:loopCardinality></bpmn:multiInstanceLoopCharacteristics>"
    )
    error = refused(user_task_doc('jw:approver="starter"', loop))
    assert (
        error.message == 'BPMN refused: flowable:variableAggregation on userTask "task" is not supported yet'
    )
