"""The channel-neutral card: what a person sees about a task, an instance or a notice.

Renderers (``cards.render``) turn one ``Card`` into WeCom template_card JSON, DingTalk
card data and sandbox HTML; they never add facts of their own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# card kinds
TASK = "task"  # a decision waiting for someone: has actions while open
RESULT = "result"  # the outcome of an instance, for its starter
NOTICE = "notice"  # urge, CC, @mention, returned-for-material
FORM = "form"  # the fields to fill in to start a process


@dataclass(frozen=True, slots=True)
class CardField:
    label: str
    value: str


@dataclass(frozen=True, slots=True)
class CardAction:
    """A button: ``action`` is the verb posted back (the engine's action name)."""

    action: str
    label: str
    style: str = "default"  # primary | danger | default
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class CardLink:
    label: str
    url: str


@dataclass(frozen=True, slots=True)
class Card:
    card_id: str  # stable per (kind, subject): the same card is updated in place
    kind: str
    title: str
    status: str  # machine state: open, approved, rejected, completed, withdrawn, info, ...
    status_text: str  # what the badge says, e.g. "已同意 · 张三 · 11-25 10:00"
    subtitle: str = ""
    fields: tuple[CardField, ...] = ()
    history: tuple[str, ...] = ()  # the last few history lines, oldest first
    actions: tuple[CardAction, ...] = ()
    links: tuple[CardLink, ...] = ()
    task_id: str | None = None
    instance_id: str | None = None

    @property
    def decided(self) -> bool:
        return self.kind == TASK and self.status != "open"

    def to_dict(self) -> dict[str, Any]:
        """The sandbox JSON form of the card (``card_id``, ``status``, fields, ``actions``)."""
        return {
            "card_id": self.card_id,
            "kind": self.kind,
            "title": self.title,
            "status": self.status,
            "status_text": self.status_text,
            "subtitle": self.subtitle,
            "fields": [{"label": f.label, "value": f.value} for f in self.fields],
            "history": list(self.history),
            "actions": [
                {"action": a.action, "label": a.label, "style": a.style, "params": a.params}
                for a in self.actions
            ],
            "links": [{"label": link.label, "url": link.url} for link in self.links],
            "task_id": self.task_id,
            "instance_id": self.instance_id,
        }


def card_from_dict(raw: dict[str, Any]) -> Card:
    """The inverse of ``Card.to_dict`` (recorded answers are replayed from JSON)."""
    return Card(
        card_id=raw["card_id"],
        kind=raw["kind"],
        title=raw["title"],
        status=raw["status"],
        status_text=raw["status_text"],
        subtitle=raw.get("subtitle", ""),
        fields=tuple(CardField(f["label"], f["value"]) for f in raw.get("fields", [])),
        history=tuple(raw.get("history", [])),
        actions=tuple(
            CardAction(a["action"], a["label"], a.get("style", "default"), a.get("params", {}))
            for a in raw.get("actions", [])
        ),
        links=tuple(CardLink(link["label"], link["url"]) for link in raw.get("links", [])),
        task_id=raw.get("task_id"),
        instance_id=raw.get("instance_id"),
    )


__all__ = [
    "FORM",
    "NOTICE",
    "RESULT",
    "TASK",
    "Card",
    "CardAction",
    "CardField",
    "CardLink",
    "card_from_dict",
]
