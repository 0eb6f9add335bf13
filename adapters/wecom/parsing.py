"""WeCom callback XML → what happened, → channel-neutral events (Doc 90239, 90240, 90241).

Parsing is ours rather than ``wechatpy.enterprise.parse_message``: 1.8.18 turns
``template_card_event``, ``file`` and ``change_contact`` into ``UnknownMessage``. XML is read
with defusedxml (no entities, no external references). Both of WeCom's layouts are
accepted: plain text nodes and CDATA, with or without newlines between elements.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from xml.etree.ElementTree import Element, ParseError

from defusedxml.common import DefusedXmlException
from defusedxml.ElementTree import fromstring

from adapters.events import CardAction, ChatEvent, CommandText, FileReceived
from adapters.wecom.crypto import MALFORMED, CallbackRefused

CHANNEL = "wecom"
KEY_MAX = 255  # inbound_events.key


@dataclass(frozen=True, slots=True)
class Envelope:
    """The outer XML of a POSTed callback: who it is for and the encrypted message."""

    to_user: str
    encrypt: str
    agent_id: str


def _root(xml: bytes | str) -> Element:
    try:
        root: Element = fromstring(xml)
    except (ParseError, DefusedXmlException, ValueError) as exc:
        raise CallbackRefused(MALFORMED, f"not XML: {exc}") from None
    if root.tag != "xml":
        raise CallbackRefused(MALFORMED, f"root element is <{root.tag}>, not <xml>")
    return root


def _text(root: Element, tag: str) -> str:
    node = root.find(tag)
    return (node.text or "") if node is not None else ""


def parse_envelope(body: bytes) -> Envelope:
    root = _root(body)
    encrypt = _text(root, "Encrypt").strip()
    if not encrypt:
        raise CallbackRefused(MALFORMED, "no <Encrypt> element")
    return Envelope(_text(root, "ToUserName"), encrypt, _text(root, "AgentID").strip())


@dataclass(frozen=True, slots=True)
class Message:
    """A decrypted callback: the common fields, every other top-level field as text."""

    msg_type: str
    user: str  # FromUserName: the member's userid
    to_user: str  # the corp id
    create_time: int
    agent_id: str
    fields: dict[str, str] = field(default_factory=dict)
    selected: tuple[tuple[str, tuple[str, ...]], ...] = ()  # SelectedItems: (QuestionKey, OptionIds)

    def get(self, name: str) -> str:
        return self.fields.get(name, "")


def parse_message(xml: str) -> Message:
    root = _root(xml.encode())
    fields = {child.tag: (child.text or "") for child in root if len(child) == 0}
    selected = tuple(
        (
            _text(item, "QuestionKey"),
            tuple((o.text or "") for o in item.findall("OptionIds/OptionId")),
        )
        for item in root.findall("SelectedItems/SelectedItem")
    )
    try:
        created = int(fields.get("CreateTime", "0").strip() or 0)
    except ValueError:
        raise CallbackRefused(MALFORMED, "CreateTime is not a number") from None
    return Message(
        msg_type=fields.get("MsgType", "").strip(),
        user=fields.get("FromUserName", "").strip(),
        to_user=fields.get("ToUserName", "").strip(),
        create_time=created,
        agent_id=fields.get("AgentID", "").strip(),
        fields=fields,
        selected=selected,
    )


# --- what happened --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Inbound:
    """Something a member did, with the idempotency key its redeliveries share."""

    user: str
    key: str


@dataclass(frozen=True, slots=True)
class TextIn(Inbound):
    text: str = ""


@dataclass(frozen=True, slots=True)
class MediaIn(Inbound):
    """An image or file sent to the app: fetched later with ``media/get``."""

    media_id: str = ""
    kind: str = "file"  # image | file | voice | video
    filename: str = ""  # WeCom names files in the callback only sometimes


@dataclass(frozen=True, slots=True)
class CardClickIn(Inbound):
    """A button clicked on a template card (``template_card_event``)."""

    task_id: str = ""  # the WeCom task_id we sent the card with
    event_key: str = ""  # the button's key: "<action>:<card_id>"
    card_type: str = ""
    response_code: str = ""  # one use, 72 h: updates this member's copy of the card
    selected: tuple[tuple[str, tuple[str, ...]], ...] = ()


@dataclass(frozen=True, slots=True)
class ContactsChanged(Inbound):
    change_type: str = ""


@dataclass(frozen=True, slots=True)
class Ignored(Inbound):
    """Nothing to do (entering the app, a location report, a message type we do not handle)."""

    what: str = ""


def _key(*parts: str) -> str:
    """``wecom:…`` from the parts; hashed when it would not fit the idempotency column."""
    key = "wecom:" + ":".join(parts)
    if len(key) <= KEY_MAX:
        return key
    return "wecom:h:" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


_MEDIA_TYPES = ("image", "file", "voice", "video")


def classify(message: Message) -> Inbound:
    """What the member did; the key follows the doc (MsgId; user + CreateTime + TaskId + EventKey)."""
    user = message.user
    msg_id = message.get("MsgId").strip()
    if message.msg_type == "text":
        return TextIn(
            user, _key("msg", msg_id or f"{user}:{message.create_time}"), text=message.get("Content")
        )
    if message.msg_type in _MEDIA_TYPES and message.get("MediaId"):
        return MediaIn(
            user,
            _key("msg", msg_id or f"{user}:{message.create_time}"),
            media_id=message.get("MediaId").strip(),
            kind=message.msg_type,
            filename=message.get("FileName") or message.get("Title"),
        )
    if message.msg_type == "event":
        event = message.get("Event").strip()
        if event == "template_card_event":
            task_id, event_key = message.get("TaskId"), message.get("EventKey")
            return CardClickIn(
                user,
                _key("card", user, str(message.create_time), task_id, event_key),
                task_id=task_id,
                event_key=event_key,
                card_type=message.get("CardType"),
                response_code=message.get("ResponseCode"),
                selected=message.selected,
            )
        if event == "change_contact":
            change = message.get("ChangeType")
            return ContactsChanged(
                user, _key("contact", str(message.create_time), change), change_type=change
            )
        return Ignored(user, _key("event", user, str(message.create_time), event), what=f"event {event}")
    return Ignored(user, _key("msg", msg_id or user), what=f"message type {message.msg_type!r}")


# --- channel-neutral events ----------------------------------------------------------------


def conversation(user: str) -> str:
    return f"dm:{user}"


def split_button_key(event_key: str) -> tuple[str, str]:
    """``approve:task-42`` → (``approve``, ``task-42``): the verb and the card it was on."""
    action, sep, card_id = event_key.partition(":")
    return (action, card_id) if sep else (event_key, "")


def command_event(item: TextIn) -> CommandText:
    return CommandText(CHANNEL, item.user, conversation(item.user), item.key, text=item.text.strip())


def action_event(item: CardClickIn) -> CardAction:
    action, card_id = split_button_key(item.event_key)
    params = {"selected": {q: list(options) for q, options in item.selected}} if item.selected else {}
    return CardAction(
        CHANNEL, item.user, conversation(item.user), item.key, card_id=card_id, action=action, params=params
    )


def file_event(item: MediaIn, *, data: bytes, filename: str, content_type: str) -> FileReceived:
    return FileReceived(
        CHANNEL,
        item.user,
        conversation(item.user),
        item.key,
        filename=filename,
        content_type=content_type,
        size=len(data),
        media_ref=item.media_id,
        data=data,
    )


def to_event(item: Inbound) -> ChatEvent | None:
    """The event for the bot, when no download is needed first (``file_event`` covers media)."""
    if isinstance(item, TextIn):
        return command_event(item)
    if isinstance(item, CardClickIn):
        return action_event(item)
    return None


__all__ = [
    "CHANNEL",
    "CardClickIn",
    "ContactsChanged",
    "Envelope",
    "Ignored",
    "Inbound",
    "MediaIn",
    "Message",
    "TextIn",
    "action_event",
    "classify",
    "command_event",
    "conversation",
    "file_event",
    "parse_envelope",
    "parse_message",
    "split_button_key",
    "to_event",
]
