"""What operations probe: liveness (``/healthz``), readiness (``/readyz``) and ``/metrics``.

None of them needs a token: orchestrators and Prometheus call them. Keep ``/metrics``
on an internal network (the Kubernetes manifest exposes it only inside the cluster).
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from aiohttp import web

from admin_web.executor import in_thread
from admin_web.keys import ENGINE, METRICS
from admin_web.metrics import CONTENT_TYPE
from engine import ProcessEngine
from engine.gauges import Gauges

log = logging.getLogger("jingwei.health")


async def healthz(request: web.Request) -> web.Response:
    """The process is up and its event loop answers."""
    return web.json_response({"status": "ok"})


async def readyz(request: web.Request) -> web.Response:
    """The database answers, has every table and the schema revision this code needs; else 503."""
    engine = request.app[ENGINE]
    try:
        missing, schema = await in_thread(request.app, "readyz", engine.db.readiness)
    except sa.exc.SQLAlchemyError as exc:
        log.warning("not ready: database unreachable: %s", exc)
        return web.json_response({"status": "unavailable", "reason": "database unreachable"}, status=503)
    if missing:
        reason = f"schema incomplete, missing: {', '.join(missing)} (run jingwei migrate)"
        return web.json_response({"status": "unavailable", "reason": reason}, status=503)
    if not schema.up_to_date:
        reason = (
            f"database schema at revision {schema.current or 'none'}, this version needs {schema.head} "
            "(run jingwei migrate)"
        )
        return web.json_response({"status": "unavailable", "reason": reason}, status=503)
    return web.json_response({"status": "ready", "database": engine.db.dialect, "schema": schema.head})


def _gauges(engine: ProcessEngine) -> Gauges | None:
    try:
        return engine.gauges()
    except sa.exc.SQLAlchemyError as exc:  # still report the in-process figures
        log.warning("metrics: database figures unavailable: %s", exc)
        return None


async def metrics(request: web.Request) -> web.Response:
    gauges = await in_thread(request.app, "metrics", _gauges, request.app[ENGINE])
    text = request.app[METRICS].render(gauges)
    return web.Response(body=text.encode(), headers={"Content-Type": CONTENT_TYPE})


def setup_health(app: web.Application) -> None:
    app.router.add_get("/healthz", healthz, name="healthz")
    app.router.add_get("/readyz", readyz, name="readyz")
    app.router.add_get("/metrics", metrics, name="metrics")


__all__ = ["setup_health"]
