"""Drafts, forms, deploy (with per-element problems), versions and their diff, through /admin/api."""

from __future__ import annotations

from typing import Any

from console_support import Console

from admin_web.console.api_processes import empty_diagram
from admin_web.console.diff import diff_xml
from engine.drafts import process_ids

BPMN_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:jw="https://jingwei.dev/schema/bpmn/1.0" id="d" targetNamespace="t">'
)


def claim(condition: str = "${amount > 1000}", approver: str = 'jw:approver="user:chenjie"') -> str:
    return (
        f'{BPMN_HEAD}<bpmn:process id="claim" name="Claim" isExecutable="true">'
        '<bpmn:startEvent id="start"/>'
        f'<bpmn:userTask id="first" name="First" {approver}/>'
        '<bpmn:exclusiveGateway id="gw" default="to_small"/>'
        '<bpmn:userTask id="big" name="Big" jw:approver="user:zhouli"/>'
        '<bpmn:userTask id="small" name="Small" jw:approver="role:hr"/>'
        '<bpmn:endEvent id="end"/>'
        '<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="first"/>'
        '<bpmn:sequenceFlow id="f2" sourceRef="first" targetRef="gw"/>'
        f'<bpmn:sequenceFlow id="to_big" sourceRef="gw" targetRef="big"><bpmn:conditionExpression>{condition}'
        "</bpmn:conditionExpression></bpmn:sequenceFlow>"
        '<bpmn:sequenceFlow id="to_small" sourceRef="gw" targetRef="small"/>'
        '<bpmn:sequenceFlow id="f5" sourceRef="big" targetRef="end"/>'
        '<bpmn:sequenceFlow id="f6" sourceRef="small" targetRef="end"/>'
        "</bpmn:process></bpmn:definitions>"
    )


FORM = {
    "type": "default",
    "id": "claim_form",
    "components": [
        {"type": "number", "key": "amount", "label": "Amount", "validate": {"required": True, "min": 1}},
        {"type": "textfield", "key": "reason", "label": "Reason"},
    ],
}


async def test_a_new_process_starts_as_an_empty_draft(as_role: Any) -> None:
    console: Console = await as_role("lilei")
    status, draft = await console.call(
        "POST", "/admin/api/processes", {"key": "claim", "name": "报销 <Claim>"}
    )
    assert status == 201, draft
    assert draft["revision"] == 1
    assert process_ids(draft["xml"]) == [("claim", True)]
    status, rows = await console.call("GET", "/admin/api/processes")
    row = next(r for r in rows if r["key"] == "claim")
    assert row["latest"] is None and row["draft"]["revision"] == 1
    status, again = await console.call("POST", "/admin/api/processes", {"key": "claim"})
    assert status == 409
    status, taken = await console.call("POST", "/admin/api/processes", {"key": "expense"})
    assert status == 409
    status, bad = await console.call("POST", "/admin/api/processes", {"key": "9 lives"})
    assert status == 422


async def test_saving_an_older_revision_is_a_conflict(as_role: Any) -> None:
    console: Console = await as_role("lilei")
    await console.call("POST", "/admin/api/processes", {"key": "claim"})
    status, saved = await console.call(
        "PUT", "/admin/api/processes/claim/draft", {"xml": claim(), "revision": 1}
    )
    assert status == 200 and saved["revision"] == 2
    status, stale = await console.call(
        "PUT", "/admin/api/processes/claim/draft", {"xml": claim(), "revision": 1}
    )
    assert status == 409
    assert stale["error"]["details"] == {"revision": 2}


async def test_a_draft_whose_process_id_is_not_its_key_is_refused(as_role: Any) -> None:
    console: Console = await as_role("lilei")
    await console.call("POST", "/admin/api/processes", {"key": "other"})
    status, body = await console.call(
        "PUT", "/admin/api/processes/other/draft", {"xml": claim(), "revision": 1}
    )
    assert status == 422
    assert '"claim"' in body["error"]["message"]


async def test_deploy_takes_the_draft_and_its_form(as_role: Any) -> None:
    console: Console = await as_role("lilei")
    await console.call("POST", "/admin/api/processes", {"key": "claim"})
    status, saved = await console.call(
        "PUT", "/admin/api/processes/claim/form", {"form": FORM, "revision": 1}
    )
    assert status == 200 and saved["has_form"]
    status, deployed = await console.call(
        "POST", "/admin/api/processes/claim/deploy", {"xml": claim(), "revision": saved["revision"]}
    )
    assert status == 201, deployed
    assert deployed["definition"]["version"] == 1
    assert deployed["draft"]["base_version"] == 1
    status, version = await console.call("GET", "/admin/api/processes/claim/versions/1")
    assert version["form"]["components"][0]["key"] == "amount"
    # the engine validates starts against that form
    status, refused = await console.call("POST", "/admin/api/instances", {"process_key": "claim", "data": {}})
    assert status == 422
    assert refused["error"]["details"][0]["field"] == "amount"
    status, inst = await console.call(
        "POST", "/admin/api/instances", {"process_key": "claim", "data": {"amount": 5000}}
    )
    assert status == 201, inst
    assert inst["starter"] == "lilei"
    assert [t["assignee"] for t in inst["tasks"]] == ["chenjie"]


