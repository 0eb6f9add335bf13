"""Building cards from engine views: task, result, notice and form cards.

Display names and links are passed in (``People``, ``Links``): the card layer reads
no database and signs no URLs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from cards.model import FORM, NOTICE, RESULT, TASK, Card, CardAction, CardField, CardLink
from engine import HistoryView, InstanceView, TaskView

People = Callable[[str | None], str]  # user id -> display name
Links = Callable[[str, str], str | None]  # (kind "task"|"instance", id) -> URL, or None

ACTION_LABELS = {"approve": "同意", "reject": "驳回"}
ACTION_STYLES = {"approve": "primary", "reject": "danger"}
HISTORY_WORDS = {
    "started": "发起申请",
    "approved": "同意",
    "rejected": "驳回",
    "commented": "评论",
    "urged": "催办",
    "auto_approved": "自动通过",
    "auto_rejected": "自动驳回",
    "ended": "流程结束",
}
INSTANCE_STATUS = {
    "running": "审批中",
    "completed": "已通过",
    "rejected": "已驳回",
    "withdrawn": "已撤回",
    "terminated": "已终止",
}
MAX_FIELD_VALUE = 200
HISTORY_TAIL = 3


def _when(at: datetime | None) -> str:
    return "" if at is None else at.strftime("%m-%d %H:%M")


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        text = "、".join(_text(v) for v in value)
    elif isinstance(value, dict):
        text = "，".join(f"{k}: {_text(v)}" for k, v in value.items())
    else:
        text = "" if value is None else str(value)
    return text if len(text) <= MAX_FIELD_VALUE else text[: MAX_FIELD_VALUE - 1] + "…"


def form_fields(data: Mapping[str, Any], labels: Mapping[str, str] | None = None) -> tuple[CardField, ...]:
    """The form data as card fields, in the form's own order; internal variables left out."""
    labels = labels or {}
    return tuple(
        CardField(labels.get(key, key), _text(value))
        for key, value in data.items()
        if key != "approved" and not key.startswith("_")
    )


def history_lines(history: Sequence[HistoryView], people: People) -> tuple[str, ...]:
    lines = []
    for row in history:
        word = HISTORY_WORDS.get(row.action)
        if word is None:
            continue
        who = people(row.actor) if row.actor else "系统"
        comment = row.details.get("comment") if isinstance(row.details, dict) else None
        lines.append(f"{_when(row.at)} {who} {word}" + (f"「{comment}」" if comment else ""))
    return tuple(lines[-HISTORY_TAIL:])


def task_status_text(task: TaskView, people: People, instance_status: str | None = None) -> tuple[str, str]:
    """(status, badge) of a task as its recipients should see it now."""
    if task.status == "open":
        return "open", "待审批"
    who = people(task.completed_by)
    when = _when(task.completed_at)
    if task.status == "completed":
        word = "已同意" if task.outcome == "approved" else "已驳回"
        return task.outcome or "completed", f"{word} · {who} · {when}"
    if instance_status == "withdrawn":
        return "withdrawn", f"申请人已撤回 · {when}"
    return "cancelled", f"无需处理 · {when}"


def task_card(
    task: TaskView,
    instance: InstanceView,
    *,
    people: People,
    links: Links,
    labels: Mapping[str, str] | None = None,
    process_name: str | None = None,
) -> Card:
    status, badge = task_status_text(task, people, instance.status)
    actions: tuple[CardAction, ...] = ()
    if status == "open":
        actions = tuple(
            CardAction(verb, ACTION_LABELS[verb], ACTION_STYLES[verb], {"task_id": task.id})
            for verb in ("approve", "reject")
        )
    url = links("task", task.id)
    return Card(
        card_id=f"task-{task.id}",
        kind=TASK,
        title=f"{people(instance.starter)}的{process_name or instance.process_key}",
        status=status,
        status_text=badge,
        subtitle=f"{task.name} · 发起于 {_when(instance.started_at)}",
        fields=form_fields(instance.data, labels),
        history=history_lines(instance.history, people),
        actions=actions,
        links=(CardLink("查看详情", url),) if url else (),
        task_id=task.id,
        instance_id=instance.id,
    )


def result_card(
    instance: InstanceView,
    *,
    people: People,
    links: Links,
    labels: Mapping[str, str] | None = None,
    process_name: str | None = None,
) -> Card:
    url = links("instance", instance.id)
    badge = INSTANCE_STATUS.get(instance.status, instance.status)
    if instance.ended_at is not None:
        badge = f"{badge} · {_when(instance.ended_at)}"
    return Card(
        card_id=f"instance-{instance.id}",
        kind=RESULT,
        title=f"你的{process_name or instance.process_key}",
        status=instance.status,
        status_text=badge,
        subtitle=f"发起于 {_when(instance.started_at)}",
        fields=form_fields(instance.data, labels),
        history=history_lines(instance.history, people),
        links=(CardLink("查看详情", url),) if url else (),
        instance_id=instance.id,
    )


NOTICE_TITLES = {
    "urge": "{who}催你处理",
    "cc": "{who}抄送给你",
    "mention": "{who}在评论中提到你",
    "returned": "{who}退回了你的申请，请补充材料",
}


def notice_card(
    kind: str,
    instance: InstanceView,
    *,
    by: str | None,
    people: People,
    links: Links,
    text: str = "",
    process_name: str | None = None,
    notice_id: str,
) -> Card:
    """A one-way notice; ``notice_id`` makes the card id unique per event."""
    template = NOTICE_TITLES.get(kind, "{who}通知你")
    url = links("instance", instance.id)
    return Card(
        card_id=f"notice-{notice_id}",
        kind=NOTICE,
        title=template.format(who=people(by) if by else "系统"),
        status="info",
        status_text=process_name or instance.process_key,
        subtitle=text or f"{people(instance.starter)}的{process_name or instance.process_key}",
        fields=form_fields(instance.data),
        links=(CardLink("查看详情", url),) if url else (),
        instance_id=instance.id,
    )


def form_card(
    process_key: str, process_name: str, fields: Sequence[tuple[str, str]], *, missing: Sequence[str] = ()
) -> Card:
    """What to fill in to start ``process_key``: (field, label) pairs, the missing ones flagged."""
    shown = tuple(CardField(label, "（必填）" if key in missing else "") for key, label in fields)
    return Card(
        card_id=f"form-{process_key}",
        kind=FORM,
        title=f"发起{process_name}",
        status="info",
        status_text="请填写",
        subtitle="回复 /apply " + process_key + " " + " ".join(f"{key}=…" for key, _ in fields),
        fields=shown,
    )


__all__ = [
    "Links",
    "People",
    "form_card",
    "form_fields",
    "history_lines",
    "notice_card",
    "result_card",
    "task_card",
    "task_status_text",
]
