"""Running the synchronous engine off the event loop, in the app's bounded thread pool."""

from __future__ import annotations

import asyncio
import functools
import time
from collections.abc import Callable
from typing import Any, TypeVar

from aiohttp import web

from admin_web.keys import EXECUTOR, METRICS

T = TypeVar("T")


async def in_thread(app: web.Application, command: str, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``fn(*args, **kwargs)`` in the pool; its latency is recorded under ``command``."""
    loop = asyncio.get_running_loop()
    started = time.perf_counter()
    try:
        return await loop.run_in_executor(app[EXECUTOR], functools.partial(fn, *args, **kwargs))
    finally:
        app[METRICS].observe_command(command, time.perf_counter() - started)


__all__ = ["in_thread"]
