"""Decision tables (DMN-lite): typed inputs, rules of cell conditions, hit policies.

JSON form (stored in ``decisions.body``, also accepted by ``jingwei decision deploy``)::

    {"schema_version": 1, "key": "expense-approver", "name": "…", "hit_policy": "FIRST",
     "inputs": [{"name": "amount", "expression": "amount", "type": "number"}],
     "outputs": [{"name": "approver", "type": "string"}],
     "rules": [{"when": ["< 1000"], "then": ["\\"mgr\\""]}, {"when": ["-"], "then": ["\\"cfo\\""]}]}

Hit policies: UNIQUE (at most one rule may match), FIRST, ANY, RULE ORDER, COLLECT, and
COLLECT with ``aggregation`` SUM, COUNT, MIN or MAX (one output).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from engine.decisions.unary import INPUT, compile_entry, compile_output
from engine.errors import ExpressionError, InvalidInput
from engine.expressions import compile_expression
from engine.expressions import evaluate as evaluate_source
from engine.model import CompiledExpression
from engine.templates import plain

SCHEMA_VERSION = 1
HIT_POLICIES = ("UNIQUE", "FIRST", "ANY", "RULE ORDER", "COLLECT")
AGGREGATIONS = ("SUM", "COUNT", "MIN", "MAX")
TYPES = ("string", "number", "integer", "boolean", "date", "any")


@dataclass(frozen=True, slots=True)
class Input:
    name: str
    expression: CompiledExpression
    type: str = "any"


@dataclass(frozen=True, slots=True)
class Rule:
    conditions: tuple[CompiledExpression | None, ...]
    outputs: tuple[CompiledExpression | None, ...]
    raw: dict[str, Any]


@dataclass(slots=True)
class DecisionTable:
    key: str
    name: str
    inputs: list[Input]
    outputs: list[tuple[str, str]]  # (name, type)
    rules: list[Rule]
    hit_policy: str = "UNIQUE"
    aggregation: str | None = None
    version: int = 0
    source: dict[str, Any] = field(default_factory=dict)

    def evaluate(self, variables: dict[str, Any]) -> list[dict[str, Any]]:
        """The matched rules' outputs as ``[{output: value}]`` (one dict for an aggregation)."""
        values = [self._input(i, variables) for i in self.inputs]
        matched: list[dict[str, Any]] = []
        for number, rule in enumerate(self.rules, 1):
            if all(
                self._holds(c, v, variables, number) for c, v in zip(rule.conditions, values, strict=True)
            ):
                matched.append(self._outputs(rule, variables, number))
                if self.hit_policy == "FIRST":
                    break
        if self.hit_policy == "UNIQUE" and len(matched) > 1:
            raise InvalidInput(
                f'decision "{self.key}": {len(matched)} rules matched but the hit policy is UNIQUE'
            )
        if self.hit_policy == "ANY" and len({repr(m) for m in matched}) > 1:
            raise InvalidInput(f'decision "{self.key}": matched rules disagree but the hit policy is ANY')
        if self.hit_policy == "ANY":
            matched = matched[:1]
        if self.aggregation is not None:
            return [{self.outputs[0][0]: self._aggregate(matched)}]
        return matched

    def _input(self, item: Input, variables: dict[str, Any]) -> Any:
        try:
            value = item.expression.evaluate(variables)
        except ExpressionError as exc:
            if "unknown variable" in exc.message or "has no field" in exc.message:
                value = None  # DMN reads a missing input as null
            else:
                raise InvalidInput(f'decision "{self.key}" input "{item.name}": {exc.message}') from exc
        return _coerce(value, item, self.key)

    def _holds(
        self, condition: CompiledExpression | None, value: Any, variables: dict[str, Any], n: int
    ) -> bool:
        if condition is None:
            return True
        if value is None:
            return False  # null matches only "-"
        try:
            return bool(condition.evaluate({**variables, INPUT: value}))
        except ExpressionError as exc:
            raise InvalidInput(f'decision "{self.key}" rule {n}: {exc.message}') from exc

    def _outputs(self, rule: Rule, variables: dict[str, Any], n: int) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for (name, _type), expr in zip(self.outputs, rule.outputs, strict=True):
            try:
                out[name] = plain(expr.evaluate(variables)) if expr is not None else None
            except ExpressionError as exc:
                raise InvalidInput(f'decision "{self.key}" rule {n} output "{name}": {exc.message}') from exc
        return out

    def _aggregate(self, matched: list[dict[str, Any]]) -> Any:
        name = self.outputs[0][0]
        values = [m[name] for m in matched if m.get(name) is not None]
        if self.aggregation == "COUNT":
            return len(values)
        if not values:
            return None if self.aggregation != "SUM" else 0
        if self.aggregation == "SUM":
            return plain(sum((Decimal(str(v)) for v in values), Decimal(0)))
        return min(values) if self.aggregation == "MIN" else max(values)


