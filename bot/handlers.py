"""The bot's commands and card actions (C3), registered on a ``Bot``.

Every handler answers from committed engine state; fan-out to other people happens
through the outbox and the notifier, never here.
"""

from __future__ import annotations

import io

from adapters import CommandText, FileReceived, Mention
from bot.cards import instance_result_card, task_card_for
from bot.context import Context, Reply
from bot.router import Bot
from cards import Card, form_card
from engine import Conflict, DefinitionView, InvalidInput, NotFound

TASK_CARD_PREFIX = "task-"


async def _find_process(ctx: Context, word: str) -> DefinitionView:
    defs = await ctx.run(ctx.services.engine.definitions, latest_only=True)
    lowered = word.lower()
    exact = [d for d in defs if d.key.lower() == lowered or d.name.lower() == lowered]
    if exact:
        return exact[0]
    partial = [d for d in defs if lowered in d.name.lower() or lowered in d.key.lower()]
    if len(partial) == 1:
        return partial[0]
    if partial:
        names = "、".join(f"{d.name} ({d.key})" for d in partial)
        raise InvalidInput(f'"{word}" matches several processes: {names}; use the key')
    known = "、".join(f"{d.name} ({d.key})" for d in defs) or "none deployed"
    raise NotFound(f'no process called "{word}"; available: {known}')


async def _my_open_task(ctx: Context, ident: str) -> str:
    """A task id, or the sender's open task in the instance ``ident``."""
    engine = ctx.services.engine
    try:
        task = await ctx.run(engine.task, ident)
        return task.id
    except NotFound:
        pass
    mine = [
        t for t in await ctx.run(engine.tasks, instance_id=ident) if ctx.actor in (t.assignee, *t.candidates)
    ]
    if not mine:
        raise NotFound(f'"{ident}" is neither a task nor an instance with a task waiting for you')
    return mine[0].id


