"""Who may do what in the console: sessions from the cookie, CSRF on every write, roles → permissions.

Every console route is declared with the permission it needs (``Route``); ``guard`` wraps its
handler so that nothing reaches it without a live session, a matching CSRF token on writes
(the ``X-CSRF-Token`` header for JSON, the ``csrf_token`` field for forms; a foreign
``Origin`` is refused as well) and the permission. JSON routes answer errors in the REST
API's shape ``{"error": {"code", "message", "details"}}``; pages redirect to the login.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

import sqlalchemy as sa
from aiohttp import web
from pydantic import ValidationError

from admin_web.api import FailureLimiter
from admin_web.api.errors import error_response, status_of, validation_details
from admin_web.executor import in_thread
from admin_web.keys import SETTINGS
from engine import JingweiError, NotAllowed
from engine.accounts import Account, Accounts
from engine.drafts import Drafts
from engine.sessions import Session, Sessions

log = logging.getLogger("jingwei.console")

SESSION_COOKIE = "jw_session"
LOGIN_CSRF_COOKIE = "jw_login_csrf"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

# permission -> roles that have it; "admin" has every permission.
PERMISSIONS: dict[str, frozenset[str]] = {
    "self": frozenset(),  # one's own account page, password and language: every account
    "read": frozenset({"admin", "designer", "auditor"}),  # every page and every list
    "design": frozenset({"admin", "designer"}),  # save drafts and forms
    "deploy": frozenset({"admin", "designer"}),  # deploy a new version
    "start": frozenset({"admin", "designer"}),  # start (test) instances from the console
    "operate": frozenset({"admin"}),  # terminate, reassign, jump
    "org": frozenset({"admin"}),  # import the organisation
    "accounts": frozenset({"admin"}),  # console accounts and API tokens
}
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass(slots=True)
class ConsoleServices:
    accounts: Accounts
    sessions: Sessions
    drafts: Drafts
    limiter: FailureLimiter


CONSOLE = web.AppKey("console", ConsoleServices)
SESSION = web.RequestKey("console_session", Session)


def can(account: Account, permission: str) -> bool:
    if permission == "self":
        return True
    return any(role in PERMISSIONS[permission] for role in account.roles)


def permissions_of(account: Account) -> dict[str, bool]:
    return {name: can(account, name) for name in PERMISSIONS}


def current(request: web.Request) -> Session:
    return request[SESSION]


def actor(request: web.Request) -> str:
    return request[SESSION].account.id


async def load_session(request: web.Request) -> Session | None:
    secret = request.cookies.get(SESSION_COOKIE)
    if not secret:
        return None
    services = request.app[CONSOLE]
    try:
        return await in_thread(request.app, "console_session", services.sessions.lookup, secret)
    except sa.exc.OperationalError:
        log.exception("session lookup failed")
        return None


class ConsoleRefusal(JingweiError):
    """Authentication and CSRF refusals of the console (mapped to 401/403)."""

    code = "unauthorized"
    status = 401


class CsrfRefused(ConsoleRefusal):
    code = "csrf"
    status = 403


def _origin_ok(request: web.Request) -> bool:
    origin = request.headers.get("Origin")
    if not origin or origin == "null":
        return origin is None
    host = urlsplit(origin).netloc
    allowed = {request.host}
    public = request.app[SETTINGS].public_url
    if public:
        allowed.add(urlsplit(public).netloc)
    return host in allowed


async def check_csrf(request: web.Request, expected: str) -> None:
    """The request must carry ``expected`` (header or form field) and come from our own origin."""
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await request.post()
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if not sent or not hmac.compare_digest(sent.encode(), expected.encode()):
        raise CsrfRefused("the request has no valid CSRF token; reload the page and try again")
    if not _origin_ok(request):
        raise CsrfRefused("the request comes from another site")


def json_error(exc: JingweiError) -> web.Response:
    status = exc.status if isinstance(exc, ConsoleRefusal) else status_of(exc)
    return error_response(status, exc.code, exc.message, exc.details)


def _login_redirect(request: web.Request) -> web.HTTPFound:
    return web.HTTPFound("/login?next=" + quote(request.path_qs, safe=""))


@dataclass(frozen=True, slots=True)
class Route:
    method: str
    path: str
    handler: Handler
    permission: str
    json: bool = True
    # reachable while the account must still change its password (the account page and its API)
    self_service: bool = False


def guard(route: Route) -> Handler:
    if route.permission not in PERMISSIONS:
        raise ValueError(f"unknown permission {route.permission!r} on {route.method} {route.path}")

    async def guarded(request: web.Request) -> web.StreamResponse:
        try:
            session = await load_session(request)
            if session is None:
                if not route.json:
                    raise _login_redirect(request)
                raise ConsoleRefusal("log in first: your session has ended")
            if request.method not in SAFE_METHODS:
                await check_csrf(request, session.csrf_token)
            if session.account.must_change_password and not route.self_service:
                if not route.json:
                    raise web.HTTPFound("/admin/account")
                raise NotAllowed("change your one-time password first (My account)")
            if not can(session.account, route.permission):
                roles = ", ".join(sorted(PERMISSIONS[route.permission]))
                raise NotAllowed(
                    f"{session.account.id} may not do this: it needs one of the roles {roles}",
                    details={"permission": route.permission},
                )
            request[SESSION] = session
            return await route.handler(request)
        except JingweiError as exc:
            if route.json:
                return json_error(exc)
            status = exc.status if isinstance(exc, ConsoleRefusal) else status_of(exc)
            return web.Response(status=status, text=f"{exc.message}\n", content_type="text/plain")
        except ValidationError as exc:
            if not route.json:
                raise
            return error_response(422, "invalid_input", "the request is not valid", validation_details(exc))

    guarded.__name__ = route.handler.__name__
    return guarded


def register(app: web.Application, routes: list[Route]) -> None:
    for route in routes:
        app.router.add_route(route.method, route.path, guard(route), name="console_" + route.handler.__name__)


def session_cookie_options(request: web.Request) -> dict[str, object]:
    public = request.app[SETTINGS].public_url or ""
    return {
        "httponly": True,
        "samesite": "Lax",
        "secure": public.startswith("https://") or request.secure,
        "path": "/",
    }


__all__ = [
    "CONSOLE",
    "CSRF_FIELD",
    "CSRF_HEADER",
    "LOGIN_CSRF_COOKIE",
    "PERMISSIONS",
    "SESSION",
    "SESSION_COOKIE",
    "ConsoleServices",
    "Route",
    "actor",
    "can",
    "check_csrf",
    "current",
    "guard",
    "json_error",
    "load_session",
    "permissions_of",
    "register",
    "session_cookie_options",
]
