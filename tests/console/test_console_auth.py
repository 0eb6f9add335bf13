"""Login, sessions and CSRF of the console, over HTTP."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

from aiohttp.test_utils import TestClient
from console_support import PASSWORD, Console

from engine import Database
from engine.accounts import Accounts


async def _login_token(client: TestClient[Any, Any]) -> str:
    page = await client.get("/login")
    assert page.status == 200
    found = re.search(r'name="csrf_token" value="([^"]+)"', await page.text())
    assert found
    return found.group(1)


async def test_pages_send_a_visitor_without_a_session_to_the_login(
    console_client: TestClient[Any, Any],
) -> None:
    answer = await console_client.get("/admin/instances?status=running", allow_redirects=False)
    assert answer.status == 302
    location = urlsplit(answer.headers["Location"])
    assert location.path == "/login"
    assert parse_qs(location.query)["next"] == ["/admin/instances?status=running"]


async def test_json_without_a_session_is_401(console_client: TestClient[Any, Any]) -> None:
    answer = await console_client.get("/admin/api/processes")
    assert answer.status == 401
    assert (await answer.json())["error"]["code"] == "unauthorized"


async def test_login_sets_an_http_only_session_cookie_and_redirects(
    console_client: TestClient[Any, Any],
) -> None:
    token = await _login_token(console_client)
    answer = await console_client.post(
        "/login",
        data={"user": "lilei", "password": PASSWORD, "csrf_token": token, "next": "/admin/org"},
        allow_redirects=False,
    )
    assert answer.status == 302
    assert answer.headers["Location"] == "/admin/org"
    cookie = answer.cookies["jw_session"]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    page = await console_client.get("/admin/org")
    assert page.status == 200
    assert "组织架构" in await page.text()


async def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(
    console_client: TestClient[Any, Any],
) -> None:
    token = await _login_token(console_client)
    answer = await console_client.post(
        "/login", data={"user": "lilei", "password": "nope-nope", "csrf_token": token}, allow_redirects=False
    )
    assert answer.status == 401
    text = await answer.text()
    assert "账号或密码错误" in text
    assert "jw_session" not in answer.cookies


async def test_a_login_without_its_form_token_is_refused(console_client: TestClient[Any, Any]) -> None:
    await _login_token(console_client)
    answer = await console_client.post(
        "/login", data={"user": "lilei", "password": PASSWORD, "csrf_token": "forged"}, allow_redirects=False
    )
    assert answer.status == 403


async def test_next_never_leaves_the_site(console_client: TestClient[Any, Any]) -> None:
    token = await _login_token(console_client)
    answer = await console_client.post(
        "/login",
        data={"user": "lilei", "password": PASSWORD, "csrf_token": token, "next": "//evil.example/x"},
        allow_redirects=False,
    )
    assert answer.headers["Location"] == "/admin/"


async def test_too_many_failures_from_one_address_are_throttled(
    aiohttp_client: Any, db: Database, tmp_path: Any, console_engine: Any
) -> None:
    from console_support import console_settings

    from admin_web.app import create_app

    client = await aiohttp_client(create_app(console_settings(db, tmp_path, auth_failures_per_minute=2)))
    for _ in range(2):
        token = await _login_token(client)
        await client.post("/login", data={"user": "lilei", "password": "bad-guess", "csrf_token": token})
    token = await _login_token(client)
    answer = await client.post("/login", data={"user": "lilei", "password": PASSWORD, "csrf_token": token})
    assert answer.status == 429


async def test_json_writes_without_the_csrf_header_are_refused(as_role: Any) -> None:
    console: Console = await as_role("zhangwei")
    status, body = await console.call("POST", "/admin/api/processes", {"key": "p1", "name": "P"}, csrf=False)
    assert status == 403
    assert body["error"]["code"] == "csrf"
    console.csrf = "another-sessions-token"
    status, _ = await console.call("PUT", "/admin/api/processes/expense/form", {"form": None})
    assert status == 403
    console.csrf = ""
    status, _ = await console.call("POST", "/admin/api/tokens/x/revoke")
    assert status == 403


async def test_writes_from_another_origin_are_refused_even_with_the_token(as_role: Any) -> None:
    console: Console = await as_role("zhangwei")
    answer = await console.client.post(
        "/admin/api/processes",
        json={"key": "p2"},
        headers={"X-CSRF-Token": console.csrf, "Origin": "https://evil.example"},
    )
    assert answer.status == 403


async def test_form_posts_need_the_csrf_field(as_role: Any) -> None:
    console: Console = await as_role("lilei")
    answer = await console.client.post("/logout", data={}, allow_redirects=False)
    assert answer.status == 403
    answer = await console.client.post("/logout", data={"csrf_token": console.csrf}, allow_redirects=False)
    assert answer.status == 302
    assert (await console.client.get("/admin/api/me")).status == 401


async def test_logout_ends_the_session_on_the_server(as_role: Any) -> None:
    console: Console = await as_role("lilei")
    cookie = console.client.session.cookie_jar.filter_cookies(console.client.make_url("/"))[
        "jw_session"
    ].value
    await console.client.post("/logout", data={"csrf_token": console.csrf})
    answer = await console.client.get("/admin/api/me", cookies={"jw_session": cookie})
    assert answer.status == 401


async def test_a_deactivated_account_loses_its_session_at_once(as_role: Any, db: Database) -> None:
    console: Console = await as_role("lilei")
    Accounts(db).update("lilei", active=False)
    assert (await console.client.get("/admin/api/me")).status == 401


async def test_a_one_time_password_must_be_changed_before_anything_else(
    console_client: TestClient[Any, Any], db: Database
) -> None:
    Accounts(db).set_password("lilei", "temporary-1", must_change=True)
    console = Console(console_client)
    token = await _login_token(console_client)
    answer = await console_client.post(
        "/login",
        data={"user": "lilei", "password": "temporary-1", "csrf_token": token},
        allow_redirects=False,
    )
    assert answer.headers["Location"] == "/admin/account"
    assert (await console_client.get("/admin/processes", allow_redirects=False)).status == 302
    page = await console_client.get("/admin/account")
    assert "一次性密码" in await page.text()
    from console_support import boot_of

    console.csrf = boot_of(await page.text())["csrf"]
    status, _ = await console.call("POST", "/admin/api/processes", {"key": "x"})
    assert status == 403
    status, _ = await console.call(
        "POST", "/admin/api/me/password", {"current": "temporary-1", "new": "my own secret"}
    )
    assert status == 200
    assert (await console_client.get("/admin/processes")).status == 200
