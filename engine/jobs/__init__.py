"""Durable jobs: timers, connector calls, webhook deliveries, scheduled starts (docs/automation.md)."""

from engine.jobs.model import (
    CANCELLED,
    CONNECTOR,
    DEAD,
    DONE,
    PENDING,
    RUNNING,
    START,
    TASK_REMINDER,
    TASK_TIMEOUT,
    TIMER,
    WEBHOOK,
    Job,
)
from engine.jobs.store import LostLock, acquire, get_job, insert_jobs, job_row, list_jobs, retry_job
from engine.jobs.worker import DeadHandler, Handler, JobFailed, JobRun, Worker

__all__ = [
    "CANCELLED",
    "CONNECTOR",
    "DEAD",
    "DONE",
    "PENDING",
    "RUNNING",
    "START",
    "TASK_REMINDER",
    "TASK_TIMEOUT",
    "TIMER",
    "WEBHOOK",
    "DeadHandler",
    "Handler",
    "Job",
    "JobFailed",
    "JobRun",
    "LostLock",
    "Worker",
    "acquire",
    "get_job",
    "insert_jobs",
    "job_row",
    "list_jobs",
    "retry_job",
]
