"""/api/v1/instances/{id}/comments and /attachments: who may talk, mentions, uploads and downloads."""

from __future__ import annotations

import hashlib
from pathlib import Path

import aiohttp
import pytest
import sqlalchemy as sa
from api_helpers import Api, assert_error, start_expense

from admin_web.settings import Settings
from engine import Database

pytestmark = pytest.mark.db

PDF = b"%PDF-1.4\n" + b"invoice " * 100


def upload(
    content: bytes, filename: str = "invoice.pdf", content_type: str = "application/pdf"
) -> aiohttp.FormData:
    form = aiohttp.FormData()
    form.add_field("file", content, filename=filename, content_type=content_type)
    return form


def stored_files(settings: Settings) -> list[Path]:
    root = settings.attachments_dir
    if not root.exists():
        return []
    return [p for p in root.rglob("*") if p.is_file() and p.relative_to(root).parts[0] != "tmp"]


async def test_the_starter_comments_and_mentioned_people_are_notified(api: Api, db: Database) -> None:
    inst = await start_expense(api)
    resp = await api.as_("zhangwei").post(
        f"/api/v1/instances/{inst['id']}/comments", json={"text": "发票已补 @zhouli", "mentions": ["zhouli"]}
    )
    body = await resp.json()
    assert resp.status == 201, body
    assert (body["action"], body["actor"], body["channel"]) == ("commented", "zhangwei", "api")
    assert body["details"] == {"comment": "发票已补 @zhouli", "mentions": ["zhouli"]}
    with db.read() as conn:
        payload = conn.execute(
            sa.text("SELECT payload FROM outbox WHERE topic = 'instance.commented'")
        ).scalar_one()
    payload = payload if isinstance(payload, dict) else __import__("json").loads(payload)
    assert payload["recipients"] == ["zhouli"]
    listed = await (await api.as_("chenjie").get(f"/api/v1/instances/{inst['id']}/comments")).json()
    assert [c["seq"] for c in listed] == [body["seq"]]
    check = await (await api.as_("chenjie").get(f"/api/v1/instances/{inst['id']}/history/verify")).json()
    assert check["ok"] is True


async def test_an_approver_comments_on_their_task(api: Api) -> None:
    inst = await start_expense(api)
    task = inst["tasks"][0]
    resp = await api.as_("chenjie").post(
        f"/api/v1/instances/{inst['id']}/comments", json={"text": "请补充行程单", "task_id": task["id"]}
    )
    body = await resp.json()
    assert resp.status == 201
    assert (body["task_id"], body["node_id"]) == (task["id"], "manager_approval")


async def test_comment_refusals(api: Api) -> None:
    inst = await start_expense(api)
    path = f"/api/v1/instances/{inst['id']}/comments"
    outsider = await api.as_("lina").post(path, json={"text": "路过"})
    assert outsider.status == 403
    assert_error(await outsider.json(), "not_allowed")
    ghost = await api.as_("zhangwei").post(path, json={"text": "hi", "mentions": ["nobody"]})
    assert ghost.status == 404
    assert (await ghost.json())["error"]["details"] == {"unknown": ["nobody"]}
    empty = await api.as_("zhangwei").post(path, json={"text": ""})
    assert empty.status == 422
    blank = await api.as_("zhangwei").post(path, json={"text": "   "})
    assert blank.status == 422
    missing = await api.as_("zhangwei").post(
        "/api/v1/instances/0000000000000000/comments", json={"text": "x"}
    )
    assert missing.status == 404


async def test_upload_list_and_download_an_attachment(api: Api, api_settings: Settings) -> None:
    inst = await start_expense(api)
    base = f"/api/v1/instances/{inst['id']}/attachments"
    resp = await api.as_("zhangwei").post(base, data=upload(PDF, "发票 2026.pdf"))
    meta = await resp.json()
    assert resp.status == 201, meta
    assert meta["filename"] == "发票 2026.pdf"
    assert (meta["size"], meta["sha256"]) == (len(PDF), hashlib.sha256(PDF).hexdigest())
    assert meta["content_type"] == "application/pdf"
    listed = await (await api.as_("chenjie").get(base)).json()
    assert [a["id"] for a in listed] == [meta["id"]]
    got = await api.as_("chenjie").get(f"{base}/{meta['id']}")
    assert got.status == 200
    assert await got.read() == PDF
    assert got.headers["Content-Type"] == "application/pdf"
    assert "filename*=UTF-8''%E5%8F%91%E7%A5%A8%202026.pdf" in got.headers["Content-Disposition"]
    assert got.headers["X-Content-Type-Options"] == "nosniff"
    history = await (await api.as_("chenjie").get(f"/api/v1/instances/{inst['id']}/history")).json()
    assert history[-1]["action"] == "attached"
    assert history[-1]["details"]["attachment_id"] == meta["id"]
    assert (await api.as_("chenjie").get(f"{base}/0000000000000000")).status == 404
    # lina takes no part in the instance: neither the list nor the file
    for path in (base, f"{base}/{meta['id']}"):
        refused = await api.as_("lina").get(path)
        assert refused.status == 403
        assert_error(await refused.json(), "not_allowed")
    assert len(stored_files(api_settings)) == 1


