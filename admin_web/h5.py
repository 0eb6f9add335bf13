"""Mobile H5 pages (C6): one per task and per instance, linked from every card.

A link is signed and expires; a link signed for a person also lets that person act on the
task from the page (like an e-mail approval link). Without a personal signature the page
is read-only.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from admin_web.chat import CHAT
from admin_web.keys import ENGINE, TEMPLATES
from engine import JingweiError, NotFound

STATUS_WORDS = {
    "running": "审批中",
    "completed": "已通过",
    "rejected": "已驳回",
    "withdrawn": "已撤回",
    "terminated": "已终止",
    "open": "待处理",
    "cancelled": "无需处理",
}
ACTION_WORDS = {
    "started": "发起",
    "task_created": "待审批",
    "approved": "同意",
    "rejected": "驳回",
    "commented": "评论",
    "urged": "催办",
    "ended": "结束",
}


def _check(request: web.Request, kind: str, ident: str) -> str:
    """The verified acting user ('' for a read-only link); 403 for a bad or expired link."""
    signer = request.app[CHAT].links
    query = request.query  # a form posts back to the same signed URL
    user = str(query.get("u", ""))
    if not signer.verify(kind, ident, str(query.get("exp", "")), str(query.get("sig", "")), user):
        raise web.HTTPForbidden(
            text="This link is invalid or has expired. Open the card again. 链接无效或已过期。"
        )
    return user


async def _render(request: web.Request, template: str, **context: Any) -> web.Response:
    html = (
        request.app[TEMPLATES]
        .get_template(template)
        .render(status_words=STATUS_WORDS, action_words=ACTION_WORDS, **context)
    )
    return web.Response(text=html, content_type="text/html")


def _names(request: web.Request, ids: set[str]) -> dict[str, str]:
    return request.app[CHAT].services.people.names(ids)


async def instance_page(request: web.Request) -> web.Response:
    ident = request.match_info["instance_id"]
    user = _check(request, "instance", ident)
    run = request.app[CHAT].services.run
    engine = request.app[ENGINE]
    try:
        inst = await run(engine.instance, ident)
    except NotFound as exc:
        raise web.HTTPNotFound(text=exc.message) from exc
    attachments = await run(engine.attachments, ident)
    names = await run(_names, request, {inst.starter, *(h.actor for h in inst.history if h.actor)})
    return await _render(
        request,
        "h5_instance.html",
        inst=inst,
        user=user,
        names=names,
        attachments=attachments,
        task=None,
        message=None,
    )


async def task_page(request: web.Request, message: str | None = None) -> web.Response:
    ident = request.match_info["task_id"]
    user = _check(request, "task", ident)
    run = request.app[CHAT].services.run
    engine = request.app[ENGINE]
    try:
        task = await run(engine.task, ident)
        inst = await run(engine.instance, task.instance_id)
    except NotFound as exc:
        raise web.HTTPNotFound(text=exc.message) from exc
    attachments = await run(engine.attachments, inst.id)
    people = {inst.starter, *(h.actor for h in inst.history if h.actor), *(u for u in [task.assignee] if u)}
    names = await run(_names, request, people)
    can_act = bool(user) and task.status == "open" and user in (task.assignee, *task.candidates)
    return await _render(
        request,
        "h5_task.html",
        inst=inst,
        task=task,
        user=user,
        names=names,
        attachments=attachments,
        can_act=can_act,
        message=message,
    )


async def task_action(request: web.Request) -> web.Response:
    form = await request.post()
    ident = request.match_info["task_id"]
    user = _check(request, "task", ident)
    if not user:
        raise web.HTTPForbidden(text="This link lets you read, not act. 此链接只能查看。")
    action = str(form.get("action", ""))
    comment = str(form.get("comment", "")).strip() or None
    runtime = request.app[CHAT]
    try:
        await runtime.services.run(
            runtime.services.engine.act, ident, action, actor=user, comment=comment, channel="h5"
        )
        await runtime.notifier.drain()  # everyone's cards show the decision before the page does
        message = "已提交 · done"
    except JingweiError as exc:
        message = exc.message
    return await task_page(request, message)


def setup_h5(app: web.Application) -> None:
    app.router.add_get("/h5/task/{task_id}", task_page)
    app.router.add_post("/h5/task/{task_id}", task_action)
    app.router.add_get("/h5/instance/{instance_id}", instance_page)


__all__ = ["setup_h5"]
