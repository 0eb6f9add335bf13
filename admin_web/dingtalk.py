"""DingTalk inside the web service: the adapter owned by a cleanup context, the bot behind it.

On when ``JINGWEI_DINGTALK_CLIENT_ID`` and ``JINGWEI_DINGTALK_CLIENT_SECRET`` are set.
One Stream client per process runs as a task on the app's event loop; its events go
through the same ``ChatRuntime`` as the sandbox's (middleware: idempotency, identity),
and the notifier gets the DingTalk channel next to the sandbox one.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from collections.abc import AsyncIterator

import aiohttp
from aiohttp import web

from adapters import CardAction, ChatEvent
from adapters.dingtalk import (
    CHANNEL,
    DingTalkAdapter,
    DingTalkConfig,
    DingTalkError,
    Identities,
    OpenApi,
    Origin,
    SyncReport,
    openapi_endpoint,
    sync_contacts,
)
from admin_web.chat import CHAT, ChatRuntime
from admin_web.keys import ENGINE, SETTINGS
from admin_web.settings import Settings
from bot import Notifier
from cards import Card
from engine import Database, UploadPolicy

log = logging.getLogger("jingwei.dingtalk")
DINGTALK = web.AppKey("dingtalk", DingTalkAdapter)
IDENTITIES_REFRESH_SECONDS = 60.0


def dingtalk_config(settings: Settings, files: UploadPolicy | None = None) -> DingTalkConfig | None:
    """The adapter's configuration, or None when DingTalk is not configured."""
    if not settings.dingtalk_client_id or settings.dingtalk_client_secret is None:
        return None
    secret = settings.dingtalk_client_secret.get_secret_value()
    if not secret:
        return None
    return DingTalkConfig(
        client_id=settings.dingtalk_client_id,
        client_secret=secret,
        robot_code=settings.dingtalk_robot_code or "",
        card_template_id=settings.dingtalk_card_template_id or "",
        endpoint=openapi_endpoint(),
        files=files or UploadPolicy(),
    )


class DingTalkChat:
    """The app's ``ChatSink``: runs the bot for DingTalk events and answers on DingTalk."""

    def __init__(self, runtime: ChatRuntime, adapter: DingTalkAdapter) -> None:
        self.runtime = runtime
        self.adapter = adapter
        owner = f"{socket.gethostname()}:{os.getpid()}:dingtalk"
        # the sender's own cards (answers to /todo, /apply) go to DingTalk only, recorded like any delivery
        self.answers = Notifier(runtime.services, [adapter.channel], owner=owner)

    async def message(self, event: ChatEvent, origin: Origin) -> None:
        reply = await self.runtime.handle(event)
        if reply.text:
            await self._say(origin, reply.text)
        if reply.cards:
            services = self.runtime.services
            user = await services.run(services.people.org_user, CHANNEL, event.user)
            if user is None:
                return
            for card in reply.cards:
                try:
                    await self.answers.deliver(card, [user])
                except DingTalkError:
                    log.exception("DingTalk: could not send card %s to %s", card.card_id, user)

    async def card_action(self, event: CardAction, track_id: str) -> Card | None:
        reply = await self.runtime.handle(event)
        if not reply.ok and reply.text:  # why nothing happened, after the ACK (it must not wait for this)
            self.adapter.stream.spawn(
                self._say(Origin(event.user, event.conversation), reply.text), "dingtalk-say"
            )
        card = next((c for c in reply.updated if c.card_id == event.card_id), None)
        if card is None:
            return None
        # the clicker's copy, as the notifier would make it for them (their own detail link)
        services = self.runtime.services
        user = await services.run(services.people.org_user, CHANNEL, event.user)
        return self.answers.personalise(card, user) if user else card

    async def _say(self, origin: Origin, text: str) -> None:
        try:
            await self.adapter.robot.say(origin, text)
        except DingTalkError:
            log.exception("DingTalk: could not answer %s", origin.user)


