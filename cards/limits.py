"""Field limits of the chat platforms, truncation, and validators for rendered payloads.

WeCom's template_card limits (Doc 90236) are characters for text and bytes for keys and
ids; where the document gives a range ("≤26..36") we keep to the lower bound so a card is
valid on every client. DingTalk card data values are strings of at most 1 KB, keys at
most 100 bytes.
"""

from __future__ import annotations

import re
from typing import Any

ELLIPSIS = "…"

WECOM = {
    "source.desc": 13,
    "main_title.title": 26,
    "main_title.desc": 30,
    "sub_title_text": 112,
    "horizontal_content_list": 6,  # items
    "horizontal_content.keyname": 5,
    "horizontal_content.value": 26,
    "button_list": 6,  # items
    "button.text": 10,
    "button.key_bytes": 1024,
    "task_id_bytes": 128,
    "emphasis_content.title": 10,
    "emphasis_content.desc": 15,
    "replace_name": 10,
}
DINGTALK_VALUE_BYTES = 1024
DINGTALK_KEY_BYTES = 100
_TASK_ID = re.compile(r"^[A-Za-z0-9_\-@]+$")


def truncate(text: str, limit: int) -> str:
    """At most ``limit`` characters, ending in "…" when something was cut."""
    text = " ".join(text.split())  # cards show one line: newlines and runs of spaces collapse
    return text if len(text) <= limit else text[: limit - 1] + ELLIPSIS


def truncate_bytes(text: str, limit: int) -> str:
    """At most ``limit`` UTF-8 bytes, cut on a character boundary, ending in "…" when cut."""
    if len(text.encode()) <= limit:
        return text
    budget = limit - len(ELLIPSIS.encode())
    out = text.encode()[:budget].decode(errors="ignore")
    return out + ELLIPSIS


def _check(problems: list[str], where: str, value: Any, limit: int) -> None:
    if not isinstance(value, str):
        problems.append(f"{where} is not text")
    elif len(value) > limit:
        problems.append(f"{where} has {len(value)} characters (at most {limit})")


def validate_wecom(card: dict[str, Any]) -> list[str]:
    """Problems with a rendered WeCom template_card; empty when it may be sent."""
    problems: list[str] = []
    kind = card.get("card_type")
    if kind not in ("button_interaction", "text_notice"):
        return [f"card_type {kind!r} is not one we send"]
    if "source" in card:
        _check(problems, "source.desc", card["source"].get("desc", ""), WECOM["source.desc"])
    title = card.get("main_title", {})
    if not title.get("title") and not card.get("sub_title_text"):
        problems.append("main_title.title or sub_title_text is required")
    _check(problems, "main_title.title", title.get("title", ""), WECOM["main_title.title"])
    _check(problems, "main_title.desc", title.get("desc", ""), WECOM["main_title.desc"])
    _check(problems, "sub_title_text", card.get("sub_title_text", ""), WECOM["sub_title_text"])
    items = card.get("horizontal_content_list", [])
    if len(items) > WECOM["horizontal_content_list"]:
        problems.append(f"horizontal_content_list has {len(items)} items (at most 6)")
    for i, item in enumerate(items):
        if not item.get("keyname"):
            problems.append(f"horizontal_content_list[{i}].keyname is required")
        _check(problems, f"horizontal_content_list[{i}].keyname", item.get("keyname", ""), 5)
        _check(problems, f"horizontal_content_list[{i}].value", item.get("value", ""), 26)
    if "emphasis_content" in card:
        emphasis = card["emphasis_content"]
        _check(problems, "emphasis_content.title", emphasis.get("title", ""), WECOM["emphasis_content.title"])
        _check(problems, "emphasis_content.desc", emphasis.get("desc", ""), WECOM["emphasis_content.desc"])
    if kind == "text_notice":
        action = card.get("card_action") or {}
        if action.get("type") != 1 or not action.get("url"):
            problems.append("text_notice needs card_action with type 1 and a url")
    else:
        task_id = card.get("task_id", "")
        if not task_id or not _TASK_ID.match(task_id) or len(task_id.encode()) > WECOM["task_id_bytes"]:
            problems.append(f"task_id {task_id!r} must be 1-128 bytes of letters, digits, _-@")
        buttons = card.get("button_list", [])
        if not 1 <= len(buttons) <= WECOM["button_list"]:
            problems.append(f"button_list has {len(buttons)} buttons (1 to 6)")
        keys = [b.get("key", "") for b in buttons]
        if len(set(keys)) != len(keys):
            problems.append("button keys must be unique")
        for i, button in enumerate(buttons):
            _check(problems, f"button_list[{i}].text", button.get("text", ""), WECOM["button.text"])
            key = button.get("key", "")
            if not key or len(key.encode()) > WECOM["button.key_bytes"]:
                problems.append(f"button_list[{i}].key must be 1-1024 bytes")
    return problems


def validate_dingtalk(card_data: dict[str, Any]) -> list[str]:
    """Problems with rendered DingTalk ``cardData``; empty when it may be sent."""
    problems: list[str] = []
    params = card_data.get("cardParamMap")
    if not isinstance(params, dict):
        return ["cardData.cardParamMap is required"]
    for key, value in params.items():
        if len(key.encode()) > DINGTALK_KEY_BYTES:
            problems.append(f"cardParamMap key {key[:20]!r}… is over {DINGTALK_KEY_BYTES} bytes")
        if not isinstance(value, str):
            problems.append(f"cardParamMap[{key!r}] is not a string")
        elif len(value.encode()) > DINGTALK_VALUE_BYTES:
            problems.append(f"cardParamMap[{key!r}] is {len(value.encode())} bytes (at most 1024)")
    return problems


__all__ = [
    "DINGTALK_VALUE_BYTES",
    "WECOM",
    "truncate",
    "truncate_bytes",
    "validate_dingtalk",
    "validate_wecom",
]
