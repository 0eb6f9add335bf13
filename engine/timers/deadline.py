"""A user task's deadline: ``jw:timeout``, ``jw:timeoutAction``, ``jw:remindBefore``, ``jw:calendar``."""

from __future__ import annotations

from dataclasses import dataclass

from engine.model import ApproverSpec
from engine.timers.iso import Duration
from engine.timers.spec import TimerSpec

ACTIONS = ("remind", "escalate", "approve", "reject")


@dataclass(frozen=True, slots=True)
class Deadline:
    timeout: TimerSpec  # a duration (or date) from when the task opens; a cycle repeats "remind"
    action: str = "remind"  # remind | escalate | approve | reject
    escalate_to: ApproverSpec | None = None  # escalate:STRATEGY; None means the assignee's manager
    remind_before: Duration | None = None  # a reminder this long before the deadline


__all__ = ["ACTIONS", "Deadline"]
