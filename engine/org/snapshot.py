"""What the directory holds before an import: the rows an org file is checked and merged against.

An import is rare and admin-driven, so reading the whole org (narrow rows) in four selects is
simpler and safer than many ``IN (...)`` lists, whose size limits differ between databases.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from engine.store.schema import departments, role_members, roles, users


@dataclass(slots=True)
class Snapshot:
    users: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> row (every column)
    departments: dict[str, dict[str, Any]] = field(default_factory=dict)
    roles: dict[str, str] = field(default_factory=dict)  # id -> name
    members: dict[str, set[str]] = field(default_factory=dict)  # role id -> user ids


def load_snapshot(conn: sa.Connection) -> Snapshot:
    snap = Snapshot()
    for row in conn.execute(sa.select(users)).mappings():
        snap.users[row["id"]] = dict(row)
    for row in conn.execute(sa.select(departments)).mappings():
        snap.departments[row["id"]] = dict(row)
    for role_id, name in conn.execute(sa.select(roles.c.id, roles.c.name)):
        snap.roles[role_id] = name
    for role_id, user_id in conn.execute(sa.select(role_members.c.role_id, role_members.c.user_id)):
        snap.members.setdefault(role_id, set()).add(user_id)
    return snap


__all__ = ["Snapshot", "load_snapshot"]
