"""The Stream-mode connection: the SDK's ``DingTalkStreamClient``, run as a task on the app's loop.

The SDK (0.24.3) parses frames, routes them to handlers by topic and builds the ACKs;
this subclass replaces only its connection lifecycle, which in 0.24.3 blocks the loop
(``requests`` in ``open_connection``), reads the endpoint once at import, swallows a
cancellation, never stops, and may send an ACK to a newer socket than the frame came on:

- ``run()`` opens a connection (the blocking call in a thread), reads frames and hands
  each to a task; it reconnects with exponential backoff after a failure or an abrupt
  close, and at once after the gateway's ``disconnect`` — the old socket stays open
  until the frames it delivered are acknowledged on it, then closes.
- Every CALLBACK frame is handled once per ``messageId``: a redelivery (DingTalk
  re-pushes unacknowledged or slow messages) gets the first ACK again, and one that
  arrives while the first is still running waits for it.
- ``stop()`` ends it: no reconnect, sockets closed, running handlers given a moment.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import platform
import random
import time
from collections import OrderedDict
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote_plus

import requests
import websockets
import websockets.exceptions  # the SDK's except clauses need it loaded (lazy in websockets >= 14)
from dingtalk_stream import AckMessage, CallbackMessage, Credential, DingTalkStreamClient, SystemMessage
from dingtalk_stream.version import VERSION_STRING

log = logging.getLogger("jingwei.dingtalk.stream")

OPEN_PATH = "/v1.0/gateway/connections/open"
OPEN_TIMEOUT_SECONDS = 10
DRAIN_SECONDS = 8.0  # the gateway closes a socket about 10 s after its "disconnect"
ACK_TTL_SECONDS = 300.0
ACKS_KEPT = 10_000


@dataclass(frozen=True, slots=True)
class Backoff:
    """Delay before the n-th consecutive reconnect attempt: doubling from ``base`` up to ``cap``."""

    base: float = 1.0
    cap: float = 60.0
    jitter: float = 1.0

    def delay(self, failures: int) -> float:
        if failures <= 0:
            return 0.0
        return min(self.base * 2 ** (failures - 1), self.cap) + random.uniform(0, self.jitter)


@dataclass(slots=True, eq=False)
class _Link:
    """One websocket connection and what the loop waits for on it."""

    ws: Any
    closed: asyncio.Event = field(default_factory=asyncio.Event)
    rotate: asyncio.Event = field(default_factory=asyncio.Event)  # the gateway said "disconnect"
    frames: int = 0


@dataclass(slots=True)
class StreamStats:
    connections: int = 0
    disconnects: int = 0  # "disconnect" system messages obeyed
    drops: int = 0  # sockets that closed without being asked to
    redeliveries: int = 0  # CALLBACK frames seen before, answered from the cache
    acks_lost: int = 0  # ACKs that could not be sent (the socket was gone)


class StreamClient(DingTalkStreamClient):
    websocket: Any  # the newest socket (the SDK's attribute)

    def __init__(
        self,
        credential: Credential,
        *,
        endpoint: str,
        backoff: Backoff | None = None,
        logger: logging.Logger | None = None,
    ) -> None:
        super().__init__(credential, logger or log)
        self.endpoint = endpoint.rstrip("/")
        self.backoff = backoff or Backoff()
        self.stats = StreamStats()
        self.connected = asyncio.Event()
        self._stopping = asyncio.Event()
        self._links: set[_Link] = set()
        self._tasks: set[asyncio.Task[Any]] = set()
        self._acks: OrderedDict[str, tuple[float, asyncio.Future[AckMessage]]] = OrderedDict()

    # --- tasks ----------------------------------------------------------------------

    def spawn(self, coro: Coroutine[Any, Any, Any], name: str = "dingtalk") -> asyncio.Task[Any]:
        """Run ``coro`` as a task this client owns: ``stop()`` waits for it, then cancels it."""
        task = asyncio.get_running_loop().create_task(coro, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._finished)
        return task

    def _finished(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("DingTalk task %s failed", task.get_name(), exc_info=task.exception())

    # --- lifecycle ---------------------------------------------------------------------

    async def start(self) -> None:
        await self.run()

    async def run(self) -> None:
        """Stay connected until ``stop()``."""
        self.pre_start()
        failures = 0
        while not self._stopping.is_set():
            if failures and await self._pause(self.backoff.delay(failures)):
                break
            link = await self._connect()
            if link is None:
                failures += 1
                continue
            reader = self.spawn(self._serve(link), name="dingtalk-reader")
            waits = [asyncio.ensure_future(e.wait()) for e in (link.closed, link.rotate, self._stopping)]
            try:
                await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for w in waits:
                    w.cancel()
            if link.rotate.is_set():
                failures = 0  # the reader finishes the old socket's work; connect again at once
            elif self._stopping.is_set():
                with contextlib.suppress(Exception):
                    await link.ws.close()
                await asyncio.wait([reader], timeout=DRAIN_SECONDS)
            else:
                self.stats.drops += 1
                # after a healthy connection, wait one backoff step; a socket that closed before
                # any frame counts as one more failure in a row
                failures = 1 if link.frames else failures + 1

    async def stop(self) -> None:
        """Stop reconnecting, close the sockets, let running handlers finish (briefly), cancel the rest."""
        self._stopping.set()
        for link in list(self._links):
            with contextlib.suppress(Exception):
                await link.ws.close()
        pending = [t for t in self._tasks if t is not asyncio.current_task()]
        if pending:
            _, late = await asyncio.wait(pending, timeout=DRAIN_SECONDS)
            for task in late:
                task.cancel()
            if late:
                await asyncio.wait(late, timeout=1)

    async def _pause(self, seconds: float) -> bool:
        """Sleep, unless stopped first; True when stopped."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), timeout=seconds)
        return self._stopping.is_set()

    def open_connection(self) -> dict[str, Any] | None:
        """Blocking (called in a thread): a ticket and the websocket endpoint, or None."""
        subscriptions = [{"type": "CALLBACK", "topic": topic} for topic in self.callback_handler_map]
        if self._is_event_required:
            subscriptions.insert(0, {"type": "EVENT", "topic": "*"})
        body = {
            "clientId": self.credential.client_id,
            "clientSecret": self.credential.client_secret,
            "subscriptions": subscriptions,
            "ua": f"dingtalk-sdk-python/v{VERSION_STRING}-union",
            "localIp": self.get_host_ip(),
        }
        headers = {
            "Content-Type": "application/json",
            "Accept": "application/json",
            "User-Agent": f"DingTalkStream/1.0 SDK/{VERSION_STRING} Python/{platform.python_version()}",
        }
        try:
            response = requests.post(
                self.endpoint + OPEN_PATH,
                data=json.dumps(body),
                headers=headers,
                timeout=OPEN_TIMEOUT_SECONDS,
            )
            response.raise_for_status()
            answer = response.json()
        except (requests.RequestException, ValueError) as exc:
            log.warning("DingTalk: opening a Stream connection failed: %s", exc)
            return None
        if not isinstance(answer, dict) or not answer.get("endpoint") or not answer.get("ticket"):
            log.warning("DingTalk: the open-connection answer has no endpoint/ticket: %.200s", answer)
            return None
        return answer

    async def _connect(self) -> _Link | None:
        answer = await asyncio.to_thread(self.open_connection)
        if answer is None or self._stopping.is_set():
            return None
        uri = f"{answer['endpoint']}?ticket={quote_plus(str(answer['ticket']))}"
        try:
            ws = await websockets.connect(uri, open_timeout=OPEN_TIMEOUT_SECONDS, close_timeout=2)
        except (OSError, TimeoutError, websockets.exceptions.WebSocketException) as exc:
            log.warning("DingTalk: websocket connect failed: %s", exc)
            return None
        link = _Link(ws)
        if self._stopping.is_set():  # stop() ran while we were connecting: it could not close this one
            await ws.close()
            return None
        self._links.add(link)
        self.websocket = ws
        self.stats.connections += 1
        self.connected.set()
        log.info("DingTalk Stream connected (%d)", self.stats.connections)
        return link

    async def _serve(self, link: _Link) -> None:
        """Read one socket until it closes or the gateway moves us; then finish its ACKs and close it."""
        inflight: set[asyncio.Task[Any]] = set()
        try:
            async for raw in link.ws:
                link.frames += 1
                try:
                    frame = json.loads(raw)
                except (TypeError, ValueError):
                    log.warning("DingTalk: a frame that is not JSON: %.120r", raw)
                    continue
                if (
                    frame.get("type") == SystemMessage.TYPE
                    and _topic(frame) == SystemMessage.TOPIC_DISCONNECT
                ):
                    await self._system(link, frame)
                    self.stats.disconnects += 1
                    link.rotate.set()  # the gateway delivers nothing more here: connect again now
                    break
                task = self.spawn(self._handle(link, frame), name=f"dingtalk-frame-{_topic(frame)}")
                inflight.add(task)
                task.add_done_callback(inflight.discard)
        except websockets.exceptions.ConnectionClosed as exc:
            log.warning("DingTalk Stream connection dropped: %s", exc)
        finally:
            link.closed.set()
            if self.websocket is link.ws:
                self.websocket = None
                self.connected.clear()
            if inflight:  # answer what came on this socket, on this socket
                await asyncio.wait(inflight, timeout=DRAIN_SECONDS)
            with contextlib.suppress(Exception):
                await link.ws.close()
            self._links.discard(link)

    # --- frames ------------------------------------------------------------------------

    async def _handle(self, link: _Link, frame: dict[str, Any]) -> None:
        kind = frame.get("type")
        if kind == SystemMessage.TYPE:
            await self._system(link, frame)
        elif kind == CallbackMessage.TYPE:
            await self._send(link, await self._callback(CallbackMessage.from_dict(frame)))
        else:
            log.warning("DingTalk: frame of type %r ignored (not subscribed)", kind)

    async def _system(self, link: _Link, frame: dict[str, Any]) -> None:
        ack = await self.system_handler.raw_process(SystemMessage.from_dict(frame))
        await self._send(link, ack)

    async def _callback(self, msg: CallbackMessage) -> AckMessage:
        handler = self.callback_handler_map.get(msg.headers.topic)
        if handler is None:
            return _ack(msg, AckMessage.STATUS_NOT_IMPLEMENT)
        message_id = msg.headers.message_id
        if not message_id:
            return await self._run(handler, msg)
        self._forget_old()
        seen = self._acks.get(message_id)
        if seen is not None:
            self.stats.redeliveries += 1
            return await asyncio.shield(seen[1])
        future: asyncio.Future[AckMessage] = asyncio.get_running_loop().create_future()
        self._acks[message_id] = (time.monotonic() + ACK_TTL_SECONDS, future)
        try:
            ack = await self._run(handler, msg)
            if ack.code != AckMessage.STATUS_OK:
                self._acks.pop(message_id, None)  # failures are not remembered: a redelivery may succeed
            future.set_result(ack)
            return ack
        finally:
            if not future.done():  # cancelled: a redelivery must run the handler again
                future.cancel()
                self._acks.pop(message_id, None)

    async def _run(self, handler: Any, msg: CallbackMessage) -> AckMessage:
        try:
            ack: AckMessage = await handler.raw_process(msg)
            return ack
        except Exception:
            log.exception("DingTalk handler for %s failed", msg.headers.topic)
            return _ack(msg, AckMessage.STATUS_SYSTEM_EXCEPTION)

    def _forget_old(self) -> None:
        """Drop answered entries that expired, and the oldest answered ones beyond ``ACKS_KEPT``."""
        now = time.monotonic()
        while self._acks:
            expires, future = next(iter(self._acks.values()))
            if not future.done() or (expires > now and len(self._acks) <= ACKS_KEPT):
                break
            self._acks.popitem(last=False)

    async def _send(self, link: _Link, ack: AckMessage) -> None:
        try:
            await link.ws.send(json.dumps(ack.to_dict(), ensure_ascii=False))
        except websockets.exceptions.ConnectionClosed:
            self.stats.acks_lost += 1  # DingTalk redelivers it; the cache answers without running it again
            log.warning("DingTalk: ACK for %s lost, the socket is closed", ack.headers.message_id)


def _topic(frame: dict[str, Any]) -> str:
    headers = frame.get("headers")
    return str(headers.get("topic", "")) if isinstance(headers, dict) else ""


def _ack(msg: CallbackMessage, code: int) -> AckMessage:
    ack = AckMessage()
    ack.code = code
    ack.headers.message_id = msg.headers.message_id
    ack.headers.content_type = "application/json"
    ack.message = "not handled" if code == AckMessage.STATUS_NOT_IMPLEMENT else "error"
    ack.data = {"response": None}
    return ack


__all__ = ["Backoff", "StreamClient", "StreamStats"]
