"""Graph checks at deploy (E2): every problem is collected, each naming its element."""

from __future__ import annotations

from collections import defaultdict
from xml.etree.ElementTree import Element

from engine.bpmn.elements import CHOOSING_GATEWAYS, GATEWAYS
from engine.bpmn.graph import Graph
from engine.bpmn.namespaces import BPMN, BPMN_DI, local_name, split
from engine.bpmn.problems import Problems, quoted
from engine.model import END_EVENT, PARALLEL_GATEWAY, START_EVENT, Node

_ID_NAMESPACES = frozenset({BPMN, BPMN_DI})


def check_duplicate_ids(root: Element, problems: Problems) -> None:
    """BPMN and diagram ids are unique in a file (bpmn-js and our node table rely on it).

    Vendor extension elements are left out: their ``id`` attributes are not XML ids
    (Camunda form properties reuse ``id="description"`` freely).
    """
    seen: dict[str, list[str]] = defaultdict(list)
    for element in root.iter():
        if not isinstance(element.tag, str) or split(element.tag)[0] not in _ID_NAMESPACES:
            continue
        element_id = element.get("id")
        if element_id:
            seen[element_id].append(local_name(element))
    for element_id, kinds in seen.items():
        if len(kinds) > 1:
            names = ", ".join(dict.fromkeys(kinds))
            problems.add(
                element_id, kinds[0], f'id "{element_id}" is used by {len(kinds)} elements ({names})'
            )


def validate(graph: Graph, problems: Problems) -> None:
    """Wire flows into nodes, then check flows, nodes and each scope's reachability."""
    scope = graph.scopes[None]
    if not graph.nodes and not graph.refused and not graph.flows:
        problems.add(scope.element_id, "process", f"process {quoted(scope.element_id)} has no flow elements")
        return
    successors = _wire_flows(graph, problems)
    for node in graph.nodes.values():
        _check_node(graph, node, problems)
    _check_scopes(graph, successors, problems)


def _wire_flows(graph: Graph, problems: Problems) -> dict[str, list[str]]:
    successors: dict[str, list[str]] = defaultdict(list)
    for element_id, refused in graph.refused.items():
        if refused.attached_to and graph.has(refused.attached_to):
            successors[refused.attached_to].append(element_id)
    for node in graph.nodes.values():  # boundary timer events are reached through their activity
        if node.attached_to and graph.has(node.attached_to):
            successors[node.attached_to].append(node.id)
    for entry in graph.flows.values():
        flow = entry.flow
        label = f"sequenceFlow {quoted(flow.id)}"
        broken = False
        for role, ref in (("sourceRef", flow.source), ("targetRef", flow.target)):
            if not ref:
                problems.add(flow.id, "sequenceFlow", f"{label} has no {role}")
                broken = True
            elif not graph.has(ref):
                problems.add(
                    flow.id, "sequenceFlow", f'{label} has {role} "{ref}", which is not in this process'
                )
                broken = True
        if broken:
            continue
        if graph.parent_of(flow.source) != entry.scope or graph.parent_of(flow.target) != entry.scope:
            problems.add(
                flow.id,
                "sequenceFlow",
                f'{label} connects "{flow.source}" to "{flow.target}" across a subProcess boundary',
            )
            continue
        successors[flow.source].append(flow.target)
        if flow.source in graph.nodes:
            graph.nodes[flow.source].outgoing.append(flow.id)
        if flow.target in graph.nodes:
            graph.nodes[flow.target].incoming.append(flow.id)
    return successors


def _check_node(graph: Graph, node: Node, problems: Problems) -> None:
    label = f"{node.kind} {quoted(node.id)}"
    if node.kind == START_EVENT and node.incoming:
        problems.add(
            node.id, node.kind, f"{label} has incoming sequence flows; a start event cannot have any"
        )
    if node.kind == END_EVENT and node.outgoing:
        problems.add(node.id, node.kind, f"{label} has outgoing sequence flows; an end event cannot have any")
    if node.kind != END_EVENT and not node.outgoing:
        if node.kind in GATEWAYS:
            problems.add(node.id, node.kind, f"{label} has no outgoing sequence flow")
        else:
            problems.add(node.id, node.kind, f"{label} has no outgoing sequence flow (dead end)")
    if node.default_flow is not None and node.default_flow not in node.outgoing:
        problems.add(
            node.id,
            node.kind,
            f'{label} names default flow "{node.default_flow}", which is not one of its outgoing flows',
        )
    for flow_id in node.outgoing:
        entry = graph.flows[flow_id]
        if not entry.has_condition:
            continue
        if node.kind == PARALLEL_GATEWAY:
            entry.flow.condition = None  # BPMN: a parallel gateway ignores conditions, so do we
        elif flow_id == node.default_flow:
            problems.add(
                flow_id,
                "sequenceFlow",
                f"sequenceFlow {quoted(flow_id)} is the default flow of "
                f"{label} and cannot also have a condition",
            )
    if node.kind in CHOOSING_GATEWAYS and len(node.outgoing) > 1:
        for flow_id in node.outgoing:
            if flow_id != node.default_flow and not graph.flows[flow_id].has_condition:
                problems.add(
                    flow_id,
                    "sequenceFlow",
                    f"sequenceFlow {quoted(flow_id)} leaves {label} without a condition; give every "
                    "outgoing flow but the default one a condition",
                )


def _check_scopes(graph: Graph, successors: dict[str, list[str]], problems: Problems) -> None:
    members: dict[str | None, list[str]] = defaultdict(list)
    for element_id in [*graph.nodes, *graph.refused]:
        members[graph.parent_of(element_id)].append(element_id)
    for scope_key, scope in graph.scopes.items():
        inside = members.get(scope_key, [])
        starts = [i for i in inside if i in graph.nodes and graph.nodes[i].kind == START_EVENT]
        refused_starts = [i for i in inside if i in graph.refused and graph.refused[i].start_like]
        label = f"{scope.element_type} {quoted(scope.element_id)}"
        if len(starts) > 1:
            problems.add(
                scope.element_id,
                scope.element_type,
                f"{label} has {len(starts)} start events ({', '.join(starts)}); exactly one is supported",
            )
        elif not starts and not refused_starts:
            problems.add(scope.element_id, scope.element_type, f"{label} has no none startEvent")
        elif len(starts) == 1 and scope_key is not None:
            graph.nodes[scope_key].start_node = starts[0]
        origins = starts + refused_starts
        if not origins:
            continue
        reached = _reach(origins, successors)
        for element_id in inside:
            if element_id in graph.nodes and element_id not in reached:
                kind = graph.nodes[element_id].kind
                problems.add(
                    element_id, kind, f"{kind} {quoted(element_id)} cannot be reached from the start event"
                )


def _reach(origins: list[str], successors: dict[str, list[str]]) -> set[str]:
    seen = set(origins)
    stack = list(origins)
    while stack:
        for nxt in successors.get(stack.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return seen


__all__ = ["check_duplicate_ids", "validate"]
