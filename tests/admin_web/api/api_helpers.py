"""Helpers for the REST API tests: a client per user, starting an expense claim, error checks."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient

from engine import Database, ProcessEngine
from engine.org import import_org, parse_org_json

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
ADMIN = "zhangwei"


def db_url(db: Database) -> str:
    return db.url.render_as_string(hide_password=False)


class Api:
    """A test client that sends each request with the API token of one user."""

    def __init__(self, client: TestClient[Any, Any], tokens: dict[str, str], issue: Callable[[str], str]):
        self.client = client
        self._tokens = tokens
        self._issue = issue
        self.user: str | None = None

    def as_(self, user: str) -> Api:
        other = Api(self.client, self._tokens, self._issue)
        other.user = user
        return other

    def _headers(self, headers: dict[str, str] | None) -> dict[str, str]:
        out = dict(headers or {})
        if self.user is not None and "Authorization" not in out:
            if self.user not in self._tokens:
                self._tokens[self.user] = self._issue(self.user)
            out["Authorization"] = f"Bearer {self._tokens[self.user]}"
        return out

    async def request(
        self, method: str, path: str, *, headers: dict[str, str] | None = None, **kw: Any
    ) -> Any:
        return await self.client.request(method, path, headers=self._headers(headers), **kw)

    async def get(self, path: str, **kw: Any) -> Any:
        return await self.request("GET", path, **kw)

    async def post(self, path: str, **kw: Any) -> Any:
        return await self.request("POST", path, **kw)


def seed(db: Database) -> ProcessEngine:
    """The example company and the four example processes."""
    with db.write() as conn:
        import_org(conn, parse_org_json((EXAMPLES / "org.json").read_text(encoding="utf-8")))
    engine = ProcessEngine(db)
    for key in ("leave", "expense", "purchase", "onboarding"):
        engine.deploy((EXAMPLES / f"{key}.bpmn").read_bytes())
    return engine


async def start_expense(api: Api, amount: int = 12800, starter: str = "zhangwei") -> dict[str, Any]:
    resp = await api.as_(starter).post(
        "/api/v1/instances", json={"process_key": "expense", "data": {"amount": amount, "reason": "差旅"}}
    )
    assert resp.status == 201, await resp.text()
    return dict(await resp.json())


def assert_error(body: Any, code: str) -> None:
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["code"] == code, body
    assert body["error"]["message"]
