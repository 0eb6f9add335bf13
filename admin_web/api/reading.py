"""Reads on behalf of the acting user: the engine decides who may see an instance.

Every instance-scoped read (the instance, its history, comments, attachments, a task)
runs as one call in the pool: the engine's reader check, then the read, on one connection.
The service's admins (``JINGWEI_ADMINS``, who deploy processes and import the org) read
everything, like members of the org role ``admin``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from aiohttp import web

from admin_web.api.requests import actor
from admin_web.executor import in_thread
from admin_web.keys import ENGINE, SETTINGS
from engine import NotAllowed, ProcessEngine, TaskView

T = TypeVar("T")


async def read_instance(
    request: web.Request, command: str, instance_id: str, fn: Callable[..., T], *args: Any
) -> T:
    """``fn(*args)`` once the acting user may read ``instance_id`` (NotFound / NotAllowed otherwise)."""
    engine = request.app[ENGINE]
    user = actor(request)
    admin = user in request.app[SETTINGS].admins

    def guarded() -> T:
        with engine.db.read():
            if not admin:
                engine.check_reader(instance_id, user)
            return fn(*args)

    return await in_thread(request.app, command, guarded)


async def read_task(request: web.Request, task_id: str) -> TaskView:
    engine = request.app[ENGINE]
    user = actor(request)
    admin = user in request.app[SETTINGS].admins

    def guarded() -> TaskView:
        with engine.db.read():
            task = engine.task(task_id)
            if not admin:
                engine.check_reader(task.instance_id, user)
            return task

    return await in_thread(request.app, "task", guarded)


def is_admin(request: web.Request) -> bool:
    """A service admin; org-role admins are recognised by the engine itself."""
    return actor(request) in request.app[SETTINGS].admins


def task_scope(
    engine: ProcessEngine, user: str, admin: bool, assignee: str | None, instance_id: str | None
) -> str | None:
    """Blocking: whose tasks ``user`` may list; the assignee filter to apply.

    Admins list anyone's; others their own, or any task of an instance they may read.
    """
    if instance_id is not None:
        if not admin:  # the reader check lets org admins through itself
            engine.check_reader(instance_id, user)
        return assignee
    admin = admin or engine.is_org_admin(user)
    if assignee is None:
        return None if admin else user
    if assignee == user or admin:
        return assignee
    raise NotAllowed(f"{user} may list only their own tasks, not {assignee}'s (admins may list anyone's)")


def instance_scope(engine: ProcessEngine, user: str, admin: bool) -> str | None:
    """Blocking: None for admins (every instance), else the user whose involvement filters the list."""
    return None if admin or engine.is_org_admin(user) else user


__all__ = ["instance_scope", "is_admin", "read_instance", "read_task", "task_scope"]
