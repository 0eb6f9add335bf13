"""Errors on the HTTP surface: the engine's error tree mapped once to statuses and one JSON shape.

Every error answer under ``/api`` is ``{"error": {"code", "message", "details"}}``.
Subclasses map through their base class (``BpmnError`` is an ``InvalidInput`` → 422),
except where a finer status says more (``RateLimited`` → 429, ``TooLarge`` → 413).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import sqlalchemy as sa
from aiohttp import web
from pydantic import ValidationError

from engine import (
    Conflict,
    InvalidInput,
    JingweiError,
    NotAllowed,
    NotFound,
    RateLimited,
    TooLarge,
)

log = logging.getLogger("jingwei.api")

# Most specific first: the first class an error is an instance of decides.
STATUSES: tuple[tuple[type[JingweiError], int], ...] = (
    (RateLimited, 429),
    (TooLarge, 413),
    (NotFound, 404),
    (Conflict, 409),
    (NotAllowed, 403),
    (InvalidInput, 422),
)


class ApiError(JingweiError):
    """An error only the HTTP surface has (authentication, malformed requests)."""

    status = 400

    def __init__(self, message: str, *, details: Any = None, headers: dict[str, str] | None = None) -> None:
        super().__init__(message, details=details)
        self.headers = headers or {}


class BadRequest(ApiError):
    code = "bad_request"
    status = 400


class Unauthorized(ApiError):
    code = "unauthorized"
    status = 401


class TooManyRequests(ApiError):
    code = "rate_limited"
    status = 429


class UnsupportedMediaType(ApiError):
    code = "unsupported_media_type"
    status = 415


def status_of(exc: JingweiError) -> int:
    if isinstance(exc, ApiError):
        return exc.status
    return next((status for cls, status in STATUSES if isinstance(exc, cls)), 500)


def error_response(
    status: int, code: str, message: str, details: Any = None, headers: dict[str, str] | None = None
) -> web.Response:
    body = {"error": {"code": code, "message": message, "details": details}}
    return web.Response(
        status=status,
        text=json.dumps(body, ensure_ascii=False, default=str),
        content_type="application/json",
        headers=headers,
    )


def validation_details(exc: ValidationError) -> list[dict[str, Any]]:
    """pydantic's per-field errors, JSON-safe (no input echo: it may be large or secret)."""
    return [
        {"loc": [str(p) for p in err["loc"]], "message": err["msg"], "type": err["type"]}
        for err in exc.errors(include_url=False, include_input=False, include_context=False)
    ]


def _answer(exc: JingweiError) -> web.Response:
    status = status_of(exc)
    headers = dict(exc.headers) if isinstance(exc, ApiError) else {}
    if isinstance(exc, RateLimited) and isinstance(exc.details, dict):
        headers["Retry-After"] = str(exc.details.get("retry_after_seconds", 60))
    return error_response(status, exc.code, exc.message, exc.details, headers)


_HTTP_CODES = {404: "not_found", 405: "method_not_allowed", 413: "too_large", 400: "bad_request"}


@web.middleware
async def error_middleware(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    """Turn every failure under ``/api`` into the JSON error shape; other paths keep aiohttp's pages."""
    if not request.path.startswith("/api"):
        return await handler(request)
    try:
        return await handler(request)
    except JingweiError as exc:
        return _answer(exc)
    except ValidationError as exc:
        return error_response(422, "invalid_input", "the request is not valid", validation_details(exc))
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        code = _HTTP_CODES.get(exc.status, "http_error")
        message = exc.reason if exc.status != 404 else f"no such resource: {request.method} {request.path}"
        headers = {"Allow": exc.headers["Allow"]} if "Allow" in exc.headers else None
        return error_response(exc.status, code, message, None, headers)
    except sa.exc.DataError as exc:
        # The database refused a value the schema let through (e.g. a NUL byte on PostgreSQL).
        log.info("value refused by the database on %s %s: %s", request.method, request.path, exc.orig)
        return error_response(422, "invalid_input", "a value in the request was refused by the database")
    except sa.exc.OperationalError:
        log.exception("database unavailable on %s %s", request.method, request.path)
        return error_response(503, "unavailable", "the database is unavailable; try again shortly")
    except Exception:
        log.exception("internal error on %s %s", request.method, request.path)
        return error_response(500, "internal", "internal error; the server log has the details")


__all__ = [
    "STATUSES",
    "ApiError",
    "BadRequest",
    "TooManyRequests",
    "Unauthorized",
    "UnsupportedMediaType",
    "error_middleware",
    "error_response",
    "status_of",
    "validation_details",
]
