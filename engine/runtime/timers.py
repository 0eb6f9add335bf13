"""Timers in the token runtime: arming jobs when a token waits, and what a fired timer does.

- A token that comes to wait on an activity with boundary timers, or on a user task with a
  ``jw:timeout``, arms one job per timer (``Token.timers`` keeps their ids). When the token
  leaves or is cancelled, ``Execution.departing`` / ``cancel_token`` disarm them in the same
  transaction, so a timer never fires for a step that is already done.
- An intermediate timer catch event: the token waits until its job fires.
- A fired timer is its own command (``engine/automation/commands.py``); the functions here
  move the tokens inside it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from engine.jobs.model import TASK_REMINDER, TASK_TIMEOUT, TIMER
from engine.model import Node
from engine.runtime.effects import NewJob
from engine.runtime.execution import Behaviour, Execution
from engine.runtime.state import ACTIVE, WAITING, Token
from engine.timers.calendar import DEFAULT_CALENDAR, BusinessCalendar
from engine.timers.deadline import Deadline
from engine.timers.spec import Due, TimerSpec, next_due

TIMER_ACTOR = "jingwei:timer"  # who history says acted when a timeout decides


class Watched:
    """Wraps a behaviour: runs the node's enter rules first, arms its timers once the token waits."""

    def __init__(self, inner: Behaviour) -> None:
        self.inner = inner
        self.retry_join = getattr(inner, "retry_join", None)

    def enter(self, ex: Execution, token: Token, node: Node) -> None:
        if ex.definition.rules is not None:
            ex.definition.rules.on_enter(ex, token, node)
        self.inner.enter(ex, token, node)
        if (node.boundaries or isinstance(node.automation, Deadline)) and _waits_on(ex, token, node):
            arm_activity(ex, token, node)


def _waits_on(ex: Execution, token: Token, node: Node) -> bool:
    return token.id in ex.state.tokens and token.node == node.id and token.status == WAITING


def calendar_of(ex: Execution, name: str | None) -> BusinessCalendar | None:
    if name is None:
        return None
    return ex.lookups.calendar(name) if ex.lookups is not None else DEFAULT_CALENDAR


def arm(ex: Execution, token: Token, *, kind: str, due: Due, node_id: str, payload: dict[str, Any]) -> NewJob:
    job = NewJob(ex.ids(), kind, due.at, {**payload, "cycle": due.cycle}, token_id=token.id, node_id=node_id)
    token.timers.append(job.id)
    ex.effects.new_jobs.append(job)
    return job


def first_due(ex: Execution, token: Token, spec: TimerSpec) -> Due:
    return spec.first_due(ex.now, ex.variables(token), calendar_of(ex, spec.calendar))


def arm_activity(ex: Execution, token: Token, node: Node) -> None:
    for boundary_id in node.boundaries:
        boundary = ex.definition.nodes[boundary_id]
        due = first_due(ex, token, boundary.timer)
        arm(ex, token, kind=TIMER, due=due, node_id=boundary_id, payload={"activity": node.id})
    deadline = node.automation
    if isinstance(deadline, Deadline):
        due = first_due(ex, token, deadline.timeout)
        arm(ex, token, kind=TASK_TIMEOUT, due=due, node_id=node.id, payload={"action": deadline.action})
        if deadline.remind_before is not None:
            at = deadline.remind_before.subtract_from(due.at)
            if at > ex.now:
                arm(
                    ex,
                    token,
                    kind=TASK_REMINDER,
                    due=Due(at),
                    node_id=node.id,
                    payload={"deadline": str(due.at)},
                )


class BoundaryEvent:
    """Reached only when its timer fires (``fire_boundary``); then it leaves along its flows."""

    def enter(self, ex: Execution, token: Token, node: Node) -> None:
        ex.leave(token, ex.matching_flows(node, token, first_only=False))


class IntermediateTimer:
    """The token waits until the timer's job fires (``fire_intermediate``)."""

    def enter(self, ex: Execution, token: Token, node: Node) -> None:
        token.status = WAITING
        arm(ex, token, kind=TIMER, due=first_due(ex, token, node.timer), node_id=node.id, payload={})


def rearm(
    ex: Execution,
    token: Token,
    *,
    kind: str,
    node_id: str,
    payload: dict[str, Any],
    cycle: dict[str, Any] | None,
    previous: datetime,
    calendar: str | None,
) -> None:
    """The next occurrence of a cycle, counted from the previous due time (no drift)."""
    if cycle is None:
        return
    due = next_due(cycle, previous, calendar_of(ex, calendar))
    if due is not None:
        rest = {k: v for k, v in payload.items() if k not in ("cycle", "schema_version")}
        arm(ex, token, kind=kind, due=due, node_id=node_id, payload=rest)


def fire_boundary(
    ex: Execution, token: Token, boundary: Node, job_id: str, payload: dict[str, Any], due_at: datetime
) -> None:
    token.timers.remove(job_id)
    activity = boundary.attached_to
    ex.record(
        "timer_fired",
        None,
        node_id=boundary.id,
        details={"activity": activity, "interrupting": boundary.cancel_activity},
    )
    if boundary.cancel_activity:
        scope = token.scope
        ex.cancel_token(token, f'timer "{boundary.name or boundary.id}" fired')
    else:
        scope = token.scope
        rearm(
            ex,
            token,
            kind=TIMER,
            node_id=boundary.id,
            payload=payload,
            cycle=payload.get("cycle"),
            previous=due_at,
            calendar=boundary.timer.calendar if boundary.timer else None,
        )
    ex.schedule(ex.state.new_token(boundary.id, scope))
    ex.run()


def fire_intermediate(ex: Execution, token: Token, node: Node, job_id: str) -> None:
    token.timers.remove(job_id)
    token.status = ACTIVE
    ex.record("timer_fired", None, node_id=node.id)
    ex.leave(token, ex.matching_flows(node, token, first_only=False))
    ex.run()


__all__ = [
    "TIMER_ACTOR",
    "BoundaryEvent",
    "IntermediateTimer",
    "Watched",
    "arm",
    "arm_activity",
    "calendar_of",
    "fire_boundary",
    "fire_intermediate",
    "rearm",
]
