"""Callbacks exactly as WeCom sends them: encrypted XML envelope, signed query string.

``POST <url>?msg_signature=…&timestamp=…&nonce=…`` with
``<xml><ToUserName/><Encrypt/><AgentID/></xml>`` (Doc 90930/90968); the GET URL check
with ``echostr``. Query values are percent-encoded like WeCom does (``+`` → ``%2B``).
"""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import quote

from adapters.wecom import CallbackCrypto

# WeCom's published sample (Vector A of the reference; sbzhu/weworkapi_python callback/Sample.py)
CORP_ID = "ww1436e0e65a779aee"
TOKEN = "hJqcu3uJ9Tn2gXPmxx2w9kkCkCE2EPYo"
AES_KEY = "6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt"
AGENT_ID = 1000002
SECRET = "test-app-secret"


T = TypeVar("T")


async def until(probe: Callable[[], T], timeout: float = 15.0) -> T:
    """Poll ``probe`` until it returns something truthy (the app works after answering)."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for the app")
        await asyncio.sleep(0.05)


def cdata(value: str) -> str:
    return f"<![CDATA[{value}]]>"


def text_xml(user: str, content: str, msg_id: int, created: int, *, corp: str = CORP_ID) -> str:
    return (
        f"<xml><ToUserName>{cdata(corp)}</ToUserName><FromUserName>{cdata(user)}</FromUserName>"
        f"<CreateTime>{created}</CreateTime><MsgType>{cdata('text')}</MsgType>"
        f"<Content>{cdata(content)}</Content><MsgId>{msg_id}</MsgId><AgentID>{AGENT_ID}</AgentID></xml>"
    )


def media_xml(user: str, kind: str, media_id: str, msg_id: int, created: int, filename: str = "") -> str:
    extra = f"<FileName>{cdata(filename)}</FileName>" if filename else ""
    if kind == "image":
        extra += f"<PicUrl>{cdata('https://wework.qpic.cn/x')}</PicUrl>"
    return (
        f"<xml><ToUserName>{cdata(CORP_ID)}</ToUserName><FromUserName>{cdata(user)}</FromUserName>"
        f"<CreateTime>{created}</CreateTime><MsgType>{cdata(kind)}</MsgType>"
        f"<MediaId>{cdata(media_id)}</MediaId>{extra}<MsgId>{msg_id}</MsgId><AgentID>{AGENT_ID}</AgentID></xml>"
    )


def card_event_xml(
    user: str,
    task_id: str,
    event_key: str,
    response_code: str,
    created: int,
    card_type: str = "button_interaction",
) -> str:
    """The template_card_event of Doc 90240, laid out as the doc shows it."""
    return (
        "<xml>\n"
        f"<ToUserName>{cdata(CORP_ID)}</ToUserName>\n"
        f"<FromUserName>{cdata(user)}</FromUserName>\n"
        f"<CreateTime>{created}</CreateTime>\n"
        f"<MsgType>{cdata('event')}</MsgType>\n"
        f"<Event>{cdata('template_card_event')}</Event>\n"
        f"<EventKey>{cdata(event_key)}</EventKey>\n"
        f"<TaskId>{cdata(task_id)}</TaskId>\n"
        f"<CardType>{cdata(card_type)}</CardType>\n"
        f"<ResponseCode>{cdata(response_code)}</ResponseCode>\n"
        f"<AgentID>{AGENT_ID}</AgentID>\n"
        "</xml>"
    )


@dataclass(frozen=True)
class Signed:
    query: str  # the encoded query string
    body: bytes


class CallbackSender:
    """Seals plaintext callbacks and posts them to the app under test."""

    def __init__(
        self,
        client: Any,  # aiohttp's TestClient
        crypto: CallbackCrypto | None = None,
        *,
        clock: Callable[[], float] = time.time,
        path: str = "/wecom/callback",
    ) -> None:
        self.client = client
        self.crypto = crypto or CallbackCrypto(TOKEN, AES_KEY, CORP_ID)
        self.clock = clock
        self.path = path

    def sign(self, plaintext: str, *, timestamp: int | None = None, nonce: str | None = None) -> Signed:
        ts = str(int(self.clock()) if timestamp is None else timestamp)
        nonce = nonce or str(secrets.randbelow(10**10))
        sealed = self.crypto.seal(plaintext, nonce=nonce, timestamp=ts)
        body = (
            f"<xml><ToUserName>{cdata(self.crypto.receive_id)}</ToUserName>\n"
            f"<Encrypt>{cdata(sealed.encrypt)}</Encrypt>\n<AgentID>{cdata(str(AGENT_ID))}</AgentID>\n</xml>"
        )
        query = f"msg_signature={sealed.signature}&timestamp={ts}&nonce={nonce}"
        return Signed(query, body.encode())

    async def post_signed(self, signed: Signed) -> tuple[int, str]:
        response = await self.client.post(
            f"{self.path}?{signed.query}", data=signed.body, headers={"Content-Type": "text/xml"}
        )
        return response.status, await response.text()

    async def post(self, plaintext: str, **kwargs: Any) -> tuple[int, str]:
        return await self.post_signed(self.sign(plaintext, **kwargs))

    async def verify_url(
        self, msg_signature: str, timestamp: str, nonce: str, echostr: str
    ) -> tuple[int, str]:
        query = "&".join(
            f"{k}={quote(v, safe='')}"
            for k, v in (
                ("msg_signature", msg_signature),
                ("timestamp", timestamp),
                ("nonce", nonce),
                ("echostr", echostr),
            )
        )
        response = await self.client.get(f"{self.path}?{query}")
        return response.status, await response.text()


__all__ = [
    "AES_KEY",
    "AGENT_ID",
    "CORP_ID",
    "SECRET",
    "TOKEN",
    "CallbackSender",
    "Signed",
    "card_event_xml",
    "media_xml",
    "text_xml",
    "until",
]
