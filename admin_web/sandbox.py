"""The sandbox chat (C5): JSON endpoints of DESIGN.md and the page at ``/sandbox``.

Anyone may act as anyone here, so it is served only when ``settings.sandbox`` is on
(``jingwei serve --demo`` turns it on). Messages and actions are answered after the
notifier has fanned out their effects, so a script (or a test) that reads an inbox right
after an action sees the new cards.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import uuid
from typing import Any

from aiohttp import web
from pydantic import BaseModel, Field, ValidationError

from adapters import CardAction, ChatEvent, CommandText, FileReceived, Mention
from admin_web.chat import CHAT, ChatRuntime
from admin_web.keys import SETTINGS, TEMPLATES
from cards import card_from_dict, render_sandbox
from engine.deliveries import CardDeliveries

CHANNEL = "sandbox"
MENTION = re.compile(r"@[\w.\-\u4e00-\u9fff]+")
MAX_FILE_BYTES = 20 * 1024 * 1024


class MessageIn(BaseModel):
    user: str = Field(min_length=1, max_length=64)
    text: str = Field(min_length=1, max_length=4000)
    key: str | None = Field(None, max_length=200)
    reply_to: str | None = Field(
        None, max_length=64, description="card_id replied to: @mentions become a comment"
    )


class ActionIn(BaseModel):
    user: str = Field(min_length=1, max_length=64)
    card_id: str = Field(min_length=1, max_length=64)
    action: str = Field(min_length=1, max_length=32)
    params: dict[str, Any] = Field(default_factory=dict)
    key: str | None = Field(None, max_length=200)


def _bad(message: str, details: Any = None, status: int = 422) -> web.Response:
    return web.json_response(
        {"error": {"code": "invalid_input", "message": message, "details": details}}, status=status
    )


async def _body(request: web.Request, model: type[BaseModel]) -> Any:
    try:
        return model.model_validate(await request.json())
    except json.JSONDecodeError as exc:
        raise web.HTTPBadRequest(
            text=json.dumps(
                {"error": {"code": "bad_json", "message": f"body is not JSON: {exc.msg}", "details": None}}
            ),
            content_type="application/json",
        ) from exc
    except ValidationError as exc:
        details = [{"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"]} for e in exc.errors()]
        raise web.HTTPUnprocessableEntity(
            text=json.dumps(
                {"error": {"code": "invalid_input", "message": "invalid body", "details": details}}
            ),
            content_type="application/json",
        ) from exc


async def _say(runtime: ChatRuntime, user: str, text: str, *, by: str = "bot") -> None:
    """Keep a line of ``user``'s conversation, then show it on their open pages."""
    services = runtime.services
    message = await services.run(runtime.conversations.append, CHANNEL, user, by, text, services.clock())
    runtime.sandbox.say(user, message)


async def _answer(runtime: ChatRuntime, user: str, reply_text: str | None, reply: Any) -> web.Response:
    if reply_text:  # the answer first, then its cards: the page shows them in that order
        await _say(runtime, user, reply_text)
    # cards in the answer go to the sender's chat like any card: later events update them in place
    for card in reply.cards:
        await runtime.notifier.deliver(card, [user])
    await runtime.notifier.drain()
    return web.json_response({"reply": reply.to_dict()})


async def post_message(request: web.Request) -> web.Response:
    body: MessageIn = await _body(request, MessageIn)
    runtime = request.app[CHAT]
    await _say(runtime, body.user, body.text, by=body.user)
    key = body.key or f"sandbox:{uuid.uuid4()}"
    mentions = tuple(m.lstrip("@") for m in MENTION.findall(body.text))
    event: ChatEvent
    if body.reply_to and mentions:
        event = Mention(
            CHANNEL,
            body.user,
            f"dm:{body.user}",
            key,
            text=body.text,
            mentions=mentions,
            reply_to_card=body.reply_to,
        )
    else:
        event = CommandText(CHANNEL, body.user, f"dm:{body.user}", key, text=body.text)
    reply = await runtime.handle(event)
    return await _answer(runtime, body.user, reply.text, reply)


