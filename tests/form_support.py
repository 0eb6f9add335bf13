"""A form-js schema with every field kind the engine reads."""

from __future__ import annotations

from typing import Any

EVERY_KIND: dict[str, Any] = {
    "type": "default",
    "id": "everything",
    "components": [
        {"type": "text", "text": "# 标题 (display only)"},
        {
            "type": "textfield",
            "key": "title",
            "label": "标题",
            "validate": {"required": True, "maxLength": 50},
        },
        {"type": "textarea", "key": "reason"},
        {"type": "number", "key": "days", "decimalDigits": 1, "validate": {"min": 0.5, "max": 30}},
        {"type": "money", "key": "total"},
        {"type": "datetime", "subtype": "date", "key": "due"},
        {"type": "daterange", "key": "period"},
        {"type": "select", "key": "kind", "values": [{"label": "差旅", "value": "travel"}]},
        {
            "type": "radio",
            "key": "urgent",
            "values": [{"label": "是", "value": "yes"}, {"label": "否", "value": "no"}],
        },
        {
            "type": "checklist",
            "key": "tags",
            "values": [{"label": "A", "value": "a"}, {"label": "B", "value": "b"}],
        },
        {"type": "checkbox", "key": "agree"},
        {"type": "userpicker", "key": "reviewer"},
        {"type": "deptpicker", "key": "dept"},
        {"type": "filepicker", "key": "invoices"},
        {
            "type": "group",
            "components": [
                {
                    "type": "dynamiclist",
                    "path": "lines",
                    "properties": {"jw:minRows": "1"},
                    "components": [{"type": "textfield", "key": "item"}, {"type": "money", "key": "amount"}],
                }
            ],
        },
    ],
}
