"""User tasks: finding the people, creating tasks (multi-instance too), and decisions.

A token waits on a user task until its task(s) are decided. With several resolved
people and no multi-instance, one task is offered to all of them (the first to act
decides). With ``multiInstanceLoopCharacteristics`` (or ``jw:approvalMode``, which implies
it) each instance is its own task, created all at once (parallel) or one after another
(sequential). A node with an approval mode is decided by ``approval_modes.verdict``; a plain
multi-instance node is done when every instance is decided or the completion condition holds.

Added signers and delegates (``signers.py``, ``delegation.py``) answer inside one instance's
slot; only when the slot is settled does the answer count for the node.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from engine.errors import InvalidInput, NoApprover
from engine.model import MultiInstance, Node
from engine.runtime.approval_modes import verdict
from engine.runtime.auto_rules import already_answered
from engine.runtime.cc import copy_configured
from engine.runtime.delegation import answer_for_owner
from engine.runtime.execution import REJECTED, Execution
from engine.runtime.returns import PREVIOUS, record_step, resume_after, send_back
from engine.runtime.signers import settle_slot
from engine.runtime.state import WAITING, MultiInstanceState, Token
from engine.runtime.take_back import checkpoint

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
        if node.dedupe:
            auto = already_answered(ex, token, node, people)
            if auto:
                user, why = next(iter(auto.items()))
                ex.record("auto_approved", None, node_id=node.id, details={"approver": user, "reason": why})
                finish_node(ex, token, node, APPROVED, by=[user], actor=user)
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


def _process_admins(ex: Execution) -> list[str]:
    configured = ex.definition.extensions.get("jw:admin", "")
    named = [a.strip() for a in configured.split(",") if a.strip()]
    return named or ex.admins()


def _nobody(ex: Execution, token: Token, node: Node) -> None:
    """The node's empty-approver rule: fail (default), pass, admin or reject; each leaves a history row."""
    label = node.name or node.id
    rule = node.empty_approver
    reason = f'no approver found for "{label}" ({describe_approver(node)})'
    if rule == "pass":
        ex.record("auto_approved", None, node_id=node.id, details={"reason": reason, "rule": rule})
        finish_node(ex, token, node, APPROVED, by=[], actor=None)
        return
    if rule == "reject":
        ex.record("auto_rejected", None, node_id=node.id, details={"reason": reason, "rule": rule})
        ex.end(REJECTED, reason=reason)
        return
    admins = _process_admins(ex) if rule == "admin" else []
    if admins:
        ex.record("assigned_to_admin", None, node_id=node.id, details={"reason": reason, "admin": admins[0]})
        token.status = WAITING
        ex.create_task(token, node, admins)
        return
    if ex.starting:  # refusing the start is the clearest answer: nothing exists yet
        raise NoApprover(reason, details={"node_id": node.id, "strategy": node.approver.strategy})
    # Later in the instance the person who just acted must not get an error about a step they do not
    # own: the step waits, the history says why, and the admins are told to jump or reassign.
    told = _process_admins(ex)
    ex.record("no_approver", None, node_id=node.id, details={"reason": reason, "rule": rule})
    ex.emit("instance.stuck", {"node_id": node.id, "reason": reason, "recipients": [*told, ex.starter]})
    token.status = WAITING


def _enter_multi(ex: Execution, token: Token, node: Node, mi: MultiInstance) -> None:
    variables = ex.variables(token)
    items: list[Any]
    auto: dict[str, str] = {}
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
        if node.dedupe:
            auto = already_answered(ex, token, node, items)
    if len(items) > MAX_INSTANCES:
        raise InvalidInput(f'"{node.id}" would create {len(items)} task instances (at most {MAX_INSTANCES})')
    if not items:
        ex.record("skipped", None, node_id=node.id, details={"reason": "no multi-instance items"})
        ex.leave(token, ex.matching_flows(node, token, first_only=False))
        return
    token.status = WAITING
    token.mi = MultiInstanceState(total=len(items))
    if auto:
        for user, why in auto.items():
            ex.record("auto_approved", None, node_id=node.id, details={"approver": user, "reason": why})
        state = token.mi
        state.completed = state.approved = len(auto)
        state.by = list(auto)
        items = [i for i in items if i not in auto]
        decided = _node_verdict(node, state)
        if decided is not None:
            finish_node(ex, token, node, decided, by=state.by, actor=None)
            return
    if mi.sequential:
        token.mi.items = items
        token.mi.next_index = 1
        _create_instance(ex, token, node, items[0], 0)
    else:
        for index, item in enumerate(items):
            _create_instance(ex, token, node, item, index)


