"""Human-readable text for the command line (``--json`` prints the views' dicts instead)."""

from __future__ import annotations

import dataclasses
from typing import Any

from engine import DefinitionView, InstanceView, TaskView


def deployed(view: DefinitionView) -> dict[str, Any]:
    return {"key": view.key, "version": view.version, "id": view.id, "name": view.name}


def definitions_text(views: list[DefinitionView]) -> str:
    if not views:
        return "no definitions deployed"
    return "\n".join(f"{v.key:<24} v{v.version:<3} {v.id}  {v.name}" for v in views)


def _who(task: TaskView) -> str:
    return task.assignee or ("one of " + ", ".join(task.candidates))


def tasks_text(tasks: list[TaskView]) -> str:
    if not tasks:
        return "no tasks"
    lines = []
    for t in tasks:
        state = t.status if t.status == "open" else f"{t.status} {t.outcome or ''} by {t.completed_by or '-'}"
        lines.append(f"{t.id}  {t.name} [{t.process_key} {t.instance_id}] -> {_who(t)} ({state.strip()})")
    return "\n".join(lines)


def instance_text(inst: InstanceView, *, history: bool = False) -> str:
    lines = [
        f"instance {inst.id}: {inst.process_key} v{inst.version}, started by {inst.starter}, {inst.status}"
    ]
    if inst.data:
        lines.append("  data: " + ", ".join(f"{k}={v}" for k, v in inst.data.items()))
    for t in inst.tasks:
        lines.append(f"  open task {t.id}: {t.name} -> {_who(t)}")
    if history:
        for h in inst.history:
            actor = h.actor or "engine"
            extra = f" {h.details}" if h.details else ""
            where = f" @{h.node_id}" if h.node_id else ""
            lines.append(f"  #{h.seq} {h.at:%Y-%m-%d %H:%M:%S} {actor}: {h.action}{where}{extra}")
    return "\n".join(lines)


def as_dict(result: Any) -> dict[str, Any]:
    if dataclasses.is_dataclass(result) and not isinstance(result, type):
        return dataclasses.asdict(result)
    if hasattr(result, "model_dump"):
        return dict(result.model_dump())
    return dict(vars(result))


def import_text(result: Any) -> str:
    return "imported: " + ", ".join(f"{k} {v}" for k, v in as_dict(result).items())


__all__ = ["as_dict", "definitions_text", "deployed", "import_text", "instance_text", "tasks_text"]
