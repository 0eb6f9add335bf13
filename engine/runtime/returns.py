"""Return (退回) and resubmit: sending an instance back to an earlier step or to the starter.

The trail (``InstanceState.trail``) lists the user steps the instance has passed, each with
who approved, the token, its scope and whether it was the only token of its scope then
(``solo``). A step is a valid return target for a task when it is in the same (sub)process
scope and either

- it was passed on this branch (same token, after the token's last fork or join), or
- it was passed while the scope ran a single token (before any fork).

Returning within the branch moves only the returning token: other parallel branches go on
untouched. Returning to a step before the fork (or to the starter) cancels every open task of
the scope and runs from the target again; the parallel section is then re-entered. Steps in
another branch, or inside a branch already joined, are refused: the flow could not rejoin.

What comes after the target has done is the returning node's ``jw:resubmit``: ``restart`` flows
on normally from the target; ``resume`` jumps straight back to where the instance stood when the
return happened (the returning node, and any other open step it cancelled, open again fresh).
"""

from __future__ import annotations

import copy
from typing import Any

from engine.errors import InvalidInput
from engine.model import START_EVENT, USER_TASK, Node
from engine.runtime.execution import Execution
from engine.runtime.state import WAITING, InstanceState, Token

STARTER = "starter"
PREVIOUS = "previous"


def valid_entries(state: InstanceState, token: Token) -> list[tuple[int, dict[str, Any]]]:
    """``(index, entry)`` of the trail entries this token may return to, oldest first."""
    return [
        (i, e)
        for i, e in enumerate(state.trail)
        if e["scope"] == token.scope and (e["solo"] or (e["token"] == token.id and i >= token.since))
    ]


def previous_entry(state: InstanceState, token: Token) -> dict[str, Any] | None:
    entries = valid_entries(state, token)
    return entries[-1][1] if entries else None


def record_step(ex: Execution, token: Token, node: Node, by: list[str]) -> None:
    """Append the step a token is leaving to the trail."""
    tokens = ex.state.tokens
    solo = len(tokens) == 1 or sum(1 for t in tokens.values() if t.scope == token.scope) == 1
    ex.state.trail.append({"node": node.id, "by": by, "token": token.id, "scope": token.scope, "solo": solo})


def send_back(
    ex: Execution, token: Token, node: Node, *, actor: str, target: str | None, comment: str | None
) -> str:
    """Return the task's node to ``target`` (a node id, ``previous``, ``starter``); the target chosen."""
    allowed = node.return_to
    wanted = (target or PREVIOUS).strip()
    start = ex.definition.start_node
    if wanted == start:
        wanted = STARTER
    entries = valid_entries(ex.state, token)
    if wanted == PREVIOUS:
        if entries:
            index, entry = entries[-1]
            _check_allowed(node, entry["node"], PREVIOUS, allowed)
            return _to_step(ex, token, node, index, entry, actor=actor, comment=comment)
        wanted = STARTER  # the first approver's previous step is the requester
    if wanted == STARTER:
        _check_allowed(node, STARTER, STARTER, allowed)
        _to_starter(ex, token, node, actor=actor, comment=comment)
        return STARTER
    other = ex.definition.nodes.get(wanted)
    if other is None or other.kind != USER_TASK:
        raise InvalidInput(
            f'cannot return to "{wanted}": it is not a user step of this process; '
            "use previous, starter or the id of a step the request has passed",
            details={"field": "node"},
        )
    matches = [(i, e) for i, e in entries if e["node"] == wanted]
    if not matches:
        passed = sorted({e["node"] for _, e in entries})
        raise InvalidInput(
            f'cannot return to "{wanted}": the request has not passed it on this path'
            + (f" (passed: {', '.join(passed)})" if passed else " (return to the starter instead)"),
            details={"field": "node", "passed": passed},
        )
    previous = entries[-1][1]["node"] == wanted
    _check_allowed(node, wanted, PREVIOUS if previous else wanted, allowed)
    index, entry = matches[-1]
    return _to_step(ex, token, node, index, entry, actor=actor, comment=comment)


def _check_allowed(node: Node, target: str, kind: str, allowed: tuple[str, ...]) -> None:
    if "any" in allowed or kind in allowed or target in allowed:
        return
    raise InvalidInput(
        f'"{node.name or node.id}" may return only to: {", ".join(allowed)} (jw:returnTo), not "{target}"',
        details={"field": "node", "allowed": list(allowed)},
    )


def _close_node_tasks(ex: Execution, token: Token, reason: str) -> None:
    if token.timers:
        ex.effects.cancelled_jobs.extend(token.timers)
        token.timers = []
    for task_id in token.tasks:
        ex.close_task(task_id, "cancelled", reason=reason)
    token.tasks = []
    token.mi = None
    ex.state.drop_slots(token.id)


def _scope_family(state: InstanceState, scope: str | None) -> list[Token]:
    """Tokens of ``scope`` and of every subprocess scope nested in it."""
    found = [t for t in state.tokens.values() if t.scope == scope]
    i = 0
    while i < len(found):
        found.extend(t for t in state.tokens.values() if t.scope == found[i].id)
        i += 1
    return found


