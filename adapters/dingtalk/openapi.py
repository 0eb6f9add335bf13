"""DingTalk's OpenAPI over one aiohttp session: the app token, JSON calls, temporary-URL downloads.

New-style APIs (``api.dingtalk.com/v1.0/...``) take the token in the
``x-acs-dingtalk-access-token`` header and answer errors with an HTTP status and
``{"code", "message"}``; the legacy contacts API (``/topapi/...``) takes
``?access_token=`` and answers ``{"errcode", "errmsg", "result"}`` with HTTP 200.
Both refresh the token once when DingTalk says it is no longer valid, and back off
briefly when throttled. Everything here is non-blocking: it runs on the app's loop.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any

import aiohttp

from adapters.dingtalk.config import DingTalkConfig

log = logging.getLogger("jingwei.dingtalk.api")

TOKEN_PATH = "/v1.0/oauth2/accessToken"
TOKEN_HEADER = "x-acs-dingtalk-access-token"
TOKEN_MARGIN_SECONDS = 300  # refresh five minutes early, as the SDK does
TIMEOUT = aiohttp.ClientTimeout(total=15, connect=5)
RETRY_DELAYS = (0.5, 2.0)  # when throttled or busy
_TOKEN_INVALID_CODES = frozenset(
    {"InvalidAuthentication", "Forbidden.AccessDenied.AccessTokenPermissionDenied"}
)
_LEGACY_TOKEN_INVALID = frozenset({40014, 42001, 40001})
_LEGACY_THROTTLED = frozenset({90002, 90018, 90019, -1})


class DingTalkError(Exception):
    """DingTalk refused a call; ``code`` is its error code (``param.cardAlreadyExist``, ``60121``…)."""

    def __init__(self, path: str, status: int, code: str, message: str) -> None:
        super().__init__(f"DingTalk {path}: {status} {code}: {message}")
        self.path = path
        self.status = status
        self.code = code
        self.message = message

    @property
    def throttled(self) -> bool:
        return self.status in (429, 500, 502, 503) or "QpsLimit" in self.code or self.code == "system.busy"


class OpenApi:
    def __init__(
        self,
        config: DingTalkConfig,
        session: aiohttp.ClientSession,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.config = config
        self.session = session
        self._clock = clock
        self._token: str | None = None
        self._expires = 0.0
        self._lock = asyncio.Lock()

    # --- token -------------------------------------------------------------------

    async def token(self) -> str:
        """The app's access token, fetched once and reused until shortly before it expires."""
        if self._token and self._clock() < self._expires:
            return self._token
        async with self._lock:  # concurrent first callers share one fetch
            if self._token and self._clock() < self._expires:
                return self._token
            body = {"appKey": self.config.client_id, "appSecret": self.config.client_secret}
            data = await self._send("POST", self.config.endpoint + TOKEN_PATH, TOKEN_PATH, json=body)
            self._token = str(data["accessToken"])
            self._expires = self._clock() + int(data.get("expireIn", 7200)) - TOKEN_MARGIN_SECONDS
            return self._token

    def reset_token(self) -> None:
        self._token = None
        self._expires = 0.0

    # --- calls ---------------------------------------------------------------------

    async def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        """A new-style API call; raises ``DingTalkError`` with DingTalk's code on refusal."""
        url = self.config.endpoint + path
        for attempt in range(len(RETRY_DELAYS) + 1):
            headers = {TOKEN_HEADER: await self.token()}
            try:
                return await self._send(method, url, path, json=body, headers=headers)
            except DingTalkError as exc:
                if exc.status == 401 or exc.code in _TOKEN_INVALID_CODES:
                    if attempt == 0:
                        self.reset_token()
                        continue
                if exc.throttled and attempt < len(RETRY_DELAYS):
                    await asyncio.sleep(RETRY_DELAYS[attempt])
                    continue
                raise
        raise AssertionError("unreachable")

    async def topapi(self, path: str, body: dict[str, Any]) -> Any:
        """A legacy ``/topapi`` call; returns its ``result``."""
        url = self.config.legacy_endpoint + path
        for attempt in range(len(RETRY_DELAYS) + 1):
            params = {"access_token": await self.token()}
            data = await self._send("POST", url, path, json=body, params=params)
            errcode = int(data.get("errcode", 0))
            if errcode == 0:
                return data.get("result")
            if errcode in _LEGACY_TOKEN_INVALID and attempt == 0:
                self.reset_token()
                continue
            if errcode in _LEGACY_THROTTLED and attempt < len(RETRY_DELAYS):
                await asyncio.sleep(RETRY_DELAYS[attempt])
                continue
            raise DingTalkError(path, 200, str(errcode), str(data.get("errmsg", "")))
        raise AssertionError("unreachable")

    async def download(self, url: str, max_bytes: int) -> tuple[bytes, str | None]:
        """GET a temporary download URL; ``ValueError`` as soon as it is larger than ``max_bytes``."""
        async with self.session.get(url, timeout=aiohttp.ClientTimeout(total=120, connect=5)) as response:
            if response.status != 200:
                raise DingTalkError("download", response.status, "download.failed", response.reason or "")
            if response.content_length is not None and response.content_length > max_bytes:
                raise ValueError(f"{response.content_length} bytes")
            chunks: list[bytes] = []
            size = 0
            async for chunk in response.content.iter_chunked(64 * 1024):
                size += len(chunk)
                if size > max_bytes:
                    raise ValueError(f"more than {max_bytes} bytes")
                chunks.append(chunk)
            return b"".join(chunks), response.headers.get("Content-Type")

    async def _send(
        self,
        method: str,
        url: str,
        path: str,
        *,
        json: Any = None,
        headers: dict[str, str] | None = None,
        params: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        async with self.session.request(
            method, url, json=json, headers=headers, params=params, timeout=TIMEOUT
        ) as response:
            try:
                data = await response.json(content_type=None)
            except ValueError:
                data = None
            if response.status >= 400 or not isinstance(data, dict):
                data = data if isinstance(data, dict) else {}
                code = str(data.get("code") or data.get("errcode") or response.status)
                message = str(data.get("message") or data.get("errmsg") or response.reason or "")
                log.warning("DingTalk %s %s: %s %s", method, path, response.status, code)
                raise DingTalkError(path, response.status, code, message)
            return data


__all__ = ["DingTalkError", "OpenApi"]
