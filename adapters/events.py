"""Channel-neutral inbound events: what every adapter turns its platform's wire format into.

Each event names the channel, the channel's own user id (the bot maps it to an org user),
the conversation, and an idempotency ``key`` that is the same when the platform delivers
the same event again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class ChatEvent:
    channel: str  # wecom | dingtalk | sandbox
    user: str  # the channel's user id (WeCom userid, DingTalk staffId, sandbox org id)
    conversation: str  # where answers go: a 1:1 chat or a group
    key: str  # idempotency key: equal for redeliveries of the same event


@dataclass(frozen=True, slots=True)
class CommandText(ChatEvent):
    """A message typed to the bot (``/todo``, ``/apply 请假 days=3`` or plain text)."""

    text: str = ""


@dataclass(frozen=True, slots=True)
class CardAction(ChatEvent):
    """A button clicked on a card: ``action`` is the verb, ``card_id`` the card's stable id."""

    card_id: str = ""
    action: str = ""
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Mention(ChatEvent):
    """The bot or someone was @mentioned in a group: ``mentions`` are channel user ids."""

    text: str = ""
    mentions: tuple[str, ...] = ()
    reply_to_card: str | None = None


@dataclass(frozen=True, slots=True)
class FileReceived(ChatEvent):
    """A file or image sent to the bot; ``fetch`` reads its bytes (adapters download lazily)."""

    filename: str = ""
    content_type: str = "application/octet-stream"
    size: int = 0
    media_ref: str = ""  # the platform's media id / download code
    data: bytes = b""  # the content, when the adapter already has it
    instance_id: str | None = None  # the instance the conversation is about, when known


__all__ = ["CardAction", "ChatEvent", "CommandText", "FileReceived", "Mention"]
