"""The chat layer inside the web service: bot, channels and the notifier loop, owned by a cleanup context."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import os
import secrets
import socket
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from aiohttp import web

from adapters import ChatEvent
from adapters.sandbox import SandboxChannel
from admin_web.keys import ENGINE, EXECUTOR, SETTINGS
from admin_web.links import LinkSigner
from bot import Bot, Context, Notifier, Reply, Services, create_bot
from engine import utcnow
from engine.conversations import Conversations
from engine.inbound import InboundEvents
from engine.people import People

log = logging.getLogger("jingwei.chat")
POLL_SECONDS = 1.0


@dataclass
class ChatRuntime:
    services: Services
    bot: Bot
    notifier: Notifier
    sandbox: SandboxChannel
    links: LinkSigner
    wake: asyncio.Event
    conversations: Conversations  # the sandbox chat's text (engine/conversations.py)

    async def handle(self, event: ChatEvent) -> Reply:
        """Dispatch one inbound event; the notifier loop is woken to fan out what it changed."""
        reply = await self.bot.dispatch(Context(event, self.services))
        self.wake.set()
        return reply


CHAT = web.AppKey("chat", ChatRuntime)
# Channels besides the sandbox (WeCom, DingTalk): put here by cleanup contexts registered before setup_chat.
CHANNELS = web.AppKey("chat_channels", list)


async def _notifier_loop(runtime: ChatRuntime) -> None:
    while True:
        try:
            await asyncio.wait_for(runtime.wake.wait(), timeout=POLL_SECONDS)
        except TimeoutError:
            pass
        runtime.wake.clear()
        try:
            await runtime.notifier.drain()
        except Exception:  # the loop must survive a bad row or a database hiccup
            log.exception("notifier loop")


async def _chat(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    secret = (
        settings.secret_key.get_secret_value().encode() if settings.secret_key else secrets.token_bytes(32)
    )
    base = settings.public_url or f"http://{settings.host}:{settings.port}"
    links = LinkSigner(secret, base)
    engine = app[ENGINE]
    services = Services(
        engine=engine,
        people=People(engine.db),
        inbound=InboundEvents(engine.db),
        links=lambda kind, ident: links.url(kind, ident),
        clock=utcnow,
        executor=app[EXECUTOR],
        personal_links=links.url,
    )
    sandbox = SandboxChannel()
    channels = [sandbox, *app.get(CHANNELS, [])]
    notifier_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="jingwei-notifier")
    owner = f"{socket.gethostname()}:{os.getpid()}"
    runtime = ChatRuntime(
        services,
        create_bot(),
        # The notifier's queries and card rendering run on a thread of their own, one at a time:
        # cards for several instances overlap while a channel waits on its platform's API, but
        # never take more than one thread's worth of CPU from the requests being answered.
        Notifier(dataclasses.replace(services, executor=notifier_pool), channels, owner=owner),
        sandbox,
        links,
        asyncio.Event(),
        Conversations(engine.db),
    )
    app[CHAT] = runtime
    loop_task = asyncio.get_running_loop().create_task(_notifier_loop(runtime), name="jingwei-notifier")
    yield
    loop_task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await loop_task
    notifier_pool.shutdown(wait=True)


def setup_chat(app: web.Application) -> None:
    """Register after the database and thread-pool contexts: it uses both."""
    app.cleanup_ctx.append(_chat)


__all__ = ["CHANNELS", "CHAT", "ChatRuntime", "setup_chat"]
