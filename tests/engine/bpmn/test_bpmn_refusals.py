"""What parse_bpmn refuses, and how: one BpmnError, a one-line message, every problem in details."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.bpmn import MAX_BYTES, parse_bpmn
from engine.errors import BpmnError


def refusal(source: bytes | str) -> BpmnError:
    with pytest.raises(BpmnError) as caught:
        parse_bpmn(source)
    error = caught.value
    assert error.message.startswith("BPMN refused: ")
    assert "\n" not in error.message
    assert isinstance(error.details, list) and error.details
    for detail in error.details:
        assert set(detail) == {"element_id", "element_type", "message"}
    return error


def messages(error: BpmnError) -> list[str]:
    return [detail["message"] for detail in error.details]


# --- document-level safety -----------------------------------------------------------------


def test_billion_laughs_is_refused(bpmn_file: Callable[[str], bytes]) -> None:
    error = refusal(bpmn_file("billion-laughs.bpmn"))
    assert error.message == "BPMN refused: DTDs and entity declarations are not allowed"


@pytest.mark.parametrize(
    "doc",
    [
        '<?xml version="1.0"?><!DOCTYPE definitions><definitions/>',
        '<!DOCTYPE d [<!ENTITY e SYSTEM "file:///etc/passwd">]><d>&e;</d>',
        '<!DOCTYPE d SYSTEM "http://example.com/x.dtd"><d/>',
    ],
)
def test_any_doctype_is_refused(doc: str) -> None:
    assert refusal(doc.encode()).message == "BPMN refused: DTDs and entity declarations are not allowed"


def test_malformed_xml_names_line_and_column(bpmn_file: Callable[[str], bytes]) -> None:
    error = refusal(bpmn_file("malformed.bpmn"))
    assert "not well-formed XML" in error.message
    assert "mismatched tag at line 5, column" in error.message


@pytest.mark.parametrize("source", [b"", b"   \n", ""])
def test_empty_input_is_refused(source: bytes | str) -> None:
    assert refusal(source).message == "BPMN refused: the file is empty"


def test_oversize_bytes_are_refused_with_the_limit(chain: str, process_doc: Callable[..., str]) -> None:
    padding = "<!--" + "x" * MAX_BYTES + "-->"
    error = refusal((process_doc(chain) + padding).encode())
    assert "the limit is 5 MiB" in error.message


def test_oversize_str_is_refused_before_encoding() -> None:
    assert "the limit is 5 MiB" in refusal("<" * (MAX_BYTES + 1)).message


def test_unknown_declared_encoding_is_refused() -> None:
    error = refusal(b'<?xml version="1.0" encoding="klingon"?><definitions/>')
    assert "encoding" in error.message


def test_wrong_argument_type_is_a_bpmn_error() -> None:
    assert "expected the XML as bytes or str" in refusal(42).message  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("doc", "words"),
    [
        ("<html/>", "the root element <html> is not a BPMN 2.0 <definitions> element"),
        ('<definitions xmlns="http://schema.omg.org/spec/BPMN/2.0"/>', "BPMN 2.0 files use"),
        ('<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"/>', "holds no process"),
    ],
)
def test_documents_that_are_not_bpmn(doc: str, words: str) -> None:
    assert words in refusal(doc).message


# --- which process -------------------------------------------------------------------------


def two_processes(first: str, second: str, chain: str) -> str:
    other = re.sub(r'(id|sourceRef|targetRef)="', r'\1="b_', chain)  # ids are unique per file
    ns = 'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:jw="https://jingwei.dev/schema/bpmn/1.0"'
    return (
        f"<bpmn:definitions {ns}>"
        f'<bpmn:process id="a" {first}>{chain}</bpmn:process>'
        f'<bpmn:process id="b" {second}>{other}</bpmn:process>'
        "</bpmn:definitions>"
    )


def test_several_processes_none_executable(chain: str) -> None:
    error = refusal(two_processes("", 'isExecutable="false"', chain))
    assert error.message == (
        'BPMN refused: the file holds 2 processes (a, b); mark exactly one isExecutable="true"'
    )


def test_several_processes_several_executable(chain: str) -> None:
    error = refusal(two_processes('isExecutable="true"', 'isExecutable="true"', chain))
    assert '2 are marked isExecutable="true" (a, b)' in error.message


def test_the_one_executable_process_is_taken(chain: str) -> None:
    assert parse_bpmn(two_processes("", 'isExecutable="true"', chain)).key == "b"


def test_process_without_flow_elements(process_doc: Callable[..., str]) -> None:
    error = refusal(process_doc("<bpmn:documentation>todo</bpmn:documentation>"))
    assert error.message == 'BPMN refused: process "p" has no flow elements'


def test_process_without_id() -> None:
    doc = '<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"><process/></definitions>'
    assert "the process has no id" in refusal(doc).message


# --- unsupported elements ------------------------------------------------------------------

REFUSED_TAGS = [
    "task",
    "serviceTask",
    "sendTask",
    "receiveTask",
    "scriptTask",
    "businessRuleTask",
    "manualTask",
    "callActivity",
    "intermediateCatchEvent",
    "intermediateThrowEvent",
    "eventBasedGateway",
    "complexGateway",
    "transaction",
    "adHocSubProcess",
    "somethingNew",
]


@pytest.mark.parametrize("tag", REFUSED_TAGS)
def test_unsupported_flow_elements_are_named(process_doc: Callable[..., str], tag: str) -> None:
    body = f"""
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="X_1" />
    <bpmn:{tag} id="X_1" />
    <bpmn:sequenceFlow id="f2" sourceRef="X_1" targetRef="end" />
    <bpmn:endEvent id="end" />
    """
    error = refusal(process_doc(body))
    assert error.message == f'BPMN refused: {tag} "X_1" is not supported yet'
    assert error.details == [
        {"element_id": "X_1", "element_type": tag, "message": f'{tag} "X_1" is not supported yet'}
    ]


def test_boundary_event_leads_and_its_path_is_not_reported_unreachable(
    bpmn_file: Callable[[str], bytes],
) -> None:
    error = refusal(bpmn_file("refused-elements.bpmn"))
    assert error.message == (
        'BPMN refused: boundaryEvent "Timer_1" is not supported yet (1 more problem in details)'
    )
    assert [d["element_id"] for d in error.details] == ["Timer_1", "notify"]


@pytest.mark.parametrize(
    ("event", "definition"),
    [
        ("startEvent", "timerEventDefinition"),
        ("startEvent", "messageEventDefinition"),
        ("startEvent", "signalEventDefinition"),
        ("endEvent", "errorEventDefinition"),
        ("endEvent", "messageEventDefinition"),
        ("endEvent", "escalationEventDefinition"),
    ],
)
def test_events_with_definitions_are_refused(
    process_doc: Callable[..., str], event: str, definition: str
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
    error = refusal(process_doc(body))
    assert error.message.startswith(f'BPMN refused: {event} "odd" with {definition} is not supported yet')


def test_event_subprocess_and_multi_instance_subprocess(process_doc: Callable[..., str]) -> None:
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
    assert messages(refusal(process_doc(body))) == [
        'multiInstanceLoopCharacteristics on subProcess "sub" is not supported yet',
        'event subProcess "events" is not supported yet',
    ]


def test_standard_loop_on_user_task(user_task_doc: Callable[..., str]) -> None:
    error = refusal(user_task_doc('jw:approver="starter"', "<bpmn:standardLoopCharacteristics />"))
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
def test_vendor_execution_hooks_are_refused(user_task_doc: Callable[..., str], hook: str, name: str) -> None:
    body = f"<bpmn:extensionElements>{hook}</bpmn:extensionElements>"
    error = refusal(user_task_doc('jw:approver="starter"', body))
    assert error.message == f'BPMN refused: {name} on userTask "task" is not supported yet'


def test_hooks_on_the_process_and_on_flows_are_refused(process_doc: Callable[..., str], chain: str) -> None:
    listener = '<bpmn:extensionElements><camunda:executionListener event="take"/></bpmn:extensionElements>'
    body = listener + chain.replace(
        '<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="task" />',
        f'<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="task">{listener}</bpmn:sequenceFlow>',
    )
    assert messages(refusal(process_doc(body))) == [
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
    process_doc: Callable[..., str], language: str
) -> None:
    condition = f'<bpmn:conditionExpression language="{language}">x</bpmn:conditionExpression>'
    error = refusal(xor_doc(condition, process_doc))
    assert error.message == (
        f'BPMN refused: sequenceFlow "f_yes": condition language "{language}" is not supported yet '
        "(write ${...} expressions)"
    )


def test_document_expression_language_applies_to_conditions(process_doc: Callable[..., str]) -> None:
    doc = xor_doc(
        "<bpmn:conditionExpression>x == 1</bpmn:conditionExpression>",
        process_doc,
        'expressionLanguage="http://groovy.codehaus.org/"',
    )
    assert 'condition language "http://groovy.codehaus.org/" is not supported yet' in refusal(doc).message


def test_document_level_xpath_is_boilerplate(process_doc: Callable[..., str]) -> None:
    xpath = 'expressionLanguage="http://www.w3.org/1999/XPath"'
    good = xor_doc("<bpmn:conditionExpression>${x == 1}</bpmn:conditionExpression>", process_doc, xpath)
    assert parse_bpmn(good).definition.flows["f_yes"].condition is not None
    bad = xor_doc(
        "<bpmn:conditionExpression>bpmn:getDataObject('a')</bpmn:conditionExpression>", process_doc, xpath
    )
    assert "the file declares XPath conditions" in refusal(bad).message


def test_unparsable_condition_names_the_flow_and_quotes_the_error(process_doc: Callable[..., str]) -> None:
    error = refusal(
        xor_doc("<bpmn:conditionExpression>${amount &gt;}</bpmn:conditionExpression>", process_doc)
    )
    assert error.message.startswith(
        'BPMN refused: sequenceFlow "f_yes" has condition "${amount >}" that does not'
    )
    assert error.details[0]["element_id"] == "f_yes"


def test_empty_condition_counts_as_none(process_doc: Callable[..., str]) -> None:
    error = refusal(xor_doc("<bpmn:conditionExpression>  </bpmn:conditionExpression>", process_doc))
    assert error.message == (
        'BPMN refused: sequenceFlow "f_yes" leaves exclusiveGateway "gw" without a condition; '
        "give every outgoing flow but the default one a condition"
    )


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
        (
            '<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="task" />',
            '<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="task">'
            "<bpmn:conditionExpression>${x}</bpmn:conditionExpression></bpmn:sequenceFlow>",
            ['sequenceFlow "f1" leaves startEvent "start" and cannot have a condition'],
        ),
    ],
)
def test_graph_problems_name_the_element(
    process_doc: Callable[..., str], chain: str, old: str, new: str, expected: list[str]
) -> None:
    assert old in chain
    assert messages(refusal(process_doc(chain.replace(old, new, 1)))) == expected


def test_gateway_problems(process_doc: Callable[..., str]) -> None:
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
    assert messages(refusal(process_doc(body))) == [
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


def test_subprocess_scope_problems(process_doc: Callable[..., str]) -> None:
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
    assert messages(refusal(process_doc(body))) == [
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
def test_jw_attribute_typos(user_task_doc: Callable[..., str], attrs: str, expected: str) -> None:
    error = refusal(user_task_doc(attrs))
    assert expected in error.message
    assert error.details[0]["element_id"] == "task"


def test_unknown_process_attribute_and_jw_element(process_doc: Callable[..., str], chain: str) -> None:
    body = "<bpmn:extensionElements><jw:rules/></bpmn:extensionElements>" + chain
    error = refusal(process_doc(body, process_attrs='jw:categroy="x"'))
    assert messages(error) == [
        'process "p" has unknown attribute jw:categroy (known here: jw:admin, jw:category, jw:dedupe, '
        "jw:formKey, jw:resubmit)",
        'process "p" holds unknown element jw:rules (jw extensions are attributes)',
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
    user_task_doc: Callable[..., str], attrs: str, loop: str, expected: str
) -> None:
    body = f"<bpmn:multiInstanceLoopCharacteristics>{loop}</bpmn:multiInstanceLoopCharacteristics>"
    error = refusal(user_task_doc(attrs, body))
    assert error.message.startswith("BPMN refused: " + expected)


def test_every_problem_is_collected(process_doc: Callable[..., str]) -> None:
    body = """
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="a" />
    <bpmn:userTask id="a" />
    <bpmn:sequenceFlow id="f2" sourceRef="a" targetRef="svc" />
    <bpmn:serviceTask id="svc" />
    <bpmn:sequenceFlow id="f3" sourceRef="svc" targetRef="b" />
    <bpmn:userTask id="b" jw:approver="boss" />
    <bpmn:sequenceFlow id="f4" sourceRef="b" targetRef="end" />
    <bpmn:endEvent id="end" />
    """
    error = refusal(process_doc(body))
    assert (
        error.message == 'BPMN refused: serviceTask "svc" is not supported yet (2 more problems in details)'
    )
    assert [d["element_id"] for d in error.details] == ["svc", "a", "b"]


def test_deep_subprocess_nesting_does_not_crash(process_doc: Callable[..., str]) -> None:
    depth = 3000
    body = "".join(f'<bpmn:subProcess id="s{i}">' for i in range(depth)) + "</bpmn:subProcess>" * depth
    with pytest.raises(BpmnError):
        parse_bpmn(process_doc(body))


# --- only BpmnError ever escapes --------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400))
def test_random_bytes_only_raise_bpmn_error(data: bytes) -> None:
    try:
        parse_bpmn(data)
    except BpmnError:
        pass


_TAGS = [
    "process",
    "startEvent",
    "endEvent",
    "userTask",
    "exclusiveGateway",
    "parallelGateway",
    "inclusiveGateway",
    "subProcess",
    "sequenceFlow",
    "conditionExpression",
    "multiInstanceLoopCharacteristics",
    "loopCardinality",
    "completionCondition",
    "terminateEventDefinition",
    "timerEventDefinition",
    "boundaryEvent",
    "extensionElements",
    "potentialOwner",
]
_ATTRS = [
    "id",
    "sourceRef",
    "targetRef",
    "default",
    "jw:approver",
    "camunda:assignee",
    "isExecutable",
    "name",
]
_VALUES = st.sampled_from(["a", "b", "c", "", "true", "user:x", "${x}", "${", "manager:2", "&amp;", "&lt;"])


@st.composite
def _element(draw: st.DrawFn, depth: int = 0) -> str:
    tag = draw(st.sampled_from(_TAGS))
    names = draw(st.lists(st.sampled_from(_ATTRS), max_size=4, unique=True))
    attrs = "".join(f' {name}="{draw(_VALUES)}"' for name in names)
    children = "" if depth > 2 else "".join(draw(st.lists(_element(depth + 1), max_size=4)))
    text = draw(st.sampled_from(["", "${x > 1}", "5", "user(a)", "&#233;"]))
    return f"<bpmn:{tag}{attrs}>{text}{children}</bpmn:{tag}>"


@settings(max_examples=300, deadline=None)
@given(st.lists(_element(), max_size=6))
def test_random_bpmn_fragments_parse_or_raise_bpmn_error(elements: list[str]) -> None:
    ns = (
        'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" xmlns:jw="https://jingwei.dev/schema/bpmn/1.0"'
    )
    doc = f'<bpmn:definitions {ns}><bpmn:process id="p">{"".join(elements)}</bpmn:process></bpmn:definitions>'
    try:
        model = parse_bpmn(doc)
    except BpmnError as error:
        assert "\n" not in error.message
        return
    assert model.definition.start_node in model.definition.nodes


def test_flowable_variable_aggregation_on_a_loop_is_refused(user_task_doc: Callable[..., str]) -> None:
    loop = (
        "<bpmn:multiInstanceLoopCharacteristics><bpmn:extensionElements>"
        '<flowable:variableAggregation target="reviews"/></bpmn:extensionElements>'
        "<bpmn:loopCardinality>2</bpmn:loopCardinality></bpmn:multiInstanceLoopCharacteristics>"
    )
    error = refusal(user_task_doc('jw:approver="starter"', loop))
    assert error.message == 'BPMN refused: flowable:variableAggregation on userTask "task" is not supported yet'
