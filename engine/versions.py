"""Versions of an instance's form data (版本回溯): who changed what, when, and the diff.

The versions are read from the hash-chained history, so they are as tamper-evident as the
rest of the audit trail: the ``started`` row carries the submitted data (version 1) and every
later submission that changed a field writes a ``data_changed`` row with the changed fields.
Values the engine sets itself (``approved``) are process variables, not form data, and are
not versions.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from engine.store.instances import load_instance
from engine.store.schema import history

_MISSING = object()


@dataclass(slots=True)
class DataVersion:
    version: int
    at: datetime
    actor: str | None
    node_id: str | None
    data: dict[str, Any]
    changes: list[dict[str, Any]] = field(default_factory=list)  # diff from the version before

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "at": self.at.isoformat(timespec="seconds") + "Z",
            "actor": self.actor,
            "node_id": self.node_id,
            "data": self.data,
            "changes": self.changes,
        }


def diff_data(before: Any, after: Any, path: str = "") -> list[dict[str, Any]]:
    """Field-level differences, with paths like ``lines[2].amount``; each ``{field, kind, before, after}``."""
    if isinstance(before, Mapping) and isinstance(after, Mapping):
        out: list[dict[str, Any]] = []
        for key in [*before, *(k for k in after if k not in before)]:
            sub = f"{path}.{key}" if path else str(key)
            out.extend(diff_data(before.get(key, _MISSING), after.get(key, _MISSING), sub))
        return out
    if isinstance(before, list) and isinstance(after, list):
        out = []
        for index in range(max(len(before), len(after))):
            old = before[index] if index < len(before) else _MISSING
            new = after[index] if index < len(after) else _MISSING
            out.extend(diff_data(old, new, f"{path}[{index}]"))
        return out
    if before == after:
        return []
    if before is _MISSING:
        return [{"field": path, "kind": "added", "before": None, "after": after}]
    if after is _MISSING:
        return [{"field": path, "kind": "removed", "before": before, "after": None}]
    return [{"field": path, "kind": "changed", "before": before, "after": after}]


def data_versions(conn: sa.Connection, instance_id: str) -> list[DataVersion]:
    load_instance(conn, instance_id)  # NotFound for an unknown id
    rows = conn.execute(
        sa.select(history.c.at, history.c.actor, history.c.action, history.c.node_id, history.c.details)
        .where(history.c.instance_id == instance_id, history.c.action.in_(("started", "data_changed")))
        .order_by(history.c.seq)
    ).all()
    versions: list[DataVersion] = []
    current: dict[str, Any] = {}
    for row in rows:
        if row.action == "started":
            after = dict(row.details.get("data") or {})
        else:
            after = {**current, **row.details["changes"]}
            for key in row.details.get("removed", ()):  # fields a take-back removed again
                after.pop(key, None)
        versions.append(
            DataVersion(len(versions) + 1, row.at, row.actor, row.node_id, after, diff_data(current, after))
        )
        current = after
    return versions


__all__ = ["DataVersion", "data_versions", "diff_data"]
