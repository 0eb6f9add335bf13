"""The REST API under ``/api/v1``: the route table, its OpenAPI document and the docs page."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from admin_web.api import routes_comments, routes_definitions, routes_instances, routes_org, routes_tasks
from admin_web.api.auth import FailureLimiter, TokenCache, auth_middleware
from admin_web.api.errors import error_middleware
from admin_web.api.openapi import build_openapi, docs_context
from admin_web.api.routing import PREFIX, Operation, register
from admin_web.keys import TEMPLATES
from engine.org import OrgDocument

OPENAPI_KEY = web.AppKey("openapi", dict[str, Any])


async def get_openapi(request: web.Request) -> web.Response:
    return web.json_response(request.app[OPENAPI_KEY])


async def api_docs(request: web.Request) -> web.Response:
    page = request.app[TEMPLATES].get_template("api_docs.html")
    return web.Response(text=page.render(**docs_context(request.app[OPENAPI_KEY])), content_type="text/html")


OPERATIONS: list[Operation] = [
    Operation(
        "GET",
        "/openapi.json",
        get_openapi,
        "This document",
        "meta",
        response_content={"application/json": {"schema": {"type": "object"}}},
        auth=False,
    ),
    *routes_org.OPERATIONS,
    *routes_definitions.OPERATIONS,
    *routes_instances.OPERATIONS,
    *routes_comments.OPERATIONS,
    *routes_tasks.OPERATIONS,
]


def setup_api(app: web.Application, *, version: str) -> None:
    """Routes, the OpenAPI document and the docs page on ``app``."""
    register(app, OPERATIONS)
    app[OPENAPI_KEY] = build_openapi(OPERATIONS, version=version, extra_models=[OrgDocument])
    app.router.add_get("/api/docs", api_docs, name="api_docs")


__all__ = [
    "OPERATIONS",
    "PREFIX",
    "FailureLimiter",
    "TokenCache",
    "auth_middleware",
    "error_middleware",
    "setup_api",
]
