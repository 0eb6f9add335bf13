"""The chat flow of the sandbox page, clicked through in headless Chromium; screenshots kept."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import unused_port
from support import load_example_org

from admin_web.app import create_app
from admin_web.settings import Settings
from engine import Database, ProcessEngine

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture
async def server(aiohttp_server: Any, sqlite_db: Database, tmp_path: Path) -> Any:
    load_example_org(sqlite_db)
    ProcessEngine(sqlite_db).deploy((EXAMPLES / "expense.bpmn").read_bytes())
    url = sqlite_db.url.render_as_string(hide_password=False)
    port = unused_port()  # card links point at the configured address: serve exactly there
    settings = Settings(db=url, sandbox=True, attachments_dir=tmp_path / "f", host="127.0.0.1", port=port)
    return await aiohttp_server(create_app(settings), port=port)


async def _as(page: Any, server: Any, user: str) -> None:
    await page.goto(str(server.make_url(f"/sandbox?user={user}")))
    await page.wait_for_selector("#user option", state="attached")
    await page.wait_for_function("document.getElementById('user').value !== ''")


async def test_expense_claim_clicked_through_in_chromium(browser: Any, server: Any, artifacts: Path) -> None:
    page = await browser.new_page(viewport={"width": 1100, "height": 800})
    await _as(page, server, "lilei")
    await page.fill("#text", "/apply 报销 amount=20000 reason=出差")
    await page.click("#composer button[type=submit]")
    await page.wait_for_selector("#cards .card-result")
    await page.wait_for_function("document.getElementById('log').innerText.includes('已提交')")
    await page.screenshot(path=str(artifacts / "1-lilei-applied.png"), full_page=True)

    for step, approver in enumerate(("chenjie", "zhouli"), start=2):
        await _as(page, server, approver)
        button = page.locator("#cards .card-task.status-open button[data-action=approve]")
        await button.wait_for()
        await page.screenshot(path=str(artifacts / f"{step}-{approver}-card.png"), full_page=True)
        await button.click()
        await page.wait_for_selector("#cards .card-task.status-approved")
        assert "已同意" in await page.inner_text("#cards .card-task.status-approved .badge")
        assert await page.locator("#cards .card-task.status-approved button").count() == 0

    await _as(page, server, "lilei")
    await page.wait_for_selector("#cards .card-result.status-completed")
    await page.screenshot(path=str(artifacts / "4-lilei-result.png"), full_page=True)
    assert "已通过" in await page.inner_text("#cards .card-result .badge")


async def test_h5_page_on_a_phone(browser: Any, server: Any, artifacts: Path) -> None:
    page = await browser.new_page(viewport={"width": 375, "height": 740}, device_scale_factor=2)
    await _as(page, server, "lilei")
    await page.fill("#text", "/apply 报销 amount=300 reason=打车")
    await page.click("#composer button[type=submit]")
    # the answer first: leaving the page at once could abort the request before it is sent
    await page.wait_for_function("document.getElementById('log').innerText.includes('已提交')")
    await _as(page, server, "chenjie")
    link = page.locator("#cards .card-task a.link")
    await link.wait_for()
    await page.goto(await link.get_attribute("href") or "")
    await page.screenshot(path=str(artifacts / "h5-task-375.png"), full_page=True)
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375  # nothing overflows a 375 px screen
    await page.click("button.approve")
    assert "已提交" in await page.inner_text(".message")
