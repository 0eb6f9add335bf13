"""Decision tables in the database: a new version per deploy; evaluations use the latest."""

from __future__ import annotations

import json
import threading
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from engine.clock import IdFactory
from engine.decisions.dmn import parse_dmn
from engine.decisions.table import DecisionTable, table_from_json
from engine.errors import InvalidInput, NotFound
from engine.store.schema import decisions

_compiled: dict[str, DecisionTable] = {}  # by row id: a version never changes once deployed
_lock = threading.Lock()


def read_tables(source: bytes | str, filename: str = "") -> list[dict[str, Any]]:
    """DMN XML or our JSON (one table or a list) → table JSONs."""
    text = source.decode("utf-8-sig") if isinstance(source, bytes) else source
    if filename.lower().endswith(".json") or text.lstrip().startswith(("{", "[")):
        try:
            raw = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InvalidInput(
                f"the decision file is not valid JSON: {exc.msg} at line {exc.lineno}"
            ) from exc
        return raw if isinstance(raw, list) else [raw]
    return parse_dmn(source)


def deploy_decisions(
    conn: sa.Connection, source: bytes | str, *, now: datetime, ids: IdFactory, filename: str = ""
) -> list[DecisionTable]:
    deployed: list[DecisionTable] = []
    for raw in read_tables(source, filename):
        table = table_from_json(raw)  # checks everything before anything is written
        latest = conn.execute(
            sa.select(sa.func.max(decisions.c.version)).where(decisions.c.key == table.key)
        ).scalar()
        table.version = (latest or 0) + 1
        conn.execute(
            decisions.insert().values(
                id=ids(),
                key=table.key,
                version=table.version,
                name=table.name,
                body=table.source,
                deployed_at=now,
            )
        )
        deployed.append(table)
    return deployed


def latest_table(conn: sa.Connection, key: str) -> DecisionTable:
    row = conn.execute(
        sa.select(decisions.c.id, decisions.c.version)
        .where(decisions.c.key == key)
        .order_by(decisions.c.version.desc())
        .limit(1)
    ).first()
    if row is None:
        raise NotFound(f'no decision table "{key}" is deployed (jingwei decision deploy FILE)')
    table = _compiled.get(row.id)
    if table is None:
        body = conn.execute(sa.select(decisions.c.body).where(decisions.c.id == row.id)).scalar_one()
        table = table_from_json(body, version=row.version)
        with _lock:
            _compiled[row.id] = table
    return table


def list_decisions(conn: sa.Connection) -> list[dict[str, Any]]:
    rows = conn.execute(
        sa.select(decisions.c.key, decisions.c.version, decisions.c.name, decisions.c.deployed_at).order_by(
            decisions.c.key, decisions.c.version
        )
    ).all()
    return [
        {
            "key": r.key,
            "version": r.version,
            "name": r.name,
            "deployed_at": r.deployed_at.isoformat(timespec="seconds") + "Z",
        }
        for r in rows
    ]


__all__ = ["deploy_decisions", "latest_table", "list_decisions", "read_tables"]
