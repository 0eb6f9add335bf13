"""The demo: ``jingwei demo`` walks one expense claim through; ``jingwei serve --demo`` loads the examples."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from engine import InstanceView, ProcessEngine
from engine.org import Directory, import_org, parse_org_json

EXAMPLE_PROCESSES = ("leave", "expense", "purchase", "onboarding")


def _name(engine: ProcessEngine, user_id: str | None) -> str:
    if user_id is None:
        return "-"
    with engine.db.read() as conn:
        user = Directory(conn).user(user_id)
    return f"{user.name} ({user_id})" if user else user_id


def load_examples(engine: ProcessEngine, examples: Path) -> list[str]:
    """Import the example company and deploy the example processes unless already deployed as is.

    Safe to run on every start: the org import is an upsert and a definition is deployed
    only when its XML differs from the latest version's (checksum).
    """
    lines = []
    with engine.db.write() as conn:
        result = import_org(conn, parse_org_json((examples / "org.json").read_text(encoding="utf-8")))
    lines.append(f"example company: {result}")
    for key in EXAMPLE_PROCESSES:
        view, deployed = engine.deploy_if_changed((examples / f"{key}.bpmn").read_bytes(), by="demo")
        state = "deployed" if deployed else "already deployed"
        lines.append(f"{view.key} version {view.version} {state} ({view.name})")
    return lines


def run_demo(engine: ProcessEngine, examples: Path, emit: Callable[[Any, str], None]) -> None:
    steps: list[dict[str, Any]] = []
    lines: list[str] = []

    def step(text: str, **data: Any) -> None:
        steps.append({"step": len(steps) + 1, "text": text, **data})
        lines.append(f"{len(steps):>2}. {text}")

    with engine.db.write() as conn:
        result = import_org(conn, parse_org_json((examples / "org.json").read_text(encoding="utf-8")))
    step(f"imported the example company: {result}", org=str(result))
    for key in EXAMPLE_PROCESSES:
        view = engine.deploy((examples / f"{key}.bpmn").read_bytes(), by="demo")
        step(f"deployed {view.key} version {view.version} ({view.name})", definition=view.to_dict())

    starter = "zhangwei"
    data = {"amount": 12800, "category": "差旅", "reason": "上海客户拜访 机票+酒店"}
    inst = engine.start("expense", starter=starter, data=data, channel="cli")
    step(
        f"{_name(engine, starter)} claims {data['amount']} CNY for {data['reason']}: instance {inst.id}",
        instance=inst.id,
    )

    def walk(inst: InstanceView) -> InstanceView:
        while inst.tasks:
            task = inst.tasks[0]
            approver = task.assignee or task.candidates[0]
            step(f"task {task.id} '{task.name}' waits for {_name(engine, approver)}", task=task.to_dict())
            inst = engine.act(task.id, "approve", actor=approver, comment="同意", channel="cli")
            step(f"{_name(engine, approver)} approves; instance is {inst.status}", status=inst.status)
        return inst

    inst = walk(inst)
    check = engine.verify_history(inst.id)
    step(f"history of {inst.id}: {check.message}", history_ok=check.ok)
    full = engine.instance(inst.id)
    for row in full.history:
        lines.append(f"      #{row.seq} {row.actor or 'engine'}: {row.action} {row.node_id or ''}".rstrip())
    lines.append(f"Database: {engine.db.url.render_as_string(hide_password=True)}")
    lines.append(f"Try: jingwei tasks --assignee {starter} | jingwei show {inst.id} | jingwei --help")
    emit({"steps": steps, "instance": full.to_dict()}, "\n".join(lines))


__all__ = ["EXAMPLE_PROCESSES", "load_examples", "run_demo"]
