"""Per-step field permissions (``jw:fieldPermissions``): editable, read-only or hidden.

At the start every field is editable for the requester. At an approval step a field is what
the step says (``amount:readonly,remark:editable``; ``*`` sets the rest); a step that says
nothing leaves fields read-only once the process has a form: approvers edit only what they
are given. A submission that writes a read-only or hidden field is refused naming the field.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.errors import NotAllowed
from engine.model import Node

EDITABLE = "editable"
READONLY = "readonly"
HIDDEN = "hidden"


def permission(node: Node, key: str) -> str:
    rules = node.field_permissions
    return rules.get(key) or rules.get("*") or READONLY


def check_writable(node: Node, values: Mapping[str, Any]) -> None:
    refused = [
        {"field": key, "message": f"is {'hidden' if p == HIDDEN else 'read-only'} at this step"}
        for key in values
        if (p := permission(node, key)) != EDITABLE
    ]
    if refused:
        first = refused[0]
        label = node.name or node.id
        raise NotAllowed(
            f'"{first["field"]}" {first["message"]} ("{label}"); only editable fields may be submitted',
            details=refused,
        )


def visible_data(node: Node, data: Mapping[str, Any]) -> dict[str, Any]:
    """The instance data as the step's approvers may see it (hidden fields left out)."""
    return {k: v for k, v in data.items() if permission(node, k) != HIDDEN}


__all__ = ["EDITABLE", "HIDDEN", "READONLY", "check_writable", "permission", "visible_data"]
