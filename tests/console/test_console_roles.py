"""Roles: admins do everything, designers model and deploy, auditors read everything and change nothing."""

from __future__ import annotations

import re
from typing import Any

import pytest
from console_support import Console

from admin_web.console import ROUTES
from admin_web.console.security import PERMISSIONS

# path parameters filled with values that exist in the seeded database (or harmlessly do not)
PARAMS = {
    "{key}": "expense",
    "{version}": "1",
    "{id}": "zhouli",
    "{attachment}": "none",
}
# POSTs any role may send: they compute an answer and change nothing
HARMLESS = {"/admin/api/expressions/check", "/admin/api/forms/check"}
SELF_SERVICE = {"/admin/api/me/locale", "/admin/api/me/password"}


def _path(template: str) -> str:
    for name, value in PARAMS.items():
        template = template.replace(name, value)
    return template


async def test_an_account_without_the_designer_role_cannot_deploy(as_role: Any) -> None:
    for user in ("zhouli", "nobody"):
        console: Console = await as_role(user)
        status, body = await console.call("POST", "/admin/api/processes/expense/deploy", {})
        assert status == 403, user
        assert body["error"]["code"] == "not_allowed"
        page = await console.client.get("/admin/processes/expense/design")
        html = await page.text()
        if user == "nobody":  # no role at all: not even the pages
            assert page.status == 403
            continue
        assert 'id="deploy"' not in html
        assert 'id="save"' not in html
        assert "bpmn-navigated-viewer" in html  # a viewer, not the modeler


async def test_a_designer_sees_and_may_use_save_and_deploy(as_role: Any) -> None:
    console: Console = await as_role("lilei")
    html = await (await console.client.get("/admin/processes/expense/design")).text()
    assert 'id="deploy"' in html and 'id="save"' in html and "bpmn-modeler" in html
    status, opened = await console.call("GET", "/admin/api/processes/expense/draft")
    assert status == 200 and opened["source"] == "deployed"
    status, body = await console.call("POST", "/admin/api/processes/expense/deploy", {"xml": opened["xml"]})
    assert status == 201, body
    assert body["definition"]["version"] == 2


async def test_the_auditor_reads_every_page_and_list(as_role: Any) -> None:
    console: Console = await as_role("zhouli")
    reads = [r for r in ROUTES if r.method == "GET" and r.permission == "read"]
    assert len(reads) > 15
    for route in reads:
        path = _path(route.path)
        if "{" in path:
            pytest.fail(f"no test value for {route.path}")
        if route.path.endswith("/diff"):
            path += "?a=1&b=1"
        answer = await console.client.get(path, allow_redirects=False)
        expected = (
            (200, 404) if route.path.endswith("{attachment}") or route.path.endswith("{id}") else (200,)
        )
        assert answer.status in expected, (route.path, answer.status, await answer.text())


async def test_the_auditor_is_refused_every_write(as_role: Any) -> None:
    console: Console = await as_role("zhouli")
    writes = [r for r in ROUTES if r.method not in ("GET", "HEAD")]
    checked = 0
    for route in writes:
        if route.path in HARMLESS | SELF_SERVICE:
            continue
        status, body = await console.call(route.method, _path(route.path), {})
        assert status == 403, (route.method, route.path, status, body)
        checked += 1
    assert checked >= 12


async def test_write_controls_are_hidden_from_the_auditor(as_role: Any) -> None:
    console: Console = await as_role("zhouli")
    pages = {
        "/admin/processes": ['id="new-process"'],
        "/admin/processes/expense/form": ['id="save-form"'],
        "/admin/accounts": ['id="account-form"'],
        "/admin/tokens": ['id="token-form"'],
        "/admin/org": ['id="org-import"'],
    }
    for path, controls in pages.items():
        html = await (await console.client.get(path)).text()
        for control in controls:
            assert control not in html, (path, control)
        assert "只读" in html or path == "/admin/org", path
    admin: Console = await as_role("zhangwei")
    for path, controls in pages.items():
        html = await (await admin.client.get(path)).text()
        for control in controls:
            assert control in html, (path, control)


async def test_designers_may_not_manage_accounts_tokens_or_the_org(as_role: Any) -> None:
    console: Console = await as_role("lilei")
    assert (await console.call("POST", "/admin/api/accounts", {"id": "x", "roles": ["admin"]}))[0] == 403
    assert (await console.call("POST", "/admin/api/tokens", {"user": "lilei"}))[0] == 403
    assert (await console.call("POST", "/admin/api/org/import", {}))[0] == 403


async def test_the_navigation_shows_the_accounts_roles(as_role: Any) -> None:
    console: Console = await as_role("zhouli")
    html = await (await console.client.get("/admin/")).text()
    assert re.search(r'class="role role-auditor">审计员<', html)


def test_every_route_names_a_known_permission() -> None:
    for route in ROUTES:
        assert route.permission in PERMISSIONS
        if route.method != "GET":
            assert route.permission not in ("read", "self") or route.path in HARMLESS | SELF_SERVICE, (
                route.path
            )
