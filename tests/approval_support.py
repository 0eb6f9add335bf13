"""Helpers for the approval-operation tests: an org with an admin, table snapshots, task lookups."""

from __future__ import annotations

import copy
from typing import Any

import sqlalchemy as sa
from support import SMALL_ORG

from engine import ProcessEngine
from engine.store.schema import metadata

# the small org plus an org-wide admin (role "admin": boss)
ORG = copy.deepcopy(SMALL_ORG)
ORG["roles"].append({"id": "admin", "name": "Admins", "members": ["boss"]})


def snapshot(eng: ProcessEngine) -> dict[str, list[Any]]:
    """Every row of every table, to prove that a refused command changed nothing."""
    with eng.db.read() as conn:
        return {
            t.name: sorted(
                (repr(tuple(r)) for r in conn.execute(sa.select(t))),
            )
            for t in metadata.sorted_tables
        }


def open_tasks(eng: ProcessEngine, instance_id: str) -> list[tuple[str, str | None]]:
    return sorted((t.node_id, t.assignee) for t in eng.tasks(instance_id=instance_id))


def task_of(eng: ProcessEngine, instance_id: str, user: str) -> str:
    mine = [t for t in eng.tasks(instance_id=instance_id) if t.assignee == user or user in t.candidates]
    assert len(mine) == 1, (user, mine)
    return mine[0].id


def actions(eng: ProcessEngine, instance_id: str) -> list[str]:
    return [h.action for h in eng.instance(instance_id).history]
