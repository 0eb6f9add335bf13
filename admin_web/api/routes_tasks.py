"""``/tasks``: to-do lists, one task, and acting on a task (approve, reject, comment, …)."""

from __future__ import annotations

from aiohttp import web

from admin_web.api import schemas as s
from admin_web.api.reading import is_admin, read_task, task_scope
from admin_web.api.requests import actor, json_body, json_response, me, page_response, path_value, query
from admin_web.api.routes_instances import CHANNEL
from admin_web.api.routing import Operation
from admin_web.executor import in_thread
from admin_web.keys import ENGINE
from engine import ProcessEngine, TaskView


def _page(
    engine: ProcessEngine, params: s.TaskQuery, assignee: str | None, user: str, admin: bool
) -> tuple[list[TaskView], int]:
    status = None if params.status == "all" else params.status
    assignee = task_scope(engine, user, admin, assignee, params.instance_id)
    filters = {"assignee": assignee, "instance_id": params.instance_id, "status": status}
    items = engine.tasks(**filters, limit=params.limit, offset=params.offset)
    return items, engine.count_tasks(**filters)


async def list_tasks(request: web.Request) -> web.Response:
    params = query(request, s.TaskQuery)
    items, total = await in_thread(
        request.app,
        "tasks",
        _page,
        request.app[ENGINE],
        params,
        me(params.assignee, request),
        actor(request),
        is_admin(request),
    )
    return page_response(items, total, limit=params.limit, offset=params.offset)


async def get_task(request: web.Request) -> web.Response:
    task_id = path_value(request, "id", "task")
    task = await read_task(request, task_id)
    return json_response(task.to_dict())


async def act_on_task(request: web.Request) -> web.Response:
    task_id = path_value(request, "id", "task")
    body = await json_body(request, s.TaskAction)
    engine = request.app[ENGINE]
    inst = await in_thread(
        request.app,
        "act",
        engine.act,
        task_id,
        body.action,
        actor=actor(request),
        comment=body.comment,
        data=body.data,
        to=body.to,
        node=body.node,
        position=body.position,
        channel=CHANNEL,
    )
    return json_response(inst.to_dict())


OPERATIONS = [
    Operation(
        "GET",
        "/tasks",
        list_tasks,
        "Find tasks, newest first (`assignee=me&status=open` is the caller's to-do list)",
        "tasks",
        query=s.TaskQuery,
        response=s.TaskPage,
        errors=(403, 404, 422),
        description="`assignee` also matches tasks offered to that user as a candidate. Without filters the "
        "list holds the caller's own tasks (everyone's for admins); another "
        "person's tasks only for admins (403 otherwise); `instance_id` lists an instance's tasks for anyone "
        "who may read that instance.",
    ),
    Operation(
        "GET",
        "/tasks/{id}",
        get_task,
        "One task",
        "tasks",
        response=s.Task,
        errors=(403, 404),
        description="For anyone who may read its instance (see `GET /instances/{id}`).",
    ),
    Operation(
        "POST",
        "/tasks/{id}/actions",
        act_on_task,
        "Act on a task: approve, reject, return, transfer, delegate, add-signer, comment, …",
        "tasks",
        body=s.TaskAction,
        response=s.Instance,
        errors=(403, 404, 409, 413, 415, 422),
        description="Only the assignee or a candidate may decide; 409 when the task is no longer open "
        "(somebody decided first). `to` names users (transfer, delegate, add-signer), `node` a node id "
        "(return), `position` where an added signer goes. The answer is the instance with its open tasks.",
    ),
]

__all__ = ["OPERATIONS"]
