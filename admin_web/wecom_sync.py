"""Org sync from WeCom contacts: once from the command line, or on a schedule in the service.

``jingwei org sync wecom`` reads departments and members with the app's secret and imports
them like an org file (``engine.org.import_org``: upsert, nothing deleted). With
``JINGWEI_WECOM_SYNC_MINUTES`` set, the service does the same every N minutes (APScheduler,
first run at start-up) and soon after a ``change_contact`` callback.
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import Executor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from adapters.wecom import WeComApiError, WeComClient, fetch_contacts, to_org_document
from admin_web.settings import Settings
from engine import Database, InvalidInput
from engine.org import Directory, ImportResult, import_org

log = logging.getLogger("jingwei.wecom.sync")
JOB_ID = "wecom-org-sync"
AFTER_CHANGE_SECONDS = 10  # a burst of change_contact callbacks becomes one sync


@dataclass(frozen=True, slots=True)
class SyncOutcome:
    result: ImportResult
    departments: int
    users: int
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.result.to_dict(),
            "wecom_departments": self.departments,
            "wecom_users": self.users,
            "notes": self.notes,
        }

    def text(self) -> str:
        lines = [f"synced from WeCom ({self.departments} departments, {self.users} members): {self.result}"]
        lines += [f"  note: {note}" for note in self.notes]
        return "\n".join(lines)


def client_for(settings: Settings) -> WeComClient:
    missing = [n for n in ("wecom_corp_id", "wecom_secret") if n in settings.wecom_missing()]
    if missing or settings.wecom_corp_id is None or settings.wecom_secret is None:
        names = ", ".join(f"JINGWEI_{n.upper()}" for n in missing)
        raise InvalidInput(f"WeCom contacts sync needs {names} (see docs/wecom.md)")
    return WeComClient(
        settings.wecom_corp_id, settings.wecom_secret.get_secret_value(), api_base=settings.wecom_api_base
    )


def sync_org(db: Database, client: WeComClient) -> SyncOutcome:
    """Blocking: fetch the contacts, then import them in one transaction."""
    contacts = fetch_contacts(client)
    with db.write() as conn:
        existing = {u.id: u for u in Directory(conn).list_users()}
        translation = to_org_document(contacts, existing)
        result = import_org(conn, translation.document)
    return SyncOutcome(result, len(contacts.departments), len(contacts.users), translation.notes)


class ScheduledSync:
    """The periodic sync inside the service; owned by the WeCom cleanup context."""

    def __init__(self, db: Database, client: WeComClient, *, minutes: int, executor: Executor) -> None:
        self.db = db
        self.client = client
        self.minutes = minutes
        self.executor = executor
        self.scheduler: AsyncIOScheduler | None = None
        self.last: SyncOutcome | None = None

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            self.last = await loop.run_in_executor(self.executor, sync_org, self.db, self.client)
        except Exception:
            log.exception("WeCom org sync failed")
            return
        log.info("%s", self.last.text())

    def start(self) -> None:
        self.scheduler = AsyncIOScheduler(event_loop=asyncio.get_running_loop(), timezone=UTC)
        self.scheduler.add_job(
            self.run,
            "interval",
            minutes=self.minutes,
            id=JOB_ID,
            next_run_time=datetime.now(UTC),
            max_instances=1,
            coalesce=True,
        )
        self.scheduler.start()

    def soon(self) -> None:
        """Contacts changed in WeCom: sync shortly instead of waiting for the next interval."""
        if self.scheduler is not None and self.scheduler.running:
            when = datetime.now(UTC) + timedelta(seconds=AFTER_CHANGE_SECONDS)
            self.scheduler.modify_job(JOB_ID, next_run_time=when)

    def stop(self) -> None:
        if self.scheduler is not None and self.scheduler.running:
            self.scheduler.shutdown(wait=False)


def run_sync_command(settings: Settings, db: Database) -> SyncOutcome:
    """``jingwei org sync wecom``: WeCom's departments and members into the org in ``db``."""
    client = client_for(settings)
    try:
        return sync_org(db, client)
    except WeComApiError as exc:
        raise InvalidInput(f"WeCom refused the contacts sync: {exc}") from exc


__all__ = ["ScheduledSync", "SyncOutcome", "client_for", "run_sync_command", "sync_org"]
