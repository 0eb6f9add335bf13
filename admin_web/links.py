"""Signed, expiring links to the H5 task and instance pages (every card carries one)."""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Callable
from urllib.parse import urlencode

LINK_LIFETIME = 7 * 24 * 3600  # a week: cards stay in chats that long


class LinkSigner:
    def __init__(
        self,
        secret: bytes,
        base_url: str,
        *,
        lifetime: int = LINK_LIFETIME,
        now: Callable[[], float] = time.time,
    ):
        self.secret = secret
        self.base_url = base_url.rstrip("/")
        self.lifetime = lifetime
        self.now = now

    def _signature(self, kind: str, ident: str, expires: int, user: str) -> str:
        message = f"{kind}:{ident}:{expires}:{user}".encode()
        return hmac.new(self.secret, message, hashlib.sha256).hexdigest()[:32]

    def url(self, kind: str, ident: str, user: str | None = None) -> str:
        """A link to the H5 page; with ``user``, that person may also act there."""
        expires = int(self.now()) + self.lifetime
        params: dict[str, str | int] = {"exp": expires}
        if user:
            params["u"] = user
        params["sig"] = self._signature(kind, ident, expires, user or "")
        return f"{self.base_url}/h5/{kind}/{ident}?{urlencode(params)}"

    def verify(self, kind: str, ident: str, expires: str, signature: str, user: str = "") -> bool:
        try:
            when = int(expires)
        except ValueError:
            return False
        if when < self.now():
            return False
        return hmac.compare_digest(self._signature(kind, ident, when, user), signature)


__all__ = ["LinkSigner"]
