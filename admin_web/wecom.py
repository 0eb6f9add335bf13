"""WeCom in the web service: the callback URL, the queue behind it, the channel, the org sync.

``GET /wecom/callback`` answers WeCom's URL check with the decrypted ``echostr``.
``POST /wecom/callback`` checks the timestamp window, the signature, decrypts and checks
the receive id (403 and a log line when any fails; nothing is processed), parses the
message, queues it and answers an empty 200 at once: the bot works after the answer, so
WeCom's 5 s deadline is never at risk. Everything is on only when ``settings.wecom_enabled``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from urllib.parse import unquote

from aiohttp import web

from adapters.wecom import (
    CallbackCrypto,
    CallbackRefused,
    Ignored,
    UserIds,
    WeComChannel,
    WeComClient,
    check_fresh,
    classify,
    parse_envelope,
    parse_message,
)
from adapters.wecom.crypto import MALFORMED
from admin_web.chat import CHANNELS
from admin_web.keys import ENGINE, SETTINGS
from admin_web.wecom_sync import ScheduledSync
from admin_web.wecom_worker import CallbackWorker, Inbox
from engine import Database
from engine.org import Directory

log = logging.getLogger("jingwei.wecom")
PATH = "/wecom/callback"
HTTP_THREADS = 4  # calls to WeCom run here, never in the engine's pool
MEDIA_GET_MAX = 20 * 1024 * 1024  # larger files need Range requests (Doc 90254)


@dataclass
class WeComService:
    """What the callback handlers use; built by the WeCom cleanup context."""

    crypto: CallbackCrypto
    agent_id: int
    window: float
    channel: WeComChannel
    inbox: Inbox
    clock: Callable[[], float]
    sync: ScheduledSync | None = None


WECOM = web.AppKey("wecom", WeComService)
# Epoch seconds for the freshness window; tests pin it to replay WeCom's sample vectors.
WECOM_CLOCK: web.AppKey[Callable[[], float]] = web.AppKey("wecom_clock")


def _query(request: web.Request) -> dict[str, str]:
    """The query string decoded with ``%XX`` only: a literal ``+`` in echostr stays a ``+``."""
    out: dict[str, str] = {}
    for part in request.rel_url.raw_query_string.split("&"):
        name, _, value = part.partition("=")
        out.setdefault(unquote(name), unquote(value))
    return out


def _params(request: web.Request, *names: str) -> dict[str, str]:
    query = _query(request)
    missing = [n for n in names if not query.get(n)]
    if missing:
        raise CallbackRefused(MALFORMED, "missing " + ", ".join(missing))
    return query


def _refuse(request: web.Request, exc: CallbackRefused) -> web.Response:
    log.warning(
        "WeCom callback refused (%s) %s from %s: %s", exc.reason, request.method, request.remote, exc.detail
    )
    return web.Response(status=400 if exc.reason == MALFORMED else 403, text=exc.reason)


async def verify_url(request: web.Request) -> web.Response:
    service = request.app[WECOM]
    try:
        q = _params(request, "msg_signature", "timestamp", "nonce", "echostr")
        check_fresh(q["timestamp"], service.clock(), service.window)
        plain = service.crypto.verify_url(q["msg_signature"], q["timestamp"], q["nonce"], q["echostr"])
    except CallbackRefused as exc:
        return _refuse(request, exc)
    log.info("WeCom callback URL verified")
    return web.Response(text=plain, content_type="text/plain")


async def receive(request: web.Request) -> web.Response:
    service = request.app[WECOM]
    body = await request.read()
    try:
        q = _params(request, "msg_signature", "timestamp", "nonce")
        check_fresh(q["timestamp"], service.clock(), service.window)
        envelope = parse_envelope(body)
        plaintext = service.crypto.decrypt(q["msg_signature"], q["timestamp"], q["nonce"], envelope.encrypt)
    except CallbackRefused as exc:
        return _refuse(request, exc)
    try:
        message = parse_message(plaintext)
    except CallbackRefused as exc:  # authentic but unreadable: retrying will not help
        log.warning("WeCom callback ignored: %s", exc.detail)
        return web.Response(text="")
    if message.agent_id and message.agent_id != str(service.agent_id):
        log.info("WeCom callback for agent %s ignored (we are %s)", message.agent_id, service.agent_id)
        return web.Response(text="")
    item = classify(message)
    if isinstance(item, Ignored):
        log.debug("WeCom callback ignored: %s from %s", item.what, item.user)
    elif not service.inbox.submit(item):
        log.error("WeCom callback queue full; asking WeCom to retry %s", item.key)
        return web.Response(status=503, text="busy")
    return web.Response(text="")  # 200 with an empty body: accepted, no passive reply


def _wecom_userid(db: Database, org_ids_are_userids: bool, user_id: str) -> str | None:
    """Blocking: the member an org user is on WeCom (None: not reachable there)."""
    with db.read() as conn:
        user = Directory(conn).user(user_id)
    if user is None or not user.active:
        return None
    return user.wecom_userid or (user.id if org_ids_are_userids else None)


async def _wecom(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    assert settings.wecom_corp_id and settings.wecom_agent_id and settings.wecom_secret
    assert settings.wecom_token and settings.wecom_aes_key
    db = app[ENGINE].db
    pool = ThreadPoolExecutor(max_workers=HTTP_THREADS, thread_name_prefix="jingwei-wecom")
    client = WeComClient(
        settings.wecom_corp_id, settings.wecom_secret.get_secret_value(), api_base=settings.wecom_api_base
    )
    channel = WeComChannel(
        client,
        agent_id=settings.wecom_agent_id,
        userids=UserIds(partial(_wecom_userid, db, settings.wecom_org_ids_are_userids)),
        executor=pool,
        home_url=(settings.public_url or f"http://{settings.host}:{settings.port}").rstrip("/") + "/",
    )
    app[CHANNELS] = [*app.get(CHANNELS, []), channel]
    sync = None
    if settings.wecom_sync_minutes:
        sync = ScheduledSync(db, client, minutes=settings.wecom_sync_minutes, executor=pool)
    worker = CallbackWorker(
        app,
        channel,
        max_file_bytes=min(settings.max_upload_bytes, MEDIA_GET_MAX),
        on_contacts_changed=sync.soon if sync else None,
    )
    inbox = Inbox(worker)
    app[WECOM] = WeComService(
        crypto=CallbackCrypto(
            settings.wecom_token.get_secret_value(),
            settings.wecom_aes_key.get_secret_value(),
            settings.wecom_corp_id,
        ),
        agent_id=settings.wecom_agent_id,
        window=settings.wecom_callback_window_seconds,
        channel=channel,
        inbox=inbox,
        clock=app[WECOM_CLOCK],
        sync=sync,
    )
    inbox.start()
    if sync is not None:
        sync.start()
    log.info(
        "WeCom adapter on: corp %s, agent %s, callback %s",
        settings.wecom_corp_id,
        settings.wecom_agent_id,
        PATH,
    )
    yield
    if sync is not None:
        sync.stop()
    await inbox.stop()
    pool.shutdown(wait=False, cancel_futures=True)


def setup_wecom(app: web.Application) -> None:
    """The WeCom adapter's routes and context; call before ``setup_chat`` (the notifier needs the channel)."""
    settings = app[SETTINGS]
    if not settings.wecom_enabled:
        missing = settings.wecom_missing()
        if len(missing) < 5:  # some set, some not: say which are missing rather than stay silent
            names = ", ".join(f"JINGWEI_{n.upper()}" for n in missing)
            log.warning("WeCom adapter off: %s not set", names)
        return
    app[WECOM_CLOCK] = time.time
    app.cleanup_ctx.append(_wecom)
    app.router.add_get(PATH, verify_url)
    app.router.add_post(PATH, receive)


__all__ = ["PATH", "WECOM", "WECOM_CLOCK", "WeComService", "setup_wecom"]
