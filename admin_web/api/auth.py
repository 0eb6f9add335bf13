"""Bearer-token authentication for ``/api/v1`` and a limit on failed attempts per client.

The token's user is the actor of every command. Guessing tokens is throttled: after
``limit`` failures within a minute from one address, that address gets 429 with
``Retry-After`` until the oldest failure leaves the window.
"""

from __future__ import annotations

import hashlib
import time
from collections import deque
from collections.abc import Awaitable, Callable

from aiohttp import web

from admin_web.api.errors import TooManyRequests, Unauthorized
from admin_web.api.requests import USER_KEY
from admin_web.api.routing import PREFIX
from admin_web.executor import in_thread
from admin_web.keys import SETTINGS, TOKENS
from engine import NotAllowed, TokenInfo

TOKEN_KEY = web.RequestKey("token", TokenInfo)
PUBLIC = frozenset({f"{PREFIX}/openapi.json"})
WINDOW = 60.0
_MAX_CLIENTS = 10_000  # bounds memory when failures come from very many addresses


class FailureLimiter:
    """Failed authentications per client address in a sliding window of one minute."""

    def __init__(self, limit: int, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.clock = clock
        self._failures: dict[str, deque[float]] = {}

    def _recent(self, client: str) -> deque[float]:
        now = self.clock()
        failures = self._failures.get(client)
        if failures is None:
            return deque()
        while failures and failures[0] <= now - WINDOW:
            failures.popleft()
        if not failures:
            del self._failures[client]
        return failures

    def retry_after(self, client: str) -> int | None:
        """Seconds to wait when ``client`` is over the limit, else ``None``."""
        failures = self._recent(client)
        if len(failures) < self.limit:
            return None
        return max(1, int(failures[0] + WINDOW - self.clock()) + 1)

    def fail(self, client: str) -> None:
        if client not in self._failures and len(self._failures) >= _MAX_CLIENTS:
            for stale in [c for c in self._failures if not self._recent(c)]:
                self._failures.pop(stale, None)
            if len(self._failures) >= _MAX_CLIENTS:
                self._failures.pop(next(iter(self._failures)))
        self._failures.setdefault(client, deque()).append(self.clock())


class TokenCache:
    """Tokens verified in the last ``seconds``: a busy client costs no database read per request.

    Revoking a token (or deactivating its user) therefore takes effect within ``seconds``
    on a process that has just seen it; ``0`` turns the cache off.
    """

    def __init__(self, seconds: float, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self.clock = clock
        self._entries: dict[bytes, tuple[TokenInfo, float]] = {}

    @staticmethod
    def _key(token: str) -> bytes:
        return hashlib.sha256(token.encode()).digest()

    def get(self, token: str) -> TokenInfo | None:
        if not self.seconds:
            return None
        entry = self._entries.get(self._key(token))
        if entry is None or entry[1] < self.clock():
            return None
        return entry[0]

    def put(self, token: str, info: TokenInfo) -> None:
        if not self.seconds:
            return
        now = self.clock()
        if len(self._entries) >= _MAX_CLIENTS:
            self._entries = {k: v for k, v in self._entries.items() if v[1] >= now}
            if len(self._entries) >= _MAX_CLIENTS:
                self._entries.clear()
        self._entries[self._key(token)] = (info, now + self.seconds)


def require_admin(request: web.Request, what: str) -> str:
    """The acting user when they are one of the configured admins, else ``NotAllowed``."""
    user = request[USER_KEY]
    if user not in request.app[SETTINGS].admins:
        raise NotAllowed(f"only admins may {what}; {user} is not in JINGWEI_ADMINS")
    return user


def client_address(request: web.Request) -> str:
    """The caller's address; behind a trusted proxy, the last hop it saw (X-Forwarded-For)."""
    remote = request.remote or "unknown"
    if remote in request.app[SETTINGS].trusted_proxies:
        forwarded = request.headers.get("X-Forwarded-For", "").split(",")[-1].strip()
        if forwarded:
            return forwarded[:64]
    return remote


def _bearer(request: web.Request) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def auth_middleware(
    limiter: FailureLimiter, cache: TokenCache
) -> Callable[..., Awaitable[web.StreamResponse]]:
    @web.middleware
    async def authenticate(
        request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        if not request.path.startswith(PREFIX + "/") or request.path in PUBLIC:
            return await handler(request)
        client = client_address(request)
        wait = limiter.retry_after(client)
        if wait is not None:
            raise TooManyRequests(
                f"too many failed authentications from {client}; try again in {wait} s",
                details={"retry_after_seconds": wait},
                headers={"Retry-After": str(wait)},
            )
        token = _bearer(request)
        challenge = {"WWW-Authenticate": 'Bearer realm="jingwei"'}
        if token is None:
            raise Unauthorized("send an API token: Authorization: Bearer jw_…", headers=challenge)
        info = cache.get(token)
        if info is None:
            info = await in_thread(request.app, "auth", request.app[TOKENS].verify, token)
            if info is None:
                limiter.fail(client)
                raise Unauthorized("the API token is unknown or revoked", headers=challenge)
            cache.put(token, info)
        request[USER_KEY] = info.user_id
        request[TOKEN_KEY] = info
        return await handler(request)

    return authenticate


__all__ = ["TOKEN_KEY", "FailureLimiter", "TokenCache", "auth_middleware", "client_address", "require_admin"]
