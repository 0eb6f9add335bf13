"""Running rules at their events, inside the command (no I/O: connector calls become jobs)."""

from __future__ import annotations

from typing import Any

from engine.errors import Conflict, RuleViolation
from engine.jobs.model import CONNECTOR, START
from engine.model import START_EVENT, Node
from engine.rules.model import Action, Rule, RuleIndex
from engine.runtime.effects import NewJob
from engine.runtime.execution import Execution
from engine.runtime.state import Token
from engine.templates import plain, render_json, render_text, render_value


class RuleSet:
    """The rules of one process version, indexed by event; hooks called by the runtime."""

    def __init__(self, index: RuleIndex) -> None:
        self.index = index

    def lookups(self) -> list[Action]:
        """The ``lookup`` actions of start rules: run before the start command (engine/rules/lookups.py)."""
        return [a for r in self.index.find("start", None) for a in r.actions if a.kind == "lookup"]

    def on_enter(self, ex: Execution, token: Token, node: Node) -> None:
        if node.kind == START_EVENT and node.parent is None:
            self._run(ex, token, self.index.find("start", None), {})
        else:
            self._run(ex, token, self.index.find("enter", node.id), {})

    def on_leave(self, ex: Execution, token: Token) -> None:
        rules = self.index.find("leave", token.node)
        if rules:
            self._run(ex, token, rules, {})

    def on_task_completed(self, ex: Execution, task_id: str, outcome: str | None, by: str | None) -> None:
        token = next((t for t in ex.state.tokens.values() if task_id in t.tasks), None)
        if token is None:
            return
        rules = self.index.find("complete", token.node)
        if rules:
            self._run(ex, token, rules, {"outcome": outcome, "actor": by, "task_id": task_id})

    def _run(self, ex: Execution, token: Token, rules: list[Rule], extra: dict[str, Any]) -> None:
        for rule in rules:
            variables = ex.variables(token, extra)
            if rule.when is not None and not ex.evaluate(rule.when, f'rule "{rule.id}"', variables):
                continue
            ex.record("rule_applied", None, node_id=token.node, details={"rule": rule.id})
            for action in rule.actions:
                _ACTIONS[action.kind](ex, token, rule, action, variables)
                variables = ex.variables(token, extra)


def _block(ex: Execution, token: Token, rule: Rule, action: Action, variables: dict[str, Any]) -> None:
    message = render_text(action.args["message"], variables, where=f'rule "{rule.id}"')
    raise RuleViolation(message, details={"rule": rule.id, "node_id": token.node})


def _set(ex: Execution, token: Token, rule: Rule, action: Action, variables: dict[str, Any]) -> None:
    for name, source in action.args.items():
        template = source if "${" in source else "${" + source + "}"
        value = render_value(template, variables, where=f'rule "{rule.id}" set "{name}"')
        ex.data[name] = plain(value)
        variables[name] = ex.data[name]


def _route(ex: Execution, token: Token, rule: Rule, action: Action, variables: dict[str, Any]) -> None:
    assert action.approver is not None
    probe = Node(id=f"rule:{rule.id}", kind="rule", approver=action.approver)
    people = ex.approvers(probe, variables)
    ex.data[action.args["variable"]] = people[0] if len(people) == 1 else people


def _start(ex: Execution, token: Token, rule: Rule, action: Action, variables: dict[str, Any]) -> None:
    where = f'rule "{rule.id}" start'
    starter = render_value(action.args.get("as") or "${starter}", variables, where=where)
    payload = {
        "process_key": action.args["process"],
        "starter": str(starter),
        "data": render_json(action.args.get("data", {}), variables, where=where),
        "from_instance": ex.instance_id,
    }
    ex.effects.new_jobs.append(NewJob(ex.ids(), START, ex.now, payload, node_id=token.node))


def _call(ex: Execution, token: Token, rule: Rule, action: Action, variables: dict[str, Any]) -> None:
    payload = {
        "connector": action.args["connector"],
        "mode": "rule",
        "rule": rule.id,
        "into": action.args.get("into"),
    }
    ex.effects.new_jobs.append(NewJob(ex.ids(), CONNECTOR, ex.now, payload, node_id=token.node))


def _lookup(ex: Execution, token: Token, rule: Rule, action: Action, variables: dict[str, Any]) -> None:
    if action.args["into"] not in ex.data:
        # the definition gained a lookup after this process last looked (a deploy elsewhere)
        raise Conflict(f'rule "{rule.id}" needs "{action.args["into"]}" looked up first; try again')


_ACTIONS = {"block": _block, "set": _set, "route": _route, "start": _start, "call": _call, "lookup": _lookup}

__all__ = ["RuleSet"]
