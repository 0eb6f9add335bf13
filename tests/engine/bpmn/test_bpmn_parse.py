"""parse_bpmn on documents that deploy: the compiled graph has what the XML says."""

from __future__ import annotations

import codecs
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from engine.bpmn import DeployedModel, parse_bpmn
from engine.bpmn.extensions import PROCESS_RESERVED, TASK_EXECUTED, TASK_RESERVED
from engine.model import (
    END_EVENT,
    EXCLUSIVE_GATEWAY,
    INCLUSIVE_GATEWAY,
    PARALLEL_GATEWAY,
    START_EVENT,
    SUB_PROCESS,
    USER_TASK,
)

SHOWCASE = Path(__file__).parents[3] / "examples" / "extensions-showcase.bpmn"


@pytest.fixture
def purchase(bpmn_file: Callable[[str], bytes]) -> DeployedModel:
    return parse_bpmn(bpmn_file("gateways.bpmn"))


def test_gateways_file_deploys_under_its_process_id(purchase: DeployedModel) -> None:
    assert purchase.key == "purchase"
    assert purchase.name == "Purchase request"
    assert purchase.definition.key == "purchase"
    assert purchase.definition.start_node == "StartEvent_1"


def test_every_supported_gateway_kind_is_compiled(purchase: DeployedModel) -> None:
    kinds = {node.id: node.kind for node in purchase.definition.nodes.values()}
    assert kinds["Gateway_Amount"] == EXCLUSIVE_GATEWAY
    assert kinds["Gateway_Fork"] == kinds["Gateway_Join"] == PARALLEL_GATEWAY
    assert kinds["Gateway_Notify"] == kinds["Gateway_NotifyJoin"] == INCLUSIVE_GATEWAY
    assert kinds["StartEvent_1"] == START_EVENT
    assert kinds["EndEvent_1"] == END_EVENT
    assert purchase.definition.nodes["Gateway_Amount"].default_flow == "Flow_Small"
    assert purchase.definition.nodes["Gateway_Notify"].default_flow == "Flow_Nobody"


def test_flows_are_wired_into_incoming_and_outgoing(purchase: DeployedModel) -> None:
    nodes = purchase.definition.nodes
    assert nodes["Gateway_Fork"].outgoing == ["Flow_7", "Flow_8"]
    assert nodes["Gateway_Join"].incoming == ["Flow_9", "Flow_10"]
    assert nodes["StartEvent_1"].incoming == []
    assert nodes["EndEvent_1"].outgoing == []
    assert purchase.definition.flows["Flow_Large"].name == "over 1000"


def test_conditions_are_compiled_and_unescaped(purchase: DeployedModel) -> None:
    flows = purchase.definition.flows
    large = flows["Flow_Large"].condition
    assert large is not None
    assert ">" in large.source
    assert large.evaluate({"amount": 2000}) is True
    assert large.evaluate({"amount": 10}) is False
    assert flows["Flow_It"].condition is not None  # #{...} with language="juel"
    assert flows["Flow_Small"].condition is None


def test_approvers_from_jw_and_camunda_attributes(purchase: DeployedModel) -> None:
    nodes = purchase.definition.nodes
    assert (nodes["Task_Director"].approver.strategy, nodes["Task_Director"].approver.arg) == (
        "role",
        ["finance-director"],
    )
    assert (nodes["Task_Manager"].approver.strategy, nodes["Task_Manager"].approver.arg) == ("manager", 1)
    assert (nodes["Task_Finance"].approver.strategy, nodes["Task_Finance"].approver.arg) == (
        "role",
        ["accounting", "treasury"],
    )
    assert nodes["Task_Finance"].extensions["camunda:candidateGroups"] == "accounting, treasury"
    assert (nodes["Task_Legal"].approver.strategy, nodes["Task_Legal"].approver.arg) == ("user", ["kermit"])
    assert (nodes["Task_Hr"].approver.strategy, nodes["Task_Hr"].approver.arg) == ("dept_head", None)
    assert nodes["Task_It"].approver.arg == ["alice", "bob"]


def test_start_form_key_and_process_extensions(purchase: DeployedModel) -> None:
    assert purchase.definition.nodes["StartEvent_1"].form_key == "purchase-form"
    assert purchase.definition.extensions == {"jw:category": "procurement"}


def test_reachability_index_is_computed(purchase: DeployedModel) -> None:
    reach = purchase.definition.reachable_from
    assert "Task_Hr" in reach["Gateway_NotifyJoin"]
    assert "EndEvent_1" not in reach["Gateway_NotifyJoin"]
    assert "Task_Hr" not in reach  # computed only for joining inclusive gateways


