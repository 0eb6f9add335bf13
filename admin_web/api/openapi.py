"""The OpenAPI 3.1 document, generated from the route table and the pydantic models, and its docs page.

Nothing here is hand-written JSON about an operation: paths, parameters, bodies and
answers all come from ``Operation`` entries and ``model_json_schema``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel

from admin_web.api.routing import PREFIX, Operation
from admin_web.api.schemas import Error

REF = "#/components/schemas/{model}"
_REASONS = {
    200: "OK",
    201: "Created",
    400: "Malformed request (JSON syntax, control characters)",
    401: "Missing, unknown or revoked API token",
    403: "Not allowed for this user",
    404: "Unknown resource",
    409: "Conflict: the state changed (e.g. the task is no longer open)",
    413: "Body or upload too large",
    415: "Unsupported media type",
    422: "Invalid input: per-field or per-element problems in error.details",
    429: "Too many requests: see Retry-After",
}
DESCRIPTION = """\
Bearer-token authentication: `Authorization: Bearer jw_<id>_<secret>` (create one with
`jingwei token create --user U`). The token's user is the actor of every command.

Every error answers `{"error": {"code", "message", "details"}}` with a stable `code`.
"""


class _Schemas:
    """Component schemas collected from models, each stored once under its class name."""

    def __init__(self) -> None:
        self.components: dict[str, Any] = {}

    def ref(self, model: type[BaseModel], mode: str = "serialization") -> dict[str, str]:
        name = model.__name__
        if name not in self.components:
            schema = model.model_json_schema(ref_template=REF, mode=mode)  # type: ignore[arg-type]
            for sub_name, sub in schema.pop("$defs", {}).items():
                self.components.setdefault(sub_name, sub)
            self.components[name] = schema
        return {"$ref": REF.format(model=name)}


def _not_null(schema: dict[str, Any]) -> dict[str, Any]:
    """A query parameter is a string or absent, never JSON null: drop the null branch."""
    options = schema.get("anyOf")
    if options:
        rest = [o for o in options if o.get("type") != "null"]
        if len(rest) == 1:
            merged = {k: v for k, v in schema.items() if k != "anyOf"}
            return {**rest[0], **merged}
    return schema


def _parameters(op: Operation, schemas: _Schemas) -> list[dict[str, Any]]:
    params: list[dict[str, Any]] = []
    for part in op.path.split("/"):
        if part.startswith("{") and part.endswith("}"):
            name = part[1:-1]
            schema = dict(op.path_params.get(name, {"type": "string", "minLength": 1, "maxLength": 255}))
            params.append({"name": name, "in": "path", "required": True, "schema": schema})
    if op.query is not None:
        model_schema = op.query.model_json_schema(ref_template=REF)
        for name, field in op.query.model_fields.items():
            prop = dict(model_schema["properties"][name])
            description = prop.pop("description", field.description)
            entry: dict[str, Any] = {
                "name": name,
                "in": "query",
                "required": field.is_required(),
                "schema": _not_null(prop),
            }
            if description:
                entry["description"] = description
            params.append(entry)
    return params


def _request_body(op: Operation, schemas: _Schemas) -> dict[str, Any] | None:
    if op.body is not None:
        content = {"application/json": {"schema": schemas.ref(op.body, "validation")}}
    elif op.body_content is not None:
        content = {media: dict(spec) for media, spec in op.body_content.items()}
    else:
        return None
    return {"required": op.body_required, "content": content}


def _responses(op: Operation, schemas: _Schemas) -> dict[str, Any]:
    responses: dict[str, Any] = {}
    if op.response is not None:
        ref = schemas.ref(op.response)
        schema = {"type": "array", "items": ref} if op.response_is_list else ref
        content: dict[str, Any] = {"application/json": {"schema": schema}}
    else:
        content = {media: dict(spec) for media, spec in (op.response_content or {}).items()}
    responses[str(op.status)] = {"description": _REASONS.get(op.status, "OK"), "content": content}
    if op.links:
        responses[str(op.status)]["links"] = {name: dict(spec) for name, spec in op.links.items()}
    error = {"application/json": {"schema": schemas.ref(Error)}}
    for status in op.error_statuses:
        responses[str(status)] = {"description": _REASONS.get(status, "Error"), "content": error}
    return responses


def build_openapi(
    operations: Iterable[Operation], *, version: str, extra_models: Iterable[type[BaseModel]] = ()
) -> dict[str, Any]:
    """The OpenAPI 3.1 document of ``operations``."""
    schemas = _Schemas()
    for model in extra_models:
        schemas.ref(model, "validation")
    paths: dict[str, dict[str, Any]] = {}
    tags: list[str] = []
    for op in operations:
        if op.tag not in tags:
            tags.append(op.tag)
        entry: dict[str, Any] = {
            "operationId": op.operation_id,
            "summary": op.summary,
            "tags": [op.tag],
            "parameters": _parameters(op, schemas),
            "responses": _responses(op, schemas),
        }
        if op.description:
            entry["description"] = op.description
        body = _request_body(op, schemas)
        if body is not None:
            entry["requestBody"] = body
        if not op.auth:
            entry["security"] = []
        paths.setdefault(op.full_path, {})[op.method.lower()] = entry
    return {
        "openapi": "3.1.0",
        "info": {"title": "Jingwei BPM API", "version": version, "description": DESCRIPTION},
        "paths": paths,
        "tags": [{"name": t} for t in tags],
        "security": [{"bearer": []}],
        "components": {
            "schemas": dict(sorted(schemas.components.items())),
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "jw_<id>_<secret>"}
            },
        },
    }


def _type_of(schema: dict[str, Any]) -> str:
    """A short, readable type for the docs page: ``Task[]``, ``string | null``."""
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    if "anyOf" in schema:
        return " | ".join(_type_of(s) for s in schema["anyOf"])
    if "enum" in schema:
        return " | ".join(repr(v) for v in schema["enum"])
    if "const" in schema:
        return repr(schema["const"])
    kind = schema.get("type", "any")
    if kind == "array":
        return _type_of(schema.get("items", {})) + "[]"
    if kind == "object" and "additionalProperties" in schema:
        return "object"
    fmt = schema.get("format")
    return f"{kind} ({fmt})" if fmt else str(kind)


def docs_context(document: dict[str, Any]) -> dict[str, Any]:
    """What the docs template shows: operations by tag, then every schema with its fields."""
    by_tag: dict[str, list[dict[str, Any]]] = {t["name"]: [] for t in document["tags"]}
    for path, methods in document["paths"].items():
        for method, op in methods.items():
            body = op.get("requestBody", {}).get("content", {})
            by_tag[op["tags"][0]].append(
                {
                    "method": method.upper(),
                    "path": path,
                    "anchor": op["operationId"],
                    "summary": op["summary"],
                    "description": op.get("description", ""),
                    "public": op.get("security") == [],
                    "parameters": [{**p, "type": _type_of(p["schema"])} for p in op.get("parameters", [])],
                    "body": [
                        {"media": m, "type": _type_of(spec.get("schema", {}))} for m, spec in body.items()
                    ],
                    "responses": [
                        {
                            "status": status,
                            "description": r["description"],
                            "type": ", ".join(
                                _type_of(c.get("schema", {})) for c in r.get("content", {}).values()
                            ),
                        }
                        for status, r in op["responses"].items()
                    ],
                }
            )
    schemas = []
    for name, schema in document["components"]["schemas"].items():
        required = set(schema.get("required", []))
        fields = [
            {
                "name": field,
                "type": _type_of(prop),
                "required": field in required,
                "description": prop.get("description", ""),
            }
            for field, prop in schema.get("properties", {}).items()
        ]
        schemas.append({"name": name, "description": schema.get("description", ""), "fields": fields})
    return {
        "info": document["info"],
        "tags": by_tag,
        "schemas": schemas,
        "openapi_url": f"{PREFIX}/openapi.json",
    }


__all__ = ["build_openapi", "docs_context"]