async def post_action(request: web.Request) -> web.Response:
    body: ActionIn = await _body(request, ActionIn)
    runtime = request.app[CHAT]
    event = CardAction(
        CHANNEL,
        body.user,
        f"dm:{body.user}",
        body.key or f"sandbox:{uuid.uuid4()}",
        card_id=body.card_id,
        action=body.action,
        params=body.params,
    )
    reply = await runtime.handle(event)
    # the clicker's own copy shows the new state at once, as WeCom/DingTalk update it inline
    for card in reply.updated:
        await runtime.notifier.deliver(card, [body.user], update_only=True)
    return await _answer(runtime, body.user, reply.text, reply)


async def post_file(request: web.Request) -> web.Response:
    runtime = request.app[CHAT]
    form = await request.post()
    user, upload, instance_id = form.get("user"), form.get("file"), form.get("instance_id")
    if not isinstance(user, str) or not user:
        return _bad("the form needs a user field")
    if not isinstance(upload, web.FileField):
        return _bad("the form needs a file field")
    data = upload.file.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        return _bad(f"file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB", status=413)
    event = FileReceived(
        CHANNEL,
        user,
        f"dm:{user}",
        f"sandbox:{uuid.uuid4()}",
        filename=upload.filename,
        content_type=upload.content_type,
        size=len(data),
        data=data,
        instance_id=instance_id if isinstance(instance_id, str) and instance_id else None,
    )
    reply = await runtime.handle(event)
    return await _answer(runtime, user, reply.text, reply)


def _inbox(runtime: ChatRuntime, user: str) -> dict[str, Any]:
    cards = []
    for delivery in CardDeliveries(runtime.services.engine.db).inbox(CHANNEL, user):
        payload = delivery.payload or {}
        cards.append({**payload, "html": render_sandbox(card_from_dict(payload))})
    messages = runtime.conversations.recent(CHANNEL, user)
    return {"user": user, "cards": cards, "messages": messages}


async def get_inbox(request: web.Request) -> web.Response:
    user = request.query.get("user")
    if not user:
        return _bad("add ?user=USER_ID")
    runtime = request.app[CHAT]
    return web.json_response(await runtime.services.run(_inbox, runtime, user))


async def get_users(request: web.Request) -> web.Response:
    runtime = request.app[CHAT]
    people = await runtime.services.run(runtime.services.people.all)
    return web.json_response([{"id": uid, "name": name} for uid, name in people])


async def get_events(request: web.Request) -> web.StreamResponse:
    """Server-sent events: the page hears about new cards and messages for one user."""
    user = request.query.get("user")
    if not user:
        return _bad("add ?user=USER_ID")
    runtime = request.app[CHAT]
    response = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"})
    await response.prepare(request)
    queue = runtime.sandbox.subscribe(user)
    try:
        while True:
            try:
                event = await asyncio.wait_for(queue.get(), timeout=15)
                if event.get("type") == "bye":
                    break
                await response.write(f"data: {json.dumps(event, ensure_ascii=False)}\n\n".encode())
            except TimeoutError:
                await response.write(b": keep-alive\n\n")
    except (ConnectionResetError, asyncio.CancelledError):
        pass
    finally:
        runtime.sandbox.unsubscribe(user, queue)
    with contextlib.suppress(ConnectionResetError):
        await response.write_eof()
    return response


async def page(request: web.Request) -> web.Response:
    html = request.app[TEMPLATES].get_template("sandbox.html").render(title="Sandbox chat")
    return web.Response(text=html, content_type="text/html")


def setup_sandbox(app: web.Application) -> None:
    """Routes of the sandbox; only when ``settings.sandbox`` is on."""
    if not app[SETTINGS].sandbox:
        return
    app.router.add_get("/sandbox", page)
    app.router.add_post("/sandbox/api/messages", post_message)
    app.router.add_post("/sandbox/api/actions", post_action)
    app.router.add_post("/sandbox/api/files", post_file)
    app.router.add_get("/sandbox/api/inbox", get_inbox)
    app.router.add_get("/sandbox/api/users", get_users)
    app.router.add_get("/sandbox/api/events", get_events)
    app.on_shutdown.append(_end_streams)


async def _end_streams(app: web.Application) -> None:
    """Open event streams would otherwise hold shutdown until they time out."""
    if CHAT in app:
        app[CHAT].sandbox.close_all()


__all__ = ["setup_sandbox"]
