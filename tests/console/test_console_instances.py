"""Instances and tasks through /admin/api: search, paging, detail, admin operations, the dashboard."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from console_support import Console

from engine import ProcessEngine, utcnow
from engine.reports import dashboard, search_instances

EXPENSE = {"amount": 20000, "category": "差旅", "reason": "客户拜访"}


def _start(engine: ProcessEngine, starter: str, n: int = 1) -> list[str]:
    return [engine.start("expense", starter=starter, data=EXPENSE).id for _ in range(n)]


async def test_instances_are_filtered_and_paged(as_role: Any, console_engine: ProcessEngine) -> None:
    mine = _start(console_engine, "lilei", 3)
    _start(console_engine, "zhangwei", 2)
    console: Console = await as_role("zhouli")
    status, page = await console.call("GET", "/admin/api/instances?starter=lilei&limit=2")
    assert status == 200
    assert page["total"] == 3 and len(page["items"]) == 2
    assert page["items"][0]["id"] == mine[-1]  # newest first
    status, rest = await console.call("GET", "/admin/api/instances?starter=lilei&limit=2&offset=2")
    assert [i["id"] for i in rest["items"]] == [mine[0]]
    status, running = await console.call("GET", "/admin/api/instances?process_key=expense&status=running")
    assert running["total"] == 5
    today = utcnow().date()
    status, dated = await console.call("GET", f"/admin/api/instances?from={today}&to={today}")
    assert dated["total"] == 5
    status, none = await console.call("GET", f"/admin/api/instances?to={today - timedelta(days=1)}")
    assert none["total"] == 0
    status, bad = await console.call("GET", "/admin/api/instances?status=sleeping")
    assert status == 422


async def test_the_detail_has_the_diagram_and_where_the_instance_stands(
    as_role: Any, console_engine: ProcessEngine
) -> None:
    [instance_id] = _start(console_engine, "lilei")
    task = console_engine.instance(instance_id).tasks[0]
    console_engine.act(task.id, "approve", actor=task.assignee or "", comment="同意，注意票据")
    console: Console = await as_role("zhouli")
    status, detail = await console.call("GET", f"/admin/api/instances/{instance_id}")
    assert status == 200
    assert detail["positions"] == {"active": ["director_approval"], "visited": ["manager_approval"]}
    assert 'id="amount_gateway"' in detail["xml"]
    assert detail["names"]["lilei"]
    assert any(h["details"].get("comment") == "同意，注意票据" for h in detail["instance"]["history"])
    status, missing = await console.call("GET", "/admin/api/instances/nope")
    assert status == 404


async def test_tasks_are_listed_by_assignee_and_status(as_role: Any, console_engine: ProcessEngine) -> None:
    _start(console_engine, "lilei", 2)
    console: Console = await as_role("zhouli")
    status, page = await console.call("GET", "/admin/api/tasks?assignee=chenjie&status=open")
    assert page["total"] == 2 and {t["node_id"] for t in page["items"]} == {"manager_approval"}
    status, done = await console.call("GET", "/admin/api/tasks?assignee=chenjie&status=completed")
    assert done["total"] == 0


async def test_admins_terminate_with_a_reason(as_role: Any, console_engine: ProcessEngine) -> None:
    [instance_id] = _start(console_engine, "lilei")
    admin: Console = await as_role("zhangwei")
    status, body = await admin.call("POST", f"/admin/api/instances/{instance_id}/terminate", {"reason": ""})
    assert status == 422
    status, body = await admin.call(
        "POST", f"/admin/api/instances/{instance_id}/terminate", {"reason": "重复提交"}
    )
    assert status == 200, body
    assert body["status"] == "terminated"
    history = console_engine.instance(instance_id).history
    assert history[-1].channel == "console"


async def test_admins_reassign_and_jump(as_role: Any, console_engine: ProcessEngine) -> None:
    [instance_id] = _start(console_engine, "lilei")
    task = console_engine.instance(instance_id).tasks[0]
    admin: Console = await as_role("zhangwei")
    status, body = await admin.call(
        "POST", f"/admin/api/tasks/{task.id}/reassign", {"to": "wangjianguo", "reason": "休假"}
    )
    assert status == 200, body
    assert [t["assignee"] for t in body["tasks"]] == ["wangjianguo"]
    status, body = await admin.call(
        "POST", f"/admin/api/instances/{instance_id}/jump", {"node": "director_approval", "reason": "加急"}
    )
    assert status == 200, body
    assert [t["node_id"] for t in body["tasks"]] == ["director_approval"]


async def test_designers_start_but_do_not_operate(as_role: Any, console_engine: ProcessEngine) -> None:
    designer: Console = await as_role("lilei")
    status, inst = await designer.call(
        "POST", "/admin/api/instances", {"process_key": "expense", "data": EXPENSE}
    )
    assert status == 201
    status, _ = await designer.call("POST", f"/admin/api/instances/{inst['id']}/terminate", {"reason": "x"})
    assert status == 403
    html = await (await designer.client.get(f"/admin/instances/{inst['id']}")).text()
    assert 'id="admin-ops"' not in html


async def test_the_dashboard_counts_and_times(as_role: Any, console_engine: ProcessEngine) -> None:
    [done] = _start(console_engine, "lilei")
    _start(console_engine, "lilei", 2)
    for _ in range(2):
        task = console_engine.instance(done).tasks[0]
        console_engine.act(task.id, "approve", actor=task.assignee or "")
    console: Console = await as_role("zhouli")
    status, data = await console.call("GET", "/admin/api/dashboard?days=7")
    assert status == 200
    assert data["total"] == 3
    assert data["by_status"]["completed"] == 1 and data["by_status"]["running"] == 2
    assert data["by_process"][0]["process_key"] == "expense"
    assert data["durations"][0]["count"] == 1
    assert len(data["per_day"]) == 7 and data["per_day"][-1]["started"] == 3


def test_search_and_dashboard_work_on_every_database(console_engine: ProcessEngine) -> None:
    _start(console_engine, "lilei", 2)
    with console_engine.db.read() as conn:
        items, total = search_instances(conn, starter="lilei", started_from=utcnow() - timedelta(hours=1))
        assert total == 2 and len(items) == 2
        data = dashboard(conn, now=utcnow(), days=3)
    assert data["by_status"]["running"] == 2
    assert sum(d["started"] for d in data["per_day"]) == 2
