"""``/definitions``: deploy BPMN, list definitions and their versions, export the XML."""

from __future__ import annotations

from aiohttp import web
from pydantic import Field

from admin_web.api import schemas as s
from admin_web.api.auth import require_admin
from admin_web.api.errors import UnsupportedMediaType
from admin_web.api.requests import json_response, path_value, query
from admin_web.api.routing import Operation
from admin_web.executor import in_thread
from admin_web.keys import ENGINE
from engine import DefinitionView, InvalidInput, NotFound

XML_TYPES = ("application/xml", "text/xml", "application/bpmn+xml", "application/octet-stream", "")


class DefinitionQuery(s.Request):
    latest: bool = Field(False, description="only the latest version of each key")


async def deploy_definition(request: web.Request) -> web.Response:
    user = require_admin(request, "deploy process definitions")
    if request.content_type not in XML_TYPES:
        raise UnsupportedMediaType(f"send the BPMN XML as application/xml, not {request.content_type}")
    source = await request.read()
    if not source.strip():
        raise InvalidInput("the body is empty; send the BPMN XML document")
    view = await in_thread(request.app, "deploy", request.app[ENGINE].deploy, source, by=user)
    return json_response(view.to_dict(), status=201, headers={"Location": f"/api/v1/definitions/{view.key}"})


async def list_definitions(request: web.Request) -> web.Response:
    params = query(request, DefinitionQuery)
    views = await in_thread(
        request.app, "definitions", request.app[ENGINE].definitions, latest_only=params.latest
    )
    return json_response([v.to_dict() for v in views])


def _versions(views: list[DefinitionView], key: str) -> list[DefinitionView]:
    found = [v for v in views if v.key == key]
    if not found:
        raise NotFound(f'no process definition "{key}" is deployed')
    return found


async def get_definition(request: web.Request) -> web.Response:
    key = path_value(request, "key", "process definition")
    views = await in_thread(request.app, "definitions", request.app[ENGINE].definitions)
    found = _versions(views, key)
    latest = found[-1]
    return json_response(
        {
            "key": key,
            "name": latest.name,
            "latest": latest.to_dict(),
            "versions": [v.to_dict() for v in found],
        }
    )


async def get_definition_xml(request: web.Request) -> web.Response:
    key = path_value(request, "key", "process definition")
    params = query(request, s.VersionQuery)
    xml = await in_thread(
        request.app, "definition_xml", request.app[ENGINE].definition_xml, key, params.version
    )
    return web.Response(text=xml, content_type="application/xml")


_XML_SCHEMA = {"schema": {"type": "string", "description": "a BPMN 2.0 document"}}
OPERATIONS = [
    Operation(
        "POST",
        "/definitions",
        deploy_definition,
        "Deploy a BPMN document as a new version",
        "definitions",
        status=201,
        body_content={"application/xml": _XML_SCHEMA, "text/xml": _XML_SCHEMA},
        response=s.Definition,
        errors=(403, 409, 413, 415, 422),
        description="Admins only. A refused document answers 422 with one entry per bad element "
        "in `error.details` (`element_id`, `element_type`, `message`).",
    ),
    Operation(
        "GET",
        "/definitions",
        list_definitions,
        "List deployed definitions (every version, or the latest of each key)",
        "definitions",
        query=DefinitionQuery,
        response=s.Definition,
        response_is_list=True,
        errors=(422,),
    ),
    Operation(
        "GET",
        "/definitions/{key}",
        get_definition,
        "A definition's latest version and every version",
        "definitions",
        response=s.DefinitionVersions,
        errors=(404,),
    ),
    Operation(
        "GET",
        "/definitions/{key}/xml",
        get_definition_xml,
        "The BPMN XML of a version (the latest unless `version` is given)",
        "definitions",
        query=s.VersionQuery,
        response_content={"application/xml": {"schema": {"type": "string"}}},
        errors=(404, 422),
    ),
]

__all__ = ["OPERATIONS"]