def _coerce(value: Any, item: Input, key: str) -> Any:
    if value is None or item.type == "any":
        return value
    try:
        if item.type in ("number", "integer"):
            if isinstance(value, bool):
                raise ValueError("a boolean")
            if isinstance(value, str):
                value = evaluate_source("number(x)", {"x": value})
            if not isinstance(value, int | float | Decimal):
                raise ValueError(type(value).__name__)
            return int(value) if item.type == "integer" else value
        if item.type == "string":
            return value if isinstance(value, str) else str(plain(value))
        if item.type == "boolean":
            if isinstance(value, str) and value.lower() in ("true", "false"):
                return value.lower() == "true"
            if not isinstance(value, bool):
                raise ValueError(type(value).__name__)
            return value
        if item.type == "date" and isinstance(value, str):
            return date.fromisoformat(value[:10])
        if item.type == "date" and isinstance(value, datetime):
            return value.date()
        return value
    except (ValueError, ExpressionError) as exc:
        raise InvalidInput(
            f'decision "{key}" input "{item.name}" should be {item.type}, got {value!r}'
        ) from exc


def table_from_json(raw: dict[str, Any], *, version: int = 0) -> DecisionTable:
    """Build and check a table; every error names the decision and the rule."""
    if raw.get("schema_version", SCHEMA_VERSION) != SCHEMA_VERSION:
        raise InvalidInput(
            f"decision schema_version {raw.get('schema_version')!r} is not known to this release"
        )
    key = str(raw.get("key") or "").strip()
    if not key:
        raise InvalidInput('a decision table needs a "key"')
    where = f'decision "{key}"'
    policy = str(raw.get("hit_policy") or "UNIQUE").upper().replace("_", " ")
    if policy not in HIT_POLICIES:
        raise InvalidInput(f"{where}: hit policy {policy!r}; use one of {', '.join(HIT_POLICIES)}")
    aggregation = raw.get("aggregation")
    aggregation = str(aggregation).upper() if aggregation else None
    if aggregation is not None and (policy != "COLLECT" or aggregation not in AGGREGATIONS):
        raise InvalidInput(
            f"{where}: aggregation {aggregation} needs hit policy COLLECT and one of SUM, COUNT, MIN, MAX"
        )
    inputs: list[Input] = []
    for n, item in enumerate(raw.get("inputs") or [], 1):
        name = str(item.get("name") or item.get("expression") or f"input{n}")
        kind = str(item.get("type") or "any").lower()
        if kind not in TYPES:
            raise InvalidInput(f'{where} input "{name}": type {kind!r}; use one of {", ".join(TYPES)}')
        try:
            inputs.append(Input(name, compile_expression(str(item.get("expression") or name)), kind))
        except ExpressionError as exc:
            raise InvalidInput(f'{where} input "{name}": {exc.message}') from exc
    outputs = [
        (str(o.get("name") or f"output{n}"), str(o.get("type") or "any"))
        for n, o in enumerate(raw.get("outputs") or [], 1)
    ]
    if not outputs:
        raise InvalidInput(f"{where} has no outputs")
    if aggregation is not None and len(outputs) != 1:
        raise InvalidInput(f"{where}: an aggregation needs exactly one output")
    rules: list[Rule] = []
    for n, item in enumerate(raw.get("rules") or [], 1):
        when, then = list(item.get("when") or []), list(item.get("then") or [])
        if len(when) != len(inputs) or len(then) != len(outputs):
            raise InvalidInput(
                f"{where} rule {n} has {len(when)} conditions and {len(then)} outputs; the table "
                f"has {len(inputs)} inputs and {len(outputs)} outputs"
            )
        rules.append(
            Rule(
                tuple(compile_entry(str(c), f"{where} rule {n}") for c in when),
                tuple(compile_output(str(o), f"{where} rule {n}") for o in then),
                dict(item),
            )
        )
    source = {
        **raw,
        "schema_version": SCHEMA_VERSION,
        "key": key,
        "hit_policy": policy,
        "aggregation": aggregation,
    }
    return DecisionTable(
        key, str(raw.get("name") or key), inputs, outputs, rules, policy, aggregation, version, source
    )


__all__ = ["AGGREGATIONS", "HIT_POLICIES", "SCHEMA_VERSION", "TYPES", "DecisionTable", "table_from_json"]
