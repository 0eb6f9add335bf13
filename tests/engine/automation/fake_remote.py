"""A real local HTTP server (aiohttp on 127.0.0.1) standing in for HR, ERP, finance and CRM.

It runs in its own thread and event loop, records every request and answers from a script:
``server.script("/api/vouchers", [500, "timeout", 200])`` answers the first call with a 500,
lets the second time out (it sleeps past the client's timeout), and answers the rest normally.
"""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    json: Any


@dataclass
class FakeRemote:
    requests: list[Seen] = field(default_factory=list)
    scripts: dict[str, list[Any]] = field(default_factory=dict)
    replies: dict[str, Any] = field(default_factory=dict)
    delay: float = 1.5
    url: str = ""

    def script(self, path: str, steps: list[Any]) -> None:
        self.scripts[path] = list(steps)

    def reply(self, path: str, body: Any) -> None:
        self.replies[path] = body

    def seen(self, path: str) -> list[Seen]:
        return [r for r in self.requests if r.path == path]

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        try:
            parsed = await request.json() if body else None
        except ValueError:
            parsed = None
        self.requests.append(Seen(request.method, request.path_qs, dict(request.headers), body, parsed))
        steps = self.scripts.get(request.path, [])
        step = steps.pop(0) if steps else 200
        if step == "timeout":
            await asyncio.sleep(self.delay)
            step = 200
        if isinstance(step, int) and step != 200:
            return web.json_response({"error": "injected"}, status=step)
        return web.json_response(self.replies.get(request.path, {"ok": True}))


def start_remote() -> tuple[FakeRemote, callable]:  # type: ignore[valid-type]
    remote = FakeRemote()
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    holder: dict[str, Any] = {}

    async def boot() -> None:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", remote.handle)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        remote.url = f"http://127.0.0.1:{port}"
        holder["runner"] = runner
        ready.set()

    def serve() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(boot())
        loop.run_forever()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    ready.wait(10)

    def stop() -> None:
        asyncio.run_coroutine_threadsafe(holder["runner"].cleanup(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)

    return remote, stop
