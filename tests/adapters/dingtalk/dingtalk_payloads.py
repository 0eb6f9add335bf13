"""What DingTalk pushes: bot messages and card callbacks, in the documented field layout."""

from __future__ import annotations

import itertools
import json
import time
from typing import Any

BOT = "$:LWCP_v1:$bot"
CORP = "dingcorp0001"
_seq = itertools.count(1)


def bot_message(
    sender: str,
    text: str | None = None,
    *,
    robot_code: str,
    group: bool = False,
    at: tuple[str, ...] = (),
    msgtype: str = "text",
    content: dict[str, Any] | None = None,
    nick: str = "",
) -> dict[str, Any]:
    """The ``data`` of a ``/v1.0/im/bot/messages/get`` frame."""
    n = next(_seq)
    now = int(time.time() * 1000)
    data: dict[str, Any] = {
        "msgId": f"msg{n:06d}AbC+/=",
        "msgtype": msgtype,
        "conversationId": f"cid-group-{n}" if group else f"cid-single-{sender}",
        "conversationType": "2" if group else "1",
        "senderId": f"$:LWCP_v1:${sender}",
        "senderStaffId": sender,
        "senderNick": nick or sender,
        "senderCorpId": CORP,
        "chatbotUserId": BOT,
        "chatbotCorpId": CORP,
        "robotCode": robot_code,
        "isAdmin": False,
        "createAt": now,
        "sessionWebhook": "https://oapi.dingtalk.com/robot/sendBySession?session=unused",
        "sessionWebhookExpiredTime": now + 5_400_000,
        "senderPlatform": "Mac",
    }
    if group:
        data["conversationTitle"] = "报销讨论群"
        data["isInAtList"] = True
        data["atUsers"] = [{"dingtalkId": BOT}] + [{"dingtalkId": f"$:{u}", "staffId": u} for u in at]
    if msgtype == "text":
        data["text"] = {"content": (" " if group else "") + (text or "")}
    if content is not None:
        data["content"] = content
    return data


def card_callback(track_id: str, user: str, action: str, **params: Any) -> dict[str, Any]:
    """The ``data`` of a ``/v1.0/card/instances/callback`` frame (a "回传请求" button)."""
    return {
        "type": "actionCallback",
        "outTrackId": track_id,
        "corpId": CORP,
        "userId": user,
        "userIdType": 1,
        "spaceType": "IM_ROBOT",
        "spaceId": user,
        "extension": json.dumps({}),
        "content": json.dumps(
            {"cardPrivateData": {"actionIds": [f"btn_{action}"], "params": {"action": action, **params}}},
            ensure_ascii=False,
        ),
    }


__all__ = ["BOT", "CORP", "bot_message", "card_callback"]
