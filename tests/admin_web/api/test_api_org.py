"""/api/v1/org: users, departments, roles, and imports by admins."""

from __future__ import annotations

import json

import pytest
from api_helpers import EXAMPLES, Api, assert_error

pytestmark = pytest.mark.db

NEW_ORG = {
    "departments": [{"id": "qa", "name": "测试部", "parent_id": "tech"}],
    "users": [{"id": "tester", "name": "测试员", "department_id": "qa"}],
}


async def test_users_departments_and_roles(api: Api) -> None:
    user = api.as_("lina")
    users = await (await user.get("/api/v1/org/users")).json()
    company = json.loads((EXAMPLES / "org.json").read_text(encoding="utf-8"))
    assert sorted(u["id"] for u in users) == sorted(u["id"] for u in company["users"])
    assert {"id", "name", "department_id", "manager_id", "active"} <= set(users[0])
    page = await (await user.get("/api/v1/org/users?limit=5&offset=5")).json()
    assert page == users[5:10]
    departments = await (await user.get("/api/v1/org/departments")).json()
    assert len(departments) == len(company["departments"])
    roles = await (await user.get("/api/v1/org/roles")).json()
    assert {"id": "finance-director", "name": "财务总监", "members": ["zhouli"]} in roles


async def test_an_admin_imports_json_and_csv(api: Api) -> None:
    admin = api.as_("zhangwei")
    resp = await admin.post("/api/v1/org/import", json=NEW_ORG)
    body = await resp.json()
    assert resp.status == 200, body
    assert (body["users_created"], body["departments_created"]) == (1, 1)
    csv = "id,name,department_id,department_name\ntester2,测试员二,tech,技术中心\n"
    resp = await admin.post("/api/v1/org/import", data=csv.encode(), headers={"Content-Type": "text/csv"})
    body = await resp.json()
    assert resp.status == 200, body
    assert body["users_created"] == 1


async def test_imports_need_an_admin_and_a_valid_document(api: Api) -> None:
    refused = await api.as_("lina").post("/api/v1/org/import", json=NEW_ORG)
    assert refused.status == 403
    bad = await api.as_("zhangwei").post("/api/v1/org/import", json={"users": [{"id": "x"}]})
    assert bad.status == 422
    assert_error(await bad.json(), "invalid_input")
    assert (await bad.json())["error"]["details"]
    html = await api.as_("zhangwei").post(
        "/api/v1/org/import", data=b"<x/>", headers={"Content-Type": "text/html"}
    )
    assert html.status == 415