async def test_deploy_problems_name_the_elements(as_role: Any) -> None:
    console: Console = await as_role("lilei")
    await console.call("POST", "/admin/api/processes", {"key": "claim"})
    broken = claim(condition="${amount >}", approver="")
    status, body = await console.call(
        "POST", "/admin/api/processes/claim/deploy", {"xml": broken, "revision": 1}
    )
    assert status == 422
    assert body["error"]["code"] == "invalid_bpmn"
    elements = {d["element_id"] for d in body["error"]["details"]}
    assert {"first", "to_big"} <= elements
    # the draft keeps the work even though the deploy was refused
    status, draft = await console.call("GET", "/admin/api/processes/claim/draft")
    assert draft["xml"] == broken


async def test_a_form_the_engine_cannot_read_is_refused_when_saved(as_role: Any) -> None:
    console: Console = await as_role("zhangwei")
    bad = {"type": "default", "components": [{"type": "number", "key": "a b"}]}
    status, body = await console.call("PUT", "/admin/api/processes/expense/form", {"form": bad})
    assert status == 422
    assert body["error"]["details"]


async def test_the_form_check_answers_with_the_engines_messages(as_role: Any) -> None:
    console: Console = await as_role("zhouli")  # a check changes nothing: auditors may run it
    status, ok = await console.call("POST", "/admin/api/forms/check", {"form": FORM, "data": {"amount": 3}})
    assert status == 200 and ok["ok"] and [f["key"] for f in ok["fields"]] == ["amount", "reason"]
    status, bad = await console.call("POST", "/admin/api/forms/check", {"form": FORM, "data": {"amount": 0}})
    assert not bad["ok"]
    assert bad["problems"][0]["field"] == "amount"
    status, missing = await console.call("POST", "/admin/api/forms/check", {"form": FORM, "data": {}})
    assert missing["problems"] == [{"field": "amount", "message": "is required"}]


async def test_the_expression_check_compiles_like_deploy(as_role: Any) -> None:
    console: Console = await as_role("lilei")
    status, ok = await console.call(
        "POST", "/admin/api/expressions/check", {"expression": "${amount > 10000}"}
    )
    assert ok == {"ok": True, "message": "", "names": ["amount"]}
    status, bad = await console.call("POST", "/admin/api/expressions/check", {"expression": "${amount >}"})
    assert status == 200 and not bad["ok"] and bad["message"]


async def test_versions_can_be_compared(as_role: Any) -> None:
    console: Console = await as_role("lilei")
    await console.call("POST", "/admin/api/processes", {"key": "claim"})
    await console.call("POST", "/admin/api/processes/claim/deploy", {"xml": claim(), "revision": 1})
    status, draft = await console.call("GET", "/admin/api/processes/claim/draft")
    changed = claim(condition="${amount > 5000}").replace(
        '<bpmn:endEvent id="end"/>', '<bpmn:endEvent id="end" name="Done"/>'
    )
    status, second = await console.call(
        "POST", "/admin/api/processes/claim/deploy", {"xml": changed, "revision": draft["revision"]}
    )
    assert status == 201, second
    status, diff = await console.call("GET", "/admin/api/processes/claim/diff?a=1&b=2")
    assert status == 200
    assert {c["id"] for c in diff["changed"]} == {"to_big", "end"}
    assert diff["added"] == [] and diff["removed"] == []
    assert "amount &gt; 5000" in diff["unified"] or "amount > 5000" in diff["unified"]


def test_the_element_diff_sees_additions_removals_and_changes() -> None:
    old = claim()
    new = old.replace('<bpmn:userTask id="small" name="Small" jw:approver="role:hr"/>', "").replace(
        'jw:approver="user:zhouli"', 'jw:approver="user:wangjianguo"'
    )
    new = new.replace("</bpmn:process>", '<bpmn:userTask id="extra" name="Extra"/></bpmn:process>')
    found = diff_xml(old, new, old_label="a", new_label="b")
    assert [a["id"] for a in found["added"]] == ["extra"]
    assert [r["id"] for r in found["removed"]] == ["small"]
    assert [c["id"] for c in found["changed"]] == ["big"]


def test_the_empty_diagram_escapes_the_name() -> None:
    xml = empty_diagram("p", 'A "quoted" <name> & more')
    assert process_ids(xml) == [("p", True)]
    assert "&lt;name&gt;" in xml
