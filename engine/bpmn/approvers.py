"""How a userTask finds its approvers: ``jw:approver``, vendor attributes, potentialOwner."""

from __future__ import annotations

import re
from xml.etree.ElementTree import Element

from engine.bpmn.namespaces import JINGWEI, attribute, bpmn_children, local_name, vendor_attribute
from engine.bpmn.problems import Problems, quoted
from engine.errors import ExpressionError
from engine.expressions import compile_expression
from engine.model import ApproverSpec

USAGE = (
    "user:ID[,ID], role:ID[,ID], dept-head[:DEPT], manager[:N], starter, field:NAME, decision:KEY "
    "or expr:${...}"
)
# Strategies that can yield several people, so a multi-instance task may take one instance each.
MANY_PEOPLE = frozenset({"user", "role", "field", "expression", "decision"})

_FIELD = re.compile(r"[A-Za-z_][\w-]*(\.[A-Za-z_][\w-]*)*")
_LEVEL = re.compile(r"[0-9]{1,2}")  # ASCII only: str.isdigit() also accepts "²", which int() rejects
_OWNER_TOKEN = re.compile(r"(user|group)\s*\((.*)\)", re.DOTALL)
_OWNER_ROLES = ("potentialOwner", "humanPerformer", "performer")


class _Owner:
    """The element being read, so messages can name it."""

    def __init__(self, task: Element, problems: Problems, label: str = "jw:approver") -> None:
        self.id = task.get("id")
        self.problems = problems
        self.label = label  # the attribute being read, for messages

    def bad(self, message: str) -> ApproverSpec:
        self.problems.add(self.id, "userTask", f"userTask {quoted(self.id)} {message}")
        # a placeholder keeps the later "has no approver" check from reporting the same task twice
        return ApproverSpec("invalid", None)

    def expression(self, label: str, source: str) -> ApproverSpec:
        try:
            return ApproverSpec("expression", compile_expression(source))
        except ExpressionError as error:
            return self.bad(f'has {label}="{source}" that does not parse: {error.message}')


def parse_approver(task: Element, problems: Problems) -> ApproverSpec:
    """The approver spec of ``task``; precedence jw:approver > assignee > candidates > potentialOwner."""
    owner = _Owner(task, problems)
    ours = attribute(task, JINGWEI, "approver")
    if ours is not None and ours.strip():
        return _parse_ours(ours, owner)
    if ours is not None:
        return owner.bad("has an empty jw:approver; use " + USAGE)
    for local in ("assignee", "candidateUsers", "candidateGroups"):
        found = vendor_attribute(task, local)
        if found is not None and found[1].strip():
            return _parse_vendor(local, found[0], found[1].strip(), owner)
    return _parse_potential_owner(task, owner)


def _parse_ours(raw: str, owner: _Owner) -> ApproverSpec:
    kind, colon, rest = raw.strip().partition(":")
    kind = kind.strip().lower()
    rest = rest.strip()
    if kind == "expr" and rest:
        return owner.expression(owner.label, rest)
    if kind in ("user", "role"):
        names = _names(rest)
        if names:
            return ApproverSpec(kind, names)
    elif kind == "dept-head":
        return ApproverSpec("dept_head", rest or None) if (rest or not colon) else _usage(raw, owner)
    elif kind == "manager":
        if not colon:
            return ApproverSpec("manager", 1)
        if _LEVEL.fullmatch(rest) and int(rest) >= 1:
            return ApproverSpec("manager", int(rest))
    elif kind == "starter" and not colon:
        return ApproverSpec("starter", None)
    elif kind == "field" and _FIELD.fullmatch(rest):
        return ApproverSpec("field", rest)
    elif kind == "decision" and _FIELD.fullmatch(rest):
        return ApproverSpec("decision", rest)  # a decision table whose output names the approvers
    return _usage(raw, owner)


def _usage(raw: str, owner: _Owner) -> ApproverSpec:
    return owner.bad(f'has {owner.label}="{raw}"; use {USAGE}')


def parse_approver_text(raw: str, task: Element, problems: Problems, label: str) -> ApproverSpec:
    """One item in ``jw:approver`` syntax read from another attribute (``jw:cc``)."""
    return _parse_ours(raw, _Owner(task, problems, label))


def _parse_vendor(local: str, label: str, value: str, owner: _Owner) -> ApproverSpec:
    if "${" in value or "#{" in value:
        if local == "candidateGroups":
            return owner.bad(f'has {label}="{value}": group expressions are not supported yet')
        return owner.expression(label, value)
    names = _names(value)
    if not names:
        return owner.bad(f'has {label}="{value}" naming nobody')
    if local == "assignee":
        # an assignee is one user id, commas and all
        return ApproverSpec("user", [value])
    return ApproverSpec("role" if local == "candidateGroups" else "user", names)


def _parse_potential_owner(task: Element, owner: _Owner) -> ApproverSpec:
    texts = [text for text in potential_owner_texts(task) if text]
    if not texts:
        return ApproverSpec()
    source = ", ".join(texts)
    if "${" in source or "#{" in source:
        return owner.expression("potentialOwner", source)
    users: list[str] = []
    groups: list[str] = []
    for token in _names(source):
        match = _OWNER_TOKEN.fullmatch(token)
        if match is None:
            groups.append(token)  # Activiti/Flowable read a bare name as a group
        elif match.group(2).strip():
            (users if match.group(1) == "user" else groups).append(match.group(2).strip())
    if users and groups:
        return owner.bad(f'has potentialOwner "{source}" mixing user() and group(): not supported yet')
    if users:
        return ApproverSpec("user", users)
    if groups:
        return ApproverSpec("role", groups)
    return owner.bad(f'has potentialOwner "{source}" naming nobody')


def potential_owner_texts(task: Element) -> list[str]:
    """The formalExpression texts of potentialOwner / humanPerformer / performer."""
    texts: list[str] = []
    for role in bpmn_children(task):
        if local_name(role) not in _OWNER_ROLES:
            continue
        for assignment in bpmn_children(role):
            if local_name(assignment) != "resourceAssignmentExpression":
                continue
            for expression in bpmn_children(assignment):
                texts.append("".join(expression.itertext()).strip())
    return texts


def _names(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


__all__ = ["MANY_PEOPLE", "USAGE", "parse_approver", "parse_approver_text", "potential_owner_texts"]
