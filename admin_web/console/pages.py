"""The console's HTML pages: a server-rendered frame per page; the data comes from ``/admin/api``.

Each page knows the account (roles, language) and renders only the controls the account may
use; the JSON endpoints check the same permissions again, so a hidden button is a courtesy,
not the protection.
"""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from admin_web.console.assets import ASSETS_OK
from admin_web.console.messages import CATALOGUE, translator
from admin_web.console.security import Route, current, permissions_of
from admin_web.keys import TEMPLATES
from engine.bpmn.approval_settings import DEDUPE, PERMISSIONS
from engine.bpmn.extensions import EMPTY_APPROVER, ON_REJECT

# The choices the properties panel offers, taken from the engine's parser so they never drift.
PANEL_OPTIONS = {
    "dedupe": list(DEDUPE),
    "permissions": list(PERMISSIONS),
    "empty": list(EMPTY_APPROVER),
    "onReject": list(ON_REJECT),
}
# (path, message key, permission) of the navigation, in order
NAV = (
    ("/admin/", "nav.dashboard", "read"),
    ("/admin/processes", "nav.processes", "read"),
    ("/admin/instances", "nav.instances", "read"),
    ("/admin/tasks", "nav.tasks", "read"),
    ("/admin/org", "nav.org", "read"),
    ("/admin/automation", "nav.automation", "read"),
    ("/admin/accounts", "nav.accounts", "read"),
    ("/admin/tokens", "nav.tokens", "read"),
)


def page_context(request: web.Request, active: str, **extra: Any) -> dict[str, Any]:
    session = current(request)
    account = session.account
    perms = permissions_of(account)
    boot = {
        "csrf": session.csrf_token,
        "locale": account.locale,
        "account": account.to_dict(),
        "perms": perms,
        "messages": CATALOGUE[account.locale],
        **extra.pop("boot", {}),
    }
    return {
        "t": translator(account.locale),
        "locale": account.locale,
        "account": account,
        "perms": perms,
        "csrf": session.csrf_token,
        "nav": [(path, key) for path, key, permission in NAV if perms[permission]],
        "active": active,
        "assets_ok": request.app[ASSETS_OK],
        # </script> inside the JSON must not end the script element
        "boot_json": json.dumps(boot, ensure_ascii=False).replace("</", "<\\/"),
        **extra,
    }


def render(request: web.Request, template: str, active: str, **extra: Any) -> web.Response:
    page = request.app[TEMPLATES].get_template(f"console/{template}")
    html = page.render(**page_context(request, active, **extra))
    return web.Response(
        text=html,
        content_type="text/html",
        headers={"Cache-Control": "no-store", "X-Frame-Options": "DENY", "Referrer-Policy": "same-origin"},
    )


async def dashboard_page(request: web.Request) -> web.Response:
    return render(request, "dashboard.html", "/admin/")


async def processes_page(request: web.Request) -> web.Response:
    return render(request, "processes.html", "/admin/processes")


async def designer_page(request: web.Request) -> web.Response:
    key = request.match_info["key"]
    version = request.query.get("version")
    readonly = version is not None or not permissions_of(current(request).account)["design"]
    return render(
        request,
        "designer.html",
        "/admin/processes",
        key=key,
        version=version,
        boot={
            "key": key,
            "version": int(version) if version and version.isdigit() else None,
            "readonly": readonly,
            "options": PANEL_OPTIONS,
        },
    )


async def form_page(request: web.Request) -> web.Response:
    key = request.match_info["key"]
    return render(request, "form.html", "/admin/processes", key=key, boot={"key": key})


async def diff_page(request: web.Request) -> web.Response:
    key = request.match_info["key"]
    return render(
        request,
        "diff.html",
        "/admin/processes",
        key=key,
        boot={"key": key, "a": request.query.get("a"), "b": request.query.get("b")},
    )


async def instances_page(request: web.Request) -> web.Response:
    return render(request, "instances.html", "/admin/instances")


async def instance_page(request: web.Request) -> web.Response:
    instance_id = request.match_info["id"]
    return render(
        request, "instance.html", "/admin/instances", instance_id=instance_id, boot={"id": instance_id}
    )


async def tasks_page(request: web.Request) -> web.Response:
    return render(request, "tasks.html", "/admin/tasks")


async def org_page(request: web.Request) -> web.Response:
    return render(request, "org.html", "/admin/org")


async def automation_page(request: web.Request) -> web.Response:
    return render(request, "automation.html", "/admin/automation")


async def accounts_page(request: web.Request) -> web.Response:
    return render(request, "accounts.html", "/admin/accounts")


async def tokens_page(request: web.Request) -> web.Response:
    return render(request, "tokens.html", "/admin/tokens")


async def account_page(request: web.Request) -> web.Response:
    return render(request, "account.html", "/admin/account")


async def admin_root(request: web.Request) -> web.Response:
    raise web.HTTPFound("/admin/")


ROUTES = [
    Route("GET", "/admin/", dashboard_page, "read", json=False),
    Route("GET", "/admin/processes", processes_page, "read", json=False),
    Route("GET", "/admin/processes/{key}/design", designer_page, "read", json=False),
    Route("GET", "/admin/processes/{key}/form", form_page, "read", json=False),
    Route("GET", "/admin/processes/{key}/diff", diff_page, "read", json=False),
    Route("GET", "/admin/instances", instances_page, "read", json=False),
    Route("GET", "/admin/instances/{id}", instance_page, "read", json=False),
    Route("GET", "/admin/tasks", tasks_page, "read", json=False),
    Route("GET", "/admin/org", org_page, "read", json=False),
    Route("GET", "/admin/automation", automation_page, "read", json=False),
    Route("GET", "/admin/accounts", accounts_page, "read", json=False),
    Route("GET", "/admin/tokens", tokens_page, "read", json=False),
    Route("GET", "/admin/account", account_page, "self", json=False, self_service=True),
]

__all__ = ["NAV", "ROUTES", "admin_root", "page_context", "render"]
