"""Bearer tokens on /api/v1: who may call, how refusals read, and the failed-attempt limit."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from api_helpers import Api, assert_error

from admin_web.api.auth import FailureLimiter, TokenCache
from admin_web.app import create_app
from admin_web.settings import Settings
from engine import ApiTokens, Database, ProcessEngine, TokenInfo

pytestmark = pytest.mark.db


async def test_a_request_without_token_is_refused_with_401_and_a_challenge(api: Api) -> None:
    resp = await api.get("/api/v1/tasks")
    assert resp.status == 401
    assert resp.headers["WWW-Authenticate"].startswith("Bearer")
    assert_error(await resp.json(), "unauthorized")


async def test_an_unknown_or_malformed_token_is_refused(api: Api) -> None:
    for token in ("jw_nope_secret", "not-a-token", "jw__", "Basic abc"):
        resp = await api.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        assert resp.status == 401, token


async def test_a_revoked_token_stops_working_at_once(api: Api, db: Database) -> None:
    tokens = ApiTokens(db)
    issued = tokens.create("lina", name="ci")
    headers = {"Authorization": f"Bearer {issued.token}"}
    assert (await api.get("/api/v1/me", headers=headers)).status == 200
    tokens.revoke(issued.info.id)
    resp = await api.get("/api/v1/me", headers=headers)
    assert resp.status == 401


async def test_a_departed_users_token_is_refused(api: Api, db: Database) -> None:
    tokens = ApiTokens(db)
    issued = tokens.create("lina")
    with db.write() as conn:
        conn.exec_driver_sql("UPDATE users SET active = false WHERE id = 'lina'")
    resp = await api.get("/api/v1/me", headers={"Authorization": f"Bearer {issued.token}"})
    assert resp.status == 401


async def test_me_answers_the_tokens_user(api: Api) -> None:
    resp = await api.as_("zhangwei").get("/api/v1/me")
    body = await resp.json()
    assert resp.status == 200
    assert body["user"]["id"] == "zhangwei"
    assert body["user"]["name"] == "张伟"
    assert body["admin"] is True
    assert body["token"]["user_id"] == "zhangwei"
    assert "token_hash" not in body["token"]
    other = await (await api.as_("lina").get("/api/v1/me")).json()
    assert other["admin"] is False


async def test_repeated_failures_from_one_address_get_429_with_retry_after(api: Api) -> None:
    bad = {"Authorization": "Bearer jw_0000000000000000_wrong"}
    statuses = [(await api.get("/api/v1/me", headers=bad)).status for _ in range(6)]
    assert statuses == [401] * 5 + [429]
    resp = await api.as_("zhangwei").get("/api/v1/me")  # even a good token waits: the address is throttled
    assert resp.status == 429
    assert int(resp.headers["Retry-After"]) >= 1
    assert_error(await resp.json(), "rate_limited")


async def test_the_openapi_document_needs_no_token(api: Api) -> None:
    resp = await api.get("/api/v1/openapi.json")
    assert resp.status == 200


async def test_unknown_api_routes_answer_json_404(api: Api) -> None:
    for path in ("/api/v1/nothing-here", "/api/v2/tasks", "/api/"):
        resp = await api.as_("zhangwei").get(path)
        assert resp.status == 404, path
        assert_error(await resp.json(), "not_found")


async def test_a_wrong_method_answers_json_405(api: Api) -> None:
    resp = await api.as_("zhangwei").request("DELETE", "/api/v1/tasks")
    assert resp.status == 405
    assert_error(await resp.json(), "method_not_allowed")


def test_the_token_cache_forgets_after_its_time_and_can_be_off() -> None:
    now = [100.0]
    cache = TokenCache(5, clock=lambda: now[0])
    info = TokenInfo("t1", "lina", "", datetime(2026, 1, 1))
    cache.put("jw_t1_secret", info)
    assert cache.get("jw_t1_secret") == info
    assert cache.get("jw_t1_other") is None
    now[0] += 5.1
    assert cache.get("jw_t1_secret") is None
    off = TokenCache(0)
    off.put("jw_t1_secret", info)
    assert off.get("jw_t1_secret") is None


def test_the_failure_limiter_forgets_after_a_minute() -> None:
    now = [0.0]
    limiter = FailureLimiter(2, clock=lambda: now[0])
    limiter.fail("1.2.3.4")
    limiter.fail("1.2.3.4")
    assert limiter.retry_after("1.2.3.4") == 61
    assert limiter.retry_after("5.6.7.8") is None
    now[0] += 61
    assert limiter.retry_after("1.2.3.4") is None


async def test_behind_a_trusted_proxy_each_forwarded_client_has_its_own_limit(
    aiohttp_client: Any, api_settings: Settings, seeded: ProcessEngine, db: Database
) -> None:
    settings = api_settings.model_copy(update={"trusted_proxies": ["127.0.0.1"]})
    client = await aiohttp_client(create_app(settings))
    good = {"Authorization": f"Bearer {ApiTokens(db).create('lina').token}"}
    bad = {"Authorization": "Bearer jw_0000000000000000_wrong"}
    for _ in range(5):
        await client.get("/api/v1/me", headers={**bad, "X-Forwarded-For": "203.0.113.9"})
    attacker = await client.get("/api/v1/me", headers={**bad, "X-Forwarded-For": "203.0.113.9"})
    assert attacker.status == 429
    other = await client.get("/api/v1/me", headers={**good, "X-Forwarded-For": "198.51.100.7"})
    assert other.status == 200
