"""``/instances``: start, find, read, withdraw and urge instances; their audit trail."""

from __future__ import annotations

from aiohttp import web

from admin_web.api import schemas as s
from admin_web.api.reading import instance_scope, is_admin, read_instance
from admin_web.api.requests import actor, json_body, json_response, me, page_response, path_value, query
from admin_web.api.routing import Operation, link
from admin_web.executor import in_thread
from admin_web.keys import ENGINE
from engine import InstanceView, ProcessEngine

CHANNEL = "api"


async def start_instance(request: web.Request) -> web.Response:
    body = await json_body(request, s.StartInstance)
    engine = request.app[ENGINE]
    inst = await in_thread(
        request.app,
        "start",
        engine.start,
        body.process_key,
        starter=actor(request),
        data=body.data,
        version=body.version,
        channel=CHANNEL,
    )
    return json_response(inst.to_dict(), status=201, headers={"Location": f"/api/v1/instances/{inst.id}"})


def _page(
    engine: ProcessEngine, params: s.InstanceQuery, starter: str | None, user: str, admin: bool
) -> tuple[list[InstanceView], int]:
    filters = {
        "starter": starter,
        "status": params.status,
        "process_key": params.process_key,
        "involved": instance_scope(engine, user, admin),
    }
    items = engine.instances(**filters, limit=params.limit, offset=params.offset)
    return items, engine.count_instances(**filters)


async def list_instances(request: web.Request) -> web.Response:
    params = query(request, s.InstanceQuery)
    items, total = await in_thread(
        request.app,
        "instances",
        _page,
        request.app[ENGINE],
        params,
        me(params.starter, request),
        actor(request),
        is_admin(request),
    )
    return page_response(items, total, limit=params.limit, offset=params.offset)


async def get_instance(request: web.Request) -> web.Response:
    instance_id = path_value(request, "id", "instance")
    inst = await read_instance(request, "instance", instance_id, request.app[ENGINE].instance, instance_id)
    return json_response(inst.to_dict())


async def withdraw_instance(request: web.Request) -> web.Response:
    instance_id = path_value(request, "id", "instance")
    body = await json_body(request, s.Withdraw, optional=True)
    engine = request.app[ENGINE]
    inst = await in_thread(
        request.app,
        "withdraw",
        engine.withdraw,
        instance_id,
        actor=actor(request),
        reason=body.reason,
        channel=CHANNEL,
    )
    return json_response(inst.to_dict())


async def urge_instance(request: web.Request) -> web.Response:
    instance_id = path_value(request, "id", "instance")
    engine = request.app[ENGINE]
    inst = await in_thread(
        request.app, "urge", engine.urge, instance_id, actor=actor(request), channel=CHANNEL
    )
    return json_response(inst.to_dict())


async def get_history(request: web.Request) -> web.Response:
    instance_id = path_value(request, "id", "instance")
    inst = await read_instance(request, "instance", instance_id, request.app[ENGINE].instance, instance_id)
    return json_response([h.to_dict() for h in inst.history])


async def verify_history(request: web.Request) -> web.Response:
    instance_id = path_value(request, "id", "instance")
    check = await read_instance(
        request, "verify", instance_id, request.app[ENGINE].verify_history, instance_id
    )
    return json_response(
        {
            "ok": check.ok,
            "rows": check.rows,
            "message": check.message,
            "first_bad_seq": check.first_bad_seq,
        }
    )


OPERATIONS = [
    Operation(
        "POST",
        "/instances",
        start_instance,
        "Start an instance; the token's user is the starter",
        "instances",
        status=201,
        body=s.StartInstance,
        response=s.Instance,
        errors=(404, 409, 413, 415, 422),
        links={
            **{
                op_id: link(op_id, id="$response.body#/id")
                for op_id in (
                    "get_instance",
                    "withdraw_instance",
                    "urge_instance",
                    "get_history",
                    "verify_history",
                    "add_comment",
                    "list_comments",
                    "upload_attachment",
                    "list_attachments",
                )
            },
            "get_task": link("get_task", id="$response.body#/tasks/0/id"),
            "act_on_task": link("act_on_task", id="$response.body#/tasks/0/id"),
        },
    ),
    Operation(
        "GET",
        "/instances",
        list_instances,
        "Find instances, newest first, with paging and a total",
        "instances",
        query=s.InstanceQuery,
        response=s.InstancePage,
        errors=(422,),
        description="Admins (`JINGWEI_ADMINS`, the org role `admin`) see every instance; anyone else "
        "those they started, were offered a task of, or were copied on.",
    ),
    Operation(
        "GET",
        "/instances/{id}",
        get_instance,
        "An instance with its open tasks and its history",
        "instances",
        response=s.Instance,
        errors=(403, 404),
        description="Readable by its starter, everyone who is or was offered one of its tasks, the people "
        "it was copied to, the process's admins and admins (`JINGWEI_ADMINS`, the org role `admin`); "
        "403 for anyone else. The same rule guards its history, comments, attachments and tasks.",
    ),
    Operation(
        "POST",
        "/instances/{id}/withdraw",
        withdraw_instance,
        "Withdraw an instance (starter only, before any decision)",
        "instances",
        body=s.Withdraw,
        body_required=False,
        response=s.Instance,
        errors=(403, 404, 409, 413, 415, 422),
    ),
    Operation(
        "POST",
        "/instances/{id}/urge",
        urge_instance,
        "Remind the current approvers (starter only; at most once per interval: 429)",
        "instances",
        response=s.Instance,
        errors=(403, 404, 409),
    ),
    Operation(
        "GET",
        "/instances/{id}/history",
        get_history,
        "The instance's audit trail, oldest first",
        "instances",
        response=s.HistoryEntry,
        response_is_list=True,
        errors=(403, 404),
    ),
    Operation(
        "GET",
        "/instances/{id}/history/verify",
        verify_history,
        "Recompute the history's hash chain",
        "instances",
        response=s.HistoryCheck,
        errors=(403, 404),
    ),
]

__all__ = ["CHANNEL", "OPERATIONS"]
