"""Assignee strategies: who a user task goes to, from an ``ApproverSpec`` and the directory.

``[]`` means the strategy legitimately found nobody (no department head, an empty or unknown
role, an empty form field); the runtime then applies the node's empty-approver rule.
``NoApprover`` is raised only when people are named who do not exist or have left, because
that is a mistake to fix, not an empty slot to fill.

Strategies that follow the org structure (``role``, ``dept_head``, ``manager``) drop inactive
people; strategies that name people (``user``, ``field``, ``expression``) refuse them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from engine.errors import InvalidInput, NoApprover, NotFound
from engine.model import ApproverSpec
from engine.org.directory import Directory, User

STRATEGIES = ("user", "role", "dept_head", "manager", "starter", "field", "expression", "decision", "none")


@dataclass(frozen=True, slots=True)
class _Context:
    starter: str
    data: Mapping[str, Any]
    directory: Directory
    variables: Mapping[str, Any] | None


def _known_starter(ctx: _Context) -> User:
    try:
        return ctx.directory.require_user(ctx.starter)
    except NotFound as exc:
        raise NoApprover(f'starter "{ctx.starter}" is not in the directory') from exc


def _ids(arg: Any, what: str) -> list[str]:
    """A strategy argument that is one id or a list of ids."""
    if arg is None:
        return []
    if isinstance(arg, str):
        return [arg]
    if isinstance(arg, list | tuple) and all(isinstance(i, str) for i in arg):
        return list(arg)
    raise InvalidInput(f"{what} must be an id or a list of ids, got {arg!r}")


def _people(value: Any) -> list[str] | None:
    """A field or expression value as user ids; None if it is not shaped like one."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value.strip()] if value.strip() else []
    if isinstance(value, Mapping):
        value = [value]
    if isinstance(value, list | tuple):
        # A user picker may hand over {"id": ..., "name": ...} objects instead of bare ids.
        ids = [i.get("id") if isinstance(i, Mapping) else i for i in value]
        texts = [i.strip() for i in ids if isinstance(i, str)]
        if len(texts) == len(ids):
            return [i for i in texts if i]
    return None


def _lookup(data: Mapping[str, Any], name: str) -> Any:
    """``data[name]``, or a dotted path into nested objects (``applicant.reviewer``); None if absent."""
    if name in data:
        return data[name]
    value: Any = data
    for part in name.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return value


def _quoted(ids: Iterable[str]) -> str:
    return ", ".join(f'"{i}"' for i in ids)


def _not_active(ids: list[str], directory: Directory) -> list[str]:
    """The ids that are unknown or inactive, in order."""
    active = directory.active_users(ids)
    return [i for i in dict.fromkeys(ids) if i not in active]


def _names(ids: list[str]) -> str:
    """``"x", who is not an active user`` / ``"a", "b", who are not active users``."""
    if len(ids) == 1:
        return f'"{ids[0]}", who is not an active user'
    return f"{_quoted(ids)}, who are not active users"


def _user(spec: ApproverSpec, ctx: _Context) -> list[str]:
    ids = _ids(spec.arg, "the user strategy's argument")
    missing = _not_active(ids, ctx.directory)
    if len(missing) == 1:
        raise NoApprover(f'approver "{missing[0]}" is not an active user')
    if missing:
        raise NoApprover(f"approvers {_quoted(missing)} are not active users")
    return ids


def _role(spec: ApproverSpec, ctx: _Context) -> list[str]:
    # An unknown role is an empty one here (a role is not a person); catch typos at deploy time.
    return ctx.directory.role_members(_ids(spec.arg, "the role strategy's argument"))


def _dept_head(spec: ApproverSpec, ctx: _Context) -> list[str]:
    directory = ctx.directory
    if spec.arg is None:
        # The starter's department head; a head's own approval goes to the parent's head.
        starter = _known_starter(ctx)
        dept = directory.department(starter.department_id) if starter.department_id else None
        if dept is None:
            return []
        head = dept.head_id
        if head == starter.id:
            head = directory.department_head(dept.parent_id) if dept.parent_id else None
    else:
        if not isinstance(spec.arg, str):
            raise InvalidInput(f"the dept_head strategy's argument must be a department id, got {spec.arg!r}")
        head = directory.department_head(spec.arg)  # an unknown department has no head
    return [head] if head and directory.active_users([head]) else []


