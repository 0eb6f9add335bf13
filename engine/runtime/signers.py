"""Adding (加签) and removing (减签) signers at a step.

Each instance of a step (the one task of a plain step, or one multi-instance task) is a
*slot*. Adding signers turns the slot into stages that must all approve before the slot
counts for the node (once, in the node's approval mode):

- ``before``: the added people approve first, then the task comes back to the one who added them;
- ``after``: the adder approves now, the added people approve after them;
- ``parallel``: the added people approve alongside the adder; everyone in the slot must approve.

Any rejection inside a slot rejects the slot. A signer who has not answered yet can be
removed by whoever added them (or an admin); when the last open signer of a stage is removed
the slot moves on as if they had approved.
"""

from __future__ import annotations

from typing import Any

from engine.errors import InvalidInput
from engine.model import Node
from engine.runtime.execution import REJECTED, Execution
from engine.runtime.state import Token

APPROVED = "approved"
POSITIONS = ("before", "after", "parallel")
Settled = tuple[str, list[str]]


def slot_key(token_id: str, mi_index: int | None) -> str:
    return f"{token_id}:{'-' if mi_index is None else mi_index}"


def add_signers(
    ex: Execution,
    token: Token,
    node: Node,
    *,
    task_id: str,
    mi_index: int | None,
    name: str,
    actor: str,
    people: list[str],
    position: str,
    comment: str | None,
) -> Settled | None:
    """Add ``people`` to the task's slot; for ``after`` the adder's approval is recorded too."""
    if position not in POSITIONS:
        raise InvalidInput(f'--position must be one of {", ".join(POSITIONS)}, not "{position}"')
    state = ex.state
    key = slot_key(token.id, mi_index)
    slot = state.slots.setdefault(key, {"open": [task_id], "queue": [], "by": [], "name": name})
    state.undo = None
    details: dict[str, Any] = {"position": position, "signers": people}
    if comment:
        details["comment"] = comment
    ex.record("signers_added", actor, node_id=node.id, task_id=task_id, details=details)
    ex.emit(
        "task.signers_added",
        {"by": actor, "position": position, "signers": people, "recipients": people},
        task_id=task_id,
    )
    stage = [{"user": u, "by": actor} for u in people]
    if position == "parallel":
        _open(ex, token, node, key, slot, mi_index, stage)
        return None
    if position == "before":
        ex.close_task(task_id, "completed", outcome="signers_added", by=actor, comment=comment)
        token.tasks.remove(task_id)
        slot["open"].remove(task_id)
        slot["queue"].insert(0, [{"user": actor, "by": None}])  # then back to the adder
        _open(ex, token, node, key, slot, mi_index, stage)
        return None
    # after: the adder approves now
    ex.close_task(task_id, "completed", outcome=APPROVED, by=actor, comment=comment)
    token.tasks.remove(task_id)
    slot["open"].remove(task_id)
    state.decided += 1
    ex.record(APPROVED, actor, node_id=node.id, task_id=task_id, details={"then": people})
    slot["by"].append(actor)
    slot["queue"].insert(0, stage)
    return _advance(ex, token, node, key, slot, mi_index)


def _open(
    ex: Execution,
    token: Token,
    node: Node,
    key: str,
    slot: dict[str, Any],
    mi_index: int | None,
    stage: list[dict[str, Any]],
) -> None:
    for entry in stage:
        task = ex.create_task(token, node, [entry["user"]], mi_index=mi_index, name=slot["name"])
        slot["open"].append(task.id)
        if entry["by"] is not None:
            ex.state.meta[task.id] = {"kind": "signer", "user": entry["user"], "added_by": entry["by"]}


def _advance(
    ex: Execution, token: Token, node: Node, key: str, slot: dict[str, Any], mi_index: int | None
) -> Settled | None:
    """Open the next stage once the current one has all approved; the slot's result when none is left."""
    if slot["open"]:
        return None
    while slot["queue"]:
        stage = slot["queue"].pop(0)
        if stage:
            _open(ex, token, node, key, slot, mi_index, stage)
            return None
    del ex.state.slots[key]
    return APPROVED, list(slot["by"])


def settle_slot(
    ex: Execution, token: Token, *, mi_index: int | None, task_id: str, outcome: str, actor: str
) -> Settled | None:
    """Count one decision in its slot: the slot's result, or None while it waits for more."""
    key = slot_key(token.id, mi_index)
    slot = ex.state.slots.get(key)
    if slot is None:
        return outcome, ([actor] if outcome == APPROVED else [])
    if task_id in slot["open"]:
        slot["open"].remove(task_id)
    if outcome == REJECTED:
        for other in slot["open"]:
            ex.close_task(other, "cancelled", reason=f"rejected by {actor}")
            token.tasks.remove(other)
        del ex.state.slots[key]
        return REJECTED, []
    slot["by"].append(actor)
    node = ex.definition.nodes[token.node]
    return _advance(ex, token, node, key, slot, mi_index)


def remove_signers(
    ex: Execution,
    token: Token,
    node: Node,
    *,
    mi_index: int | None,
    actor: str,
    people: list[str],
    admin: bool,
) -> Settled | None:
    """Remove unanswered signers ``people`` added by ``actor`` (any, for an admin)."""
    key = slot_key(token.id, mi_index)
    slot = ex.state.slots.get(key)
    removed: list[str] = []

    def mine(entry_by: str | None) -> bool:
        return entry_by is not None and (entry_by == actor or admin)

    if slot is not None:
        for task_id in list(slot["open"]):
            role = ex.state.meta.get(task_id)
            if role and role["kind"] == "signer" and role["user"] in people and mine(role["added_by"]):
                ex.close_task(task_id, "cancelled", reason=f"signer removed by {actor}")
                token.tasks.remove(task_id)
                slot["open"].remove(task_id)
                removed.append(role["user"])
        for stage in slot["queue"]:
            for entry in list(stage):
                if entry["user"] in people and mine(entry["by"]):
                    stage.remove(entry)
                    removed.append(entry["user"])
        slot["queue"] = [s for s in slot["queue"] if s]
    if not removed:
        raise InvalidInput(
            f"{', '.join(people)}: no signer you added at this step is still waiting to answer",
            details={"field": "to"},
        )
    ex.state.undo = None
    ex.record("signers_removed", actor, node_id=node.id, details={"signers": removed})
    ex.emit("task.signers_removed", {"by": actor, "signers": removed, "recipients": removed})
    assert slot is not None
    return _advance(ex, token, node, key, slot, mi_index)


__all__ = ["POSITIONS", "add_signers", "remove_signers", "settle_slot", "slot_key"]
