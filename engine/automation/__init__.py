"""Automation wired together: the job handlers, the outbox relay and the follow-up commands."""

from engine.automation.commands import AutomationCommands
from engine.automation.worker import build_worker

__all__ = ["AutomationCommands", "build_worker"]
