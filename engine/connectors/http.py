"""Outgoing HTTP for connectors and webhooks: stdlib ``urllib``, explicit timeouts, HMAC signatures.

No aiohttp in the engine: jobs run in worker threads, one blocking request each.
"""

from __future__ import annotations

import hashlib
import hmac
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson

MAX_RESPONSE_BYTES = 2 * 1024 * 1024


@dataclass(slots=True)
class HttpRequest:
    method: str
    url: str
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None
    timeout: float = 10.0


@dataclass(slots=True)
class HttpResponse:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        if not self.body:
            return None
        try:
            return orjson.loads(self.body)
        except orjson.JSONDecodeError:
            return self.body.decode("utf-8", errors="replace")


class HttpFailure(Exception):
    """No HTTP answer at all: refused, reset, DNS, or the timeout passed."""


Transport = Callable[[HttpRequest], HttpResponse]


def send(request: HttpRequest) -> HttpResponse:
    """Send and read the answer (any status); ``HttpFailure`` when there is none."""
    raw = urllib.request.Request(
        request.url, data=request.body, method=request.method, headers=request.headers
    )
    try:
        with urllib.request.urlopen(raw, timeout=request.timeout) as answer:
            return HttpResponse(answer.status, dict(answer.headers.items()), answer.read(MAX_RESPONSE_BYTES))
    except urllib.error.HTTPError as error:
        body = error.read(MAX_RESPONSE_BYTES) if error.fp is not None else b""
        return HttpResponse(error.code, dict(error.headers.items()) if error.headers else {}, body)
    except TimeoutError as error:
        raise HttpFailure(f"no answer within {request.timeout:g} s") from error
    except (urllib.error.URLError, OSError, ValueError) as error:
        reason = getattr(error, "reason", error)
        raise HttpFailure(f"request failed: {reason}") from error


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """``v1=`` HMAC-SHA256 over ``timestamp + "." + body``, hex (the webhook and HMAC-auth scheme)."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "v1=" + mac.hexdigest()


def verify_signature(
    secret: str, timestamp: str, body: bytes, header: str, *, now: float | None = None, tolerance: int = 300
) -> bool:
    """For receivers (and tests): the signature matches and the timestamp is fresh."""
    try:
        fresh = abs((now if now is not None else time.time()) - int(timestamp)) <= tolerance
    except ValueError:
        return False
    return fresh and hmac.compare_digest(signature(secret, timestamp, body), header)


def json_body(value: Any) -> bytes:
    return orjson.dumps(value)


def header_map(raw: Mapping[str, Any]) -> dict[str, str]:
    return {str(k): str(v) for k, v in raw.items() if v is not None}


__all__ = [
    "HttpFailure",
    "HttpRequest",
    "HttpResponse",
    "Transport",
    "header_map",
    "json_body",
    "send",
    "signature",
    "verify_signature",
]