def _node_verdict(node: Node, state: MultiInstanceState) -> str | None:
    if node.approval is not None:
        return verdict(node.approval, state)
    return APPROVED if state.completed >= state.total else None


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
            admins = _process_admins(ex) if node.empty_approver == "admin" else []
            if not admins:
                label = f'instance {index} of "{node.name or node.id}"'
                raise NoApprover(f"no approver found for {label} ({describe_approver(node)})")
            people = admins[:1]
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
    """Record one person's decision on a task and move the token when the node is done."""
    state = ex.state
    role = state.meta.get(task_id) if state.meta else None
    if role is not None and role["kind"] == "delegate":
        answer_for_owner(
            ex, token, node, task_id=task_id, mi_index=mi_index, outcome=outcome, actor=actor, comment=comment
        )
        return
    state.undo = checkpoint(ex, task_id=task_id, actor=actor, node_id=node.id)
    ex.close_task(task_id, "completed", outcome=outcome, by=actor, comment=comment)
    token.tasks.remove(task_id)
    state.decided += 1
    details: dict[str, Any] = {"comment": comment} if comment else {}
    if role is not None:
        details["as"] = role["kind"]
    ex.record(outcome, actor, node_id=node.id, task_id=task_id, details=details)
    if state.slots:
        settled = settle_slot(ex, token, mi_index=mi_index, task_id=task_id, outcome=outcome, actor=actor)
        if settled is None:
            return  # the slot waits for more signers
        outcome, by = settled
    else:
        by = [actor] if outcome == APPROVED else []
    conclude(ex, token, node, mi_index=mi_index, outcome=outcome, by=by, actor=actor)


def conclude(
    ex: Execution, token: Token, node: Node, *, mi_index: int | None, outcome: str, by: list[str], actor: str
) -> None:
    """One instance (slot) of the node is settled: count it and finish the node when it is decided."""
    state = token.mi
    if state is None:
        finish_node(ex, token, node, outcome, by=by, actor=actor)
        return
    state.completed += 1
    if outcome == APPROVED:
        state.approved += 1
        state.by.extend(by)
    else:
        state.rejected += 1
    if node.approval is None:
        _plain_multi(ex, token, node, mi_index=mi_index, outcome=outcome, actor=actor)
        return
    settle_node(ex, token, node, actor=actor)


def settle_node(ex: Execution, token: Token, node: Node, *, actor: str) -> None:
    """Finish a node with an approval mode if its verdict is in, else open the next sequential task."""
    state = token.mi
    assert state is not None and node.approval is not None
    decided = verdict(node.approval, state)
    if decided is None:
        _next_in_sequence(ex, token, node)
        return
    _cancel_rest(ex, token, f"decided by {actor}", by=actor)
    finish_node(ex, token, node, decided, by=state.by, actor=actor)


def _plain_multi(
    ex: Execution, token: Token, node: Node, *, mi_index: int | None, outcome: str, actor: str
) -> None:
    """BPMN multi-instance without jw:approvalMode: every instance, or the completion condition."""
    state = token.mi
    mi = node.multi_instance
    assert state is not None and mi is not None
    if outcome == REJECTED and node.on_reject != "continue":
        _cancel_rest(ex, token, f"rejected by {actor}")
        finish_node(ex, token, node, REJECTED, by=[], actor=actor)
        return
    ex.data["approved"] = outcome == APPROVED
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
        _cancel_rest(ex, token, "the multi-instance node completed")
        finish_node(ex, token, node, outcome, by=state.by, actor=actor)
    else:
        _next_in_sequence(ex, token, node)


def _next_in_sequence(ex: Execution, token: Token, node: Node) -> None:
    state = token.mi
    mi = node.multi_instance
    if state is None or mi is None or not mi.sequential or state.items is None or token.tasks:
        return
    if state.next_index < len(state.items):
        index = state.next_index
        state.next_index += 1
        _create_instance(ex, token, node, state.items[index], index)


def _cancel_rest(ex: Execution, token: Token, reason: str, *, by: str | None = None) -> None:
    """Close the node's other open tasks; with ``by`` they read "decided by X" (or-sign, votes)."""
    for other in token.tasks:
        ex.close_task(other, "cancelled", by=by, comment=reason if by else None, reason=reason)
    token.tasks = []


def finish_node(
    ex: Execution, token: Token, node: Node, outcome: str, *, by: list[str], actor: str | None
) -> None:
    """The node is decided: end, return or flow on as it is configured."""
    ex.data["approved"] = outcome == APPROVED
    if ex.state.slots:
        ex.state.drop_slots(token.id)
    if outcome == REJECTED and node.on_reject == "end":
        ex.end(REJECTED, reason=f'rejected by {actor} at "{node.name or node.id}"', actor=actor)
        return
    if outcome == REJECTED and node.on_reject == "return" and actor is not None:
        _cancel_rest(ex, token, f"rejected by {actor}")
        send_back(ex, token, node, actor=actor, target=PREVIOUS, comment=None)
        return
    if token.tasks:
        _cancel_rest(ex, token, f"decided by {actor}")
    token.mi = None
    record_step(ex, token, node, by)
    if outcome == APPROVED and node.cc:
        copy_configured(ex, token, node, by=actor)
    if ex.state.returns and resume_after(ex, token, node):
        return
    ex.leave(token, ex.matching_flows(node, token, first_only=False))


__all__ = ["APPROVED", "UserTask", "conclude", "decide", "describe_approver", "finish_node", "settle_node"]
