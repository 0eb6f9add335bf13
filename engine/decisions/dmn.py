"""Importing simple DMN 1.1–1.3 decision tables (as Camunda Modeler writes them) into our JSON form.

Read safely like BPMN (no DTDs, no entities, size limit). Each ``decision`` with a
``decisionTable`` becomes one table; literal-expression decisions and requirement graphs
between decisions are refused by name.
"""

from __future__ import annotations

from typing import Any
from xml.etree.ElementTree import Element

from engine.bpmn.namespaces import local_name
from engine.bpmn.xml import load
from engine.errors import BpmnError, InvalidInput

_TYPES = {
    "string": "string",
    "number": "number",
    "integer": "integer",
    "long": "integer",
    "double": "number",
    "boolean": "boolean",
    "date": "date",
}


def _children(element: Element, name: str) -> list[Element]:
    return [c for c in element if local_name(c) == name]


def _text(element: Element | None, name: str = "text") -> str:
    if element is None:
        return ""
    found = next((c for c in element.iter() if local_name(c) == name), None)
    return "".join(found.itertext()).strip() if found is not None else ""


def parse_dmn(source: bytes | str) -> list[dict[str, Any]]:
    """Every decision table in the document, as ``table_from_json`` input."""
    try:
        root = load(source).root
    except BpmnError as exc:
        raise InvalidInput(exc.message.replace("BPMN refused", "DMN refused")) from exc
    if local_name(root) != "definitions":
        raise InvalidInput(f"DMN refused: the root element is {local_name(root)}, not definitions")
    tables: list[dict[str, Any]] = []
    for decision in _children(root, "decision"):
        key = (decision.get("id") or "").strip()
        label = f'decision "{key}"'
        table = next(iter(_children(decision, "decisionTable")), None)
        if table is None:
            kinds = ", ".join(local_name(c) for c in decision if local_name(c) not in ("extensionElements",))
            raise InvalidInput(f"DMN refused: {label} is not a decision table ({kinds}): not supported yet")
        if _children(decision, "informationRequirement"):
            raise InvalidInput(f"DMN refused: {label} requires other decisions: not supported yet")
        inputs = []
        for item in _children(table, "input"):
            expression = next(iter(_children(item, "inputExpression")), None)
            text = _text(expression)
            inputs.append(
                {
                    "name": item.get("label") or text or item.get("id"),
                    "expression": text,
                    "type": _TYPES.get((expression.get("typeRef") or "").lower(), "any")
                    if expression is not None
                    else "any",
                }
            )
        outputs = [
            {
                "name": o.get("name") or o.get("label") or o.get("id"),
                "type": _TYPES.get((o.get("typeRef") or "").lower(), "any"),
            }
            for o in _children(table, "output")
        ]
        rules = [
            {
                "when": [_text(e) for e in _children(r, "inputEntry")],
                "then": [_text(e) for e in _children(r, "outputEntry")],
            }
            for r in _children(table, "rule")
        ]
        tables.append(
            {
                "schema_version": 1,
                "key": key,
                "name": decision.get("name") or key,
                "hit_policy": table.get("hitPolicy") or "UNIQUE",
                "aggregation": table.get("aggregation"),
                "inputs": inputs,
                "outputs": outputs,
                "rules": rules,
            }
        )
    if not tables:
        raise InvalidInput("DMN refused: the file holds no decision")
    return tables


__all__ = ["parse_dmn"]
