"""sendTask: a notification (or CC, 抄送) to people found like approvers, sent through the outbox.

The recipients come from ``jw:notify`` (approver syntax, kept in ``Node.approver``); the text
from ``jw:message`` with ``${...}`` placeholders. The command writes one
``notification.sent`` outbox row; dispatchers (cards, webhooks) deliver it after commit.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.model import Node
from engine.runtime.execution import Execution
from engine.runtime.state import Token
from engine.templates import render_text


@dataclass(frozen=True, slots=True)
class Notification:
    message: str  # text with ${...} placeholders
    title: str = ""


class SendTask:
    def enter(self, ex: Execution, token: Token, node: Node) -> None:
        spec = node.automation
        assert isinstance(spec, Notification)
        variables = ex.variables(token)
        recipients = ex.approvers(node, variables)
        message = render_text(spec.message, variables, where=f'message of sendTask "{node.id}"')
        ex.record("notified", None, node_id=node.id, details={"recipients": recipients})
        ex.emit(
            "notification.sent",
            {"node_id": node.id, "title": spec.title, "message": message, "recipients": recipients},
        )
        ex.leave(token, ex.matching_flows(node, token, first_only=False))


__all__ = ["Notification", "SendTask"]
