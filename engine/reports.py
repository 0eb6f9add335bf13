"""Read models of the console: instance search with a date range, where an instance stands, the dashboard.

Queries are SQLAlchemy Core over the indexed columns; durations and percentiles are computed
in Python over a bounded window of recent instances, which keeps them portable across
SQLite, PostgreSQL and MariaDB.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from engine.queries import list_tasks
from engine.store.schema import definitions, history, instances
from engine.views import InstanceView

STATUSES = ("running", "completed", "rejected", "withdrawn", "terminated")
DURATION_SAMPLE = 20_000  # ended instances read for durations and percentiles


def _filters(
    stmt: Any,
    *,
    process_key: str | None = None,
    status: str | None = None,
    starter: str | None = None,
    started_from: datetime | None = None,
    started_to: datetime | None = None,
) -> Any:
    if process_key:
        stmt = stmt.where(instances.c.process_key == process_key)
    if status:
        stmt = stmt.where(instances.c.status == status)
    if starter:
        stmt = stmt.where(instances.c.starter == starter)
    if started_from is not None:
        stmt = stmt.where(instances.c.started_at >= started_from)
    if started_to is not None:
        stmt = stmt.where(instances.c.started_at < started_to)
    return stmt


def search_instances(
    conn: sa.Connection,
    *,
    process_key: str | None = None,
    status: str | None = None,
    starter: str | None = None,
    started_from: datetime | None = None,
    started_to: datetime | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[InstanceView], int]:
    """A page of instances, newest first, and how many match in all."""
    where: dict[str, Any] = {
        "process_key": process_key,
        "status": status,
        "starter": starter,
        "started_from": started_from,
        "started_to": started_to,
    }
    columns = [c for c in instances.c if c.name != "state"]
    stmt = _filters(sa.select(*columns), **where)
    stmt = (
        stmt.order_by(instances.c.started_at.desc(), instances.c.id.desc())
        .limit(limit)
        .offset(offset or None)
    )
    items = [InstanceView.from_row(r) for r in conn.execute(stmt)]
    total = conn.execute(_filters(sa.select(sa.func.count()).select_from(instances), **where)).scalar_one()
    return items, int(total)


def instance_positions(conn: sa.Connection, instance_id: str) -> dict[str, list[str]]:
    """Where the instance's tokens wait (``active``) and the nodes its history names (``visited``)."""
    state = conn.execute(sa.select(instances.c.state).where(instances.c.id == instance_id)).scalar()
    tokens = (state or {}).get("tokens", []) if isinstance(state, dict) else []
    active = {t["node"] for t in tokens if isinstance(t, dict) and t.get("node")}
    active |= {t.node_id for t in list_tasks(conn, instance_id=instance_id, status="open", limit=1000)}
    rows = conn.execute(
        sa.select(history.c.node_id).where(
            history.c.instance_id == instance_id, history.c.node_id.is_not(None)
        )
    )
    visited = {r.node_id for r in rows}
    return {"active": sorted(active), "visited": sorted(visited - active)}


def _percentile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return 0.0
    index = min(len(sorted_values) - 1, max(0, round(q * (len(sorted_values) - 1))))
    return sorted_values[index]


def dashboard(
    conn: sa.Connection, *, now: datetime, days: int = 30, process_key: str | None = None
) -> dict[str, Any]:
    """Counts by status and by process, durations (average, p50, p90) and starts per day in the window."""
    since = now - timedelta(days=days)
    scope = [instances.c.started_at >= since]
    if process_key:
        scope.append(instances.c.process_key == process_key)
    by_status = {s: 0 for s in STATUSES}
    by_process: dict[str, dict[str, int]] = defaultdict(lambda: {s: 0 for s in STATUSES})
    counted = sa.select(instances.c.process_key, instances.c.status, sa.func.count().label("n")).where(*scope)
    for row in conn.execute(counted.group_by(instances.c.process_key, instances.c.status)):
        by_status[row.status] = by_status.get(row.status, 0) + int(row.n)
        by_process[row.process_key][row.status] = int(row.n)
    ended = (
        sa.select(instances.c.process_key, instances.c.started_at, instances.c.ended_at)
        .where(*scope, instances.c.ended_at.is_not(None))
        .order_by(instances.c.ended_at.desc())
        .limit(DURATION_SAMPLE)
    )
    spans: dict[str, list[float]] = defaultdict(list)
    for row in conn.execute(ended):
        spans[row.process_key].append(max(0.0, (row.ended_at - row.started_at).total_seconds()))
    durations = []
    for key, values in sorted(spans.items()):
        values.sort()
        durations.append(
            {
                "process_key": key,
                "count": len(values),
                "average_seconds": sum(values) / len(values),
                "p50_seconds": _percentile(values, 0.5),
                "p90_seconds": _percentile(values, 0.9),
            }
        )
    per_day: Counter[str] = Counter()
    day = sa.func.date(instances.c.started_at)
    for row in conn.execute(
        sa.select(day.label("day"), sa.func.count().label("n")).where(*scope).group_by(day)
    ):
        per_day[str(row.day)[:10]] += int(row.n)
    days_list = [(since + timedelta(days=i + 1)).date().isoformat() for i in range(days)]
    names = dict(
        conn.execute(sa.select(definitions.c.key, definitions.c.name).order_by(definitions.c.version)).all()
    )
    return {
        "days": days,
        "since": since.isoformat(timespec="seconds") + "Z",
        "total": sum(by_status.values()),
        "by_status": by_status,
        "by_process": [
            {"process_key": k, "name": names.get(k, k), "counts": v, "total": sum(v.values())}
            for k, v in sorted(by_process.items())
        ],
        "durations": durations,
        "per_day": [{"day": d, "started": per_day.get(d, 0)} for d in days_list],
    }


__all__ = ["STATUSES", "dashboard", "instance_positions", "search_instances"]
