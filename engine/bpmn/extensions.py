"""Our ``jw:`` attributes and the vendor extension elements that must not be ignored."""

from __future__ import annotations

from xml.etree.ElementTree import Element

from engine.bpmn.elements import is_execution_hook
from engine.bpmn.namespaces import (
    JINGWEI,
    PREFIXES,
    VENDORS,
    display_name,
    is_bpmn,
    local_name,
    qualified_attributes,
    split,
)
from engine.bpmn.problems import Problems, quoted

# userTask attributes the parser turns into Node fields.
TASK_EXECUTED = frozenset(
    {
        "approver",
        "onReject",
        "emptyApprover",
        "formKey",
        "approvalMode",
        "dedupe",
        "cc",
        "fieldPermissions",
        "returnTo",
        "resubmit",
    }
)
# userTask attributes kept raw in Node.extensions until the timers issue lands.
# (the timer attributes are read from there by engine/bpmn/automation.py)
TASK_RESERVED = frozenset({"timeout", "timeoutAction", "remindBefore", "calendar"})
# process attributes, kept raw in ProcessDefinition.extensions.
PROCESS_RESERVED = frozenset(
    {"category", "formKey", "admin", "dedupe", "resubmit", "schedule", "scheduleAs", "timezone"}
)

ON_REJECT = ("end", "continue", "return")
EMPTY_APPROVER = ("fail", "pass", "admin", "reject")


def jw_attributes(
    element: Element, allowed: frozenset[str], element_type: str, problems: Problems
) -> dict[str, str]:
    """``{"jw:name": value}`` of ``element``; unknown ``jw:`` names are reported (typo guard)."""
    found: dict[str, str] = {}
    for name, value in element.attrib.items():
        uri, local = split(name)
        if uri != JINGWEI:
            continue
        if local in allowed:
            found["jw:" + local] = value
            continue
        known = ", ".join("jw:" + n for n in sorted(allowed)) or "none"
        element_id = element.get("id")
        problems.add(
            element_id,
            element_type,
            f"{element_type} {quoted(element_id)} has unknown attribute jw:{local} (known here: {known})",
        )
    return found


def vendor_attributes(element: Element) -> dict[str, str]:
    """camunda/flowable/activiti attributes, raw, keyed like ``"camunda:assignee"``."""
    return qualified_attributes(element, VENDORS)


def check_hooks(element: Element, element_type: str, problems: Problems) -> None:
    """Refuse vendor listeners and mappings under ``element``'s own extensionElements."""
    element_id = element.get("id")
    # a loop's own extensionElements count too: Flowable puts variableAggregation there
    owners = [element, *(c for c in element if is_bpmn(c) and local_name(c).endswith("LoopCharacteristics"))]
    holders = [h for o in owners for h in o if is_bpmn(h) and local_name(h) == "extensionElements"]
    for holder in holders:
        for item in holder.iter():
            if not isinstance(item.tag, str) or item is holder:
                continue
            uri, local = split(item.tag)
            if uri in VENDORS and is_execution_hook(local):
                problems.add(
                    element_id,
                    element_type,
                    f"{display_name(item.tag)} on {element_type} {quoted(element_id)} is not supported yet",
                )
            elif uri == JINGWEI and not (local == "rules" and element_type == "process"):
                # <jw:rules> on the process is read by engine/bpmn/process_automation.py
                problems.add(
                    element_id,
                    element_type,
                    f"{element_type} {quoted(element_id)} holds unknown element "
                    f"{PREFIXES[JINGWEI]}:{local} (jw extensions are attributes)",
                )


def choice(
    attributes: dict[str, str],
    name: str,
    allowed: tuple[str, ...],
    default: str,
    owner: tuple[str | None, str],
    problems: Problems,
) -> str:
    """The value of ``jw:<name>`` if it is one of ``allowed``, else report and use ``default``."""
    raw = attributes.get("jw:" + name)
    if raw is None:
        return default
    value = raw.strip()
    if value in allowed:
        return value
    element_id, element_type = owner
    problems.add(
        element_id,
        element_type,
        f'{element_type} {quoted(element_id)} has jw:{name}="{raw}"; use one of {", ".join(allowed)}',
    )
    return default


__all__ = [
    "EMPTY_APPROVER",
    "ON_REJECT",
    "PROCESS_RESERVED",
    "TASK_EXECUTED",
    "TASK_RESERVED",
    "check_hooks",
    "choice",
    "jw_attributes",
    "vendor_attributes",
]
