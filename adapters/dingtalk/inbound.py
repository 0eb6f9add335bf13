"""DingTalk's wire format → channel-neutral events (pure functions, no I/O).

Bot messages (topic ``/v1.0/im/bot/messages/get``) become ``CommandText`` (1:1 text),
``Mention`` (a group message that @-mentions the bot; ``mentions`` are the other
@-mentioned staff ids) and ``FileReceived`` (files and pictures, still to be downloaded).
Card button clicks (topic ``/v1.0/card/instances/callback``) become ``CardAction``.
Every event's ``key`` is stable across DingTalk's redeliveries.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from dingtalk_stream import CardCallbackMessage, ChatbotMessage

from adapters.events import CardAction, ChatEvent, CommandText, FileReceived, Mention

CHANNEL = "dingtalk"
BOT_TOPIC = ChatbotMessage.TOPIC
CARD_TOPIC = "/v1.0/card/instances/callback"
GROUP = "2"
_TRACK_SEPARATOR = "_"


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a message came from, so that answers go back there."""

    user: str  # the sender's staff id (DingTalk userId)
    conversation_id: str
    group: bool = False


@dataclass(frozen=True, slots=True)
class Incoming:
    """One bot message: where it came from and the events it carries (usually one)."""

    origin: Origin
    events: tuple[ChatEvent, ...]


def out_track_id(card_id: str, dingtalk_user: str) -> str:
    """The card instance id for one person's copy of a card: deterministic, so retries are idempotent."""
    digest = hashlib.sha256(f"{card_id}|{dingtalk_user}".encode()).hexdigest()[:12]
    return f"{card_id}{_TRACK_SEPARATOR}{digest}"


def card_id_of(track_id: str) -> str:
    """The card id an ``out_track_id`` was made from."""
    card_id, sep, _ = track_id.rpartition(_TRACK_SEPARATOR)
    return card_id if sep else track_id


def _key(message_id: str, index: int) -> str:
    return f"{CHANNEL}:{message_id}" if index == 0 else f"{CHANNEL}:{message_id}#{index}"


def _file(msg: ChatbotMessage, key: str, code: str, filename: str, origin: Origin) -> FileReceived:
    return FileReceived(CHANNEL, origin.user, origin.conversation_id, key, filename=filename, media_ref=code)


def parse_bot_message(data: dict[str, Any], frame_id: str = "") -> Incoming | None:
    """The events in one bot message; None for what the bot cannot act on (no sender, no content)."""
    msg = ChatbotMessage.from_dict(data)
    if not msg.sender_staff_id:  # people outside the org have no staff id: nobody to act as
        return None
    message_id = str(msg.message_id or frame_id)
    origin = Origin(msg.sender_staff_id, str(msg.conversation_id or ""), msg.conversation_type == GROUP)
    if origin.group and msg.is_in_at_list is False:  # group chatter not addressed to the robot
        return None
    content = msg.extensions.get("content") if isinstance(msg.extensions.get("content"), dict) else {}
    texts: list[str] = []
    files: list[tuple[str, str]] = []  # (download code, file name)
    if msg.message_type == "text" and msg.text is not None:
        texts.append(msg.text.content or "")
    elif msg.message_type == "richText" and msg.rich_text_content is not None:
        for item in msg.rich_text_content.rich_text_list or []:
            if "text" in item:
                texts.append(str(item["text"]))
            elif item.get("downloadCode"):
                files.append((str(item["downloadCode"]), ""))
    elif msg.message_type == "picture" and msg.image_content is not None and msg.image_content.download_code:
        files.append((msg.image_content.download_code, ""))
    elif msg.message_type == "file" and content.get("downloadCode"):
        files.append((str(content["downloadCode"]), str(content.get("fileName") or "")))
    elif msg.message_type == "audio" and content.get("recognition"):
        texts.append(str(content["recognition"]))  # DingTalk's speech recognition of a voice message
    events: list[ChatEvent] = []
    text = " ".join(t.strip() for t in texts if t.strip())
    if text:
        key = _key(message_id, 0)
        if origin.group:
            mentioned = tuple(
                u.staff_id
                for u in msg.at_users
                if u.staff_id and u.dingtalk_id != msg.chatbot_user_id and u.staff_id != origin.user
            )
            events.append(
                Mention(CHANNEL, origin.user, origin.conversation_id, key, text=text, mentions=mentioned)
            )
        else:
            events.append(CommandText(CHANNEL, origin.user, origin.conversation_id, key, text=text))
    for code, name in files:
        events.append(_file(msg, _key(message_id, len(events)), code, name, origin))
    if not events:
        return None
    return Incoming(origin, tuple(events))


def _json(value: Any) -> dict[str, Any]:
    if isinstance(value, dict):
        return value
    if isinstance(value, str) and value:
        try:
            parsed = json.loads(value)
        except json.JSONDecodeError:
            return {}
        return parsed if isinstance(parsed, dict) else {}
    return {}


def parse_card_callback(data: dict[str, Any], frame_id: str) -> tuple[CardAction, str] | None:
    """(the click as a ``CardAction``, the card's outTrackId); None when it names no action."""
    normalized = {
        k: (json.dumps(v) if k in ("content", "extension") and isinstance(v, dict) else v)
        for k, v in data.items()
    }
    for name in ("content", "extension"):
        if name in normalized and not _json(normalized[name]):
            normalized[name] = "{}"  # the SDK's parser insists on JSON text
    callback = CardCallbackMessage.from_dict(normalized)
    content: dict[str, Any] = _json(callback.content) or _json(data.get("value"))  # "value": older callbacks
    private = _json(content.get("cardPrivateData"))
    params = dict(_json(private.get("params")))
    action_ids = private.get("actionIds") or []
    action = str(params.pop("action", "") or (action_ids[0] if action_ids else ""))
    track = callback.card_instance_id
    if not action or not track or not callback.user_id:
        return None
    event = CardAction(
        CHANNEL,
        callback.user_id,
        str(data.get("spaceId") or ""),
        f"{CHANNEL}:cb:{frame_id}",
        card_id=card_id_of(track),
        action=action,
        params=params,
    )
    return event, track


__all__ = [
    "BOT_TOPIC",
    "CARD_TOPIC",
    "CHANNEL",
    "Incoming",
    "Origin",
    "card_id_of",
    "out_track_id",
    "parse_bot_message",
    "parse_card_callback",
]
