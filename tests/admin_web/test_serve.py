"""``jingwei serve --demo``: a newcomer's first command starts a real service with data and a token."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from served import Served


def fetch(url: str, token: str | None = None) -> tuple[int, str]:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"} if token else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as resp:
            return resp.status, resp.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def get_json(url: str, token: str) -> Any:
    status, body = fetch(url, token)
    assert status == 200, body
    return json.loads(body)


def test_demo_serves_the_landing_page_docs_and_an_api_token(tmp_path: Path) -> None:
    with Served(tmp_path, "--demo") as served:
        banner = served.banner
        assert banner["urls"]["home"] == f"{served.url}/"
        assert banner["urls"]["docs"] == f"{served.url}/api/docs"
        assert banner["urls"]["openapi"] == f"{served.url}/api/v1/openapi.json"
        status, html = fetch(banner["urls"]["home"])
        assert status == 200 and "Jingwei BPM is running" in html
        assert fetch(banner["urls"]["docs"])[0] == 200
        me = get_json(f"{served.url}/api/v1/me", banner["token"])
        assert me["user"]["id"] == banner["demo_user"] == "zhangwei"
        defs = get_json(f"{served.url}/api/v1/definitions", banner["token"])
        assert sorted(d["key"] for d in defs) == ["expense", "leave", "onboarding", "purchase"]
    assert (tmp_path / "var" / "jingwei.db").exists()


def test_a_second_demo_start_redeploys_nothing_and_replaces_the_token(tmp_path: Path) -> None:
    with Served(tmp_path, "--demo") as first:
        old_token = first.banner["token"]
    with Served(tmp_path, "--demo") as second:
        token = second.banner["token"]
        assert token != old_token
        defs = get_json(f"{second.url}/api/v1/definitions", token)
        assert [d["version"] for d in defs] == [1, 1, 1, 1]
        assert fetch(f"{second.url}/api/v1/me", old_token)[0] == 401


def test_serve_without_demo_prints_no_token(tmp_path: Path) -> None:
    with Served(tmp_path) as served:
        assert served.banner["token"] is None
        assert fetch(f"{served.url}/healthz")[0] == 200
        assert fetch(f"{served.url}/api/v1/me")[0] == 401
