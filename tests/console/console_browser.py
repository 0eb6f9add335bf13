"""Helpers for the console's Chromium tests: a served app, logging in, screenshots, bpmn-js lookups.

Chromium is Debian's (``/usr/bin/chromium``), driven by Playwright's async API with the same
flags as ``tests/browser``; screenshots go to ``var/test-artifacts/<test>/`` and, when
``JINGWEI_DOCS_IMG`` names a folder (``make docs-screenshots``), also there for docs/console.md.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from admin_web.console.assets import REPOSITORY_MODULES, VENDOR

CHROMIUM = os.environ.get("JINGWEI_CHROMIUM", "/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(os.environ.get("JINGWEI_ARTIFACTS", ROOT / "var" / "test-artifacts"))
DOCS_IMG = os.environ.get("JINGWEI_DOCS_IMG")
FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def require_assets() -> None:
    missing = [name for name, folder in VENDOR.items() if not (REPOSITORY_MODULES / folder).is_dir()]
    if missing:
        pytest.fail(
            f"the console's browser libraries are missing ({', '.join(missing)}): run `npm ci`",
            pytrace=False,
        )


async def launch() -> AsyncIterator[Any]:
    if not Path(CHROMIUM).exists() and shutil.which("chromium") is None:
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: `make test` installs Debian's chromium package", pytrace=False
        )
    require_assets()
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        chromium = await pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield chromium
        await chromium.close()


class Shots:
    """Numbered screenshots of one test, copied to the docs folder under a stable name when asked."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.count = 0
        for old in folder.glob("*.png"):  # numbered per run: drop the last run's
            old.unlink()

    async def take(self, page: Any, name: str, *, docs: str | None = None, full_page: bool = False) -> Path:
        self.count += 1
        path = self.folder / f"{self.count:02d}-{name}.png"
        if full_page:  # a sticky header would be drawn where the window happens to be scrolled
            await page.evaluate("window.scrollTo(0, 0)")
        await page.screenshot(path=str(path), full_page=full_page)
        if DOCS_IMG and docs:
            Path(DOCS_IMG).mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, Path(DOCS_IMG) / f"console-{docs}.png")
        return path


def watch_errors(page: Any) -> list[str]:
    """Collect uncaught page errors and failed console API calls, to assert none happened."""
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(f"pageerror: {error}"))

    def on_response(response: Any) -> None:
        if "/admin/" in response.url and response.status >= 500:
            errors.append(f"HTTP {response.status} {response.url}")

    page.on("response", on_response)
    return errors


async def login(page: Any, base: str, user: str, password: str) -> None:
    await page.goto(base + "/login")
    await page.fill("#user", user)
    await page.fill("#password", password)
    await page.click("#login-submit")
    await page.wait_for_url(base + "/admin/")


async def element_box(page: Any, element_id: str) -> dict[str, float]:
    """The on-screen box of a bpmn-js element."""
    box = await page.locator(f'.djs-element[data-element-id="{element_id}"]').first.bounding_box()
    assert box, f"{element_id} is not on screen"
    return dict(box)


async def drag(page: Any, source: Any, x: float, y: float) -> None:
    """A real mouse drag: press on ``source``, move in steps, release at (x, y)."""
    box = await source.bounding_box()
    assert box
    await page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    await page.mouse.down()
    for step in range(1, 11):
        start_x, start_y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        await page.mouse.move(start_x + (x - start_x) * step / 10, start_y + (y - start_y) * step / 10)
    await page.mouse.up()


async def ids_of(page: Any, bpmn_type: str) -> list[str]:
    """Ids of the designer's elements of one BPMN type, left to right then top to bottom."""
    return list(
        await page.evaluate(
            """(type) => window.JWDesigner.modeler.get('elementRegistry')
                 .filter((e) => e.type === type)
                 .sort((a, b) => (a.x - b.x) || (a.y - b.y))
                 .map((e) => e.id)""",
            bpmn_type,
        )
    )


async def select(page: Any, element_id: str) -> None:
    await page.evaluate(
        """(id) => { const m = window.JWDesigner.modeler;
                     m.get('selection').select(m.get('elementRegistry').get(id)); }""",
        element_id,
    )


__all__ = [
    "ARTIFACTS",
    "Shots",
    "drag",
    "element_box",
    "ids_of",
    "launch",
    "login",
    "require_assets",
    "select",
    "watch_errors",
]
