"""The acceptance flow of the chat layer, through the sandbox JSON API only."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aiohttp
from sandbox_helpers import _inbox, _post

from admin_web.app import create_app
from admin_web.settings import Settings
from engine import Database


async def test_expense_claim_through_the_sandbox(sandbox: Any) -> None:
    reply = await _post(
        sandbox, "/sandbox/api/messages", {"user": "lilei", "text": "/apply 报销 amount=20000 reason=出差"}
    )
    assert reply["ok"], reply

    manager = [c for c in (await _inbox(sandbox, "chenjie"))["cards"] if c["kind"] == "task"]
    assert len(manager) == 1 and manager[0]["status"] == "open"
    assert [a["action"] for a in manager[0]["actions"]] == ["approve", "reject"]
    assert "<article" in manager[0]["html"]
    reply = await _post(
        sandbox,
        "/sandbox/api/actions",
        {"user": "chenjie", "card_id": manager[0]["card_id"], "action": "approve"},
    )
    assert reply["ok"]

    director = [c for c in (await _inbox(sandbox, "zhouli"))["cards"] if c["kind"] == "task"]
    assert len(director) == 1
    await _post(
        sandbox,
        "/sandbox/api/actions",
        {"user": "zhouli", "card_id": director[0]["card_id"], "action": "approve"},
    )

    mine = (await _inbox(sandbox, "lilei"))["cards"]
    result = [c for c in mine if c["kind"] == "result"]
    assert result and result[0]["status"] == "completed" and result[0]["actions"] == []
    for user, card in (("chenjie", manager[0]), ("zhouli", director[0])):
        (latest,) = [c for c in (await _inbox(sandbox, user))["cards"] if c["card_id"] == card["card_id"]]
        assert latest["status"] == "approved" and latest["actions"] == []
        assert latest["status_text"].startswith("已同意")

    again = await _post(
        sandbox,
        "/sandbox/api/actions",
        {"user": "chenjie", "card_id": manager[0]["card_id"], "action": "reject"},
    )
    assert not again["ok"] and "已被处理" in again["text"]
    (still,) = [
        c for c in (await _inbox(sandbox, "chenjie"))["cards"] if c["card_id"] == manager[0]["card_id"]
    ]
    assert still["status"] == "approved"
    messages = (await _inbox(sandbox, "lilei"))["messages"]
    assert messages[0] == {**messages[0], "from": "lilei", "text": "/apply 报销 amount=20000 reason=出差"}


async def test_bad_bodies_are_refused_clearly(sandbox: Any) -> None:
    response = await sandbox.post("/sandbox/api/messages", json={"user": "lilei"})
    assert response.status == 422
    body = await response.json()
    assert body["error"]["details"][0]["field"] == "text"
    response = await sandbox.post(
        "/sandbox/api/messages", data=b"{nope", headers={"Content-Type": "application/json"}
    )
    assert response.status == 400
    response = await sandbox.get("/sandbox/api/inbox")
    assert response.status == 422


async def test_file_attaches_to_the_current_request(sandbox: Any) -> None:
    await _post(
        sandbox, "/sandbox/api/messages", {"user": "lilei", "text": "/apply expense amount=88 reason=打车"}
    )
    data = aiohttp.FormData()
    data.add_field("user", "lilei")
    data.add_field("file", b"%PDF-1.4 receipt", filename="receipt.pdf", content_type="application/pdf")
    response = await sandbox.post("/sandbox/api/files", data=data)
    assert response.status == 200
    reply = (await response.json())["reply"]
    assert reply["ok"] and "receipt.pdf" in reply["text"]


async def test_page_is_served(sandbox: Any) -> None:
    response = await sandbox.get("/sandbox")
    assert response.status == 200 and "Sandbox chat" in await response.text()


async def test_mention_in_reply_to_a_card_comments_and_notifies(sandbox: Any) -> None:
    await _post(
        sandbox, "/sandbox/api/messages", {"user": "lilei", "text": "/apply expense amount=88 reason=打车"}
    )
    (card,) = [c for c in (await _inbox(sandbox, "chenjie"))["cards"] if c["kind"] == "task"]
    body = {"user": "chenjie", "text": "@李娜 请看一下发票", "reply_to": card["card_id"]}
    reply = await _post(sandbox, "/sandbox/api/messages", body)
    assert reply["ok"] and "lina" in reply["text"]
    notices = [c for c in (await _inbox(sandbox, "lina"))["cards"] if c["kind"] == "notice"]
    assert notices and "提到你" in notices[0]["title"]


async def test_the_conversation_survives_a_restart_and_is_shared_by_replicas(
    sandbox: Any, db: Database, tmp_path: Path, aiohttp_client: Any
) -> None:
    await _post(sandbox, "/sandbox/api/messages", {"user": "lilei", "text": "/todo"})
    before = (await _inbox(sandbox, "lilei"))["messages"]
    assert [m["from"] for m in before] == ["lilei", "bot"]
    url = db.url.render_as_string(hide_password=False)
    other = await aiohttp_client(
        create_app(Settings(db=url, sandbox=True, attachments_dir=tmp_path / "files", workers=2))
    )
    assert (await _inbox(other, "lilei"))["messages"] == before  # another process, the same conversation
    assert (await _inbox(other, "chenjie"))["messages"] == []
