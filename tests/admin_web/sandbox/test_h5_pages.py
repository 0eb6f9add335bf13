"""H5 pages: signed links from the cards, read-only or personal, usable to decide."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

from sandbox_helpers import _inbox, _post


async def _manager_link(sandbox: Any) -> tuple[str, dict[str, str]]:
    await _post(
        sandbox, "/sandbox/api/messages", {"user": "lilei", "text": "/apply 报销 amount=20000 reason=出差"}
    )
    (card,) = [c for c in (await _inbox(sandbox, "chenjie"))["cards"] if c["kind"] == "task"]
    url = urlsplit(card["links"][0]["url"])
    return url.path, {k: v[0] for k, v in parse_qs(url.query).items()}


async def test_personal_link_shows_the_task_and_decides_it(sandbox: Any) -> None:
    path, query = await _manager_link(sandbox)
    assert query["u"] == "chenjie"
    page = await sandbox.get(path, params=query)
    text = await page.text()
    assert page.status == 200 and "直属主管审批" in text and 'value="approve"' in text and "20000" in text
    done = await sandbox.post(
        path + "?" + "&".join(f"{k}={v}" for k, v in query.items()), data={"action": "approve"}
    )
    assert done.status == 200 and "已提交" in await done.text()
    director = [c for c in (await _inbox(sandbox, "zhouli"))["cards"] if c["kind"] == "task"]
    assert len(director) == 1


async def test_tampered_or_expired_links_are_refused(sandbox: Any) -> None:
    path, query = await _manager_link(sandbox)
    bad = await sandbox.get(path, params={**query, "u": "zhouli"})
    assert bad.status == 403
    expired = await sandbox.get(path, params={**query, "exp": "1000"})
    assert expired.status == 403


async def test_page_fits_a_phone_and_escapes_data(sandbox: Any) -> None:
    await _post(
        sandbox, "/sandbox/api/messages", {"user": "lilei", "text": '/apply 报销 amount=5 reason="<b>x</b>"'}
    )
    (card,) = [c for c in (await _inbox(sandbox, "chenjie"))["cards"] if c["kind"] == "task"]
    url = urlsplit(card["links"][0]["url"])
    text = await (await sandbox.get(url.path + "?" + url.query)).text()
    assert 'name="viewport"' in text and "&lt;b&gt;x&lt;/b&gt;" in text and "<b>x</b>" not in text
