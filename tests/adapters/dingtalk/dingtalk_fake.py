"""A local DingTalk for tests: Stream gateway, OpenAPI, robot files and contacts, in its own thread.

The real ``dingtalk_stream`` SDK and the adapter talk to it through
``DINGTALK_OPENAPI_ENDPOINT``. It runs on its own event loop in a thread (the SDK's
open-connection call blocks), and checks every request against the documented fields:
a request that breaks the format is answered with DingTalk's error and listed in
``errors`` (tests assert it stays empty).

Gateway behaviour copied from DingTalk: one ticket per connection; frames go to the
newest connection that has not been told to ``disconnect``; a frame not acknowledged
when its connection closes is delivered again on the next one; the server closes a
connection some time after its ``disconnect`` message.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web
from dingtalk_directory import FakeDirectory
from dingtalk_payloads import bot_message, card_callback

TEMPLATE_VARIABLES = frozenset(
    "kind title status statusText subtitle fields history actions decided detailUrl taskId instanceId "
    "cardId".split()
)
MSG_KEYS = {
    "sampleText": {"content"},
    "sampleMarkdown": {"title", "text"},
    "sampleActionCard": {"title", "text", "singleTitle", "singleURL"},
    "sampleLink": {"text", "title", "picUrl", "messageUrl"},
}
CARD_CREATE_FIELDS = set(
    "cardTemplateId outTrackId cardData callbackType callbackRouteKey openSpaceId privateData "
    "openDynamicDataConfig imGroupOpenSpaceModel imRobotOpenSpaceModel imSingleOpenSpaceModel "
    "topOpenSpaceModel imGroupOpenDeliverModel imRobotOpenDeliverModel imSingleOpenDeliverModel "
    "topOpenDeliverModel userId userIdType cardAtUserIds".split()
)
CARD_UPDATE_FIELDS = {"outTrackId", "cardData", "privateData", "cardUpdateOptions", "userIdType"}
BOT_TOPIC = "/v1.0/im/bot/messages/get"
CARD_TOPIC = "/v1.0/card/instances/callback"


class Refused(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


class LegacyRefused(Exception):
    """The legacy API's way of saying no: HTTP 200 with an ``errcode``."""

    def __init__(self, errcode: int, errmsg: str) -> None:
        super().__init__(errmsg)
        self.errcode, self.errmsg = errcode, errmsg


@dataclass(eq=False)
class Conn:
    number: int
    ws: web.WebSocketResponse
    request: web.Request
    delivering: bool = True
    open: bool = True


@dataclass
class Frame:
    message_id: str
    type: str
    topic: str
    data: dict[str, Any]
    conn: Conn | None = None
    sent_at: float = 0.0
    deliveries: int = 0
    acks: list[dict[str, Any]] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)

    def wire(self, app_id: str) -> str:
        headers = {
            "appId": app_id,
            "connectionId": f"conn-{self.conn.number if self.conn else 0}",
            "contentType": "application/json",
            "messageId": self.message_id,
            "time": str(int(time.time() * 1000)),
            "topic": self.topic,
        }
        return json.dumps(
            {"specVersion": "1.0", "type": self.type, "headers": headers, "data": json.dumps(self.data)},
            ensure_ascii=False,
        )


@dataclass
class FakeCard:
    track_id: str
    user: str
    data: dict[str, str]
    callback_type: str
    updates: int = 0  # through PUT /v1.0/card/instances
    answered: int = 0  # through a callback's ACK


def _fields(body: Any, required: set[str], allowed: set[str]) -> None:
    if not isinstance(body, dict):
        raise Refused(400, "param.invalid", "body must be a JSON object")
    missing = sorted(required - body.keys())
    unknown = sorted(body.keys() - allowed - required)
    if missing or unknown:
        raise Refused(400, "param.invalid", f"missing {missing}, unknown {unknown}")


