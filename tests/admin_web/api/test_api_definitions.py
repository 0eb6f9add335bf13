"""/api/v1/definitions: deploy (admins), refusals with per-element details, versions, XML."""

from __future__ import annotations

import pytest
from api_helpers import EXAMPLES, Api, assert_error

pytestmark = pytest.mark.db

XML = {"Content-Type": "application/xml"}


async def test_an_admin_deploys_a_new_version(api: Api) -> None:
    source = (EXAMPLES / "leave.bpmn").read_bytes()
    resp = await api.as_("zhangwei").post("/api/v1/definitions", data=source, headers=XML)
    body = await resp.json()
    assert resp.status == 201, body
    assert (body["key"], body["version"]) == ("leave", 2)
    assert body["id"] and body["name"]
    assert resp.headers["Location"] == "/api/v1/definitions/leave"


async def test_deploying_needs_an_admin(api: Api) -> None:
    source = (EXAMPLES / "leave.bpmn").read_bytes()
    resp = await api.as_("lina").post("/api/v1/definitions", data=source, headers=XML)
    assert resp.status == 403
    assert_error(await resp.json(), "not_allowed")


async def test_a_bad_document_is_refused_with_one_entry_per_element(api: Api) -> None:
    bad = (
        '<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" targetNamespace="t">'
        '<process id="p" isExecutable="true"><startEvent id="s"/><scriptTask id="script1"/>'
        '<sequenceFlow id="f" sourceRef="s" targetRef="script1"/></process></definitions>'
    )
    resp = await api.as_("zhangwei").post("/api/v1/definitions", data=bad.encode(), headers=XML)
    body = await resp.json()
    assert resp.status == 422
    assert_error(body, "invalid_bpmn")
    assert any(d["element_id"] == "script1" for d in body["error"]["details"])


async def test_not_xml_at_all_is_a_422_and_json_is_a_415(api: Api) -> None:
    resp = await api.as_("zhangwei").post("/api/v1/definitions", data=b"hello", headers=XML)
    assert resp.status == 422
    resp = await api.as_("zhangwei").post("/api/v1/definitions", json={"xml": "<x/>"})
    assert resp.status == 415
    assert_error(await resp.json(), "unsupported_media_type")


async def test_a_body_over_the_limit_is_413(api: Api) -> None:
    huge = b"<x>" + b"a" * (300 * 1024) + b"</x>"
    resp = await api.as_("zhangwei").post("/api/v1/definitions", data=huge, headers=XML)
    assert resp.status == 413
    assert_error(await resp.json(), "too_large")


async def test_definitions_list_every_version_or_the_latest(api: Api) -> None:
    user = api.as_("zhangwei")
    await user.post("/api/v1/definitions", data=(EXAMPLES / "leave.bpmn").read_bytes(), headers=XML)
    every = await (await user.get("/api/v1/definitions")).json()
    latest = await (await user.get("/api/v1/definitions?latest=true")).json()
    assert [(d["key"], d["version"]) for d in every if d["key"] == "leave"] == [("leave", 1), ("leave", 2)]
    assert sorted(d["key"] for d in latest) == ["expense", "leave", "onboarding", "purchase"]
    assert {d["version"] for d in latest if d["key"] == "leave"} == {2}


async def test_one_definition_shows_latest_and_versions(api: Api) -> None:
    user = api.as_("lina")
    resp = await user.get("/api/v1/definitions/expense")
    body = await resp.json()
    assert resp.status == 200
    assert body["key"] == "expense"
    assert body["latest"]["version"] == 1
    assert [v["version"] for v in body["versions"]] == [1]
    missing = await user.get("/api/v1/definitions/nope")
    assert missing.status == 404
    assert_error(await missing.json(), "not_found")


async def test_the_xml_of_a_version_is_served_as_xml(api: Api) -> None:
    user = api.as_("lina")
    resp = await user.get("/api/v1/definitions/expense/xml?version=1")
    assert resp.status == 200
    assert resp.content_type == "application/xml"
    assert 'id="expense"' in await resp.text()
    assert (await user.get("/api/v1/definitions/expense/xml?version=9")).status == 404
    bad = await user.get("/api/v1/definitions/expense/xml?version=zero")
    assert bad.status == 422
    assert_error(await bad.json(), "invalid_input")
