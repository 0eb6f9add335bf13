"""Process-wide automation read at deploy: boundary links, scheduled starts, ``<jw:rules>``."""

from __future__ import annotations

from xml.etree.ElementTree import Element

from engine.bpmn.graph import Graph
from engine.bpmn.namespaces import JINGWEI, bpmn_children, local_name, split
from engine.bpmn.problems import Problems, quoted
from engine.errors import InvalidInput
from engine.model import BOUNDARY_EVENT, START_EVENT, SUB_PROCESS, USER_TASK
from engine.rules import RuleSet, parse_rules
from engine.timers.calendar import DEFAULT_ZONE
from engine.timers.cron import zone
from engine.timers.schedule import ScheduleSpec, parse_schedule

# activities a boundary timer may sit on
ACTIVITIES = frozenset({USER_TASK, SUB_PROCESS, "serviceTask", "businessRuleTask", "sendTask"})


def link_boundaries(graph: Graph, problems: Problems) -> None:
    for node in graph.nodes.values():
        if node.kind != BOUNDARY_EVENT or node.attached_to is None:
            continue
        label = f"boundaryEvent {quoted(node.id)}"
        target = graph.nodes.get(node.attached_to)
        if target is None:
            if not graph.has(node.attached_to):
                problems.add(
                    node.id,
                    node.kind,
                    f'{label} is attached to "{node.attached_to}", which is not in this process',
                )
            continue
        if target.kind not in ACTIVITIES:
            problems.add(
                node.id,
                node.kind,
                f"{label} is attached to {target.kind} {quoted(target.id)}; "
                "boundary timers sit on tasks and subProcesses",
            )
        elif target.parent != node.parent:
            problems.add(node.id, node.kind, f"{label} is not in the same scope as {quoted(target.id)}")
        else:
            target.boundaries.append(node.id)
        if node.incoming:
            problems.add(
                node.id, node.kind, f"{label} has incoming sequence flows; a boundary event has none"
            )


def read_schedule(
    graph: Graph, extensions: dict[str, str], problems: Problems, process_id: str
) -> ScheduleSpec | None:
    timezone = (extensions.get("jw:timezone") or DEFAULT_ZONE).strip()
    try:
        zone(timezone)
    except InvalidInput as exc:
        problems.add(process_id, "process", f"process {quoted(process_id)} has jw:timezone: {exc.message}")
        return None
    start = next((n for n in graph.nodes.values() if n.kind == START_EVENT and n.parent is None), None)
    timer = start.timer if start is not None else None
    raw = extensions.get("jw:schedule")
    if raw is not None:
        if timer is not None:
            problems.add(
                process_id,
                "process",
                f"process {quoted(process_id)} has both jw:schedule and a timer start event; keep one",
            )
            return None
        try:
            timer = parse_schedule(raw, timezone=timezone)
        except InvalidInput as exc:
            problems.add(process_id, "process", f"process {quoted(process_id)} has {exc.message}")
            return None
    if timer is None:
        return None
    starter = (extensions.get("jw:scheduleAs") or extensions.get("jw:admin") or "").strip()
    if not starter:
        problems.add(
            process_id,
            "process",
            f"process {quoted(process_id)} starts on a schedule: set "
            "jw:scheduleAs (the user its instances are started as) or jw:admin",
        )
        return None
    if timer.expression is not None:
        problems.add(
            process_id, "process", f"process {quoted(process_id)}: a schedule cannot be an expression"
        )
        return None
    return ScheduleSpec(timer, starter, timezone)


def read_rules(process: Element, graph: Graph, problems: Problems, process_id: str) -> RuleSet | None:
    texts: list[str] = []
    for holder in bpmn_children(process):
        if local_name(holder) != "extensionElements":
            continue
        for item in holder:
            if isinstance(item.tag, str) and split(item.tag) == (JINGWEI, "rules"):
                texts.append("".join(item.itertext()))
    if not texts:
        return None
    if len(texts) > 1:
        problems.add(
            process_id, "process", f"process {quoted(process_id)} has {len(texts)} jw:rules; keep one"
        )
        return None
    try:
        return parse_rules(texts[0], set(graph.nodes))
    except InvalidInput as exc:
        problems.add(process_id, "process", f"jw:rules of process {quoted(process_id)}: {exc.message}")
        return None


__all__ = ["link_boundaries", "read_rules", "read_schedule"]
