"""User tasks: finding the people, creating tasks (multi-instance too), and decisions.

A token waits on a user task until its task(s) are decided. With several resolved
people and no multi-instance, one task is offered to all of them (the first to act
decides). With ``multiInstanceLoopCharacteristics`` each instance is its own task,
created all at once (parallel) or one after another (sequential), and the node is
done when every instance is decided or the completion condition holds.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from engine.errors import InvalidInput, NoApprover
from engine.model import MultiInstance, Node
from engine.runtime.execution import REJECTED, Execution
from engine.runtime.state import WAITING, MultiInstanceState, Token

APPROVED = "approved"
MAX_INSTANCES = 1000


class UserTask:
    def enter(self, ex: Execution, token: Token, node: Node) -> None:
        mi = node.multi_instance
        if mi is not None:
            _enter_multi(ex, token, node, mi)
            return
        people = ex.approvers(node, ex.variables(token))
        if not people:
            _nobody(ex, token, node)
            return
        token.status = WAITING
        ex.create_task(token, node, people)


def describe_approver(node: Node) -> str:
    spec = node.approver
    arg = spec.arg
    if isinstance(arg, list):
        arg = ",".join(str(a) for a in arg)
    elif hasattr(arg, "source"):
        arg = arg.source
    return spec.strategy if arg is None else f"{spec.strategy} {arg}"


def _nobody(ex: Execution, token: Token, node: Node) -> None:
    """The node's empty-approver rule: fail (default), pass, admin or reject."""
    label = node.name or node.id
    rule = node.empty_approver
    reason = f'no approver found for "{label}" ({describe_approver(node)})'
    if rule == "pass":
        ex.record("auto_approved", None, node_id=node.id, details={"reason": reason})
        ex.leave(token, ex.matching_flows(node, token, first_only=False))
    elif rule == "reject":
        ex.record("auto_rejected", None, node_id=node.id, details={"reason": reason})
        ex.end(REJECTED, reason=reason)
    elif rule == "admin" and ex.definition.extensions.get("jw:admin"):
        admin = ex.definition.extensions["jw:admin"]
        ex.record("assigned_to_admin", None, node_id=node.id, details={"reason": reason, "admin": admin})
        token.status = WAITING
        ex.create_task(token, node, [admin])
    else:
        raise NoApprover(reason, details={"node_id": node.id, "strategy": node.approver.strategy})


def _enter_multi(ex: Execution, token: Token, node: Node, mi: MultiInstance) -> None:
    variables = ex.variables(token)
    items: list[Any]
    if mi.collection is not None:
        value = ex.evaluate(mi.collection, f'collection of "{node.id}"', variables)
        if not isinstance(value, list | tuple):
            raise InvalidInput(f'collection of "{node.id}" is {type(value).__name__}, not a list')
        items = list(value)
    elif mi.cardinality is not None:
        value = ex.evaluate(mi.cardinality, f'loop cardinality of "{node.id}"', variables)
        if isinstance(value, bool) or not isinstance(value, int | float | Decimal) or int(value) != value:
            raise InvalidInput(f'loop cardinality of "{node.id}" is {value!r}, not a whole number')
        items = list(range(int(value)))
    else:
        items = ex.approvers(node, variables)  # one instance per approver
        if not items:
            _nobody(ex, token, node)
            return
    if len(items) > MAX_INSTANCES:
        raise InvalidInput(f'"{node.id}" would create {len(items)} task instances (at most {MAX_INSTANCES})')
    if not items:
        ex.record("skipped", None, node_id=node.id, details={"reason": "no multi-instance items"})
        ex.leave(token, ex.matching_flows(node, token, first_only=False))
        return
    token.status = WAITING
    token.mi = MultiInstanceState(total=len(items))
    if mi.sequential:
        token.mi.items = items
        token.mi.next_index = 1
        _create_instance(ex, token, node, items[0], 0)
    else:
        for index, item in enumerate(items):
            _create_instance(ex, token, node, item, index)


def _create_instance(ex: Execution, token: Token, node: Node, item: Any, index: int) -> None:
    mi = node.multi_instance
    assert mi is not None
    if mi.collection is None and mi.cardinality is None:
        people = [item]
    else:
        extra: dict[str, Any] = {"loopCounter": index}
        if mi.element_variable:
            extra[mi.element_variable] = item
        people = ex.approvers(node, ex.variables(token, extra))
        if not people:
            admin = ex.definition.extensions.get("jw:admin") if node.empty_approver == "admin" else None
            if admin is None:
                label = f'instance {index} of "{node.name or node.id}"'
                raise NoApprover(f"no approver found for {label} ({describe_approver(node)})")
            people = [admin]
    name = (node.name or node.id).replace("${loopCounter}", str(index))
    ex.create_task(token, node, people, mi_index=index, name=name)


def decide(
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
    """Record one decision on a task and move the token when the node is done."""
    ex.close_task(task_id, "completed", outcome=outcome, by=actor, comment=comment)
    token.tasks.remove(task_id)
    ex.state.decided += 1
    ex.record(
        outcome, actor, node_id=node.id, task_id=task_id, details={"comment": comment} if comment else {}
    )
    ex.data["approved"] = outcome == APPROVED
    if outcome == REJECTED and node.on_reject == "end":
        ex.end(REJECTED, reason=f'rejected by {actor} at "{node.name or node.id}"', actor=actor)
        return
    state = token.mi
    if state is None:
        ex.leave(token, ex.matching_flows(node, token, first_only=False))
        return
    state.completed += 1
    if outcome == APPROVED:
        state.approved += 1
    else:
        state.rejected += 1
    mi = node.multi_instance
    assert mi is not None
    done = state.completed >= state.total
    if not done and mi.completion_condition is not None:
        variables = ex.variables(
            token,
            {
                "nrOfInstances": state.total,
                "nrOfCompletedInstances": state.completed,
                "nrOfActiveInstances": len(token.tasks),
                "nrOfApproved": state.approved,
                "nrOfRejected": state.rejected,
                "loopCounter": mi_index,
            },
        )
        done = bool(ex.evaluate(mi.completion_condition, f'completion condition of "{node.id}"', variables))
    if done:
        for other in token.tasks:
            ex.close_task(other, "cancelled", reason="the multi-instance node completed")
        token.tasks = []
        ex.leave(token, ex.matching_flows(node, token, first_only=False))
    elif mi.sequential and state.items is not None and state.next_index < state.total:
        index = state.next_index
        state.next_index += 1
        _create_instance(ex, token, node, state.items[index], index)


__all__ = ["APPROVED", "UserTask", "decide", "describe_approver"]
