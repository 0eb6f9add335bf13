"""A local fake of WeCom's server API, for tests only.

It runs on 127.0.0.1 in a thread of its own (the blocking wechatpy client and async tests
can both talk to it) and implements what the adapter calls: ``gettoken``,
``message/send``, ``message/update_template_card``, ``media/get``, ``department/list``,
``user/list``. Bodies are checked against WeCom's documented schema (required fields,
types, limits; template cards with ``cards.limits.validate_wecom``) and refused with
WeCom's error codes. Response codes are one use each, like WeCom's.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from cards import validate_wecom

# WeCom global error codes (Doc 90313) the fake answers with
INVALID_SECRET = 40001
INVALID_MEDIA_ID = 40007
INVALID_MSG_TYPE = 40008
INVALID_CORP_ID = 40013
INVALID_TOKEN = 40014
INVALID_AGENT_ID = 40056
INVALID_PARAMETER = 40058
MISSING_TOKEN = 41001
EXPIRED_TOKEN = 42001
EMPTY_CONTENT = 44004
CONTENT_TOO_LONG = 45002
RATE_LIMITED = 45009
NO_SUCH_DEPARTMENT = 60003
ALL_RECIPIENTS_INVALID = 81013
RESPONSE_CODE_LIFETIME = 72 * 3600


@dataclass
class ResponseCode:
    users: set[str]
    task_id: str
    issued: float
    used: bool = False


@dataclass
class Media:
    data: bytes
    content_type: str
    filename: str


@dataclass
class FakeWeCom:
    corp_id: str
    secret: str
    agent_id: int
    members: set[str] = field(default_factory=set)  # userids the app may message
    departments: list[dict[str, Any]] = field(default_factory=list)
    users: list[dict[str, Any]] = field(default_factory=list)
    calls: list[tuple[str, dict[str, str], Any]] = field(default_factory=list)
    sent: list[dict[str, Any]] = field(
        default_factory=list
    )  # accepted message/send bodies (+ _response_code)
    updates: list[dict[str, Any]] = field(default_factory=list)  # accepted update_template_card bodies
    refused: list[tuple[str, int, str]] = field(default_factory=list)
    media: dict[str, Media] = field(default_factory=dict)
    tokens_issued: int = 0
    url: str = ""  # set when served

    @property
    def api_base(self) -> str:
        return f"{self.url}/cgi-bin/"

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._tokens: dict[str, float] = {}  # token -> expires at
        self._codes: dict[str, ResponseCode] = {}
        self._task_ids: dict[str, set[str]] = {}  # task_id -> recipients
        self._faults: dict[str, list[int]] = {}

    # --- test controls ------------------------------------------------------------------

    def fail_next(self, endpoint: str, errcode: int, times: int = 1) -> None:
        with self._lock:
            self._faults.setdefault(endpoint, []).extend([errcode] * times)

    def expire_tokens(self) -> None:
        with self._lock:
            self._tokens = {t: 0.0 for t in self._tokens}

    def click(self, user: str, task_id: str) -> str:
        """A member clicks a button on the card sent with ``task_id``: the event's ResponseCode."""
        with self._lock:
            if user not in self._task_ids.get(task_id, set()):
                raise AssertionError(f"{user} never received a card with task_id {task_id}")
            code = "RC" + secrets.token_urlsafe(24)
            self._codes[code] = ResponseCode({user}, task_id, time.time())
            return code

    def cards_for(self, user: str) -> list[dict[str, Any]]:
        with self._lock:
            return [
                {**s["template_card"], "_response_code": s.get("_response_code")}
                for s in self.sent
                if s.get("msgtype") == "template_card" and user in s["touser"].split("|")
            ]

    def texts_for(self, user: str) -> list[str]:
        with self._lock:
            return [
                s["text"]["content"]
                for s in self.sent
                if s.get("msgtype") == "text" and user in s["touser"].split("|")
            ]

    def updates_for(self, user: str) -> list[dict[str, Any]]:
        with self._lock:
            return [u for u in self.updates if user in u.get("userids", [])]

    def endpoint_calls(self, endpoint: str) -> int:
        with self._lock:
            return sum(1 for name, _, _ in self.calls if name == endpoint)

    # --- the server ---------------------------------------------------------------------

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/cgi-bin/gettoken", self._gettoken)
        app.router.add_post("/cgi-bin/message/send", self._api(self._send))
        app.router.add_post("/cgi-bin/message/update_template_card", self._api(self._update))
        app.router.add_get("/cgi-bin/media/get", self._api(self._media_get))
        app.router.add_get("/cgi-bin/department/list", self._api(self._department_list))
        app.router.add_get("/cgi-bin/user/list", self._api(self._user_list))
        return app

    @staticmethod
    def _error(code: int, message: str) -> web.Response:
        return web.json_response({"errcode": code, "errmsg": message})

    async def _gettoken(self, request: web.Request) -> web.Response:
        with self._lock:
            self.calls.append(("gettoken", dict(request.query), None))
        if request.query.get("corpid") != self.corp_id:
            return self._error(INVALID_CORP_ID, "invalid corpid")
        if request.query.get("corpsecret") != self.secret:
            return self._error(INVALID_SECRET, "invalid credential")
        token = "TOK" + secrets.token_hex(16)
        with self._lock:
            self._tokens[token] = time.time() + 7200
            self.tokens_issued += 1
        return web.json_response({"errcode": 0, "errmsg": "ok", "access_token": token, "expires_in": 7200})

    def _api(self, handler: Any) -> Any:
        async def wrapped(request: web.Request) -> web.StreamResponse:
            endpoint = request.path.removeprefix("/cgi-bin/")
            body: Any = None
            if request.method == "POST":
                raw = await request.read()
                try:
                    body = json.loads(raw)
                except ValueError:
                    body = raw
            with self._lock:
                self.calls.append((endpoint, dict(request.query), body))
                token = request.query.get("access_token")
                expires = self._tokens.get(token or "")
                faults = self._faults.get(endpoint)
                fault = faults.pop(0) if faults else None
            if not token:
                return self._refuse(endpoint, MISSING_TOKEN, "access_token missing")
            if expires is None:
                return self._refuse(endpoint, INVALID_TOKEN, "invalid access_token")
            if expires < time.time():
                return self._refuse(endpoint, EXPIRED_TOKEN, "access_token expired")
            if fault is not None:
                return self._refuse(endpoint, fault, "injected fault")
            if request.method == "POST" and not isinstance(body, dict):
                return self._refuse(endpoint, INVALID_PARAMETER, "body is not a JSON object")
            response: web.StreamResponse = await handler(request, body)
            return response

        return wrapped

    def _refuse(self, endpoint: str, code: int, message: str, **extra: Any) -> web.Response:
        with self._lock:
            self.refused.append((endpoint, code, message))
        return web.json_response({"errcode": code, "errmsg": message, **extra})

    def _check_agent(self, body: dict[str, Any]) -> str | None:
        agent = body.get("agentid")
        if not isinstance(agent, int) or isinstance(agent, bool):
            return "agentid must be an integer"
        if agent != self.agent_id:
            return f"agentid {agent} is not this app"
        return None

    async def _send(self, request: web.Request, body: dict[str, Any]) -> web.Response:
        endpoint = "message/send"
        problem = self._check_agent(body)
        if problem:
            return self._refuse(endpoint, INVALID_AGENT_ID, problem)
        for name in ("touser", "toparty", "totag"):
            if not isinstance(body.get(name, ""), str):
                return self._refuse(endpoint, INVALID_PARAMETER, f"{name} must be a string")
        users = [u for u in body.get("touser", "").split("|") if u]
        if not users and not body.get("toparty") and not body.get("totag"):
            return self._refuse(endpoint, INVALID_PARAMETER, "touser, toparty and totag are all empty")
        if len(users) > 1000:
            return self._refuse(endpoint, INVALID_PARAMETER, "touser has more than 1000 ids")
        msgtype = body.get("msgtype")
        if msgtype == "text":
            content = (body.get("text") or {}).get("content")
            if not isinstance(content, str) or not content:
                return self._refuse(endpoint, EMPTY_CONTENT, "text.content is empty")
            if len(content.encode()) > 2048:
                return self._refuse(endpoint, CONTENT_TOO_LONG, "text.content is over 2048 bytes")
        elif msgtype == "template_card":
            card = body.get("template_card")
            if not isinstance(card, dict):
                return self._refuse(endpoint, INVALID_PARAMETER, "template_card must be an object")
            problems = validate_wecom(card)
            if problems:
                return self._refuse(endpoint, INVALID_PARAMETER, "; ".join(problems))
            task_id = card.get("task_id")
            if task_id and task_id in self._task_ids:
                return self._refuse(endpoint, INVALID_PARAMETER, f"task_id {task_id} already exists")
        else:
            return self._refuse(endpoint, INVALID_MSG_TYPE, f"msgtype {msgtype!r} is not supported here")
        invalid = [u for u in users if u not in self.members]
        if users and len(invalid) == len(users):
            return self._refuse(
                endpoint, ALL_RECIPIENTS_INVALID, "all recipients invalid", invaliduser="|".join(invalid)
            )
        answer: dict[str, Any] = {
            "errcode": 0,
            "errmsg": "ok",
            "invaliduser": "|".join(invalid),
            "msgid": secrets.token_hex(12),
        }
        with self._lock:
            if msgtype == "template_card":
                card = body["template_card"]
                valid = {u for u in users if u in self.members}
                if card.get("task_id"):
                    self._task_ids[card["task_id"]] = valid
                if card.get("card_type") == "button_interaction":
                    code = "RC" + secrets.token_urlsafe(24)
                    self._codes[code] = ResponseCode(valid, card.get("task_id", ""), time.time())
                    answer["response_code"] = code
                    body = {**body, "_response_code": code}
            self.sent.append(body)
        return web.json_response(answer)

    async def _update(self, request: web.Request, body: dict[str, Any]) -> web.Response:
        endpoint = "message/update_template_card"
        problem = self._check_agent(body)
        if problem:
            return self._refuse(endpoint, INVALID_AGENT_ID, problem)
        userids = body.get("userids", [])
        if (
            not isinstance(userids, list)
            or not all(isinstance(u, str) for u in userids)
            or len(userids) > 1000
        ):
            return self._refuse(endpoint, INVALID_PARAMETER, "userids must be a list of at most 1000 userids")
        if not userids and not body.get("partyids") and not body.get("tagids") and body.get("atall") != 1:
            return self._refuse(
                endpoint, INVALID_PARAMETER, "no recipients: userids, partyids, tagids or atall"
            )
        code = body.get("response_code")
        if not isinstance(code, str) or not code:
            return self._refuse(endpoint, INVALID_PARAMETER, "response_code is required")
        if ("button" in body) == ("template_card" in body):
            return self._refuse(endpoint, INVALID_PARAMETER, "give either button or template_card")
        if "button" in body:
            name = (body.get("button") or {}).get("replace_name")
            if not isinstance(name, str) or not name or len(name) > 10:
                return self._refuse(
                    endpoint, INVALID_PARAMETER, "button.replace_name must be 1-10 characters"
                )
        else:
            card = body.get("template_card")
            problems = validate_wecom(card) if isinstance(card, dict) else ["template_card must be an object"]
            if problems:
                return self._refuse(endpoint, INVALID_PARAMETER, "; ".join(problems))
        with self._lock:
            known = self._codes.get(code)
            if known is None:
                problem = "invalid response_code"
            elif known.used:
                problem = "response_code already used"
            elif time.time() - known.issued > RESPONSE_CODE_LIFETIME:
                problem = "response_code expired"
            elif not set(userids) <= known.users:
                problem = f"{sorted(set(userids) - known.users)} did not receive this card"
            else:
                problem = None
                known.used = True
                self.updates.append(body)
        if problem:
            return self._refuse(endpoint, INVALID_PARAMETER, problem)
        return web.json_response({"errcode": 0, "errmsg": "ok", "invaliduser": []})

    async def _media_get(self, request: web.Request, body: Any) -> web.StreamResponse:
        media = self.media.get(request.query.get("media_id", ""))
        if media is None:
            # errors come back as JSON with status 200, as WeCom does
            return self._refuse("media/get", INVALID_MEDIA_ID, "invalid media_id")
        return web.Response(
            body=media.data,
            content_type=media.content_type,
            headers={"Content-Disposition": f'attachment; filename="{media.filename}"'},
        )

    async def _department_list(self, request: web.Request, body: Any) -> web.Response:
        wanted = request.query.get("id")
        departments = self.departments
        if wanted is not None:
            if not wanted.isdigit():
                return self._refuse("department/list", INVALID_PARAMETER, "id must be an integer")
            top = int(wanted)
            keep = {top}
            changed = True
            while changed:
                changed = False
                for d in departments:
                    if d["parentid"] in keep and d["id"] not in keep:
                        keep.add(d["id"])
                        changed = True
            departments = [d for d in departments if d["id"] in keep]
        return web.json_response({"errcode": 0, "errmsg": "ok", "department": departments})

    async def _user_list(self, request: web.Request, body: Any) -> web.Response:
        raw = request.query.get("department_id", "")
        if not raw.isdigit():
            return self._refuse("user/list", INVALID_PARAMETER, "department_id must be an integer")
        dept = int(raw)
        if dept not in {d["id"] for d in self.departments}:
            return self._refuse("user/list", NO_SUCH_DEPARTMENT, f"department {dept} not found")
        members = [u for u in self.users if dept in u.get("department", [])]
        return web.json_response({"errcode": 0, "errmsg": "ok", "userlist": members})


