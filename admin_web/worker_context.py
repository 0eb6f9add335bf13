"""The automation worker (timers, connectors, webhooks, outbox) owned by the web app.

A cleanup context: started after the database, stopped before it is disposed. ``jingwei serve
--no-worker`` (setting ``worker = false``) leaves the jobs to separate ``jingwei worker``
processes, which is how several web processes share one PostgreSQL.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from aiohttp import web

from admin_web.keys import ENGINE, SETTINGS
from engine.automation import build_worker


async def automation_worker(app: web.Application) -> AsyncIterator[None]:
    if not getattr(app[SETTINGS], "worker", True):
        yield
        return
    worker = build_worker(app[ENGINE])
    worker.start()
    yield
    await asyncio.get_running_loop().run_in_executor(None, worker.stop)


__all__ = ["automation_worker"]
