"""Rules as data: ``<jw:rules>`` JSON on the process, versioned with the BPMN it sits in.

```json
{"schema_version": 1, "rules": [
  {"id": "lines-add-up", "on": "start", "when": "${total != sum(pluck(lines, 'amount'))}",
   "then": [{"block": "发票总额 ${total} 与明细合计不符"}]}
]}
```

``on``: ``start``, ``enter:NODE``, ``leave:NODE``, ``complete:NODE`` (a task of NODE decided; ``*``
for any). Actions: ``block`` (refuse with a message), ``set`` (compute fields), ``route`` (put
approvers found by approver syntax into a field), ``start`` (start another process), ``call``
(call a connector after commit), ``lookup`` (on start only: call a connector *before* the
command and put the answer in a field, for the other rules to check).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from engine.errors import ExpressionError, InvalidInput
from engine.expressions import compile_expression
from engine.model import ApproverSpec, CompiledExpression
from engine.templates import check_json, check_template

SCHEMA_VERSION = 1
EVENTS = ("start", "enter", "leave", "complete")
ACTIONS = ("block", "set", "route", "start", "call", "lookup")
MAX_RULES = 200


@dataclass(frozen=True, slots=True)
class Action:
    kind: str  # one of ACTIONS
    args: dict[str, Any]  # the action's JSON, templates checked
    approver: ApproverSpec | None = None  # route: whom to put in the field


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    event: str  # start | enter | leave | complete
    node: str | None  # the node of enter/leave/complete ("*" for any)
    when: CompiledExpression | None
    actions: tuple[Action, ...]


@dataclass(slots=True)
class RuleIndex:
    by_event: dict[tuple[str, str | None], list[Rule]] = field(default_factory=dict)

    def add(self, rule: Rule) -> None:
        self.by_event.setdefault((rule.event, rule.node), []).append(rule)

    def find(self, event: str, node: str | None) -> list[Rule]:
        found = self.by_event.get((event, node), [])
        if node is not None:
            found = found + self.by_event.get((event, "*"), [])
        return found


def _compile(source: Any, where: str) -> CompiledExpression:
    if not isinstance(source, str) or not source.strip():
        raise InvalidInput(f"{where} must be an expression text")
    try:
        return compile_expression(source)
    except ExpressionError as exc:
        raise InvalidInput(f"{where} does not parse: {exc.message}") from exc


def _action(raw: Any, where: str, event: str) -> Action:
    if not isinstance(raw, dict) or len(raw) != 1:
        raise InvalidInput(f"{where} must be an object with one of: {', '.join(ACTIONS)}")
    kind, args = next(iter(raw.items()))
    if kind not in ACTIONS:
        raise InvalidInput(f'{where}: unknown action "{kind}"; use one of {", ".join(ACTIONS)}')
    try:
        if kind == "block":
            if not isinstance(args, str) or not args.strip():
                raise InvalidInput(f"{where}: block needs the message to show")
            check_template(args)
            return Action(kind, {"message": args})
        if not isinstance(args, dict):
            raise InvalidInput(f"{where}: {kind} takes an object")
        if kind == "set":
            for name, source in args.items():
                if not isinstance(source, str):
                    raise InvalidInput(f'{where}: set "{name}" needs an expression text')
                check_template(source if "${" in source else "${" + source + "}")
            return Action(kind, dict(args))
        if kind == "route":
            return _route(args, where)
        if kind == "start":
            if not isinstance(args.get("process"), str):
                raise InvalidInput(f'{where}: start needs "process": the key to start')
            check_json(args.get("data", {}))
            check_json(args.get("as", ""))
            return Action(kind, dict(args))
        if not isinstance(args.get("connector"), str):
            raise InvalidInput(f'{where}: {kind} needs "connector": a connector name')
        if kind == "lookup" and (event != "start" or not isinstance(args.get("into"), str)):
            raise InvalidInput(f'{where}: lookup runs on "start" only and needs "into": a field name')
        return Action(kind, dict(args))
    except ExpressionError as exc:
        raise InvalidInput(f"{where}: {exc.message}") from exc


def _route(args: dict[str, Any], where: str) -> Action:
    from engine.bpmn.approvers import parse_approver_text  # the approver syntax, read the same way
    from engine.bpmn.problems import Problems

    variable, target = args.get("variable"), args.get("to")
    if not isinstance(variable, str) or not isinstance(target, str):
        raise InvalidInput(
            f'{where}: route needs "variable" and "to" (approver syntax such as role:it-buyer)'
        )
    from xml.etree.ElementTree import Element

    problems = Problems()
    spec = parse_approver_text(target, Element("rule", {"id": where}), problems, "to")
    if problems:
        raise InvalidInput(f"{where}: {problems.details[0]['message']}")
    return Action("route", dict(args), spec)


def parse_rule_index(text: str, nodes: set[str]) -> RuleIndex:
    """Parse and check the rules JSON; every error names the rule."""
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"not valid JSON: {exc.msg} at line {exc.lineno}") from exc
    if isinstance(raw, list):
        raw = {"schema_version": SCHEMA_VERSION, "rules": raw}
    if not isinstance(raw, dict) or not isinstance(raw.get("rules"), list):
        raise InvalidInput('expected {"schema_version": 1, "rules": [...]}')
    if raw.get("schema_version", SCHEMA_VERSION) != SCHEMA_VERSION:
        raise InvalidInput(f"schema_version {raw.get('schema_version')!r} is not known to this release")
    if len(raw["rules"]) > MAX_RULES:
        raise InvalidInput(f"at most {MAX_RULES} rules per process")
    index = RuleIndex()
    seen: set[str] = set()
    for number, item in enumerate(raw["rules"], 1):
        if not isinstance(item, dict):
            raise InvalidInput(f"rule {number} must be an object")
        rule_id = str(item.get("id") or f"rule-{number}")
        where = f'rule "{rule_id}"'
        if rule_id in seen:
            raise InvalidInput(f"{where} appears twice")
        seen.add(rule_id)
        event, _, node = str(item.get("on", "")).partition(":")
        if event not in EVENTS or (event == "start") == bool(node):
            raise InvalidInput(
                f'{where} has on="{item.get("on")}"; use start, enter:NODE, leave:NODE or complete:NODE'
            )
        if node and node != "*" and node not in nodes:
            raise InvalidInput(f'{where} names node "{node}", which is not in the process')
        when = _compile(item["when"], f"{where} when") if item.get("when") is not None else None
        actions = item.get("then")
        if not isinstance(actions, list) or not actions:
            raise InvalidInput(f'{where} needs "then": a list of actions')
        parsed = tuple(_action(a, f"{where} action {i}", event) for i, a in enumerate(actions, 1))
        index.add(Rule(rule_id, event, node or None, when, parsed))
    return index


__all__ = ["ACTIONS", "EVENTS", "SCHEMA_VERSION", "Action", "Rule", "RuleIndex", "parse_rule_index"]