def register(bot: Bot) -> Bot:
    @bot.command("help", "帮助", "?", help="this list / 帮助")
    async def help_(ctx: Context) -> Reply:
        lines = [f"/{c.name} ({' '.join(c.aliases)}) — {c.help}" for c in bot.commands.values()]
        return Reply(text="\n".join(lines))

    @bot.command("todo", "待办", help="my open tasks / 我的待办")
    async def todo(ctx: Context) -> Reply:
        tasks = await ctx.run(ctx.services.engine.tasks, assignee=ctx.actor)
        if not tasks:
            return Reply(text="没有待办 · nothing waiting for you")
        cards = [await task_card_for(ctx.services, t.id) for t in tasks[:10]]
        return Reply(text=f"{len(tasks)} 项待办 · open tasks", cards=tuple(cards))

    @bot.command("mine", "我的", "我的申请", help="what I started / 我的申请")
    async def mine(ctx: Context) -> Reply:
        instances = await ctx.run(ctx.services.engine.instances, starter=ctx.actor, limit=5)
        if not instances:
            return Reply(text="你还没有发起过申请 · you have not started anything yet")
        cards = [await instance_result_card(ctx.services, i.id) for i in instances]
        return Reply(text=f"最近 {len(cards)} 条申请 · your latest requests", cards=tuple(cards))

    @bot.command("status", "状态", "查询", help="/status ID — where an instance is / 查看进度")
    async def status(ctx: Context) -> Reply:
        if not ctx.command or not ctx.command.args:
            raise InvalidInput("usage: /status INSTANCE_ID")
        return Reply(cards=(await instance_result_card(ctx.services, ctx.command.args[0]),))

    @bot.command(
        "apply", "申请", "发起", "start", help="/apply 请假 days=3 reason=… — start a process / 发起申请"
    )
    async def apply(ctx: Context) -> Reply:
        if not ctx.command or not ctx.command.args:
            defs = await ctx.run(ctx.services.engine.definitions, latest_only=True)
            names = "、".join(f"{d.name} ({d.key})" for d in defs)
            return Reply(text=f"usage: /apply PROCESS key=value …  · available: {names}", ok=False)
        definition = await _find_process(ctx, ctx.command.args[0])
        try:
            inst = await ctx.run(
                ctx.services.engine.start,
                definition.key,
                starter=ctx.actor,
                data=ctx.command.options,
                channel=ctx.event.channel,
            )
        except InvalidInput as exc:
            form = await _form_card(ctx, definition, exc.details)
            if form is None:
                raise
            return Reply(
                text=f"请补充表单 · please complete the form: {exc.message}", cards=(form,), ok=False
            )
        card = await instance_result_card(ctx.services, inst.id)
        return Reply(text=f"已提交 {definition.name} · submitted ({inst.id})", cards=(card,))

    async def decide(ctx: Context, action: str) -> Reply:
        if not ctx.command or not ctx.command.args:
            raise InvalidInput(f"usage: /{action} TASK_OR_INSTANCE_ID [comment]")
        task_id = await _my_open_task(ctx, ctx.command.args[0])
        comment = " ".join(ctx.command.args[1:]) or None
        if action == "reject" and not comment:
            raise InvalidInput("a rejection needs a reason: /reject ID 原因")
        return await _act(ctx, task_id, action, comment)

    @bot.command("approve", "同意", "通过", help="/approve ID [comment] / 同意")
    async def approve(ctx: Context) -> Reply:
        return await decide(ctx, "approve")

    @bot.command("reject", "驳回", "拒绝", help="/reject ID reason / 驳回")
    async def reject(ctx: Context) -> Reply:
        return await decide(ctx, "reject")

    @bot.command("cc", "抄送", help="/cc ID @someone — copy someone on a task's request / 抄送")
    async def cc(ctx: Context) -> Reply:
        if not ctx.command or len(ctx.command.args) < 2:
            raise InvalidInput("usage: /cc TASK_OR_INSTANCE_ID @user …")
        task_id = await _my_open_task(ctx, ctx.command.args[0])
        people = [await _person(ctx, word) for word in ctx.command.args[1:]]
        await ctx.run(
            ctx.services.engine.act, task_id, "cc", actor=ctx.actor, to=people, channel=ctx.event.channel
        )
        names = "、".join(ctx.services.name(p) for p in people)
        return Reply(text=f"已抄送 {names} · copied")

    @bot.command("withdraw", "撤回", help="/withdraw ID — take back my request / 撤回")
    async def withdraw(ctx: Context) -> Reply:
        if not ctx.command or not ctx.command.args:
            raise InvalidInput("usage: /withdraw INSTANCE_ID")
        inst = await ctx.run(
            ctx.services.engine.withdraw, ctx.command.args[0], actor=ctx.actor, channel=ctx.event.channel
        )
        return Reply(text="已撤回 · withdrawn", cards=(await instance_result_card(ctx.services, inst.id),))

    @bot.command("urge", "催办", help="/urge ID — remind the approvers / 催办")
    async def urge(ctx: Context) -> Reply:
        if not ctx.command or not ctx.command.args:
            raise InvalidInput("usage: /urge INSTANCE_ID")
        await ctx.run(
            ctx.services.engine.urge, ctx.command.args[0], actor=ctx.actor, channel=ctx.event.channel
        )
        return Reply(text="已催办 · the approvers have been reminded")

    async def card_action(ctx: Context) -> Reply:
        event = ctx.event
        card_id = getattr(event, "card_id", "")
        if not card_id.startswith(TASK_CARD_PREFIX):
            raise InvalidInput("this card has no decision to take")
        params = getattr(event, "params", {}) or {}
        return await _act(
            ctx, card_id[len(TASK_CARD_PREFIX) :], getattr(event, "action", ""), params.get("comment")
        )

    bot.action("approve")(card_action)
    bot.action("reject")(card_action)

    @bot.file
    async def file_received(ctx: Context) -> Reply:
        event = ctx.event
        assert isinstance(event, FileReceived)
        instance_id = event.instance_id or await _current_instance(ctx)
        view = await ctx.run(
            ctx.services.engine.attach,
            instance_id,
            io.BytesIO(event.data),
            actor=ctx.actor,
            filename=event.filename,
            content_type=event.content_type,
            channel=event.channel,
        )
        return Reply(text=f"已附加 {view.filename} · attached to {instance_id}")

    @bot.mention
    async def mentioned(ctx: Context) -> Reply:
        """``@bot /todo`` runs the command; ``@someone …`` on a card becomes a comment that notifies them."""
        event = ctx.event
        assert isinstance(event, Mention)
        if event.reply_to_card and event.mentions:
            instance_id = await _card_instance(ctx, event.reply_to_card)
            people = []
            for mention in event.mentions:
                found = await ctx.run(ctx.services.people.org_user, event.channel, mention)
                people.append(found or await _person(ctx, mention))
            await ctx.run(
                ctx.services.engine.comment,
                instance_id,
                actor=ctx.actor,
                text=event.text,
                mentions=people,
                channel=event.channel,
            )
            return Reply(text="已评论并通知 · commented and notified " + "、".join(people))
        command = CommandText(event.channel, event.user, event.conversation, event.key, text=event.text)
        ctx.event = command
        return await bot.dispatch_routed(ctx)

    return bot