# WeCom's contacts for the example company (examples/org.json), as department/list and user/list give them
DEPARTMENTS = [
    {"id": 1, "name": "京微科技", "parentid": 0, "order": 1, "department_leader": ["wangjianguo"]},
    {"id": 2, "name": "技术中心", "parentid": 1, "order": 1, "department_leader": ["liuyang"]},
    {"id": 3, "name": "后端组", "parentid": 2, "order": 1, "department_leader": []},
    {"id": 4, "name": "财务部", "parentid": 1, "order": 2, "department_leader": ["zhouli", "outsider"]},
]
USERS = [
    {"userid": "wangjianguo", "name": "王建国", "department": [1], "position": "总经理", "status": 1},
    {"userid": "liuyang", "name": "刘洋", "department": [2], "direct_leader": ["wangjianguo"], "status": 1},
    {
        "userid": "chenjie",
        "name": "陈杰",
        "department": [3],
        "is_leader_in_dept": [1],
        "direct_leader": ["liuyang"],
        "status": 1,
    },
    {"userid": "lilei", "name": "李雷", "department": [3], "direct_leader": ["chenjie"], "status": 1},
    {
        "userid": "newbie",
        "name": "新人",
        "department": [3, 4],
        "main_department": 3,
        "direct_leader": ["chenjie", "ghost"],
        "position": "实习生",
        "status": 1,
    },
    {"userid": "gone", "name": "离职者", "department": [3], "status": 5},
    {"userid": "zhouli", "name": "周丽", "department": [4], "is_leader_in_dept": [1], "status": 1},
]


class ServerThread:
    """An aiohttp application served on 127.0.0.1 from a thread with its own event loop."""

    def __init__(self, app: web.Application) -> None:
        self.app = app
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="fake-wecom", daemon=True)
        self.runner = web.AppRunner(app)
        self.url = ""

    def start(self) -> str:
        self.thread.start()
        asyncio.run_coroutine_threadsafe(self.runner.setup(), self.loop).result(10)
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        asyncio.run_coroutine_threadsafe(site.start(), self.loop).result(10)
        host, port = self.runner.addresses[0][:2]
        self.url = f"http://{host}:{port}"
        return self.url

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self.runner.cleanup(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()


__all__ = ["DEPARTMENTS", "USERS", "FakeWeCom", "Media", "ServerThread"]
