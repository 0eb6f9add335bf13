"""Webhook subscriptions and the delivery log (``jingwei webhook add|list|remove``, ``deliveries``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from engine.clock import IdFactory
from engine.errors import InvalidInput, NotFound
from engine.store.schema import webhook_deliveries, webhooks

EVENTS = (
    "instance.started",
    "instance.completed",
    "instance.rejected",
    "instance.withdrawn",
    "instance.terminated",
    "instance.commented",
    "instance.incident",
    "task.created",
    "task.completed",
    "task.overdue",
    "notification.sent",
)
ALIASES = {"comment.added": "instance.commented"}


def check_events(events: list[str]) -> list[str]:
    out: list[str] = []
    for raw in events:
        for name in (e.strip() for e in raw.split(",")):
            name = ALIASES.get(name, name)
            if not name:
                continue
            if name != "*" and name not in EVENTS:
                raise InvalidInput(f'unknown webhook event "{name}"; use * or one of: {", ".join(EVENTS)}')
            out.append(name)
    if not out:
        raise InvalidInput(
            "a webhook needs at least one event (--events instance.completed,task.created or *)"
        )
    return list(dict.fromkeys(out))


def add_webhook(
    conn: sa.Connection, url: str, events: list[str], secret: str, *, now: datetime, ids: IdFactory
) -> dict[str, Any]:
    if not url.startswith(("http://", "https://")):
        raise InvalidInput(f'webhook URL "{url}" must start with http:// or https://')
    if len(secret) < 16:
        raise InvalidInput("a webhook secret needs at least 16 characters")
    row = {
        "id": ids(),
        "url": url,
        "events": check_events(events),
        "secret": secret,
        "active": True,
        "created_at": now,
    }
    conn.execute(webhooks.insert().values(**row))
    return {k: v for k, v in row.items() if k != "secret"}


def list_webhooks(conn: sa.Connection) -> list[dict[str, Any]]:
    rows = conn.execute(sa.select(webhooks).order_by(webhooks.c.created_at)).all()
    return [
        {
            "id": r.id,
            "url": r.url,
            "events": r.events,
            "active": r.active,
            "created_at": r.created_at.isoformat(timespec="seconds") + "Z",
        }
        for r in rows
    ]


def active_webhooks(conn: sa.Connection) -> list[Any]:
    return list(conn.execute(sa.select(webhooks).where(webhooks.c.active.is_(True))).all())


def load_webhook(conn: sa.Connection, webhook_id: str) -> Any:
    row = conn.execute(sa.select(webhooks).where(webhooks.c.id == webhook_id)).first()
    if row is None:
        raise NotFound(f'unknown webhook "{webhook_id}"')
    return row


def remove_webhook(conn: sa.Connection, webhook_id: str) -> None:
    if conn.execute(webhooks.delete().where(webhooks.c.id == webhook_id)).rowcount != 1:
        raise NotFound(f'unknown webhook "{webhook_id}"')


def log_delivery(conn: sa.Connection, **row: Any) -> None:
    conn.execute(webhook_deliveries.insert().values(**row))


def list_deliveries(
    conn: sa.Connection, *, webhook_id: str | None = None, limit: int = 100
) -> list[dict[str, Any]]:
    stmt = sa.select(webhook_deliveries).order_by(webhook_deliveries.c.id.desc()).limit(limit)
    if webhook_id is not None:
        stmt = stmt.where(webhook_deliveries.c.webhook_id == webhook_id)
    return [
        {**dict(r._mapping), "at": r.at.isoformat(timespec="seconds") + "Z"} for r in conn.execute(stmt).all()
    ]


__all__ = [
    "EVENTS",
    "active_webhooks",
    "add_webhook",
    "check_events",
    "list_deliveries",
    "list_webhooks",
    "load_webhook",
    "log_delivery",
    "remove_webhook",
]