async def test_the_same_content_is_stored_once(api: Api, api_settings: Settings) -> None:
    inst = await start_expense(api)
    base = f"/api/v1/instances/{inst['id']}/attachments"
    for name in ("a.pdf", "b.pdf"):
        assert (await api.as_("zhangwei").post(base, data=upload(PDF, name))).status == 201
    assert len(stored_files(api_settings)) == 1


async def test_an_oversized_upload_is_413_and_leaves_nothing(
    api: Api, api_settings: Settings, db: Database
) -> None:
    inst = await start_expense(api)
    big = b"x" * (api_settings.max_upload_bytes + 1)
    resp = await api.as_("zhangwei").post(
        f"/api/v1/instances/{inst['id']}/attachments", data=upload(big, "big.pdf")
    )
    assert resp.status == 413
    assert_error(await resp.json(), "too_large")
    assert stored_files(api_settings) == []
    with db.read() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM attachments")).scalar_one() == 0


async def test_file_types_outside_the_allow_list_are_refused(api: Api, api_settings: Settings) -> None:
    inst = await start_expense(api)
    base = f"/api/v1/instances/{inst['id']}/attachments"
    exe = await api.as_("zhangwei").post(base, data=upload(b"MZ", "setup.exe", "application/octet-stream"))
    assert exe.status == 422
    assert '".exe"' in (await exe.json())["error"]["message"]
    lying = await api.as_("zhangwei").post(base, data=upload(PDF, "invoice.pdf", "text/html"))
    assert lying.status == 422
    generic = await api.as_("zhangwei").post(base, data=upload(PDF, "scan.pdf", "application/octet-stream"))
    assert generic.status == 201
    assert (await generic.json())["content_type"] == "application/pdf"
    not_multipart = await api.as_("zhangwei").post(base, json={"file": "x"})
    assert not_multipart.status == 415
    no_file = aiohttp.MultipartWriter("form-data")
    no_file.append("1").set_content_disposition("form-data", name="comment_seq")
    assert (await api.as_("zhangwei").post(base, data=no_file)).status == 422


async def test_outsiders_cannot_attach_and_nothing_is_stored(api: Api, api_settings: Settings) -> None:
    inst = await start_expense(api)
    resp = await api.as_("lina").post(f"/api/v1/instances/{inst['id']}/attachments", data=upload(PDF))
    assert resp.status == 403
    assert stored_files(api_settings) == []


async def test_attaching_to_a_comment_and_to_a_missing_one(api: Api, api_settings: Settings) -> None:
    inst = await start_expense(api)
    comment = await (
        await api.as_("zhangwei").post(f"/api/v1/instances/{inst['id']}/comments", json={"text": "见附件"})
    ).json()
    base = f"/api/v1/instances/{inst['id']}/attachments"
    form = upload(PDF)
    form.add_field("comment_seq", str(comment["seq"]))
    resp = await api.as_("zhangwei").post(base, data=form)
    assert resp.status == 201
    assert (await resp.json())["comment_seq"] == comment["seq"]
    other = b"%PDF-1.4 another file"
    wrong = upload(other, "other.pdf")
    wrong.add_field("comment_seq", "1")  # seq 1 is "started", not a comment
    resp = await api.as_("zhangwei").post(base, data=wrong)
    assert resp.status == 404
    # The refused upload's file was written first and removed again: only the first file is left.
    assert [p.name for p in stored_files(api_settings)] == [hashlib.sha256(PDF).hexdigest()]


async def test_a_malformed_multipart_body_is_400(api: Api) -> None:
    inst = await start_expense(api)
    body = b"--xyz\r\n-3.0e+16--xyz--\r\n"
    resp = await api.as_("zhangwei").post(
        f"/api/v1/instances/{inst['id']}/attachments",
        data=body,
        headers={"Content-Type": "multipart/form-data; boundary=xyz"},
    )
    assert resp.status == 400
    assert_error(await resp.json(), "bad_request")
