"""The bot's wording for errors: one place, keyed by the engine's stable error codes."""

from __future__ import annotations

from engine import JingweiError

PREFIX = {
    "not_found": "找不到",
    "conflict": "已处理",
    "not_allowed": "无权操作",
    "invalid_input": "输入有误",
    "invalid_expression": "条件有误",
    "no_approver": "找不到审批人",
    "rate_limited": "操作太频繁",
}


def error_text(exc: JingweiError) -> str:
    """``[prefix] message`` — the engine's message is already one line a person can act on."""
    prefix = PREFIX.get(exc.code)
    return f"[{prefix}] {exc.message}" if prefix else exc.message


UNKNOWN_USER = (
    "I can't find you in the organisation (你还没有绑定组织账号). "
    "Ask an admin to import or sync your account."
)
BUSY = "This message is still being handled (正在处理上一条相同的消息)."
INTERNAL = "Something went wrong on our side; nothing was changed. Please try again (系统错误，未做任何修改)."

__all__ = ["BUSY", "INTERNAL", "UNKNOWN_USER", "error_text"]
