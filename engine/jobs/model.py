"""A job: durable work due at a time (a timer, a connector call, a webhook delivery, a start).

The ``jobs`` table is the truth. A job is ``pending`` until a worker claims it (``running``,
with ``lock_owner`` and ``locked_until``); then ``done``, back to ``pending`` with a later
``due_at`` after a failure (exponential backoff), or ``dead`` after ``max_attempts`` tries (the
dead-letter state, retried by hand). ``cancelled`` jobs were disarmed by a command (the token
moved on). Payloads carry ``schema_version``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

PAYLOAD_VERSION = 1

PENDING = "pending"
RUNNING = "running"
DONE = "done"
DEAD = "dead"
CANCELLED = "cancelled"
STATUSES = (PENDING, RUNNING, DONE, DEAD, CANCELLED)

# kinds
TIMER = "timer"  # boundary and intermediate timer events
TASK_TIMEOUT = "task-timeout"  # jw:timeout on a user task
TASK_REMINDER = "task-reminder"  # jw:remindBefore on a user task
CONNECTOR = "connector"  # serviceTask and rule "call": an HTTP request
START = "start"  # scheduled starts and rule "start": start a process instance
WEBHOOK = "webhook"  # one event delivered to one subscription


@dataclass(slots=True)
class Job:
    id: str
    kind: str
    instance_id: str | None
    token_id: str | None
    node_id: str | None
    task_id: str | None
    due_at: datetime
    payload: dict[str, Any]
    status: str
    attempts: int
    max_attempts: int
    lock_owner: str | None = None
    locked_until: datetime | None = None
    last_error: str | None = None
    created_at: datetime | None = None
    finished_at: datetime | None = None
    order_key: str | None = None
    seq: int | None = None

    def to_dict(self) -> dict[str, Any]:
        def iso(value: datetime | None) -> str | None:
            return None if value is None else value.isoformat(timespec="seconds") + "Z"

        return {
            "id": self.id,
            "kind": self.kind,
            "instance_id": self.instance_id,
            "node_id": self.node_id,
            "task_id": self.task_id,
            "due_at": iso(self.due_at),
            "status": self.status,
            "attempts": self.attempts,
            "max_attempts": self.max_attempts,
            "lock_owner": self.lock_owner,
            "locked_until": iso(self.locked_until),
            "last_error": self.last_error,
            "created_at": iso(self.created_at),
            "finished_at": iso(self.finished_at),
            "payload": self.payload,
        }


def backoff_seconds(attempts: int, base: float, cap: float) -> float:
    """Exponential backoff after the ``attempts``-th failed try: base, 2·base, 4·base … capped."""
    return float(min(cap, base * (2 ** max(0, attempts - 1))))


__all__ = [
    "CANCELLED",
    "CONNECTOR",
    "DEAD",
    "DONE",
    "PAYLOAD_VERSION",
    "PENDING",
    "RUNNING",
    "START",
    "STATUSES",
    "TASK_REMINDER",
    "TASK_TIMEOUT",
    "TIMER",
    "WEBHOOK",
    "Job",
    "backoff_seconds",
]
