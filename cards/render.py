"""Rendering one ``Card`` for each channel with Jinja2 templates (``cards/templates``).

Every rendered WeCom/DingTalk payload is checked against the platform's limits before it
is returned: a card that would be invalid raises ``CardInvalid`` instead of being sent.
"""

from __future__ import annotations

import json
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from cards.limits import truncate, truncate_bytes, validate_dingtalk, validate_wecom
from cards.model import TASK, Card

SOURCE = "京微审批"


class CardInvalid(ValueError):
    """A rendered payload broke a platform limit (a bug in a template, never user input)."""


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("cards", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html", "html.j2"), default_for_string=False),
        undefined=StrictUndefined,
        keep_trailing_newline=False,
    )
    env.filters["cut"] = truncate
    env.filters["cutb"] = truncate_bytes
    env.policies["json.dumps_kwargs"] = {"ensure_ascii": False, "sort_keys": False}
    return env


_ENV = _environment()


def _url(card: Card) -> str:
    return card.links[0].url if card.links else ""


def _sub_title(card: Card) -> str:
    lines = [card.status_text, *card.history[-2:]]
    return " / ".join(line for line in lines if line)


def render_wecom(card: Card, *, send_id: str | None = None, home_url: str = "") -> dict[str, Any]:
    """The ``template_card`` object: button_interaction for an open task, text_notice otherwise.

    ``send_id`` becomes WeCom's ``task_id``, which must never repeat across sends (the
    adapter adds a nonce); ``home_url`` is the jump target when the card has no link.
    """
    url = _url(card) or home_url
    if card.kind == TASK and card.actions:
        template = "wecom_button_interaction.json.j2"
    else:
        template = "wecom_text_notice.json.j2"
    text = _ENV.get_template(template).render(
        card=card,
        source=SOURCE,
        sub_title=_sub_title(card),
        url=url,
        task_id=send_id or card.card_id,
        emphasis=card.status_text.split(" · ")[0],
        emphasis_desc=card.title,
    )
    payload: dict[str, Any] = json.loads(text)
    problems = validate_wecom(payload)
    if problems:
        raise CardInvalid(f"WeCom card {card.card_id}: " + "; ".join(problems))
    return payload


def render_wecom_button_update(card: Card) -> dict[str, Any]:
    """The short update for the clicker's own copy: buttons replaced by the outcome."""
    return {"button": {"replace_name": truncate(card.status_text.split(" · ")[0], 10)}}


def _json_list(items: list[dict[str, Any]], limit: int = 1024) -> str:
    """A JSON array string within ``limit`` bytes: drop items from the end, never cut JSON."""
    while items:
        text = json.dumps(items, ensure_ascii=False, separators=(",", ":"))
        if len(text.encode()) <= limit:
            return text
        items = items[:-1]
    return "[]"


def render_dingtalk(card: Card) -> dict[str, Any]:
    """``cardData`` for the DingTalk template card (variables listed in docs/dingtalk.md)."""
    fields = [{"label": truncate(f.label, 20), "value": truncate(f.value, 60)} for f in card.fields]
    actions = [{"action": a.action, "label": a.label, "style": a.style} for a in card.actions]
    text = _ENV.get_template("dingtalk.json.j2").render(
        card=card,
        url=_url(card),
        fields_json=_json_list(fields),
        history_json=_json_list([{"text": truncate(line, 80)} for line in card.history]),
        actions_json=_json_list(actions),
    )
    payload: dict[str, Any] = json.loads(text)
    problems = validate_dingtalk(payload)
    if problems:
        raise CardInvalid(f"DingTalk card {card.card_id}: " + "; ".join(problems))
    return payload


def render_sandbox(card: Card) -> str:
    """The card as an HTML fragment for the sandbox chat page."""
    return _ENV.get_template("sandbox.html.j2").render(card=card)


__all__ = ["CardInvalid", "render_dingtalk", "render_sandbox", "render_wecom", "render_wecom_button_update"]
