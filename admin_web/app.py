"""The composition root of the web service: ``create_app(settings)`` builds the whole application.

Resources (the database and the engine, the thread pool; later the job and outbox
loops and the chat channels) are opened and closed by cleanup contexts, so nothing
happens when this module is imported and a test can build as many apps as it likes.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from importlib.metadata import PackageNotFoundError, version

import jinja2
from aiohttp import web

from admin_web.api import FailureLimiter, TokenCache, auth_middleware, error_middleware, setup_api
from admin_web.chat import setup_chat
from admin_web.console import setup_console
from admin_web.dingtalk import setup_dingtalk
from admin_web.h5 import setup_h5
from admin_web.health import setup_health
from admin_web.keys import ENGINE, EXECUTOR, METRICS, SETTINGS, TEMPLATES, TOKENS
from admin_web.metrics import Metrics, metrics_middleware
from admin_web.pages import setup_pages
from admin_web.sandbox import setup_sandbox
from admin_web.settings import Settings
from admin_web.wecom import setup_wecom
from admin_web.worker_context import automation_worker
from engine import DEFAULT_TYPES, ApiTokens, AttachmentStore, Database, ProcessEngine, UploadPolicy

log = logging.getLogger("jingwei.app")


def product_version() -> str:
    try:
        return version("jingwei-bpm")
    except PackageNotFoundError:
        return "0.0.0"


def upload_policy(settings: Settings) -> UploadPolicy:
    types = dict(DEFAULT_TYPES)
    if settings.upload_extensions:
        # Extensions we know keep their content type; others are accepted as generic binary.
        types = {
            ext: DEFAULT_TYPES.get(ext, "application/octet-stream") for ext in settings.upload_extensions
        }
    return UploadPolicy(max_bytes=settings.max_upload_bytes, types=types)


async def _database(app: web.Application) -> AsyncIterator[None]:
    """The database, the engine on it and the token store; disposed at shutdown."""
    settings = app[SETTINGS]
    db = Database(settings.db)
    app[ENGINE] = ProcessEngine(
        db,
        urge_interval=timedelta(minutes=settings.urge_interval_minutes),
        files=AttachmentStore(settings.attachments_dir, upload_policy(settings)),
    )
    app[TOKENS] = ApiTokens(db)
    log.info("database %s", db.url.render_as_string(hide_password=True))
    yield
    db.dispose()


async def _thread_pool(app: web.Application) -> AsyncIterator[None]:
    """The bounded pool the synchronous engine runs in; the event loop never waits on the database."""
    pool = ThreadPoolExecutor(max_workers=app[SETTINGS].workers, thread_name_prefix="jingwei-engine")
    app[EXECUTOR] = pool
    yield
    pool.shutdown(wait=True)


def create_app(settings: Settings) -> web.Application:
    """The aiohttp application for ``settings``: API, health, metrics and pages."""
    metrics = Metrics()
    app = web.Application(
        middlewares=[
            metrics_middleware(metrics),
            error_middleware,
            auth_middleware(
                FailureLimiter(settings.auth_failures_per_minute), TokenCache(settings.token_cache_seconds)
            ),
        ],
        client_max_size=settings.max_body_kb * 1024,
    )
    app[SETTINGS] = settings
    app[METRICS] = metrics
    app[TEMPLATES] = jinja2.Environment(
        loader=jinja2.PackageLoader("admin_web", "templates"),
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
    )
    # Cleanup contexts close in reverse order: the pool drains before the database goes.
    app.cleanup_ctx.append(_database)
    app.cleanup_ctx.append(_thread_pool)
    app.cleanup_ctx.append(automation_worker)
    setup_wecom(app)  # before the chat context: the notifier is built with the WeCom channel
    setup_chat(app)
    setup_dingtalk(app)
    setup_sandbox(app)
    setup_h5(app)
    setup_pages(app)
    setup_console(app)  # /login and /admin/: after the database context it builds on
    setup_health(app)
    setup_api(app, version=product_version())
    return app


__all__ = ["create_app", "product_version", "upload_policy"]
