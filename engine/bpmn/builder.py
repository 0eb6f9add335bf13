"""Walk a ``process`` element (and its subProcesses) into a ``Graph``, collecting problems."""

from __future__ import annotations

from xml.etree.ElementTree import Element

from engine.bpmn.automation import AUTOMATED, TIMER_DEFINITION, add_deadline, build_automated, timer_of
from engine.bpmn.conditions import parse_condition
from engine.bpmn.elements import (
    EXECUTABLE_NODES,
    IGNORED_IN_SCOPE,
    LOOP_CHARACTERISTICS,
    SEQUENCE_FLOW,
    TERMINATE,
    is_event_definition,
)
from engine.bpmn.extensions import check_hooks, jw_attributes, vendor_attributes
from engine.bpmn.graph import FlowEntry, Graph, Refused, Scope
from engine.bpmn.namespaces import BPMN, JINGWEI, bpmn_children, local_name, split, vendor_attribute
from engine.bpmn.problems import Problems, quoted
from engine.bpmn.tasks import build_user_task
from engine.model import END_EVENT, START_EVENT, SUB_PROCESS, USER_TASK, Node, SequenceFlow

_NOTHING: frozenset[str] = frozenset()


class Builder:
    """Reads elements; graph-level checks are left to ``validation``."""

    def __init__(self, problems: Problems, default_language: str | None) -> None:
        self.problems = problems
        self.default_language = default_language
        self.graph = Graph()

    def build(self, process: Element, process_id: str) -> Graph:
        check_hooks(process, "process", self.problems)
        self.graph.scopes[None] = Scope(process_id, "process")
        self._walk(process, None)
        return self.graph

    def _walk(self, container: Element, parent: str | None) -> None:
        for child in container:
            if not isinstance(child.tag, str):
                continue
            uri, local = split(child.tag)
            if uri == JINGWEI:
                self._report(container.get("id"), local_name(container), f"unknown element jw:{local}")
            if uri != BPMN or local in IGNORED_IN_SCOPE or local in LOOP_CHARACTERISTICS:
                continue  # loop characteristics of a subProcess are checked in _sub_process
            if local == SEQUENCE_FLOW:
                self._flow(child, parent)
                continue
            element_id = (child.get("id") or "").strip()
            if not element_id:
                self.problems.add(None, local, f"a {local} has no id")
            elif local in EXECUTABLE_NODES:
                self._node(child, local, element_id, parent)
            else:
                self._refuse(child, local, element_id, parent)

    def _report(self, element_id: str | None, element_type: str, message: str) -> None:
        self.problems.add(element_id, element_type, f"{element_type} {quoted(element_id)}: {message}")

    def _refuse(
        self, element: Element, local: str, element_id: str, parent: str | None, what: str = ""
    ) -> None:
        label = what or f"{local} {quoted(element_id)}"
        self.problems.add(element_id, local, f"{label} is not supported yet")
        self.graph.refused[element_id] = Refused(
            kind=local,
            parent=parent,
            attached_to=(element.get("attachedToRef") or "").strip() or None,
            start_like=local == START_EVENT,
        )

    def _node(self, element: Element, local: str, element_id: str, parent: str | None) -> None:
        definitions = [local_name(c) for c in bpmn_children(element) if is_event_definition(local_name(c))]
        if local in AUTOMATED:
            check_hooks(element, local, self.problems)
            node = build_automated(element, local, element_id, parent, self.problems)
            if node is None:
                what = f"{local} {quoted(element_id)} with {definitions[0] if definitions else 'no timer'}"
                return self._refuse(element, local, element_id, parent, what)
            self.graph.nodes[element_id] = node
            return None
        timer_start = local == START_EVENT and definitions == [TIMER_DEFINITION] and parent is None
        if local == START_EVENT and definitions and not timer_start:
            what = f"{local} {quoted(element_id)} with {definitions[0]}"
            return self._refuse(element, local, element_id, parent, what)
        if local == END_EVENT and definitions and definitions != [TERMINATE]:
            other = next(d for d in definitions if d != TERMINATE)
            return self._refuse(
                element, local, element_id, parent, f"{local} {quoted(element_id)} with {other}"
            )
        if local == SUB_PROCESS and (element.get("triggeredByEvent") or "").strip().lower() == "true":
            return self._refuse(element, local, element_id, parent, f"event subProcess {quoted(element_id)}")

        check_hooks(element, local, self.problems)
        if local == USER_TASK:
            node = build_user_task(element, element_id, parent, self.problems)
            add_deadline(node, element, self.problems)
        else:
            jw_attributes(element, _NOTHING, local, self.problems)
            node = Node(
                id=element_id,
                kind=local,
                name=element.get("name") or "",
                parent=parent,
                default_flow=(element.get("default") or "").strip() or None,
                terminate=local == END_EVENT and bool(definitions),
                extensions=vendor_attributes(element),
            )
            if local == START_EVENT:
                form = vendor_attribute(element, "formKey")
                node.form_key = form[1] if form and form[1] else None
                if timer_start:  # a scheduled start (engine/timers/schedule.py)
                    node.timer = timer_of(element, (element_id, local), self.problems)
        self.graph.nodes[element_id] = node
        if local == SUB_PROCESS:
            self._sub_process(element, element_id)

    def _sub_process(self, element: Element, element_id: str) -> None:
        for loop in bpmn_children(element):
            kind = local_name(loop)
            if kind.endswith("LoopCharacteristics"):
                self.problems.add(
                    element_id, SUB_PROCESS, f"{kind} on subProcess {quoted(element_id)} is not supported yet"
                )
        self.graph.scopes[element_id] = Scope(element_id, SUB_PROCESS)
        self._walk(element, element_id)

    def _flow(self, element: Element, scope: str | None) -> None:
        flow_id = (element.get("id") or "").strip()
        source = (element.get("sourceRef") or "").strip()
        target = (element.get("targetRef") or "").strip()
        if not flow_id:
            self.problems.add(None, SEQUENCE_FLOW, f'a sequenceFlow from "{source}" to "{target}" has no id')
            # still wired under a stand-in id, so its ends are not also reported as dead or unreachable
            flow_id = f"(no id: {source} → {target} #{len(self.graph.flows)})"
        check_hooks(element, SEQUENCE_FLOW, self.problems)
        jw_attributes(element, _NOTHING, SEQUENCE_FLOW, self.problems)
        condition, written = parse_condition(element, self.default_language, self.problems)
        flow = SequenceFlow(
            id=flow_id,
            source=source,
            target=target,
            name=element.get("name") or "",
            condition=condition,
        )
        self.graph.flows[flow_id] = FlowEntry(flow=flow, scope=scope, has_condition=written)


__all__ = ["Builder"]
