"""What the engine hands out: plain, JSON-ready views of definitions, instances and tasks.

The same names and keys are used by the CLI, the REST API and the cards.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat(timespec="seconds") + "Z"


@dataclass(slots=True)
class DefinitionView:
    id: str
    key: str
    version: int
    name: str
    deployed_at: datetime

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "key": self.key,
            "version": self.version,
            "name": self.name,
            "deployed_at": _iso(self.deployed_at),
        }


@dataclass(slots=True)
class TaskView:
    id: str
    instance_id: str
    node_id: str
    name: str
    assignee: str | None
    candidates: list[str]
    status: str
    created_at: datetime
    outcome: str | None = None
    completed_by: str | None = None
    completed_at: datetime | None = None
    process_key: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "instance_id": self.instance_id,
            "process_key": self.process_key,
            "node_id": self.node_id,
            "name": self.name,
            "assignee": self.assignee,
            "candidates": self.candidates,
            "status": self.status,
            "outcome": self.outcome,
            "completed_by": self.completed_by,
            "created_at": _iso(self.created_at),
            "completed_at": _iso(self.completed_at),
        }


@dataclass(slots=True)
class HistoryView:
    seq: int
    at: datetime
    actor: str | None
    action: str
    node_id: str | None
    task_id: str | None
    channel: str | None
    details: dict[str, Any]
    hash: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "at": _iso(self.at),
            "actor": self.actor,
            "action": self.action,
            "node_id": self.node_id,
            "task_id": self.task_id,
            "channel": self.channel,
            "details": self.details,
            "hash": self.hash,
        }


@dataclass(slots=True)
class InstanceView:
    id: str
    process_key: str
    version: int
    definition_id: str
    status: str
    starter: str
    data: dict[str, Any]
    started_at: datetime
    ended_at: datetime | None = None
    tasks: list[TaskView] = field(default_factory=list)
    history: list[HistoryView] = field(default_factory=list)

    @classmethod
    def from_row(cls, row: Any) -> InstanceView:
        """The summary of an ``instances`` row (no tasks, no history)."""
        return cls(
            id=row.id,
            process_key=row.process_key,
            version=row.version,
            definition_id=row.definition_id,
            status=row.status,
            starter=row.starter,
            data=row.data,
            started_at=row.started_at,
            ended_at=row.ended_at,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "process_key": self.process_key,
            "version": self.version,
            "definition_id": self.definition_id,
            "status": self.status,
            "starter": self.starter,
            "data": self.data,
            "started_at": _iso(self.started_at),
            "ended_at": _iso(self.ended_at),
            "tasks": [t.to_dict() for t in self.tasks],
            "history": [h.to_dict() for h in self.history],
        }


__all__ = ["DefinitionView", "HistoryView", "InstanceView", "TaskView"]
