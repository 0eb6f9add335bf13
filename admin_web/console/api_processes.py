"""``/admin/api/processes``: drafts, forms, deploy, versions and their diff; expression and form checks."""

from __future__ import annotations

from typing import Any
from xml.sax.saxutils import quoteattr

from aiohttp import web
from pydantic import BaseModel, Field

from admin_web.api.requests import json_body, json_response, query
from admin_web.console.diff import diff_xml
from admin_web.console.security import CONSOLE, Route, actor
from admin_web.executor import in_thread
from admin_web.keys import ENGINE
from engine import Conflict, DefinitionView, ExpressionError, InvalidInput, NotFound, ProcessEngine
from engine.drafts import Draft, Drafts, check_key
from engine.expressions import compile_expression
from engine.forms import compile_form
from engine.org import Directory

EMPTY_DIAGRAM = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" \
xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" \
xmlns:di="http://www.omg.org/spec/DD/20100524/DI" xmlns:jw="https://jingwei.dev/schema/bpmn/1.0" \
id={definitions_id} targetNamespace="https://jingwei.dev/processes">
  <bpmn:process id={key} name={name} isExecutable="true" />
  <bpmndi:BPMNDiagram id={diagram_id}>
    <bpmndi:BPMNPlane id={plane_id} bpmnElement={key} />
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
"""


def empty_diagram(key: str, name: str) -> str:
    return EMPTY_DIAGRAM.format(
        key=quoteattr(key),
        name=quoteattr(name or key),
        definitions_id=quoteattr(f"Definitions_{key}"),
        diagram_id=quoteattr(f"Diagram_{key}"),
        plane_id=quoteattr(f"Plane_{key}"),
    )


class NewProcess(BaseModel):
    key: str = Field(min_length=1, max_length=255)
    name: str = Field("", max_length=255)


class SaveDraft(BaseModel):
    xml: str | None = Field(None, max_length=5 * 1024 * 1024)
    name: str | None = Field(None, max_length=255)
    revision: int | None = None


class SaveForm(BaseModel):
    form: dict[str, Any] | None
    revision: int | None = None


class CheckExpression(BaseModel):
    expression: str = Field(max_length=4000)


class CheckForm(BaseModel):
    form: dict[str, Any]
    data: dict[str, Any] | None = None


class DiffQuery(BaseModel):
    a: int = Field(ge=1)
    b: int = Field(ge=1)


def _drafts(request: web.Request) -> Drafts:
    return request.app[CONSOLE].drafts


def _overview(engine: ProcessEngine, drafts: Drafts) -> list[dict[str, Any]]:
    by_key: dict[str, list[DefinitionView]] = {}
    for view in engine.definitions():
        by_key.setdefault(view.key, []).append(view)
    found = {d.key: d for d in drafts.list()}
    out = []
    for key in sorted(set(by_key) | set(found)):
        versions = by_key.get(key, [])
        latest = versions[-1] if versions else None
        draft = found.get(key)
        out.append(
            {
                "key": key,
                "name": (latest.name if latest else None) or (draft.name if draft else "") or key,
                "latest": latest.to_dict() if latest else None,
                "versions": [v.version for v in versions],
                "draft": draft.to_dict(with_content=False) if draft else None,
            }
        )
    return out


async def list_processes(request: web.Request) -> web.Response:
    rows = await in_thread(request.app, "console_processes", _overview, request.app[ENGINE], _drafts(request))
    return json_response(rows)


def _create(engine: ProcessEngine, drafts: Drafts, body: NewProcess, by: str) -> Draft:
    key = check_key(body.key.strip())
    if any(v.key == key for v in engine.definitions(latest_only=True)):
        raise Conflict(
            f'process "{key}" is already deployed; open it in the designer', details={"field": "key"}
        )
    if drafts.find(key) is not None:
        raise Conflict(f'a draft of "{key}" already exists', details={"field": "key"})
    return drafts.save(key, by=by, revision=None, xml=empty_diagram(key, body.name), name=body.name)


async def create_process(request: web.Request) -> web.Response:
    body = await json_body(request, NewProcess)
    draft = await in_thread(
        request.app, "console_draft", _create, request.app[ENGINE], _drafts(request), body, actor(request)
    )
    return json_response(draft.to_dict(), status=201)


def _latest_xml(engine: ProcessEngine, key: str) -> tuple[str, int, dict[str, Any] | None]:
    versions = [v for v in engine.definitions() if v.key == key]
    if not versions:
        raise NotFound(f'process "{key}" has neither a draft nor a deployed version')
    latest = versions[-1]
    return engine.definition_xml(key, latest.version), latest.version, engine.form(latest.id)


def _open(engine: ProcessEngine, drafts: Drafts, key: str) -> dict[str, Any]:
    """The draft when there is one, else the latest deployed version as the starting point."""
    draft = drafts.find(key)
    if draft is not None:
        return {"source": "draft", **draft.to_dict()}
    xml, version, form = _latest_xml(engine, key)
    return {
        "source": "deployed",
        "key": key,
        "xml": xml,
        "form": form,
        "revision": None,
        "base_version": version,
    }


async def get_draft(request: web.Request) -> web.Response:
    key = request.match_info["key"]
    found = await in_thread(request.app, "console_draft", _open, request.app[ENGINE], _drafts(request), key)
    return json_response(found)


def _save(engine: ProcessEngine, drafts: Drafts, key: str, body: SaveDraft, by: str) -> Draft:
    base = None
    if body.revision is None and drafts.find(key) is None:
        base = next((v.version for v in reversed(engine.definitions()) if v.key == key), None)
        form = engine.form(_definition_id(engine, key, base)) if base is not None else None
        return drafts.save(
            key, by=by, revision=None, xml=body.xml, name=body.name, form=form, base_version=base
        )
    return drafts.save(key, by=by, revision=body.revision, xml=body.xml, name=body.name)


def _definition_id(engine: ProcessEngine, key: str, version: int) -> str:
    for view in engine.definitions():
        if view.key == key and view.version == version:
            return view.id
    raise NotFound(f'process "{key}" has no version {version}')


async def save_draft(request: web.Request) -> web.Response:
    key = request.match_info["key"]
    body = await json_body(request, SaveDraft)
    draft = await in_thread(
        request.app, "console_draft", _save, request.app[ENGINE], _drafts(request), key, body, actor(request)
    )
    return json_response(draft.to_dict(with_content=False))


async def delete_draft(request: web.Request) -> web.Response:
    await in_thread(request.app, "console_draft", _drafts(request).delete, request.match_info["key"])
    return web.Response(status=204)


def _save_form(engine: ProcessEngine, drafts: Drafts, key: str, body: SaveForm, by: str) -> Draft:
    if body.form is not None:
        compile_form(body.form)  # refuse now what the deploy would refuse later, field by field
    if drafts.find(key) is None:
        xml, version, _form = _latest_xml(engine, key)
        return drafts.save(key, by=by, revision=None, xml=xml, form=body.form, base_version=version)
    return drafts.save(key, by=by, revision=body.revision, form=body.form)


async def save_form(request: web.Request) -> web.Response:
    key = request.match_info["key"]
    body = await json_body(request, SaveForm)
    draft = await in_thread(
        request.app,
        "console_form",
        _save_form,
        request.app[ENGINE],
        _drafts(request),
        key,
        body,
        actor(request),
    )
    return json_response(draft.to_dict(with_content=False))


def _deploy(engine: ProcessEngine, drafts: Drafts, key: str, body: SaveDraft, by: str) -> dict[str, Any]:
    if body.xml is not None:
        _save(engine, drafts, key, body, by)
    draft = drafts.get(key)
    view = engine.deploy(draft.xml, by=by, form=draft.form)
    saved = drafts.save(key, by=by, revision=draft.revision, name=view.name, base_version=view.version)
    return {"definition": view.to_dict(), "draft": saved.to_dict(with_content=False)}


async def deploy_process(request: web.Request) -> web.Response:
    key = request.match_info["key"]
    body = await json_body(request, SaveDraft, optional=True)
    answer = await in_thread(
        request.app,
        "console_deploy",
        _deploy,
        request.app[ENGINE],
        _drafts(request),
        key,
        body,
        actor(request),
    )
    return json_response(answer, status=201)


def _versions(engine: ProcessEngine, key: str) -> list[dict[str, Any]]:
    found = [v.to_dict() for v in engine.definitions() if v.key == key]
    if not found:
        raise NotFound(f'process "{key}" is not deployed')
    return found


async def list_versions(request: web.Request) -> web.Response:
    key = request.match_info["key"]
    return json_response(
        await in_thread(request.app, "console_versions", _versions, request.app[ENGINE], key)
    )


def _version(engine: ProcessEngine, key: str, version: int) -> dict[str, Any]:
    definition_id = _definition_id(engine, key, version)
    return {
        "key": key,
        "version": version,
        "xml": engine.definition_xml(key, version),
        "form": engine.form(definition_id),
    }


def _version_number(request: web.Request) -> int:
    raw = request.match_info["version"]
    if not raw.isdigit():
        raise NotFound(f"no version {raw[:20]!r}")
    return int(raw)


async def get_version(request: web.Request) -> web.Response:
    key = request.match_info["key"]
    found = await in_thread(
        request.app, "console_version", _version, request.app[ENGINE], key, _version_number(request)
    )
    return json_response(found)


def _diff(engine: ProcessEngine, key: str, a: int, b: int) -> dict[str, Any]:
    old = engine.definition_xml(key, a)
    new = engine.definition_xml(key, b)
    return {
        "key": key,
        "a": a,
        "b": b,
        "xml_a": old,
        "xml_b": new,
        **diff_xml(old, new, old_label=f"{key} v{a}", new_label=f"{key} v{b}"),
    }


async def diff_versions(request: web.Request) -> web.Response:
    params = query(request, DiffQuery)
    key = request.match_info["key"]
    found = await in_thread(request.app, "console_diff", _diff, request.app[ENGINE], key, params.a, params.b)
    return json_response(found)


async def check_expression(request: web.Request) -> web.Response:
    """Compile a condition the way deploy will; no side effects (auditors may check too)."""
    body = await json_body(request, CheckExpression)
    try:
        compiled = compile_expression(body.expression)
    except ExpressionError as exc:
        return json_response({"ok": False, "message": exc.message, "details": exc.details})
    return json_response({"ok": True, "message": "", "names": sorted(compiled.names)})


def _check_form(engine: ProcessEngine, body: CheckForm) -> dict[str, Any]:
    form = compile_form(body.form)
    fields = [{"key": f.key, "kind": f.kind, "label": f.label} for f in form.schema.fields]
    if body.data is None:
        return {"ok": True, "fields": fields, "problems": []}
    try:
        with engine.db.read() as conn:
            form.validate(body.data, merged=body.data, partial=False, directory=Directory(conn))
    except InvalidInput as exc:
        return {"ok": False, "fields": fields, "message": exc.message, "problems": exc.details or []}
    return {"ok": True, "fields": fields, "problems": []}


async def check_form(request: web.Request) -> web.Response:
    """The engine's validation of ``data`` against a form schema, with its own messages."""
    body = await json_body(request, CheckForm)
    return json_response(
        await in_thread(request.app, "console_form_check", _check_form, request.app[ENGINE], body)
    )


ROUTES = [
    Route("GET", "/admin/api/processes", list_processes, "read"),
    Route("POST", "/admin/api/processes", create_process, "design"),
    Route("GET", "/admin/api/processes/{key}/draft", get_draft, "read"),
    Route("PUT", "/admin/api/processes/{key}/draft", save_draft, "design"),
    Route("DELETE", "/admin/api/processes/{key}/draft", delete_draft, "design"),
    Route("PUT", "/admin/api/processes/{key}/form", save_form, "design"),
    Route("POST", "/admin/api/processes/{key}/deploy", deploy_process, "deploy"),
    Route("GET", "/admin/api/processes/{key}/versions", list_versions, "read"),
    Route("GET", "/admin/api/processes/{key}/versions/{version}", get_version, "read"),
    Route("GET", "/admin/api/processes/{key}/diff", diff_versions, "read"),
    Route("POST", "/admin/api/expressions/check", check_expression, "read"),
    Route("POST", "/admin/api/forms/check", check_form, "read"),
]

__all__ = ["ROUTES", "empty_diagram"]
