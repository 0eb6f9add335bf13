"""The landing page, the API docs page, the OpenAPI document, health and metrics."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from api_helpers import Api, start_expense

from admin_web.api import OPERATIONS
from admin_web.app import create_app
from admin_web.settings import Settings
from engine import Database, ProcessEngine, utcnow
from engine.store.chat_tables import outbox_cursors
from engine.store.schema import jobs, outbox

pytestmark = pytest.mark.db


async def test_the_landing_page_says_what_runs_and_links_onwards(api: Api) -> None:
    resp = await api.get("/")
    html = await resp.text()
    assert resp.status == 200
    assert resp.content_type == "text/html"
    assert "Jingwei BPM is running" in html
    for link in ('href="/api/docs"', 'href="/api/v1/openapi.json"', 'href="/metrics"'):
        assert link in html
    assert "expense" in html


async def test_the_docs_page_lists_every_operation_and_schema(api: Api) -> None:
    resp = await api.get("/api/docs")
    html = await resp.text()
    assert resp.status == 200
    for op in OPERATIONS:
        assert f"<code>{op.full_path}</code>" in html, op.full_path
    assert 'id="schema-Instance"' in html


async def test_the_openapi_document_covers_every_route_with_its_errors(api: Api) -> None:
    doc = await (await api.get("/api/v1/openapi.json")).json()
    assert doc["openapi"].startswith("3.1")
    assert doc["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    for op in OPERATIONS:
        entry = doc["paths"][op.full_path][op.method.lower()]
        assert str(op.status) in entry["responses"]
        if op.auth:
            assert "401" in entry["responses"]
    start = doc["paths"]["/api/v1/instances"]["post"]
    assert start["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/StartInstance"
    }
    task = doc["components"]["schemas"]["Task"]
    assert {"id", "instance_id", "assignee", "status"} <= set(task["required"])
    assert "OrgDocument" in doc["components"]["schemas"]


async def test_health_and_readiness(api: Api) -> None:
    assert await (await api.get("/healthz")).json() == {"status": "ok"}
    ready = await api.get("/readyz")
    assert ready.status == 200
    assert (await ready.json())["status"] == "ready"


async def test_readiness_fails_while_the_schema_is_missing(aiohttp_client: Any, tmp_path: Path) -> None:
    client = await aiohttp_client(create_app(Settings(db=f"sqlite:///{tmp_path / 'empty.db'}")))
    resp = await client.get("/readyz")
    assert resp.status == 503
    assert "missing" in (await resp.json())["reason"]
    assert (await client.get("/healthz")).status == 200


async def test_metrics_count_requests_by_route_and_report_open_tasks(api: Api) -> None:
    await start_expense(api)
    await api.get("/api/v1/tasks")  # a 401
    resp = await api.get("/metrics")
    text = await resp.text()
    assert resp.status == 200
    assert resp.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    assert 'jingwei_http_requests_total{route="/api/v1/instances",method="POST",status="201"} 1' in text
    assert 'jingwei_http_requests_total{route="/api/v1/tasks",method="GET",status="401"} 1' in text
    assert 'jingwei_command_seconds_count{command="start"} 1' in text
    assert "jingwei_open_tasks 1" in text
    assert "jingwei_outbox_backlog " in text


async def test_metrics_report_job_lag_dead_jobs_and_what_the_notifier_has_not_sent(
    seeded: ProcessEngine, db: Database, api_settings: Settings, aiohttp_client: Any
) -> None:
    seeded.start("expense", starter="zhangwei", data={"amount": 100, "reason": "差旅"})
    # the only replica, and without the job worker: nobody runs the late job while we look at it
    quiet = await aiohttp_client(create_app(api_settings.model_copy(update={"worker": False})))
    now = utcnow()
    with db.write() as conn:
        base = {"kind": "timer", "payload": {}, "attempts": 0, "max_attempts": 3, "created_at": now}
        conn.execute(
            jobs.insert(), {**base, "id": "late", "status": "pending", "due_at": now - timedelta(seconds=90)}
        )
        conn.execute(
            jobs.insert(), {**base, "id": "later", "status": "pending", "due_at": now + timedelta(hours=1)}
        )
        conn.execute(jobs.insert(), {**base, "id": "gone", "status": "dead", "due_at": now})
        # a consumer that has handled nothing yet (the app's own notifier keeps moving)
        conn.execute(outbox_cursors.insert(), {"consumer": "export", "last_id": 0})
    text = await (await quiet.get("/metrics")).text()
    lag = next(
        float(line.split()[1]) for line in text.splitlines() if line.startswith("jingwei_job_lag_seconds ")
    )
    assert 90 <= lag < 150
    assert "jingwei_dead_jobs 1" in text
    with db.read() as conn:
        rows = conn.execute(sa.select(sa.func.count()).select_from(outbox)).scalar_one()
    assert rows > 0
    assert f'jingwei_feed_unsent{{consumer="export"}} {rows}' in text
