"""A process without automation issues no automation statements (and no more statements than before)."""

from __future__ import annotations

import sqlalchemy as sa
from support import bpmn, chain, task

from engine import ProcessEngine

AUTOMATION_TABLES = ("jobs", "connectors", "decisions", "calendars", "webhooks")


def test_start_and_approve_without_timers_touch_no_automation_table(eng: ProcessEngine) -> None:
    eng.deploy(
        bpmn(
            '<startEvent id="s"/>'
            + task("t1", "manager")
            + task("t2", "user:bob")
            + '<endEvent id="e"/>'
            + chain("s", "t1", "t2", "e")
        )
    )
    statements: list[str] = []

    def record(*args: object) -> None:
        statements.append(str(args[2]))

    sa.event.listen(eng.db.engine, "before_cursor_execute", record)
    try:
        inst = eng.start("p", starter="alice")
        inst = eng.act(inst.tasks[0].id, "approve", actor="mgr")
        eng.act(inst.tasks[0].id, "approve", actor="bob")
    finally:
        sa.event.remove(eng.db.engine, "before_cursor_execute", record)
    touched = [
        s
        for s in statements
        if any(f" {t} " in f" {s.lower()} ".replace('"', " ") for t in AUTOMATION_TABLES)
    ]
    assert touched == []
