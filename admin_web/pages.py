"""The landing page: what runs here, with links onwards."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from admin_web.executor import in_thread
from admin_web.keys import ENGINE, SETTINGS, TEMPLATES
from engine import ProcessEngine


def _summary(engine: ProcessEngine) -> dict[str, Any]:
    definitions = engine.definitions(latest_only=True)
    return {
        "definitions": [d.to_dict() for d in definitions],
        "open_tasks": engine.count_tasks(status="open"),
        "instances": engine.count_instances(),
    }


async def landing(request: web.Request) -> web.Response:
    """What is running, with links to the API documentation and the operations endpoints."""
    settings = request.app[SETTINGS]
    summary = await in_thread(request.app, "landing", _summary, request.app[ENGINE])
    page = request.app[TEMPLATES].get_template("index.html")
    html = page.render(
        base_url=settings.public_url or f"{request.scheme}://{request.host}",
        database=settings.masked()["db"],
        workers=settings.workers,
        sandbox=settings.sandbox,
        **summary,
    )
    return web.Response(text=html, content_type="text/html")


def setup_pages(app: web.Application) -> None:
    app.router.add_get("/", landing, name="landing")


__all__ = ["setup_pages"]
