"""Robot messages: text answers and one-way notices, 1:1 (``oToMessages/batchSend``) or to a group.

Cards without decisions (the outcome of a request, an urge, a CC) arrive as a new
message rather than an update of an older card, so the person is actually notified.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from adapters.dingtalk.config import DingTalkConfig
from adapters.dingtalk.inbound import Origin
from adapters.dingtalk.openapi import DingTalkError, OpenApi
from cards import Card, truncate

BATCH_SEND = "/v1.0/robot/oToMessages/batchSend"
GROUP_SEND = "/v1.0/robot/groupMessages/send"
TEXT_LIMIT = 3000


def in_dingtalk(url: str) -> str:
    """A link that opens in DingTalk's side panel on the desktop and in-app on phones."""
    return f"dingtalk://dingtalkclient/page/link?url={quote(url, safe='')}&pc_slide=true"


def card_markdown(card: Card) -> tuple[str, str]:
    """(title, markdown) of a card for a robot message."""
    lines = [f"#### {card.title}", f"**{card.status_text}**"]
    if card.subtitle:
        lines.append(card.subtitle)
    if card.fields:
        lines.append("")
        lines += [f"- {f.label}：{truncate(f.value, 80)}" for f in card.fields[:8]]
    if card.history:
        lines.append("")
        lines += [f"> {line}" for line in card.history]
    return truncate(card.title, 40), "\n\n".join(lines)[:TEXT_LIMIT]


def card_message(card: Card) -> tuple[str, dict[str, Any]]:
    """(msgKey, msgParam) for a card: an action card with a "details" button when it has a link."""
    title, text = card_markdown(card)
    if card.links:
        link = card.links[0]
        return "sampleActionCard", {
            "title": title,
            "text": text,
            "singleTitle": link.label,
            "singleURL": in_dingtalk(link.url),
        }
    return "sampleMarkdown", {"title": title, "text": text}


class Robot:
    def __init__(self, api: OpenApi, config: DingTalkConfig) -> None:
        self.api = api
        self.config = config

    async def to_user(self, dingtalk_user: str, msg_key: str, param: dict[str, Any]) -> str:
        """Send one message to a person's chat with the robot; returns DingTalk's processQueryKey."""
        body = {
            "robotCode": self.config.robot,
            "userIds": [dingtalk_user],
            "msgKey": msg_key,
            "msgParam": json.dumps(param, ensure_ascii=False),
        }
        answer = await self.api.call("POST", BATCH_SEND, body)
        for field, code in (
            ("invalidStaffIdList", "user.invalid"),
            ("flowControlledStaffIdList", "throttled"),
        ):
            if dingtalk_user in (answer.get(field) or []):
                raise DingTalkError(BATCH_SEND, 200, code, f"{dingtalk_user} in {field}")
        return str(answer.get("processQueryKey") or "")

    async def to_group(self, conversation_id: str, msg_key: str, param: dict[str, Any]) -> str:
        body = {
            "robotCode": self.config.robot,
            "openConversationId": conversation_id,
            "msgKey": msg_key,
            "msgParam": json.dumps(param, ensure_ascii=False),
        }
        answer = await self.api.call("POST", GROUP_SEND, body)
        return str(answer.get("processQueryKey") or "")

    async def say(self, origin: Origin, text: str) -> str:
        """Answer a message where it was sent: in the group, or in the 1:1 chat."""
        param = {"content": text[:TEXT_LIMIT]}
        if origin.group and origin.conversation_id:
            return await self.to_group(origin.conversation_id, "sampleText", param)
        return await self.to_user(origin.user, "sampleText", param)

    async def send_card(self, dingtalk_user: str, card: Card) -> str:
        msg_key, param = card_message(card)
        return await self.to_user(dingtalk_user, msg_key, param)


__all__ = ["BATCH_SEND", "GROUP_SEND", "Robot", "card_markdown", "card_message", "in_dingtalk"]
