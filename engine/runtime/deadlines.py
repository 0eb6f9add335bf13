"""What a user task's timeout does when it fires: remind, escalate, approve or reject.

``jw:timeout`` arms a ``task-timeout`` job when the task opens (``engine/runtime/timers.py``);
``jw:remindBefore`` also arms a ``task-reminder``. Both are cancelled when the node is left.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from engine.jobs.model import TASK_TIMEOUT
from engine.model import Node
from engine.runtime.delegation import task_name, transfer
from engine.runtime.execution import Execution
from engine.runtime.state import Token
from engine.runtime.timers import TIMER_ACTOR, rearm
from engine.runtime.user_tasks import decide
from engine.timers.deadline import Deadline


class OpenTask:
    """What the command read about one open task (from its row)."""

    __slots__ = ("assignee", "id", "mi_index")

    def __init__(self, id: str, assignee: str | None, mi_index: int | None) -> None:
        self.id, self.assignee, self.mi_index = id, assignee, mi_index


def remind_before(ex: Execution, token: Token, node: Node, job_id: str, tasks: dict[str, OpenTask]) -> None:
    token.timers.remove(job_id)
    ex.record("deadline_reminder", None, node_id=node.id, details={"tasks": list(token.tasks)})
    for task_id in token.tasks:
        who = tasks[task_id].assignee if task_id in tasks else None
        ex.emit("task.reminder", {"node_id": node.id, "recipients": [who] if who else []}, task_id=task_id)


def timed_out(
    ex: Execution,
    token: Token,
    node: Node,
    job_id: str,
    payload: dict[str, Any],
    due_at: datetime,
    tasks: dict[str, OpenTask],
) -> None:
    token.timers.remove(job_id)
    deadline = node.automation
    assert isinstance(deadline, Deadline)
    action = deadline.action
    open_ids = list(token.tasks)
    ex.record("timed_out", None, node_id=node.id, details={"action": action, "tasks": open_ids})
    if action == "remind":
        for task_id in open_ids:
            who = tasks[task_id].assignee if task_id in tasks else None
            ex.emit("task.overdue", {"node_id": node.id, "recipients": [who] if who else []}, task_id=task_id)
        rearm(
            ex,
            token,
            kind=TASK_TIMEOUT,
            node_id=node.id,
            payload=payload,
            cycle=payload.get("cycle"),
            previous=due_at,
            calendar=deadline.timeout.calendar,
        )
    elif action == "escalate":
        for task_id in open_ids:
            _escalate(ex, token, node, deadline, tasks.get(task_id) or OpenTask(task_id, None, None))
    else:
        outcome = "approved" if action == "approve" else "rejected"
        for task_id in open_ids:
            if token.id not in ex.state.tokens or task_id not in token.tasks or ex.status != "running":
                break  # the node (or the instance) finished with an earlier decision
            item = tasks.get(task_id) or OpenTask(task_id, None, None)
            decide(
                ex,
                token,
                node,
                task_id=task_id,
                mi_index=item.mi_index,
                outcome=outcome,
                actor=TIMER_ACTOR,
                comment=f"timed out: {action}d automatically",
            )
    ex.run()


def _escalate(ex: Execution, token: Token, node: Node, deadline: Deadline, task: OpenTask) -> None:
    if deadline.escalate_to is None:
        boss = ex.lookups.manager_of(task.assignee) if ex.lookups is not None and task.assignee else None
        targets = [boss] if boss else []
    else:
        targets = ex.people(deadline.escalate_to, ex.variables(token))
    if not targets or targets[0] == task.assignee:
        ex.record(
            "escalation_skipped",
            None,
            node_id=node.id,
            task_id=task.id,
            details={"reason": "nobody to escalate to"},
        )
        return
    transfer(
        ex,
        token,
        node,
        task_id=task.id,
        mi_index=task.mi_index,
        name=task_name(node, task.mi_index),
        holder=task.assignee,
        to=targets[0],
        actor=TIMER_ACTOR,
        reason="timed out",
        action="escalated",
    )


__all__ = ["OpenTask", "remind_before", "timed_out"]
