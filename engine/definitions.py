"""Deploying definitions (a new version per deploy) and the compiled-graph cache."""

from __future__ import annotations

import hashlib
import threading
from datetime import datetime

import sqlalchemy as sa

from engine.bpmn import export_bpmn, parse_bpmn
from engine.clock import IdFactory
from engine.errors import Conflict, NotFound
from engine.model import ProcessDefinition
from engine.store.schema import definitions
from engine.store.statements import FastStatement
from engine.views import DefinitionView

_LATEST = FastStatement(
    sa.select(definitions.c.id, definitions.c.version)
    .where(definitions.c.key == sa.bindparam("key"))
    .order_by(definitions.c.version.desc())
    .limit(1)
)
_BY_VERSION = sa.select(definitions.c.id, definitions.c.version).where(
    definitions.c.key == sa.bindparam("key"), definitions.c.version == sa.bindparam("version")
)


class DefinitionCache:
    """Compiled graphs by definition id; a version never changes once deployed."""

    def __init__(self) -> None:
        self._compiled: dict[str, ProcessDefinition] = {}
        self._lock = threading.Lock()

    def get(self, conn: sa.Connection, definition_id: str) -> ProcessDefinition:
        compiled = self._compiled.get(definition_id)
        if compiled is None:
            xml = conn.execute(sa.select(definitions.c.xml).where(definitions.c.id == definition_id)).scalar()
            if xml is None:
                raise NotFound(f'unknown definition "{definition_id}"')
            compiled = parse_bpmn(xml).definition
            with self._lock:
                self._compiled[definition_id] = compiled
        return compiled

    def put(self, definition_id: str, compiled: ProcessDefinition) -> None:
        with self._lock:
            self._compiled[definition_id] = compiled


def deploy(
    conn: sa.Connection,
    source: bytes | str,
    *,
    now: datetime,
    ids: IdFactory,
    cache: DefinitionCache,
    by: str | None = None,
) -> DefinitionView:
    """Parse, validate and store a new version; nothing is written when the BPMN is refused."""
    model = parse_bpmn(source)
    latest = _LATEST.first(conn, {"key": model.key})
    version = 1 if latest is None else latest["version"] + 1
    definition_id = ids()
    try:
        conn.execute(
            definitions.insert(),
            {
                "id": definition_id,
                "key": model.key,
                "version": version,
                "name": model.name,
                "xml": model.xml,
                "checksum": hashlib.sha256(model.xml.encode()).hexdigest(),
                "deployed_at": now,
                "deployed_by": by,
            },
        )
    except sa.exc.IntegrityError as exc:
        raise Conflict(f'another deploy of "{model.key}" happened at the same time; deploy again') from exc
    cache.put(definition_id, model.definition)
    from engine.rules.lookups import remember  # the automation layers sit above definitions
    from engine.timers.scheduling import schedule_starts

    schedule_starts(conn, model.key, model.definition.schedule, now=now, ids=ids)
    rules = model.definition.rules
    remember(cache, model.key, rules.lookups() if rules is not None else [])
    return DefinitionView(definition_id, model.key, version, model.name, now)


def deploy_if_changed(
    conn: sa.Connection,
    source: bytes | str,
    *,
    now: datetime,
    ids: IdFactory,
    cache: DefinitionCache,
    by: str | None = None,
) -> tuple[DefinitionView, bool]:
    """Deploy unless the latest version of the key has the same checksum; ``(view, deployed)``."""
    model = parse_bpmn(source)
    latest = conn.execute(
        sa.select(definitions)
        .where(definitions.c.key == model.key)
        .order_by(definitions.c.version.desc())
        .limit(1)
    ).first()
    if latest is not None and latest.checksum == hashlib.sha256(model.xml.encode()).hexdigest():
        return DefinitionView(latest.id, latest.key, latest.version, latest.name, latest.deployed_at), False
    return deploy(conn, source, now=now, ids=ids, cache=cache, by=by), True


def resolve(conn: sa.Connection, key: str, version: int | None = None) -> tuple[str, int]:
    """The id and version to start: the latest unless a version is asked for."""
    if version is None:
        row = _LATEST.first(conn, {"key": key})
    else:
        found = conn.execute(_BY_VERSION, {"key": key, "version": version}).first()
        row = None if found is None else dict(found._mapping)
    if row is None:
        which = f'"{key}"' if version is None else f'"{key}" version {version}'
        raise NotFound(f"no process definition {which} is deployed")
    return row["id"], row["version"]


def list_definitions(conn: sa.Connection, *, latest_only: bool = False) -> list[DefinitionView]:
    rows = conn.execute(
        sa.select(
            definitions.c.id,
            definitions.c.key,
            definitions.c.version,
            definitions.c.name,
            definitions.c.deployed_at,
        ).order_by(definitions.c.key, definitions.c.version)
    ).all()
    views = [DefinitionView(r.id, r.key, r.version, r.name, r.deployed_at) for r in rows]
    if latest_only:
        newest: dict[str, DefinitionView] = {}
        for view in views:
            newest[view.key] = view
        views = list(newest.values())
    return views


def definition_xml(conn: sa.Connection, key: str, version: int | None = None) -> str:
    definition_id, _ = resolve(conn, key, version)
    xml = conn.execute(sa.select(definitions.c.xml).where(definitions.c.id == definition_id)).scalar_one()
    return export_bpmn(xml)


__all__ = ["DefinitionCache", "definition_xml", "deploy", "deploy_if_changed", "list_definitions", "resolve"]
