"""A ``userTask`` element → ``Node``: approver, multi-instance, our attributes, form key."""

from __future__ import annotations

from xml.etree.ElementTree import Element

from engine.bpmn.approval_settings import read_task_settings
from engine.bpmn.approvers import parse_approver, potential_owner_texts
from engine.bpmn.extensions import (
    EMPTY_APPROVER,
    ON_REJECT,
    TASK_EXECUTED,
    TASK_RESERVED,
    choice,
    jw_attributes,
    vendor_attributes,
)
from engine.bpmn.loops import parse_multi_instance
from engine.bpmn.namespaces import bpmn_children, local_name, vendor_attribute
from engine.bpmn.problems import Problems, quoted
from engine.model import USER_TASK, MultiInstance, Node

NO_APPROVER = "set jw:approver, camunda:assignee, candidateUsers or candidateGroups"


def build_user_task(element: Element, element_id: str, parent: str | None, problems: Problems) -> Node:
    ours = jw_attributes(element, TASK_EXECUTED | TASK_RESERVED, USER_TASK, problems)
    owner = (element_id, USER_TASK)
    approver = parse_approver(element, problems)
    on_reject = choice(ours, "onReject", ON_REJECT, "end", owner, problems)
    empty_approver = choice(ours, "emptyApprover", EMPTY_APPROVER, "fail", owner, problems)

    if approver.strategy == "none" and empty_approver == "fail":
        problems.add(element_id, USER_TASK, f"userTask {quoted(element_id)} has no approver: {NO_APPROVER}")

    multi_instance: MultiInstance | None = None
    for loop in bpmn_children(element):
        kind = local_name(loop)
        if kind == "multiInstanceLoopCharacteristics" and multi_instance is None:
            multi_instance = parse_multi_instance(loop, element_id, approver, problems)
        elif kind.endswith("LoopCharacteristics"):
            problems.add(
                element_id, USER_TASK, f"{kind} on userTask {quoted(element_id)} is not supported yet"
            )

    settings = read_task_settings(element, ours, multi_instance, problems)
    form_key = ours.get("jw:formKey")
    if not form_key:
        vendor_form = vendor_attribute(element, "formKey")
        form_key = vendor_form[1] if vendor_form else None

    extensions = {**vendor_attributes(element), **ours}
    owners = [text for text in potential_owner_texts(element) if text]
    if owners:
        extensions["potentialOwner"] = ", ".join(owners)
    return Node(
        id=element_id,
        kind=USER_TASK,
        name=element.get("name") or "",
        parent=parent,
        default_flow=element.get("default") or None,
        approver=approver,
        multi_instance=settings.multi_instance,
        form_key=form_key or None,
        on_reject=on_reject,
        empty_approver=empty_approver,
        approval=settings.approval,
        dedupe=settings.dedupe,
        resubmit=settings.resubmit,
        return_to=settings.return_to,
        cc=settings.cc,
        field_permissions=settings.field_permissions,
        extensions=extensions,
    )


__all__ = ["NO_APPROVER", "build_user_task"]