def _to_step(
    ex: Execution,
    token: Token,
    node: Node,
    index: int,
    entry: dict[str, Any],
    *,
    actor: str,
    comment: str | None,
) -> str:
    state = ex.state
    target = entry["node"]
    reason = f'returned to "{ex.definition.nodes[target].name or target}" by {actor}'
    if entry["solo"]:
        family = _scope_family(state, token.scope)
        snapshot = copy.deepcopy([t.to_json() for t in family])
        for other in family:
            if other.id in state.tokens and other.scope == token.scope:
                ex.cancel_token(other, reason)
        state.trail = state.trail[:index]
        moved = state.new_token(target, token.scope)
        moved.since = len(state.trail)
    else:
        snapshot = copy.deepcopy([token.to_json()])
        _close_node_tasks(ex, token, reason)
        # this branch's steps from the target on will be done again
        state.trail = [e for i, e in enumerate(state.trail) if i < index or e["token"] != token.id]
        moved = token
        moved.node = target
    state.returns[moved.id] = {"target": target, "from": node.id, "by": actor, "mode": node.resubmit}
    state.returns[moved.id]["snapshot"] = snapshot
    state.undo = None
    ex.record("returned", actor, node_id=node.id, details=_details(target, node, comment))
    ex.emit(
        "instance.returned",
        {"by": actor, "from": node.id, "to": target, "comment": comment, "recipients": [ex.starter]},
    )
    ex.schedule(moved)
    return target


def _to_starter(ex: Execution, token: Token, node: Node, *, actor: str, comment: str | None) -> None:
    state = ex.state
    snapshot = copy.deepcopy([t.to_json() for t in state.tokens.values()])
    reason = f"returned to the starter by {actor}"
    ex.cancel_scope(None, reason)
    state.tokens.clear()
    state.trail = []  # a new round: earlier approvals no longer count for dedupe
    state.decided = 0  # nothing is decided in the new round: the starter may withdraw again
    state.undo = None
    start = ex.definition.nodes[ex.definition.start_node]
    waiting = state.new_token(start.id, None)
    waiting.status = WAITING
    label = node.name or node.id
    ex.record("returned", actor, node_id=node.id, details=_details(STARTER, node, comment))
    ex.emit(
        "instance.returned",
        {"by": actor, "from": node.id, "to": STARTER, "comment": comment, "recipients": [ex.starter]},
    )
    task = ex.create_task(waiting, start, [ex.starter], name=f"补充材料后重新提交 Resubmit ({label})")
    state.meta[task.id] = {"kind": "resubmit"}
    state.returns[waiting.id] = {
        "target": STARTER,
        "from": node.id,
        "by": actor,
        "mode": node.resubmit,
        "snapshot": snapshot,
    }


def _details(target: str, node: Node, comment: str | None) -> dict[str, Any]:
    details: dict[str, Any] = {"to": target, "resubmit": node.resubmit}
    if comment:
        details["comment"] = comment
    return details


def is_resubmit_task(ex: Execution, node_id: str) -> bool:
    return ex.definition.nodes[node_id].kind == START_EVENT


def resubmit(ex: Execution, token: Token, *, task_id: str, actor: str, comment: str | None) -> None:
    """The starter sends the request again after a return to them."""
    ex.close_task(task_id, "completed", outcome="resubmitted", by=actor, comment=comment)
    token.tasks = [t for t in token.tasks if t != task_id]
    pending = ex.state.returns.pop(token.id, None)
    mode = pending["mode"] if pending else "restart"
    details: dict[str, Any] = {"mode": mode}
    if comment:
        details["comment"] = comment
    ex.record("resubmitted", actor, node_id=token.node, task_id=task_id, details=details)
    ex.emit("instance.resubmitted", {"by": actor, "mode": mode, "recipients": []})
    if pending is not None and mode == "resume":
        _restore(ex, token, pending["snapshot"])
    else:
        ex.schedule(token)  # the start event lets it flow from the beginning


def resume_after(ex: Execution, token: Token, node: Node) -> bool:
    """Called when a token leaves ``node``: True if a pending ``resume`` return took it elsewhere."""
    pending = ex.state.returns.get(token.id)
    if pending is None or pending["target"] != node.id:
        return False
    del ex.state.returns[token.id]
    if pending["mode"] != "resume":
        return False
    _restore(ex, token, pending["snapshot"])
    return True


def _restore(ex: Execution, current: Token, snapshot: list[dict[str, Any]]) -> None:
    """Put the tokens back where they stood at the return; user steps open again with fresh tasks."""
    state = ex.state
    state.tokens.pop(current.id, None)
    for raw in snapshot:
        token = Token.from_json(raw)
        token.timers = []
        state.tokens[token.id] = token
        node = ex.definition.nodes[token.node]
        if node.kind == USER_TASK:
            token.tasks = []
            token.mi = None
            ex.schedule(token)
    ex.record("resumed", None, details={"at": sorted({str(raw["node"]) for raw in snapshot})})


__all__ = [
    "PREVIOUS",
    "STARTER",
    "is_resubmit_task",
    "previous_entry",
    "record_step",
    "resubmit",
    "resume_after",
    "send_back",
    "valid_entries",
]