def test_subprocess_children_point_to_their_parent(bpmn_file: Callable[[str], bytes]) -> None:
    model = parse_bpmn(bpmn_file("subprocess.bpmn"))
    nodes = model.definition.nodes
    assert nodes["prepare"].kind == SUB_PROCESS
    assert nodes["prepare"].start_node == "prepare_start"
    assert {n.id for n in nodes.values() if n.parent == "prepare"} == {
        "prepare_start",
        "laptop",
        "prepare_end",
    }
    assert nodes["welcome"].parent is None
    assert {"f2", "f3"} <= set(model.definition.flows)


def test_single_non_executable_process_is_deployed_and_named_by_id(
    bpmn_file: Callable[[str], bytes],
) -> None:
    model = parse_bpmn(bpmn_file("subprocess.bpmn"))
    assert model.key == model.name == "onboarding"
    assert model.definition.nodes["stop"].terminate is True
    assert model.definition.nodes["prepare_end"].terminate is False
    assert model.definition.nodes["welcome"].on_reject == "continue"
    assert "note" not in model.definition.nodes  # artifacts are ignored


def test_multi_instance_variants(bpmn_file: Callable[[str], bytes]) -> None:
    nodes = parse_bpmn(bpmn_file("multi-instance.bpmn")).definition.nodes
    vote = nodes["vote"].multi_instance
    assert vote is not None and not vote.sequential
    assert vote.collection is not None and vote.element_variable == "member"
    assert vote.completion_condition is not None
    assert vote.completion_condition.evaluate({"nrOfCompletedInstances": 3, "nrOfInstances": 5}) is True
    assert nodes["vote"].name == "Vote ${loopCounter}"
    assert nodes["vote"].approver.strategy == "expression"

    review = nodes["review"].multi_instance
    assert review is not None and review.sequential
    assert review.cardinality is not None and review.cardinality.evaluate({}) == 3
    assert nodes["review"].approver.arg == ["ann", "ben"]  # flowable:candidateUsers

    sign = nodes["sign"].multi_instance
    assert sign is not None and sign.cardinality is None and sign.collection is None
    assert (nodes["sign"].approver.strategy, nodes["sign"].approver.arg) == ("user", ["gonzo", "kermit"])
    assert nodes["sign"].extensions["potentialOwner"] == "user(gonzo), user(kermit)"

    archive = nodes["archive"].multi_instance
    assert archive is not None and archive.element_variable == "copy"
    assert archive.collection is not None and archive.collection.evaluate({"copies": [1, 2]}) == [1, 2]


def test_ascii_declared_file_with_character_references(bpmn_file: Callable[[str], bytes]) -> None:
    model = parse_bpmn(bpmn_file("ascii-encoding.bpmn"))
    assert model.name == "Congé 请假"
    assert model.definition.nodes["approve"].approver.arg == 2


def test_utf8_bom_and_str_input_parse_alike(bpmn_file: Callable[[str], bytes]) -> None:
    raw = bpmn_file("gateways.bpmn")
    plain = parse_bpmn(raw)
    with_bom = parse_bpmn(codecs.BOM_UTF8 + raw)
    as_text = parse_bpmn(raw.decode("utf-8"))
    assert set(with_bom.definition.nodes) == set(plain.definition.nodes) == set(as_text.definition.nodes)
    assert with_bom.xml == plain.xml == as_text.xml


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_files_parse_with_or_without_bom(bpmn_file: Callable[[str], bytes], codec: str) -> None:
    text = bpmn_file("ascii-encoding.bpmn").decode("ascii").replace('encoding="ASCII"', 'encoding="UTF-16"')
    model = parse_bpmn(text.encode(codec))
    assert model.name == "Congé 请假"
    assert model.xml == parse_bpmn(bpmn_file("ascii-encoding.bpmn")).xml


def test_collaboration_deploys_the_executable_pool(bpmn_file: Callable[[str], bytes]) -> None:
    model = parse_bpmn(bpmn_file("collaboration.bpmn"))
    assert model.key == "shop"
    assert model.name == "Shop orders"  # from the participant: the process has no name
    nodes = model.definition.nodes
    assert nodes["s_start"].form_key == "order-form"
    assert nodes["s_check"].form_key == "check-form"
    assert (nodes["s_check"].approver.strategy, nodes["s_check"].approver.arg) == ("role", ["sales"])


@pytest.mark.parametrize("prefix", ["bpmn", "bpmn2", "semantic", "model", ""])
def test_bpmn_elements_match_by_namespace_not_prefix(prefix: str) -> None:
    qualify = f"{prefix}:" if prefix else ""
    declare = f"xmlns{':' + prefix if prefix else ''}"
    doc = (
        f'<{qualify}definitions {declare}="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        f'xmlns:jw="https://jingwei.dev/schema/bpmn/1.0">'
        f'<{qualify}process id="p">'
        f'<{qualify}startEvent id="s"/>'
        f'<{qualify}sequenceFlow id="a" sourceRef="s" targetRef="t"/>'
        f'<{qualify}userTask id="t" jw:approver="user:u"/>'
        f'<{qualify}sequenceFlow id="b" sourceRef="t" targetRef="e"/>'
        f'<{qualify}endEvent id="e"/>'
        f"</{qualify}process></{qualify}definitions>"
    )
    assert set(parse_bpmn(doc).definition.nodes) == {"s", "t", "e"}