async def _refresh_identities(adapter: DingTalkAdapter, runtime: ChatRuntime) -> None:
    db = runtime.services.engine.db
    while True:
        try:
            adapter.identities.replace(await runtime.services.run(Identities.load, db))
        except Exception:  # a database hiccup must not end the loop
            log.exception("DingTalk: reading the staff ids failed")
        await asyncio.sleep(IDENTITIES_REFRESH_SECONDS)


async def _scheduled_sync(adapter: DingTalkAdapter, runtime: ChatRuntime, minutes: int) -> None:
    """DingTalk's contacts into the org at start-up and every ``minutes`` (JINGWEI_DINGTALK_SYNC_MINUTES).

    Idempotent: each replica may run it; a run that changes nothing writes nothing. People who
    left DingTalk are deactivated, as with ``jingwei org sync dingtalk``.
    """
    db = runtime.services.engine.db
    while True:
        try:
            await sync_contacts(adapter.api, db, run=runtime.services.run)
            adapter.identities.replace(await runtime.services.run(Identities.load, db))
        except Exception:  # DingTalk or the database unreachable: try again next time
            log.exception("DingTalk: contacts sync failed")
        await asyncio.sleep(minutes * 60)


async def _dingtalk(app: web.Application) -> AsyncIterator[None]:
    engine = app[ENGINE]
    config = dingtalk_config(app[SETTINGS], engine.files.policy)
    if config is None:
        yield
        return
    runtime = app[CHAT]
    async with aiohttp.ClientSession() as session:
        adapter = DingTalkAdapter(config, session)
        adapter.identities.replace(await runtime.services.run(Identities.load, engine.db))
        adapter.listen(DingTalkChat(runtime, adapter))
        app[DINGTALK] = adapter
        runtime.notifier.channels.append(adapter.channel)
        loop = asyncio.get_running_loop()
        stream = loop.create_task(adapter.stream.run(), name="dingtalk-stream")
        refresh = loop.create_task(_refresh_identities(adapter, runtime), name="dingtalk-identities")
        minutes = app[SETTINGS].dingtalk_sync_minutes
        background = [refresh, stream]
        if minutes:
            background.append(
                loop.create_task(_scheduled_sync(adapter, runtime, minutes), name="dingtalk-contacts")
            )
        log.info("DingTalk Stream client started (app %s)", config.client_id)
        try:
            yield
        finally:
            for task in background:
                if task is not stream:
                    task.cancel()
            await adapter.stream.stop()
            stream.cancel()
            for task in background:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            runtime.notifier.channels.remove(adapter.channel)


def setup_dingtalk(app: web.Application) -> None:
    """Register after the chat context: the adapter hands its events to the chat runtime."""
    app.cleanup_ctx.append(_dingtalk)


async def _sync(config: DingTalkConfig, db: Database) -> SyncReport:
    async with aiohttp.ClientSession() as session:
        return await sync_contacts(OpenApi(config, session), db)


def sync_org(settings: Settings, db: Database) -> SyncReport:
    """``jingwei org sync dingtalk``: DingTalk's departments and people into the org."""
    from engine import InvalidInput

    config = dingtalk_config(settings)
    if config is None:
        raise InvalidInput(
            "DingTalk is not configured: set JINGWEI_DINGTALK_CLIENT_ID and JINGWEI_DINGTALK_CLIENT_SECRET"
        )
    try:
        return asyncio.run(_sync(config, db))
    except DingTalkError as exc:
        raise InvalidInput(f"DingTalk refused the contacts sync: {exc}") from exc
    except (aiohttp.ClientError, TimeoutError) as exc:
        raise InvalidInput(f"cannot reach DingTalk at {config.endpoint}: {exc}") from exc


__all__ = ["DINGTALK", "DingTalkChat", "dingtalk_config", "setup_dingtalk", "sync_org"]
