"""The admin console: login, the BPMN and form designers, instances, org, accounts (docs/console.md).

Pages live under ``/admin/``, their JSON under ``/admin/api/`` (session cookie + CSRF
header), the login at ``/login``. The REST API and its tokens are untouched.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

from aiohttp import web

from admin_web.api import FailureLimiter
from admin_web.console import api_admin, api_instances, api_processes, pages
from admin_web.console.assets import setup_assets
from admin_web.console.login import setup_login
from admin_web.console.security import CONSOLE, ConsoleServices, Route, register
from admin_web.keys import ENGINE, SETTINGS
from engine.accounts import Accounts
from engine.drafts import Drafts
from engine.sessions import Sessions

ROUTES: list[Route] = [*pages.ROUTES, *api_processes.ROUTES, *api_instances.ROUTES, *api_admin.ROUTES]


async def _services(app: web.Application) -> AsyncIterator[None]:
    """Accounts, sessions and drafts on the engine's database (opened by the database context)."""
    settings = app[SETTINGS]
    db = app[ENGINE].db
    app[CONSOLE] = ConsoleServices(
        accounts=Accounts(db),
        sessions=Sessions(
            db,
            lifetime=timedelta(hours=settings.session_hours),
            idle=timedelta(minutes=settings.session_idle_minutes),
        ),
        drafts=Drafts(db),
        limiter=FailureLimiter(settings.auth_failures_per_minute),
    )
    yield


def setup_console(app: web.Application) -> None:
    """Routes, assets and the console's services; call after the database context is registered."""
    app.cleanup_ctx.append(_services)
    setup_login(app)
    register(app, ROUTES)
    setup_assets(app)


__all__ = ["ROUTES", "setup_console"]