def _param_map(card_data: Any) -> dict[str, str]:
    if not isinstance(card_data, dict) or not isinstance(card_data.get("cardParamMap"), dict):
        raise Refused(400, "param.cardPublicDataEmpty", "cardData.cardParamMap is required")
    params: dict[str, str] = card_data["cardParamMap"]
    for key, value in params.items():
        if not isinstance(value, str) or len(value.encode()) > 1024 or len(key.encode()) > 100:
            raise Refused(400, "param.invalid", f"cardParamMap[{key}] must be a string of at most 1 KB")
        if key not in TEMPLATE_VARIABLES:
            raise Refused(400, "param.invalid", f"the template has no variable {key}")
    return params


class FakeDingTalk:
    def __init__(
        self,
        directory: FakeDirectory | None = None,
        *,
        client_id: str = "dingapp-key",
        client_secret: str = "dingapp-secret",
        template_id: str = "jingwei-approval.schema",
        close_after_disconnect: float = 1.0,
    ) -> None:
        self.directory = directory or FakeDirectory.from_org_json()
        self.client_id, self.client_secret, self.template_id = client_id, client_secret, template_id
        self.close_after_disconnect = close_after_disconnect
        self.errors: list[str] = []
        self.calls: list[tuple[str, str]] = []
        self.opened: list[dict[str, Any]] = []  # open-connection bodies
        self.conns: list[Conn] = []
        self.frames: dict[str, Frame] = {}
        self.waiting: list[Frame] = []  # to be (re)delivered on the next connection
        self.cards: dict[str, FakeCard] = {}
        self.messages: list[dict[str, Any]] = []  # robot messages: {"to", "msgKey", "param"}
        self.puts: list[dict[str, Any]] = []  # card updates, in order
        self.files: dict[str, tuple[bytes, str]] = {}  # downloadCode -> (content, content type)
        self.tokens: set[str] = set()
        self.refuse_open = 0  # refuse the next n open-connection calls
        self._tickets: set[str] = set()
        self._ids = itertools.count(1)
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name="fake-dingtalk", daemon=True)
        self._runner: web.AppRunner | None = None
        self.port = 0

    # --- lifecycle (called from the test's thread) -------------------------------------------

    def start(self) -> FakeDingTalk:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self.loop).result(10)
        return self

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self._stop(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(5)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def _start(self) -> None:
        app = web.Application(middlewares=[self._middleware])
        app.router.add_post("/v1.0/gateway/connections/open", self.open_connection)
        app.router.add_get("/connect", self.connect)
        app.router.add_post("/v1.0/oauth2/accessToken", self.access_token)
        app.router.add_post("/v1.0/card/instances/createAndDeliver", self.create_and_deliver)
        app.router.add_put("/v1.0/card/instances", self.update_card)
        app.router.add_post("/v1.0/robot/oToMessages/batchSend", self.batch_send)
        app.router.add_post("/v1.0/robot/groupMessages/send", self.group_send)
        app.router.add_post("/v1.0/robot/messageFiles/download", self.file_download)
        app.router.add_get("/files/{code}", self.file_content)
        app.router.add_post("/topapi/v2/department/get", self.department_get)
        app.router.add_post("/topapi/v2/department/listsub", self.department_listsub)
        app.router.add_post("/topapi/user/listid", self.user_listid)
        app.router.add_post("/topapi/v2/user/get", self.user_get)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def _stop(self) -> None:
        for conn in self.conns:
            if conn.open:
                await conn.ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    async def on_fake(self, make: Callable[[], Awaitable[Any]]) -> Any:
        """Run ``make()`` on the fake's loop and await it from the test's loop."""
        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(make(), self.loop))

    # --- HTTP plumbing --------------------------------------------------------------------------

    @web.middleware
    async def _middleware(self, request: web.Request, handler: Any) -> web.StreamResponse:
        self.calls.append((request.method, request.path))
        try:
            return await handler(request)
        except LegacyRefused as exc:
            if exc.errcode != 40014:
                self.errors.append(f"{request.method} {request.path}: {exc.errcode} {exc.errmsg}")
            return web.json_response({"errcode": exc.errcode, "errmsg": exc.errmsg})
        except Refused as exc:
            if exc.code.startswith("param.invalid") or exc.code in (
                "InvalidAuthentication",
                "MissingParameter",
            ):
                self.errors.append(f"{request.method} {request.path}: {exc.code} {exc.message}")
            return web.json_response(
                {"code": exc.code, "message": exc.message, "requestid": uuid.uuid4().hex}, status=exc.status
            )

    async def _json(self, request: web.Request) -> Any:
        if not request.content_type.startswith("application/json"):
            raise Refused(400, "param.invalid", f"content type {request.content_type}")
        try:
            return await request.json()
        except json.JSONDecodeError as exc:
            raise Refused(400, "param.invalid", f"body is not JSON: {exc}") from exc

    def _authorised(self, request: web.Request) -> None:
        if request.headers.get("x-acs-dingtalk-access-token") not in self.tokens:
            raise Refused(401, "InvalidAuthentication", "不合法的access_token")

    def expire_tokens(self) -> None:
        self.tokens.clear()

    # --- the Stream gateway ---------------------------------------------------------------------

    async def open_connection(self, request: web.Request) -> web.Response:
        body = await self._json(request)
        _fields(body, {"clientId", "clientSecret", "subscriptions"}, {"ua", "localIp", "extras"})
        if (body["clientId"], body["clientSecret"]) != (self.client_id, self.client_secret):
            return web.json_response(
                {"code": "InvalidAuthentication", "message": "bad credentials"}, status=401
            )
        for sub in body["subscriptions"]:
            if sub.get("type") not in ("EVENT", "CALLBACK", "SYSTEM") or not isinstance(
                sub.get("topic"), str
            ):
                raise Refused(400, "param.invalid", f"bad subscription {sub}")
        self.opened.append(body)
        if self.refuse_open > 0:
            self.refuse_open -= 1
            return web.json_response({"code": "system.busy", "message": "try later"}, status=503)
        ticket = uuid.uuid4().hex
        self._tickets.add(ticket)
        return web.json_response({"endpoint": f"ws://127.0.0.1:{self.port}/connect", "ticket": ticket})

    async def connect(self, request: web.Request) -> web.StreamResponse:
        ticket = request.query.get("ticket", "")
        if ticket not in self._tickets:
            raise Refused(401, "InvalidAuthentication", "unknown or used ticket")
        self._tickets.discard(ticket)  # single use
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        conn = Conn(len(self.conns) + 1, ws, request)
        self.conns.append(conn)
        self._flush()
        try:
            async for msg in ws:
                if msg.type == WSMsgType.TEXT:
                    self._ack(conn, msg.data)
        finally:
            conn.open = conn.delivering = False
            for frame in self.frames.values():  # not acknowledged on this socket: deliver again
                if frame.conn is conn and not frame.acks and frame not in self.waiting:
                    self.waiting.append(frame)
            self._flush()
        return ws

    def _current(self) -> Conn | None:
        live = [c for c in self.conns if c.open and c.delivering]
        return live[-1] if live else None

    def _flush(self) -> None:
        conn = self._current()
        while conn is not None and self.waiting:
            self._send(conn, self.waiting.pop(0))

    def _send(self, conn: Conn, frame: Frame) -> None:
        frame.conn = conn
        frame.sent_at = time.perf_counter()
        frame.deliveries += 1
        asyncio.ensure_future(conn.ws.send_str(frame.wire(self.client_id)))

    def _ack(self, conn: Conn, text: str) -> None:
        try:
            ack = json.loads(text)
            _fields(ack, {"code", "headers", "message", "data"}, set())
            frame = self.frames[ack["headers"]["messageId"]]
            data = json.loads(ack["data"])
        except (ValueError, KeyError, TypeError, Refused) as exc:
            self.errors.append(f"bad ACK {text[:200]}: {exc!r}")
            return
        if not isinstance(ack["code"], int) or ack["headers"].get("contentType") != "application/json":
            self.errors.append(f"bad ACK header/code {text[:200]}")
        if frame.conn is not conn:
            self.errors.append(f"ACK for {frame.message_id} on connection {conn.number}, sent on another")
        frame.latencies.append(time.perf_counter() - frame.sent_at)
        frame.acks.append({**ack, "data": data})
        if frame.type == "SYSTEM" and data != frame.data:
            self.errors.append(f"system ACK must echo its data: {data} != {frame.data}")
        response = data.get("response") if isinstance(data, dict) else None
        if frame.topic == CARD_TOPIC and isinstance(response, dict) and "cardData" in response:
            card = self.cards.get(frame.data["outTrackId"])
            try:
                params = _param_map(response["cardData"])
            except Refused as exc:
                self.errors.append(f"callback answer: {exc.message}")
                return
            if card is not None:
                by_key = (response.get("cardUpdateOptions") or {}).get("updateCardDataByKey")
                card.data = {**card.data, **params} if by_key else dict(params)
                card.answered += 1

    # --- pushing (awaited from the test's loop) -----------------------------------------------

    async def push(self, topic: str, data: dict[str, Any], kind: str = "CALLBACK") -> str:
        async def go() -> str:
            message_id = f"{uuid.uuid4().hex[:8]}_{next(self._ids)}"
            frame = Frame(message_id, kind, topic, data)
            self.frames[message_id] = frame
            self.waiting.append(frame)
            self._flush()
            return message_id

        result: str = await self.on_fake(go)
        return result

    async def push_message(self, sender: str, text: str | None = None, **kw: Any) -> str:
        return await self.push(BOT_TOPIC, bot_message(sender, text, robot_code=self.client_id, **kw))

    async def click(self, track_id: str, user: str, action: str, **params: Any) -> str:
        return await self.push(CARD_TOPIC, card_callback(track_id, user, action, **params))

    async def redeliver(self, message_id: str) -> None:
        async def go() -> None:
            self.waiting.append(self.frames[message_id])
            self._flush()

        await self.on_fake(go)

    async def ping(self) -> str:
        return await self.push("ping", {"opaque": uuid.uuid4().hex}, kind="SYSTEM")

    async def disconnect(self) -> Conn:
        """Tell the current connection to go away; it is closed ``close_after_disconnect`` seconds later."""

        async def go() -> Conn:
            conn = self._current()
            assert conn is not None, "no connection to disconnect"
            message_id = f"sys_{next(self._ids)}"
            frame = Frame(message_id, "SYSTEM", "disconnect", {"reason": "rebalance"})
            self.frames[message_id] = frame
            self._send(conn, frame)
            conn.delivering = False
            self.loop.call_later(self.close_after_disconnect, lambda: asyncio.ensure_future(conn.ws.close()))
            return conn

        result: Conn = await self.on_fake(go)
        return result

    async def drop(self) -> None:
        """Cut the current connection without a close frame (a network failure)."""

        async def go() -> None:
            conn = self._current()
            assert conn is not None and conn.request.transport is not None
            conn.delivering = False
            conn.request.transport.abort()

        await self.on_fake(go)

    async def until(self, check: Callable[[], Any], timeout: float = 10.0, what: str = "") -> Any:
        """Poll ``check()`` until it returns something truthy."""
        deadline = time.monotonic() + timeout
        while True:
            value = check()
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what or check}; errors: {self.errors}")
            await asyncio.sleep(0.02)

    async def ack(self, message_id: str, count: int = 1, timeout: float = 10.0) -> dict[str, Any]:
        """The latest ACK of a frame, once it has at least ``count``."""
        frame = self.frames[message_id]
        await self.until(lambda: len(frame.acks) >= count, timeout, f"ACK #{count} of {message_id}")
        return frame.acks[-1]

    def live_connections(self) -> int:
        return sum(1 for c in self.conns if c.open)

    # --- OpenAPI --------------------------------------------------------------------------------

    async def access_token(self, request: web.Request) -> web.Response:
        body = await self._json(request)
        _fields(body, {"appKey", "appSecret"}, set())
        if (body["appKey"], body["appSecret"]) != (self.client_id, self.client_secret):
            return web.json_response({"code": "invalidClientIdOrSecret", "message": "bad"}, status=400)
        token = uuid.uuid4().hex
        self.tokens.add(token)
        return web.json_response({"accessToken": token, "expireIn": 7200})

    async def create_and_deliver(self, request: web.Request) -> web.Response:
        self._authorised(request)
        body = await self._json(request)
        _fields(body, {"cardTemplateId", "outTrackId", "cardData", "openSpaceId"}, CARD_CREATE_FIELDS)
        if body["cardTemplateId"] != self.template_id:
            raise Refused(400, "param.templateNotExist", f"no template {body['cardTemplateId']}")
        params = _param_map(body["cardData"])
        if body["outTrackId"] in self.cards:
            raise Refused(400, "param.cardAlreadyExist", "card exists")
        if body.get("callbackType") not in ("STREAM", "HTTP"):
            raise Refused(400, "param.invalid", "callbackType must be STREAM or HTTP")
        spaces = body["openSpaceId"].split(";")
        results = []
        for space in spaces:
            prefix, _, user = space.partition("IM_ROBOT.")
            if prefix != "dtv1.card//" or not user:
                raise Refused(
                    400, "param.openSpaceIdInvalid", f"{space}: only dtv1.card//IM_ROBOT.<userId> here"
                )
            model = body.get("imRobotOpenDeliverModel")
            if not isinstance(model, dict) or model.get("spaceType") != "IM_ROBOT":
                raise Refused(
                    400, "param.openDeliverModelEmpty", "imRobotOpenDeliverModel.spaceType IM_ROBOT"
                )
            if model.get("robotCode") not in (None, self.client_id):
                raise Refused(400, "param.invalid", f"unknown robotCode {model.get('robotCode')}")
            space_model = body.get("imRobotOpenSpaceModel")
            if space_model is not None and not isinstance(space_model.get("supportForward"), bool):
                raise Refused(400, "param.openSpaceModelInvalid", "imRobotOpenSpaceModel.supportForward")
            if user not in self.directory.users:
                results.append(
                    {"spaceType": "IM_ROBOT", "spaceId": user, "success": False, "errorMsg": "no user"}
                )
                continue
            self.cards[body["outTrackId"]] = FakeCard(
                body["outTrackId"], user, dict(params), body["callbackType"]
            )
            results.append(
                {"spaceType": "IM_ROBOT", "spaceId": user, "success": True, "carrierId": uuid.uuid4().hex}
            )
        return web.json_response(
            {"success": True, "result": {"outTrackId": body["outTrackId"], "deliverResults": results}}
        )

    async def update_card(self, request: web.Request) -> web.Response:
        self._authorised(request)
        body = await self._json(request)
        _fields(body, {"outTrackId"}, CARD_UPDATE_FIELDS)
        card = self.cards.get(body["outTrackId"])
        if card is None:
            raise Refused(400, "param.cardNotExist", "no such card")
        if "cardData" in body:
            params = _param_map(body["cardData"])
            by_key = (body.get("cardUpdateOptions") or {}).get("updateCardDataByKey")
            card.data = {**card.data, **params} if by_key else dict(params)
        card.updates += 1
        self.puts.append({"at": time.perf_counter(), "track": card.track_id, "body": body})
        return web.json_response({"success": True, "result": True})

    def _message(self, body: dict[str, Any]) -> dict[str, Any]:
        if body["robotCode"] != self.client_id:
            raise Refused(400, "param.invalid", f"unknown robotCode {body['robotCode']}")
        keys = MSG_KEYS.get(body["msgKey"])
        if keys is None:
            raise Refused(400, "param.invalid", f"unknown msgKey {body['msgKey']}")
        if not isinstance(body["msgParam"], str):
            raise Refused(400, "param.invalid", "msgParam must be a JSON string")
        param = json.loads(body["msgParam"])
        if set(param) != keys:
            raise Refused(400, "param.invalid", f"{body['msgKey']} takes {sorted(keys)}, got {sorted(param)}")
        return param

    async def batch_send(self, request: web.Request) -> web.Response:
        self._authorised(request)
        body = await self._json(request)
        _fields(body, {"robotCode", "userIds", "msgKey", "msgParam"}, set())
        param = self._message(body)
        if not isinstance(body["userIds"], list) or not 1 <= len(body["userIds"]) <= 20:
            raise Refused(400, "param.invalid", "userIds: 1 to 20 staff ids")
        invalid = [u for u in body["userIds"] if u not in self.directory.users]
        for user in body["userIds"]:
            if user not in invalid:
                self.messages.append({"to": user, "msgKey": body["msgKey"], "param": param})
        return web.json_response(
            {
                "processQueryKey": uuid.uuid4().hex,
                "invalidStaffIdList": invalid,
                "flowControlledStaffIdList": [],
            }
        )

    async def group_send(self, request: web.Request) -> web.Response:
        self._authorised(request)
        body = await self._json(request)
        _fields(body, {"robotCode", "openConversationId", "msgKey", "msgParam"}, {"coolAppCode"})
        param = self._message(body)
        self.messages.append({"to": body["openConversationId"], "msgKey": body["msgKey"], "param": param})
        return web.json_response({"processQueryKey": uuid.uuid4().hex})

    async def file_download(self, request: web.Request) -> web.Response:
        self._authorised(request)
        body = await self._json(request)
        _fields(body, {"robotCode", "downloadCode"}, set())
        if body["robotCode"] != self.client_id or body["downloadCode"] not in self.files:
            raise Refused(400, "invalidParameter", "unknown downloadCode")
        return web.json_response({"downloadUrl": f"{self.base}/files/{body['downloadCode']}"})

    async def file_content(self, request: web.Request) -> web.Response:
        content, content_type = self.files[request.match_info["code"]]
        return web.Response(body=content, content_type=content_type)

    # --- legacy contacts API --------------------------------------------------------------------

    async def _topapi(self, request: web.Request, required: set[str], allowed: set[str]) -> dict[str, Any]:
        if request.query.get("access_token") not in self.tokens:
            raise LegacyRefused(40014, "不合法的access_token")
        body = await self._json(request)
        try:
            _fields(body, required, allowed)
        except Refused as exc:
            raise LegacyRefused(400002, exc.message) from exc
        return dict(body)

    @staticmethod
    def _result(result: Any, errcode: int = 0, errmsg: str = "ok") -> web.Response:
        answer: dict[str, Any] = {"errcode": errcode, "errmsg": errmsg, "request_id": uuid.uuid4().hex}
        if errcode == 0:
            answer["result"] = result
        return web.json_response(answer)

    async def department_get(self, request: web.Request) -> web.Response:
        body = await self._topapi(request, {"dept_id"}, {"language"})
        found = self.directory.department(int(body["dept_id"]))
        return self._result(found) if found else self._result(None, 60003, "部门不存在")

    async def department_listsub(self, request: web.Request) -> web.Response:
        body = await self._topapi(request, {"dept_id"}, {"language"})
        return self._result(self.directory.children(int(body["dept_id"])))

    async def user_listid(self, request: web.Request) -> web.Response:
        body = await self._topapi(request, {"dept_id"}, set())
        return self._result({"userid_list": self.directory.members(int(body["dept_id"]))})

    async def user_get(self, request: web.Request) -> web.Response:
        body = await self._topapi(request, {"userid"}, {"language"})
        found = self.directory.user(str(body["userid"]))
        return self._result(found) if found else self._result(None, 60121, "找不到该用户")


__all__ = ["CARD_TOPIC", "TEMPLATE_VARIABLES", "FakeCard", "FakeDingTalk", "Frame"]