async def _person(ctx: Context, word: str) -> str:
    """An org user from ``@id`` or ``@名字``; ambiguous or unknown names are refused clearly."""
    text = word.lstrip("@＠")
    found = await ctx.run(ctx.services.people.search, text)
    exact = [uid for uid, name in found if text in (uid, name)]
    if len(exact) == 1:
        return exact[0]
    if len(found) == 1:
        return found[0][0]
    if not found:
        raise NotFound(f'nobody called "{text}" in the organisation')
    raise InvalidInput(f'"{text}" could be ' + "、".join(f"{name} ({uid})" for uid, name in found))


async def _form_card(ctx: Context, definition: DefinitionView, details: object) -> Card | None:
    """A form card naming the fields to fill in, when the refusal was about the form."""
    problems = (
        [d for d in details if isinstance(d, dict) and "field" in d] if isinstance(details, list) else []
    )
    if not problems:
        return None
    schema = await ctx.run(ctx.services.engine.form, definition.id) or {}
    fields = [
        (str(c["key"]), str(c.get("label") or c["key"]))
        for c in schema.get("components", [])
        if isinstance(c, dict) and c.get("key")
    ] or [(str(p["field"]), str(p["field"])) for p in problems]
    missing = [str(p["field"]).split("[")[0].split(".")[0] for p in problems]
    return form_card(definition.key, definition.name.split(" ")[0], fields, missing=missing)


async def _current_instance(ctx: Context) -> str:
    """What the conversation is about: the sender's newest open task, else their newest request."""
    engine = ctx.services.engine
    tasks = await ctx.run(engine.tasks, assignee=ctx.actor)
    if tasks:
        return tasks[0].instance_id
    mine = await ctx.run(engine.instances, starter=ctx.actor, limit=1)
    if mine:
        return mine[0].id
    raise InvalidInput("which request is this file for? open a card first or use /status ID")


async def _card_instance(ctx: Context, card_id: str) -> str:
    kind, _, ident = card_id.partition("-")
    if kind == "task":
        return (await ctx.run(ctx.services.engine.task, ident)).instance_id
    if kind == "instance":
        return ident
    raise InvalidInput("comments go on task or request cards")


async def _act(ctx: Context, task_id: str, action: str, comment: str | None) -> Reply:
    """Decide a task; a stale click answers who handled it and changes nothing."""
    engine = ctx.services.engine
    try:
        await ctx.run(
            engine.act, task_id, action, actor=ctx.actor, comment=comment, channel=ctx.event.channel
        )
    except Conflict as exc:
        card = await task_card_for(ctx.services, task_id)
        return Reply(text=f"这个任务已被处理 · {card.status_text} ({exc.message})", updated=(card,), ok=False)
    card = await task_card_for(ctx.services, task_id)
    return Reply(text=card.status_text, updated=(card,))


__all__ = ["register"]
