"""Deploy → export → deploy: the document comes back as bpmn-js wrote it, and stays stable."""

from __future__ import annotations

import codecs
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.bpmn import export_bpmn, parse_bpmn
from engine.bpmn.xml import DECLARATION, normalize

FILES = Path(__file__).parent / "files"
DEPLOYABLE = [
    FILES / "gateways.bpmn",
    FILES / "subprocess.bpmn",
    FILES / "multi-instance.bpmn",
    FILES / "ascii-encoding.bpmn",
    FILES / "collaboration.bpmn",
    Path(__file__).parents[3] / "examples" / "extensions-showcase.bpmn",
]


@pytest.mark.parametrize("path", DEPLOYABLE, ids=lambda p: p.name)
def test_deploy_export_deploy_is_stable(path: Path) -> None:
    first = export_bpmn(parse_bpmn(path.read_bytes()).xml)
    second = export_bpmn(parse_bpmn(first).xml)
    assert second == first
    assert export_bpmn(parse_bpmn(second.encode("utf-8")).xml) == first


@pytest.mark.parametrize("path", DEPLOYABLE, ids=lambda p: p.name)
def test_export_gives_the_same_graph_back(path: Path) -> None:
    original = parse_bpmn(path.read_bytes())
    again = parse_bpmn(export_bpmn(original.xml))
    assert again.key == original.key and again.name == original.name
    assert set(again.definition.nodes) == set(original.definition.nodes)
    assert set(again.definition.flows) == set(original.definition.flows)


def test_export_keeps_diagram_interchange_ids_names_and_prefixes(bpmn_file: Callable[[str], bytes]) -> None:
    exported = export_bpmn(parse_bpmn(bpmn_file("gateways.bpmn")).xml)
    assert exported.startswith(DECLARATION + "\n")
    assert '<bpmndi:BPMNShape id="StartEvent_1_di" bpmnElement="StartEvent_1">' in exported
    assert '<di:waypoint x="188" y="120" />' in exported
    assert 'xmlns:jw="https://jingwei.dev/schema/bpmn/1.0"' in exported
    assert '<bpmn:exclusiveGateway id="Gateway_Amount" name="Amount?" default="Flow_Small" />' in exported
    assert "${amount &gt; 1000}" in exported  # escaping as written, not re-serialized
    assert "<!-- Every supported gateway kind" in exported  # comments stay


def test_export_is_the_original_text_behind_one_declaration(bpmn_file: Callable[[str], bytes]) -> None:
    raw = bpmn_file("gateways.bpmn").decode("utf-8")
    exported = export_bpmn(parse_bpmn(raw).xml)
    body = raw.split("?>", 1)[1].strip()
    assert exported == DECLARATION + "\n" + body + "\n"


def test_processing_instructions_are_removed(bpmn_file: Callable[[str], bytes]) -> None:
    exported = export_bpmn(parse_bpmn(bpmn_file("collaboration.bpmn")).xml)
    assert "xml-stylesheet" not in exported
    assert exported.count("<?") == 1


def test_ascii_document_is_exported_as_utf8_text(bpmn_file: Callable[[str], bytes]) -> None:
    exported = export_bpmn(parse_bpmn(bpmn_file("ascii-encoding.bpmn")).xml)
    assert 'encoding="ASCII"' not in exported
    assert "Cong&#233;" in exported  # character references are kept as written
    assert parse_bpmn(exported.encode("utf-8")).name == "Congé 请假"


def test_bom_is_not_carried_into_the_export(bpmn_file: Callable[[str], bytes]) -> None:
    exported = export_bpmn(parse_bpmn(codecs.BOM_UTF8 + bpmn_file("gateways.bpmn")).xml)
    assert not exported.startswith("\ufeff")
    assert exported == export_bpmn(parse_bpmn(bpmn_file("gateways.bpmn")).xml)


def test_cdata_and_comments_that_look_like_instructions_are_kept() -> None:
    text = "<a><!-- <?not a pi?> --><b><![CDATA[<?also not?>]]></b><?real pi?></a>"
    assert normalize(text) == DECLARATION + "\n<a><!-- <?not a pi?> --><b><![CDATA[<?also not?>]]></b></a>\n"


_PIECES = st.sampled_from(
    [
        "<a>",
        "</a>",
        "text",
        "<!-- c -->",
        "<!-- <?x?> -->",
        "<![CDATA[<?y?>]]>",
        "<?pi data?>",
        '<?xml version="1.0"?>',
        "\n",
        "  ",
        "\ufeff",
        "&amp;",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, max_size=12).map("".join))
def test_normalize_is_idempotent(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once
    assert once.startswith(DECLARATION + "\n")
