"""The route table: every API operation declared once, used both to route and to document.

An ``Operation`` names its method and path, its handler, and the models of its query
string, body and answer; ``register`` adds it to the application and ``openapi.py``
turns the same list into the OpenAPI document.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from pydantic import BaseModel

PREFIX = "/api/v1"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
# Every authenticated operation can answer these; each operation adds its own.
COMMON_ERRORS = (400, 401, 429)


@dataclass(frozen=True, slots=True)
class Operation:
    method: str
    path: str  # below PREFIX, aiohttp syntax: /instances/{id}
    handler: Handler
    summary: str
    tag: str
    status: int = 200
    query: type[BaseModel] | None = None
    body: type[BaseModel] | None = None
    body_required: bool = True
    # A body that is not JSON (BPMN XML, CSV, multipart): media type -> schema.
    body_content: Mapping[str, Mapping[str, Any]] | None = None
    response: type[BaseModel] | None = None
    response_is_list: bool = False
    # An answer that is not JSON (XML, a file download): media type -> schema.
    response_content: Mapping[str, Mapping[str, Any]] | None = None
    errors: tuple[int, ...] = ()
    auth: bool = True
    description: str = ""
    path_params: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    # OpenAPI links from the success answer to the operations it feeds (name -> link object).
    links: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    @property
    def operation_id(self) -> str:
        return self.handler.__name__

    @property
    def full_path(self) -> str:
        return PREFIX + self.path

    @property
    def error_statuses(self) -> tuple[int, ...]:
        common = COMMON_ERRORS if self.auth else (400,)
        return tuple(sorted({*common, *self.errors}))


def link(operation_id: str, **parameters: str) -> dict[str, Any]:
    """An OpenAPI link: ``link("get_instance", id="$response.body#/id")``."""
    return {"operationId": operation_id, "parameters": parameters}


def register(app: web.Application, operations: list[Operation]) -> None:
    """Add every operation's route; a path and method declared twice is a programming error."""
    seen: set[tuple[str, str]] = set()
    for op in operations:
        key = (op.method, op.full_path)
        if key in seen:
            raise ValueError(f"{op.method} {op.full_path} is declared twice")
        seen.add(key)
        app.router.add_route(op.method, op.full_path, op.handler, name=op.operation_id)


__all__ = ["COMMON_ERRORS", "PREFIX", "Handler", "Operation", "link", "register"]
