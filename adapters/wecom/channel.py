"""The WeCom channel: template cards to members, updated in place with response codes.

Each card goes to each member as its own ``message/send`` (one WeCom ``task_id`` per card
per recipient), so every copy can be updated on its own. The delivery handle the notifier
stores is ``wc1.<issued>.<state>.<digest>.<response_code>``:

- ``state`` ``r``: the response code is unused (from the send answer or from the member's
  click); ``u``: used (WeCom allows one use, within 72 hours); ``n``: none (text_notice
  cards have no code).
- ``digest``: what the copy shows now; an update to the same content is a no-op, so the
  clicker's copy is updated once even when the bot and the notifier both ask.

A copy whose code is used or expired cannot change any more: a new state is sent as a new
message instead.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import re
import secrets
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass
from functools import partial
from typing import Any, TypeVar

from adapters.wecom.client import MediaFile, WeComApiError, WeComClient
from cards import Card, render_wecom

log = logging.getLogger("jingwei.wecom")
T = TypeVar("T")

NAME = "wecom"
RESPONSE_CODE_LIFETIME = 72 * 3600
HANDLE_MAX = 255  # card_deliveries.handle
TEXT_MAX_BYTES = 2048  # text message content (Doc 90236)
TASK_ID_MAX = 128
READY, USED, NONE = "r", "u", "n"
ALL_RECIPIENTS_INVALID = 81013  # every touser unknown or outside the app's visible range
_NOT_TASK_ID = re.compile(r"[^A-Za-z0-9_\-@]")
_SPENT_KEPT = 10_000


@dataclass(frozen=True, slots=True)
class Handle:
    issued: int  # epoch seconds when the response code was issued
    state: str  # READY | USED | NONE
    digest: str  # of the card content the copy shows
    code: str = ""

    def encode(self) -> str:
        return f"wc1.{self.issued}.{self.state}.{self.digest}.{self.code}"

    @classmethod
    def parse(cls, text: str | None) -> Handle | None:
        if not text or not text.startswith("wc1."):
            return None
        parts = text.split(".", 4)
        if len(parts) != 5 or not parts[1].isdigit() or parts[2] not in (READY, USED, NONE):
            return None
        return cls(int(parts[1]), parts[2], parts[3], parts[4])

    def usable(self, now: float) -> bool:
        return self.state == READY and bool(self.code) and now - self.issued < RESPONSE_CODE_LIFETIME


def card_digest(card: Card) -> str:
    """What a member sees of ``card``; links are left out (their signatures carry a time)."""
    shown = card.to_dict()
    shown.pop("links", None)
    return hashlib.sha1(json.dumps(shown, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:12]


def cut_bytes(text: str, limit: int) -> str:
    if len(text.encode()) <= limit:
        return text
    return text.encode()[: limit - 3].decode(errors="ignore") + "…"


class UserIds:
    """Org user → WeCom userid, remembered for ``ttl`` seconds (``reaches`` is synchronous)."""

    def __init__(
        self,
        lookup: Callable[[str], str | None],
        *,
        ttl: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._lookup = lookup
        self._ttl = ttl
        self._clock = clock
        self._known: dict[str, tuple[float, str | None]] = {}

    def get(self, user_id: str) -> str | None:
        now = self._clock()
        hit = self._known.get(user_id)
        if hit is not None and now - hit[0] < self._ttl:
            return hit[1]
        value = self._lookup(user_id)
        if len(self._known) > 50_000:
            self._known.clear()
        self._known[user_id] = (now, value)
        return value

    def forget(self) -> None:
        self._known.clear()


class WeComChannel:
    """The notifier's ``Channel`` for WeCom, plus text answers and media downloads for the bot glue."""

    name = NAME

    def __init__(
        self,
        client: WeComClient,
        *,
        agent_id: int,
        userids: UserIds,
        executor: Executor | None = None,
        home_url: str = "",
        clock: Callable[[], float] = time.time,
        nonce: Callable[[], str] = lambda: secrets.token_hex(6),
    ) -> None:
        self.client = client
        self.agent_id = agent_id
        self.userids = userids
        self.executor = executor
        self.home_url = home_url
        self.clock = clock
        self.nonce = nonce
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()
        self._spent: OrderedDict[str, str] = OrderedDict()  # response code → handle after its use

    async def _call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.executor, partial(fn, *args, **kwargs))

    def task_id(self, card: Card) -> str:
        """A WeCom task_id that never repeats: the card id (WeCom's charset) and a nonce."""
        nonce = self.nonce()
        stem = _NOT_TASK_ID.sub("_", card.card_id)[: TASK_ID_MAX - len(nonce) - 1]
        return f"{stem}-{nonce}"

    def render(self, card: Card) -> dict[str, Any]:
        return render_wecom(card, send_id=self.task_id(card), home_url=self.home_url)

    # --- the Channel protocol ---------------------------------------------------------------

    def reaches(self, user_id: str) -> bool:
        return self.userids.get(user_id) is not None

    async def send(self, user_id: str, card: Card, handle: str | None) -> str | None:
        """Update the member's copy with its response code when possible, else send the card."""
        wecom_user = self.userids.get(user_id)
        if wecom_user is None:
            log.warning("WeCom: %s has no WeCom userid; card %s not sent", user_id, card.card_id)
            return handle
        digest = card_digest(card)
        known = Handle.parse(handle)
        if known is not None and known.digest == digest:
            return handle  # the copy already shows this
        if known is not None and known.usable(self.clock()):
            updated = await self._update(wecom_user, card, known.code, digest)
            if updated is not None:
                return updated
        return await self._send_new(wecom_user, card, digest, handle)

    async def _update(self, wecom_user: str, card: Card, code: str, digest: str) -> str | None:
        """The handle after updating with ``code``, or None when the code cannot be used."""
        lock = self._locks.get(code)
        if lock is None:
            lock = self._locks[code] = asyncio.Lock()
        async with lock:  # one use per code: whoever comes second sees it spent
            spent = self._spent.get(code)
            if spent is not None:
                after = Handle.parse(spent)
                return spent if after is not None and after.digest == digest else None
            try:
                await self._call(
                    self.client.update_template_card,
                    self.agent_id,
                    [wecom_user],
                    code,
                    template_card=self.render(card),
                )
            except WeComApiError as exc:
                log.warning("WeCom: updating card %s for %s failed: %s", card.card_id, wecom_user, exc)
                self._remember_spent(code, Handle(int(self.clock()), USED, "", code).encode())
                return None
            after_text = Handle(int(self.clock()), USED, digest, code).encode()
            self._remember_spent(code, after_text)
            return after_text

    def _remember_spent(self, code: str, handle: str) -> None:
        self._spent[code] = handle
        while len(self._spent) > _SPENT_KEPT:
            self._spent.popitem(last=False)

    async def _send_new(self, wecom_user: str, card: Card, digest: str, previous: str | None) -> str | None:
        try:
            answer = await self._call(
                self.client.send_template_card, self.agent_id, wecom_user, self.render(card)
            )
        except WeComApiError as exc:
            if exc.errcode != ALL_RECIPIENTS_INVALID:
                raise
            answer = {"invaliduser": wecom_user}
        invalid = {u for u in str(answer.get("invaliduser") or "").split("|") if u}
        if wecom_user in invalid:
            # not in the app's visible range or not a member: nothing was delivered
            log.error(
                "WeCom: %s is not reachable by the app (invaliduser); card %s", wecom_user, card.card_id
            )
            return previous
        code = str(answer.get("response_code") or "")
        handle = Handle(int(self.clock()), READY if code else NONE, digest, code).encode()
        if len(handle) > HANDLE_MAX:
            log.warning("WeCom: response code of %d characters cannot be stored", len(code))
            handle = Handle(int(self.clock()), NONE, digest).encode()
        return handle

    # --- for the bot glue -------------------------------------------------------------------

    def clicked(self, handle: str | None, response_code: str) -> str | None:
        """The clicker's handle carrying the click's fresh response code (None: nothing to change).

        A redelivered click brings a code already used: it is never stored again.
        """
        known = Handle.parse(handle)
        if not response_code or response_code in self._spent:
            return None
        if known is not None and known.code == response_code:
            return None
        new = Handle(int(self.clock()), READY, known.digest if known else "", response_code).encode()
        return new if len(new) <= HANDLE_MAX else None

    async def say(self, wecom_user: str, text: str) -> None:
        """A text message to one member (the bot's answers)."""
        await self._call(self.client.send_text, self.agent_id, wecom_user, cut_bytes(text, TEXT_MAX_BYTES))

    async def send_to(self, wecom_user: str, card: Card) -> str | None:
        """Send ``card`` as a new message to a member; returns the new copy's handle."""
        return await self._send_new(wecom_user, card, card_digest(card), None)

    async def download(self, media_id: str, max_bytes: int) -> MediaFile:
        return await self._call(self.client.download_media, media_id, max_bytes)


__all__ = [
    "HANDLE_MAX",
    "NAME",
    "RESPONSE_CODE_LIFETIME",
    "Handle",
    "UserIds",
    "WeComChannel",
    "card_digest",
    "cut_bytes",
]