def _manager(spec: ApproverSpec, ctx: _Context) -> list[str]:
    level = 1 if spec.arg is None else spec.arg
    if isinstance(level, str) and level.strip().isdigit():
        level = int(level)
    if not isinstance(level, int) or isinstance(level, bool) or level < 1:
        raise InvalidInput(f"the manager strategy's level must be a whole number ≥ 1, got {spec.arg!r}")
    _known_starter(ctx)
    chain = ctx.directory.manager_chain(ctx.starter, level)
    if len(chain) < level:
        return []  # the org is not that deep above the starter
    boss = chain[-1]
    return [boss] if ctx.directory.active_users([boss]) else []


def _starter(spec: ApproverSpec, ctx: _Context) -> list[str]:
    # The starter has just acted, so no lookup: this strategy stays query-free.
    return [ctx.starter]


def _field(spec: ApproverSpec, ctx: _Context) -> list[str]:
    name = spec.arg
    if not isinstance(name, str) or not name:
        raise InvalidInput(f"the field strategy's argument must be a field name, got {name!r}")
    value = _lookup(ctx.data, name)
    ids = _people(value)
    if ids is None:
        raise NoApprover(f'field "{name}" holds {value!r}, not a user id or a list of user ids')
    if not ids:
        return []
    missing = _not_active(ids, ctx.directory)
    if missing:
        raise NoApprover(f'field "{name}" names {_names(missing)}')
    return ids


def _expression(spec: ApproverSpec, ctx: _Context) -> list[str]:
    expression = spec.arg
    if not callable(getattr(expression, "evaluate", None)):
        raise InvalidInput(f"the expression strategy needs a compiled expression, got {expression!r}")
    variables = {**ctx.data, **(ctx.variables or {}), "starter": ctx.starter}
    value = expression.evaluate(variables)
    source = getattr(expression, "source", "?")
    ids = _people(value)
    if ids is None:
        raise NoApprover(f"expression {source!r} gave {value!r}, not a user id or a list of user ids")
    if not ids:
        return []
    missing = _not_active(ids, ctx.directory)
    if missing:
        raise NoApprover(f"expression {source!r} names {_names(missing)}")
    return ids


def _decision(spec: ApproverSpec, ctx: _Context) -> list[str]:
    """``decision:KEY``: the first output of the table's matched rules names the approver(s)."""
    from engine.decisions.store import latest_table  # decisions sit above the org layer

    table = latest_table(ctx.directory.conn, str(spec.arg))
    variables = {**ctx.data, **(ctx.variables or {}), "starter": ctx.starter}
    found: list[str] = []
    for row in table.evaluate(variables):
        value = next(iter(row.values()), None) if row else None
        ids = _people(value)
        if ids is None:
            raise NoApprover(f'decision "{spec.arg}" gave {value!r}, not a user id or a list of user ids')
        found.extend(ids)
    missing = _not_active(found, ctx.directory) if found else []
    if missing:
        raise NoApprover(f'decision "{spec.arg}" names {_names(missing)}')
    return found


def _none(spec: ApproverSpec, ctx: _Context) -> list[str]:
    return []


_STRATEGIES: dict[str, Callable[[ApproverSpec, _Context], list[str]]] = {
    "user": _user,
    "role": _role,
    "dept_head": _dept_head,
    "manager": _manager,
    "starter": _starter,
    "field": _field,
    "expression": _expression,
    "decision": _decision,
    "none": _none,
}


def resolve_approvers(
    spec: ApproverSpec,
    *,
    starter: str,
    data: Mapping[str, Any],
    directory: Directory,
    variables: Mapping[str, Any] | None = None,
) -> list[str]:
    """The user ids ``spec`` names for an instance started by ``starter``: de-duplicated, in order."""
    strategy = _STRATEGIES.get(spec.strategy)
    if strategy is None:
        raise InvalidInput(f'unknown approver strategy "{spec.strategy}"; use one of {", ".join(STRATEGIES)}')
    return list(dict.fromkeys(strategy(spec, _Context(starter, data, directory, variables))))


__all__ = ["STRATEGIES", "resolve_approvers"]
