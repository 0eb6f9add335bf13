"""The automation worker (timers, connectors, webhooks, outbox) owned by the web app.

A cleanup context: started after the database, stopped before it is disposed. ``jingwei serve
--no-worker`` (setting ``worker = false``) leaves the jobs to separate ``jingwei worker``
processes, which is how several web processes share one PostgreSQL.
"""

from __future__ import annotations

import asyncio
import threading
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
    # on a thread of its own (bounded by Worker.stop's timeout), not the loop's shared executor
    stopper = threading.Thread(target=worker.stop, name="jingwei-worker-stop", daemon=True)
    stopper.start()
    while stopper.is_alive():
        await asyncio.sleep(0.05)


__all__ = ["automation_worker"]
