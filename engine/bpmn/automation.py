"""Timer events, service/send/business-rule tasks and user-task deadlines, read from BPMN.

Each builder returns a ``Node`` (or decorates one) and reports problems by element; what the
runtime does with them is in ``engine/runtime/timers.py`` and ``engine/runtime/automation_tasks.py``.
"""

from __future__ import annotations

from xml.etree.ElementTree import Element

from engine.bpmn.approvers import parse_approver_text
from engine.bpmn.extensions import jw_attributes, vendor_attributes
from engine.bpmn.namespaces import bpmn_children, local_name, vendor_attribute
from engine.bpmn.problems import Problems, quoted
from engine.connectors.spec import ConnectorCall
from engine.decisions.ref import MAP_RESULTS, DecisionRef
from engine.errors import InvalidInput
from engine.model import (
    BOUNDARY_EVENT,
    BUSINESS_RULE_TASK,
    INTERMEDIATE_CATCH_EVENT,
    SEND_TASK,
    SERVICE_TASK,
    ApproverSpec,
    Node,
)
from engine.runtime.notifications import Notification
from engine.timers.deadline import ACTIONS, Deadline
from engine.timers.iso import parse_duration
from engine.timers.spec import CYCLE, KINDS, TimerSpec, parse_timer

TIMER_DEFINITION = "timerEventDefinition"
EVENT_ATTRIBUTES = frozenset({"calendar"})
SERVICE_ATTRIBUTES = frozenset({"connector", "resultVariable"})
SEND_ATTRIBUTES = frozenset({"notify", "message", "title"})
RULE_ATTRIBUTES = frozenset({"decision", "resultVariable", "mapResult"})
# vendor ways to implement a service task that we cannot run
_VENDOR_IMPLEMENTATIONS = ("class", "delegateExpression", "expression", "type", "topic")


def timer_of(
    element: Element,
    owner: tuple[str, str],
    problems: Problems,
    calendar: str | None = None,
    timezone: str = "UTC",
) -> TimerSpec | None:
    """The ``timerEventDefinition`` under ``element``, checked; None (and a problem) if unusable."""
    element_id, element_type = owner
    definition = next((c for c in bpmn_children(element) if local_name(c) == TIMER_DEFINITION), None)
    if definition is None:
        return None
    values = [(local_name(c), "".join(c.itertext())) for c in bpmn_children(definition)]
    values = [(k, v) for k, v in values if k in KINDS]
    label = f"{element_type} {quoted(element_id)}"
    if len(values) != 1:
        problems.add(
            element_id, element_type, f"{label} needs exactly one of timeDuration, timeDate, timeCycle"
        )
        return None
    tag, text = values[0]
    try:
        return parse_timer(KINDS[tag], text, calendar=calendar, timezone=timezone)
    except InvalidInput as exc:
        problems.add(element_id, element_type, f"{label} has {tag} {text.strip()!r}: {exc.message}")
        return None


def event_definitions(element: Element) -> list[str]:
    return [local_name(c) for c in bpmn_children(element) if local_name(c).endswith("EventDefinition")]


def build_timer_event(
    element: Element, local: str, element_id: str, parent: str | None, problems: Problems
) -> Node | None:
    """A boundaryEvent or intermediateCatchEvent with a timer; None when it is another kind (refused)."""
    kinds = event_definitions(element)
    if kinds != [TIMER_DEFINITION]:
        return None
    ours = jw_attributes(element, EVENT_ATTRIBUTES, local, problems)
    owner = (element_id, local)
    timer = timer_of(element, owner, problems, ours.get("jw:calendar"))
    node = Node(
        id=element_id,
        kind=local,
        name=element.get("name") or "",
        parent=parent,
        timer=timer,
        extensions={**vendor_attributes(element), **ours},
    )
    if local == BOUNDARY_EVENT:
        node.attached_to = (element.get("attachedToRef") or "").strip() or None
        node.cancel_activity = (element.get("cancelActivity") or "true").strip().lower() != "false"
        if node.attached_to is None:
            problems.add(element_id, local, f"boundaryEvent {quoted(element_id)} has no attachedToRef")
        if timer is not None and timer.kind == CYCLE and node.cancel_activity:
            problems.add(
                element_id,
                local,
                f"boundaryEvent {quoted(element_id)} repeats (timeCycle) but "
                'interrupts its activity; a cycle needs cancelActivity="false"',
            )
    elif local != INTERMEDIATE_CATCH_EVENT:  # pragma: no cover - the builder only asks for these two
        return None
    return node


def build_service_task(element: Element, element_id: str, parent: str | None, problems: Problems) -> Node:
    ours = jw_attributes(element, SERVICE_ATTRIBUTES, SERVICE_TASK, problems)
    label = f"serviceTask {quoted(element_id)}"
    for name in _VENDOR_IMPLEMENTATIONS:
        found = vendor_attribute(element, name)
        if found is not None and "jw:connector" not in ours:
            problems.add(
                element_id,
                SERVICE_TASK,
                f"{found[0]} on {label} is not supported yet; "
                'call an HTTP connector with jw:connector="NAME"',
            )
            break
    connector = (ours.get("jw:connector") or "").strip()
    if not connector and not any(vendor_attribute(element, n) for n in _VENDOR_IMPLEMENTATIONS):
        problems.add(element_id, SERVICE_TASK, f'{label} has no connector: set jw:connector="NAME"')
    result = (ours.get("jw:resultVariable") or "").strip() or None
    return Node(
        id=element_id,
        kind=SERVICE_TASK,
        name=element.get("name") or "",
        parent=parent,
        default_flow=(element.get("default") or "").strip() or None,
        automation=ConnectorCall(connector, result),
        extensions={**vendor_attributes(element), **ours},
    )


