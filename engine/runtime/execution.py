"""Moving tokens through one process definition until every token waits.

``Execution`` is the context a command runs in: the compiled definition, the instance
state and data, the clock and id factory, and the ``Effects`` it collects. It does no
I/O: finding approvers goes through the injected ``ApproverResolver``; the store writes
the effects afterwards, in the same transaction as the instance row.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, Protocol

from engine.clock import IdFactory
from engine.errors import ExpressionError, InvalidInput
from engine.model import ApproverSpec, CompiledExpression, Node, ProcessDefinition, SequenceFlow
from engine.runtime.effects import Effects, HistoryEntry, NewTask, OutboxEvent, TaskClosed
from engine.runtime.state import ACTIVE, InstanceState, Token

ApproverResolver = Callable[[Node, Mapping[str, Any]], list[str]]
PeopleResolver = Callable[[ApproverSpec, Mapping[str, Any]], list[str]]  # jw:cc and other non-task specs

RUNNING = "running"
COMPLETED = "completed"
REJECTED = "rejected"
WITHDRAWN = "withdrawn"
TERMINATED = "terminated"


class Behaviour(Protocol):
    """What one BPMN element family does when a token arrives."""

    def enter(self, ex: Execution, token: Token, node: Node) -> None: ...


class Execution:
    def __init__(
        self,
        definition: ProcessDefinition,
        state: InstanceState,
        data: dict[str, Any],
        *,
        instance_id: str,
        starter: str,
        actor: str | None,
        now: datetime,
        ids: IdFactory,
        approvers: ApproverResolver,
        behaviours: Mapping[str, Behaviour],
        status: str = RUNNING,
        lookups: Any = None,
        people: PeopleResolver | None = None,
        admins: Callable[[], list[str]] | None = None,
    ) -> None:
        self.definition = definition
        self.state = state
        self.data = data
        self.instance_id = instance_id
        self.starter = starter
        self.actor = actor
        self.now = now
        self.ids = ids
        self.approvers = approvers
        self.behaviours = behaviours
        self.status = status
        # reads besides the instance (decision tables, calendars): engine.lookups.CommandLookups
        self.lookups = lookups
        self.people = people or (lambda spec, variables: [])
        self.admins = admins or (lambda: [])
        self.starting = False  # set by start: an empty approver then refuses the start instead of waiting
        self.saved_state: dict[str, Any] | None = None  # the state JSON as loaded (take-back checkpoints)
        # what the command's form edits replaced: {field: old value}, and fields it added (take-back)
        self.data_before: dict[str, Any] = {}
        self.data_added: list[str] = []
        self.effects = Effects()
        self._agenda: deque[Token] = deque()

    # --- running -------------------------------------------------------------

    def run(self) -> None:
        """Advance every active token until all of them wait (or the instance ends)."""
        while self.status == RUNNING:
            while self._agenda and self.status == RUNNING:
                token = self._agenda.popleft()
                if token.id not in self.state.tokens:
                    continue  # removed meanwhile (terminate, reject)
                node = self.definition.nodes[token.node]
                self.behaviours[node.kind].enter(self, token, node)
            if self.status != RUNNING or not self._retry_waiting_joins():
                break

    def schedule(self, token: Token) -> None:
        token.status = ACTIVE
        self._agenda.append(token)

    def _retry_waiting_joins(self) -> bool:
        """Inclusive joins may fire once nothing upstream can still arrive."""
        fired = False
        for token in list(self.state.tokens.values()):
            if token.id not in self.state.tokens:
                continue
            node = self.definition.nodes[token.node]
            retry = getattr(self.behaviours[node.kind], "retry_join", None)
            if retry is not None and retry(self, token, node):
                fired = True
        return fired

    # --- moving along flows ------------------------------------------------------

    def variables(self, token: Token | None = None, extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
        scope: dict[str, Any] = dict(self.data)
        scope.setdefault("starter", self.starter)
        scope.setdefault("initiator", self.starter)
        if extra:
            scope.update(extra)
        return scope

    def evaluate(self, expr: CompiledExpression, where: str, variables: Mapping[str, Any]) -> Any:
        try:
            return expr.evaluate(variables)
        except ExpressionError as exc:
            raise InvalidInput(f"{where}: {exc.message}", details={"expression": expr.source}) from exc

    def matching_flows(self, node: Node, token: Token, *, first_only: bool) -> list[SequenceFlow]:
        """Outgoing flows whose condition holds (unconditioned flows always hold), else the default."""
        chosen: list[SequenceFlow] = []
        variables: dict[str, Any] | None = None
        for flow_id in node.outgoing:
            if flow_id == node.default_flow:
                continue
            flow = self.definition.flows[flow_id]
            if flow.condition is not None:
                if variables is None:
                    variables = self.variables(token)
                if not self.evaluate(flow.condition, f'condition of flow "{flow.id}"', variables):
                    continue
            chosen.append(flow)
            if first_only:
                break
        if not chosen and node.default_flow is not None:
            chosen.append(self.definition.flows[node.default_flow])
        if not chosen and node.outgoing:
            raise InvalidInput(
                f'no outgoing flow of {node.kind} "{node.id}" matched and it has no default flow',
                details={"node_id": node.id},
            )
        return chosen

    def leave(self, token: Token, flows: list[SequenceFlow]) -> None:
        """Move the token along the flows: one flow moves it, several fork it."""
        self.departing(token)
        if not flows:
            self.finish_token(token)
            return
        first, *rest = flows
        if rest:
            # each branch starts its own stretch of the return trail (see runtime/returns.py)
            token.since = len(self.state.trail)
        for flow in rest:
            branch = self.state.new_token(flow.target, token.scope, via=flow.id)
            branch.since = token.since
            self.schedule(branch)
        token.node = first.target
        token.via = first.id
        token.mi = None
        self.schedule(token)

    def finish_token(self, token: Token) -> None:
        """A token reached a none end: when its scope is empty, the scope completes."""
        del self.state.tokens[token.id]
        scope = token.scope
        if any(t.scope == scope for t in self.state.tokens.values()):
            return
        if scope is None:
            self.end(COMPLETED)
            return
        parent = self.state.tokens[scope]
        node = self.definition.nodes[parent.node]
        self.leave(parent, self.matching_flows(node, parent, first_only=False))

    # --- ending ----------------------------------------------------------------------

    def cancel_scope(self, scope: str | None, reason: str) -> None:
        """Remove every token of the scope (and nested scopes), cancelling their tasks."""
        for token in [t for t in self.state.tokens.values() if t.scope == scope]:
            self.cancel_token(token, reason)

    def departing(self, token: Token) -> None:
        """The token leaves its node: disarm its timers and run the node's leave rules."""
        if token.timers:
            self.effects.cancelled_jobs.extend(token.timers)
            token.timers = []
        if self.definition.rules is not None:
            self.definition.rules.on_leave(self, token)

    def cancel_token(self, token: Token, reason: str) -> None:
        if token.timers:
            self.effects.cancelled_jobs.extend(token.timers)
            token.timers = []
        self.cancel_scope(token.id, reason)  # a subprocess token owns a nested scope
        for task_id in token.tasks:
            self.close_task(task_id, "cancelled", reason=reason)
        token.tasks = []
        self.state.tokens.pop(token.id, None)
        self.state.returns.pop(token.id, None)
        if self.state.slots:
            self.state.drop_slots(token.id)

    def end(self, status: str, *, reason: str | None = None, actor: str | None = None) -> None:
        if status != COMPLETED:
            self.cancel_scope(None, reason or status)
        self.state.tokens.clear()
        self.status = status
        details: dict[str, Any] = {"status": status}
        if reason:
            details["reason"] = reason
        self.record("ended", actor, details=details)
        self.state.returns.clear()
        self.state.undo = None
        payload: dict[str, Any] = {"status": status, "starter": self.starter, "recipients": [self.starter]}
        if reason:
            payload["reason"] = reason
        self.emit(f"instance.{status}", payload)

    # --- tasks, history, outbox --------------------------------------------------------

    def create_task(
        self,
        token: Token,
        node: Node,
        people: list[str],
        *,
        mi_index: int | None = None,
        name: str | None = None,
    ) -> NewTask:
        assignee = people[0] if len(people) == 1 else None
        candidates = people if len(people) > 1 else []
        task = NewTask(
            id=self.ids(),
            node_id=node.id,
            name=name or node.name or node.id,
            token_id=token.id,
            assignee=assignee,
            candidates=candidates,
            created_at=self.now,
            mi_index=mi_index,
        )
        token.tasks.append(task.id)
        self.effects.new_tasks.append(task)
        details: dict[str, Any] = {"assignee": assignee} if assignee else {"candidates": candidates}
        if mi_index is not None:
            details["loop_counter"] = mi_index
        self.record("task_created", None, node_id=node.id, task_id=task.id, details=details)
        self.emit(
            "task.created",
            {
                "node_id": node.id,
                "name": task.name,
                "assignee": assignee,
                "candidates": candidates,
                "recipients": people,
            },
            task_id=task.id,
        )
        return task

    def close_task(
        self,
        task_id: str,
        status: str,
        *,
        outcome: str | None = None,
        by: str | None = None,
        comment: str | None = None,
        reason: str | None = None,
    ) -> None:
        if status == "completed" and self.definition.rules is not None:
            self.definition.rules.on_task_completed(self, task_id, outcome, by)
        self.effects.closed_tasks.append(
            TaskClosed(id=task_id, status=status, closed_at=self.now, outcome=outcome, by=by, comment=comment)
        )
        if self.state.meta:
            self.state.meta.pop(task_id, None)
        payload: dict[str, Any] = {"status": status, "outcome": outcome, "by": by}
        if reason:
            payload["reason"] = reason
        self.emit(f"task.{status}", payload, task_id=task_id)

    def record(
        self,
        action: str,
        actor: str | None,
        *,
        node_id: str | None = None,
        task_id: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        self.effects.history.append(HistoryEntry(action, actor, node_id, task_id, details or {}))

    def emit(self, topic: str, payload: dict[str, Any], *, task_id: str | None = None) -> None:
        self.effects.outbox.append(OutboxEvent(topic, payload, task_id))


__all__ = [
    "COMPLETED",
    "REJECTED",
    "RUNNING",
    "TERMINATED",
    "WITHDRAWN",
    "ApproverResolver",
    "Behaviour",
    "Execution",
    "PeopleResolver",
]
