"""Connector configurations in the database (managed with ``jingwei connector add|list|remove``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from engine.connectors.config import ConnectorConfig, parse_connector
from engine.errors import NotFound
from engine.store.schema import connectors


def save_connector(conn: sa.Connection, raw: dict[str, Any], now: datetime) -> ConnectorConfig:
    config = parse_connector(raw)
    conn.execute(connectors.delete().where(connectors.c.name == config.name))
    conn.execute(connectors.insert().values(name=config.name, config=config.raw, updated_at=now))
    return config


def load_connector(conn: sa.Connection, name: str) -> ConnectorConfig:
    raw = conn.execute(sa.select(connectors.c.config).where(connectors.c.name == name)).scalar()
    if raw is None:
        raise NotFound(f'unknown connector "{name}" (jingwei connector add FILE.json)')
    return parse_connector(raw)


def list_connectors(conn: sa.Connection) -> list[dict[str, Any]]:
    rows = conn.execute(sa.select(connectors).order_by(connectors.c.name)).all()
    return [{"name": r.name, "base_url": r.config.get("base_url"), "config": r.config} for r in rows]


def remove_connector(conn: sa.Connection, name: str) -> None:
    if conn.execute(connectors.delete().where(connectors.c.name == name)).rowcount != 1:
        raise NotFound(f'unknown connector "{name}"')


__all__ = ["list_connectors", "load_connector", "remove_connector", "save_connector"]
