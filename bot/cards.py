"""Cards for the bot and the notifier, built from current engine state with display names."""

from __future__ import annotations

from collections.abc import Iterable

from bot.context import Services
from cards import Card, notice_card, result_card, task_card
from engine import InstanceView, TaskView


def _people_of(inst: InstanceView, tasks: Iterable[TaskView] = ()) -> set[str]:
    ids = {inst.starter}
    ids.update(h.actor for h in inst.history if h.actor)
    for t in tasks:
        ids.update(u for u in (t.assignee, t.completed_by, *t.candidates) if u)
    return ids


def build_task_card(services: Services, task_id: str) -> Card:
    """Blocking: call through ``services.run``."""
    engine = services.engine
    task = engine.task(task_id)
    inst = engine.instance(task.instance_id)
    names = services.people.names(_people_of(inst, [task]))
    return task_card(
        task,
        inst,
        people=lambda u: names.get(u or "", u or "-"),
        links=services.links,
        process_name=services.process_name(inst.process_key),
    )


def build_result_card(services: Services, instance_id: str) -> Card:
    inst = services.engine.instance(instance_id)
    names = services.people.names(_people_of(inst))
    return result_card(
        inst,
        people=lambda u: names.get(u or "", u or "-"),
        links=services.links,
        process_name=services.process_name(inst.process_key),
    )


def build_notice_card(
    services: Services, kind: str, instance_id: str, by: str | None, notice_id: str, text: str = ""
) -> Card:
    inst = services.engine.instance(instance_id)
    names = services.people.names(_people_of(inst) | ({by} if by else set()))
    return notice_card(
        kind,
        inst,
        by=by,
        people=lambda u: names.get(u or "", u or "-"),
        links=services.links,
        text=text,
        process_name=services.process_name(inst.process_key),
        notice_id=notice_id,
    )


async def task_card_for(services: Services, task_id: str) -> Card:
    return await services.run(build_task_card, services, task_id)


async def instance_result_card(services: Services, instance_id: str) -> Card:
    return await services.run(build_result_card, services, instance_id)


__all__ = [
    "build_notice_card",
    "build_result_card",
    "build_task_card",
    "instance_result_card",
    "task_card_for",
]
