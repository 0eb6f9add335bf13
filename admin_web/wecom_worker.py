"""The work behind WeCom's callback: queued events through the bot, answers back to WeCom.

The callback handler only verifies, decrypts, parses and queues (``Inbox.submit``); the
queues are worked by tasks this module's ``Inbox`` owns (started and stopped by the WeCom
cleanup context). Events of one member stay in order: a member always lands on the same
queue. ``CallbackWorker`` does the rest for one event:

1. a redelivered event (its key already handled) is dropped: the member got the answer;
2. a card click's fresh response code becomes the clicker's delivery handle, so the one
   update of their copy (by this worker or by the notifier, whoever comes first) uses it;
3. files are downloaded (``media/get``) within the upload size limit;
4. ``ChatRuntime.handle`` runs the bot; its text answer goes back as a text message, its
   cards as new cards, and cards it changed update the clicker's copy in place.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import mimetypes
import zlib
from collections.abc import Awaitable, Callable

from aiohttp import web

from adapters import CardAction, ChatEvent
from adapters.wecom import (
    NAME,
    CardClickIn,
    ContactsChanged,
    Inbound,
    MediaIn,
    MediaTooLarge,
    WeComApiError,
    WeComChannel,
    file_event,
    to_event,
)
from admin_web.chat import CHAT, ChatRuntime
from bot import Reply
from cards import Card

log = logging.getLogger("jingwei.wecom")

FILE_TOO_LARGE = "文件太大，最大 {mb:g} MB · the file is larger than {mb:g} MB"
FILE_FAILED = "文件下载失败，请重新发送 · could not fetch the file, please send it again"


class Inbox:
    """Per-member ordered queues of callbacks, each worked by one task."""

    def __init__(
        self, work: Callable[[Inbound], Awaitable[None]], *, shards: int = 4, size: int = 1000
    ) -> None:
        self._work = work
        self._queues: list[asyncio.Queue[Inbound]] = [asyncio.Queue(maxsize=size) for _ in range(shards)]
        self._tasks: list[asyncio.Task[None]] = []

    def submit(self, item: Inbound) -> bool:
        """Queue ``item``; False when its queue is full (the callback then asks WeCom to retry)."""
        queue = self._queues[zlib.crc32(item.user.encode()) % len(self._queues)]
        try:
            queue.put_nowait(item)
        except asyncio.QueueFull:
            return False
        return True

    def start(self) -> None:
        loop = asyncio.get_running_loop()
        self._tasks = [
            loop.create_task(self._consume(q), name=f"jingwei-wecom-{i}") for i, q in enumerate(self._queues)
        ]

    async def _consume(self, queue: asyncio.Queue[Inbound]) -> None:
        while True:
            item = await queue.get()
            try:
                await self._work(item)
            except Exception:  # one bad event must not stop the member's queue
                log.exception("WeCom: handling %s failed", item.key)
            finally:
                queue.task_done()

    async def idle(self) -> None:
        """Wait until every queued callback has been worked."""
        for queue in self._queues:
            await queue.join()

    async def stop(self, grace: float = 5.0) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.idle(), timeout=grace)
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task


class CallbackWorker:
    """Works one queued callback: through the bot, answers back to the member (steps above)."""

    def __init__(
        self,
        app: web.Application,
        channel: WeComChannel,
        *,
        max_file_bytes: int,
        on_contacts_changed: Callable[[], None] | None = None,
    ) -> None:
        self.app = app
        self.channel = channel
        self.max_file_bytes = max_file_bytes
        self.on_contacts_changed = on_contacts_changed

    async def __call__(self, item: Inbound) -> None:
        if isinstance(item, ContactsChanged):
            if self.on_contacts_changed is not None:
                self.on_contacts_changed()
            return
        runtime = self.app[CHAT]
        services = runtime.services
        if await services.run(services.inbound.seen, item.key):
            log.info("WeCom: %s delivered again; already handled", item.key)
            return
        event = await self._file(item) if isinstance(item, MediaIn) else to_event(item)
        if event is None:
            return
        org_user = await services.run(services.people.org_user, NAME, item.user)
        if isinstance(item, CardClickIn) and isinstance(event, CardAction) and org_user:
            await self._take_response_code(runtime, event.card_id, org_user, item.response_code)
        reply = await runtime.handle(event)
        await self._answer(runtime, item, event, org_user, reply)

    async def _file(self, item: MediaIn) -> ChatEvent | None:
        try:
            media = await self.channel.download(item.media_id, self.max_file_bytes)
        except MediaTooLarge:
            await self._say(item.user, FILE_TOO_LARGE.format(mb=self.max_file_bytes / (1024 * 1024)))
            return None
        except WeComApiError as exc:
            log.warning("WeCom: media %s of %s: %s", item.media_id, item.user, exc)
            await self._say(item.user, FILE_FAILED)
            return None
        filename = item.filename or media.filename
        if not filename:
            extension = mimetypes.guess_extension(media.content_type) or ""
            filename = f"{item.kind}-{item.media_id[:16]}{extension}"
        return file_event(item, data=media.data, filename=filename, content_type=media.content_type)

    async def _take_response_code(self, runtime: ChatRuntime, card_id: str, org_user: str, code: str) -> None:
        deliveries = runtime.notifier.deliveries
        services = runtime.services
        known = await services.run(deliveries.get, card_id, NAME, org_user)
        if known is None:
            return
        handle = self.channel.clicked(known.handle, code)
        if handle is not None:
            await services.run(
                deliveries.record,
                card_id=card_id,
                channel=NAME,
                recipient=org_user,
                payload=known.payload or {},
                now=services.clock(),
                handle=handle,
            )

    async def _answer(
        self, runtime: ChatRuntime, item: Inbound, event: ChatEvent, org_user: str | None, reply: Reply
    ) -> None:
        clicked = isinstance(event, CardAction)
        # a click is answered by the card itself; a refused click also says why
        if reply.text and (not clicked or not reply.ok):
            await self._say(item.user, reply.text)
        for shared in reply.cards:
            card = runtime.notifier.personalise(shared, org_user) if org_user else shared
            try:
                handle = await self.channel.send_to(item.user, card)
            except WeComApiError as exc:
                log.warning("WeCom: card %s to %s: %s", card.card_id, item.user, exc)
                continue
            if org_user:
                await self._record(runtime, card, org_user, handle)
        if clicked and org_user and isinstance(item, CardClickIn):
            for card in reply.updated:
                personal = runtime.notifier.personalise(card, org_user)
                await self._update_clicker(runtime, personal, org_user, item.response_code)

    async def _update_clicker(self, runtime: ChatRuntime, card: Card, org_user: str, code: str) -> None:
        # The click came from one particular copy (maybe an older one than the delivery tracks):
        # update that copy with the click's own code unless the code is already spent.
        handle = self.channel.clicked(None, code)
        if handle is None:
            known = await runtime.services.run(runtime.notifier.deliveries.get, card.card_id, NAME, org_user)
            handle = known.handle if known else None
        try:
            new = await self.channel.send(org_user, card, handle)
        except WeComApiError as exc:
            log.warning("WeCom: updating card %s for %s: %s", card.card_id, org_user, exc)
            return
        await self._record(runtime, card, org_user, new)

    async def _record(self, runtime: ChatRuntime, card: Card, org_user: str, handle: str | None) -> None:
        services = runtime.services
        await services.run(
            runtime.notifier.deliveries.record,
            card_id=card.card_id,
            channel=NAME,
            recipient=org_user,
            payload=card.to_dict(),
            now=services.clock(),
            handle=handle,
            task_id=card.task_id,
            instance_id=card.instance_id,
        )

    async def _say(self, wecom_user: str, text: str) -> None:
        try:
            await self.channel.say(wecom_user, text)
        except WeComApiError as exc:
            log.warning("WeCom: text to %s: %s", wecom_user, exc)


__all__ = ["CallbackWorker", "Inbox"]
