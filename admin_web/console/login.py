"""``/login`` and ``/logout``: password login into a server-side session.

The login form is protected against CSRF by a double-submit token (a cookie and a hidden
field that must match), since there is no session yet; failed attempts count against the
client address like failed API tokens do. A successful login always starts a new session
(no fixation); logging out deletes it on the server.
"""

from __future__ import annotations

import hmac
import secrets
from urllib.parse import urlsplit

from aiohttp import web

from admin_web.api.auth import client_address
from admin_web.console.messages import pick_locale, translator
from admin_web.console.security import (
    CONSOLE,
    CSRF_FIELD,
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    check_csrf,
    load_session,
    session_cookie_options,
)
from admin_web.executor import in_thread
from admin_web.keys import TEMPLATES
from engine import JingweiError


def safe_next(value: str | None) -> str:
    """Only a path on this site: never ``//evil.example`` or ``https://…``."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/admin/"
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return "/admin/"
    return value


def _login_page(request: web.Request, *, error: str | None = None, status: int = 200) -> web.Response:
    locale = pick_locale(request.query.get("lang"), request.headers.get("Accept-Language"))
    token = secrets.token_urlsafe(24)
    page = request.app[TEMPLATES].get_template("console/login.html")
    html = page.render(
        t=translator(locale),
        locale=locale,
        csrf=token,
        next=safe_next(request.query.get("next")),
        error=error,
        notice=translator(locale)("login.ended") if request.query.get("bye") else None,
    )
    response = web.Response(
        text=html,
        status=status,
        content_type="text/html",
        headers={"Cache-Control": "no-store", "X-Frame-Options": "DENY"},
    )
    response.set_cookie(LOGIN_CSRF_COOKIE, token, max_age=3600, **session_cookie_options(request))  # type: ignore[arg-type]
    return response


async def login_form(request: web.Request) -> web.Response:
    session = await load_session(request)
    if session is not None:
        raise web.HTTPFound(safe_next(request.query.get("next")))
    return _login_page(request)


async def login(request: web.Request) -> web.Response:
    form = await request.post()
    locale = pick_locale(request.query.get("lang"), request.headers.get("Accept-Language"))
    t = translator(locale)
    sent = form.get(CSRF_FIELD)
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not isinstance(sent, str) or not cookie or not hmac.compare_digest(sent.encode(), cookie.encode()):
        return _login_page(request, error=t("login.csrf"), status=403)
    services = request.app[CONSOLE]
    client = client_address(request)
    if services.limiter.retry_after(client) is not None:
        return _login_page(request, error=t("login.throttled"), status=429)
    user = form.get("user")
    password = form.get("password")
    if not isinstance(user, str) or not isinstance(password, str) or len(password) > 1024:
        return _login_page(request, error=t("login.failed"), status=401)
    account = await in_thread(request.app, "console_login", services.accounts.authenticate, user, password)
    if account is None:
        services.limiter.fail(client)
        return _login_page(request, error=t("login.failed"), status=401)
    secret, _session = await in_thread(
        request.app,
        "console_login",
        services.sessions.open,
        account,
        ip=client,
        user_agent=request.headers.get("User-Agent"),
    )
    target = "/admin/account" if account.must_change_password else safe_next(_next_of(form.get("next")))
    response = web.HTTPFound(target)
    response.set_cookie(SESSION_COOKIE, secret, **session_cookie_options(request))  # type: ignore[arg-type]
    response.del_cookie(LOGIN_CSRF_COOKIE, path="/")
    raise response


def _next_of(value: object) -> str | None:
    return value if isinstance(value, str) else None


async def logout(request: web.Request) -> web.Response:
    session = await load_session(request)
    secret = request.cookies.get(SESSION_COOKIE)
    if session is not None and secret:
        try:
            await check_csrf(request, session.csrf_token)
        except JingweiError as exc:
            return web.Response(status=403, text=exc.message + "\n", content_type="text/plain")
        await in_thread(request.app, "console_logout", request.app[CONSOLE].sessions.close, secret)
    response = web.HTTPFound("/login?bye=1")
    response.del_cookie(SESSION_COOKIE, path="/")
    raise response


async def admin_redirect(request: web.Request) -> web.Response:
    raise web.HTTPFound("/admin/")


def setup_login(app: web.Application) -> None:
    app.router.add_get("/login", login_form, name="console_login_form")
    app.router.add_post("/login", login, name="console_login")
    app.router.add_post("/logout", logout, name="console_logout")
    app.router.add_get("/admin", admin_redirect, name="console_admin_redirect")


__all__ = ["safe_next", "setup_login"]
