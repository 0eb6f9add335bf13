"""/api/v1/instances: start, read, find with paging, withdraw, urge, history."""

from __future__ import annotations

import pytest
from api_helpers import Api, assert_error, start_expense

pytestmark = pytest.mark.db


async def test_starting_answers_201_with_the_instance_and_its_open_tasks(api: Api) -> None:
    inst = await start_expense(api)
    assert inst["process_key"] == "expense"
    assert inst["status"] == "running"
    assert inst["starter"] == "zhangwei"
    assert inst["data"]["amount"] == 12800
    assert [t["assignee"] for t in inst["tasks"]] == ["chenjie"]
    assert inst["tasks"][0]["instance_id"] == inst["id"]


async def test_starting_an_unknown_process_is_404(api: Api) -> None:
    resp = await api.as_("zhangwei").post("/api/v1/instances", json={"process_key": "nope"})
    assert resp.status == 404
    assert_error(await resp.json(), "not_found")


async def test_broken_json_is_400_and_a_wrong_shape_is_422_per_field(api: Api) -> None:
    user = api.as_("zhangwei")
    resp = await user.post("/api/v1/instances", data=b"{nope", headers={"Content-Type": "application/json"})
    assert resp.status == 400
    assert_error(await resp.json(), "bad_request")
    resp = await user.post("/api/v1/instances", json={"data": [], "extra": 1})
    body = await resp.json()
    assert resp.status == 422
    assert_error(body, "invalid_input")
    assert {tuple(d["loc"]) for d in body["error"]["details"]} == {("process_key",), ("data",), ("extra",)}
    resp = await user.post("/api/v1/instances", json=["expense"])
    assert resp.status == 422


async def test_one_instance_comes_with_tasks_and_history(api: Api) -> None:
    inst = await start_expense(api)
    resp = await api.as_("chenjie").get(f"/api/v1/instances/{inst['id']}")
    body = await resp.json()
    assert resp.status == 200
    assert body["id"] == inst["id"]
    assert [h["action"] for h in body["history"]][:1] == ["started"]
    assert body["tasks"][0]["assignee"] == "chenjie"
    missing = await api.as_("chenjie").get("/api/v1/instances/0000000000000000")
    assert missing.status == 404


async def test_only_people_involved_and_admins_read_an_instance(api: Api) -> None:
    inst = await start_expense(api, starter="lina")
    path = f"/api/v1/instances/{inst['id']}"
    approver = inst["tasks"][0]["assignee"]
    for user in ("lina", approver, "zhangwei"):  # starter, approver, service admin
        assert (await api.as_(user).get(path)).status == 200, user
    outsider = next(u for u in ("wangfang", "liuyang", "zhaolei") if u not in ("lina", approver))
    for sub in ("", "/history", "/history/verify", "/comments", "/attachments"):
        refused = await api.as_(outsider).get(path + sub)
        body = await refused.json()
        assert refused.status == 403, (sub, body)
        assert_error(body, "not_allowed")
        assert outsider in body["error"]["message"]
    task = await api.as_(outsider).get(f"/api/v1/tasks/{inst['tasks'][0]['id']}")
    assert task.status == 403
    listed = await (await api.as_(outsider).get("/api/v1/instances")).json()
    assert listed["total"] == 0
    # once copied, the outsider may read it and finds it in their list
    cc = await api.as_(approver).post(
        f"/api/v1/tasks/{inst['tasks'][0]['id']}/actions", json={"action": "cc", "to": [outsider]}
    )
    assert cc.status == 200, await cc.text()
    assert (await api.as_(outsider).get(path)).status == 200
    listed = await (await api.as_(outsider).get("/api/v1/instances")).json()
    assert [i["id"] for i in listed["items"]] == [inst["id"]]


async def test_instances_filter_by_starter_status_and_key_with_paging_and_total(api: Api) -> None:
    for amount in (100, 200, 300):
        await start_expense(api, amount)
    await start_expense(api, 400, starter="lina")
    user = api.as_("zhangwei")
    mine = await (await user.get("/api/v1/instances?starter=me&limit=2")).json()
    assert mine["total"] == 3
    assert len(mine["items"]) == 2
    assert [i["data"]["amount"] for i in mine["items"]] == [300, 200]
    rest = await (await user.get("/api/v1/instances?starter=me&limit=2&offset=2")).json()
    assert [i["data"]["amount"] for i in rest["items"]] == [100]
    everyone = await (await user.get("/api/v1/instances?process_key=expense&status=running")).json()
    assert everyone["total"] == 4  # zhangwei is a service admin
    own = await (await api.as_("lina").get("/api/v1/instances?process_key=expense")).json()
    assert [i["data"]["amount"] for i in own["items"]] == [400]  # lina only sees what involves her
    none = await (await user.get("/api/v1/instances?status=completed")).json()
    assert none == {"items": [], "total": 0, "limit": 50, "offset": 0}
    bad = await user.get("/api/v1/instances?status=sleeping&limit=0")
    assert bad.status == 422
    assert {d["loc"][0] for d in (await bad.json())["error"]["details"]} == {"status", "limit"}


async def test_the_starter_withdraws_others_may_not_and_twice_is_a_conflict(api: Api) -> None:
    inst = await start_expense(api)
    path = f"/api/v1/instances/{inst['id']}/withdraw"
    refused = await api.as_("chenjie").post(path)
    assert refused.status == 403
    assert_error(await refused.json(), "not_allowed")
    resp = await api.as_("zhangwei").post(path, json={"reason": "填错了"})
    body = await resp.json()
    assert resp.status == 200
    assert body["status"] == "withdrawn"
    assert body["tasks"] == []
    again = await api.as_("zhangwei").post(path)
    assert again.status == 409
    assert_error(await again.json(), "conflict")


async def test_urging_twice_within_the_interval_is_429_with_retry_after(api: Api) -> None:
    inst = await start_expense(api)
    path = f"/api/v1/instances/{inst['id']}/urge"
    assert (await api.as_("chenjie").post(path)).status == 403
    first = await api.as_("zhangwei").post(path)
    assert first.status == 200
    second = await api.as_("zhangwei").post(path)
    body = await second.json()
    assert second.status == 429
    assert_error(body, "rate_limited")
    assert 0 < int(second.headers["Retry-After"]) <= 30 * 60
    assert (await api.as_("zhangwei").post("/api/v1/instances/0000000000000000/urge")).status == 404


async def test_history_and_its_verification(api: Api) -> None:
    inst = await start_expense(api)
    user = api.as_("chenjie")
    rows = await (await user.get(f"/api/v1/instances/{inst['id']}/history")).json()
    assert rows[0]["seq"] == 1
    assert rows[0]["action"] == "started"
    check = await (await user.get(f"/api/v1/instances/{inst['id']}/history/verify")).json()
    assert check == {"ok": True, "rows": len(rows), "message": check["message"], "first_bad_seq": None}
    assert (await user.get("/api/v1/instances/0000000000000000/history/verify")).status == 404


async def test_control_characters_in_ids_and_filters_never_reach_the_database(api: Api) -> None:
    user = api.as_("zhangwei")
    assert (await user.get("/api/v1/instances/%00abc")).status == 404
    resp = await user.get("/api/v1/instances?starter=%00")
    assert resp.status == 400
    resp = await user.post("/api/v1/instances", json={"process_key": "exp\x00ense"})
    assert resp.status == 422
    resp = await user.post(
        "/api/v1/instances",
        data=b'{"process_key": "expense", "data": {"x": "\\ud800"}}',
        headers={"Content-Type": "application/json"},
    )
    assert resp.status == 400