def test_jw_attributes_are_mapped_and_kept_raw(user_task_doc: Callable[..., str]) -> None:
    doc = user_task_doc(
        'jw:approver="field:form.reviewer" jw:onReject="continue" jw:emptyApprover="pass" '
        'jw:approvalMode="countersign" jw:timeout="P2D" jw:formKey="review" camunda:formKey="ignored"'
    )
    task = parse_bpmn(doc).definition.nodes["task"]
    assert (task.approver.strategy, task.approver.arg) == ("field", "form.reviewer")
    assert task.on_reject == "continue" and task.empty_approver == "pass"
    assert task.form_key == "review"
    assert task.extensions["jw:approvalMode"] == "countersign"
    assert task.approval is not None and task.approval.kind == "countersign"
    assert task.multi_instance is not None and not task.multi_instance.sequential
    assert task.extensions["jw:timeout"] == "P2D"
    assert task.extensions["camunda:formKey"] == "ignored"


def test_defaults_for_on_reject_and_empty_approver(user_task_doc: Callable[..., str]) -> None:
    task = parse_bpmn(user_task_doc('camunda:formKey="f"  camunda:assignee="a"')).definition.nodes["task"]
    assert (task.on_reject, task.empty_approver, task.form_key) == ("end", "fail", "f")


def test_task_without_approver_is_fine_when_empty_approver_passes(user_task_doc: Callable[..., str]) -> None:
    task = parse_bpmn(user_task_doc('jw:emptyApprover="admin"')).definition.nodes["task"]
    assert task.approver.strategy == "none"


def test_ignored_elements_and_extension_content_are_accepted(process_doc: Callable[..., str]) -> None:
    body = """
    <bpmn:extensionElements><camunda:properties><camunda:property name="a" value="b"/></camunda:properties>
    </bpmn:extensionElements>
    <bpmn:laneSet id="ls"><bpmn:lane id="l1"/></bpmn:laneSet>
    <bpmn:startEvent id="start"><bpmn:documentation>hi</bpmn:documentation></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="task" />
    <bpmn:userTask id="task" camunda:assignee="a">
      <bpmn:extensionElements><camunda:formData><camunda:formField id="x" type="string"/></camunda:formData>
      </bpmn:extensionElements>
      <bpmn:ioSpecification id="io"/>
      <bpmn:dataInputAssociation id="dia"/>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="task" targetRef="end" />
    <bpmn:endEvent id="end" />
    <bpmn:group id="g1"/><bpmn:dataStoreReference id="ds"/><bpmn:property id="prop"/>
    """
    assert set(parse_bpmn(process_doc(body)).definition.nodes) == {"start", "task", "end"}


def test_showcase_example_deploys_and_uses_every_jw_attribute() -> None:
    model = parse_bpmn(SHOWCASE.read_bytes())
    used = set(model.definition.extensions)
    for node in model.definition.nodes.values():
        used |= {key for key in node.extensions if key.startswith("jw:")}
    expected = {"jw:" + name for name in TASK_EXECUTED | TASK_RESERVED | PROCESS_RESERVED}
    assert expected <= used
    strategies = {
        node.approver.strategy for node in model.definition.nodes.values() if node.kind == USER_TASK
    }
    assert strategies == {"user", "role", "dept_head", "manager", "starter", "field", "expression"}
    assert model.definition.nodes["Task_Confirm"].form_key == "receipt-confirmation"


def test_a_hundred_node_file_parses_in_a_few_milliseconds(process_doc: Callable[..., str]) -> None:
    parts = ['<bpmn:startEvent id="n0" />']
    for i in range(1, 99):
        parts.append(f'<bpmn:userTask id="n{i}" name="Step {i}" jw:approver="user:u{i}" />')
    parts.append('<bpmn:endEvent id="n99" />')
    for i in range(99):
        parts.append(f'<bpmn:sequenceFlow id="f{i}" sourceRef="n{i}" targetRef="n{i + 1}" />')
    doc = process_doc("".join(parts)).encode()
    parse_bpmn(doc)  # warm-up
    began = time.perf_counter()
    model = parse_bpmn(doc)
    elapsed = time.perf_counter() - began
    assert len(model.definition.nodes) == 100
    assert elapsed < 0.25, f"{elapsed * 1000:.1f} ms"
