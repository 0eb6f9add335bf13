"""What one command changed, collected in memory and written by the store in one transaction."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(slots=True)
class NewTask:
    id: str
    node_id: str
    name: str
    token_id: str
    assignee: str | None
    candidates: list[str]
    created_at: datetime
    mi_index: int | None = None


@dataclass(slots=True)
class TaskClosed:
    id: str
    status: str  # completed | cancelled
    closed_at: datetime
    outcome: str | None = None
    by: str | None = None
    comment: str | None = None


@dataclass(slots=True)
class HistoryEntry:
    action: str
    actor: str | None
    node_id: str | None = None
    task_id: str | None = None
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class OutboxEvent:
    topic: str
    payload: dict[str, Any]
    task_id: str | None = None


@dataclass(slots=True)
class NewJob:
    """A job row (timer, connector call, ...) written with the command; see ``engine/jobs``."""

    id: str
    kind: str
    due_at: datetime
    payload: dict[str, Any]
    token_id: str | None = None
    node_id: str | None = None
    task_id: str | None = None
    max_attempts: int = 5


@dataclass(slots=True)
class CcEntry:
    """Someone copied on the instance (抄送); ``by`` None for a node's configured CC."""

    user_id: str
    node_id: str | None
    by: str | None


@dataclass(slots=True)
class Effects:
    new_tasks: list[NewTask] = field(default_factory=list)
    closed_tasks: list[TaskClosed] = field(default_factory=list)
    history: list[HistoryEntry] = field(default_factory=list)
    outbox: list[OutboxEvent] = field(default_factory=list)
    cc: list[CcEntry] = field(default_factory=list)
    new_jobs: list[NewJob] = field(default_factory=list)
    cancelled_jobs: list[str] = field(default_factory=list)  # ids of pending jobs to cancel


__all__ = ["CcEntry", "Effects", "HistoryEntry", "NewJob", "NewTask", "OutboxEvent", "TaskClosed"]
