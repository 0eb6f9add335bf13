"""Channel-neutral cards built from engine views, rendered for WeCom, DingTalk and the sandbox.

Cards render and never send.
"""

from cards.build import (
    Links,
    People,
    form_card,
    form_fields,
    notice_card,
    result_card,
    task_card,
    task_status_text,
)
from cards.limits import truncate, validate_dingtalk, validate_wecom
from cards.model import FORM, NOTICE, RESULT, TASK, Card, CardAction, CardField, CardLink, card_from_dict
from cards.render import (
    CardInvalid,
    render_dingtalk,
    render_sandbox,
    render_wecom,
    render_wecom_button_update,
)

__all__ = [
    "FORM",
    "NOTICE",
    "RESULT",
    "TASK",
    "Card",
    "CardAction",
    "CardField",
    "CardInvalid",
    "CardLink",
    "Links",
    "People",
    "card_from_dict",
    "form_card",
    "form_fields",
    "notice_card",
    "render_dingtalk",
    "render_sandbox",
    "render_wecom",
    "render_wecom_button_update",
    "result_card",
    "task_card",
    "task_status_text",
    "truncate",
    "validate_dingtalk",
    "validate_wecom",
]
