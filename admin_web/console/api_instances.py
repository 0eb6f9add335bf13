"""``/admin/api/instances`` and ``/tasks``: search, detail, start, admin operations; the dashboard."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from aiohttp import web
from pydantic import BaseModel, Field

from admin_web.api.requests import json_body, json_response, query
from admin_web.console.security import Route, actor
from admin_web.executor import in_thread
from admin_web.keys import ENGINE
from engine import ProcessEngine
from engine.org import Directory
from engine.reports import dashboard, instance_positions, search_instances

CHANNEL = "console"


class InstanceSearch(BaseModel):
    process_key: str | None = Field(None, max_length=255)
    status: str | None = Field(None, pattern="^(running|completed|rejected|withdrawn|terminated)?$")
    starter: str | None = Field(None, max_length=64)
    started_from: date | None = Field(None, alias="from")
    started_to: date | None = Field(None, alias="to")
    limit: int = Field(20, ge=1, le=200)
    offset: int = Field(0, ge=0)


class TaskSearch(BaseModel):
    assignee: str | None = Field(None, max_length=64)
    status: str | None = Field("open", pattern="^(open|completed|cancelled|all)?$")
    instance_id: str | None = Field(None, max_length=32)
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0)


class StartInstance(BaseModel):
    process_key: str = Field(min_length=1, max_length=255)
    data: dict[str, Any] = Field(default_factory=dict)
    version: int | None = Field(None, ge=1)


class Terminate(BaseModel):
    reason: str = Field("", max_length=1000)


class Jump(BaseModel):
    node: str = Field(min_length=1, max_length=255)
    reason: str = Field("", max_length=1000)


class Reassign(BaseModel):
    to: str = Field(min_length=1, max_length=64)
    reason: str = Field("", max_length=1000)


class DashboardQuery(BaseModel):
    days: int = Field(30, ge=1, le=366)
    process_key: str | None = Field(None, max_length=255)


def _day(value: date | None, *, end: bool = False) -> datetime | None:
    if value is None:
        return None
    start = datetime.combine(value, time())
    return start + timedelta(days=1) if end else start


def _search(engine: ProcessEngine, params: InstanceSearch) -> dict[str, Any]:
    with engine.db.read() as conn:
        items, total = search_instances(
            conn,
            process_key=params.process_key or None,
            status=params.status or None,
            starter=params.starter or None,
            started_from=_day(params.started_from),
            started_to=_day(params.started_to, end=True),
            limit=params.limit,
            offset=params.offset,
        )
    return {
        "items": [i.to_dict() for i in items],
        "total": total,
        "limit": params.limit,
        "offset": params.offset,
    }


async def list_instances(request: web.Request) -> web.Response:
    params = query(request, InstanceSearch)
    return json_response(
        await in_thread(request.app, "console_instances", _search, request.app[ENGINE], params)
    )


def _people_names(engine: ProcessEngine, ids: set[str]) -> dict[str, str]:
    with engine.db.read() as conn:
        return {uid: user.name for uid, user in Directory(conn).users(sorted(ids)).items()}


def _detail(engine: ProcessEngine, instance_id: str) -> dict[str, Any]:
    inst = engine.instance(instance_id)
    with engine.db.read() as conn:
        positions = instance_positions(conn, instance_id)
    people = {inst.starter, *(h.actor for h in inst.history if h.actor)}
    for task in inst.tasks:
        people.update([task.assignee] if task.assignee else task.candidates)
    return {
        "instance": inst.to_dict(),
        "positions": positions,
        "xml": engine.definition_xml(inst.process_key, inst.version),
        "attachments": [a.to_dict() for a in engine.attachments(instance_id)],
        "data_versions": len(engine.data_versions(instance_id)),
        "names": _people_names(engine, {p for p in people if p}),
    }


async def get_instance(request: web.Request) -> web.Response:
    instance_id = request.match_info["id"]
    return json_response(
        await in_thread(request.app, "console_instance", _detail, request.app[ENGINE], instance_id)
    )


async def download_attachment(request: web.Request) -> web.FileResponse:
    instance_id, attachment_id = request.match_info["id"], request.match_info["attachment"]
    view, path = await in_thread(
        request.app, "console_attachment", request.app[ENGINE].attachment_file, instance_id, attachment_id
    )
    return web.FileResponse(
        path,
        headers={
            "Content-Type": view.content_type,
            "Content-Disposition": "attachment",
            "X-Content-Type-Options": "nosniff",
        },
    )


async def start_instance(request: web.Request) -> web.Response:
    body = await json_body(request, StartInstance)
    engine = request.app[ENGINE]
    inst = await in_thread(
        request.app,
        "console_start",
        engine.start,
        body.process_key,
        starter=actor(request),
        data=body.data,
        version=body.version,
        channel=CHANNEL,
    )
    return json_response(inst.to_dict(), status=201)


async def terminate_instance(request: web.Request) -> web.Response:
    body = await json_body(request, Terminate)
    engine = request.app[ENGINE]
    inst = await in_thread(
        request.app,
        "console_terminate",
        engine.terminate,
        request.match_info["id"],
        actor=actor(request),
        reason=body.reason,
        channel=CHANNEL,
    )
    return json_response(inst.to_dict())


async def jump_instance(request: web.Request) -> web.Response:
    body = await json_body(request, Jump)
    engine = request.app[ENGINE]
    inst = await in_thread(
        request.app,
        "console_jump",
        engine.jump,
        request.match_info["id"],
        actor=actor(request),
        node=body.node,
        reason=body.reason,
        channel=CHANNEL,
    )
    return json_response(inst.to_dict())


async def reassign_task(request: web.Request) -> web.Response:
    body = await json_body(request, Reassign)
    engine = request.app[ENGINE]
    inst = await in_thread(
        request.app,
        "console_reassign",
        engine.reassign,
        request.match_info["id"],
        actor=actor(request),
        to=body.to,
        reason=body.reason,
        channel=CHANNEL,
    )
    return json_response(inst.to_dict())


def _tasks(engine: ProcessEngine, params: TaskSearch) -> dict[str, Any]:
    status = None if params.status in ("all", "") else params.status
    filters = {
        "assignee": params.assignee or None,
        "instance_id": params.instance_id or None,
        "status": status,
    }
    items = engine.tasks(**filters, limit=params.limit, offset=params.offset)
    return {
        "items": [t.to_dict() for t in items],
        "total": engine.count_tasks(**filters),
        "limit": params.limit,
        "offset": params.offset,
    }


async def list_tasks(request: web.Request) -> web.Response:
    params = query(request, TaskSearch)
    return json_response(await in_thread(request.app, "console_tasks", _tasks, request.app[ENGINE], params))


def _dashboard(engine: ProcessEngine, params: DashboardQuery) -> dict[str, Any]:
    with engine.db.read() as conn:
        return dashboard(conn, now=engine.clock(), days=params.days, process_key=params.process_key or None)


async def get_dashboard(request: web.Request) -> web.Response:
    params = query(request, DashboardQuery)
    return json_response(
        await in_thread(request.app, "console_dashboard", _dashboard, request.app[ENGINE], params)
    )


ROUTES = [
    Route("GET", "/admin/api/instances", list_instances, "read"),
    Route("POST", "/admin/api/instances", start_instance, "start"),
    Route("GET", "/admin/api/instances/{id}", get_instance, "read"),
    Route("GET", "/admin/api/instances/{id}/attachments/{attachment}", download_attachment, "read"),
    Route("POST", "/admin/api/instances/{id}/terminate", terminate_instance, "operate"),
    Route("POST", "/admin/api/instances/{id}/jump", jump_instance, "operate"),
    Route("POST", "/admin/api/tasks/{id}/reassign", reassign_task, "operate"),
    Route("GET", "/admin/api/tasks", list_tasks, "read"),
    Route("GET", "/admin/api/dashboard", get_dashboard, "read"),
]

__all__ = ["ROUTES"]
