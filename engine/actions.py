"""The task actions of ``ProcessEngine.act``: one table from verb to who may do it and what it does.

Verbs (the CLI's ``jingwei act TASK ACTION``): approve, reject, return, transfer, delegate,
add-signer, remove-signer, cc, comment, take-back, resubmit. The engine's ``act`` loads the
task and instance, calls ``perform`` inside the command's transaction and writes the effects;
a refused action raises before anything is written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from engine.admins import is_admin
from engine.errors import Conflict, InvalidInput, NotAllowed, NotFound
from engine.forms import CompiledForm, check_writable
from engine.model import Node, ProcessDefinition
from engine.org import Directory
from engine.runtime import Execution, InstanceState, Token, decide
from engine.runtime.cc import copy_to
from engine.runtime.delegation import delegate, transfer
from engine.runtime.returns import is_resubmit_task, resubmit, send_back
from engine.runtime.signers import add_signers, remove_signers
from engine.runtime.take_back import Reopen, closed_since, take_back
from engine.runtime.user_tasks import conclude
from engine.store.instances import InstanceRecord, TaskRecord, tasks_by_id

MAX_PEOPLE = 50


@dataclass(slots=True)
class ActionRequest:
    action: str
    actor: str
    comment: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    to: list[str] = field(default_factory=list)
    node: str | None = None
    position: str | None = None


@dataclass(slots=True)
class ActionContext:
    conn: sa.Connection
    directory: Directory
    definition: ProcessDefinition
    rec: InstanceRecord
    task: TaskRecord
    state: InstanceState
    ex: Execution
    req: ActionRequest
    form: CompiledForm | None

    @property
    def node(self) -> Node:
        return self.definition.nodes[self.task.node_id]

    def token(self) -> Token:
        token = self.state.tokens.get(self.task.token_id)
        if token is None or self.task.id not in token.tasks:
            raise Conflict(f'task "{self.task.id}" is no longer waiting for a decision')
        return token

    def people(self, *, one: bool = False) -> list[str]:
        """``--to``: known, active users, not the actor; exactly one when ``one``."""
        wanted = list(dict.fromkeys(p.strip() for p in self.req.to if p.strip()))
        verb = self.req.action
        if not wanted:
            raise InvalidInput(f"{verb} needs --to USER", details={"field": "to"})
        if one and len(wanted) > 1:
            raise InvalidInput(f"{verb} takes one person in --to, not {len(wanted)}", details={"field": "to"})
        if len(wanted) > MAX_PEOPLE:
            raise InvalidInput(f"{verb} takes at most {MAX_PEOPLE} people", details={"field": "to"})
        active = self.directory.active_users(wanted)
        missing = [p for p in wanted if p not in active]
        if missing:
            raise NotFound(
                f"not an active user: {', '.join(missing)}", details={"field": "to", "unknown": missing}
            )
        if verb != "cc" and self.req.actor in wanted:
            raise InvalidInput(f"{verb}: --to names yourself ({self.req.actor})", details={"field": "to"})
        return wanted


Handler = Callable[[ActionContext], None]


@dataclass(frozen=True, slots=True)
class Action:
    run: Handler
    who: str  # "holder": holds the open task; "reader": may read the instance; "decider"; "starter"
    data: bool = False  # takes --data (form fields)
    open_task: bool = True


def _decide(outcome: str) -> Handler:
    def run(ctx: ActionContext) -> None:
        token = ctx.token()
        decide(
            ctx.ex,
            token,
            ctx.node,
            task_id=ctx.task.id,
            mi_index=ctx.task.mi_index,
            outcome=outcome,
            actor=ctx.req.actor,
            comment=ctx.req.comment,
        )

    return run


def _return(ctx: ActionContext) -> None:
    token = ctx.token()
    ctx.ex.close_task(ctx.task.id, "completed", outcome="returned", by=ctx.req.actor, comment=ctx.req.comment)
    token.tasks.remove(ctx.task.id)
    send_back(ctx.ex, token, ctx.node, actor=ctx.req.actor, target=ctx.req.node, comment=ctx.req.comment)


def _transfer(ctx: ActionContext) -> None:
    (to,) = ctx.people(one=True)
    transfer(
        ctx.ex,
        ctx.token(),
        ctx.node,
        task_id=ctx.task.id,
        mi_index=ctx.task.mi_index,
        name=ctx.task.name,
        holder=ctx.req.actor,
        to=to,
        actor=ctx.req.actor,
        comment=ctx.req.comment,
    )


def _delegate(ctx: ActionContext) -> None:
    (to,) = ctx.people(one=True)
    delegate(
        ctx.ex,
        ctx.token(),
        ctx.node,
        task_id=ctx.task.id,
        mi_index=ctx.task.mi_index,
        name=ctx.task.name,
        to=to,
        actor=ctx.req.actor,
        comment=ctx.req.comment,
    )


def _not_for_delegates(ctx: ActionContext) -> None:
    role = ctx.state.meta.get(ctx.task.id)
    if role is not None and role["kind"] == "delegate":
        raise NotAllowed(
            f"a delegated task can only be answered (approve or reject) or transferred, not {ctx.req.action}"
        )


def _add_signer(ctx: ActionContext) -> None:
    _not_for_delegates(ctx)
    people = ctx.people()
    token = ctx.token()
    settled = add_signers(
        ctx.ex,
        token,
        ctx.node,
        task_id=ctx.task.id,
        mi_index=ctx.task.mi_index,
        name=ctx.task.name,
        actor=ctx.req.actor,
        people=people,
        position=(ctx.req.position or "after").strip(),
        comment=ctx.req.comment,
    )
    if settled is not None:
        conclude(
            ctx.ex,
            token,
            ctx.node,
            mi_index=ctx.task.mi_index,
            outcome=settled[0],
            by=settled[1],
            actor=ctx.req.actor,
        )


def _remove_signer(ctx: ActionContext) -> None:
    wanted = [p.strip() for p in ctx.req.to if p.strip()]
    if not wanted:
        raise InvalidInput("remove-signer needs --to USER", details={"field": "to"})
    token = ctx.token()
    admin = is_admin(ctx.directory, ctx.definition, ctx.req.actor)
    settled = remove_signers(
        ctx.ex, token, ctx.node, mi_index=ctx.task.mi_index, actor=ctx.req.actor, people=wanted, admin=admin
    )
    if settled is not None:
        conclude(
            ctx.ex,
            token,
            ctx.node,
            mi_index=ctx.task.mi_index,
            outcome=settled[0],
            by=settled[1],
            actor=ctx.req.actor,
        )


def _cc(ctx: ActionContext) -> None:
    ctx.token()
    people = ctx.people()
    copy_to(ctx.ex, people, by=ctx.req.actor, node_id=ctx.task.node_id)


def _comment(ctx: ActionContext) -> None:
    text = (ctx.req.comment or "").strip()
    if not text:
        raise InvalidInput("a comment needs text: --comment TEXT", details={"field": "comment"})
    ctx.ex.record(
        "commented", ctx.req.actor, node_id=ctx.task.node_id, task_id=ctx.task.id, details={"comment": text}
    )
    ctx.ex.emit(
        "instance.commented", {"by": ctx.req.actor, "comment": text, "recipients": []}, task_id=ctx.task.id
    )


def _take_back(ctx: ActionContext) -> None:
    point = ctx.state.undo
    task = ctx.task
    if ctx.rec.status != "running":
        raise Conflict(f'instance "{ctx.rec.id}" is already {ctx.rec.status}; nothing to take back')
    if point is None or point["task"] != task.id:
        raise Conflict(
            f'the decision on task "{task.id}" can no longer be taken back: the next step has already acted'
        )
    reopen: dict[str, Reopen] = {}
    for rec in tasks_by_id(ctx.conn, closed_since(ctx.ex, point)):
        people = [rec.assignee] if rec.assignee else rec.candidates
        reopen[rec.id] = Reopen(people=people, mi_index=rec.mi_index, name=rec.name)
    take_back(ctx.ex, point, actor=ctx.req.actor, reopen=reopen)


def _resubmit(ctx: ActionContext) -> None:
    resubmit(ctx.ex, ctx.token(), task_id=ctx.task.id, actor=ctx.req.actor, comment=ctx.req.comment)


ACTION_TABLE: dict[str, Action] = {
    "approve": Action(_decide("approved"), "holder", data=True),
    "reject": Action(_decide("rejected"), "holder", data=True),
    "return": Action(_return, "holder"),
    "transfer": Action(_transfer, "holder"),
    "delegate": Action(_delegate, "holder"),
    "add-signer": Action(_add_signer, "holder"),
    "remove-signer": Action(_remove_signer, "signer-owner"),
    "cc": Action(_cc, "holder"),
    "comment": Action(_comment, "reader", open_task=False),
    "take-back": Action(_take_back, "decider", open_task=False),
    "resubmit": Action(_resubmit, "starter", data=True),
}
ACTIONS = tuple(ACTION_TABLE)
# what a resubmit task (the starter's, after a return) and a delegate's task accept
_RESUBMIT_ONLY = frozenset({"resubmit", "comment"})
_DELEGATE_ONLY = frozenset({"approve", "reject", "transfer", "comment"})


def lookup(action: str) -> Action:
    found = ACTION_TABLE.get(action)
    if found is None:
        raise InvalidInput(
            f'unknown action "{action}"; use one of: {", ".join(ACTIONS)}', details={"field": "action"}
        )
    return found


def perform(ctx: ActionContext, spec: Action, readers: Callable[[], bool]) -> None:
    """Check who may do it, check and apply the form data, then run the action."""
    _check_actor(ctx, spec, readers)
    task = ctx.task
    resubmit_task = is_resubmit_task(ctx.ex, task.node_id)
    if resubmit_task and ctx.req.action not in _RESUBMIT_ONLY:
        raise InvalidInput(f'task "{task.id}" asks the starter to resubmit; use resubmit (or withdraw)')
    if not resubmit_task and ctx.req.action == "resubmit":
        raise InvalidInput(f'task "{task.id}" is not waiting for a resubmission')
    role = ctx.state.meta.get(task.id) if ctx.state.meta else None
    if role is not None and role["kind"] == "delegate" and ctx.req.action not in _DELEGATE_ONLY:
        raise NotAllowed(
            f"a delegated task can only be answered (approve or reject) or transferred, not {ctx.req.action}"
        )
    if ctx.req.data:
        if not spec.data:
            raise InvalidInput(f'"{ctx.req.action}" does not take --data', details={"field": "data"})
        _apply_data(ctx, resubmit_task)
    spec.run(ctx)


def _apply_data(ctx: ActionContext, resubmitting: bool) -> None:
    values = ctx.req.data
    node = ctx.node
    if not resubmitting and (ctx.form is not None or node.field_permissions):
        check_writable(node, values)
    merged = {**ctx.rec.data, **values}
    if ctx.form is not None:
        ctx.form.validate(values, merged=merged, partial=not resubmitting, directory=ctx.directory)
    record_data_change(ctx.ex, ctx.rec.data, values, actor=ctx.req.actor, node_id=ctx.task.node_id)


def record_data_change(
    ex: Execution, data: dict[str, Any], values: dict[str, Any], *, actor: str, node_id: str | None
) -> None:
    """Apply submitted values; a ``data_changed`` history row keeps what changed (版本回溯)."""
    changes = {k: v for k, v in values.items() if k not in data or data[k] != v}
    ex.data_before.update({k: data[k] for k in changes if k in data and k not in ex.data_before})
    ex.data_added.extend(k for k in changes if k not in data and k not in ex.data_added)
    data.update(values)
    if changes:
        ex.record("data_changed", actor, node_id=node_id, details={"changes": changes})


def _check_actor(ctx: ActionContext, spec: Action, readers: Callable[[], bool]) -> None:
    task, actor = ctx.task, ctx.req.actor
    holder = actor == task.assignee or actor in task.candidates
    if spec.open_task and task.status != "open":
        by = f" by {task.completed_by}" if task.completed_by else ""
        word = "decided" if task.status == "cancelled" and task.completed_by else task.status
        raise Conflict(f'task "{task.id}" was already {word}{by}')
    if spec.who in ("holder", "starter") and holder:
        return
    if spec.who == "signer-owner" and (holder or _added_by(ctx, actor)):
        return
    if spec.who == "reader" and (holder or actor == ctx.rec.starter or actor in ctx.state.cc or readers()):
        return
    if spec.who == "decider":
        if (
            task.status == "completed"
            and task.completed_by == actor
            and task.outcome in ("approved", "rejected")
        ):
            return
        if ctx.directory.user(actor) is not None:
            raise NotAllowed(f'{actor} did not decide task "{task.id}", so there is nothing to take back')
    if ctx.directory.user(actor) is None:
        raise NotFound(f'unknown user "{actor}"')
    if spec.who == "signer-owner" and is_admin(ctx.directory, ctx.definition, actor):
        return
    if actor in ctx.state.cc:
        raise NotAllowed(f"{actor} was copied on this request and can read and comment, not {ctx.req.action}")
    raise NotAllowed(f'{actor} is not an approver of task "{task.id}"')


def _added_by(ctx: ActionContext, actor: str) -> bool:
    return any(role.get("added_by") == actor for role in ctx.state.meta.values()) or any(
        entry.get("by") == actor
        for slot in ctx.state.slots.values()
        for stage in slot["queue"]
        for entry in stage
    )


__all__ = [
    "ACTIONS",
    "ACTION_TABLE",
    "Action",
    "ActionContext",
    "ActionRequest",
    "lookup",
    "perform",
    "record_data_change",
]
