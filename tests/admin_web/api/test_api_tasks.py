"""/api/v1/tasks: to-do lists, one task, and actions with their refusals."""

from __future__ import annotations

import pytest
from api_helpers import Api, assert_error, start_expense

pytestmark = pytest.mark.db


async def test_my_open_tasks_with_paging_and_total(api: Api) -> None:
    first = await start_expense(api, 100)
    second = await start_expense(api, 200)
    resp = await api.as_("chenjie").get("/api/v1/tasks?assignee=me&status=open&limit=1")
    body = await resp.json()
    assert resp.status == 200
    assert body["total"] == 2
    assert [t["instance_id"] for t in body["items"]] == [second["id"]]
    rest = await (await api.as_("chenjie").get("/api/v1/tasks?assignee=me&limit=1&offset=1")).json()
    assert [t["instance_id"] for t in rest["items"]] == [first["id"]]
    nobody = await (await api.as_("lina").get("/api/v1/tasks?assignee=me")).json()
    assert nobody["total"] == 0
    by_instance = await (await api.as_("zhangwei").get(f"/api/v1/tasks?instance_id={first['id']}")).json()
    assert [t["assignee"] for t in by_instance["items"]] == ["chenjie"]
    # without filters: one's own tasks; another person's or another's instance's only for admins
    own = await (await api.as_("chenjie").get("/api/v1/tasks")).json()
    assert own["total"] == 2
    assert (await (await api.as_("lina").get("/api/v1/tasks")).json())["total"] == 0
    for path in ("/api/v1/tasks?assignee=chenjie", f"/api/v1/tasks?instance_id={first['id']}"):
        refused = await api.as_("lina").get(path)
        assert refused.status == 403, path
        assert_error(await refused.json(), "not_allowed")
    admin = await (await api.as_("zhangwei").get("/api/v1/tasks?assignee=chenjie")).json()
    assert admin["total"] == 2


async def test_one_task(api: Api) -> None:
    inst = await start_expense(api)
    task_id = inst["tasks"][0]["id"]
    resp = await api.as_("chenjie").get(f"/api/v1/tasks/{task_id}")
    body = await resp.json()
    assert resp.status == 200
    assert (body["id"], body["status"], body["process_key"]) == (task_id, "open", "expense")
    assert (await api.as_("chenjie").get("/api/v1/tasks/0000000000000000")).status == 404
    assert (await api.as_("lina").get(f"/api/v1/tasks/{task_id}")).status == 403


async def test_the_assignee_approves_and_the_answer_is_the_instance(api: Api) -> None:
    inst = await start_expense(api)
    task_id = inst["tasks"][0]["id"]
    resp = await api.as_("chenjie").post(
        f"/api/v1/tasks/{task_id}/actions", json={"action": "approve", "comment": "同意"}
    )
    body = await resp.json()
    assert resp.status == 200, body
    assert body["id"] == inst["id"]
    assert [t["assignee"] for t in body["tasks"]] == ["zhouli"]
    done = await (await api.as_("chenjie").get("/api/v1/tasks?assignee=me&status=completed")).json()
    assert [t["outcome"] for t in done["items"]] == ["approved"]


async def test_a_decided_task_answers_409(api: Api) -> None:
    inst = await start_expense(api)
    path = f"/api/v1/tasks/{inst['tasks'][0]['id']}/actions"
    assert (await api.as_("chenjie").post(path, json={"action": "approve"})).status == 200
    again = await api.as_("chenjie").post(path, json={"action": "reject"})
    assert again.status == 409
    assert_error(await again.json(), "conflict")


async def test_someone_else_cannot_decide(api: Api) -> None:
    inst = await start_expense(api)
    path = f"/api/v1/tasks/{inst['tasks'][0]['id']}/actions"
    resp = await api.as_("lina").post(path, json={"action": "approve"})
    assert resp.status == 403
    assert_error(await resp.json(), "not_allowed")


async def test_bad_action_bodies(api: Api) -> None:
    inst = await start_expense(api)
    path = f"/api/v1/tasks/{inst['tasks'][0]['id']}/actions"
    user = api.as_("chenjie")
    unknown = await user.post(path, json={"action": "dance"})
    assert unknown.status == 422
    assert_error(await unknown.json(), "invalid_input")
    missing = await user.post(path, json={"comment": "x"})
    assert missing.status == 422
    assert (await missing.json())["error"]["details"][0]["loc"] == ["action"]
    broken = await user.post(path, data=b"[", headers={"Content-Type": "application/json"})
    assert broken.status == 400
    form = await user.post(path, data={"action": "approve"})
    assert form.status == 415
    assert (
        await user.post("/api/v1/tasks/0000000000000000/actions", json={"action": "approve"})
    ).status == 404


async def test_a_rejection_ends_the_instance(api: Api) -> None:
    inst = await start_expense(api)
    path = f"/api/v1/tasks/{inst['tasks'][0]['id']}/actions"
    resp = await api.as_("chenjie").post(path, json={"action": "reject", "comment": "超预算"})
    body = await resp.json()
    assert resp.status == 200
    assert body["status"] == "rejected"
    assert body["tasks"] == []


async def test_transfer_passes_to_through_to_the_engine(api: Api) -> None:
    inst = await start_expense(api)
    path = f"/api/v1/tasks/{inst['tasks'][0]['id']}/actions"
    resp = await api.as_("chenjie").post(
        path, json={"action": "transfer", "to": ["lihao"], "comment": "请代批"}
    )
    body = await resp.json()
    assert resp.status == 200, body
    assert [t["assignee"] for t in body["tasks"]] == ["lihao"]
    bad = await api.as_("chenjie").post(
        path, json={"action": "add-signer", "to": ["lina"], "position": "sideways"}
    )
    assert bad.status == 422
