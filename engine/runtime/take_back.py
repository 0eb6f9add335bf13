"""Take-back (拿回): an approver recalls their own decision while nobody has acted since.

Every decision leaves a checkpoint in the state (``InstanceState.undo``): the tokens as they
were just before it, plus the bookkeeping it touched. Any later decision replaces the
checkpoint and any other task operation (return, transfer, signers, admin moves) clears it,
so a take-back is possible exactly while the decision is the last thing that happened: the
next step has not acted. Taking back cancels the tasks the decision opened, gives the
decider (and any sibling whose task the decision closed) a fresh task at the old step, and
puts back the form fields the decision edited (a ``data_changed`` row records it).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from engine.model import Node
from engine.runtime.execution import Execution
from engine.runtime.state import Token


@dataclass(frozen=True, slots=True)
class Reopen:
    """Who a task closed by the decision belonged to, so it can open again."""

    people: list[str]
    mi_index: int | None
    name: str


def checkpoint(ex: Execution, *, task_id: str, actor: str, node_id: str) -> dict[str, Any]:
    state = ex.state
    before = ex.saved_state
    # The command's state as loaded is exactly "just before the decision" and nothing changes that
    # dict any more, so the hot path keeps a reference instead of copying the tokens.
    tokens = before["tokens"] if before is not None else [_frozen(t) for t in state.tokens.values()]
    point: dict[str, Any] = {
        "task": task_id,
        "by": actor,
        "node": node_id,
        "tokens": tokens,
        "trail": len(state.trail),
        "decided": state.decided,
    }
    if "approved" in ex.data:
        point["approved"] = ex.data["approved"]
    if ex.data_before or ex.data_added:  # form fields the decider edited along with the decision
        point["data"] = {"before": copy.deepcopy(ex.data_before), "added": list(ex.data_added)}
    # the rest is usually empty; copied only when not, to keep the hot path lean
    if state.meta:
        point["meta"] = copy.deepcopy(state.meta)
    if state.slots:
        point["slots"] = copy.deepcopy(state.slots)
    if state.returns:
        point["returns"] = copy.deepcopy(state.returns)
    return point


def _frozen(token: Token) -> dict[str, Any]:
    """The token's JSON with its own copies of the lists the decision is about to change."""
    raw = token.to_json()
    if "tasks" in raw:
        raw["tasks"] = list(raw["tasks"])
    if "mi" in raw:
        raw["mi"] = copy.deepcopy(raw["mi"])
    return raw


def closed_since(ex: Execution, point: dict[str, Any]) -> list[str]:
    """Task ids open at the checkpoint that are closed now (the decided one among them)."""
    now_open = {tid for t in ex.state.tokens.values() for tid in t.tasks}
    return [tid for raw in point["tokens"] for tid in raw.get("tasks", ()) if tid not in now_open]


def take_back(ex: Execution, point: dict[str, Any], *, actor: str, reopen: dict[str, Reopen]) -> None:
    state = ex.state
    now_open = {tid for t in state.tokens.values() for tid in t.tasks}
    restored = {raw["id"]: Token.from_json(raw) for raw in point["tokens"]}
    was_open = {tid for t in restored.values() for tid in t.tasks}
    for task_id in sorted(now_open - was_open):
        ex.close_task(task_id, "cancelled", reason=f"{actor} took back their decision")
    for token in list(state.tokens.values()):
        if token.timers and token.id not in restored:
            ex.effects.cancelled_jobs.extend(token.timers)
    state.tokens = restored
    state.meta = point.get("meta", {})
    state.slots = point.get("slots", {})
    state.returns = point.get("returns", {})
    state.trail = state.trail[: point["trail"]]
    state.decided = point["decided"]
    if "approved" in point:
        ex.data["approved"] = point["approved"]
    else:
        ex.data.pop("approved", None)
    _restore_data(ex, point.get("data"), actor=actor, node_id=point["node"])
    for token in restored.values():
        node: Node = ex.definition.nodes[token.node]
        for task_id in [t for t in token.tasks if t not in now_open]:
            info = reopen[task_id]
            token.tasks.remove(task_id)
            token.timers = []
            new = ex.create_task(token, node, info.people, mi_index=info.mi_index, name=info.name)
            role = state.meta.pop(task_id, None)
            if role is not None:
                state.meta[new.id] = role
            state.replace_task(task_id, new.id)
    state.undo = None
    ex.record("taken_back", actor, node_id=point["node"], task_id=point["task"])
    ex.emit("task.taken_back", {"by": actor, "node_id": point["node"], "recipients": []})


def _restore_data(ex: Execution, edits: dict[str, Any] | None, *, actor: str, node_id: str) -> None:
    """Undo the decision's form edits; a ``data_changed`` row keeps the versions readable (版本回溯)."""
    if not edits:
        return
    restored = {k: v for k, v in edits["before"].items() if ex.data.get(k) != v}
    removed = [k for k in edits["added"] if k in ex.data]
    ex.data.update(copy.deepcopy(restored))
    for key in removed:
        del ex.data[key]
    if restored or removed:
        details: dict[str, Any] = {"changes": restored, "taken_back": True}
        if removed:
            details["removed"] = removed
        ex.record("data_changed", actor, node_id=node_id, details=details)


__all__ = ["Reopen", "checkpoint", "closed_since", "take_back"]
