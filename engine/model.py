"""The compiled process graph: what the BPMN parser produces and the runtime walks.

Parsed once per definition version and cached; the hot path never touches XML.
Everything here is immutable after ``ProcessDefinition.finish()``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol


class CompiledExpression(Protocol):
    """What ``engine.expressions.compile_expression`` returns."""

    source: str

    def evaluate(self, variables: Mapping[str, Any]) -> Any: ...


# Element kinds the runtime executes (BPMN local tag names).
START_EVENT = "startEvent"
END_EVENT = "endEvent"
USER_TASK = "userTask"
EXCLUSIVE_GATEWAY = "exclusiveGateway"
PARALLEL_GATEWAY = "parallelGateway"
INCLUSIVE_GATEWAY = "inclusiveGateway"
SUB_PROCESS = "subProcess"
# automation (engine/runtime/timers.py, engine/runtime/automation_tasks.py)
BOUNDARY_EVENT = "boundaryEvent"
INTERMEDIATE_CATCH_EVENT = "intermediateCatchEvent"
SERVICE_TASK = "serviceTask"
SEND_TASK = "sendTask"
BUSINESS_RULE_TASK = "businessRuleTask"


@dataclass(slots=True)
class SequenceFlow:
    id: str
    source: str
    target: str
    name: str = ""
    condition: CompiledExpression | None = None


@dataclass(slots=True)
class MultiInstance:
    """``multiInstanceLoopCharacteristics`` on a user task.

    Exactly one of ``cardinality`` / ``collection`` is set, unless the node's approver
    strategy yields the list of users itself (then both are None and each resolved
    approver gets one instance).
    """

    sequential: bool = False
    cardinality: CompiledExpression | None = None
    collection: CompiledExpression | None = None  # evaluates to a list
    element_variable: str | None = None
    completion_condition: CompiledExpression | None = None


@dataclass(slots=True)
class ApproverSpec:
    """How a user task finds its people (see ``docs/bpmn-extensions.md``).

    ``strategy`` is one of: ``user``, ``role``, ``dept_head``, ``manager``, ``starter``,
    ``field``, ``expression``, ``none`` (no approver configured).
    ``arg`` is the strategy's argument: user ids (list), role ids (list), a level (int),
    a field name, or a compiled expression.
    """

    strategy: str = "none"
    arg: Any = None


@dataclass(frozen=True, slots=True)
class ApprovalMode:
    """``jw:approvalMode``: how the several approvers of one user task decide.

    ``kind`` is ``countersign`` (all approve; one rejection decides unless ``wait_all``),
    ``or`` (the first answer decides), ``sequential`` (one after another, all approve) or
    ``vote`` (approved once ``percent`` of the approvers approve).
    """

    kind: str
    percent: int = 100
    wait_all: bool = False


@dataclass(slots=True)
class Node:
    id: str
    kind: str
    name: str = ""
    parent: str | None = None  # id of the enclosing subProcess, None at process level
    incoming: list[str] = field(default_factory=list)  # flow ids
    outgoing: list[str] = field(default_factory=list)  # flow ids
    default_flow: str | None = None  # gateways (and tasks) with a default flow
    # endEvent
    terminate: bool = False
    # userTask
    approver: ApproverSpec = field(default_factory=ApproverSpec)
    multi_instance: MultiInstance | None = None
    form_key: str | None = None
    on_reject: str = "end"  # "end": the instance ends as rejected; "continue": approved=false flows on
    empty_approver: str = "fail"  # "fail" | "pass" | "admin" | "reject"
    # approval operations (see docs/approval-operations.md); parsed from jw: attributes
    approval: ApprovalMode | None = None  # jw:approvalMode; implies multi-instance
    dedupe: frozenset[str] = frozenset()  # jw:dedupe (task, else process): "starter", "adjacent", "anywhere"
    resubmit: str = "restart"  # jw:resubmit (task, else process): "restart" | "resume"
    return_to: tuple[str, ...] = ("any",)  # jw:returnTo: "previous", "starter", "any", node ids
    cc: tuple[ApproverSpec, ...] = ()  # jw:cc: copied when the node is approved
    field_permissions: dict[str, str] = field(default_factory=dict)  # jw:fieldPermissions
    # our own extension attributes (jw:*) and vendor ones we keep for later issues, raw strings
    extensions: dict[str, str] = field(default_factory=dict)
    # subProcess: the id of its none start event
    start_node: str | None = None
    # timers and automation (docs/automation.md): a TimerSpec on timer events; on an activity its
    # boundary events and a NodeAutomation (timeout, connector, decision, notification)
    timer: Any = None
    attached_to: str | None = None  # boundaryEvent: the activity it sits on
    cancel_activity: bool = True  # boundaryEvent: interrupting unless cancelActivity="false"
    boundaries: list[str] = field(default_factory=list)
    automation: Any = None


@dataclass(slots=True)
class ProcessDefinition:
    key: str  # the BPMN process id
    name: str
    nodes: dict[str, Node]
    flows: dict[str, SequenceFlow]
    start_node: str  # the process-level none start event
    extensions: dict[str, str] = field(default_factory=dict)  # process-level jw:* attributes
    # for each joining inclusive gateway: the nodes from which it can be reached
    reachable_from: dict[str, frozenset[str]] = field(default_factory=dict)
    rules: Any = None  # a RuleSet (engine/rules) from <jw:rules>, None when the process has none
    schedule: Any = None  # a ScheduleSpec (engine/timers) for scheduled starts, None when unscheduled

    def finish(self) -> ProcessDefinition:
        """Compute derived indexes; call once after building.

        ``reachable_from`` is needed only by joining inclusive gateways, so it is computed
        for those alone (a reverse search from each), keeping big definitions cheap.
        """
        predecessors: dict[str, set[str]] = {n: set() for n in self.nodes}
        for flow in self.flows.values():
            predecessors[flow.target].add(flow.source)
        for node in self.nodes.values():
            if node.attached_to is not None:  # a boundary event is reached through its activity
                predecessors[node.id].add(node.attached_to)
            if node.kind == SUB_PROCESS:
                # a token inside the subprocess can still reach whatever follows the subprocess
                inner = [n.id for n in self.nodes.values() if n.parent == node.id]
                for flow_id in node.outgoing:
                    predecessors[self.flows[flow_id].target].update(inner)
        reach: dict[str, frozenset[str]] = {}
        for node in self.nodes.values():
            if node.kind != INCLUSIVE_GATEWAY or len(node.incoming) < 2:
                continue
            seen: set[str] = set()
            stack = list(predecessors[node.id])
            while stack:
                prev = stack.pop()
                if prev in seen:
                    continue
                seen.add(prev)
                stack.extend(predecessors[prev])
            reach[node.id] = frozenset(seen)
        self.reachable_from = reach
        return self

    def outgoing(self, node: Node) -> list[SequenceFlow]:
        return [self.flows[f] for f in node.outgoing]


__all__ = [
    "BOUNDARY_EVENT",
    "BUSINESS_RULE_TASK",
    "END_EVENT",
    "EXCLUSIVE_GATEWAY",
    "INCLUSIVE_GATEWAY",
    "INTERMEDIATE_CATCH_EVENT",
    "PARALLEL_GATEWAY",
    "SEND_TASK",
    "SERVICE_TASK",
    "START_EVENT",
    "SUB_PROCESS",
    "USER_TASK",
    "ApprovalMode",
    "ApproverSpec",
    "CompiledExpression",
    "MultiInstance",
    "Node",
    "ProcessDefinition",
    "SequenceFlow",
]
