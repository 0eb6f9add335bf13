"""The DingTalk channel of the notifier: task cards as template cards, other cards as robot messages.

``send(user, card, handle)``: a task card is created in the person's chat with the
robot the first time and updated in place afterwards (the handle is the card's
``outTrackId``); a result or notice card is a robot message, sent again only when
its content changed (the handle remembers a digest of what was sent).

``reaches`` is asked on the event loop and must not wait on the database, so the
org user → staff id map is a snapshot the app refreshes (``Identities``).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import re
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from typing import Any

from adapters.dingtalk.card_instances import CardInstances
from adapters.dingtalk.inbound import CHANNEL, out_track_id
from adapters.dingtalk.robot import Robot, card_message
from cards import TASK, Card, render_dingtalk
from engine import Database
from engine.org import Directory

MESSAGE_HANDLE = "msg:"
ANSWER_WAIT_SECONDS = 3.0  # longer than a callback may stay open
ANSWER_GRACE_SECONDS = 0.2
SHOWN_KEPT = 10_000


# Signed links carry their expiry and signature, which differ each time a card is built:
# a link is the same link when everything else in it is.
LINKS = frozenset({"detailUrl", "singleURL"})
_SIGNATURE = re.compile(r"(?:(?<=[?&])|(?<=%3F)|(?<=%26))(?:exp|sig)(?:=|%3D)[^&%]*", re.IGNORECASE)


def digest(value: dict[str, Any]) -> str:
    """A short fingerprint of a card's data or a message's parameters (link signatures left out)."""
    params = value.get("cardParamMap", value)
    shown = {k: _SIGNATURE.sub("", v) if k in LINKS and isinstance(v, str) else v for k, v in params.items()}
    return hashlib.sha256(json.dumps(shown, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:16]


class Identities:
    """Org user id → DingTalk staff id, for active users that have one (``users.dingtalk_userid``)."""

    def __init__(self, mapping: dict[str, str] | None = None) -> None:
        self._by_user = dict(mapping or {})

    def dingtalk_id(self, user_id: str) -> str | None:
        return self._by_user.get(user_id)

    def replace(self, pairs: Iterable[tuple[str, str]]) -> None:
        self._by_user = dict(pairs)

    @staticmethod
    def load(db: Database) -> list[tuple[str, str]]:
        """Blocking: the current map from the directory (run it in the thread pool)."""
        with db.read() as conn:
            return [
                (u.id, u.dingtalk_userid)
                for u in Directory(conn).list_users()
                if u.active and u.dingtalk_userid
            ]


class DingTalkChannel:
    name = CHANNEL

    def __init__(self, cards: CardInstances, robot: Robot, identities: Identities) -> None:
        self.cards = cards
        self.robot = robot
        self.identities = identities
        self._shown: OrderedDict[str, str] = OrderedDict()  # outTrackId -> digest of the data it shows
        self._answering: dict[str, asyncio.Event] = {}  # outTrackIds whose click is being answered

    def reaches(self, user_id: str) -> bool:
        return self.identities.dingtalk_id(user_id) is not None

    def shown(self, track_id: str, card_data: dict[str, Any]) -> None:
        """The copy ``track_id`` already shows ``card_data`` (a callback's answer updated it)."""
        self._shown[track_id] = digest(card_data)
        self._shown.move_to_end(track_id)
        while len(self._shown) > SHOWN_KEPT:
            self._shown.popitem(last=False)

    @contextlib.contextmanager
    def answering(self, track_id: str) -> Iterator[None]:
        """A click on ``track_id`` is being answered: updates of that copy wait for the answer.

        The decision commits before the answer is sent, so the notifier may already be
        fanning it out; it must not update the clicker's copy through the API while the
        callback is still open (DingTalk's rule), and usually need not at all afterwards.
        """
        mine = track_id not in self._answering
        done = self._answering.setdefault(track_id, asyncio.Event())
        try:
            yield
        finally:
            if mine:  # the answer still has to travel back in the ACK: give it a moment
                asyncio.get_running_loop().call_later(ANSWER_GRACE_SECONDS, self._answered, track_id, done)

    def _answered(self, track_id: str, done: asyncio.Event) -> None:
        done.set()
        if self._answering.get(track_id) is done:
            del self._answering[track_id]

    async def send(self, user_id: str, card: Card, handle: str | None) -> str | None:
        staff_id = self.identities.dingtalk_id(user_id)
        if staff_id is None:
            return handle
        if card.kind != TASK:
            return await self._message(staff_id, card, handle)
        data = render_dingtalk(card)
        known = handle if handle and not handle.startswith(MESSAGE_HANDLE) else None
        track = known or out_track_id(card.card_id, staff_id)
        answer = self._answering.get(track)
        if answer is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(answer.wait(), ANSWER_WAIT_SECONDS)
        if self._shown.get(track) == digest(data):
            return track  # nothing new to show (the clicker's copy was updated by the callback's answer)
        if known:
            await self.cards.update(track, data)
        else:
            preview = f"{card.title} · {card.status_text}"
            await self.cards.create_and_deliver(track, data, staff_id, preview=preview)
        self.shown(track, data)
        return track

    async def _message(self, staff_id: str, card: Card, handle: str | None) -> str:
        msg_key, param = card_message(card)
        sent = digest({"msgKey": msg_key, **param})
        if handle and handle.startswith(f"{MESSAGE_HANDLE}{sent}"):
            return handle  # the same notice again: do not notify twice
        query_key = await self.robot.to_user(staff_id, msg_key, param)
        return f"{MESSAGE_HANDLE}{sent}:{query_key}"[:255]


__all__ = ["DingTalkChannel", "Identities", "digest"]
