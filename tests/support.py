"""Small builders for test BPMN documents (no diagram: the engine does not need one)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from engine import Database

HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:jw="https://jingwei.dev/schema/bpmn/1.0" '
    'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" targetNamespace="t">\n'
)


def bpmn(body: str, *, key: str = "p", attrs: str = "") -> str:
    """Wrap flow elements in a process ``key``."""
    return f'{HEAD}<process id="{key}" isExecutable="true"{attrs}>\n{body}\n</process>\n</definitions>\n'


def flow(fid: str, source: str, target: str, condition: str | None = None) -> str:
    if condition is None:
        return f'<sequenceFlow id="{fid}" sourceRef="{source}" targetRef="{target}"/>'
    cond = condition.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return (
        f'<sequenceFlow id="{fid}" sourceRef="{source}" targetRef="{target}">'
        f"<conditionExpression>{cond}</conditionExpression></sequenceFlow>"
    )


def task(tid: str, approver: str, extra: str = "", inner: str = "") -> str:
    return f'<userTask id="{tid}" name="{tid}" jw:approver="{approver}" {extra}>{inner}</userTask>'


def chain(*ids: str) -> str:
    """Flows f1..fn linking the ids in order."""
    return "\n".join(flow(f"f_{a}_{b}", a, b) for a, b in zip(ids, ids[1:], strict=False))


SMALL_ORG = {
    "departments": [
        {"id": "hq", "name": "总部", "head_id": "boss"},
        {"id": "eng", "name": "研发部", "parent_id": "hq", "head_id": "mgr"},
        {"id": "fin", "name": "财务部", "parent_id": "hq", "head_id": "fin1"},
    ],
    "users": [
        {"id": "boss", "name": "老板", "department_id": "hq"},
        {"id": "mgr", "name": "经理", "department_id": "eng", "manager_id": "boss"},
        {"id": "alice", "name": "Alice", "department_id": "eng", "manager_id": "mgr"},
        {"id": "bob", "name": "Bob", "department_id": "eng", "manager_id": "mgr"},
        {"id": "carol", "name": "Carol", "department_id": "eng", "manager_id": "mgr"},
        {"id": "dave", "name": "Dave", "department_id": "eng", "manager_id": "mgr"},
        {"id": "hr1", "name": "HR One", "department_id": "hq", "manager_id": "boss"},
        {"id": "fin1", "name": "Fin One", "department_id": "fin", "manager_id": "boss"},
    ],
    "roles": [
        {"id": "hr", "name": "HR", "members": ["hr1"]},
        {"id": "fin", "name": "Finance", "members": ["fin1"]},
        {"id": "reviewers", "name": "Reviewers", "members": ["bob", "carol", "dave"]},
    ],
}


def load_example_org(db: Database) -> None:
    """Import examples/org.json (京微科技) into ``db``."""
    from pathlib import Path

    from engine.org import import_org, parse_org_json

    path = Path(__file__).resolve().parent.parent / "examples" / "org.json"
    with db.write() as conn:
        import_org(conn, parse_org_json(path.read_text(encoding="utf-8")))
