"""Calls of the sandbox JSON API shared by the sandbox tests."""

from __future__ import annotations

from typing import Any


async def _inbox(client: Any, user: str) -> dict[str, Any]:
    response = await client.get("/sandbox/api/inbox", params={"user": user})
    assert response.status == 200
    return await response.json()


async def _post(client: Any, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = await client.post(path, json=body)
    assert response.status == 200, await response.text()
    return (await response.json())["reply"]
