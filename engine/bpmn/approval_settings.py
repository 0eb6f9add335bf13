"""The approval-operation attributes of a userTask: approval mode, dedupe, return, resubmit, CC, fields.

Read per task by ``read_task_settings``; the process-level defaults (``jw:dedupe``,
``jw:resubmit`` on ``process``) and the node ids named by ``jw:returnTo`` are applied
once the whole graph is known (``apply_process_settings``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from xml.etree.ElementTree import Element

from engine.bpmn.approvers import parse_approver_text
from engine.bpmn.problems import Problems, quoted
from engine.model import USER_TASK, ApprovalMode, ApproverSpec, MultiInstance, Node

DEDUPE = ("off", "starter", "adjacent", "anywhere")
RESUBMIT = ("restart", "resume")
RETURN_KEYWORDS = ("previous", "starter", "any")
PERMISSIONS = ("editable", "readonly", "hidden")
_MODE = re.compile(r"(countersign|countersign:wait|or|sequential|vote:([0-9]{1,3})%?)")
Report = Callable[[str], None]
_CC_KINDS = ("user", "role", "dept-head", "manager", "starter", "field", "expr")


@dataclass(slots=True)
class TaskSettings:
    approval: ApprovalMode | None = None
    multi_instance: MultiInstance | None = None
    dedupe: frozenset[str] = frozenset()
    resubmit: str = "restart"
    return_to: tuple[str, ...] = ("any",)
    cc: tuple[ApproverSpec, ...] = ()
    field_permissions: dict[str, str] = field(default_factory=dict)


def read_task_settings(
    element: Element, ours: dict[str, str], multi_instance: MultiInstance | None, problems: Problems
) -> TaskSettings:
    task_id = element.get("id")

    def bad(message: str) -> None:
        problems.add(task_id, USER_TASK, f"userTask {quoted(task_id)} {message}")

    out = TaskSettings(multi_instance=multi_instance)
    raw_mode = ours.get("jw:approvalMode")
    if raw_mode is not None:
        out.approval = _mode(raw_mode, bad)
    if out.approval is not None:
        sequential = out.approval.kind == "sequential"
        if multi_instance is None:
            out.multi_instance = MultiInstance(sequential=sequential)
        elif multi_instance.sequential != sequential:
            want = "true" if sequential else "false"
            bad(f'has jw:approvalMode="{raw_mode}" but its multi-instance says isSequential; use {want}')
        elif multi_instance.completion_condition is not None:
            bad("has both jw:approvalMode and a completionCondition; keep one")
    if "jw:dedupe" in ours:
        out.dedupe = parse_dedupe(ours["jw:dedupe"], bad)
    if "jw:resubmit" in ours:
        out.resubmit = _one_of("jw:resubmit", ours["jw:resubmit"], RESUBMIT, bad) or "restart"
    if "jw:returnTo" in ours:
        items = tuple(i.strip() for i in ours["jw:returnTo"].split(",") if i.strip())
        out.return_to = items or ("any",)
    if "jw:cc" in ours:
        out.cc = tuple(
            parse_approver_text(item, element, problems, "jw:cc") for item in _cc_items(ours["jw:cc"])
        )
        if not out.cc:
            bad('has an empty jw:cc; name people like jw:cc="dept-head,role:hr"')
    if "jw:fieldPermissions" in ours:
        out.field_permissions = _permissions(ours["jw:fieldPermissions"], bad)
    return out


def _mode(raw: str, bad: Report) -> ApprovalMode | None:
    value = raw.strip()
    match = _MODE.fullmatch(value)
    if match is None:
        bad(f'has jw:approvalMode="{raw}"; use countersign, countersign:wait, or, sequential or vote:60')
        return None
    if match.group(2) is not None:
        percent = int(match.group(2))
        if not 1 <= percent <= 100:
            bad(f'has jw:approvalMode="{raw}"; a vote needs a percentage from 1 to 100')
            return None
        return ApprovalMode("vote", percent=percent)
    if value == "countersign:wait":
        return ApprovalMode("countersign", wait_all=True)
    return ApprovalMode(value)


def parse_dedupe(raw: str, bad: Report) -> frozenset[str]:
    items = {i.strip() for i in raw.split(",") if i.strip()}
    unknown = sorted(items - set(DEDUPE))
    if unknown or not items:
        bad(f'has jw:dedupe="{raw}"; use off or any of starter, adjacent, anywhere (comma-separated)')
        return frozenset()
    return frozenset(items - {"off"})


def _one_of(name: str, raw: str, allowed: tuple[str, ...], bad: Report) -> str | None:
    value = raw.strip()
    if value in allowed:
        return value
    bad(f'has {name}="{raw}"; use one of {", ".join(allowed)}')
    return None


def _cc_items(raw: str) -> list[str]:
    """Split ``role:hr,user:carol,dave`` into items; a bare name continues the previous user/role list."""
    items: list[str] = []
    rest = raw.strip()
    while rest:
        if rest.startswith("expr:"):  # an expression may hold commas: it runs to the end
            items.append(rest)
            break
        part, _, rest = rest.partition(",")
        part = part.strip()
        rest = rest.strip()
        kind = part.partition(":")[0].strip().lower()
        if items and kind not in _CC_KINDS and part:
            items[-1] += "," + part
        elif part:
            items.append(part)
    return items


def _permissions(raw: str, bad: Report) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in (i.strip() for i in raw.split(",")):
        if not item:
            continue
        name, _, permission = item.rpartition(":")
        name, permission = name.strip(), permission.strip()
        if not name or permission not in PERMISSIONS:
            bad(f'has jw:fieldPermissions item "{item}"; use field:editable|readonly|hidden')
            continue
        out[name] = permission
    return out


def apply_process_settings(nodes: dict[str, Node], process: dict[str, str], problems: Problems) -> None:
    """Process-level defaults for dedupe and resubmit; check that ``jw:returnTo`` names user tasks."""
    process_dedupe = frozenset[str]()
    process_resubmit = "restart"

    def bad_process(message: str) -> None:
        problems.add(None, "process", f"process {message}")

    if "jw:dedupe" in process:
        process_dedupe = parse_dedupe(process["jw:dedupe"], bad_process)
    if "jw:resubmit" in process:
        process_resubmit = _one_of("jw:resubmit", process["jw:resubmit"], RESUBMIT, bad_process) or "restart"
    for node in nodes.values():
        if node.kind != USER_TASK:
            continue
        if "jw:dedupe" not in node.extensions:
            node.dedupe = process_dedupe
        if "jw:resubmit" not in node.extensions:
            node.resubmit = process_resubmit
        for target in node.return_to:
            if target in RETURN_KEYWORDS:
                continue
            other = nodes.get(target)
            if other is None or other.kind != USER_TASK:
                problems.add(
                    node.id,
                    USER_TASK,
                    f'userTask {quoted(node.id)} has jw:returnTo "{target}", which is not a userTask here; '
                    "use previous, starter, any or userTask ids",
                )


__all__ = [
    "DEDUPE",
    "PERMISSIONS",
    "RESUBMIT",
    "TaskSettings",
    "apply_process_settings",
    "read_task_settings",
]
