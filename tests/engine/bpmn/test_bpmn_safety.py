"""Document-level refusals: XML attacks, size, malformed input, which process; only BpmnError escapes."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.bpmn import MAX_BYTES, parse_bpmn
from engine.errors import BpmnError

Refuse = Callable[[bytes | str], BpmnError]  # the ``refused`` fixture: parse, expect BpmnError, check it

# --- document-level safety -----------------------------------------------------------------


def test_billion_laughs_is_refused(bpmn_file: Callable[[str], bytes], refused: Refuse) -> None:
    error = refused(bpmn_file("billion-laughs.bpmn"))
    assert error.message == "BPMN refused: DTDs and entity declarations are not allowed"


@pytest.mark.parametrize(
    "doc",
    [
        '<?xml version="1.0"?><!DOCTYPE definitions><definitions/>',
        '<!DOCTYPE d [<!ENTITY e SYSTEM "file:///etc/passwd">]><d>&e;</d>',
        '<!DOCTYPE d SYSTEM "http://example.com/x.dtd"><d/>',
    ],
)
def test_any_doctype_is_refused(doc: str, refused: Refuse) -> None:
    assert refused(doc.encode()).message == "BPMN refused: DTDs and entity declarations are not allowed"


def test_malformed_xml_names_line_and_column(bpmn_file: Callable[[str], bytes], refused: Refuse) -> None:
    error = refused(bpmn_file("malformed.bpmn"))
    assert "not well-formed XML" in error.message
    assert "mismatched tag at line 5, column" in error.message


@pytest.mark.parametrize("source", [b"", b"   \n", ""])
def test_empty_input_is_refused(source: bytes | str, refused: Refuse) -> None:
    assert refused(source).message == "BPMN refused: the file is empty"


def test_oversize_bytes_are_refused_with_the_limit(
    chain: str, process_doc: Callable[..., str], refused: Refuse
) -> None:
    padding = "<!--" + "x" * MAX_BYTES + "-->"
    error = refused((process_doc(chain) + padding).encode())
    assert "the limit is 5 MiB" in error.message


def test_oversize_str_is_refused_before_encoding(refused: Refuse) -> None:
    assert "the limit is 5 MiB" in refused("<" * (MAX_BYTES + 1)).message


def test_unknown_declared_encoding_is_refused(refused: Refuse) -> None:
    error = refused(b'<?xml version="1.0" encoding="klingon"?><definitions/>')
    assert "encoding" in error.message


def test_wrong_argument_type_is_a_bpmn_error(refused: Refuse) -> None:
    assert "expected the XML as bytes or str" in refused(42).message  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("doc", "words"),
    [
        ("<html/>", "the root element <html> is not a BPMN 2.0 <definitions> element"),
        ('<definitions xmlns="http://schema.omg.org/spec/BPMN/2.0"/>', "BPMN 2.0 files use"),
        ('<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"/>', "holds no process"),
    ],
)
def test_documents_that_are_not_bpmn(doc: str, words: str, refused: Refuse) -> None:
    assert words in refused(doc).message


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


def test_several_processes_none_executable(chain: str, refused: Refuse) -> None:
    error = refused(two_processes("", 'isExecutable="false"', chain))
    assert error.message == (
        'BPMN refused: the file holds 2 processes (a, b); mark exactly one isExecutable="true"'
    )


def test_several_processes_several_executable(chain: str, refused: Refuse) -> None:
    error = refused(two_processes('isExecutable="true"', 'isExecutable="true"', chain))
    assert '2 are marked isExecutable="true" (a, b)' in error.message


def test_the_one_executable_process_is_taken(chain: str) -> None:
    assert parse_bpmn(two_processes("", 'isExecutable="true"', chain)).key == "b"


def test_process_without_flow_elements(process_doc: Callable[..., str], refused: Refuse) -> None:
    error = refused(process_doc("<bpmn:documentation>todo</bpmn:documentation>"))
    assert error.message == 'BPMN refused: process "p" has no flow elements'


def test_process_without_id(refused: Refuse) -> None:
    doc = '<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"><process/></definitions>'
    assert "the process has no id" in refused(doc).message


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


_TEXTS = st.sampled_from(["", "${x > 1}", "5", "user(a)", "&#233;"])


def _elements(children: st.SearchStrategy[list[str]]) -> st.SearchStrategy[str]:
    """One random BPMN-ish element; strategies are built once per depth (hypothesis caches them)."""

    @st.composite
    def element(draw: st.DrawFn) -> str:
        tag = draw(st.sampled_from(_TAGS))
        names = draw(st.lists(st.sampled_from(_ATTRS), max_size=4, unique=True))
        attrs = "".join(f' {name}="{draw(_VALUES)}"' for name in names)
        inner = draw(_TEXTS) + "".join(draw(children))
        return f"<bpmn:{tag}{attrs}>{inner}</bpmn:{tag}>"

    return element()


_LEAF = _elements(st.just([]))
_BRANCH = _elements(st.lists(_LEAF, max_size=3))
_TREE = _elements(st.lists(_BRANCH, max_size=3))


@settings(max_examples=200, deadline=None)
@given(st.lists(_TREE, max_size=5))
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
