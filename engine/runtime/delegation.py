"""Transfer (转交) and delegate (委派): handing a task to someone else.

- transfer: the task moves to another person for good; the history says who moved it.
  An admin's reassign is the same move, recorded as ``reassigned`` with its reason.
- delegate: the delegate gives an opinion (approve or reject with a comment); the task then
  comes back to the delegator, who decides. A delegate may transfer the task on (the new
  holder is the delegate then) but cannot delegate it again.

Either way the old task closes and a new one opens on the same token and instance slot, so
cards for the old task go stale and answer clearly, and signer slots keep their place.
"""

from __future__ import annotations

from typing import Any

from engine.errors import InvalidInput
from engine.model import Node
from engine.runtime.execution import Execution
from engine.runtime.state import Token


def task_name(node: Node, mi_index: int | None) -> str:
    name = node.name or node.id
    return name.replace("${loopCounter}", str(mi_index)) if mi_index is not None else name


def _hand_over(
    ex: Execution,
    token: Token,
    node: Node,
    *,
    task_id: str,
    mi_index: int | None,
    name: str,
    to: str,
    outcome: str,
    actor: str,
    comment: str | None,
    role: dict[str, Any] | None,
) -> str:
    ex.close_task(task_id, "completed", outcome=outcome, by=actor, comment=comment)
    token.tasks.remove(task_id)
    new = ex.create_task(token, node, [to], mi_index=mi_index, name=name)
    if role is not None:
        ex.state.meta[new.id] = role
    ex.state.replace_task(task_id, new.id)
    ex.state.undo = None
    return new.id


def transfer(
    ex: Execution,
    token: Token,
    node: Node,
    *,
    task_id: str,
    mi_index: int | None,
    name: str,
    holder: str | None,
    to: str,
    actor: str,
    comment: str | None = None,
    reason: str | None = None,
    action: str = "transferred",
) -> str:
    """Move the task to ``to``: ``transferred`` by its holder, or ``reassigned`` by an admin."""
    role = ex.state.meta.get(task_id)
    if role is not None and role["kind"] == "signer":
        role = {**role, "user": to}
    new_id = _hand_over(
        ex,
        token,
        node,
        task_id=task_id,
        mi_index=mi_index,
        name=name,
        to=to,
        outcome=action,
        actor=actor,
        comment=comment or reason,
        role=role,
    )
    details: dict[str, Any] = {"from": holder, "to": to, "new_task": new_id}
    if comment:
        details["comment"] = comment
    if reason:
        details["reason"] = reason
    ex.record(action, actor, node_id=node.id, task_id=task_id, details=details)
    ex.emit(f"task.{action}", {"by": actor, "from": holder, "to": to, "recipients": [to]}, task_id=new_id)
    return new_id


def delegate(
    ex: Execution,
    token: Token,
    node: Node,
    *,
    task_id: str,
    mi_index: int | None,
    name: str,
    to: str,
    actor: str,
    comment: str | None,
) -> str:
    role = ex.state.meta.get(task_id)
    if role is not None and role["kind"] == "delegate":
        raise InvalidInput("a delegated task cannot be delegated again; answer it or transfer it")
    new_id = _hand_over(
        ex,
        token,
        node,
        task_id=task_id,
        mi_index=mi_index,
        name=name,
        to=to,
        outcome="delegated",
        actor=actor,
        comment=comment,
        role={"kind": "delegate", "owner": actor, "role": role},
    )
    details: dict[str, Any] = {"to": to, "new_task": new_id}
    if comment:
        details["comment"] = comment
    ex.record("delegated", actor, node_id=node.id, task_id=task_id, details=details)
    ex.emit("task.delegated", {"by": actor, "to": to, "recipients": [to]}, task_id=new_id)
    return new_id


def answer_for_owner(
    ex: Execution,
    token: Token,
    node: Node,
    *,
    task_id: str,
    mi_index: int | None,
    outcome: str,
    actor: str,
    comment: str | None,
) -> None:
    """The delegate's opinion is recorded and the task goes back to the delegator to decide."""
    role = ex.state.meta[task_id]
    owner = role["owner"]
    ex.close_task(task_id, "completed", outcome=outcome, by=actor, comment=comment)
    token.tasks.remove(task_id)
    details: dict[str, Any] = {"opinion": outcome, "owner": owner}
    if comment:
        details["comment"] = comment
    ex.record("delegate_answered", actor, node_id=node.id, task_id=task_id, details=details)
    new = ex.create_task(token, node, [owner], mi_index=mi_index, name=task_name(node, mi_index))
    if role.get("role") is not None:
        ex.state.meta[new.id] = role["role"]
    ex.state.replace_task(task_id, new.id)
    ex.state.undo = None
    ex.emit(
        "task.delegate_answered",
        {"by": actor, "opinion": outcome, "comment": comment, "recipients": [owner]},
        task_id=new.id,
    )


__all__ = ["answer_for_owner", "delegate", "task_name", "transfer"]