def build_send_task(element: Element, element_id: str, parent: str | None, problems: Problems) -> Node:
    ours = jw_attributes(element, SEND_ATTRIBUTES, SEND_TASK, problems)
    label = f"sendTask {quoted(element_id)}"
    recipients = ApproverSpec("invalid", None)
    raw = (ours.get("jw:notify") or "").strip()
    if not raw:
        problems.add(element_id, SEND_TASK, f'{label} has no recipients: set jw:notify="role:hr,user:carol"')
    else:
        recipients = parse_approver_text(raw, element, problems, "jw:notify")
    message = ours.get("jw:message") or element.get("name") or element_id
    node = Node(
        id=element_id,
        kind=SEND_TASK,
        name=element.get("name") or "",
        parent=parent,
        default_flow=(element.get("default") or "").strip() or None,
        approver=recipients,
        automation=Notification(message, ours.get("jw:title") or element.get("name") or ""),
        extensions={**vendor_attributes(element), **ours},
    )
    return node


def build_rule_task(element: Element, element_id: str, parent: str | None, problems: Problems) -> Node:
    ours = jw_attributes(element, RULE_ATTRIBUTES, BUSINESS_RULE_TASK, problems)
    label = f"businessRuleTask {quoted(element_id)}"
    vendor_key = vendor_attribute(element, "decisionRef")
    key = (ours.get("jw:decision") or (vendor_key[1] if vendor_key else "")).strip()
    if not key:
        problems.add(element_id, BUSINESS_RULE_TASK, f'{label} has no decision table: set jw:decision="KEY"')
    vendor_result = vendor_attribute(element, "resultVariable")
    result = (ours.get("jw:resultVariable") or (vendor_result[1] if vendor_result else "")).strip()
    vendor_map = vendor_attribute(element, "mapDecisionResult")
    mapping = (ours.get("jw:mapResult") or (vendor_map[1] if vendor_map else "") or "resultList").strip()
    if mapping not in MAP_RESULTS:
        problems.add(
            element_id,
            BUSINESS_RULE_TASK,
            f"{label} maps results as {mapping!r}; use one of {', '.join(MAP_RESULTS)}",
        )
    if not result:
        result = "decisionResult"
    return Node(
        id=element_id,
        kind=BUSINESS_RULE_TASK,
        name=element.get("name") or "",
        parent=parent,
        default_flow=(element.get("default") or "").strip() or None,
        automation=DecisionRef(key, result, mapping),
        extensions={**vendor_attributes(element), **ours},
    )


def add_deadline(node: Node, element: Element, problems: Problems) -> None:
    """``jw:timeout`` and friends on a userTask (kept raw in ``Node.extensions`` by the task builder)."""
    ext = node.extensions
    raw = ext.get("jw:timeout")
    label = f"userTask {quoted(node.id)}"
    if raw is None:
        for name in ("jw:timeoutAction", "jw:remindBefore"):
            if name in ext:
                problems.add(node.id, node.kind, f"{label} has {name} but no jw:timeout")
        return
    text = raw.strip()
    kind = "cycle" if text.startswith("R") else "date" if text[:1].isdigit() else "duration"
    try:
        timer = parse_timer(kind, text, calendar=ext.get("jw:calendar"))
    except InvalidInput as exc:
        problems.add(node.id, node.kind, f"{label} has jw:timeout={raw!r}: {exc.message}")
        return
    action_raw = (ext.get("jw:timeoutAction") or "remind").strip()
    action, _, target = action_raw.partition(":")
    escalate_to: ApproverSpec | None = None
    if action not in ACTIONS or (target and action != "escalate"):
        problems.add(
            node.id,
            node.kind,
            f"{label} has jw:timeoutAction={action_raw!r}; use remind, "
            "escalate, escalate:STRATEGY (approver syntax), approve or reject",
        )
        return
    if target:
        escalate_to = parse_approver_text(target, element, problems, "jw:timeoutAction")
    if kind == "cycle" and action != "remind":
        problems.add(node.id, node.kind, f"{label}: a repeating jw:timeout ({text}) can only remind")
        return
    before = None
    if ext.get("jw:remindBefore"):
        try:
            before = parse_duration(ext["jw:remindBefore"])
        except InvalidInput as exc:
            problems.add(node.id, node.kind, f"{label} has jw:remindBefore: {exc.message}")
            return
    node.automation = Deadline(timer, action, escalate_to, before)


__all__ = [
    "TIMER_DEFINITION",
    "add_deadline",
    "build_rule_task",
    "build_send_task",
    "build_service_task",
    "build_timer_event",
    "event_definitions",
    "timer_of",
]


AUTOMATED = frozenset({BOUNDARY_EVENT, INTERMEDIATE_CATCH_EVENT, SERVICE_TASK, SEND_TASK, BUSINESS_RULE_TASK})


def build_automated(
    element: Element, local: str, element_id: str, parent: str | None, problems: Problems
) -> Node | None:
    """The node for one of ``AUTOMATED``; None for an event that is not a timer (refused by the caller)."""
    if local in (BOUNDARY_EVENT, INTERMEDIATE_CATCH_EVENT):
        return build_timer_event(element, local, element_id, parent, problems)
    if local == SERVICE_TASK:
        return build_service_task(element, element_id, parent, problems)
    if local == SEND_TASK:
        return build_send_task(element, element_id, parent, problems)
    return build_rule_task(element, element_id, parent, problems)
