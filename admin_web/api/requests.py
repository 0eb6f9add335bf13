"""Reading a request: the acting user, path values, the query string and JSON bodies.

Syntax is checked here, at the edge (pydantic models); permissions and state are the
engine's business.
"""

from __future__ import annotations

import json
import re
from typing import Any, TypeVar

from aiohttp import web
from pydantic import BaseModel

from admin_web.api.errors import BadRequest, UnsupportedMediaType
from engine import NotFound

M = TypeVar("M", bound=BaseModel)
USER_KEY = web.RequestKey("user", str)
# Control characters never belong in ids or filters, and PostgreSQL refuses NUL outright.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
JSON_TYPES = ("application/json", "")


def actor(request: web.Request) -> str:
    """The user the request acts for: the owner of its API token."""
    return request[USER_KEY]


def path_value(request: web.Request, name: str, what: str) -> str:
    value = request.match_info[name]
    if _CONTROL.search(value) or len(value) > 255:
        raise NotFound(f'unknown {what} "{value[:64]!r}"')
    return value


def me(value: str | None, request: web.Request) -> str | None:
    """``"me"`` in a filter stands for the acting user."""
    return actor(request) if value == "me" else value


def query(request: web.Request, model: type[M]) -> M:
    values: dict[str, Any] = {}
    for key, value in request.query.items():
        if _CONTROL.search(value) or _CONTROL.search(key):
            raise BadRequest(f'query parameter "{key[:64]}" contains control characters')
        values[key] = value
    return model.model_validate(values)


def _no_surrogates(value: Any) -> None:
    # json.loads accepts "\ud800"; no database accepts it, so refuse it here with a clear 400.
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError as exc:
        raise BadRequest("the JSON body contains an unpaired surrogate (\\ud800-\\udfff)") from exc


async def json_body(request: web.Request, model: type[M], *, optional: bool = False) -> M:
    """The body as ``model``: 415 for another media type, 400 for broken JSON, 422 for a bad shape."""
    raw = await request.read()
    if optional and not raw.strip():
        return model.model_validate({})
    if request.content_type not in JSON_TYPES and not request.content_type.endswith("+json"):
        raise UnsupportedMediaType(f"send the body as application/json, not {request.content_type}")
    try:
        value = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise BadRequest("the body is not UTF-8") from exc
    except json.JSONDecodeError as exc:
        raise BadRequest(
            f"the body is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}",
            details={"line": exc.lineno, "column": exc.colno},
        ) from exc
    _no_surrogates(value)
    return model.model_validate(value)


def json_response(data: Any, *, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    return web.Response(
        text=json.dumps(data, ensure_ascii=False, default=str),
        status=status,
        content_type="application/json",
        headers=headers,
    )


def page_response(items: list[Any], total: int, *, limit: int, offset: int) -> web.Response:
    """One page of a list resource: the items (views with ``to_dict``) and where the page stands."""
    return json_response(
        {"items": [i.to_dict() for i in items], "total": total, "limit": limit, "offset": offset}
    )


__all__ = ["USER_KEY", "actor", "json_body", "json_response", "me", "page_response", "path_value", "query"]
