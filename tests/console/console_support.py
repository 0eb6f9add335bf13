"""Helpers of the console tests: the seeded database, settings, a logged-in client."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient
from support import load_example_org

from admin_web.settings import Settings
from engine import Database, ProcessEngine
from engine.accounts import Accounts

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
PASSWORD = "correct horse battery"
# account id -> roles; the ids that are also people of the example company act as them in the engine
ACCOUNTS = {
    "zhangwei": ["admin"],
    "lilei": ["designer"],
    "zhouli": ["auditor"],
    "nobody": [],
}
_BOOT = re.compile(r'<script id="jw-boot" type="application/json">(.*?)</script>', re.S)


def seed_console(db: Database) -> ProcessEngine:
    load_example_org(db)
    engine = ProcessEngine(db)
    for key in ("leave", "expense"):
        engine.deploy((EXAMPLES / f"{key}.bpmn").read_bytes())
    accounts = Accounts(db)
    for account_id, roles in ACCOUNTS.items():
        accounts.create(account_id, password=PASSWORD, roles=roles, name=account_id.title())
    return engine


def console_settings(db: Database, tmp_path: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "db": db.url.render_as_string(hide_password=False),
        "attachments_dir": tmp_path / "files",
        "auth_failures_per_minute": 50,
        "token_cache_seconds": 0,
        "workers": 4,
        "worker": False,
        **overrides,
    }
    return Settings(**values)


def boot_of(html: str) -> dict[str, Any]:
    found = _BOOT.search(html)
    assert found, "the page carries no boot data"
    return dict(json.loads(found.group(1)))


class Console:
    """A test client logged in as one account, sending the session's CSRF token on writes."""

    def __init__(self, client: TestClient[Any, Any]) -> None:
        self.client = client
        self.csrf = ""

    async def login(self, user: str, password: str = PASSWORD) -> Console:
        form = await self.client.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', await form.text())
        assert token
        answer = await self.client.post(
            "/login",
            data={"user": user, "password": password, "csrf_token": token.group(1), "next": "/admin/"},
            allow_redirects=False,
        )
        assert answer.status == 302, await answer.text()
        page = await self.client.get("/admin/account")
        assert page.status == 200
        self.csrf = boot_of(await page.text())["csrf"]
        return self

    async def call(self, method: str, path: str, body: Any = None, *, csrf: bool = True) -> tuple[int, Any]:
        headers = {"X-CSRF-Token": self.csrf} if csrf else {}
        response = await self.client.request(method, path, json=body, headers=headers, allow_redirects=False)
        text = await response.text()
        try:
            return response.status, json.loads(text) if text else None
        except json.JSONDecodeError:
            return response.status, text
